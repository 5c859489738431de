"""The patient list (views/patients.py): pages, search, and a query count that does not grow
with the number of patients."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.edc.trial.models import Patient, Site
from khetrial.edc.web.views.patients import PATIENTS_PER_PAGE

# session, user, second-factor device (django-otp), role, site scope, page count, one page
# with its sites (4 or 304 patients)
MAX_QUERIES = 11


def _add_patients(count: int, site: str = "A") -> None:
    centre = Site.objects.get(code=site)
    Patient.objects.bulk_create(
        Patient(patient_id=f"{site}-X{i:03d}", site=centre, sex="M", birth_date=dt.date(2017, 12, 1),
                randomization_date=dt.date(2018, 3, 7), arm="S", weight_kg=6.0, height_cm=62.0,
                lesion_depth="deep", lesion_site="trunk", biopsy=True, extra={})
        for i in range(count))


def test_the_list_shows_one_page_and_links_to_the_next(trial, login):
    _add_patients(118)  # + A-01, A-02 of the fixture: 120 at site A, 3 pages of 50
    client = login("inv_a")
    first = client.get("/patients/").content.decode()
    assert first.count('href="/patients/A-') == PATIENTS_PER_PAGE
    assert "120 patients; page 1 of 3." in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/patients/?page=3").content.decode()
    assert last.count('href="/patients/A-') == 20 and 'rel="next"' not in last
    assert "B-01" not in first + last  # the investigator's site only


def test_search_finds_patients_by_part_of_their_id_in_any_case(trial, login):
    _add_patients(60)
    page = login("inv_a").get("/patients/", {"q": "a-0"}).content.decode()
    assert 'href="/patients/A-01/"' in page and 'href="/patients/A-02/"' in page
    assert "A-X000" not in page and "2 patients matching “a-0”" in page
    assert "No patients matching" in login("inv_a").get("/patients/", {"q": "B-01"}).content.decode()


@pytest.mark.parametrize("extra_patients", [0, 300])
def test_the_list_takes_a_bounded_number_of_queries(trial, login, extra_patients,
                                                    django_assert_max_num_queries):
    _add_patients(extra_patients)
    client = login("assessor_all")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/patients/", {"page": 2 if extra_patients else 1})
    assert response.status_code == 200
