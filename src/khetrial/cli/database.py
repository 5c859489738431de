"""Commands: ``import`` a bundle into the database, ``export`` the database as a bundle."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from khetrial.cli.app import DB_HELP, app, console, err_console, fail


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., help="Bundle folder (CSV files) to import.",
                                  exists=False, file_okay=False),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    replace: bool = typer.Option(False, "--replace",
                                 help="Replace the records of patients already in the database "
                                      "(their earlier rows are voided, not deleted)."),
    reason: str | None = typer.Option(None, "--reason",
                                      help="Why (recorded in the audit trail; needed with "
                                           "--replace, and as the voided rows' reason)."),
    user: str | None = typer.Option(None, "--user", help="Who imports, for the audit trail "
                                    "(default: system)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Validate a bundle and import it into the database.

    The same checks as `validate` (dates after today refused). One transaction: all or nothing.
    """
    from khetrial.edc import db as database
    from khetrial.bundle import read_bundle
    from khetrial.errors import KhetrialError
    from khetrial.edc.store import import_bundle

    try:
        data = read_bundle(bundle, validate=True, today=date.today())
        url = database.setup(db)
        with _progress(quiet=as_json) as progress:
            summary = import_bundle(data, replace=replace, reason=reason, user=user,
                                    progress=progress)
    except KhetrialError as error:
        fail(error)
    if as_json:
        print(json.dumps({"database": _safe(url), **summary.to_dict()}))
        return
    _print_import(summary, bundle, url)


@app.command("export")
def export(
    out: Path = typer.Argument(..., help="Folder to write the bundle to (created if needed).",
                               file_okay=False),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    site: list[str] | None = typer.Option(None, "--site",
                                          help="Only this site code (repeat for several)."),
    as_json: bool = typer.Option(False, "--json", help="Print the row counts as one JSON object."),
) -> None:
    """Write the database back as a bundle folder.

    Rows that are voided are left out.
    """
    from khetrial.edc import db as database
    from khetrial.errors import KhetrialError
    from khetrial.edc.store import export_bundle_to

    try:
        url = database.setup(db)
        bundle = export_bundle_to(out, sites=site or None)
    except KhetrialError as error:
        fail(error)
    counts = bundle.counts()
    if as_json:
        print(json.dumps({"database": _safe(url), "out": str(out), "rows": counts,
                          "total": sum(counts.values())}))
        return
    table = _counts_table(f"Exported to {out}", counts)
    console.print(table)


def _print_import(summary, bundle: Path, url: str) -> None:
    table = _counts_table(f"Imported {bundle} into {_safe(url)}", summary.rows,
                          voided=summary.voided)
    console.print(table)
    if summary.replaced_patients:
        console.print(f"Replaced {len(summary.replaced_patients)} patient(s); their earlier rows "
                      "are voided.")
    if summary.sites_created:
        console.print(f"New site(s): {', '.join(summary.sites_created)}")


def _counts_table(title: str, rows: dict[str, int], voided: dict[str, int] | None = None):
    from rich.table import Table

    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    if voided:
        table.add_column("voided", justify="right")
    for name, n in rows.items():
        table.add_row(name, f"{n:,}", *([f"{voided.get(name, 0):,}"] if voided else []))
    table.add_row("[bold]total[/]", f"[bold]{sum(rows.values()):,}[/]", *([""] if voided else []))
    return table


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


class _progress:
    """A Rich progress bar (on stderr) fed by ``import_bundle``'s progress callback."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.quiet:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("{task.description:<15}"), BarColumn(),
                            MofNCompleteColumn(), console=err_console, transient=True)
        self.bar.start()
        return self.update

    def update(self, table: str, done: int, total: int) -> None:
        if table not in self.tasks:
            self.tasks[table] = self.bar.add_task(table, total=total or 1)
        self.bar.update(self.tasks[table], completed=done if total else 1)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
