"""``khetrial db init`` on PostgreSQL: the application role cannot rewrite the audit trail
(issue 16, item 7: the owner role could TRUNCATE, disable triggers, set
session_replication_role)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from khetrial.edc.roles import check_role_name
from khetrial.errors import ConfigurationError

SRC = str(Path(__file__).resolve().parents[2] / "src")
PG = os.environ.get("KHETRIAL_DATABASE_URL", "")
ON_PG = PG.split(":")[0] in ("postgresql", "postgres")


@pytest.mark.parametrize("name", ["", "Khetrial", "1app", "app; DROP TABLE x", "a" * 64])
def test_role_names_are_plain_identifiers(name):
    with pytest.raises(ConfigurationError, match="role name"):
        check_role_name(name)


def _khetrial(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC, "KHETRIAL_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "khetrial", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.mark.slow
@pytest.mark.skipif(not ON_PG, reason="PostgreSQL roles: the PostgreSQL pass")
def test_the_application_role_cannot_delete_truncate_or_disable_the_audit_trail(
        example_bundle_dir):
    import psycopg

    tag = uuid.uuid4().hex[:8]
    name, owner, app = f"trust_roles_{tag}", f"trust_owner_{tag}", f"trust_app_{tag}"
    server = PG.rsplit("/", 1)[0]
    admin_url, host = f"{server}/{name}", server.rsplit("@", 1)[1]
    app_url = f"postgresql://{app}:pw-{tag}@{host}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            done = _khetrial("db", "init", "--db", admin_url, "--owner", owner, "--app", app,
                             "--app-password", f"pw-{tag}", url=admin_url)
            assert done.returncode == 0, done.stderr
            done = _khetrial("import", str(example_bundle_dir), "--user", "dm", url=app_url)
            assert done.returncode == 0, done.stderr  # the application writes through its role
            refused = 0
            with psycopg.connect(app_url, autocommit=True) as con:
                for attack in ("DELETE FROM audit_auditentry", "TRUNCATE audit_auditentry",
                               "UPDATE audit_auditentry SET reason = 'x'",
                               "DELETE FROM audit_lockevent",
                               "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
                               "SET session_replication_role = replica",
                               "DROP TABLE audit_auditentry"):
                    with pytest.raises(psycopg.Error):
                        con.execute(attack)
                    refused += 1
                assert con.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] > 0
            assert refused == 7
            assert _khetrial("audit", "verify", url=app_url).returncode == 0
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in (app, owner):
                admin.execute(f"DROP ROLE IF EXISTS {role}")
