"""Writing many rows fast, inside the caller's transaction: PostgreSQL ``COPY``, batched
``executemany`` elsewhere, and foreign keys checked once per table rather than once per row.

:func:`insert_columns` takes a table's rows as chunks of columns (one iterable per column).
On PostgreSQL the columns are ``COPY`` CSV cells (:func:`khetrial.edc.trial.convert.to_copy_cells`);
each chunk is joined into one text and written to one ``COPY`` per table through psycopg's
``cursor.copy()``, by a second thread: the server stores a chunk while this one builds the
next, and memory holds a few chunks, not the table.
Elsewhere (SQLite) the columns are Python values, zipped into rows and written with
``executemany``, :data:`BATCH_ROWS` at a time.

:func:`bulk_load`: PostgreSQL checks a (deferred) foreign key with one query per inserted row
at commit, 5 µs a row, which for two million laboratory rows is several times the ``COPY``
itself, and updates each index row by row. For a large load, when the connected role owns the
table, the table's foreign keys, its plain (not unique) indexes and its primary key (unless
another table's key refers to it) are dropped before its rows are copied and made again (same
names, same definitions) after: adding a key checks every row in one join, and an index is
built in one sort (PostgreSQL's manual, "Populating a Database"). The rows' ids are reserved
at once and given by ``COPY``, and the bookkeeping columns that are the same in every row are,
for the load, the columns' defaults, which ``COPY`` then leaves out: a lab row is sent and
parsed as 6 cells instead of 11 (a timestamp twice and a JSON text among those left out).
All of it runs in the import's transaction, so a failure anywhere, the re-check included,
rolls the keys and indexes back with the rows; other sessions never see the table without
them (the ``ALTER TABLE`` lock is held until the commit, so they wait for the import instead).
A role that does not own the table (the ``khetrial_app`` role of ``khetrial db init``) keeps
the per-row checks.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

BATCH_ROWS = 5000  # rows per executemany batch (SQLite)
SENT_AHEAD = 2  # COPY chunks built and waiting to be sent, at most (memory: a few MB)
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
            texts = ("".join([",".join(row) + "\n" for row in zip(*columns)]).encode()
                     for columns in chunks)
            with connection.wrap_database_errors:  # the driver's errors as Django's
                _copy(cursor.cursor, f"COPY {target} FROM STDIN WITH (FORMAT csv)", texts)
            return
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"
        for columns in chunks:
            rows = zip(*columns)
            while batch := [row for _, row in zip(range(BATCH_ROWS), rows)]:
                cursor.executemany(sql, batch)


def _copy(cursor, statement: str, texts: Iterable[bytes]) -> None:
    """Run the ``COPY ... FROM STDIN`` ``statement`` with the data ``texts``, each sent by a
    thread while this one builds the next (at most :data:`SENT_AHEAD` wait): the server
    stores a chunk while the next is built. A failure on either side ends the ``COPY`` with
    it (the server's ``COPY`` fails, the transaction with it) and is raised here."""
    with cursor.copy(statement) as copy:
        pending: queue.Queue[bytes | None] = queue.Queue(maxsize=SENT_AHEAD)
        failed: list[BaseException] = []

        def send() -> None:
            try:
                while (data := pending.get()) is not None:
                    copy.write(data)
            except BaseException as error:  # raised below, in the caller's thread
                failed.append(error)
                while pending.get() is not None:  # let the builder finish
                    pass

        sender = threading.Thread(target=send, name="copy sender", daemon=True)
        sender.start()
        try:
            for text in texts:
                if failed:
                    break
                pending.put(text)
        finally:
            pending.put(None)
            sender.join()
        if failed:
            raise failed[0]


@dataclass(frozen=True)
class Load:
    """How :func:`bulk_load` made a table ready for many rows.

    ``dropped``: its foreign keys, plain indexes and (when no other table refers to it)
    primary key are dropped (made again after the rows);
    ``first_id``: the rows' ids are reserved, ``first_id``, ``first_id + 1``, ... in row order,
    so ``COPY`` gives them instead of drawing each from the sequence (``None``: the table's
    default draws them); ``defaulted``: the columns of ``constants`` that are, for the load,
    the columns' defaults, so ``COPY`` leaves them out (the server neither reads nor parses a
    timestamp, a JSON text and three constants per row)."""

    dropped: bool = False
    first_id: int | None = None
    defaulted: frozenset[str] = frozenset()


@contextmanager
def bulk_load(db_table: str, rows: int,
              constants: Mapping[str, str | None] | None = None) -> Iterator[Load]:
    """Inside the block, ``db_table`` has no foreign keys, no plain indexes and no primary key
    (unless another table's key refers to it) when ``rows`` are many, the database is
    PostgreSQL and the connected role owns the table; they are made again (the keys checked
    over every row) when the block ends (:func:`rebuild`). Then, too,
    ``rows`` ids are reserved from the table's identity sequence and ``constants`` (column ->
    its value as ``COPY`` text, ``None`` = NULL, the same in every row) are the columns'
    defaults for the block; their own defaults come back at its end. Yields a :class:`Load`.
    Must run inside a transaction (the import's)."""
    if rows < BULK_CHECK_ROWS or connection.vendor != "postgresql" or not _owns(db_table):
        yield Load()
        return
    table = connection.ops.quote_name(db_table)
    constants = dict(constants or {})
    with connection.cursor() as cursor:
        # Held until the commit: no other session writes the table (nor draws its ids) or
        # sees it without its keys meanwhile; they wait for the import.
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        # Its foreign keys, and its primary key when no other table's key refers to it: the
        # primary key's index is then built in one sort too, not row by row.
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint c "
                       "WHERE conrelid = %s::regclass AND (contype = 'f' OR contype = 'p' "
                       "AND NOT EXISTS (SELECT FROM pg_constraint r WHERE r.contype = 'f' "
                       "AND r.confrelid = c.conrelid)) ORDER BY contype = 'f', conname",
                       [db_table])
        keys = cursor.fetchall()
        cursor.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
                       "FROM pg_index WHERE indrelid = %s::regclass AND NOT indisunique "
                       "AND NOT indisprimary ORDER BY 1", [db_table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                       "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                       "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
                       [db_table, list(constants)])
        defaults = dict(cursor.fetchall())
        # ALTER TABLE refuses a table with checks still pending (rows written earlier in the
        # transaction): run them now, then defer again (Django's keys are initially deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")  # regclass text: quoted where needed
        _set_defaults(cursor, table, {c: v for c, v in constants.items() if c in defaults},
                      literal=True)
        first_id = _reserve_ids(cursor, db_table, rows)
    yield Load(True, first_id, frozenset(c for c in constants if c in defaults))
    rebuild(db_table, keys, indexes, defaults)


