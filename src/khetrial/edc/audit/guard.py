"""What lets SQLite's delete trigger on the audit tables through: only a test database's flush.

The triggers (migration 0003) refuse ``DELETE`` unless ``khetrial_may_flush()`` returns 1. That
function exists only on connections opened by khetrial (registered here on every new SQLite
connection); in any other program (the ``sqlite3`` shell, a script) the trigger fails with "no
such function", so the delete is refused there too. It returns 1 only inside :func:`flushing`,
which khetrial's ``flush`` command enters only on a database Django created for a test run:
test isolation (pytest-django's transactional tests empty every table between tests) keeps
working, and no command run on a real trial database can empty its trail.

Trade-off: code running inside a khetrial process could enter :func:`flushing` itself, and
whoever can write the file can drop the triggers; both are caught afterwards by the hash chain
(``khetrial audit verify``), not prevented. PostgreSQL needs none of this: its ``flush`` uses
``TRUNCATE`` (no row trigger fires), and the application role may not truncate at all.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

FUNCTION = "khetrial_may_flush"
_STATE = threading.local()


@contextmanager
def flushing():
    """Let this thread's deletes through the audit tables' triggers (test flush only)."""
    _STATE.on = True
    try:
        yield
    finally:
        _STATE.on = False


def may_flush() -> int:
    return 1 if getattr(_STATE, "on", False) else 0


def register(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give every new SQLite connection the function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 0, may_flush)


def is_test_database(connection) -> bool:
    """True on a database Django created for a test run (named as the test database is)."""
    return connection.settings_dict["NAME"] == connection.creation._get_test_db_name()
