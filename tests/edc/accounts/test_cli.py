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
