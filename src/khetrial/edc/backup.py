"""Backups of the trial database and restoring them: SQLite's online backup API, PostgreSQL's
``pg_dump``/``pg_restore`` in custom format. The caller checks the restored audit trail."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from khetrial.edc.db import normalize_url
from khetrial.errors import ConfigurationError, DatabaseError


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or ``None`` for PostgreSQL."""
    url = normalize_url(url)
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite:") else None


def backup(url: str, out: Path) -> str:
    """Copy the database at ``url`` to ``out`` (a new file) while it may be in use.

    Returns the kind written: ``"sqlite"`` (a database file) or ``"pg_dump"`` (custom format).
    """
    out = Path(out)
    if out.exists():
        raise ConfigurationError(f"backup file {out} exists already; give a new file name")
    source = sqlite_path(url)
    if source is not None:
        if not source.is_file():
            raise ConfigurationError(f"database file {source} does not exist; nothing to back up")
        with sqlite3.connect(_read_only(source), uri=True) as src, \
                sqlite3.connect(out) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return "sqlite"
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out),
          "--dbname", normalize_url(url)], "pg_dump")
    return "pg_dump"


def restore(backup_file: Path, url: str) -> str:
    """Restore ``backup_file`` into the database at ``url``, which must be new or empty."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise ConfigurationError(f"backup file {backup_file} does not exist")
    target = sqlite_path(url)
    is_sqlite = backup_file.read_bytes()[:16] == b"SQLite format 3\x00"
    if target is not None:
        if not is_sqlite:
            raise ConfigurationError(f"{backup_file} is not an SQLite backup; restore a pg_dump "
                                     "file into a postgresql:// database")
        if target.exists() and target.stat().st_size:
            raise DatabaseError(f"database file {target} exists and is not empty; restore into "
                                "a new file")
        with sqlite3.connect(_read_only(backup_file), uri=True) as src, \
                sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return "sqlite"
    if is_sqlite:
        raise ConfigurationError(f"{backup_file} is an SQLite file; restore it into an "
                                 "sqlite:/// database")
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
          "--dbname", normalize_url(url), str(backup_file)], "pg_restore")
    return "pg_dump"


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _run(command: list[str], name: str) -> None:
    if shutil.which(name) is None:
        raise ConfigurationError(f"{name} is not installed; install PostgreSQL's client tools")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise DatabaseError(f"{name} failed (exit {done.returncode}): {done.stderr.strip()}")
