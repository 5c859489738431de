"""A small virtual trial, conducted through the web application's JSON API in the test database
(SQLite, and PostgreSQL when the suite runs there), analysed and compared with the truth."""

from __future__ import annotations

import pytest

from khetrial.cli.virtual import agreement_table, primary_lines
from khetrial.virtual.agreement import PRIMARY

PATIENTS, SEED = 20, 4
# Share of children whose recorded primary-endpoint flag is the true one when sites follow
# khetrial: issue 10, "≥ 99 % agreement on the primary endpoint flags". (Before the data-driven
# calendar, counts every 2 days only to day 28 then at week 8 broke every durable run: 2 of 20
# children agreed, the true non-responders.)
REQUIRED_PRIMARY_AGREEMENT = 0.99


@pytest.fixture
def fast_hasher(settings):
    """Accounts are made with a fast hasher here (argon2 itself: tests/edc/accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.slow
@pytest.mark.db
def test_virtual_trial_through_the_api_records_what_the_calendar_makes_due(db, fast_hasher,
                                                                             tmp_path):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import BodySizeMeasurement, LabResult, Patient

    from khetrial.virtual.run import run_virtual_trial

    report = run_virtual_trial(PATIENTS, SEED, tmp_path)
    conduct = report["conduct"]
    assert conduct["randomized"] == PATIENTS == Patient.objects.count()
    assert conduct["records_entered_late"] == conduct["records_lost_at_lock"] == 0
    # every record went through the API, by the sites' accounts, audited
    assert AuditEntry.objects.filter(form="api").count() >= LabResult.objects.count()
    assert set(Patient.objects.values_list("arm", flat=True)) == {"SP", "S"}
    # every child is weighed and measured at its visits after day 0, and grows (course.growth_on)
    for patient in Patient.objects.all():
        latest = BodySizeMeasurement.objects.filter(patient=patient).order_by("date").last()
        assert latest is not None and latest.date > patient.randomization_date
        assert latest.weight_kg >= patient.weight_kg and latest.height_cm >= patient.height_cm
    assert (tmp_path / "agreement.json").exists() and (tmp_path / "results.json").exists()
    primary = report["endpoints"][PRIMARY]
    # the record never invents a responder; the questionnaire and the month-24 assessment,
    # recorded on their planned dates, agree with the truth for every child
    assert primary["gained"] == 0
    for endpoint in ("qol_improvement_m12", "sequelae_m24"):
        assert report["endpoints"][endpoint]["agreement"] == 1.0
    assert report["primary_analysis"]["SP"]["events"] == primary["recorded_events"]["SP"]
    agreement = primary["agreement"]
    assert agreement >= REQUIRED_PRIMARY_AGREEMENT, (
        f"primary-endpoint agreement {agreement:.2f} (lost {primary['lost']} responders)")
    assert "durable_platelet_response_wk4" in str(agreement_table(report).columns[0]._cells)
    assert "primary difference (true)" in primary_lines(report)
