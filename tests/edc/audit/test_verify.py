"""The stored trail: one chain however it was written; tampering around the triggers found;
deleting is refused on SQLite as updating is; the lock survives a deleted lock row."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DatabaseError as DjangoDatabaseError
from django.db import connection, transaction

from khetrial.edc.audit.trail import is_locked, record_event, set_lock
from khetrial.edc.audit.verify import verify_trail

SQLITE = connection.vendor == "sqlite"


def _events(n: int = 5) -> None:
    for i in range(n):
        record_event("export", actor=f"user{i}", detail=f"export {i}")


def _raw(*statements: str) -> None:
    """Tamper as someone with the database's owner rights would: triggers off, then SQL."""
    with connection.cursor() as cursor:
        if SQLITE:
            for op in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_auditentry_no_{op}")
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_lockevent_no_{op}")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_lockevent DISABLE TRIGGER USER")
        for statement in statements:
            cursor.execute(statement)


def _ids() -> list[int]:
    from khetrial.edc.audit.models import AuditEntry

    return sorted(AuditEntry.objects.values_list("id", flat=True))


def test_entries_written_through_every_path_form_one_intact_chain(db):
    _events()
    set_lock(True, actor="stat", reason="final analysis")
    report = verify_trail()
    assert report.ok and report.checked == 6  # 5 export entries + 1 lock entry, by count


@pytest.mark.parametrize("tamper, found", [
    ("UPDATE audit_auditentry SET reason = 'x' WHERE id = {2}", "content changed"),
    ("DELETE FROM audit_auditentry WHERE id = {2}", "deleted or one was inserted"),
    ("DELETE FROM audit_auditentry WHERE id = {0}", "first entries were deleted"),
    ("UPDATE audit_auditentry SET at = '2020-01-01 00:00:00' WHERE id = {1}", "content changed"),
])
def test_tampering_around_the_triggers_is_found(db, tamper, found):
    _events()
    ids = _ids()
    _raw(tamper.format(*ids))
    report = verify_trail()
    assert not report.ok and found in report.problem


@pytest.mark.skipif(not SQLITE, reason="SQLite's AUTOINCREMENT counter")
def test_deleting_the_last_entries_is_found_on_sqlite(db):
    _events()
    _raw(f"DELETE FROM audit_auditentry WHERE id >= {_ids()[3]}")
    assert "were deleted" in verify_trail().problem


def test_a_forged_inserted_entry_is_found(db):
    _events()
    first = _ids()[0]
    _raw(f"INSERT INTO audit_auditentry (at, actor, role, action, form, record_id, patient_id,"
         f" site_code, field, old, new, reason, detail, ip, prev_hash, hash) SELECT at, "
         f"'mallory', role, action, form, record_id, patient_id, site_code, field, old, new, "
         f"reason, detail, ip, hash, hash FROM audit_auditentry WHERE id = {first}")
    assert not verify_trail().ok


@pytest.mark.skipif(not SQLITE, reason="the SQLite delete trigger")
def test_raw_delete_is_refused_on_sqlite(db):
    set_lock(True, actor="stat", reason="final analysis")  # a row in each table
    with pytest.raises(DjangoDatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
    with pytest.raises(DjangoDatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_lockevent")


def test_deleting_the_lock_row_does_not_unlock(db):
    set_lock(True, actor="stat", reason="final analysis")
    _raw("DELETE FROM audit_lockevent")
    assert is_locked()


def test_another_program_cannot_delete_from_the_sqlite_file(tmp_path):
    """The trigger's function exists only in khetrial's connections: the sqlite3 module (as the
    sqlite3 shell) gets an error, not an empty trail."""
    path = tmp_path / "t.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE audit_auditentry (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT);"
        "INSERT INTO audit_auditentry (x) VALUES ('a');"
        "CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry WHEN NOT "
        "khetrial_may_flush() BEGIN SELECT RAISE(ABORT, 'append-only'); END;")
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        con.execute("DELETE FROM audit_auditentry")
    con.close()


def test_a_transactional_test_still_gets_a_clean_database(transactional_db):
    """pytest-django empties the tables after this test with ``flush``; on SQLite that passes
    the delete trigger only because this is a test database (khetrial's flush command)."""
    _events(2)
    assert verify_trail().ok
