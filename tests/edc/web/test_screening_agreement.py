"""Randomization agrees with the screening (issue 10: "A birth date at randomization that
contradicts screening is accepted; a sirolimus course before randomization is accepted although
screening recorded no earlier mTOR inhibitor").

"Today" is fixed at 2018-05-02, the screening date; the child screened was born 2018-02-01.
"""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.edc.trial.models import MedicationCourse, Patient, Screening
from tests.edc.web.conftest import randomize_confirmed

TODAY = dt.date(2018, 5, 2)
SCREEN = {"screening_id": "SCR-A9", "date": "2018-05-02", "birth_date": "2018-02-01",
          "sex": "M", "diagnosis_basis": ["clinical", "mri"], "platelets": "25",
          "fibrinogen": "0.8", "d_dimer": "6", "liver_function_adequate": "on",
          "renal_function_adequate": "on", "marrow_function_adequate": "on"}
BASELINE = {"patient_id": "A-09", "sex": "M", "birth_date": "2018-02-01", "weight_kg": "4.5",
            "height_cm": "55", "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "0"}


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.KHETRIAL_TODAY = TODAY


@pytest.fixture
def screened(trial, login):
    c = login("inv_a")
    r = c.post("/screening/new/", SCREEN)
    assert r.status_code == 302
    return c, r["Location"]


def test_the_randomization_form_is_prefilled_from_the_screening(screened):
    c, url = screened
    form = c.get(url).context["form"]
    assert (form.initial["birth_date"], form.initial["sex"]) == (dt.date(2018, 2, 1), "M")


@pytest.mark.parametrize("change, field", [
    ({"birth_date": "2018-01-31"}, "birth_date"),  # one day off the screening's
    ({"sex": "F"}, "sex"),
])
def test_a_contradiction_with_the_screening_is_refused(screened, change, field):
    c, url = screened
    r = c.post(url, {**BASELINE, **change})
    assert r.status_code == 200 and not Patient.objects.filter(patient_id="A-09").exists()
    assert "the screening recorded" in r.context["form"].errors[field][0]


def test_agreeing_data_is_randomized(screened):
    c, url = screened
    assert randomize_confirmed(c, url, BASELINE).status_code == 302
    assert Screening.objects.get(screening_id="SCR-A9").patient.patient_id == "A-09"


@pytest.mark.parametrize("start, ok", [("2018-05-01", False), ("2018-05-02", True)])
def test_sirolimus_before_randomization_is_refused_without_an_earlier_mtor_inhibitor(
        screened, client, token_for, start, ok):
    c, url = screened
    assert randomize_confirmed(c, url, BASELINE).status_code == 302  # randomized on 2018-05-02 (day 0)
    course = {"drug": "sirolimus", "start_date": start, "dose": "0.8", "dose_unit": "mg_m2",
              "frequency": "bid"}
    r = c.post("/patients/A-09/medications/add/", course)
    api = client.post("/api/patients/A-09/medications", course, content_type="application/json",
                      headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    if ok:
        assert (r.status_code, api.status_code) == (302, 200)
        return
    assert r.status_code == 200 and api.status_code == 422
    message = r.context["form"].errors["start_date"][0]
    assert "screening, which recorded no earlier mTOR inhibitor" in message
    assert message in api.json()["detail"]
    assert not MedicationCourse.objects.filter(patient__patient_id="A-09").exists()


def test_a_prior_prednisolone_course_is_history_and_accepted(screened):
    c, url = screened
    randomize_confirmed(c, url, BASELINE)
    r = c.post("/patients/A-09/medications/add/", {"drug": "prednisolone",
                                                   "start_date": "2018-03-01", "dose": "2",
                                                   "dose_unit": "mg_kg", "frequency": "qd"})
    assert r.status_code == 302
