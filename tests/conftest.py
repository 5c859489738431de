"""Shared fixtures. Database tests are marked ``db``; ``make test`` runs them on SQLite and
again with ``KHETRIAL_DATABASE_URL`` pointing at PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# One terminal width for every test, set before the CLI's Rich consoles are created (they read
# $COLUMNS then, else fall back to 80): table output must not depend on the machine running the
# tests. A test about another width sets the console's width itself.
os.environ["COLUMNS"] = "120"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"khetrial database under test: {engine}"


def pytest_collection_modifyitems(config, items):
    """A test that uses the database is a ``db`` test, whether or not it says so."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"db", "transactional_db", "django_db_setup", "client", "admin_client",
                       "live_server"} or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def example_bundle_dir() -> Path:
    """The hand-written example bundle under examples/ (read-only: copy before changing)."""
    return EXAMPLES / "bundle"


@pytest.fixture
def output_dir(request) -> Path:
    """A folder under test-output/ named after the test, kept after the run (screenshots...)."""
    path = ROOT / "test-output" / request.node.name.replace("/", "_")
    path.mkdir(parents=True, exist_ok=True)
    return path


def pass_second_factor(client, username: str):
    """Give ``username`` a confirmed authenticator (if none) and mark ``client``'s session as
    having passed the second factor, as the verification page does (django-otp's session key).

    Administrators and the emergency-unblinding pages require it (issue 15); tests that log
    in with ``client.login`` call this next. Returns the device (``totp_code`` gives a code)."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="test", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_code(device) -> str:
    """The device's current 6-digit code (RFC 6238, as the phone would show it); a code is
    accepted once, and a wrong one makes the next attempt wait, so the device's last used step
    and its failures are forgotten first (tests log in often and try wrong codes)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save(update_fields=["last_t", "throttling_failure_count",
                               "throttling_failure_timestamp"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def in_thread(fn):
    """``fn()`` run in a thread of its own, its database connection closed after.

    Browser tests read the database beside Playwright, whose event loop runs in the test's
    thread (Django refuses database calls there, and a connection opened in that context would
    outlive the test and block the test database's removal on PostgreSQL)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


CHROMIUM = "/usr/bin/chromium"
# Flags for a root, offline, headless machine: without the background-networking ones Chromium
# keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def chromium() -> dict:
    """Playwright launch options for Debian's chromium (``p.chromium.launch(**chromium)``).

    Without chromium a browser test is skipped on a developer's machine (``make browser``
    installs it) but fails in CI, where ``make test`` must have installed it."""
    import shutil

    if shutil.which("chromium") is None or not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (make browser installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
