"""Data-entry forms: ranges and code lists of the bundle format, messages on the field."""

from __future__ import annotations

import pytest

from khetrial.bundle.format import LAB_RANGES, TABLE_SPECS


# Each bad value is just outside the bundle format's plausible range (bundle-format.md tables).
@pytest.mark.parametrize("table, values, field, message", [
    ("labs", {"date": "2018-03-08", "test": "platelets", "value": "2001"}, "value", "0–2000"),
    ("labs", {"date": "2018-03-08", "test": "fibrinogen", "value": "10.5"}, "value", "0–10"),
    ("labs", {"date": "2018-03-08", "test": "platelets", "value": "many"}, "value", "number"),
    ("labs", {"date": "2018-02-30", "test": "platelets", "value": "50"}, "date", "valid date"),
    ("labs", {"date": "2018-03-08", "test": "troponin", "value": "1"}, "test", "valid choice"),
    ("mri", {"date": "2018-09-01", "lesion_volume_ml": "5001"}, "lesion_volume_ml", "5000"),
    ("drug_levels", {"date": "2018-03-14", "sirolimus_trough_ng_ml": "-1"},
     "sirolimus_trough_ng_ml", "0"),
    ("qol", {"date": "2018-03-07", "instrument": "infant_1_12", "scale": "physical",
             "item": "p1", "response": "5"}, "response", "4"),
    ("adverse_events", {"term": "fever", "onset_date": "2018-03-09", "end_date": "2018-03-01",
                        "grade": "2", "serious": "0", "related": "0", "action": "none"},
     "end_date", "before"),
    ("adverse_events", {"term": "fever", "onset_date": "2018-03-09", "grade": "6",
                        "serious": "0", "related": "0", "action": "none"}, "grade", "5"),
    ("disposition", {"date": "2020-03-07", "status": "discontinued", "reason": ""}, "reason",
     "needs a reason"),
    ("medications", {"drug": "sirolimus", "start_date": "2018-03-07", "dose": "0.8",
                     "dose_unit": "", "frequency": "bid"}, "dose_unit", "dose unit"),
])
def test_out_of_range_and_malformed_input_is_refused_on_the_field(trial, login, table, values,
                                                                   field, message):
    from khetrial.edc.web.forms import record_form_class

    c = login("inv_a")
    r = c.post(f"/patients/A-01/{table}/add/", values)
    assert r.status_code == 200  # form shown again, nothing saved
    form = r.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert record_form_class  # the same form class serves the API


def test_ranges_come_from_the_bundle_format():
    from khetrial.edc.web.forms import record_form_class

    form = record_form_class("mri", ("date", "lesion_volume_ml"))()
    spec = TABLE_SPECS["mri"].column("lesion_volume_ml")
    field = form.fields["lesion_volume_ml"]
    assert (field.min_value, field.max_value) == (spec.low, spec.high)
    assert LAB_RANGES["platelets"].high == 2000  # bundle-format.md: platelets 0–2000


def test_valid_entry_is_saved_and_audited(trial, login):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import LabResult

    c = login("inv_a")
    r = c.post("/patients/A-01/labs/add/", {"date": "2018-03-25", "test": "platelets",
                                            "value": "150"})
    assert r.status_code == 302
    lab = LabResult.objects.get(patient__patient_id="A-01", date="2018-03-25")
    assert lab.value == 150
    assert AuditEntry.objects.filter(action="create", record_id=str(lab.pk), actor="inv_a",
                                     form="labs").exists()


def test_void_needs_a_reason_and_keeps_the_row(trial, login):
    from khetrial.edc.trial.models import MriScan

    c = login("assessor_a")
    mri = MriScan.objects.get(patient__patient_id="A-01")
    url = f"/patients/A-01/mri/{mri.pk}/void/"
    assert c.post(url, {"reason": "  "}).status_code == 200
    assert c.post(url, {"reason": "scan of another lesion"}).status_code == 302
    mri.refresh_from_db()
    assert mri.voided and mri.void_reason == "scan of another lesion"


def test_assessor_enters_mri_but_not_labs(trial, login):
    c = login("assessor_a")
    assert c.post("/patients/A-01/mri/add/", {"date": "2018-09-03",
                                              "lesion_volume_ml": "12.5"}).status_code == 302
    assert c.get("/patients/A-01/labs/add/").status_code == 404


def test_locked_database_refuses_entry_with_a_message(trial, login):
    from khetrial.edc.audit.trail import set_lock

    set_lock(True, actor="stat", reason="final analysis")
    c = login("inv_a")
    r = c.post("/patients/A-01/labs/add/", {"date": "2018-03-21", "test": "platelets",
                                            "value": "150"})
    assert r.status_code == 400 and b"locked" in r.content


def test_api_add_validates_like_the_form(trial, client, token_for):
    h = {"Authorization": f"Bearer {token_for('inv_a')}"}
    r = client.post("/api/patients/A-01/labs", {"date": "2018-03-22", "test": "platelets",
                                                "value": 3000}, content_type="application/json",
                    headers=h)
    assert r.status_code == 422 and "0–2000" in r.json()["detail"]
    r = client.post("/api/patients/A-01/labs", {"date": "2018-03-22", "test": "platelets",
                                                "value": 130}, content_type="application/json",
                    headers=h)
    assert r.status_code == 200 and r.json()["value"] == 130
    assert client.get("/api/patients/B-01/labs", headers=h).status_code == 404


def test_openapi_schema_is_served(trial, login):
    c = login("stat")
    schema = c.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/patients/{patient_id}/{table_name}" in (
        schema["paths"])


def test_baseline_correction_needs_a_reason_and_never_touches_the_arm(trial, login):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import Patient

    c = login("inv_a")
    form = {"sex": "F", "birth_date": "2017-12-01", "weight_kg": "6.2", "height_cm": "62",
            "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "1", "arm": "S"}
    assert c.post("/patients/A-01/edit/", form).status_code == 200  # no reason
    assert c.post("/patients/A-01/edit/", {**form, "reason": "scale recalibrated"}
                  ).status_code == 302
    p = Patient.objects.get(patient_id="A-01")
    assert (p.weight_kg, p.arm) == (6.2, "SP")
    entry = AuditEntry.objects.get(action="change", field="weight_kg", patient_id="A-01")
    assert (entry.old, entry.new, entry.reason) == ("6.0", "6.2", "scale recalibrated")


def test_api_docs_page_lists_the_routes(trial, login):
    c = login("inv_a")
    page = c.get("/api/docs").content.decode()
    assert "/api/patients/{patient_id}/{table_name}" in page and "PATCH" in page
