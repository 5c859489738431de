"""Issue 10's browser check (Debian's chromium via Playwright): a platelet count dated tomorrow
is refused on the lab form, with the message on the date field, and nothing is stored; today's
count of 8 ×10⁹/L then raises the transfusion alert (Pub.: plasma/cryoprecipitate for a
platelet count < 10 ×10⁹/L; 8 < 10). Screenshot under test-output/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.edc.web.conftest import make_trial
from tests.edc.web.test_bedside import make_bedside_patient, today
from tests.edc.web.test_bedside_browser import add_record, log_in


@pytest.mark.browser
def test_a_future_count_is_refused_and_todays_count_of_8_raises_the_alert(chromium,
        transactional_db, live_server, output_dir):
    from playwright.sync_api import sync_playwright

    from khetrial.edc.trial.models import LabResult

    make_trial()
    make_bedside_patient()  # A-09, site A
    base = live_server.url
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            log_in(page, base, "inv_a")

            page.goto(f"{base}/patients/A-09/labs/add/")
            page.select_option("#id_test", "platelets")
            page.fill("#id_date", tomorrow)
            page.fill("#id_value", "8")
            page.click("main button[type=submit]")
            assert page.url == f"{base}/patients/A-09/labs/add/"  # not redirected: refused
            body = page.inner_text("main")
            assert f"date: got {tomorrow} (after today)" in body
            page.screenshot(path=str(output_dir / "future_count_refused.png"), full_page=True)

            add_record(page, base, "labs", {"date": today().isoformat(), "value": "8"},
                       {"test": "platelets"})
            alert = page.locator("#bedside li[data-code=transfusion_plasma]")
            assert alert.is_visible()
            assert "platelet count 8 <10" in alert.inner_text()
        finally:
            browser.close()
    assert errors == []
    # outside Playwright's event loop (Django refuses database calls inside it)
    assert not LabResult.objects.filter(patient__patient_id="A-09",
                                        date=today() + dt.timedelta(days=1)).exists()
