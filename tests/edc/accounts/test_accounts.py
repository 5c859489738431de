"""Accounts: argon2, passwords, roles and sites, login records, sessions, security headers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from khetrial.errors import ConfigurationError
from tests.edc.accounts.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2(site_a):
    from khetrial.edc.accounts.services import add_user

    add_user("alice", "investigator", PASSWORD, "A")
    stored = get_user_model().objects.get(username="alice").password
    assert stored.startswith("argon2$")  # Django's Argon2PasswordHasher prefix
    assert PASSWORD not in stored


def _argon2_parameters(encoded: str) -> tuple[int, int, int]:
    """(memory KiB, iterations, lanes) of a Django argon2 hash."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    params = Argon2PasswordHasher().decode(encoded)["params"]
    return params.memory_cost, params.time_cost, params.parallelism


def test_passwords_use_owasp_argon2id_parameters(site_a):
    from khetrial.edc.accounts.services import add_user

    add_user("alice", "investigator", PASSWORD, "A")
    stored = get_user_model().objects.get(username="alice").password
    assert stored.startswith("argon2$argon2id$")
    assert _argon2_parameters(stored) == (19456, 2, 1)  # OWASP: m=19 MiB, t=2, p=1


def test_a_password_hashed_with_djangos_argon2_defaults_is_upgraded_at_login(site_a, client):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from khetrial.edc.accounts.services import add_user

    add_user("alice", "investigator", PASSWORD, "A")
    user = get_user_model().objects.get(username="alice")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert _argon2_parameters(user.password) == (102400, 2, 8)  # Django's defaults
    assert not client.login(username="alice", password="wrong-password-123")
    user.refresh_from_db()
    assert _argon2_parameters(user.password) == (102400, 2, 8)  # a failed login changes nothing
    assert client.login(username="alice", password=PASSWORD)
    user.refresh_from_db()
    assert _argon2_parameters(user.password) == (19456, 2, 1)
    assert client.login(username="alice", password=PASSWORD)  # the new hash verifies


@pytest.mark.parametrize("role, site, problem", [
    ("investigator", None, "one site"),
    ("statistician", "A", "all sites"),
    ("wizard", None, "unknown"),
    ("assessor", "Z", "does not exist"),
])
def test_role_and_site_combinations_are_checked(site_a, role, site, problem):
    from khetrial.edc.accounts.services import add_user

    with pytest.raises(ConfigurationError, match=problem):
        add_user("bob", role, PASSWORD, site)


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 12"),
    ("eleven-char", "at least 12"),  # 11 characters: one below the minimum
    ("khetrial2026", "too common"),  # issue 16: was accepted (a project word plus a year)
    ("Password2026!", "too common"),  # "password" (Django's list) with digits and a symbol
    ("password1234", "too common"),  # on Django's list of 20,000 common passwords
    ("739184625073", "entirely numeric"),
])
def test_weak_passwords_are_refused(site_a, password, problem):
    from khetrial.edc.accounts.services import add_user

    with pytest.raises(ConfigurationError, match=problem):
        add_user("bob", "monitor", password)
    assert not get_user_model().objects.filter(username="bob").exists()


def test_a_twelve_character_uncommon_password_is_accepted(site_a):
    from khetrial.edc.accounts.services import add_user

    assert add_user("bob", "monitor", "tulip-river9").active  # 12 characters


def test_successful_login_is_recorded_and_resets_the_counter(site_a, client):
    from khetrial.edc.accounts.models import LoginThrottle
    from khetrial.edc.accounts.services import add_user
    from khetrial.edc.audit.models import AuditEntry

    add_user("alice", "investigator", PASSWORD, "A")
    client.post("/login/", {"username": "alice", "password": "nope-nope-nope"})
    assert LoginThrottle.objects.get(username="alice").failures == 1
    r = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="login", actor="alice").exists()
    assert not LoginThrottle.objects.filter(username="alice").exists()
    client.post("/logout/")
    assert AuditEntry.objects.filter(action="logout", actor="alice").exists()
    assert client.get("/").status_code == 302


def test_disabled_user_cannot_log_in_and_loses_tokens(site_a, client):
    from khetrial.edc.accounts.models import ApiToken
    from khetrial.edc.accounts.services import add_user, disable_user

    add_user("alice", "investigator", PASSWORD, "A")
    _, key = ApiToken.issue(get_user_model().objects.get(username="alice"))
    disable_user("alice")
    assert not client.login(username="alice", password=PASSWORD)
    r = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401


def test_role_change_is_recorded(site_a):
    from khetrial.edc.accounts.services import add_user, set_role
    from khetrial.edc.audit.models import AuditEntry

    add_user("alice", "investigator", PASSWORD, "A")
    set_role("alice", "monitor")
    entries = AuditEntry.objects.filter(action="role_change", record_id="alice")
    assert entries.count() == 2
    assert any("investigator A -> monitor" in e.detail for e in entries)


def test_session_expires_and_cookies_are_protected(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # default: 30 idle minutes
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # SessionActivityMiddleware restarts it
    assert "khetrial.edc.web.middleware.SessionActivityMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_security_headers_on_every_page(db, client):
    r = client.get("/login/")
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert b"csrfmiddlewaretoken" in r.content


def test_login_form_enforces_csrf(site_a):
    from django.test import Client

    from khetrial.edc.accounts.services import add_user

    add_user("alice", "investigator", PASSWORD, "A")
    c = Client(enforce_csrf_checks=True)
    assert c.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 403


def test_demo_accounts_one_per_role(db):
    from khetrial.edc.web.demo import create_demo_accounts

    accounts = create_demo_accounts(password="demo-password-123")
    assert sorted(a[1] for a in accounts) == sorted(
        ["investigator", "assessor", "statistician", "monitor", "admin", "dmc"])
    from django.test import Client

    for username, _, _, password in accounts:
        assert Client().login(username=username, password=password)


def test_an_expired_session_is_sent_back_to_login(site_a, client):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from khetrial.edc.accounts.services import add_user

    add_user("alice", "investigator", PASSWORD, "A")
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
