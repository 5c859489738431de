"""The record service (khetrial.edc.trial.records): add, correct, void, next seq, audit.

Expected values are written out by hand from the inputs below: ``seq`` follows the project's
rule (first row 0, then one after the table's last row, voided rows included), and every
audit entry carries the author and reason given here.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction

from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.audit.trail import audit_context, set_lock
from khetrial.edc.trial import models, records
from khetrial.edc.trial.records import Author
from khetrial.errors import DatabaseError

DR_A = Author(actor="dr_a", role="investigator", form="labs", ip="10.0.0.7")
DAY0 = dt.date(2018, 3, 7)
PLATELETS = {"date": DAY0, "test": "platelets", "value": 21.0}


@pytest.fixture
def patient(db) -> models.Patient:
    with audit_context(actor="fixture"):
        site = models.Site.objects.create(code="BJ", name="Beijing")
        return models.Patient.objects.create(
            patient_id="P001", site=site, sex="F", birth_date=dt.date(2017, 1, 1),
            randomization_date=DAY0, arm="SP", weight_kg=7.3, height_cm=66.0,
            lesion_depth="deep", lesion_site="trunk", biopsy=True)


def test_next_seq_is_0_on_an_empty_table_then_one_after_the_last_row(patient):
    assert records.next_seq(models.LabResult) == 0
    first = records.add("labs", patient, PLATELETS, author=DR_A)
    assert first.seq == 0
    models.LabResult.objects.filter(pk=first.pk).update(seq=4)  # an imported row at seq 4
    assert records.add("labs", patient, PLATELETS, author=DR_A).seq == 5


def test_a_voided_row_keeps_its_seq_taken(patient):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    records.void(lab, reason="wrong patient", author=DR_A)
    assert records.next_seq(models.LabResult) == 1


def test_add_writes_the_row_and_its_create_entry_with_the_author(patient):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    entry = AuditEntry.objects.get(action="create", detail="labresult",
                                   record_id=str(lab.pk))
    assert (entry.actor, entry.role, entry.form, entry.ip) == ("dr_a", "investigator", "labs",
                                                               "10.0.0.7")
    assert (entry.patient_id, entry.site_code) == ("P001", "BJ")
    new = json.loads(entry.new)
    assert (new["test"], new["value"], new["seq"]) == ("platelets", "21.0", "0")


def test_add_many_writes_consecutive_seqs_in_the_order_given(patient):
    rows = [{"date": DAY0, "instrument": "infant_1_12", "scale": "physical", "item": item,
             "response": response} for item, response in (("p1", 4), ("p2", None), ("p3", 0))]
    written = records.add_many("qol", patient, rows, author=DR_A)
    assert [(r.item, r.seq, r.response) for r in written] == [("p1", 0, 4), ("p2", 1, None),
                                                              ("p3", 2, 0)]


def test_missing_text_is_stored_as_empty_text(patient):
    course = records.add("medications", patient, {"drug": "other_khe_therapy",
                                                  "start_date": DAY0, "dose": None,
                                                  "dose_unit": None, "frequency": None},
                         author=DR_A)
    course.refresh_from_db()
    assert (course.dose, course.dose_unit, course.frequency) == (None, "", "")


def test_correct_records_old_new_and_reason_per_changed_field(patient):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    records.correct(lab, {"value": 12.0}, reason="lab re-sent the report", author=DR_A)
    lab.refresh_from_db()
    assert lab.value == 12.0
    entry = AuditEntry.objects.get(action="change", record_id=str(lab.pk))
    assert (entry.field, entry.old, entry.new, entry.reason, entry.actor) == (
        "value", "21.0", "12.0", "lab re-sent the report", "dr_a")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_without_a_reason_is_refused_and_nothing_changes(patient, reason):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    with pytest.raises(DatabaseError, match=r"labs record \d+, field reason: got an empty "
                                            r"reason; a correction needs a reason"):
        records.correct(lab, {"value": 12.0}, reason=reason, author=DR_A)
    assert models.LabResult.objects.get(pk=lab.pk).value == 21.0
    assert not AuditEntry.objects.filter(action="change").exists()


def test_void_keeps_the_row_with_its_reason_and_writes_a_void_entry(patient):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    records.void(lab, reason="wrong tube", author=DR_A)
    kept = models.LabResult.objects.get(pk=lab.pk)
    assert kept.voided and kept.void_reason == "wrong tube" and kept.voided_at is not None
    entry = AuditEntry.objects.get(action="void", record_id=str(lab.pk))
    assert (entry.field, entry.new, entry.reason, entry.actor) == ("voided", "True",
                                                                  "wrong tube", "dr_a")


def test_void_needs_a_reason_and_a_voided_row_is_not_changed_again(patient):
    lab = records.add("labs", patient, PLATELETS, author=DR_A)
    with pytest.raises(DatabaseError, match="voiding a record needs a reason"):
        records.void(lab, reason=" ", author=DR_A)
    records.void(lab, reason="wrong tube", author=DR_A)
    with pytest.raises(DatabaseError, match="is voided and cannot be voided again"):
        records.void(lab, reason="again", author=DR_A)
    with pytest.raises(DatabaseError, match="is voided and cannot be corrected"):
        records.correct(lab, {"value": 1.0}, reason="typo", author=DR_A)


@pytest.mark.parametrize("table, values, message", [
    # bundle-format.md: labs.test is one of the six tests; adverse_events.grade 1–5
    ("labs", {**PLATELETS, "test": "troponin"},
     "labs.test: got 'troponin'; test must be one of platelets, fibrinogen"),
    ("adverse_events", {"term": "fever", "onset_date": DAY0, "grade": 6, "serious": False,
                        "related": False, "action": "none"},
     "adverse_events.grade: got 6; grade must be 1–5"),
    ("mri", {"date": DAY0, "lesion_volume_ml": "40 mL"},
     "mri.lesion_volume_ml: got '40 mL'; lesion_volume_ml must be 0–5000 mL"),
    ("labs", {**PLATELETS, "units": "g/L"},
     "labs: got field 'units'; the fields of labs are date, test, value"),
    ("screening", {"date": DAY0}, "got table 'screening'; a patient's rows are added to one of"),
])
def test_a_refused_write_names_table_field_and_what_is_allowed(patient, table, values,
                                                                message):
    with pytest.raises(DatabaseError, match=message):
        records.add(table, patient, values, author=DR_A)
    assert not AuditEntry.objects.filter(action="create", form="labs").exists()


def test_a_locked_database_refuses_the_write_and_keeps_no_row(patient):
    set_lock(True, actor="stat", reason="final analysis")
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        records.add("labs", patient, PLATELETS, author=DR_A)
    assert not models.LabResult.objects.exists()
