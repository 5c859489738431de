"""POST /api/screening and /api/screening/{id}/randomize: the screening and randomization forms
over the JSON API, with the pages' role, site, blinding and audit."""

from __future__ import annotations

import json

import pytest

SCREENING = {"screening_id": "SCR-A9", "date": "2018-05-02", "birth_date": "2018-02-01",
             "diagnosis_basis": ["clinical", "mri"], "platelets": 25, "fibrinogen": 0.8,
             "d_dimer": 6, "liver_function_adequate": True, "renal_function_adequate": True,
             "marrow_function_adequate": True}
CHILD = {"patient_id": "A-09", "sex": "M", "birth_date": "2018-02-01", "weight_kg": 4.5,
         "height_cm": 55, "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": False}


def _post(client, token, path, body):
    return client.post(path, json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_eligible_child_is_screened_then_randomized_with_audit(trial, client, token_for):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import Patient, Screening

    token = token_for("inv_a")
    r = _post(client, token, "/api/screening", SCREENING)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["eligible"] is True and body["recorded"] is True and body["failed"] == []
    row = Screening.objects.get(screening_id="SCR-A9")
    assert row.pk == body["id"] and row.site.code == "A"
    r = _post(client, token, f"/api/screening/{row.pk}/randomize", CHILD)
    assert r.status_code == 200, r.content
    patient = Patient.objects.get(patient_id="A-09")
    assert r.json()["arm"] == patient.arm and patient.arm in ("SP", "S")
    assert patient.site.code == "A" and patient.biopsy is False
    row.refresh_from_db()
    assert row.patient == patient
    assert AuditEntry.objects.filter(action="randomize", patient_id="A-09", actor="inv_a").exists()
    # a second randomization of the same screening is refused, no second allocation
    r = _post(client, token, f"/api/screening/{row.pk}/randomize", {**CHILD, "patient_id": "A-10"})
    assert r.status_code == 409
    assert not Patient.objects.filter(patient_id="A-10").exists()


def test_ineligible_child_is_not_recorded_unless_asked(trial, client, token_for):
    from khetrial.edc.trial.models import Patient, Screening

    token = token_for("inv_a")
    # Pub.: KMP = "platelet count <100 × 10⁹/L": 150 fails the inclusion criterion
    r = _post(client, token, "/api/screening", {**SCREENING, "platelets": 150})
    assert r.status_code == 200
    assert r.json()["eligible"] is False and r.json()["recorded"] is False
    assert "inclusion_kmp" in [f["code"] for f in r.json()["failed"]]
    assert not Screening.objects.filter(screening_id="SCR-A9").exists()
    r = _post(client, token, "/api/screening", {**SCREENING, "platelets": 150,
                                                "record_failure": True})
    assert r.json()["recorded"] is True
    row = Screening.objects.get(screening_id="SCR-A9")
    assert row.eligible is False and "inclusion_kmp" in row.reason
    r = _post(client, token, f"/api/screening/{row.pk}/randomize", CHILD)
    assert r.status_code == 409
    assert not Patient.objects.filter(patient_id="A-09").exists()


@pytest.mark.parametrize("username", ["assessor_a", "stat", "mon", "adm"])
def test_only_investigators_screen(trial, client, token_for, username):
    r = _post(client, token_for(username), "/api/screening", SCREENING)
    assert r.status_code == 403


def test_other_sites_screening_is_not_found(trial, client, token_for):
    from khetrial.edc.trial.models import Screening

    row = Screening.objects.get(screening_id="SCR-B1")  # site B's eligible screening
    r = _post(client, token_for("inv_a"), f"/api/screening/{row.pk}/randomize", CHILD)
    assert r.status_code == 404


def test_invalid_fields_are_named(trial, client, token_for):
    token = token_for("inv_a")
    r = _post(client, token, "/api/screening", {**SCREENING, "platelets": -3})
    assert r.status_code == 422 and "platelets" in r.json()["detail"]
    r = _post(client, token, "/api/screening", SCREENING)
    r = _post(client, token, "/api/screening", SCREENING)  # the same screening id again
    assert r.status_code == 409 and "SCR-A9" in r.json()["detail"]
