"""``khetrial audit verify``, ``backup`` and ``restore``: a restore drill on SQLite and
PostgreSQL, and tampering that ``audit verify`` finds (exit 2)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")
PG = os.environ.get("KHETRIAL_DATABASE_URL", "")
ON_PG = PG.split(":")[0] in ("postgresql", "postgres")


def _khetrial(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200"}
    env.pop("KHETRIAL_DATABASE_URL", None)
    if url:
        env["KHETRIAL_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "khetrial", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def _trial(url: str, bundle: Path) -> None:
    done = _khetrial("import", str(bundle), "--db", url, "--user", "dm")
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_restore_drill_on_sqlite_and_tampering_found(tmp_path, example_bundle_dir):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    _trial(url, example_bundle_dir)
    assert _khetrial("audit", "verify", "--db", url).returncode == 0
    backup = tmp_path / "trial.backup"
    done = _khetrial("backup", str(backup), "--db", url)
    assert done.returncode == 0, done.stderr
    assert _khetrial("backup", str(backup), "--db", url).returncode != 0  # never overwrites
    restored = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    done = _khetrial("restore", str(backup), "--db", restored, "--json")
    assert done.returncode == 0, done.stderr
    assert '"ok": true' in done.stdout
    with sqlite3.connect(tmp_path / "live.sqlite3") as con:
        n_live = con.execute("SELECT count(*) FROM trial_patient").fetchone()[0]
        con.execute("DROP TRIGGER audit_auditentry_no_update")  # an attacker with the file
        con.execute("UPDATE audit_auditentry SET actor = 'someone else' WHERE id = 2")
    with sqlite3.connect(tmp_path / "restored.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM trial_patient").fetchone()[0] == n_live > 0
    broken = _khetrial("audit", "verify", "--db", url)
    assert broken.returncode == 2 and "entry 2: content changed" in broken.stderr


@pytest.mark.slow
@pytest.mark.skipif(not ON_PG, reason="pg_dump/pg_restore: the PostgreSQL pass")
def test_restore_drill_on_postgresql(tmp_path, example_bundle_dir):
    import psycopg

    base = PG.rsplit("/", 1)[0]
    names = [f"trust_drill_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(PG.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            live, restored = (f"{base}/{n}" for n in names)
            _trial(live, example_bundle_dir)
            backup = tmp_path / "trial.dump"
            done = _khetrial("backup", str(backup), "--db", live)
            assert done.returncode == 0, done.stderr
            done = _khetrial("restore", str(backup), "--db", restored)
            assert done.returncode == 0, done.stderr
            assert "audit trail intact" in done.stdout
        finally:
            for name in names:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
