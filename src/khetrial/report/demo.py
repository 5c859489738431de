"""The demo pipeline: simulate the publication-matched cohort, store it in SQLite, analyse it
from the database and write results.json and the report, with a Rich progress display."""

from __future__ import annotations

from pathlib import Path

DEMO_STEPS = ("Simulating the publication-matched cohort", "Importing it into SQLite",
              "Running the analysis plan on the database", "Writing results.json", "Writing the report")


def run_demo(out: str | Path, seed: int | None = None, console=None) -> tuple[dict, Path]:
    """Run every step into the folder ``out``; returns (results, report path).

    ``out`` then holds ``bundle/``, ``khetrial.sqlite3``, ``results.json`` and ``report.html``.
    An existing demo database in ``out`` is replaced (the demo always starts fresh). Brings
    Django up on that database, so call it once per process.
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from khetrial.edc import db
    from khetrial.analysis import analyse, results_json
    from khetrial.bundle import read_bundle
    from khetrial.report import write_report
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
            from khetrial.edc import store as store_module

            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            db.setup(f"sqlite:///{database}")
            store_module.import_bundle(bundle, reason="khetrial demo")
            return store_module.export_bundle()

        stored = step(1, store)
        results = step(2, lambda: analyse(stored))
        step(3, lambda: (out / "results.json").write_text(results_json(results) + "\n", encoding="utf-8"))
        report = step(4, lambda: write_report(stored, out / "report.html", results,
                                              source=f"sqlite:///{database}"))
    return results, report
