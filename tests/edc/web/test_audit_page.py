"""The audit trail reads as a before/after table per field, with filters (issue 15)."""

from __future__ import annotations

import re


def _correct_platelets(login):
    from khetrial.edc.trial.models import LabResult

    lab = LabResult.objects.filter(patient__patient_id="A-01", test="platelets").order_by("date")[0]
    r = login("inv_a").post(f"/patients/A-01/labs/{lab.pk}/edit/", {
        "date": lab.date.isoformat(), "test": "platelets", "value": "23",
        "reason": "transcription error"})
    assert r.status_code == 302
    return lab


def test_a_correction_shows_before_and_after_with_its_reason(trial, login):
    lab = _correct_platelets(login)
    r = login("inv_a").get("/audit/?patient_id=A-01&table=labs&actor=inv_a")
    [row] = [x for x in r.context["rows"] if x["action"] == "change"]
    # the fixture's day-0 count was 21 ×10⁹/L; the correction typed 23
    # fields named by the label source (bundle/labels.py: labs.value is "Result")
    assert row["changes"] == [{"field": "Result", "before": "21.0", "after": "23.0"}]
    assert (row["table_title"], row["record_id"], row["reason"]) == (
        "Laboratory results", str(lab.pk), "transcription error")
    html = r.content.decode()
    assert re.search(r'<td class="before">21\.0</td><td class="after">23\.0</td>', html)
    assert '{"' not in html  # no raw JSON on the page


def test_a_new_row_lists_its_values_one_per_field(trial, login):
    r = login("inv_a").post("/patients/A-01/mri/add/", {"date": "2018-03-08",
                                                         "lesion_volume_ml": "12.5"})
    assert r.status_code == 302
    rows = login("inv_a").get("/audit/?table=mri&action=create&actor=inv_a").context["rows"]
    # labels and units from the label source and the format (bundle/labels.py, mri columns)
    assert [row["changes"] for row in rows] == [[
        {"field": "Date of MRI", "before": "", "after": "2018-03-08"},
        {"field": "Lesion volume (mL)", "before": "", "after": "12.5"}]]


def test_filters_by_user_form_and_date_range(trial, login):
    _correct_platelets(login)
    c = login("stat")
    assert all(r["actor"] == "inv_a" for r in c.get("/audit/?actor=inv_a").context["rows"])
    assert {r["table_title"] for r in c.get("/audit/?table=labs").context["rows"]} == {
        "Laboratory results"}
    assert c.get("/audit/?date_to=2000-01-01").context["rows"] == []
    html = c.get("/audit/").content.decode()
    assert '<select name="table">' in html and 'type="date" name="date_from"' in html


def test_the_assessor_filters_only_among_its_forms(trial, login):
    html = login("assessor_a").get("/audit/").content.decode()
    options = re.search(r'<select name="table">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'value="(\w+)"', options) == ["patients", "mri", "sequelae"]
