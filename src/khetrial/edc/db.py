"""Which database khetrial talks to, and bringing Django up on it.

The command line, the Python API and the web application share one database, named by a URL:
``sqlite:///path/to/file.sqlite3`` (the embedded default, ``khetrial.sqlite3`` in the working
folder) or ``postgresql://user@host:port/dbname`` for a multi-centre deployment.
"""

from __future__ import annotations

import os
from pathlib import Path

from khetrial.errors import ConfigurationError

DEFAULT_SQLITE_FILE = "khetrial.sqlite3"
URL_ENV = "KHETRIAL_DATABASE_URL"
SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
# A bare path that does not exist yet is taken for a new SQLite file only with one of these
# endings (project choice): anything else (`--db notaurl`) is refused, not created.
SQLITE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
SQLITE_HEADER = b"SQLite format 3\x00"
PERSISTENT_CONNECTION_SECONDS = 600
"""Project choice: how long a server thread reuses its PostgreSQL connection (then reopens it)."""
ALLOWED = ("sqlite:///path/file.sqlite3, postgresql://user@host:5432/dbname, "
           "or the path of an existing SQLite file")


def normalize_url(url: str | None) -> str:
    """Return a full database URL; a bare file path means an SQLite file."""
    if not url:
        return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a full ``sqlite:///`` URL, or ``None`` for another database."""
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite:///") else None


def _is_sqlite_file(path: Path) -> bool:
    """An existing file that SQLite can open: empty, or starting with SQLite's header."""
    if not path.is_file():
        return False
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    return head in (b"", SQLITE_HEADER)


def checked_url(value: str | None, *, create: bool, name: str = "--db") -> str:
    """The full database URL for a ``--db`` value, or a :class:`ConfigurationError` saying why not.

    ``value`` ``None`` means $KHETRIAL_DATABASE_URL, else ``./khetrial.sqlite3``. Accepted: an
    ``sqlite:///`` or ``postgresql://`` URL, the path of an existing SQLite file, and (when
    ``create``) a new path ending in .sqlite3, .sqlite or .db. A command that only reads
    (``create`` false) never creates a database: an SQLite file that does not exist is refused.
    """
    source = name if value else (f"${URL_ENV}" if os.environ.get(URL_ENV) else "the default database")
    raw = value or os.environ.get(URL_ENV)
    if raw and "://" not in raw:
        path = Path(raw)
        if path.exists() and not _is_sqlite_file(path):
            raise ConfigurationError(f"{source}: got {raw!r}, which is not an SQLite database file; "
                                     f"expected {ALLOWED}")
        if not path.exists() and not (create and path.suffix in SQLITE_SUFFIXES):
            raise ConfigurationError(f"{source}: got {raw!r}, which is neither a database URL nor an "
                                     f"existing file; expected {ALLOWED}")
    if raw and "://" in raw:
        scheme = raw.split("://", 1)[0]
        if scheme not in SCHEMES or (scheme == "sqlite" and not raw.startswith("sqlite:///")):
            raise ConfigurationError(f"{source}: got {safe_url(raw)!r}; expected {ALLOWED}")
    url = normalize_url(raw)
    path = sqlite_file(url)
    if path is not None and not create and not _is_sqlite_file(path):
        hint = ("; import a bundle first (khetrial import BUNDLE) or give --db"
                if not value else "; a command that only reads never creates a database")
        raise ConfigurationError(f"{source}: got {safe_url(url)!r}, but {path} "
                                 + ("is not an SQLite database file" if path.exists() else "does not exist")
                                 + hint)
    return url


def current_url() -> str:
    """The URL in use: $KHETRIAL_DATABASE_URL, else the default SQLite file."""
    return normalize_url(os.environ.get(URL_ENV))


def safe_url(url: str | None) -> str:
    """The URL without a password (for messages)."""
    url = normalize_url(url)
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


def database_config(url: str | None) -> dict:
    """Django's DATABASES entry for a URL (SQLite in IMMEDIATE transaction mode)."""
    import dj_database_url

    url = normalize_url(url)
    scheme = url.split("://", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigurationError(
            f"database URL {url!r}: scheme {scheme!r} is not supported; "
            "use sqlite:///path/file.sqlite3 or postgresql://user@host:5432/dbname"
        )
    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("sqlite3"):
        # A server thread keeps its PostgreSQL connection between requests (opening one costs
        # a server process and an authentication each time), checked before it is reused.
        config["CONN_MAX_AGE"] = PERSISTENT_CONNECTION_SECONDS
        config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"].endswith("sqlite3"):
        # IMMEDIATE takes the write lock when a transaction starts, so two writers never
        # interleave (central randomization relies on it); a busy timeout waits instead of failing.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    return config


def setup(url: str | None = None, *, migrate: bool = True) -> str:
    """Bring Django up on the database at ``url`` (or $KHETRIAL_DATABASE_URL, or the default).

    Applies migrations unless ``migrate`` is false. Returns the URL in use. Call once per
    process, before touching any model.
    """
    import django
    from django.conf import settings

    if url:
        os.environ[URL_ENV] = normalize_url(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khetrial.edc.settings")
    if not settings.configured or not getattr(django.apps.apps, "ready", False):
        django.setup()
    if migrate:
        apply_migrations()
    return normalize_url(os.environ.get(URL_ENV))


def apply_migrations() -> None:
    """Create or upgrade the schema, quietly; on SQLite all or nothing.

    Django commits each migration on its own, and one with deferred SQL (indexes) is even
    recorded after its commit: a kill in between left tables no migration run could create
    again ("table audit_auditentry already exists", issue 16). On SQLite every pending
    migration therefore runs in one transaction (foreign-key checks off while it runs, as
    Django's SQLite schema editor needs, then checked): a killed first run leaves an empty
    database. ``fake_initial`` lets a database left half-created by an earlier version resume.
    PostgreSQL rolls back each migration's DDL with it and is left to Django.
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    try:
        if connection.vendor != "sqlite":
            call_command("migrate", interactive=False, verbosity=0, fake_initial=True)
            return
        connection.disable_constraint_checking()
        try:
            with transaction.atomic():
                call_command("migrate", interactive=False, verbosity=0, fake_initial=True)
                connection.check_constraints()
        finally:
            connection.enable_constraint_checking()
    except Exception as exc:  # connection refused, permission denied, bad file path
        from django.db import DatabaseError as DjangoDatabaseError
        from django.db import OperationalError

        if isinstance(exc, (OperationalError, DjangoDatabaseError)):
            raise ConfigurationError(f"cannot open the database: {exc}") from exc
        raise
