"""The audit trail: append-only, every change with a reason, the lock, role filtering."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from khetrial.errors import DatabaseError


@pytest.fixture
def patient(db):
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.trial.models import Patient, Site

    with audit_context(actor="inv_a", role="investigator", form="patients"):
        return Patient.objects.create(
            patient_id="A-01", site=Site.objects.create(code="A"), sex="F",
            birth_date=dt.date(2017, 12, 1), randomization_date=dt.date(2018, 3, 7), arm="S",
            weight_kg=6.0, height_cm=62.0, lesion_depth="deep", lesion_site="trunk", biopsy=True)


def _lab(patient, value=21.0):
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.trial.models import LabResult

    with audit_context(actor="inv_a", role="investigator", form="labs"):
        return LabResult.objects.create(patient=patient, date=dt.date(2018, 3, 7),
                                        test="platelets", value=value)


def test_create_is_recorded_with_who_when_and_values(patient):
    from khetrial.edc.audit.models import AuditEntry

    lab = _lab(patient)
    entry = AuditEntry.objects.get(action="create", detail="labresult", record_id=str(lab.pk))
    assert (entry.actor, entry.role, entry.form, entry.patient_id, entry.site_code) == (
        "inv_a", "investigator", "labs", "A-01", "A")
    assert '"value": "21.0"' in entry.new
    assert entry.at.utcoffset() == dt.timedelta(0)  # stored in UTC


def test_change_without_reason_is_refused_on_the_model_path(patient):
    lab = _lab(patient)
    lab.value = 54.0
    with pytest.raises(DatabaseError, match="needs a reason"):
        lab.save()


def test_change_with_reason_records_old_new_and_reason(patient):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.audit.trail import audit_context

    lab = _lab(patient)
    with audit_context(actor="inv_a", role="investigator", reason="transcription error",
                       form="labs"):
        lab.value = 54.0
        lab.save()
    entry = AuditEntry.objects.get(action="change", field="value")
    assert (entry.old, entry.new, entry.reason) == ("21.0", "54.0", "transcription error")


def test_void_is_recorded_and_delete_is_refused(patient):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.audit.trail import audit_context

    lab = _lab(patient)
    from django.db import transaction

    with pytest.raises(DatabaseError, match="voided"), transaction.atomic():
        lab.delete()
    with audit_context(actor="inv_a", reason="wrong patient"):
        lab.voided, lab.void_reason = True, "wrong patient"
        lab.save()
    assert AuditEntry.objects.filter(action="void", field="voided", new="True",
                                     reason="wrong patient").exists()


def test_entries_cannot_be_changed_or_deleted(patient):
    from khetrial.edc.audit.models import AppendOnlyError, AuditEntry

    entry = AuditEntry.objects.first()
    entry.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_database_trigger_refuses_raw_update(patient):
    from django.db import DatabaseError as DjangoDatabaseError
    from django.db import transaction

    with pytest.raises(DjangoDatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET reason = 'tampered'")


def test_lock_refuses_clinical_changes_until_unlocked_with_reason(patient):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.audit.trail import is_locked, set_lock

    set_lock(True, actor="stat", reason="final analysis")
    assert is_locked()
    with pytest.raises(DatabaseError, match="locked"):
        _lab(patient)
    with pytest.raises(DatabaseError, match="reason"):
        set_lock(False, actor="adm", reason=" ")
    set_lock(False, actor="adm", reason="late query answer")
    _lab(patient)
    assert {"lock", "unlock"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_replacing_import_needs_a_reason(db):
    from khetrial.edc.audit.trail import record_import

    with pytest.raises(DatabaseError, match="reason"):
        record_import({"rows": {"labs": 3}, "voided": {"labs": 2}}, replace=True)
    record_import({"rows": {"labs": 3}, "voided": {"labs": 2}}, replace=True, reason="resend",
                  actor="dm")
