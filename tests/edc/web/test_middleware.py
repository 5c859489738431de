"""Per-request work of the middleware (web/middleware.py): the session is written once a
fraction of its idle timeout, not on every page; the application's files read no session."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khetrial.edc.web.middleware import ACTIVE_AT_KEY, SESSION_REFRESH_FRACTION


def _session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def _set_active_at(client, seconds_ago: float) -> None:
    session = client.session
    session[ACTIVE_AT_KEY] = int(time.time() - seconds_ago)
    session.save()


def test_pages_soon_after_the_last_write_do_not_write_the_session(trial, login):
    client = login("inv_a")  # logging in wrote the session: its idle clock starts then
    expiry = Session.objects.get().expire_date
    assert [_session_writes(client, "/patients/") for _ in range(3)] == [0, 0, 0]
    assert Session.objects.get().expire_date == expiry


def test_a_page_after_a_fraction_of_the_timeout_restarts_the_idle_timeout(trial, login, settings):
    import datetime as dt

    from django.utils import timezone

    client = login("inv_a")
    interval = settings.SESSION_COOKIE_AGE / SESSION_REFRESH_FRACTION
    _set_active_at(client, interval - 5)  # not yet: no write
    assert _session_writes(client, "/patients/") == 0
    _set_active_at(client, interval + 1)
    half_left = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE / 2)
    Session.objects.update(expire_date=half_left)
    assert _session_writes(client, "/patients/") == 1
    restarted = (Session.objects.get().expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 5 < restarted <= settings.SESSION_COOKIE_AGE
    assert abs(client.session[ACTIVE_AT_KEY] - time.time()) < 5


def test_an_idle_session_still_ends_after_the_timeout(trial, login):
    import datetime as dt

    from django.utils import timezone

    client = login("inv_a")
    assert client.get("/patients/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_static_files_and_the_login_page_read_no_session(trial, login, client,
                                                         django_assert_num_queries):
    login("inv_a")
    with django_assert_num_queries(0):  # signed in: the session cookie is sent, never read
        assert client.get("/static/style.css").status_code == 200
    client.logout()
    with django_assert_num_queries(0):
        assert client.get("/login/").status_code == 200
        assert client.get("/static/style.css").status_code == 200
