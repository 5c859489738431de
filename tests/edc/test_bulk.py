"""Bulk writing (khetrial.edc.bulk): who may drop a table's keys and indexes for a large load.

The round trip and the all-or-nothing behaviour of a bulk load are in test_store.py; here, the
rule of PostgreSQL's ALTER TABLE (only the table's owner may change its constraints, manual:
"ALTER TABLE", "You must own the table to use ALTER TABLE") and the threshold.
"""

from __future__ import annotations

import pytest
from django.db import connection

from khetrial.edc import bulk


def test_a_small_load_keeps_the_row_by_row_checks(db):
    with bulk.bulk_load("trial_labresult", bulk.BULK_CHECK_ROWS - 1) as load:
        assert load == bulk.Load()


def test_a_large_load_drops_keys_only_on_postgresql_as_the_tables_owner(db):
    with bulk.bulk_load("trial_labresult", bulk.BULK_CHECK_ROWS) as load:
        assert load.dropped is (connection.vendor == "postgresql")


def test_a_role_that_does_not_own_the_table_keeps_the_row_by_row_checks(db):
    if connection.vendor != "postgresql":
        pytest.skip("roles and owners are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE khetrial_test_not_owner")  # undone with the test's transaction
        cursor.execute("GRANT SELECT ON pg_class TO khetrial_test_not_owner")
        cursor.execute("SET LOCAL ROLE khetrial_test_not_owner")
        try:
            with bulk.bulk_load("trial_labresult", bulk.BULK_CHECK_ROWS) as load:
                assert load == bulk.Load()
        finally:
            cursor.execute("RESET ROLE")


def test_a_row_the_server_refuses_in_a_later_chunk_fails_the_insert_with_a_database_error(db):
    """The chunks go to the server from a second thread; its refusal comes back here, as
    Django's error (which the import turns into "the database refused the import")."""
    from django.db import DataError

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's (SQLite stores any text in an integer column)")
    chunks = [[['"labs"'], ['"a"'], ["1"]], [['"labs"'], ['"b"'], ["not a number"]]]
    sent = []

    def chunks_sent():
        for chunk in chunks:
            sent.append(chunk)
            yield chunk

    with pytest.raises(DataError, match="not a number"):
        bulk.insert_columns("trial_extracolumn", ["table", "name", "position"], chunks_sent())
    assert len(sent) == 2
