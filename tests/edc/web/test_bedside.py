"""At the bedside (issue 6): the patient page's advice panel and the site dashboard, in-process.

Every patient here is built relative to the server's date (the views read the clock), so the
visit windows and the 6-month prophylaxis period hold on any day the suite runs. Expected
messages are the protocol's rules worked by hand in each test (publication sentence or label
quoted there); the messages themselves come from :mod:`khetrial.protocol.alerts`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khetrial.edc.audit.trail import audit_context
from khetrial.edc.trial import models as m
from khetrial.edc.web.bedside import may_receive_advice
from khetrial.edc.web.blinding import Disclosure
from tests.edc.web.test_blinding import FORBIDDEN

WEIGHT_KG, HEIGHT_CM = 6.0, 62.0


def today() -> dt.date:
    return timezone.localdate()


def make_bedside_patient(pid: str = "A-09", site: str = "A", arm: str = "S", days_ago: int = 40, *,
                         sirolimus_mg: float | None = 0.3, tmp_smx: bool = True,
                         assessment_days: tuple[int, ...] = (0, 7)) -> object:
    """A patient randomized ``days_ago`` days ago, on sirolimus ``sirolimus_mg`` mg twice daily
    (and prophylaxis), with platelet counts of 30 ×10⁹/L on ``assessment_days``."""
    day0 = today() - dt.timedelta(days=days_ago)
    with audit_context(actor="fixture", form="fixture"):
        p = m.Patient.objects.create(
            patient_id=pid, site=m.Site.objects.get(code=site), sex="M",
            birth_date=day0 - dt.timedelta(days=120), randomization_date=day0, arm=arm,
            weight_kg=WEIGHT_KG, height_cm=HEIGHT_CM, lesion_depth="deep", lesion_site="trunk",
            biopsy=True, seq=100)
        for day in assessment_days:
            m.LabResult.objects.create(patient=p, date=day0 + dt.timedelta(days=day),
                                       test="platelets", value=30.0)
        if sirolimus_mg is not None:
            m.MedicationCourse.objects.create(patient=p, drug="sirolimus", start_date=day0,
                                              dose=sirolimus_mg, dose_unit="mg", frequency="bid")
        if tmp_smx:
            m.MedicationCourse.objects.create(patient=p, drug="tmp_smx", start_date=day0,
                                              dose=60.0, dose_unit="mg", frequency="tiw_bid")
    return p


def enter(client, pid: str, table: str, **values):
    response = client.post(f"/patients/{pid}/{table}/add/", values)
    assert response.status_code == 302, response.content.decode()[:3000]


def panel(client, pid: str = "A-09") -> str:
    response = client.get(f"/patients/{pid}/")
    assert response.status_code == 200
    return response.content.decode()


def dashboard(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


# --- transfusion ------------------------------------------------------------------------------

def test_platelets_8_raise_the_transfusion_alert_on_the_page_and_the_dashboard(trial, login):
    make_bedside_patient()
    c = login("inv_a")
    assert 'data-code="transfusion_plasma"' not in panel(c)  # latest count 30: no criterion
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="8")
    page = panel(c)
    # Pub.: plasma/cryoprecipitate when "(2) platelet count <10 × 10⁹/L"; 8 < 10
    assert 'data-code="transfusion_plasma"' in page
    assert "(2) platelet count 8 &lt;10 ×10⁹/L" in page
    board = dashboard(c)
    assert 'data-code="transfusion_plasma" data-patient="A-09"' in board


def test_platelets_exactly_10_raise_no_transfusion_alert(trial, login):
    make_bedside_patient()
    c = login("inv_a")
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="10")
    # Pub.: "platelet count <10": 10 is not below 10
    assert 'data-code="transfusion_plasma"' not in panel(c)


def test_hemoglobin_below_60_raises_the_red_cell_alert(trial, login):
    make_bedside_patient()
    c = login("inv_a")
    enter(c, "A-09", "labs", date=today().isoformat(), test="hemoglobin", value="55")
    # Pub.: packed red cells for "hemoglobin concentrations <60 g/L"; 55 < 60
    assert 'data-code="transfusion_red_cells"' in panel(c)


# --- sirolimus ----------------------------------------------------------------------------------

def test_trough_6_shows_the_new_dose_advice(trial, login):
    make_bedside_patient(sirolimus_mg=0.3)
    c = login("inv_a")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml="6")
    page = panel(c)
    # Rapamune label §2.1: new dose = 0.3 mg × 12.5/6 = 0.625 mg; the project's bound (×2 per
    # step) caps it at 0.3 × 2 = 0.6 mg = 0.60 mL of the 1 mg/mL solution; recheck after 7 days.
    assert 'id="sirolimus-advice"' in page
    assert "increase to 0.60 mg (0.60 mL) twice daily" in page
    assert "limited to a twofold step" in page
    assert f"Next trough: {(today() + dt.timedelta(days=7)).isoformat()}" in page
    assert 'data-code="trough_low"' in page  # 6 < 10 ng/mL (Pub.: "10 to 15 ng/mL")
    assert 'data-code="trough_low" data-patient="A-09"' in dashboard(c)


def test_trough_in_range_keeps_the_dose(trial, login):
    make_bedside_patient(sirolimus_mg=0.3)
    c = login("inv_a")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml="15")
    page = panel(c)
    # Pub.: "trough levels of 10 to 15 ng/mL": 15 is inside, the dose is kept
    assert "is within 10–15 ng/mL: keep the dose" in page
    assert 'data-code="trough_high"' not in page


# --- adverse events and prophylaxis -----------------------------------------------------------

@pytest.mark.parametrize("grade, alerted", [(2, False), (3, True)])
def test_grade_3_adverse_event_raises_an_alert(trial, login, grade, alerted):
    make_bedside_patient()
    c = login("inv_a")
    enter(c, "A-09", "adverse_events", term="pneumonia", onset_date=today().isoformat(),
          grade=str(grade), serious="1", related="1", action="interrupted")
    # SAP: safety counts "events and patients of grade ≥ 3"
    assert ('data-code="adverse_event_grade3"' in panel(c)) is alerted
    assert ('data-code="adverse_event_grade3" data-patient="A-09"' in dashboard(c)) is alerted


def test_missing_prophylaxis_in_the_first_6_months_raises_an_alert(trial, login):
    make_bedside_patient(tmp_smx=False, days_ago=40)
    make_bedside_patient("A-10", tmp_smx=True, days_ago=40)
    c = login("inv_a")
    # Pub.: PJP prophylaxis "was required for all patients at least during the first 6 months"
    assert 'data-code="pjp_prophylaxis_missing"' in panel(c, "A-09")
    assert 'data-code="pjp_prophylaxis_missing"' not in panel(c, "A-10")
    board = dashboard(c)
    assert 'data-code="pjp_prophylaxis_missing" data-patient="A-09"' in board
    assert 'data-code="pjp_prophylaxis_missing" data-patient="A-10"' not in board


def test_no_prophylaxis_alert_after_6_months(trial, login):
    make_bedside_patient(tmp_smx=False, days_ago=200)  # 200 days > 6 calendar months (≤ 184 days)
    assert 'data-code="pjp_prophylaxis_missing"' not in panel(login("inv_a"))


# --- visits -----------------------------------------------------------------------------------

def test_overdue_visit_is_listed_on_the_page_and_the_dashboard(trial, login):
    make_bedside_patient(days_ago=40, assessment_days=(0, 7))
    c = login("inv_a")
    page = panel(c)
    # Pub. visits at weeks 1, 2, 4, 8; week 2 = day 14 ± 3 (SAP week rule): its window closed on
    # day 17 < day 40 and nothing was recorded in it → overdue; week 1 (day 7) was done.
    assert "Week 2 visit is overdue" in page
    assert "Week 1 visit is overdue" not in page
    # week 8 = day 56 ± 7 → days 49…63: upcoming on day 40, listed as the next visit
    assert (today() + dt.timedelta(days=9)).isoformat() in page
    board = dashboard(c)
    assert 'data-code="visit_overdue" data-patient="A-09"' in board
    assert "Week 2 visit is overdue" in board


def test_dashboard_lists_most_severe_first_and_only_its_site(trial, login):
    make_bedside_patient(tmp_smx=False)  # critical: prophylaxis; warning: overdue visits
    make_bedside_patient("B-09", site="B")
    board = dashboard(login("inv_a"))
    severities = [s for s in ("critical", "warning", "info") if f"<td>{s}</td>" in board]
    positions = [board.index(f"<td>{s}</td>") for s in severities]
    assert severities[:2] == ["critical", "warning"]
    assert positions == sorted(positions)
    assert "B-09" not in board
    assert 'data-patient="B-09"' in dashboard(login("inv_b"))


# --- prednisolone taper (arm SP) -----------------------------------------------------------------

def test_taper_step_is_shown_for_a_tapering_patient(trial, login):
    p = make_bedside_patient(arm="SP", days_ago=40)
    t = today()
    m.MedicationCourse.objects.create(patient=p, drug="prednisolone", start_date=t - dt.timedelta(days=40),
                                      end_date=t - dt.timedelta(days=9), dose=2.0, dose_unit="mg_kg",
                                      frequency="qd")
    m.MedicationCourse.objects.create(patient=p, drug="prednisolone", start_date=t - dt.timedelta(days=8),
                                      dose=1.2, dose_unit="mg_kg", frequency="qd")
    c = login("inv_a")
    page = panel(c)
    # taper began 8 days ago → day 9 of the taper = week 2 of 4; prednisolone module: week 2 of
    # 4 at 3/5 of 2 mg/kg × 6 kg = 12 mg → 7.2 mg/day; 4 weeks from the start → stop on day 28
    assert "Taper week 2 of 4: 7.2 mg once daily" in page
    assert f"stop on {(t + dt.timedelta(days=20)).isoformat()}" in page


def test_taper_due_alert_when_platelets_held_100_for_a_week(trial, login):
    p = make_bedside_patient(arm="SP", days_ago=40)
    t = today()
    m.MedicationCourse.objects.create(patient=p, drug="prednisolone", start_date=t - dt.timedelta(days=40),
                                      dose=2.0, dose_unit="mg_kg", frequency="qd")
    for days_back in (8, 6, 4, 2, 0):  # Pub.: "platelet count ≥100 × 10⁹/L for at least 1 week"
        m.LabResult.objects.create(patient=p, date=t - dt.timedelta(days=days_back), test="platelets",
                                   value=100.0)
    page = panel(login("inv_a"))
    assert 'data-code="prednisolone_taper_due"' in page
    assert "Full dose; the taper has not started." in page


# --- who sees it ------------------------------------------------------------------------------------

def test_assessor_sees_neither_the_panel_nor_the_dashboard(trial, login):
    make_bedside_patient(sirolimus_mg=0.3, tmp_smx=False)
    c = login("inv_a")
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="8")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml="6")
    enter(c, "A-09", "adverse_events", term="pneumonia", onset_date=today().isoformat(),
          grade="3", serious="1", related="1", action="interrupted")
    assert 'id="bedside"' in panel(c)
    for username in ("assessor_a", "assessor_all"):
        c = login(username)
        page = panel(c)
        assert 'id="bedside"' not in page
        for text in ("transfusion", "At the bedside", "adverse_event_grade3", "0.60", "prophylaxis"):
            assert text not in page, (username, text)
        match = FORBIDDEN.search(page)
        assert match is None, (username, match.group(0) if match else "")
        assert c.get("/dashboard/").status_code == 403


@pytest.mark.parametrize("username", ["stat", "mon", "adm"])
def test_other_roles_get_no_panel_and_no_dashboard(trial, login, username):
    make_bedside_patient(tmp_smx=False)
    c = login(username)
    if username != "adm":
        assert 'id="bedside"' not in panel(c)
    assert c.get("/dashboard/").status_code == 403


def test_dashboard_link_only_in_the_investigators_navigation(trial, login):
    assert 'href="/dashboard/"' in login("inv_a").get("/").content.decode()
    assert 'href="/dashboard/"' not in login("assessor_a").get("/").content.decode()


def test_blinded_disclosure_never_receives_advice(trial):
    """Even called directly, the adapter's gate refuses a blinded role."""
    assert may_receive_advice(Disclosure("inv_a", "investigator", "A"))
    assert not may_receive_advice(Disclosure("assessor_a", "assessor", "A"))
    assert not may_receive_advice(Disclosure("stat", "statistician"))


