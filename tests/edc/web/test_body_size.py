"""Body-size measurements in the web application (issue 10: "BSA and mg/kg from the latest
weight and height, with their date shown"): entered on the generic record form or the API,
voided like any record, read by the bedside advice, hidden from the blinded assessor (as labs
are: a steroid's weight gain could hint at the arm).

The patient of :func:`make_bedside_patient` weighs 6 kg and measures 62 cm at randomization;
expected BSAs are Mosteller's formula worked by hand in each test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khetrial.edc.audit.trail import audit_context
from khetrial.edc.trial import models as m
from khetrial.edc.trial.records import Author, void
from tests.edc.web.test_bedside import dashboard, enter, make_bedside_patient, panel, today


def measure(patient, days_ago: int, weight_kg: float = 7.2, height_cm: float = 66.0):
    with audit_context(actor="fixture", form="fixture"):
        return m.BodySizeMeasurement.objects.create(
            patient=patient, date=today() - dt.timedelta(days=days_ago), weight_kg=weight_kg,
            height_cm=height_cm)


def test_a_measurement_entered_on_the_form_is_what_the_doses_use(trial, login):
    make_bedside_patient(days_ago=40)  # baseline 40 days old: stale
    c = login("inv_a")
    assert 'data-check="body_size_stale"' in panel(c)
    measured = (today() - dt.timedelta(days=5)).isoformat()
    enter(c, "A-09", "body_size", date=measured, weight_kg="7.2", height_cm="66")
    page = panel(c)
    # Mosteller: sqrt(66 cm × 7.2 kg / 3600) = sqrt(0.132) = 0.363318… → 0.3633 m²
    assert (f"Weight 7.2 kg, measured on {measured}; height 66 cm, measured on {measured}; "
            "body-surface area 0.3633 m² (Mosteller)") in page
    assert "measured 5 days ago" in page
    assert 'data-check="body_size_stale"' not in page
    row = m.BodySizeMeasurement.objects.get()
    assert (row.weight_kg, row.height_cm, row.voided) == (7.2, 66.0, False)


@pytest.mark.parametrize("days_ago, stale", [
    # constants.BODY_SIZE_MAX_AGE_DAYS = 30 (project choice): 30 days old is current, 31 stale
    (30, False),
    (31, True),
])
def test_stale_only_when_the_latest_measurement_is_older_than_30_days(trial, login, days_ago, stale):
    p = make_bedside_patient(days_ago=60)
    measure(p, days_ago)
    page = panel(login("inv_a"))
    assert f"measured {days_ago} days ago" in page
    assert ('data-check="body_size_stale"' in page) is stale


def test_a_voided_measurement_is_not_used(trial, login):
    p = make_bedside_patient(days_ago=40)
    row = measure(p, 2)
    c = login("inv_a")
    assert 'data-check="body_size_stale"' not in panel(c)
    void(row, reason="weighed with clothes", author=Author("inv_a", "investigator", "body_size"))
    page = panel(c)
    # back to the baseline of day 0: 40 days old > 30
    assert "measured 40 days ago" in page and 'data-check="body_size_stale"' in page


def test_a_future_measurement_is_refused_and_does_not_count(trial, login):
    make_bedside_patient(days_ago=40)
    c = login("inv_a")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = c.post("/patients/A-09/body_size/add/", {"date": tomorrow, "weight_kg": "7.2", "height_cm": "66"})
    assert r.status_code == 200 and "date" in r.context["form"].errors
    assert "after today" in r.context["form"].errors["date"][0]
    assert not m.BodySizeMeasurement.objects.exists()


@pytest.mark.parametrize("field, value, bound", [
    # bundle-format.md: the baseline columns' ranges, weight 0.5–80 kg, height 30–180 cm (the
    # form's range message is Django's, naming the bound crossed; the import's: tests/bundle)
    ("weight_kg", "80.5", "less than or equal to 80"),
    ("height_cm", "29", "greater than or equal to 30"),
])
def test_form_and_api_refuse_a_value_outside_its_range(trial, login, client, token_for, field, value,
                                                       bound):
    row = {"date": "2018-03-20", "weight_kg": "7.2", "height_cm": "66", field: value}
    r = login("inv_a").post("/patients/A-01/body_size/add/", row)
    assert r.status_code == 200 and bound in r.context["form"].errors[field][0]
    api = client.post("/api/patients/A-01/body_size", row, content_type="application/json",
                      headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    assert api.status_code == 422 and api.json()["detail"].startswith(f"{field}: ")
    assert bound in api.json()["detail"]
    assert not m.BodySizeMeasurement.objects.exists()


def test_the_api_adds_and_lists_a_measurement(trial, client, token_for):
    headers = {"Authorization": f"Bearer {token_for('inv_a')}"}
    r = client.post("/api/patients/A-01/body_size", {"date": "2018-03-20", "weight_kg": 6.4, "height_cm": 63.5},
                    content_type="application/json", headers=headers)
    assert r.status_code == 200, r.content
    listed = client.get("/api/patients/A-01/body_size", headers=headers)
    assert listed.status_code == 200 and "63.5" in listed.content.decode()


@pytest.mark.parametrize("user", ["assessor_a", "assessor_all"])
def test_the_blinded_assessor_neither_sees_nor_enters_body_size(trial, login, client, token_for, user):
    p = m.Patient.objects.get(patient_id="A-01")
    with audit_context(actor="fixture", form="fixture"):
        m.BodySizeMeasurement.objects.create(patient=p, date=dt.date(2018, 3, 20), weight_kg=6.4, height_cm=63.5)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    assert client.get("/api/patients/A-01/body_size", headers=headers).status_code == 404
    assert login(user).get("/patients/A-01/body_size/add/").status_code == 404


def test_the_dashboard_reads_body_sizes_in_a_fixed_number_of_queries(trial, login):
    c = login("inv_a")
    measure(make_bedside_patient("A-09"), 3)
    with CaptureQueriesContext(connection) as one:
        dashboard(c)
    for n in range(10, 14):
        measure(make_bedside_patient(f"A-{n}"), 3)
    with CaptureQueriesContext(connection) as five:
        dashboard(c)
    assert len(five) == len(one)


def test_the_patient_page_offers_the_body_size_form_to_the_investigator(trial, login):
    page = panel(login("inv_a"), "A-01")
    assert 'href="/patients/A-01/body_size/add/"' in page
