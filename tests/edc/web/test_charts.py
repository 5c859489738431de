"""The patient page's charts read as a clinician expects with no, one or many points (issue 15:
"empty or one-point charts get nonsense axes (−1 to 6, "23:59:59.999")")."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from khetrial.edc.audit.trail import audit_context
from khetrial.edc.trial.models import LabResult, Patient
from khetrial.edc.web.views.patients import chart_axes

TODAY = dt.date(2018, 3, 20)


def test_one_date_gets_the_week_around_it_and_dates_without_a_time():
    axes = chart_axes(["2018-03-07"], [40.0], 100.0, TODAY)
    # 2018-03-07 ± 3 days (CHART_HALF_SPAN_DAYS)
    assert axes["xaxis"]["range"] == ["2018-03-04", "2018-03-10"]
    assert axes["xaxis"]["tickformat"] == "%Y-%m-%d" and axes["xaxis"]["type"] == "date"
    # from 0 to 15 % above the threshold 100 (higher than the only value, 40)
    assert axes["yaxis"]["range"] == [0, pytest.approx(115.0)]


def test_no_date_centres_on_today_and_two_dates_leave_the_range_to_the_data():
    assert chart_axes([], [], 1.0, TODAY)["xaxis"]["range"] == ["2018-03-17", "2018-03-23"]
    two = chart_axes([dt.date(2018, 3, 7), dt.date(2018, 3, 9)], [40.0, 250.0], 100.0, TODAY)
    assert "range" not in two["xaxis"]
    assert two["yaxis"]["range"] == [0, pytest.approx(287.5)]  # 250 × 1.15


def chart(page, test):
    data = json.loads(page.context["charts"])
    return next(f for f in data if f["id"] == f"chart-{test}")


def test_the_patient_page_charts_a_single_count_and_says_when_there_is_none(trial, login, settings):
    settings.KHETRIAL_TODAY = TODAY
    a01 = Patient.objects.get(patient_id="A-01")
    with audit_context(actor="fixture", form="fixture"):
        patient = Patient.objects.create(
            patient_id="A-03", site=a01.site, sex="F", birth_date=dt.date(2017, 12, 1),
            randomization_date=dt.date(2018, 3, 7), arm="S", weight_kg=6.0, height_cm=62.0,
            lesion_depth="deep", lesion_site="trunk", biopsy=True)
        LabResult.objects.create(patient=patient, date=dt.date(2018, 3, 7), test="platelets", value=40.0)
    page = login("inv_a").get("/patients/A-03/")
    assert page.status_code == 200
    platelets, fibrinogen = chart(page, "platelets"), chart(page, "fibrinogen")
    assert platelets["layout"]["xaxis"]["range"] == ["2018-03-04", "2018-03-10"]
    assert platelets["layout"]["yaxis"]["range"][0] == 0
    assert not any("No values" in a["text"] for a in platelets["layout"]["annotations"])
    assert fibrinogen["data"][0]["x"] == []
    assert any(a["text"] == "No values recorded yet" for a in fibrinogen["layout"]["annotations"])
