"""The ``khetrial`` Typer application and the one place errors become exit codes.

Command modules (``data``, ``analysis``, ``protocol``, ``demo``, ``design``, ``web``) register
their commands on :data:`app`. Heavy imports (pandas, Django) happen inside the commands so that
``khetrial --help`` stays fast.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from datetime import date
from typing import Iterator

import typer
from rich.console import Console

from khetrial.edc.db import checked_url

app = typer.Typer(
    name="khetrial",
    help="Run and analyse randomized trials in kaposiform hemangioendothelioma with KMP.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
# soft_wrap: messages (paths, file:line references) stay on one line whatever the terminal's
# width, so they can be copied and searched; tables still fit the width.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DB_HELP = ("Database URL (sqlite:///file or postgresql://user@host/db) or an existing SQLite file; "
           "default $KHETRIAL_DATABASE_URL or ./khetrial.sqlite3.")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str | date) -> date:
    """A calendar date written YYYY-MM-DD, for every date option (``parser=parse_date``);
    anything else is a usage error (exit 2) in words, e.g. "got 2026-02-30, which is not a
    calendar date; expected YYYY-MM-DD"."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise typer.BadParameter(f"got {value!r}, which is not written YYYY-MM-DD; expected "
                                 "YYYY-MM-DD, e.g. 2026-03-09")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"got {text}, which is not a calendar date; expected "
                                 "YYYY-MM-DD") from None


DATE = {"parser": parse_date, "metavar": "YYYY-MM-DD"}


def database_url(db: str | None, *, create: bool) -> str:
    """The ``--db`` value checked (see :func:`khetrial.edc.db.checked_url`): only commands that
    may create a database (import, serve, user add, allocation create, demo, restore) pass
    ``create=True``; every other command refuses an SQLite file that does not exist."""
    url = checked_url(db, create=True)  # the value's form: a URL or an SQLite file
    return url if create or (db is None and _in_memory_django()) else checked_url(db, create=False)


def load_data(bundle, db: str | None, command: str):
    """The bundle of a reading command: from a folder or from a database, exactly one of the two."""
    from khetrial.errors import ConfigurationError

    if (bundle is None) == (db is None):
        raise ConfigurationError("got " + ("both a BUNDLE folder and --db" if bundle else "neither a BUNDLE folder nor --db")
                                 + f"; give exactly one, e.g. `khetrial {command} khetrial-demo/bundle` or "
                                 f"`khetrial {command} --db sqlite:///khetrial.sqlite3`")
    if bundle is not None:
        from khetrial.bundle import read_bundle

        return read_bundle(bundle)
    from khetrial.edc.store import load_bundle

    return load_bundle(database_url(db, create=False))


def _in_memory_django() -> bool:
    """Django is already up in this process on an in-memory database (the test suite): the
    default database is then that open connection, not a file to check."""
    django_apps = sys.modules.get("django.apps")
    if django_apps is None or not django_apps.apps.ready:
        return False
    from django.conf import settings

    name = str(settings.DATABASES["default"].get("NAME", ""))
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and (
        name == ":memory:" or "mode=memory" in name)


@contextmanager
def working(message: str, quiet: bool = False) -> Iterator[None]:
    """A spinner with ``message`` and the time elapsed on stderr while a long step runs.

    Nothing is shown when ``quiet`` (``--json``) or when stderr is not a terminal, so stdout
    and piped output stay clean.
    """
    if quiet or not err_console.is_terminal:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        progress.add_task(message, total=None)
        yield


def fail(error: Exception) -> None:
    """Print a khetrial error the way the CLI always does and exit with its code."""
    from khetrial.errors import BundleError

    if isinstance(error, BundleError):
        from rich.table import Table

        table = Table(title=f"{error.source}: {len(error.problems)} problem(s)", show_lines=False)
        for col in ("file", "line", "column", "value", "problem"):
            table.add_column(col, overflow="fold")
        for p in error.problems:
            table.add_row(p.file, "" if p.line is None else str(p.line), p.column or "",
                          "" if p.value is None else p.value, p.message)
        err_console.print(table)
    else:
        from rich.markup import escape

        err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
    raise typer.Exit(getattr(error, "exit_code", 1))


def run() -> None:
    """Entry point: run the app, translating khetrial errors once, here.

    Typer (standalone mode) handles usage errors and exits itself; a :class:`KhetrialError`
    escaping a command is printed by :func:`fail` with its exit code.
    """
    from khetrial.errors import KhetrialError

    try:
        app()
    except KhetrialError as error:
        try:
            fail(error)
        except typer.Exit as exit_:
            sys.exit(exit_.exit_code)


@app.callback()
def _root() -> None:
    """Run and analyse randomized trials in kaposiform hemangioendothelioma with KMP."""


@app.command()
def version() -> None:
    """Print khetrial's version."""
    from khetrial import __version__

    console.print(f"khetrial {__version__}")
