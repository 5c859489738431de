"""The trial app's models: choices from the bundle format, voiding, constraints."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.bundle.format import ARMS, LAB_TESTS, TABLE_NAMES, TABLE_SPECS
from khetrial.edc.store import TABLE_MODELS, model_columns, table_model
from khetrial.edc.trial import models


def test_code_lists_are_the_bundle_formats():
    assert [code for code, _ in models.Patient._meta.get_field("arm").choices] == list(ARMS)
    assert [code for code, _ in models.LabResult._meta.get_field("test").choices] == list(LAB_TESTS)
    # spec: adverse_events grade 1–5
    assert [g for g, _ in models.AdverseEvent._meta.get_field("grade").choices] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_every_bundle_column_has_a_field(table):
    assert tuple(TABLE_MODELS) == TABLE_NAMES
    names = [c.name for c in model_columns(table_model(table))]
    assert names == list(TABLE_SPECS[table].column_names)


def _patient() -> models.Patient:
    site = models.Site.objects.create(code="BJ", name="Beijing")
    return models.Patient.objects.create(
        patient_id="P001", site=site, sex="F", birth_date=dt.date(2017, 1, 1),
        randomization_date=dt.date(2018, 3, 7), arm="SP", weight_kg=7.3, height_cm=66.0,
        lesion_depth="deep", lesion_site="trunk", biopsy=True)


def test_a_patient_with_rows_cannot_be_deleted(db):
    from django.db.models import ProtectedError

    patient = _patient()
    models.LabResult.objects.create(patient=patient, date=dt.date(2018, 3, 7), test="platelets",
                                    value=12.0)
    with pytest.raises(ProtectedError):
        patient.delete()


def test_a_screening_id_is_unique_among_rows_that_are_not_voided(db):
    from django.db import IntegrityError, transaction

    site = models.Site.objects.create(code="CD")
    first = models.Screening.objects.create(screening_id="S1", site=site, date=dt.date(2018, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Screening.objects.create(screening_id="S1", site=site, date=dt.date(2018, 1, 2))
    models.Screening.objects.filter(pk=first.pk).update(voided=True, void_reason="duplicate")
    models.Screening.objects.create(screening_id="S1", site=site, date=dt.date(2018, 1, 2))
    assert models.Screening.objects.filter(screening_id="S1").count() == 2


def test_the_committed_migrations_match_the_models(db):
    # Issue 2: "migrations committed" — makemigrations --check exits non-zero when a model
    # change has no migration.
    from django.core.management import call_command

    call_command("makemigrations", "trial", "--check", "--dry-run", verbosity=0)
