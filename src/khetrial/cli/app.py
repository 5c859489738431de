"""The ``khetrial`` Typer application and the one place errors become exit codes.

Command modules (``data``, ``analysis``, ``protocol``, ``demo``, ``design``, ``web``) register
their commands on :data:`app`. Heavy imports (pandas, Django) happen inside the commands so that
``khetrial --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

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

DB_HELP = "Database URL (sqlite:///file or postgresql://user@host/db); default $KHETRIAL_DATABASE_URL or ./khetrial.sqlite3."


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
