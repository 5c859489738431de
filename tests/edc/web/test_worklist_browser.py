"""Worklists, the randomization confirmation and a query on a value in a real browser (Debian's
chromium via Playwright, issue 15's "done when"). Screenshots: /tmp/wl_*.png and test-output/.

The application's clock is 2018-04-04 (time-machine), day 28 of the fixture's patients
(randomized 2018-03-07, platelet counts on days 0, 7, 14): week 4 (SAP: day 28 ± 3) is due and
the blood count due on day 16 (Pub.: "every 2 days until stabilization") is 12 days late.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import time_machine

from tests.edc.web.conftest import make_trial
from tests.edc.web.test_browser import fill_randomization_form, log_in, log_out

NOW = dt.datetime(2018, 4, 4, 9, tzinfo=dt.timezone.utc)
VIEWPORT = {"width": 1280, "height": 900}


def _shot(page, output_dir, name: str) -> None:
    path = output_dir / f"wl_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copy(path, f"/tmp/wl_{name}.png")


@pytest.fixture
def orm_in_the_test(monkeypatch):
    """Playwright's sync API runs an event loop in this thread: let the test's own checks read
    the database there (the server answers from its own thread)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browse(chromium, live_server, output_dir, walk):
    from playwright.sync_api import sync_playwright

    make_trial()
    errors: list[str] = []
    with sync_playwright() as p, time_machine.travel(NOW, tick=True):
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            walk(page, live_server.url, lambda name: _shot(page, output_dir, name))
        finally:
            browser.close()
    assert not errors, errors


def _assessor_patients():
    """Two more patients of site A, randomized 181 and 399 days before the clock's today."""
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.trial import models as m

    with audit_context(actor="fixture", form="fixture"):
        for pid, days in (("A-05", 181), ("A-06", 399)):
            m.Patient.objects.create(
                patient_id=pid, site=m.Site.objects.get(code="A"), sex="M",
                birth_date=NOW.date() - dt.timedelta(days=days + 60),
                randomization_date=NOW.date() - dt.timedelta(days=days), arm="S",
                weight_kg=6.0, height_cm=62.0, lesion_depth="deep", lesion_site="trunk",
                biopsy=True)


@pytest.mark.browser
@pytest.mark.slow
def test_each_roles_worklist(chromium, transactional_db, live_server, output_dir, orm_in_the_test):
    from khetrial.edc.web.models import DataQuery

    def walk(page, base, shot):
        DataQuery.objects.create(patient_id="A-01", site_code="A", table="labs", field="value",
                                 text="Platelets 21 on day 0: please confirm", raised_by="mon",
                                 raised_at=NOW - dt.timedelta(days=5))
        log_in(page, base, "inv_a")
        due = page.locator("table.worklist-due tbody tr")
        assert due.count() == 4  # week 4 and a blood count, for
        assert due.first.get_attribute("class") == "overdue"
        assert "12 days late" in due.first.inner_text()
        assert "SCR-A1" in page.locator(".worklist-incomplete").inner_text()
        assert "5 days" in page.locator("table.worklist-queries").inner_text()
        assert "B-01" not in page.content()
        shot("investigator")
        page.click("table.worklist-queries a:text('answer')")
        page.wait_for_url("**/answer/")
        log_out(page)

        log_in(page, base, "mon")
        assert page.locator("table.worklist-sites tbody tr").count() == 2  # sites A and B
        shot("monitor")
        log_out(page)
        log_in(page, base, "stat")
        assert page.locator("table.worklist-completeness tbody tr").count() == 11
        shot("statistician")
        log_out(page)
        _assessor_patients()
        log_in(page, base, "assessor_a")
        rows = page.locator("table.worklist-assessments tbody tr")
        # A-05, day 181: month 6 (2018-04-05 ± 30 days, project choice) is due; A-06, day 399:
        # month 6 long overdue and month 12 (SAP days 335–395) 4 days late; the fixture's
        # patients (day 28): nothing yet
        assert [rows.nth(i).get_attribute("data-patient") for i in range(rows.count())] == [
            "A-06", "A-06", "A-05"]
        assert "month 12" in rows.nth(1).inner_text() and "4 days late" in rows.nth(1).inner_text()
        shot("assessor")

    _browse(chromium, live_server, output_dir, walk)


