"""Account care in a real browser (issue 15's "done when"): a user locks themselves out, an
administrator signs in with the second factor (enrolling it first), unlocks the user and resets
the password; the user signs in with the temporary password and must choose a new one before
anything else. Screenshots: /tmp/acc_*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from khetrial.edc.accounts.roles import MAX_FAILED_LOGINS
from tests.conftest import in_thread, totp_code
from tests.edc.web.conftest import PASSWORD, make_trial

SHOTS = Path("/tmp")
NEW_PASSWORD = "amber-lantern-orchard-58"


def _login_form(page, base, username, password):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


@pytest.mark.browser
@pytest.mark.slow
def test_admin_unlocks_and_resets_and_the_user_must_change_the_password(
        chromium, transactional_db, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import sync_playwright

    make_trial()
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            user = browser.new_page(viewport={"width": 1200, "height": 800})
            user.on("pageerror", lambda e: errors.append(str(e)))
            for _ in range(MAX_FAILED_LOGINS):  # roles.MAX_FAILED_LOGINS wrong passwords
                _login_form(user, base, "inv_a", "not-the-password-1")
            _login_form(user, base, "inv_a", PASSWORD)  # the right one, refused: locked
            assert "/login/" in user.url and user.locator("p.error").count() == 1

            admin = browser.new_page(viewport={"width": 1200, "height": 800})
            admin.on("pageerror", lambda e: errors.append(str(e)))
            _login_form(admin, base, "adm", PASSWORD)
            admin.wait_for_url("**/account/second-factor/enrol/**")
            assert admin.locator("#otp-qr").is_visible()
            admin.screenshot(path=str(SHOTS / "acc_1_enrol.png"), full_page=True)
            code = in_thread(lambda: totp_code(  # what the phone would show now
                TOTPDevice.objects.get(user__username="adm", confirmed=False)))
            admin.fill("#id_token", code)
            admin.click("main button[type=submit]")
            admin.wait_for_url(f"{base}/")

            admin.goto(f"{base}/users/")
            row = admin.locator("tr[data-user=inv_a]")
            assert "locked" in row.inner_text()
            admin.screenshot(path=str(SHOTS / "acc_2_users_locked.png"), full_page=True)
            row.locator("button.unlock").click()
            admin.wait_for_url(f"{base}/users/")
            assert admin.locator("tr[data-user=inv_a] button.unlock").count() == 0
            assert "unlocked" in admin.locator("ul.messages").inner_text()
            admin.locator("tr[data-user=inv_a] button.reset").click()
            admin.wait_for_url("**/reset-password/")
            temporary = admin.locator("#temporary-password").inner_text().strip()
            admin.screenshot(path=str(SHOTS / "acc_3_temporary_password.png"), full_page=True)

            _login_form(user, base, "inv_a", PASSWORD)  # the old password no longer works
            assert "/login/" in user.url
            _login_form(user, base, "inv_a", temporary)
            user.wait_for_url("**/account/password/**")
            assert user.locator("#must-change").is_visible()
            user.screenshot(path=str(SHOTS / "acc_4_must_change.png"), full_page=True)
            user.goto(f"{base}/patients/")  # any page leads back to the password page
            assert "/account/password/" in user.url
            user.fill("#id_old_password", temporary)
            user.fill("#id_new_password1", NEW_PASSWORD)
            user.fill("#id_new_password2", NEW_PASSWORD)
            user.click("main button[type=submit]")
            user.wait_for_url(f"{base}/patients/")
            assert "Your password has been changed." in user.locator("ul.messages").inner_text()
            user.screenshot(path=str(SHOTS / "acc_5_changed.png"), full_page=True)

            admin.goto(f"{base}/users/")
            assert "must change" not in admin.locator("tr[data-user=inv_a]").inner_text()
        finally:
            browser.close()
    assert not errors, errors