# --- end of treatment and of follow-up ----------------------------------------------------------

def test_disposition_stops_the_study_drugs(trial, login):
    p = make_bedside_patient(sirolimus_mg=0.3)
    m.DrugLevel.objects.create(patient=p, date=today() - dt.timedelta(days=2), sirolimus_trough_ng_ml=6.0)
    c = login("inv_a")
    assert 'data-code="trough_low"' in panel(c)
    enter(c, "A-09", "disposition", date=today().isoformat(), status="discontinued",
          reason="parent_request")
    page = panel(c)
    # bundle format: disposition = "study treatment stopped for good" → no sirolimus advice
    assert 'data-code="trough_low"' not in page
    assert "No sirolimus course is recorded as running today." in page


def test_dashboard_reads_the_rows_in_a_fixed_number_of_queries(trial, login):
    """One query per table for the whole site (the adapter's read_records), not per patient."""
    c = login("inv_a")
    make_bedside_patient("A-09")
    with CaptureQueriesContext(connection) as one:
        dashboard(c)
    for n in range(10, 14):
        make_bedside_patient(f"A-{n}")
    with CaptureQueriesContext(connection) as five:
        board = dashboard(c)
    assert all(f'data-patient="A-{n}"' in board for n in range(10, 14))
    assert len(five) == len(one)


def test_no_advice_once_follow_up_is_over(trial, login):
    # year-2 visit window = days 670…790 (SAP month-24 window): day 791 is after follow-up
    make_bedside_patient(days_ago=791, tmp_smx=False)
    make_bedside_patient("A-10", days_ago=790, tmp_smx=False)
    c = login("inv_a")
    page = panel(c)
    assert "Follow-up ended on" in page and 'data-code="' not in page
    assert 'data-code="visit_overdue"' in panel(c, "A-10")  # day 790: still in follow-up
    board = dashboard(c)
    assert 'data-patient="A-09"' not in board and 'data-patient="A-10"' in board
