"""Commands: ``khetrial simulate`` (a synthetic trial bundle), ``khetrial report`` (the HTML trial
report) and ``khetrial demo`` (simulate → database → analysis → report, in one go; with
``--serve``, then the web application on the demo database with one account per role)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from khetrial.cli.app import DATE, DB_HELP, app, console, fail, load_data, working

if TYPE_CHECKING:
    from khetrial.sap import Results

DEMO_DIR = Path("khetrial-demo")
DEMO_STEPS = ("Simulating the publication-matched cohort", "Importing it into SQLite",
              "Running the analysis plan on the database", "Writing results.json", "Writing the report")
SERVE_THREADS = 4  # as `khetrial serve`'s default


@app.command("simulate")
def simulate(
    out: Path = typer.Argument(..., help="Folder to write the simulated bundle into (created if needed)."),
    seed: int = typer.Option(None, "--seed", help="Random seed; the same seed gives the same bundle bytes. Default 6 (see khetrial.simulate.DEFAULT_SEED)."),
    patients: int = typer.Option(None, "--patients", help="Number of patients (1:1 in permuted blocks of 4). Default 73."),
    match_publication: bool = typer.Option(False, "--match-publication",
                                           help="Build the 73-patient cohort whose analysis gives exactly the publication's counts."),
    randomized_until: datetime.date = typer.Option(None, "--randomized-until", **DATE,
                                                   help="A trial still running: every date moved so that the last child is randomized on this day, nothing recorded after it (or after --recorded-until)."),
    recorded_until: datetime.date = typer.Option(None, "--recorded-until", **DATE,
                                                 help="With --randomized-until: the day the data are recorded until (default: that day), e.g. today for a trial whose accrual ended earlier."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (folder, seed, rows per file) instead of text."),
) -> None:
    """Write a synthetic trial bundle (seeded, realistic, valid).

    5 sites, 1:1 arms, labs, medications, MRI, PedsQL items, adverse events, transfusions, sequelae, screening.

    The bundle passes `khetrial validate`; the same seed gives the same bytes.
    """
    from khetrial.errors import KhetrialError

    try:
        from khetrial.bundle import read_bundle
        from khetrial.simulate import DEFAULT_SEED, write_simulated_bundle

        seed = DEFAULT_SEED if seed is None else seed
        size = "the publication-matched cohort" if match_publication else f"{patients or 'the default'} patients"
        with working(f"Simulating {size} into {out}", quiet=as_json):
            path = write_simulated_bundle(out, seed=seed, n_patients=patients, match_publication=match_publication,
                                          randomized_until=randomized_until, recorded_until=recorded_until)
            bundle = read_bundle(path)
    except KhetrialError as error:
        fail(error)
    counts = bundle.counts()
    if as_json:
        import json

        typer.echo(json.dumps({"bundle": str(path), "seed": seed, "match_publication": match_publication,
                               "rows": counts}))
        return
    console.print(f"simulated bundle (seed {seed}{', publication-matched' if match_publication else ''}): "
                  f"{counts['patients']} patients, {sum(counts.values())} rows -> {path}")


@app.command("report")
def report(
    bundle: Path = typer.Argument(None, metavar="[BUNDLE]", help="Bundle folder of CSV files.", show_default=False),
    db: str = typer.Option(None, "--db", help=DB_HELP, show_default=False),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="Where to write the HTML report."),
    compare_publication: bool = typer.Option(False, "--compare-publication",
                                             help="Show the publication's values beside khetrial's (automatic for the publication-matched cohort)."),
    results_path: Path = typer.Option(None, "--results-out", help="Also write the analysis results (results.json) to this file (an output)."),
    results_alias: Path = typer.Option(None, "--results", hidden=True, help="Old name of --results-out."),
    dmc: str = typer.Option(None, "--dmc", help="A DMC report instead: 'open' (pooled, no arms) or 'closed' (arms coded A/B)."),
    key_path: Path = typer.Option(None, "--key", help="Closed DMC report: where to write the A/B arm key (default: next to the report, .key.json)."),
    cutoff: str = typer.Option(None, "--cutoff", help="Data cut-off date (YYYY-MM-DD) of an interim look: children whose window is still open are 'not yet evaluable'."),
    simulated: bool = typer.Option(None, "--simulated/--not-simulated", help="Show (or not) the simulated-data banner. Default: when the bundle folder has the simulator's SIMULATED.txt.", show_default=False),
) -> None:
    """Write the trial report as one self-contained HTML page.

    CONSORT flow, Tables 1-4, Figures, sensitivity analyses, sites, exposure, completeness, publication check, provenance.

    The page opens offline and prints cleanly. Any valid bundle gives a complete page; what cannot be estimated says so.
    """
    from khetrial.errors import KhetrialError

    try:
        from khetrial.report import write_dmc_report, write_report
        from khetrial.sap import analyse_or_describe
        from khetrial.sap.interim import cut_bundle
        from khetrial.simulate import is_simulated

        results_path = results_path or results_alias
        when = _cutoff_date(cutoff)
        with working(f"Reading {'the database' if db else bundle}"):
            data = load_data(bundle, db, "report")
        simulated = is_simulated(data.source) if simulated is None else simulated
        if when is not None:
            data = cut_bundle(data, when)  # an interim look: what was known on the cut-off day
        with working("Running the analysis plan and writing the report"):
            results = analyse_or_describe(data, cutoff=when)  # the plan's results, or the descriptive ones with the reason
            if results_path is not None:
                results_path.parent.mkdir(parents=True, exist_ok=True)
                results_path.write_text(results.to_json() + "\n", encoding="utf-8")
            if dmc is not None:
                path, key = write_dmc_report(data, out, results, dmc, key_path=key_path, simulated=simulated)
            else:
                path = write_report(data, out, results, compare_publication=compare_publication or None,
                                    source=str(bundle) if bundle is not None else "database",
                                    simulated=simulated, interim=when is not None)
        if dmc is not None:
            console.print(f"DMC {dmc} report -> {path}" + (f"; arm key -> {key}" if key else ""))
            return
    except KhetrialError as error:
        fail(error)
    console.print(f"report -> {path}")


def _cutoff_date(text: str | None):
    """The ``--cutoff`` date, or a ConfigurationError saying what was got."""
    from datetime import date

    from khetrial.errors import ConfigurationError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--cutoff: got {text!r}; expected a date YYYY-MM-DD, e.g. 2019-06-30") from None


@app.command("demo")
def demo(
    out: Path = typer.Option(DEMO_DIR, "--out", help="Folder for the demo: bundle/, khetrial.sqlite3, results.json, report.html."),
    seed: int = typer.Option(None, "--seed", help="Random seed of the simulated cohort. Default 6 (see khetrial.simulate.DEFAULT_SEED)."),
    serve_after: bool = typer.Option(False, "--serve", help="Then start the web application on the demo database, "
                                                            "with one account per role (logins printed)."),
    host: str = typer.Option("127.0.0.1", "--host", help="With --serve: address to listen on."),
    port: int = typer.Option(8000, "--port", help="With --serve: port to listen on."),
) -> None:
    """Simulate, store, analyse and report the publication's trial.

    Simulates the publication-matched cohort, imports it into SQLite, runs the analysis and writes the report.

    Then prints the main table and the report's path.

    With --serve: creates one web account per role, prints the logins and serves the application (Ctrl-C stops).
    """
    from khetrial.errors import KhetrialError

    try:
        results, report_path = run_demo(out, seed=seed, console=console)
    except KhetrialError as error:
        fail(error)
    from khetrial.cli.analysis import summary_table

    console.print(summary_table(results))
    console.print(f"[bold]report:[/] {report_path.resolve()}")
    if serve_after:
        _serve_demo(report_path.parent / "khetrial.sqlite3", host, port)


def run_demo(out: str | Path, seed: int | None = None, console=None) -> tuple[Results, Path]:
    """Run every demo step into the folder ``out``; returns (results, report path).

    ``out`` then holds ``bundle/``, ``khetrial.sqlite3``, ``results.json`` and ``report.html``.
    An existing demo database in ``out`` is replaced (the demo always starts fresh). Brings
    Django up on that database, so call it once per process.
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from khetrial.bundle import read_bundle
    from khetrial.edc import db
    from khetrial.edc import store as store_module
    from khetrial.report import write_report
    from khetrial.sap import analyse
    from khetrial.simulate import DEFAULT_SEED, write_simulated_bundle

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    seed = DEFAULT_SEED if seed is None else seed
    database = out / "khetrial.sqlite3"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        tasks = [progress.add_task(step, total=1, start=False) for step in DEMO_STEPS]

        def step(k: int, fn):
            progress.start_task(tasks[k])
            value = fn()
            progress.update(tasks[k], completed=1)
            return value

        bundle = step(0, lambda: read_bundle(write_simulated_bundle(out / "bundle", seed=seed,
                                                                    match_publication=True)))

        def store():
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            db.setup(f"sqlite:///{database}")
            store_module.import_bundle(bundle, reason="khetrial demo")
            return store_module.export_bundle()

        stored = step(1, store)
        results = step(2, lambda: analyse(stored))
        step(3, lambda: (out / "results.json").write_text(results.to_json() + "\n", encoding="utf-8"))
        report = step(4, lambda: write_report(stored, out / "report.html", results,
                                              source=f"sqlite:///{database}", simulated=True))
    return results, report


def _serve_demo(database: Path, host: str, port: int) -> None:
    """One account per role on the demo database, their logins printed, then `khetrial serve`."""
    import sys

    from rich.table import Table

    from khetrial.cli.web import run_server
    from khetrial.errors import KhetrialError

    try:
        from khetrial.edc.web.demo import create_demo_accounts

        accounts = create_demo_accounts()
    except KhetrialError as error:
        fail(error)
    table = Table(title=f"demo logins for http://{host}:{port}/login/")
    for column in ("username", "role", "site", "password"):
        table.add_column(column, no_wrap=True)
    for username, role, site, password in accounts:
        table.add_row(username, role, site or "all", password)
    console.print(table)
    console.print("The admin (and anyone opening emergency unblinding) enrols an authenticator "
                  "app (TOTP) at the first login: a QR code is shown.")
    sys.stdout.flush()  # the logins are visible before the server blocks, even through a pipe
    run_server(f"sqlite:///{database.resolve()}", host, port, SERVE_THREADS)
