"""One case, three ways in: a page's form, the API and a bundle import refuse the same values
with the same message on the same field (issue 10 item 4, issue 16 items 4 and 6).

Patient A-01 of the web fixture: born 2017-12-01, randomized 2018-03-07 (day 0); "today" is
fixed at 2018-04-01 (``KHETRIAL_TODAY``). The import gets a patient A-09 with the same dates.
Study days by hand: 2018-02-21 is day −14, 2018-02-05 day −30.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from khetrial.bundle.format import TABLE_SPECS
from khetrial.bundle.validate import validate_bundle
from khetrial.edc.trial.models import LabResult, Patient
from khetrial.errors import BundleError
from tests.edc.web.conftest import randomize_confirmed

TODAY = dt.date(2018, 4, 1)

CASES = [  # (table, row as typed, refused field or None)
    ("labs", {"date": "2018-04-01", "test": "platelets", "value": "8"}, None),
    ("labs", {"date": "2018-04-02", "test": "platelets", "value": "8"}, "date"),  # future count
    ("labs", {"date": "2999-01-01", "test": "platelets", "value": "8"}, "date"),
    ("labs", {"date": "2018-02-21", "test": "platelets", "value": "8"}, None),  # day −14
    ("labs", {"date": "2018-02-20", "test": "platelets", "value": "8"}, "date"),  # day −15
    ("mri", {"date": "2018-02-05", "lesion_volume_ml": "12"}, None),  # day −30
    ("mri", {"date": "2018-02-04", "lesion_volume_ml": "12"}, "date"),  # day −31
    ("mri", {"date": "2018-03-07", "lesion_volume_ml": "0"}, "lesion_volume_ml"),
    ("drug_levels", {"date": "2018-03-06", "sirolimus_trough_ng_ml": "5"}, "date"),
    ("medications", {"drug": "prednisolone", "start_date": "2017-11-30", "dose": "2",
                     "dose_unit": "mg_kg", "frequency": "qd"}, "start_date"),  # before birth
    ("medications", {"drug": "prednisolone", "start_date": "2017-12-01", "dose": "100",
                     "dose_unit": "mg_kg", "frequency": "qd"}, None),
    ("medications", {"drug": "prednisolone", "start_date": "2017-12-01", "dose": "100.5",
                     "dose_unit": "mg_kg", "frequency": "qd"}, "dose"),
]
IDS = [f"{t}-{'-'.join(str(v) for v in r.values())}" for t, r, _ in CASES]


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.KHETRIAL_TODAY = TODAY


def _form_errors(client, table, row) -> dict[str, list[str]] | None:
    r = client.post(f"/patients/A-01/{table}/add/", row)
    if r.status_code == 302:
        return None
    assert r.status_code == 200
    return {k: list(v) for k, v in r.context["form"].errors.items()}


def _api_error(client, token, table, row) -> str | None:
    r = client.post(f"/api/patients/A-01/{table}", row, content_type="application/json",
                    headers={"Authorization": f"Bearer {token}"})
    if r.status_code == 200:
        return None
    assert r.status_code == 422, r.content
    return r.json()["detail"]


def _bundle(tmp_path, table: str, row: dict, patient: dict | None = None):
    folder = tmp_path / "bundle"
    folder.mkdir()
    pd.DataFrame([{"patient_id": "A-09", "site_id": "A", "sex": "F",
                   "birth_date": "2017-12-01", "randomization_date": "2018-03-07",
                   "arm": "SP", "weight_kg": 6.0, "height_cm": 62.0, "lesion_depth": "deep",
                   "lesion_site": "trunk", "kmp_onset_date": None, "biopsy": 1,
                   **(patient or {})}]).to_csv(folder / "patients.csv", index=False)
    for name in ("labs", "medications"):
        pd.DataFrame(columns=TABLE_SPECS[name].column_names).to_csv(folder / f"{name}.csv",
                                                                  index=False)
    if row:
        pd.DataFrame([{"patient_id": "A-09", **row}]).to_csv(folder / f"{table}.csv", index=False)
    return folder


def _import_problems(tmp_path, table, row, patient=None) -> list:
    try:
        validate_bundle(_bundle(tmp_path, table, row, patient), today=TODAY)
    except BundleError as error:
        return list(error.problems)
    return []


@pytest.mark.parametrize("table, row, refused", CASES, ids=IDS)
def test_form_api_and_import_refuse_the_same_values(trial, login, client, token_for, tmp_path,
                                                    table, row, refused):
    form = _form_errors(login("inv_a"), table, row)
    api = _api_error(client, token_for("inv_a"), table, row)
    problems = _import_problems(tmp_path, table, row)
    if refused is None:
        assert (form, api, problems) == (None, None, [])
        return
    [problem] = problems
    assert problem.column == refused
    assert form[refused] == [problem.message]
    assert api == f"{refused}: {problem.message}"


def test_a_future_count_does_not_reach_the_database(trial, login):
    before = LabResult.objects.count()
    _form_errors(login("inv_a"), "labs", {"date": "2018-04-02", "test": "platelets", "value": "8"})
    assert LabResult.objects.count() == before


def test_a_correction_into_the_future_is_refused_by_form_and_api(trial, login, client, token_for):
    lab = LabResult.objects.filter(patient__patient_id="A-01", test="platelets").first()
    r = login("inv_a").post(f"/patients/A-01/labs/{lab.pk}/edit/",
                            {"date": "2018-04-02", "test": "platelets", "value": "8",
                             "reason": "typo"})
    assert r.status_code == 200 and "after today" in r.context["form"].errors["date"][0]
    r = client.patch(f"/api/patients/A-01/labs/{lab.pk}", {"date": "2018-04-02", "reason": "x"},
                     content_type="application/json",
                     headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    assert r.status_code == 422 and "after today" in r.json()["detail"]


@pytest.mark.parametrize("patient_id, ok", [
    ("A-10", True), ("A" * 40, True), ("A" * 41, False), ("A" * 50, False), ("SP", False),
    ("s", False), ("a/b", False),
])
def test_randomization_and_import_refuse_the_same_patient_ids(trial, login, tmp_path,
                                                              patient_id, ok):
    from khetrial.edc.trial.models import Screening

    screening = Screening.objects.get(screening_id="SCR-A1")
    r = randomize_confirmed(login("inv_a"), f"/screening/{screening.pk}/randomize/", {
        "patient_id": patient_id, "sex": "F", "birth_date": "2017-12-01", "weight_kg": "6",
        "height_cm": "62", "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "1"})
    problems = _import_problems(tmp_path, "labs", {}, {"patient_id": patient_id})
    if ok:
        assert r.status_code == 302 and Patient.objects.filter(patient_id=patient_id).exists()
        assert problems == []
        return
    assert r.status_code == 200 and not Patient.objects.filter(patient_id=patient_id).exists()
    [problem] = problems
    assert problem.column == "patient_id"
    assert "1–40 characters" in r.context["form"].errors["patient_id"][0]
    assert "1–40 characters" in problem.message


@pytest.mark.parametrize("birth, kmp, field", [
    ("2018-04-02", "", "birth_date"),  # born tomorrow
    ("2017-12-01", "2017-11-30", "kmp_onset_date"),  # KMP before birth
])
def test_randomization_refuses_impossible_baseline_dates(trial, login, birth, kmp, field):
    from khetrial.edc.trial.models import Screening

    screening = Screening.objects.get(screening_id="SCR-A1")
    r = login("inv_a").post(f"/screening/{screening.pk}/randomize/", {
        "patient_id": "A-11", "sex": "F", "birth_date": birth, "kmp_onset_date": kmp,
        "weight_kg": "6", "height_cm": "62", "lesion_depth": "deep", "lesion_site": "trunk",
        "biopsy": "1"})
    assert r.status_code == 200 and field in r.context["form"].errors


@pytest.mark.parametrize("path", ["/patients/a%2Fb/", "/patients/" + "A" * 41 + "/",
                                  "/api/patients/a%2Fb"])
def test_an_impossible_patient_id_in_an_address_is_not_found(trial, login, path):
    assert login("inv_a").get(path).status_code == 404


@pytest.mark.parametrize("day, ok", [("2018-02-05", True), ("2018-02-04", False),  # −30, −31
                                     ("2018-04-02", False)])  # tomorrow
def test_the_pedsql_questionnaire_date_is_checked_like_a_qol_row(trial, login, day, ok):
    from khetrial.edc.trial.models import QolResponse
    from khetrial.protocol.pedsql import FORMS

    instrument = next(iter(FORMS))
    r = login("inv_a").post("/patients/A-01/qol/questionnaire/",
                            {"instrument": instrument, "date": day})
    stored = QolResponse.objects.filter(date=day).exists()
    assert (r.status_code == 302, stored) == (ok, ok)
    if not ok:
        assert r.context["form"].errors["date"][0].startswith(f"date: got {day}")


@pytest.mark.parametrize("date", [5, "abc", "0001-01-01", "9999-12-31", None])
def test_an_impossible_api_date_is_a_422_not_a_500(trial, client, token_for, date):
    r = client.post("/api/patients/A-01/labs", {"date": date, "test": "platelets", "value": 8},
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    assert r.status_code == 422 and r.json()["detail"].startswith("date:")
