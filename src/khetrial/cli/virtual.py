"""Command: ``khetrial virtual-trial`` (simulate children, conduct the trial through the web
application's JSON API as the sites would, analyse the database, compare with the truth)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from khetrial.cli.app import app, console, err_console, fail

VIRTUAL_DIR = Path("virtual-trial")
VIRTUAL_DB_FILE = "virtual-trial.sqlite3"


@app.command("virtual-trial")
def virtual_trial(
    patients: int = typer.Option(200, "--patients", help="Children to randomize (screen failures are replaced)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same children, courses and allocation list."),
    db: str = typer.Option(None, "--db", help="An EMPTY database to conduct the trial in (sqlite:///file or "
                                              "postgresql://user@host/db); default a new SQLite file in --out.",
                           show_default=False),
    out: Path = typer.Option(VIRTUAL_DIR, "--out", help="Folder for agreement.json, results.json, the recorded and the true bundle."),
    missed_visit_rate: float = typer.Option(0.0, "--missed-visit-rate",
                                            help="Probability that a day with something due is missed (nothing measured)."),
    late_entry_rate: float = typer.Option(0.0, "--late-entry-rate",
                                          help="Probability that a day's records are entered 7-60 days late (lost if after the lock)."),
    as_json: bool = typer.Option(False, "--json", help="Print agreement.json's object (without the per-patient list) instead of tables."),
) -> None:
    """Conduct a virtual trial through the web app; record vs truth.

    Each child has a true daily course (platelets, fibrinogen, sirolimus troughs under the doses
    given, lesion volume, PedsQL) with the publication's arm effects. Investigators screen,
    randomize and record only what khetrial's calendar makes due, following the bedside dose
    advice; blinded assessors enter MRI volumes and sequelae; all through the JSON API with
    Bearer tokens, the application's clock set to each trial day. Then the database is
    analysed as `khetrial analyse --db` does and each patient's endpoint flags are compared with
    those of the complete true course.
    """
    from khetrial.errors import KhetrialError

    try:
        from khetrial.edc import db as database

        if db is None:
            out.mkdir(parents=True, exist_ok=True)
            db = f"sqlite:///{(out / VIRTUAL_DB_FILE).resolve()}"
        database.setup(db)
        from khetrial.virtual.run import run_virtual_trial

        with _progress(quiet=as_json) as progress:
            report = run_virtual_trial(patients, seed, out, missed_visit_rate, late_entry_rate,
                                       progress)
    except KhetrialError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps({k: v for k, v in report.items() if k != "per_patient"}))
        return
    console.print(agreement_table(report))
    console.print(primary_lines(report), highlight=False)
    console.print(f"agreement, results, recorded and true bundles -> {out}")


def agreement_table(report: dict):
    """Per endpoint: agreement of the recorded flags with the true ones (%), events per arm in
    truth and in the record ("rec."), patients with the event lost and gained ("gain") by the
    record."""
    from rich import box
    from rich.table import Table

    from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL

    c = report["conduct"]
    arms = f"{ARM_EXPERIMENTAL}/{ARM_CONTROL}"
    table = Table(title=f"Virtual trial, {c['randomized']} children (seed {report['seed']}, missed "
                        f"visits {report['missed_visit_rate']:g}, late entry "
                        f"{report['late_entry_rate']:g}): record vs truth",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("endpoint", no_wrap=True)
    for column in ("agree %", f"true {arms}", f"rec. {arms}", "lost", "gain"):
        table.add_column(column, justify="right", no_wrap=True)
    for endpoint, r in report["endpoints"].items():
        table.add_row(endpoint, f"{100 * r['agreement']:.1f}",
                      *("/".join(str(r[kind][arm]) for arm in (ARM_EXPERIMENTAL, ARM_CONTROL))
                        for kind in ("true_events", "recorded_events")),
                      str(r["lost"]), str(r["gained"]))
    return table


def primary_lines(report: dict) -> str:
    """The primary difference (SP − S) estimated from the record, from the truth, published;
    then what the conduct cost."""
    lines = []
    for name in ("recorded", "true"):
        r = report["primary"].get(name)
        if r is not None:
            low, high = r["ci95"]
            lines.append(f"primary difference ({name}): {100 * r['difference']:.1f} % "
                         f"(95% CI {100 * low:.1f} to {100 * high:.1f})")
    lines.append(f"primary difference (publication): "
                 f"{100 * report['primary']['publication']['difference']:.1f} %")
    c = report["conduct"]
    lines.append(f"{c['randomized']} randomized, {c['screen_failures']} screen failures, "
                 f"{c['api_calls']} API requests, {c['visit_days_missed']} visit days missed, "
                 f"{c['records_entered_late']} records entered late, {c['records_lost_at_lock']} "
                 f"lost at the lock, {c['seconds']:.0f} s")
    return "\n".join(lines)


class _progress:
    """A Rich status line on stderr: children randomized and the trial's date."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.status = None

    def __enter__(self):
        if self.quiet:
            return None
        self.status = err_console.status("virtual trial: setting up")
        self.status.start()
        return self.update

    def update(self, randomized: int, total: int, today) -> None:
        self.status.update(f"virtual trial: {randomized}/{total} randomized, trial date {today}")

    def __exit__(self, *exc) -> None:
        if self.status is not None:
            self.status.stop()
