"""Commands: ``audit verify`` the trail's hash chain; ``backup`` and ``restore`` the database."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from khetrial.cli.app import DB_HELP, app, console, database_url, err_console, fail

audit_app = typer.Typer(help="The audit trail: find any entry changed, deleted or inserted.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Check the audit trail's hash chain; exit 2 at the first broken link.

    Prints the number of entries and the head hash: keep them outside the database (trial
    master file) to notice a trail rewritten as a whole.
    """
    from khetrial.edc import db as database
    from khetrial.errors import KhetrialError

    try:
        database.setup(database_url(db, create=False))
        report = _verify()
    except KhetrialError as error:
        fail(error)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(2)


@app.command("backup")
def backup(
    out: Path = typer.Argument(..., help="New file to write the backup to.", dir_okay=False),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Back up the database while it is in use.

    SQLite: a copy made with SQLite's online backup API (an SQLite file). PostgreSQL: pg_dump in
    custom format (restore it with ``khetrial restore``).
    """
    from khetrial.edc.backup import backup as make_backup
    from khetrial.errors import KhetrialError

    try:
        kind = make_backup(database_url(db, create=False), out)
    except KhetrialError as error:
        fail(error)
    console.print(f"backup written to {out} ({kind})")


@app.command("restore")
def restore(
    backup_file: Path = typer.Argument(..., help="Backup file written by khetrial backup.",
                                       dir_okay=False),
    db: str = typer.Option(..., "--db", help="Database to restore into: a new SQLite file, or "
                                             "an empty PostgreSQL database."),
    as_json: bool = typer.Option(False, "--json", help="Print the audit check as JSON."),
) -> None:
    """Restore a backup into a new database; check its audit trail.

    The database must be a new SQLite file or an empty PostgreSQL database. Exit 2 when the
    restored audit trail's hash chain is broken.
    """
    from khetrial.edc import db as database
    from khetrial.edc.backup import restore as restore_backup
    from khetrial.errors import KhetrialError

    try:
        db = database_url(db, create=True)
        restore_backup(backup_file, db)
        database.setup(db, migrate=False)
        report = _verify()
    except KhetrialError as error:
        fail(error)
    if not as_json:
        console.print(f"restored {backup_file} into {database.safe_url(db)}")
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(2)


def _verify():
    from khetrial.edc.audit.verify import verify_trail

    return verify_trail()


def _print_report(report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict()))
    elif report.ok:
        console.print(f"audit trail intact: {report.checked:,} entries, head {report.head}")
    else:
        err_console.print(f"[bold red]audit trail broken:[/] {escape(report.problem)} "
                          f"({report.checked:,} entries checked before it)", highlight=False)
