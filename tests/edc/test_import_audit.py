"""A replacing import can never rewrite an allocation, and says per patient what it changed.

Issue 16 item 3: ``import --replace`` turned KHE-001 from C3/S into C1/SP and the audit said
only "patients: 73 rows written". Expected values are the hand-made bundle of test_store.py
(P001 at BJ in arm SP randomized 2018-03-07 with 3 labs, the first 45.5; P002 at CD in arm S).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from khetrial.edc import store
from khetrial.errors import DatabaseError
from tests.edc.test_store import bundle_of, small_tables, table_counts


@pytest.fixture
def stored(db, tmp_path):
    store.import_bundle(bundle_of(small_tables(), tmp_path / "first"))


def _changed(tmp_path, name="changed", **columns):
    tables = small_tables()
    for column, values in columns.items():
        tables["patients"][column] = values
    return bundle_of(tables, tmp_path / name)


@pytest.mark.parametrize("column, values, named", [
    ("arm", ["S", "S"], "patient P001: arm refused"),
    ("site_id", ["BJ", "BJ"], "patient P002: site refused"),
    ("randomization_date", ["2018-03-08", "2018-04-01"], "patient P001: randomization_date"),
])
def test_replace_that_changes_an_allocation_is_refused_naming_patient_and_field(
        stored, tmp_path, column, values, named):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import Patient

    before, entries = table_counts(), AuditEntry.objects.count()
    with pytest.raises(DatabaseError) as caught:
        store.import_bundle(_changed(tmp_path, **{column: values}), replace=True,
                            reason="site resent its export")
    assert named in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert table_counts() == before and AuditEntry.objects.count() == entries
    p1 = Patient.objects.select_related("site").get(patient_id="P001")
    assert (p1.arm, p1.site.code, p1.randomization_date) == ("SP", "BJ", dt.date(2018, 3, 7))


def test_replace_records_each_changed_field_and_each_voided_row_with_its_values(stored, tmp_path):
    from khetrial.edc.audit.models import AuditEntry

    store.import_bundle(_changed(tmp_path, weight_kg=[7.9, 10.1]), replace=True,
                        reason="weight corrected at the site")
    change = AuditEntry.objects.get(action="change", form="import", field="weight_kg")
    assert (change.patient_id, change.old, change.new) == ("P001", "7.3", "7.9")
    assert change.reason == "weight corrected at the site" and change.site_code == "BJ"
    versions = AuditEntry.objects.filter(action="void", field="(row voided)", detail="labresult")
    assert versions.count() == 5  # 3 labs of P001, 2 of P002
    first = json.loads(versions.filter(patient_id="P001").order_by("id").first().old)
    assert first["value"] == "45.5" and first["test"] == "platelets"
    summary = AuditEntry.objects.filter(form="import", detail="import",
                                        patient_id="P001").order_by("-id").first()
    assert "labs 3" in summary.new and "labs 3" in summary.old


def test_a_first_import_says_per_patient_what_it_wrote(db, tmp_path):
    from khetrial.edc.audit.models import AuditEntry

    store.import_bundle(bundle_of(small_tables(), tmp_path / "b"))
    rows = dict(AuditEntry.objects.filter(form="import", detail="import")
                .exclude(patient_id="").values_list("patient_id", "new"))
    assert set(rows) == {"P001", "P002"}
    assert "labs 3" in rows["P001"] and "labs 2" in rows["P002"]


def test_a_form_or_api_save_cannot_change_a_randomized_patients_arm_or_site(stored):
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.trial.models import Patient, Site

    p = Patient.objects.get(patient_id="P001")
    with audit_context(actor="inv", role="investigator", reason="typo", form="patients"):
        p.arm = "S"
        with pytest.raises(DatabaseError, match="patient P001: arm refused"):
            p.save()
        p = Patient.objects.get(patient_id="P001")
        p.site = Site.objects.get(code="CD")
        with pytest.raises(DatabaseError, match="patient P001: site refused"):
            p.save()
        p = Patient.objects.get(patient_id="P001")
        p.weight_kg = 7.5
        p.save()  # an ordinary correction still works
    assert Patient.objects.get(patient_id="P001").arm == "SP"


def test_a_used_allocation_entry_cannot_be_rewritten(db):
    from khetrial.edc.randomization.models import AllocationEntry

    entry = AllocationEntry.objects.create(site_code="A", position=1, arm="S", block=1,
                                           block_size=4, patient_id="A-01")
    entry.arm = "SP"
    with pytest.raises(DatabaseError, match="arm refused"):
        entry.save()
    unused = AllocationEntry.objects.create(site_code="A", position=2, arm="SP", block=1,
                                            block_size=4)
    unused.patient_id = "A-02"
    unused.save()  # using an entry is how randomization works


def test_the_entries_of_an_import_are_links_of_the_hash_chain(stored, tmp_path):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.audit.verify import verify_trail

    store.import_bundle(_changed(tmp_path, weight_kg=[7.9, 10.1]), replace=True,
                        reason="weight corrected at the site")
    assert AuditEntry.objects.filter(form="import", field="(row voided)").count() > 0
    report = verify_trail()
    assert report.ok, report.to_dict()
    assert report.checked == AuditEntry.objects.count()