def rebuild(db_table: str, keys: list[tuple[str, str]], indexes: list[tuple[str, str]],
            defaults: Mapping[str, str | None]) -> None:
    """After a bulk load: the columns' own ``defaults`` (SQL expressions, ``None`` = none)
    back, the primary key and each index built again in one sort, each foreign key added back
    (checked over every row in one join); ``keys``: the primary key first, as dropped."""
    table = connection.ops.quote_name(db_table)
    with connection.cursor() as cursor:
        _set_defaults(cursor, table, defaults, literal=False)
        primary = [key for key in keys if key[1].startswith("PRIMARY KEY")]
        foreign = [key for key in keys if key not in primary]
        for name, definition in primary:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT "
                           f"{connection.ops.quote_name(name)} {definition}")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT "
                           f"{connection.ops.quote_name(name)} {definition}")


def _set_defaults(cursor, table: str, defaults: Mapping[str, str | None], *,
                  literal: bool) -> None:
    """``ALTER TABLE`` setting each column's default: a value as ``COPY`` text (``literal``;
    the column's type reads it as ``COPY`` would) or an SQL expression; ``None`` = no default
    (NULL)."""
    if not defaults:
        return
    quote = connection.ops.quote_name
    actions = []
    for column, value in defaults.items():
        if value is None:
            actions.append(f"ALTER COLUMN {quote(column)} DROP DEFAULT")
        elif literal:
            actions.append(connection.ops.compose_sql(
                f"ALTER COLUMN {quote(column)} SET DEFAULT %s", [value]))
        else:
            actions.append(f"ALTER COLUMN {quote(column)} SET DEFAULT {value}")
    cursor.execute(f"ALTER TABLE {table} {', '.join(actions)}")


def _reserve_ids(cursor, db_table: str, rows: int) -> int | None:
    """The first of ``rows`` consecutive ids taken at once from the sequence of the table's
    ``id`` identity column (``GENERATED BY DEFAULT``, step 1), which then goes on after them,
    as ``rows`` draws of ``nextval`` would leave it; ``None`` when the table has no such
    column. The caller holds the table's lock, so no other session draws meanwhile."""
    cursor.execute("SELECT s.seqrelid::regclass::text FROM pg_attribute a "
                   "JOIN pg_depend d ON d.refobjid = a.attrelid AND d.refobjsubid = a.attnum "
                   "AND d.classid = 'pg_class'::regclass AND d.deptype = 'i' "
                   "JOIN pg_sequence s ON s.seqrelid = d.objid "
                   "WHERE a.attrelid = %s::regclass AND a.attname = 'id' "
                   "AND a.attidentity = 'd' AND s.seqincrement = 1", [db_table])
    row = cursor.fetchone()
    if row is None:
        return None
    cursor.execute("SELECT nextval(%s)", [row[0]])
    first = cursor.fetchone()[0]
    if rows > 1:
        cursor.execute("SELECT setval(%s, %s)", [row[0], first + rows - 1])
    return first


def _owns(db_table: str) -> bool:
    """Whether the connected role owns ``db_table`` (directly or through a role it is in)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                       "WHERE oid = %s::regclass", [db_table])
        row = cursor.fetchone()
    return bool(row and row[0])
