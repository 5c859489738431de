"""Account care on the users page (issue 15): unlock, password reset that must be changed,
disable and enable, role and site; each audited, each refused to non-administrators and on
one's own account. And the second factor: required for administrators and unblinding."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from khetrial.edc.accounts.models import Profile
from khetrial.edc.accounts.roles import MAX_FAILED_LOGINS
from khetrial.edc.accounts.services import list_users
from khetrial.edc.audit.models import AuditEntry
from tests.conftest import totp_code
from tests.edc.web.conftest import PASSWORD

NEW_PASSWORD = "violet-kettle-harbour-42"


def _account(username):
    return next(a for a in list_users() if a.username == username)


def _care_entries(username):
    return list(AuditEntry.objects.filter(action="role_change", record_id=username)
                .order_by("id").values_list("actor", "detail"))


def _form_login(username, password=PASSWORD) -> bool:
    """Log in through the login page (from the test client's address, 127.0.0.1)."""
    r = Client().post("/login/", {"username": username, "password": password})
    return r.status_code == 302


def _lock_out(username):
    """MAX_FAILED_LOGINS wrong passwords from the test client's address lock the account."""
    for _ in range(MAX_FAILED_LOGINS):
        _form_login(username, "wrong-password-000")
    assert _account(username).locked
    assert not _form_login(username)


def test_admin_unlocks_a_locked_account_and_the_trail_says_who(trial, login):
    _lock_out("inv_a")
    r = login("adm").post("/users/inv_a/unlock/")
    assert r.status_code == 302
    assert not _account("inv_a").locked
    assert _form_login("inv_a")
    assert _care_entries("inv_a")[-1] == ("adm", "inv_a: unlocked (1 locked address(es) cleared)")


def test_the_users_page_offers_unlock_only_for_a_locked_account(trial, login):
    c = login("adm")
    assert b"/users/inv_a/unlock/" not in c.get("/users/").content
    _lock_out("inv_a")
    assert b"/users/inv_a/unlock/" in c.get("/users/").content


def test_a_reset_password_works_once_and_must_be_changed_before_any_page(trial, login):
    page = login("adm").post("/users/inv_a/reset-password/")
    assert page.status_code == 200
    temporary = page.context["password"]
    assert temporary.encode() in page.content
    assert not Client().login(username="inv_a", password=PASSWORD)  # the old one is gone
    user = Client()
    assert user.login(username="inv_a", password=temporary)
    r = user.get("/patients/")
    assert r.status_code == 302 and r["Location"].startswith("/account/password/")
    assert user.get("/api/me").status_code == 403  # nor the API through the session
    r = user.post("/account/password/", {"old_password": temporary,
                                         "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD, "next": "/patients/"})
    assert r.status_code == 302 and r["Location"] == "/patients/"
    assert user.get("/patients/").status_code == 200  # still signed in, no more redirect
    assert not Profile.objects.get(user__username="inv_a").must_change_password
    assert [e for e in _care_entries("inv_a") if "password" in e[1]] == [
        ("adm", "inv_a: password reset; a temporary password must be changed at the next login"),
        ("inv_a", "inv_a: password changed by the user")]


def test_a_reset_ends_the_users_open_session(trial, client, login):
    user = Client()
    assert user.login(username="inv_a", password=PASSWORD)
    assert user.get("/patients/").status_code == 200
    login("adm").post("/users/inv_a/reset-password/")
    r = user.get("/patients/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_the_new_password_must_pass_the_rules_and_differ(trial, login):
    temporary = login("adm").post("/users/inv_a/reset-password/").context["password"]
    user = Client()
    user.login(username="inv_a", password=temporary)
    for new in ("short", temporary):
        r = user.post("/account/password/", {"old_password": temporary, "new_password1": new,
                                             "new_password2": new})
        assert r.status_code == 200
    assert Profile.objects.get(user__username="inv_a").must_change_password


def test_admin_disables_and_enables_an_account(trial, login):
    c = login("adm")
    assert c.post("/users/mon/disable/").status_code == 302
    assert not Client().login(username="mon", password=PASSWORD)
    assert b"/users/mon/enable/" in c.get("/users/").content
    assert c.post("/users/mon/enable/").status_code == 302
    assert Client().login(username="mon", password=PASSWORD)
    assert _care_entries("mon")[-2:] == [("adm", "mon: disabled"), ("adm", "mon: enabled")]


def test_admin_changes_role_and_site_and_a_bad_pair_is_a_message_without_cli_words(trial, login):
    c = login("adm")
    r = c.post("/users/inv_a/role/", {"role": "investigator", "site": "B"})
    assert r.status_code == 302 and _account("inv_a").site == "B"
    assert _care_entries("inv_a")[-1] == ("adm", "inv_a: investigator A -> investigator B")
    page = c.post("/users/inv_a/role/", {"role": "investigator", "site": ""}, follow=True)
    text = page.content.decode()
    assert "works for one site" in text and "--site" not in text
    assert _account("inv_a").site == "B"  # refused: unchanged


@pytest.mark.parametrize("action", ["unlock", "reset-password", "disable", "enable", "role",
                                    "second-factor/remove"])
def test_no_other_role_may_care_for_accounts(trial, login, action):
    for username in ("inv_a", "stat", "mon", "assessor_all"):
        r = login(username).post(f"/users/mon/{action}/", {"role": "admin"})
        assert r.status_code == 403, (username, action)
    assert _account("mon").role == "monitor" and _account("mon").active


@pytest.mark.parametrize("action", ["unlock", "reset-password", "disable", "role",
                                    "second-factor/remove"])
def test_an_admin_cannot_act_on_their_own_account(trial, login, action):
    before = AuditEntry.objects.filter(action="role_change").count()
    r = login("adm").post(f"/users/adm/{action}/", {"role": "monitor"})
    assert r.status_code == 403
    assert _account("adm").role == "admin" and _account("adm").active
    assert AuditEntry.objects.filter(action="role_change").count() == before


def test_a_role_change_cannot_give_one_person_two_roles(trial, login):
    Profile.objects.filter(user__username="mon").update(person="sam")
    Profile.objects.filter(user__username="stat").update(person="sam")  # made before the rule
    get_user_model().objects.filter(username="stat").update(is_active=False)
    c = login("adm")
    assert c.post("/users/mon/role/", {"role": "investigator", "site": "A"}).status_code == 302
    assert c.post("/users/stat/enable/").status_code == 403  # sam is an investigator now
    assert not _account("stat").active


# ---- the second factor ----

def test_an_admin_without_an_authenticator_is_sent_to_enrol_and_then_gets_in(trial):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    c = Client()
    assert c.login(username="adm", password=PASSWORD)
    r = c.get("/users/")
    assert r.status_code == 302 and r["Location"] == "/account/second-factor/enrol/?next=%2Fusers%2F"
    page = c.get(r["Location"])
    assert b"data:image/svg+xml;base64," in page.content and b"otp-secret" in page.content
    device = TOTPDevice.objects.get(user__username="adm", confirmed=False)
    bad = c.post("/account/second-factor/enrol/", {"token": "000000", "next": "/users/"})
    assert bad.status_code == 200 and c.get("/users/").status_code == 302
    r = c.post("/account/second-factor/enrol/", {"token": totp_code(device), "next": "/users/"})
    assert r.status_code == 302 and r["Location"] == "/users/"
    assert c.get("/users/").status_code == 200
    assert _care_entries("adm")[-1] == ("adm", "adm: second factor (authenticator app) enrolled")


def test_an_enrolled_user_gives_the_code_at_each_login(trial, login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    login("adm")  # enrols a device for adm
    device = TOTPDevice.objects.get(user__username="adm", confirmed=True)
    c = Client()
    assert c.login(username="adm", password=PASSWORD)
    r = c.get("/users/")
    assert r["Location"] == "/account/second-factor/?next=%2Fusers%2F"
    assert c.post("/account/second-factor/", {"token": "123"}).status_code == 200
    assert c.get("/users/").status_code == 302
    r = c.post("/account/second-factor/", {"token": totp_code(device), "next": "/users/"})
    assert r["Location"] == "/users/" and c.get("/users/").status_code == 200
    assert AuditEntry.objects.filter(actor="adm", action="login_failed",
                                     detail="second factor: wrong code").exists()


def test_unblinding_pages_need_the_second_factor_but_other_pages_do_not(walkable):
    for username in ("assessor_a", "inv_a"):
        c = Client()
        assert c.login(username=username, password=PASSWORD)
        assert c.get("/patients/").status_code == 200
        r = c.get("/unblinding/")
        assert r.status_code == 302 and r["Location"].startswith("/account/second-factor/enrol/")
    c = Client()
    c.login(username="assessor_a", password=PASSWORD)
    assert c.get("/patients/A-02/unblind/")["Location"].startswith("/account/second-factor/")


def test_the_session_api_waits_for_the_second_factor_but_a_token_does_not(trial, token_for):
    c = Client()
    assert c.login(username="adm", password=PASSWORD)
    assert c.get("/api/me").status_code == 403
    headers = {"Authorization": f"Bearer {token_for('adm')}"}
    assert Client().get("/api/me", headers=headers).status_code == 200


def test_admin_removes_a_lost_authenticator(trial, login):
    login("inv_a")  # the fixture enrols one for inv_a
    assert _account("inv_a").second_factor
    assert login("adm").post("/users/inv_a/second-factor/remove/").status_code == 302
    assert not _account("inv_a").second_factor
    assert _care_entries("inv_a")[-1] == ("adm", "inv_a: second factor removed (1 device(s))")
