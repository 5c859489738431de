"""The pages of the load benchmark take a number of queries that grows neither with the trial's
patients nor with one patient's records (issue 13): patient list, patient page, entry form."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.edc.trial.models import LabResult, Patient, Site

# session, user with its profile, second-factor device (django-otp), a blinded user's
# emergency-unblinded patients, then the page's own
LIST_QUERIES = 4 + 2  # the count and one page of patients with their sites
ENTRY_QUERIES = 4 + 1  # the patient
# the patient, one query per clinical table, the open queries, the bedside panel's tables
PAGE_QUERIES = 4 + 1 + 11 + 1 + 9


def _add_patients(count: int, site: str = "A") -> None:
    centre = Site.objects.get(code=site)
    Patient.objects.bulk_create(
        Patient(patient_id=f"{site}-X{i:03d}", site=centre, sex="M", birth_date=dt.date(2017, 12, 1),
                randomization_date=dt.date(2018, 3, 7), arm="S", weight_kg=6.0, height_cm=62.0,
                lesion_depth="deep", lesion_site="trunk", biopsy=True, extra={})
        for i in range(count))


def _add_labs(patient_id: str, count: int) -> None:
    patient = Patient.objects.get(patient_id=patient_id)
    LabResult.objects.bulk_create(
        LabResult(patient=patient, date=dt.date(2018, 3, 8) + dt.timedelta(days=i % 300),
                  test=("platelets", "fibrinogen")[i % 2], value=50.0 + i, seq=100 + i)
        for i in range(count))


@pytest.mark.parametrize("extra_patients, extra_labs", [(0, 0), (300, 200)])
@pytest.mark.parametrize("user", ["inv_a", "mon", "assessor_all"])
def test_pages_take_a_bounded_number_of_queries(trial, login, user, extra_patients, extra_labs,
                                                django_assert_max_num_queries):
    _add_patients(extra_patients)
    _add_labs("A-01", extra_labs)
    client = login(user)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get("/patients/", {"page": 2 if extra_patients else 1}).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get("/patients/A-01/")
    assert page.status_code == 200
    if user != "assessor_all":  # the blinded assessor sees no labs
        assert page.content.decode().count('data-record="') >= 4 + extra_labs


def test_the_entry_form_takes_a_bounded_number_of_queries(trial, login,
                                                          django_assert_max_num_queries):
    _add_patients(300)
    client = login("inv_a")
    with django_assert_max_num_queries(ENTRY_QUERIES):
        response = client.get("/patients/A-01/labs/add/")
    assert response.status_code == 200 and b"<form" in response.content
