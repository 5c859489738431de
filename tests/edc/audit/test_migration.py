"""Migration 0003 links the entries an existing database already holds into the chain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[3] / "src")

UPGRADE = """
import sys
from khetrial.edc.db import setup
setup(sys.argv[1], migrate=False)
from django.core.management import call_command
from django.db import connection
call_command("migrate", "audit", "0002", verbosity=0)
with connection.cursor() as cursor:
    for i in range(3):
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor, role, action, form, record_id, patient_id, "
            "site_code, field, old, new, reason, detail, ip) VALUES "
            "(%s, %s, '', 'export', '', '', '', '', '', '', '', '', '', '')",
            [f"2025-0{i + 1}-01 10:00:00.000001", f"user{i}"])
call_command("migrate", verbosity=0)
from khetrial.edc.audit.trail import record_event
from khetrial.edc.audit.verify import verify_trail
record_event("export", actor="after-upgrade")
report = verify_trail()
print(report.ok, report.checked)
with connection.cursor() as cursor:
    try:
        cursor.execute("DELETE FROM audit_auditentry")
        print("deleted")
    except Exception as error:
        print("refused:", error)
"""


@pytest.mark.slow
def test_entries_written_before_the_chain_existed_are_linked(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("KHETRIAL_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", UPGRADE, f"sqlite:///{tmp_path / 'old.sqlite3'}"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "True 4"  # 3 entries from before the upgrade + 1 after
    assert lines[1].startswith("refused:") and "append-only" in lines[1]
