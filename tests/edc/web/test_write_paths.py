"""The three ways a record comes in (a page's form, the API, a bundle import) write the same.

One lab result (platelets 150 ×10⁹/L on 2018-03-25, typed by hand below) goes in by each path;
the rows must hold the same values, take consecutive ``seq`` numbers (the trial fixture's rows
all have seq 0, so the next three are 1, 2, 3: hand count), and the form and the API must leave
the same audit entries apart from the form's name ("labs" or "api").
"""

from __future__ import annotations

import json

import pandas as pd

from khetrial.bundle import read_bundle
from khetrial.bundle.format import TABLE_SPECS
from khetrial.edc import store
from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.trial.models import LabResult

LAB = {"date": "2018-03-25", "test": "platelets", "value": "150"}
ROW_FIELDS = ("date", "test", "value", "extra", "voided", "void_reason", "voided_at")
ENTRY_FIELDS = ("actor", "role", "action", "patient_id", "site_code", "field", "old", "new",
                "reason", "detail", "ip")


def _row(lab: LabResult) -> tuple:
    return tuple(getattr(lab, f) for f in ROW_FIELDS)


def _entries(lab: LabResult) -> list[dict]:
    """The lab's audit entries without what must differ (which row, when, which form, seq)."""
    out = []
    for entry in AuditEntry.objects.filter(detail="labresult", record_id=str(lab.pk)
                                           ).order_by("id"):
        values = {f: getattr(entry, f) for f in ENTRY_FIELDS}
        if entry.action == "create":
            values["new"] = {k: v for k, v in json.loads(entry.new).items() if k != "seq"}
        out.append(values)
    return out


def _import_one_lab(tmp_path, user: str) -> None:
    """A bundle of one new patient at site A with the same lab result, imported by ``user``."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    pd.DataFrame({"patient_id": ["A-09"], "site_id": ["A"], "sex": ["F"],
                  "birth_date": ["2017-12-01"], "randomization_date": ["2018-03-07"],
                  "arm": ["SP"], "weight_kg": [6.0], "height_cm": [62.0],
                  "lesion_depth": ["deep"], "lesion_site": ["trunk"], "kmp_onset_date": [None],
                  "biopsy": [1]}).to_csv(folder / "patients.csv", index=False)
    pd.DataFrame({"patient_id": ["A-09"], **{k: [v] for k, v in LAB.items()}}).to_csv(
        folder / "labs.csv", index=False)
    pd.DataFrame(columns=TABLE_SPECS["medications"].column_names).to_csv(
        folder / "medications.csv", index=False)
    store.import_bundle(read_bundle(folder), user=user)


def test_form_api_and_import_write_identical_rows_with_consecutive_seqs(trial, login, client,
                                                                         token_for, tmp_path):
    assert login("inv_a").post("/patients/A-01/labs/add/", LAB).status_code == 302
    h = {"Authorization": f"Bearer {token_for('inv_a')}"}
    r = client.post("/api/patients/A-01/labs", {**LAB, "value": 150},
                    content_type="application/json", headers=h)
    assert r.status_code == 200, r.content
    _import_one_lab(tmp_path, "inv_a")
    form_row, api_row, import_row = LabResult.objects.filter(date="2018-03-25").order_by("seq")
    assert [row.seq for row in (form_row, api_row, import_row)] == [1, 2, 3]
    assert _row(form_row) == _row(api_row) == _row(import_row)
    assert (form_row.patient.patient_id, import_row.patient.patient_id) == ("A-01", "A-09")


def test_form_and_api_leave_the_same_audit_entries(trial, login, client, token_for):
    c = login("inv_a")
    c.post("/patients/A-01/labs/add/", LAB)
    form_lab = LabResult.objects.get(date="2018-03-25")
    h = {"Authorization": f"Bearer {token_for('inv_a')}"}
    api_lab_id = client.post("/api/patients/A-01/labs", {**LAB, "value": 150},
                             content_type="application/json", headers=h).json()["id"]
    api_lab = LabResult.objects.get(pk=api_lab_id)

    c = login("inv_a")
    assert c.post(f"/patients/A-01/labs/{form_lab.pk}/edit/",
                  {**LAB, "value": "140", "reason": "lab re-sent the report"}).status_code == 302
    assert c.post(f"/patients/A-01/labs/{form_lab.pk}/void/",
                  {"reason": "entered twice"}).status_code == 302
    assert client.patch(f"/api/patients/A-01/labs/{api_lab.pk}",
                        {"value": 140, "reason": "lab re-sent the report"},
                        content_type="application/json", headers=h).status_code == 200
    assert client.post(f"/api/patients/A-01/labs/{api_lab.pk}/void",
                       {"reason": "entered twice"}, content_type="application/json",
                       headers=h).status_code == 200

    form_entries, api_entries = _entries(form_lab), _entries(api_lab)
    # create, change of value, then the void's three fields (in field-name order): hand count
    assert [(e["action"], e["field"]) for e in form_entries] == [
        ("create", ""), ("change", "value"), ("change", "void_reason"), ("void", "voided"),
        ("change", "voided_at")]
    voided_at = [e for e in form_entries + api_entries if e["field"] == "voided_at"]
    for entry in voided_at:  # a time of day: differs between the two voids
        entry["new"] = "(time)"
    assert form_entries == api_entries
    forms = AuditEntry.objects.filter(detail="labresult", record_id__in=[
        str(form_lab.pk), str(api_lab.pk)]).values_list("record_id", "form").distinct()
    assert set(forms) == {(str(form_lab.pk), "labs"), (str(api_lab.pk), "api")}


def test_an_import_is_audited_with_its_author(trial, tmp_path):
    _import_one_lab(tmp_path, "inv_a")
    entry = AuditEntry.objects.get(form="import", new__startswith="labs:")
    assert (entry.actor, entry.action, entry.new) == ("inv_a", "create", "labs: 1 rows written")
