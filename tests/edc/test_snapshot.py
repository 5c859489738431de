"""Exports read one consistent snapshot while imports run (issue 16 item 5).

Before, an import committed while ``export`` ran made it crash with a ``KeyError`` (the patient
keys were read before the rows). Here one process imports bundles of two new patients each,
while another exports again and again (slowed down between tables, so that imports commit in
the middle of an export). Every export must finish, and hold a whole number of imports: each
table's row count k times the row count of one bundle (the hand-made bundle of test_store.py:
2 patients, 5 labs, 3 screening rows ...).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from khetrial.edc import store
from tests.edc.test_store import bundle_of, small_tables

IMPORTS = 5
EXPORTS = 8

IMPORTER = """
import sys
from pathlib import Path
from khetrial.bundle import read_bundle
from khetrial.edc import db, store
db.setup(sys.argv[1])
for folder in sys.argv[2:]:
    store.import_bundle(read_bundle(Path(folder)))
"""

EXPORTER = """
import json, sys, time
from khetrial.edc import db, store
db.setup(sys.argv[1])
read = store._read_rows
def slow(*args, **kwargs):
    time.sleep(0.02)  # between tables: an import's commit lands inside the export
    return read(*args, **kwargs)
store._read_rows = slow
for _ in range(int(sys.argv[2])):
    bundle = store.export_bundle()
    ids = set(bundle.patients["patient_id"])
    for name, frame in bundle.tables.items():
        if name not in ("patients", "screening") and len(frame):
            missing = set(frame["patient_id"]) - ids
            assert not missing, (name, missing)
    print(json.dumps(bundle.counts()), flush=True)
"""


def _postgres_database():
    """A fresh database next to the test database on the PostgreSQL server in use (dropped
    afterwards), or None on SQLite."""
    url = os.environ.get("KHETRIAL_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    return url.rsplit("/", 1)[0], f"snapshot_{uuid.uuid4().hex[:12]}"


def _admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def database_url(tmp_path):
    pg = _postgres_database()
    if pg is None:
        yield f"sqlite:///{tmp_path / 'trial.sqlite3'}"
        return
    server, name = pg
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("KHETRIAL_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.db
@pytest.mark.slow
def test_exports_during_imports_finish_and_each_holds_whole_imports(database_url, tmp_path):
    one = {name: len(frame) for name, frame in small_tables().items()}
    folders = []
    for i in range(IMPORTS + 1):
        folder = tmp_path / f"bundle{i}"
        bundle_of(small_tables(prefix=f"Q{i}"), folder)
        folders.append(str(folder))
    first = _run(IMPORTER, database_url, folders[0])  # schema and a first import
    assert first.wait(timeout=120) == 0, first.stderr.read()
    importer = _run(IMPORTER, database_url, *folders[1:])
    exporter = _run(EXPORTER, database_url, str(EXPORTS))
    out, err = exporter.communicate(timeout=300)
    imported_err = importer.communicate(timeout=300)[1]
    assert importer.returncode == 0, imported_err
    assert exporter.returncode == 0, err
    assert "Traceback" not in err
    snapshots = [json.loads(line) for line in out.splitlines()]
    assert len(snapshots) == EXPORTS
    for counts in snapshots:
        k = counts["patients"] // one["patients"]
        assert 1 <= k <= IMPORTS + 1
        assert counts == {name: k * n for name, n in one.items()}, counts


@pytest.mark.django_db(transaction=True)
def test_snapshot_is_one_repeatable_read_transaction_and_ends_with_the_block():
    from django.db import connection

    with store.snapshot():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW transaction_isolation")
                assert cursor.fetchone()[0] == "repeatable read"
                cursor.execute("SHOW transaction_read_only")
                assert cursor.fetchone()[0] == "on"
            else:
                assert connection.connection.in_transaction
    if connection.vendor != "postgresql":
        assert not connection.connection.in_transaction
    assert not connection.in_atomic_block
