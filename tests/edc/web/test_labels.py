"""The pages speak the label source (edc/web/labels.py over bundle/labels.py), never the
bundle's internal names (issue 15: "Screens show internal names: patient_id,
sirolimus_trough_ng_ml, "weight kg (kg)", "mg m2", "tmp smx", "tiw bid"")."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import io
import zipfile
from html import unescape

import pytest
from django.utils import translation

from khetrial.edc.trial import models as m
from khetrial.edc.web.blinding import leaks
from khetrial.edc.web.labels import alert_message, audit_cell, field_label, value_label
from khetrial.protocol.alerts import Alert, PatientSnapshot, alerts

INTERNAL = ("patient_id", "sirolimus_trough_ng_ml", "weight kg", "weight_kg", "mg m2", "mg_m2",
            "tmp smx", "tmp_smx", "tiw bid", "tiw_bid", "lesion_volume_ml", "dose_unit")


def visible(html: str) -> str:
    """The text a person sees: no tags, scripts or attribute values."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]*>", " ", html))


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts and ends in English: a request in Chinese leaves its language active in
    the thread (LocaleMiddleware activates, nothing deactivates), and labels read outside a
    request would follow it."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.mark.parametrize("table, field, label", [
    ("patients", "weight_kg", "Weight (kg)"),
    ("patients", "patient_id", "Patient number"),
    ("drug_levels", "sirolimus_trough_ng_ml", "Sirolimus trough level (ng/mL)"),
    ("mri", "lesion_volume_ml", "Lesion volume (mL)"),
    ("labs", "date", "Date of sampling"),
    ("medications", "dose_unit", "Dose unit"),
])
def test_a_column_reads_as_its_label_with_the_unit(table, field, label):
    assert field_label(table, field) == label


@pytest.mark.parametrize("field, code, label", [
    ("frequency", "tiw_bid", "three times a week, twice a day"),
    ("drug", "tmp_smx", "Trimethoprim-sulfamethoxazole"),
    ("dose_unit", "mg_m2", "mg/m²"),
    ("sex", "F", "Female"),
    ("arm", "SP", "Sirolimus + prednisolone"),
])
def test_a_code_reads_as_its_label(field, code, label):
    assert value_label("medications", field, code) == label


def test_the_audit_trail_names_forms_fields_and_codes():
    row = {"action": "change", "form": "medications", "field": "frequency", "old": "bid",
           "new": "tiw_bid", "detail": "medicationcourse"}
    assert audit_cell(row, "action") == "value corrected"
    assert audit_cell(row, "form") == "Medication courses"
    assert audit_cell(row, "field") == "Frequency"
    assert audit_cell(row, "new") == "three times a week, twice a day"
    created = {"action": "create", "form": "drug_levels", "field": "",
               "new": '{"date": "2018-03-14", "sirolimus_trough_ng_ml": 11.0}'}
    assert audit_cell(created, "new") == ("Date of sampling: 2018-03-14; "
                                          "Sirolimus trough level (ng/mL): 11")


@pytest.mark.db
@pytest.mark.parametrize("url", ["/patients/", "/patients/A-01/", "/patients/A-01/edit/",
                                 "/patients/A-01/medications/add/",
                                 "/patients/A-01/drug_levels/add/", "/audit/"])
def test_no_page_shows_an_internal_name(trial, login, url):
    page = visible(login("inv_a").get(url).content.decode())
    shown = [name for name in INTERNAL if name in page]
    assert shown == [], f"{url} shows {shown}"


@pytest.mark.db
def test_the_medication_table_shows_clinical_words(trial, login):
    page = visible(login("inv_a").get("/patients/A-01/").content.decode())
    # make_trial: sirolimus 0.8 mg/m² twice a day; prednisolone 2 mg/kg once a day (arm SP)
    assert "mg/m²" in page and "twice a day" in page and "once a day" in page
    assert "Sirolimus trough level (ng/mL)" in page


# The guard (second line of blinding) still sees the allocation behind a translated heading.
@pytest.mark.parametrize("text", ['<th data-field="arm">治疗组</th>',
                                  '<th data-field="dose">剂量</th>',
                                  "A-03 已完成随机化：分组 SP（西罗莫司 + 泼尼松龙）",
                                  "治疗组：<b>S</b>"])
