"""``khetrial user add|list|disable`` on a fresh SQLite file."""

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
                      "active": False, "locked": False}]
