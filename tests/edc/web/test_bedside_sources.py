"""At the bedside, issue 10: every advice line names the source of its rule, the body size the
doses use is shown with its date, the rules' "check with a clinician" notes, and the starting
doses right after randomization (prednisolone only for the combination arm, nothing of it for
the blinded assessor).

Expected doses are worked by hand in each test from the publication's sentence or the label
quoted there; the body-size threshold is ``constants.BODY_SIZE_MAX_AGE_DAYS`` (project choice,
30 days: 30 days old is current, 31 is stale).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from khetrial.edc.audit.trail import audit_context
from khetrial.edc.trial import models as m
from tests.edc.web.test_bedside import dashboard, enter, make_bedside_patient, panel, today

# an element of the panel that gives advice, and what it contains (no nested <p>/<li> in them)
ADVICE_LINE = re.compile(r'<(p|li) [^>]*class="[^"]*advice-line[^"]*"[^>]*>(.*?)</\1>', re.S)
SOURCE = re.compile(r'<span class="source" data-source="([a-z-]+)">([^<]+)</span>')


def advice_lines(page: str) -> dict[str, list[str]]:
    """Each advice line's id (or data-code / data-check) -> the source labels it shows."""
    lines = {}
    for match in ADVICE_LINE.finditer(page):
        tag = match.group(0)[:match.group(0).index(">")]
        key = re.search(r'(?:id|data-code|data-check)="([^"]+)"', tag)
        assert key, tag
        lines[key.group(1)] = [label for _code, label in SOURCE.findall(match.group(2))]
    return lines


def make_prednisolone_course(patient, days_ago: int = 40, weight_dose: float = 2.0) -> None:
    with audit_context(actor="fixture", form="fixture"):
        m.MedicationCourse.objects.create(patient=patient, drug="prednisolone",
                                          start_date=today() - dt.timedelta(days=days_ago),
                                          dose=weight_dose, dose_unit="mg_kg", frequency="qd")


# --- every advice line carries its source --------------------------------------------------------

def test_every_advice_line_of_a_busy_page_shows_its_sources(trial, login):
    p = make_bedside_patient(arm="SP", sirolimus_mg=0.3)
    make_prednisolone_course(p)
    c = login("inv_a")
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="8")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml="6")
    lines = advice_lines(panel(c))
    expected = {"body-size", "transfusion_plasma", "trough_low", "sirolimus-advice", "prednisolone-dose",
                "taper-step", "tmp-smx-dose", "tmp-smx-reading", "next-count", "visit-rule", "body_size_stale"}
    assert expected <= set(lines), expected - set(lines)
    assert all(lines.values()), {k: v for k, v in lines.items() if not v}
    # Pub.: plasma when "(2) platelet count <10 × 10⁹/L": the publication's rule alone
    assert lines["transfusion_plasma"] == ["publication"]
    # trough 6: Pub.'s "10 to 15 ng/mL", the label's proportion 12.5/6, the project's ×2 bound
    assert lines["sirolimus-advice"] == ["publication", "drug label", "project choice"]
    assert lines["trough_low"] == ["publication", "drug label", "project choice"]
    # Pub. "2 mg/kg orally once daily"; the 60 mg/day cap is the project's
    assert lines["prednisolone-dose"] == ["publication", "project choice"]
    # "Full dose; the taper has not started": the trigger is the publication's (≥ 100 for 1 week)
    assert lines["taper-step"] == ["publication"]
    # Pub. "10 mg/kg twice daily, 3 times per week"; its reading as the combined product is the
    # project's; the 1:5 ratio and the caps per dose are the label's
    assert lines["tmp-smx-dose"] == ["publication", "project choice", "drug label"]
    assert lines["tmp-smx-reading"] == ["project choice", "drug label"]
    # Pub. "blood counts every 2 days until the stabilization"; stabilization read as the plan's run
    assert lines["next-count"] == ["publication", "project choice"]
    assert lines["body-size"] == ["project choice"]


def test_the_taper_step_is_labelled_as_the_projects_choice(trial, login):
    p = make_bedside_patient(arm="SP", days_ago=40)
    make_prednisolone_course(p, days_ago=40)
    with audit_context(actor="fixture", form="fixture"):
        m.MedicationCourse.objects.filter(patient=p, drug="prednisolone").update(
            end_date=today() - dt.timedelta(days=9))
    make_prednisolone_course(p, days_ago=8, weight_dose=1.2)
    lines = advice_lines(panel(login("inv_a")))
    # prednisolone module: the weekly 80/60/40/20 % steps are a project choice
    assert lines["taper-step"] == ["project choice"]


def test_the_dashboard_shows_the_sources_and_the_next_count_due(trial, login):
    make_bedside_patient(assessment_days=(0, 38))  # platelets 30 on days 0 and 38
    c = login("inv_a")
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="8")
    board = dashboard(c)
    row = re.search(r'<tr class="alert error" data-code="transfusion_plasma" data-patient="A-09">(.*?)</tr>',
                    board, re.S)
    assert row and SOURCE.findall(row.group(1)) == [("publication", "publication")]
    # Pub.: "blood counts every 2 days until the stabilization": last count today → today + 2
    due = re.search(r'data-count-patient="A-09">.*?<td>(\d{4}-\d\d-\d\d)</td><td>(\w[\w ]*)</td>', board, re.S)
    assert due and due.groups() == ((today() + dt.timedelta(days=2)).isoformat(), "upcoming")
    # randomized 40 days ago: the body size is stale (> 30 days), listed with its source
    check = re.search(r'<li data-check-patient="A-09">(.*?)</li>', board, re.S)
    assert check and "measured 40 days ago" in check.group(1)
    assert SOURCE.findall(check.group(1)) == [("project-choice", "project choice")]