@pytest.mark.browser
@pytest.mark.slow
def test_randomization_confirmation(chromium, transactional_db, live_server, output_dir, orm_in_the_test):
    from khetrial.edc.trial.models import Patient

    def walk(page, base, shot):
        log_in(page, base, "inv_a")
        page.goto(f"{base}/screening/new/")
        assert page.locator("#screen-failure").is_visible()  # before any check
        page.click("a:text('Home')")
        page.click(".worklist-incomplete a:text('randomize')")
        page.wait_for_url("**/randomize/")
        for name in ("sex", "lesion_depth", "lesion_site", "biopsy"):
            assert page.eval_on_selector(f"#id_{name}", "e => e.value") == "", name
        fill_randomization_form(page, "head_neck")
        shot("randomize_form")
        page.click("main button[type=submit]")
        summary = page.locator("#randomization-summary").inner_text()
        # the label source's words (bundle/labels.py: head_neck is "Head and neck")
        assert "Head and neck" in summary and "4.5" in summary and "2018-04-04" in summary
        assert "62 days (2.0 months)" in summary  # 2018-02-01 to 2018-04-04
        assert not Patient.objects.filter(patient_id="A-07").exists()  # nothing allocated yet
        shot("randomize_confirm")
        page.click("#go-back")
        assert page.eval_on_selector("#id_lesion_site", "e => e.value") == "head_neck"
        page.select_option("#id_lesion_site", "trunk")
        page.click("main button[type=submit]")
        assert "Trunk" in page.locator("#randomization-summary").inner_text()
        page.click("#confirm-randomize")
        page.wait_for_url(f"{base}/patients/A-07/")
        assert "randomized" in page.locator(".messages").inner_text()
        assert Patient.objects.get(patient_id="A-07").lesion_site == "trunk"
        shot("randomized")

    _browse(chromium, live_server, output_dir, walk)


@pytest.mark.browser
@pytest.mark.slow
def test_a_query_raised_on_a_value(chromium, transactional_db, live_server, output_dir, orm_in_the_test):
    from khetrial.edc.trial.models import LabResult
    from khetrial.edc.web.models import DataQuery

    def walk(page, base, shot):
        lab = LabResult.objects.get(patient__patient_id="A-01", test="platelets",
                                    date=dt.date(2018, 3, 7))
        log_in(page, base, "mon")
        page.goto(f"{base}/patients/A-01/")
        cell = page.locator(f"#labs ~ table tr[data-record='{lab.pk}'] td").nth(2)
        shot("query_patient")
        cell.locator("a.raise-query").click()
        page.wait_for_url("**/query/?**")
        target = page.locator("#query-target").inner_text()
        assert "Laboratory results" in target and "= 21.0" in target
        assert page.eval_on_selector("#id_record", "e => e.value") == f"labs:{lab.pk}"
        page.fill("#id_text", "Platelets 21 on day 0: please check the source document")
        shot("query_form")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/patients/A-01/")
        assert "raised" in page.locator(".messages").inner_text()
        q = DataQuery.objects.get()
        assert (q.table, q.record_id, q.field) == ("labs", str(lab.pk), "value")
        log_out(page)
        log_in(page, base, "inv_a")
        page.goto(f"{base}/queries/{q.pk}/answer/")
        page.fill("#id_answer", "The source says 21.")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/queries/")
        log_out(page)
        log_in(page, base, "mon")
        page.goto(f"{base}/queries/?status=answered")
        history = page.locator(f"tr[data-query='{q.pk}'] td.history").inner_text()
        assert "raised by mon" in history and "answered by inv_a" in history
        shot("query_list")
        page.goto(f"{base}/audit/?patient_id=A-01")
        shot("audit")

    _browse(chromium, live_server, output_dir, walk)
