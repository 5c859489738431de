"""Commands: ``khetrial derive`` (the per-patient analysis dataset) and ``khetrial analyse``
(the analysis plan's results.json), from a bundle folder or a database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from khetrial.cli.app import DB_HELP, app, console, fail, load_data, working

if TYPE_CHECKING:
    from khetrial.sap import Results

BUNDLE_HELP = "Bundle folder of CSV files (docs/bundle-format.md)."
#: OpenBLAS's worker threads go to sleep at once after a call (2^4 cycles) instead of spinning
#: for 2^28 cycles, its default, waiting for the next one (project choice). The analysis makes
#: many small BLAS calls with other work between them, during which spinning threads only burn
#: a core: 0.6 of 5 s of CPU at 10,000 patients on this 2-core machine. The same threads split
#: the same work, so every result is the same. OpenBLAS reads it when NumPy is first imported;
#: a value already set in the environment is kept.
BLAS_THREAD_TIMEOUT = ("OPENBLAS_THREAD_TIMEOUT", "4")


@app.command("derive")
def derive(
    bundle: Path = typer.Argument(None, metavar="[BUNDLE]", help=BUNDLE_HELP, show_default=False),
    db: str = typer.Option(None, "--db", help=DB_HELP, show_default=False),
    out: Path = typer.Option(Path("adsl.csv"), "--out", "-o", help="Where to write the per-patient analysis dataset (CSV)."),
) -> None:
    """Write the per-patient analysis dataset (adsl.csv).

    Censoring day and every endpoint of the analysis plan, one row per patient.
    """
    from khetrial.errors import KhetrialError

    try:
        from khetrial.sap import adsl_for_csv
        from khetrial.endpoints import derive_adsl

        with working(f"Reading {'the database' if db else bundle} and deriving the endpoints"):
            adsl = derive_adsl(load_data(bundle, db, "analyse"))
        out.parent.mkdir(parents=True, exist_ok=True)
        adsl_for_csv(adsl).to_csv(out, index=False, lineterminator="\n")
    except KhetrialError as error:
        fail(error)
    console.print(f"adsl: {len(adsl)} patients, {adsl.shape[1]} columns -> {out}")


@app.command("analyse")
def analyse(
    bundle: Path = typer.Argument(None, metavar="[BUNDLE]", help=BUNDLE_HELP, show_default=False),
    db: str = typer.Option(None, "--db", help=DB_HELP, show_default=False),
    out: Path = typer.Option(Path("results.json"), "--out", "-o", help="Where to write results.json."),
    as_json: bool = typer.Option(False, "--json", help="Also print the results object as one JSON object on stdout (no table)."),
) -> None:
    """Run the statistical analysis plan and write results.json.

    Prints the binary endpoints as a table.
    """
    os.environ.setdefault(*BLAS_THREAD_TIMEOUT)
    from khetrial.errors import KhetrialError

    try:
        from khetrial.sap import analyse as run_analysis

        with working(f"Reading {'the database' if db else bundle}", quiet=as_json):
            data = load_data(bundle, db, "analyse")
        with working("Running the analysis plan", quiet=as_json):
            results = run_analysis(data)
        text = results.to_json()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    except KhetrialError as error:
        fail(error)
    if as_json:
        typer.echo(text)
        return
    console.print(summary_table(results))
    console.print(f"results -> {out}")


def summary_table(results: Results):
    """A Rich table of the binary endpoints: events/N per arm, difference and 95 % CI in
    percentage points (rounded as the publication rounds, see ``stats.rounding``), Fisher's p."""
    from rich import box
    from rich.table import Table

    from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL
    from khetrial.stats.rounding import percent

    n = results.n
    table = Table(title=f"Binary endpoints (ITT: {ARM_EXPERIMENTAL} n = {n[ARM_EXPERIMENTAL]}, "
                        f"{ARM_CONTROL} n = {n[ARM_CONTROL]}; difference {ARM_EXPERIMENTAL} − {ARM_CONTROL})",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    # At 80 columns the endpoint names wrap; the numbers never truncate ("234/1000", not "234/10…").
    table.add_column("endpoint", overflow="fold")
    for column in (ARM_EXPERIMENTAL, ARM_CONTROL, "diff %", "95% CI %", "p"):
        table.add_column(column, justify="right", no_wrap=True, overflow="fold")
    for endpoint, r in results.binary.items():
        arms = [f"{r.arms[a].events}/{r.arms[a].n}" for a in (ARM_EXPERIMENTAL, ARM_CONTROL)]
        low, high = r.ci95
        table.add_row(endpoint, *arms, f"{percent(r.difference)}",
                      f"{percent(low)}, {percent(high)}", f"{r.p_value:.2g}")
    return table