def test_the_blinding_guard_reads_labelled_and_chinese_pages(text):
    assert leaks(text, "text/html") is not None


@pytest.mark.parametrize("text", ['<th data-field="sex">性别</th>', "<td>分组讨论</td>"])
def test_the_blinding_guard_leaves_other_labelled_headings(text):
    assert leaks(text, "text/html") is None


@pytest.mark.db
def test_the_bundle_download_carries_the_codebook_of_labels(trial, login):
    archive = zipfile.ZipFile(io.BytesIO(login("stat").get("/downloads/bundle.zip").content))
    assert "codebook.csv" in archive.namelist() and "bundle/codebook.csv" not in archive.namelist()
    rows = list(csv.DictReader(io.StringIO(archive.read("codebook.csv").decode("utf-8"))))
    trough = [r for r in rows if r["column"] == "sirolimus_trough_ng_ml"]
    assert trough == [{"file": "drug_levels.csv", "column": "sirolimus_trough_ng_ml",
                       "label": "Sirolimus trough level", "unit": "ng/mL", "code": "",
                       "code_label": ""}]


@pytest.mark.parametrize("language, expected", [
    # protocol.alerts' own words in English (the interface's are the same), Chinese from the
    # catalogue; Week 4's window from protocol.schedule's details as given here
    ("en", "Week 4 visit is overdue (window 2018-03-28 to 2018-04-07)."),
    ("zh-hans", "第 4 周访视已逾期（时间窗 2018年3月28日 至 2018年4月7日）。"),
])
def test_a_visit_alert_speaks_the_language(language, expected):
    alert = Alert("visit_overdue", "warning", "protocol words", {
        "code": "week_4", "name": "Week 4", "window_start": "2018-03-28",
        "window_end": "2018-04-07"})
    with translation.override(language):
        assert alert_message(alert) == expected


D0_ALERTS = dt.date(2026, 3, 2)
QUIET = PatientSnapshot(today=D0_ALERTS + dt.timedelta(10), arm="SP", randomized=D0_ALERTS, weight_kg=5.2,
                        platelets=150, fibrinogen=1.8, hemoglobin=100, sirolimus_dose_mg=0.23, trough_ng_ml=12,
                        trough_on=D0_ALERTS + dt.timedelta(7), on_tmp_smx=True)
WORDED = {  # snapshot changes that raise each alert the interface words from its details
    "pjp_prophylaxis_missing": {"on_tmp_smx": False},
    "trough_overdue": {"today": D0_ALERTS + dt.timedelta(40), "trough_on": D0_ALERTS + dt.timedelta(7)},
    "adverse_event_grade3": {"ongoing_adverse_events": (("mucositis_oral", 3),)},
}


@pytest.mark.parametrize("code", sorted(WORDED))
def test_an_alert_worded_by_the_interface_says_in_english_what_the_protocol_says(code):
    # the interface's English template must give protocol.alerts' own message, word for word
    found = [a for a in alerts(dataclasses.replace(QUIET, **WORDED[code])) if a.code == code]
    assert found, code
    with translation.override("en"):
        assert alert_message(found[0]) == found[0].message


@pytest.mark.parametrize("code, expected", [
    # 2026-03-02 + 6 months = 2026-09-02 (protocol.supportive_care); TMP-SMX 10 mg/kg (Pub.)
    ("pjp_prophylaxis_missing", "须在前 6 个月内（至 2026年9月2日）"),
    # troughs "weekly for 2 weeks, then every other week": day 28 = 2026-03-30 is the last one
    # overdue on day 40; the last trough was on day 7 = 2026-03-09
    ("trough_overdue", "2026年3月30日 的西罗莫司谷浓度检测已逾期（上次谷浓度：2026年3月9日）"),
    ("adverse_event_grade3", "持续中的 3 级不良事件：mucositis oral"),
])
def test_an_alert_worded_by_the_interface_speaks_chinese(code, expected):
    alert = next(a for a in alerts(dataclasses.replace(QUIET, **WORDED[code])) if a.code == code)
    with translation.override("zh-hans"):
        assert expected in alert_message(alert)


def test_an_alert_with_unexpected_details_keeps_the_protocol_words():
    alert = Alert("trough_overdue", "warning", "protocol words", {"scheduled": "not a date"})
    with translation.override("zh-hans"):
        assert alert_message(alert) == "protocol words"
