"""Writing many rows fast, inside the caller's transaction: PostgreSQL ``COPY``, batched
``executemany`` elsewhere, and foreign keys checked once per table rather than once per row.

:func:`insert_columns` takes a table's rows as chunks of columns (one iterable per column).
On PostgreSQL the columns are ``COPY`` CSV cells (:func:`khetrial.edc.trial.convert.to_copy_cells`);
each chunk is joined into one text and written to one ``COPY`` per table through psycopg's
``cursor.copy()``: the server stores a chunk while the next one is built, and memory holds a
chunk, not the table.
Elsewhere (SQLite) the columns are Python values, zipped into rows and written with
``executemany``, :data:`BATCH_ROWS` at a time.

:func:`bulk_load`: PostgreSQL checks a (deferred) foreign key with one query per inserted row
at commit, 5 µs a row, which for two million laboratory rows is several times the ``COPY``
itself, and updates each index row by row. For a large load, when the connected role owns the
table, the table's foreign keys and its plain (not unique) indexes are dropped before its rows
are copied and made again (same names, same definitions) after: adding a key checks every row
in one join, and an index is built in one sort (PostgreSQL's manual, "Populating a Database").
All of it runs in the import's transaction, so a failure anywhere, the re-check included,
rolls the keys and indexes back with the rows; other sessions never see the table without
them (the ``ALTER TABLE`` lock is held until the commit, so they wait for the import instead).
A role that does not own the table (the ``khetrial_app`` role of ``khetrial db init``) keeps
the per-row checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

BATCH_ROWS = 5000  # rows per executemany batch (SQLite)
#: Rows of a table from which its foreign keys are checked once, after the load (project
#: choice: adding the key back reads the whole table, ~0.5 µs a row, against ~5 µs per row
#: checked one by one; below this the one-by-one checks cost less than a second).
BULK_CHECK_ROWS = 100_000


def insert_columns(db_table: str, names: list[str], chunks: Iterable[list[Iterable]]) -> None:
    """Insert rows given as chunks, each a list of columns (one iterable per name in
    ``names``; ``COPY`` CSV cells on PostgreSQL, Python values elsewhere). On PostgreSQL one
    ``COPY`` takes every chunk: the server stores a chunk while the next one is built."""
    quote = connection.ops.quote_name
    target = f"{quote(db_table)} ({', '.join(quote(c) for c in names)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} FROM STDIN WITH (FORMAT csv)") as copy:
                for columns in chunks:
                    copy.write("".join([",".join(row) + "\n" for row in zip(*columns)]))
            return
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"
        for columns in chunks:
            rows = zip(*columns)
            while batch := [row for _, row in zip(range(BATCH_ROWS), rows)]:
                cursor.executemany(sql, batch)


@contextmanager
def bulk_load(db_table: str, rows: int) -> Iterator[bool]:
    """Inside the block, ``db_table`` has no foreign keys and no plain indexes when ``rows``
    are many, the database is PostgreSQL and the connected role owns the table; they are made
    again (the keys checked over every row) when the block ends. Yields whether they were
    dropped. Must run inside a transaction (the import's)."""
    if rows < BULK_CHECK_ROWS or connection.vendor != "postgresql" or not _owns(db_table):
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                       [db_table])
        keys = cursor.fetchall()
        cursor.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
                       "FROM pg_index WHERE indrelid = %s::regclass AND NOT indisunique "
                       "AND NOT indisprimary ORDER BY 1", [db_table])
        indexes = cursor.fetchall()
        table = connection.ops.quote_name(db_table)
        # ALTER TABLE refuses a table with checks still pending (rows written earlier in the
        # transaction): run them now, then defer again (Django's keys are initially deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")  # regclass text: quoted where needed
    yield True
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT "
                           f"{connection.ops.quote_name(name)} {definition}")


def _owns(db_table: str) -> bool:
    """Whether the connected role owns ``db_table`` (directly or through a role it is in)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                       "WHERE oid = %s::regclass", [db_table])
        row = cursor.fetchone()
    return bool(row and row[0])
