"""``khetrial user add|list|disable|token|revoke-token`` and the key checks of ``serve``, on a
fresh SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _khetrial(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "khetrial", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_user_add_list_disable(tmp_path):
    db = str(tmp_path / "k.sqlite3")
    subprocess.run([sys.executable, "-c", "from khetrial.edc.db import setup; setup(%r);"
                    "from khetrial.edc.trial.models import Site; Site.objects.create(code='A')" % db],
                   check=True, timeout=120)
    r = _khetrial("user", "add", "alice", "--role", "investigator", "--site", "A",
                  "--password-stdin", "--db", db, "--json", stdin="long-password-123\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["site"] == "A"
    r = _khetrial("user", "add", "bob", "--role", "investigator", "--password-stdin",
                  "--db", db, stdin="long-password-123\n")
    assert r.returncode == 2 and "--site" in r.stderr
    assert _khetrial("user", "disable", "alice", "--db", db).returncode == 0
    users = json.loads(_khetrial("user", "list", "--db", db, "--json").stdout)["users"]
    assert users == [{"username": "alice", "role": "investigator", "site": "A",
                      "active": False, "locked": False, "person": "", "pending": False,
                      "must_change_password": False, "second_factor": False}]


def _fresh_db(tmp_path) -> str:
    db = str(tmp_path / "k.sqlite3")
    subprocess.run([sys.executable, "-c", "from khetrial.edc.db import setup; setup(%r)" % db],
                   check=True, timeout=120)
    return db


def test_user_token_expires_and_revoke_token_ends_it(tmp_path):
    db = _fresh_db(tmp_path)
    r = _khetrial("user", "add", "mon", "--role", "monitor", "--password-stdin", "--db", db,
                  stdin="long-password-123\n")
    assert r.returncode == 0, r.stderr
    r = _khetrial("user", "token", "mon", "--days", "400", "--db", db)
    assert r.returncode == 2 and "1 to 365 days" in r.stderr
    r = _khetrial("user", "token", "mon", "--days", "7", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    key = json.loads(r.stdout)["token"]
    check = ("from khetrial.edc.db import setup; setup(%r);"
             "from khetrial.edc.accounts.models import ApiToken;"
             "t = ApiToken.find(%r); print((t.expires_at - t.created_at).days if t else 'none')")
    out = subprocess.run([sys.executable, "-c", check % (db, key)], capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip() in {"6", "7"}  # 7 days less the instants between the two stamps
    r = _khetrial("user", "revoke-token", "mon", "--db", db, "--json")
    assert json.loads(r.stdout) == {"user": "mon", "revoked": 1}
    out = subprocess.run([sys.executable, "-c", check % (db, key)], capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip() == "none"


def test_serve_refuses_the_development_key_off_loopback(tmp_path, monkeypatch):
    from khetrial.edc.accounts.secret_key import DEVELOPMENT_KEY

    db = _fresh_db(tmp_path)
    monkeypatch.setenv("KHETRIAL_SECRET_KEY", DEVELOPMENT_KEY)
    r = _khetrial("serve", "--db", db, "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 2 and "development SECRET_KEY" in r.stderr


def test_serve_creates_a_private_key_file_beside_the_database(tmp_path, monkeypatch):
    db = _fresh_db(tmp_path)
    monkeypatch.delenv("KHETRIAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("KHETRIAL_SECRET_KEY_FILE", raising=False)
    # port -1 makes waitress fail after the key checks, so the test has no server to stop
    _khetrial("serve", "--db", db, "--host", "0.0.0.0", "--port", "-1")
    key_file = tmp_path / "k.sqlite3.secret-key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    assert len(key_file.read_text().strip()) >= 50


def _python(db: str, code: str) -> str:
    """Run ``code`` with Django set up on ``db``; its standard output."""
    out = subprocess.run([sys.executable, "-c", f"from khetrial.edc.db import setup; "
                          f"setup({db!r}); {code}"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_user_unlock_reset_password_enable_remove_second_factor_and_set_role_are_audited(
        tmp_path):
    db = str(tmp_path / "k.sqlite3")
    subprocess.run([sys.executable, "-c", "from khetrial.edc.db import setup; setup(%r);"
                    "from khetrial.edc.trial.models import Site; Site.objects.create(code='A');"
                    "Site.objects.create(code='B')" % db], check=True, timeout=120)
    r = _khetrial("user", "add", "alice", "--role", "investigator", "--site", "A",
                  "--password-stdin", "--db", db, stdin="long-password-123\n")
    assert r.returncode == 0, r.stderr
    # five failed logins from one address lock alice there (MAX_FAILED_LOGINS, roles.py)
    _python(db, "from khetrial.edc.accounts.throttle import register_failure as f; "
                "[f('alice', '10.0.0.9') for _ in range(5)]")
    users = json.loads(_khetrial("user", "list", "--db", db, "--json").stdout)["users"]
    assert users[0]["locked"] is True
    r = _khetrial("user", "unlock", "alice", "--db", db, "--json")
    assert json.loads(r.stdout) == {"user": "alice", "unlocked": 1}
    r = _khetrial("user", "reset-password", "alice", "--db", db, "--json")
    temporary = json.loads(r.stdout)["temporary_password"]
    assert len(temporary) == 19  # 4 groups of 4 and 3 dashes (services.TEMPORARY_GROUPS)
    assert _python(db, "from django.contrib.auth import authenticate as a; "
                       f"u = a(username='alice', password={temporary!r}); "
                       "print(u.profile.must_change_password)") == "True"
    assert _khetrial("user", "disable", "alice", "--db", db).returncode == 0
    assert _khetrial("user", "enable", "alice", "--db", db).returncode == 0
    r = _khetrial("user", "enable", "alice", "--db", db)
    assert r.returncode == 2 and "already enabled" in r.stderr
    _python(db, "from django_otp.plugins.otp_totp.models import TOTPDevice as D; "
                "from django.contrib.auth.models import User; "
                "D.objects.create(user=User.objects.get(username='alice'), confirmed=True)")
    r = _khetrial("user", "remove-second-factor", "alice", "--db", db, "--json")
    assert json.loads(r.stdout) == {"user": "alice", "removed": 1}
    r = _khetrial("user", "set-role", "alice", "--role", "investigator", "--db", db)
    assert r.returncode == 2 and "--site" in r.stderr  # the CLI names its option
    r = _khetrial("user", "set-role", "alice", "--role", "investigator", "--site", "B",
                  "--db", db, "--json")
    assert json.loads(r.stdout)["site"] == "B"
    details = _python(db, "from khetrial.edc.audit.models import AuditEntry as E; "
                          "print('|'.join(E.objects.filter(action='role_change', actor='cli', "
                          "record_id='alice').order_by('id').values_list('detail', flat=True)))")
    assert details.split("|")[1:] == [
        "alice: unlocked (1 locked address(es) cleared)",
        "alice: password reset; a temporary password must be changed at the next login",
        "alice: disabled", "alice: enabled", "alice: second factor removed (1 device(s))",
        "alice: investigator A -> investigator B"]


def test_warm_computes_the_day_of_every_site_into_the_shared_cache(tmp_path):
    db = str(tmp_path / "k.sqlite3")
    subprocess.run([sys.executable, "-c", "from khetrial.edc.db import setup; setup(%r);"
                    "from khetrial.edc.trial.models import Site; Site.objects.create(code='A');"
                    "Site.objects.create(code='B')" % db], check=True, timeout=120)
    r = _khetrial("warm", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "investigator A: 0 patients" in r.stdout and "investigator B: 0 patients" in r.stdout
    assert "statistician: 0 patients" in r.stdout