def test_an_overdue_count_is_shown_as_overdue(trial, login):
    make_bedside_patient(assessment_days=(0, 7))  # last count on day 7 of 40: next was day 9
    c = login("inv_a")
    page = panel(c)
    day9 = (today() - dt.timedelta(days=31)).isoformat()
    assert re.search(rf'id="next-count" class="advice-line warning">.*?<strong>{day9}</strong> \(overdue\)',
                     page, re.S)
    assert re.search(rf'data-count-patient="A-09">.*?<td>{day9}</td><td>overdue</td>', dashboard(c), re.S)


def test_an_undetectable_trough_gets_advice_labelled_as_the_projects_choice(trial, login):
    make_bedside_patient(sirolimus_mg=0.3)
    c = login("inv_a")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml="0")
    page = panel(c)
    assert "trough undetectable (0 ng/mL): do not change the dose yet" in page
    assert advice_lines(page)["sirolimus-advice"] == ["publication", "project choice"]


@pytest.mark.parametrize("trough, held", [("30", False), ("35", True)])
def test_a_trough_above_30_asks_a_clinician_to_check_the_hold(trial, login, trough, held):
    make_bedside_patient(sirolimus_mg=0.3)
    c = login("inv_a")
    enter(c, "A-09", "drug_levels", date=today().isoformat(), sirolimus_trough_ng_ml=trough)
    page = panel(c)
    # project choice: hold above 30 ng/mL (SIROLIMUS_HOLD_ABOVE_NG_ML); 30 itself is halved
    assert ('data-check="sirolimus_hold"' in page) is held
    assert ("hold sirolimus (give no dose)" in page) is held


# --- body size, its date, and when it is stale -----------------------------------------------------

@pytest.mark.parametrize("days_ago, stale", [(30, False), (31, True)])
def test_body_size_is_shown_with_its_date_and_stale_after_30_days(trial, login, days_ago, stale):
    make_bedside_patient(days_ago=days_ago)  # weight 6 kg, height 62 cm at randomization
    page = panel(login("inv_a"))
    measured = (today() - dt.timedelta(days=days_ago)).isoformat()
    # Mosteller: sqrt(62 × 6 / 3600) = sqrt(0.10333…) = 0.32146 m² → 0.3215 (4 decimals)
    assert (f"Weight 6 kg, measured on {measured}; height 62 cm, measured on {measured}; "
            "body-surface area 0.3215 m² (Mosteller)") in page
    assert f"measured {days_ago} days ago" in page
    assert ('data-check="body_size_stale"' in page) is stale
    assert (f"Weight and height were measured {days_ago} days ago (more than 30 days)" in page) is stale


# --- caps and the label's age limit ----------------------------------------------------------------

def make_child(pid: str = "A-09", *, weight_kg: float = 6.0, height_cm: float = 62.0, arm: str = "S",
               age_days: int = 120, days_ago: int = 0):
    """A child randomized ``days_ago`` days ago, ``age_days`` old today, no course recorded yet."""
    day0 = today() - dt.timedelta(days=days_ago)
    with audit_context(actor="fixture", form="fixture"):
        return m.Patient.objects.create(
            patient_id=pid, site=m.Site.objects.get(code="A"), sex="F",
            birth_date=today() - dt.timedelta(days=age_days), randomization_date=day0, arm=arm,
            weight_kg=weight_kg, height_cm=height_cm, lesion_depth="deep", lesion_site="trunk",
            biopsy=True, seq=100)


@pytest.mark.parametrize("age_days, cautioned", [(58, True), (62, False)])
def test_tmp_smx_in_a_child_under_2_months_asks_a_clinician(trial, login, age_days, cautioned):
    # Bactrim label, contraindications: "pediatric patients less than 2 months of age";
    # 58 days old = 1 completed month, 62 days old ≥ 2 calendar months (every 2 months ≤ 62 days)
    make_child(age_days=age_days)
    page = panel(login("inv_a"))
    assert ('data-check="tmp_smx_young"' in page) is cautioned
    assert ("the label contraindicates sulfonamides below 2 months" in page) is cautioned


@pytest.mark.parametrize("weight_kg, capped", [(30.0, False), (31.0, True)])
def test_prednisolone_above_60_mg_is_capped_and_flagged(trial, login, weight_kg, capped):
    make_child(weight_kg=weight_kg, height_cm=130.0, arm="SP", age_days=3000)
    page = panel(login("inv_a"))
    # Pub. 2 mg/kg: 30 kg → 60 mg (at the cap, not over it); 31 kg → 62 mg, capped at 60 mg/day
    assert "Prednisolone 60.0 mg once daily" in page
    assert ('data-check="prednisolone_capped"' in page) is capped
    assert ("2 mg/kg would be 62.0 mg a day" in page) is capped
