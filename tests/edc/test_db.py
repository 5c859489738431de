"""First-run migrations that a kill -9 cannot leave half done (issue 16, item 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

# Dies by SIGKILL the moment Django records audit.0001 as applied: before the fix the audit
# tables were committed by then (the migration creates indexes, so Django records it after its
# commit) and every later run failed with "table audit_auditentry already exists".
KILL_DURING_FIRST_MIGRATE = """
import os, signal, sys
from django.db.migrations.recorder import MigrationRecorder
real = MigrationRecorder.record_applied
def record_applied(self, app, name):
    if (app, name) == ("audit", "0001_initial"):
        os.kill(os.getpid(), signal.SIGKILL)
    real(self, app, name)
MigrationRecorder.record_applied = record_applied
from khetrial.edc.db import setup
setup(sys.argv[1])
"""


def _python(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("KHETRIAL_DATABASE_URL", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.slow
def test_a_first_migrate_killed_midway_leaves_a_database_the_next_run_opens(tmp_path):
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    killed = _python("-c", KILL_DURING_FIRST_MIGRATE, url)
    assert killed.returncode == -signal.SIGKILL
    again = _python("-m", "khetrial", "audit", "verify", "--db", url)
    assert again.returncode == 0, again.stderr
    assert "audit trail intact: 0 entries" in again.stdout
