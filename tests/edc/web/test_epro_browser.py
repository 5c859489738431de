"""The parents' questionnaire on a phone (issue 15's "done when"): an investigator issues the
link, a parent opens it at 390 px wide (an iPhone 12-14's CSS width), answers every question
with taps and sends; the link then is dead. Screenshots: /tmp/acc_epro_*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import in_thread
from tests.edc.web.conftest import PASSWORD, make_trial

SHOTS = Path("/tmp")
PHONE = {"width": 390, "height": 844}  # iPhone 12/13/14 viewport in CSS pixels (Apple specs)
INFANT_13_24_ITEMS = 45  # PedsQL 4.0 user's guide: Infant Scales 13-24 months, 9+10+12+5+9


@pytest.mark.browser
@pytest.mark.slow
def test_a_parent_answers_the_pedsql_on_a_390px_phone(chromium, transactional_db, live_server,
                                                       settings):
    from playwright.sync_api import sync_playwright

    from khetrial.edc.trial.models import QolResponse

    make_trial()
    settings.KHETRIAL_TODAY = dt.date(2019, 3, 1)  # study day 359: the month-12 window (SAP)
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            staff = browser.new_page(viewport={"width": 1200, "height": 900})
            staff.goto(f"{base}/login/")
            staff.fill("#id_username", "inv_a")
            staff.fill("#id_password", PASSWORD)
            staff.click("main button[type=submit]")
            staff.wait_for_url(f"{base}/")
            staff.goto(f"{base}/patients/A-01/")
            staff.click("#epro-links")
            staff.click("#epro-create")
            url = staff.locator("#epro-url").inner_text().strip()
            assert staff.locator("#epro-qr").is_visible()
            staff.screenshot(path=str(SHOTS / "acc_epro_1_issued.png"), full_page=True)

            phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                        device_scale_factor=2).new_page()
            phone.on("pageerror", lambda e: errors.append(str(e)))
            phone.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)
            phone.goto(url)
            assert phone.locator("fieldset.item").count() == INFANT_13_24_ITEMS
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
            phone.screenshot(path=str(SHOTS / "acc_epro_2_phone_top.png"))
            for k, item in enumerate(phone.locator("fieldset.item").all()):
                if k != 3:  # one question left out, as a parent may
                    item.locator("label.answer").nth(k % 5).tap()
            phone.screenshot(path=str(SHOTS / "acc_epro_3_phone_answered.png"), full_page=True)
            phone.locator("button.send").tap()
            phone.wait_for_selector("p.thanks")
            assert "44 of 45" in phone.locator("p.thanks").inner_text()
            phone.screenshot(path=str(SHOTS / "acc_epro_4_phone_thanks.png"))
            rows = in_thread(lambda: QolResponse.objects.filter(
                patient__patient_id="A-01", date=dt.date(2019, 3, 1)).count())
            assert rows == INFANT_13_24_ITEMS
            assert set(errors) <= {f"410 {url}"}, errors
            assert phone.goto(url).status == 410  # a second use: refused, Gone
            assert "already been answered" in phone.locator("p.refused").inner_text()
            phone.screenshot(path=str(SHOTS / "acc_epro_5_phone_used.png"))
        finally:
            browser.close()
    assert set(errors) <= {f"410 {url}"}, errors
