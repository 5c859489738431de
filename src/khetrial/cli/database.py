"""Commands: ``import`` a bundle into the database, ``export`` the database as a bundle,
``db init`` the PostgreSQL roles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from khetrial.cli.app import DB_HELP, app, console, database_url, err_console, fail, working
from khetrial.edc.db import safe_url as _safe

db_app = typer.Typer(help="Set up the database for a deployment.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("init")
def db_init(
    db: str = typer.Option(..., "--db", help="Administrator's URL of the PostgreSQL database "
                                             "(a superuser, or the database's owner with "
                                             "CREATEROLE): postgresql://admin@host:5432/dbname."),
    owner: str = typer.Option("khetrial_owner", "--owner",
                              help="Role that owns the schema (created NOLOGIN if missing)."),
    app_role: str = typer.Option("khetrial_app", "--app",
                                 help="Role the application connects as (created if missing)."),
    app_password: str | None = typer.Option(None, "--app-password",
                                            envvar="KHETRIAL_APP_PASSWORD",
                                            help="Password of the application role (or "
                                                 "$KHETRIAL_APP_PASSWORD)."),
) -> None:
    """Migrate a PostgreSQL database and create its owner and application roles.

    Deployment: run this once as an administrator (and again after each upgrade, it is
    idempotent), then run the web application and every other command with
    KHETRIAL_DATABASE_URL=postgresql://khetrial_app:PASSWORD@host/dbname. The application role
    reads and writes clinical tables but may only SELECT and INSERT the audit trail: it cannot
    UPDATE, DELETE or TRUNCATE it, nor disable its triggers (it owns no table), nor set
    session_replication_role (it is no superuser). Keep the administrator's password out of the
    application's environment.
    """
    from khetrial.edc import db as database
    from khetrial.edc.roles import init_roles
    from khetrial.errors import ConfigurationError, KhetrialError

    try:
        url = database.normalize_url(db)
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            raise ConfigurationError(f"db init: got {_safe(url)}; it sets up PostgreSQL roles, "
                                     "give a postgresql:// URL (SQLite relies on its triggers)")
        database.setup(url)
        statements = init_roles(url, owner=owner, app=app_role, app_password=app_password)
    except KhetrialError as error:
        fail(error)
    console.print(f"{_safe(url)}: {len(statements)} statements; tables owned by {owner}, "
                  f"the application connects as {app_role}")


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., help="Bundle folder (CSV files) to import, or with "
                                  "--format odm a CDISC ODM 1.3.2 file.", exists=False),
    fmt: str = typer.Option("bundle", "--format", help="What BUNDLE is: bundle (a folder of CSV "
                            "files) or odm (a CDISC ODM 1.3.2 XML file, as `export --format odm` "
                            "writes)."),
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
    from khetrial.errors import KhetrialError
    from khetrial.edc.store import import_bundle

    try:
        with working(f"Reading and validating {bundle}", quiet=as_json):
            data = _read_input(bundle, fmt)
        url = database.setup(database_url(db, create=True))
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
    fmt: str = typer.Option("bundle", "--format",
                            help="bundle (CSV files), sdtm or adam (SAS transport v5 + CSV + "
                                 "define.xml), odm (CDISC ODM 1.3.2), spss or stata (the ADaM "
                                 "datasets with labels). All but bundle carry the allocation."),
    as_json: bool = typer.Option(False, "--json", help="Print the row counts as one JSON object."),
) -> None:
    """Write the database as a bundle, SDTM, ADaM, ODM, SPSS or Stata.

    Rows that are voided are left out. --format sdtm and adam write SAS transport v5 files,
    CSV and a Define-XML 2.0; odm one CDISC ODM 1.3.2 file; spss and stata the ADaM datasets
    with variable and value labels.
    """
    from khetrial.edc import db as database
    from khetrial.errors import KhetrialError
    from khetrial.edc.store import export_bundle, export_bundle_to

    try:
        _check_format(fmt, EXPORT_FORMATS)
        url = database.setup(database_url(db, create=False))
        with working(f"Exporting the database to {out}", quiet=as_json):
            if fmt == "bundle":
                bundle = export_bundle_to(out, sites=site or None)
            else:
                from khetrial.standards import export_standard

                bundle = export_bundle(sites=site or None)
                files = export_standard(bundle, out, fmt)
    except KhetrialError as error:
        fail(error)
    counts = bundle.counts()
    if as_json:
        extra = {} if fmt == "bundle" else {"format": fmt, "files": [f.name for f in files]}
        print(json.dumps({"database": _safe(url), "out": str(out), "rows": counts,
                          "total": sum(counts.values()), **extra}))
        return
    if fmt != "bundle":
        console.print(f"Wrote {len(files)} {fmt} file(s) to {out}: {', '.join(f.name for f in files)}")
        return
    table = _counts_table(f"Exported to {out}", counts)
    console.print(table)


IMPORT_FORMATS = ("bundle", "odm")
EXPORT_FORMATS = ("bundle", "sdtm", "adam", "odm", "spss", "stata")


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    from khetrial.errors import ConfigurationError

    if fmt not in allowed:
        raise ConfigurationError(f"--format: got {fmt!r}; expected one of {', '.join(allowed)}")


def _read_input(path: Path, fmt: str):
    """The bundle to import: a validated CSV folder, or an ODM file read back and validated."""
    _check_format(fmt, IMPORT_FORMATS)
    if fmt == "odm":
        from khetrial.standards import read_odm

        return read_odm(path)
    from khetrial.bundle import read_bundle

    return read_bundle(path, validate=True, today=date.today())


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
