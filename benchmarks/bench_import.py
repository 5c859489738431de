"""``khetrial import`` of a large bundle into PostgreSQL against ``\\copy`` of the same files.

    .venv/bin/python benchmarks/bench_import.py [--patients 10000] [--bundle FOLDER]
        [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--database NAME]

The floor is psql's ``\\copy`` of the bundle's CSV files, in one transaction, into scratch
tables with the files' columns and types (no keys, no indexes, no audit). Then, in fresh
processes on the same, new database, right after each ``\\copy`` (runs in turns, so a busy
machine slows both alike), ``khetrial import`` (validation included, as a user runs it;
the seconds of its writing step, ``store.import_bundle``, are taken in the same process) and,
with ``--validate``, ``khetrial validate`` alone. Each figure is the median of
``--repeat`` runs; it prints wall seconds, the processes' peak resident memory and the ratios
import / ``\\copy`` (the issue's target: at most 3, validation included) and writing / ``\\copy``,
and the import's CPU seconds, its own and its database session's (when the server runs on
this machine): on a machine others keep busy, the wall seconds of both sides vary by several
times, the CPU seconds much less.

The bundle is ``generate_bundle.py``'s (``--patients`` patients, 200 laboratory rows each:
2.4 million rows at 10,000) unless ``--bundle`` names one; the commands read it as a user's
command line does, within the bundle reading limits (:data:`khetrial.bundle.csvfile.MAX_FILE_BYTES`,
:data:`~khetrial.bundle.csvfile.MAX_ROWS`, sized for 10,000 patients). The import's steps are
timed in its process (wall seconds, summed over calls, median over runs): reading and
validating the bundle, building the ``COPY`` cells, each table's write, the foreign keys and
indexes made again after a large table, the audit entries, the commit. Then ``khetrial
export`` of the imported database to a folder (it reads with a server-side cursor, a chunk at
a time): wall seconds and peak memory. A database ``--database`` is created through the admin
URL and dropped at the end. No figure is asserted: this prints, a person reads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "khetrial_bench_import"
SQL_TYPES = {"datetime64[ns]": "date", "float64": "double precision", "Int64": "integer"}
# The CLI, with its steps timed (wall seconds summed per step, one JSON object appended per
# run to the file $BENCH_STEPS): each entry of STEPS wraps module.attribute; "{0}" in a
# label is the wrapped function's first argument (the table).
CLI = """import functools, json, os, resource, sys, time
from collections import defaultdict
import django.db.backends.base.base as django_base
import khetrial.bundle
from khetrial.edc import bulk, import_audit, store
seconds = defaultdict(float)
def timer(owner, name, label):
    function = getattr(owner, name)
    @functools.wraps(function)
    def timed(*args, **kwargs):
        key = label.format(*args)
        seconds[key] += 0.0  # steps listed in the order they start
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[key] += time.perf_counter() - started
    setattr(owner, name, timed)
STEPS = [(khetrial.bundle, "read_bundle", "read and validate"),
         (store, "import_bundle", "writing (import_bundle)"),
         (store, "_write_patients", "write patients"), (store, "_write_rows", "write {0}"),
         (store, "_chunk", "build COPY cells"),
         (bulk, "rebuild", "keys and indexes again"),
         (import_audit, "write_entries", "audit"), (store, "record_import", "audit"),
         (django_base.BaseDatabaseWrapper, "commit", "commit")]
for owner, name, label in STEPS:
    if hasattr(owner, name):
        timer(owner, name, label)
from khetrial.cli import main
sys.argv = ["khetrial", *sys.argv[1:]]
def session_cpu():
    # CPU seconds of the database session's server process, when the server runs here
    from django.db import connection
    if connection.connection is None or connection.vendor != "postgresql":
        return
    pid = connection.connection.info.backend_pid
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return
    seconds["server CPU (session)"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
try:
    main()
finally:
    session_cpu()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    seconds["client CPU"] = usage.ru_utime + usage.ru_stime
    with open(os.environ["BENCH_STEPS"], "a") as out:
        out.write(json.dumps(seconds) + "\\n")
"""


def timed(command: list[str], **options) -> tuple[float, float]:
    """Run ``command``; (wall seconds, peak resident MB of the process). Fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               **options)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:4]} failed:\n{process.stderr.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url], input=sql, text=True,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def floor_script(folder: Path) -> tuple[str, str]:
    """(setup SQL, psql script) for ``\\copy`` of every CSV file of ``folder`` into scratch
    tables of schema bench_floor, typed as the bundle format types the columns."""
    from khetrial.bundle.format import TABLE_SPECS

    setup = ["DROP SCHEMA IF EXISTS bench_floor CASCADE;", "CREATE SCHEMA bench_floor;"]
    copies = []
    for table, spec in TABLE_SPECS.items():
        path = folder / f"{table}.csv"
        if not path.exists():
            continue
        header = path.open(encoding="utf-8-sig").readline().strip().split(",")
        types = {c.name: SQL_TYPES.get(str(c.dtype), "text") for c in spec.columns}
        columns = ", ".join(f'"{name}" {types.get(name, "text")}' for name in header)
        setup.append(f"CREATE TABLE bench_floor.{table} ({columns});")
        copies.append(f"\\copy bench_floor.{table} FROM '{path}' WITH (FORMAT csv, HEADER true)")
    return "\n".join(setup), "BEGIN;\n" + "\n".join(copies) + "\nCOMMIT;\n"


def database(admin_url: str, name: str, create: bool) -> str:
    """Drop (and create) database ``name``; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def median_run(runs: int, before, command: list[str]) -> tuple[float, float]:
    figures = []
    for _ in range(runs):
        before()
        figures.append(timed(command))
    return statistics.median(f[0] for f in figures), max(f[1] for f in figures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000, help="patients in the bundle")
    parser.add_argument("--bundle", type=Path, help="bundle folder (default: generate one)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL,
                        help="PostgreSQL URL allowed to create and drop the bench database")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="bench database's name")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--validate", action="store_true",
                        help="also time `khetrial validate` alone")
    args = parser.parse_args(argv)
    if shutil.which("psql") is None:
        raise SystemExit("psql is needed for the \\copy floor")

    sys.path.insert(0, str(HERE))
    from generate_bundle import make_tables, write_tables

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.bundle
        if folder is None:
            folder = Path(tmp) / "bundle"
            write_tables(make_tables(args.patients), folder)
        rows = sum(sum(1 for _ in p.open()) - 1 for p in folder.glob("*.csv"))
        url = database(args.pg_admin_url, args.database, create=True)
        try:
            setup, copy = floor_script(folder)
            script = Path(tmp) / "copy.psql"
            script.write_text(copy)
            floor_command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script), url]
            python = [sys.executable, "-c", CLI]
            os.environ["BENCH_STEPS"] = str(Path(tmp) / "other-steps.jsonl")
            validate_s = validate_mb = None
            if args.validate:
                validate_s, validate_mb = median_run(args.repeat, lambda: None,
                                                     [*python, "validate", str(folder)])

            def fresh() -> None:
                database(args.pg_admin_url, args.database, create=True)
                subprocess.run([sys.executable, "-c", "import sys\nfrom khetrial.edc import db\n"
                                "db.setup(sys.argv[1])", url], check=True)  # migrate it

            steps = Path(tmp) / "steps.jsonl"
            os.environ["BENCH_STEPS"] = str(steps)
            # \copy and import side by side, in turns (a busy machine slows both alike)
            floors, imports = [], []
            for _ in range(args.repeat):
                fresh()
                psql(url, setup)
                floors.append(timed(floor_command)[0])
                psql(url, "DROP SCHEMA bench_floor CASCADE;")
                imports.append(timed([*python, "import", str(folder), "--db", url, "--json"]))
            floor_s = statistics.median(floors)
            import_s = statistics.median(seconds for seconds, _ in imports)
            import_mb = max(mb for _, mb in imports)
            paired = statistics.median(i / f for (i, _), f in zip(imports, floors))
            runs = [json.loads(line) for line in steps.read_text().splitlines()]
            os.environ["BENCH_STEPS"] = str(Path(tmp) / "other-steps.jsonl")
            out = Path(tmp) / "export"
            export_s, export_mb = median_run(args.repeat, lambda: shutil.rmtree(out, True),
                                             [*python, "export", str(out), "--db", url,
                                              "--json"])
        finally:
            database(args.pg_admin_url, args.database, create=False)

    print(f"import benchmark: {folder} ({rows:,} rows), PostgreSQL, median of {args.repeat}")
    print(f"{'step':<38}{'wall s':>8}{'peak MB':>9}")
    floor = "psql \\copy of the CSV files"
    print(f"{floor:<38}{floor_s:>8.1f}{'':>9}")
    if validate_s is not None:
        print(f"{'khetrial validate':<38}{validate_s:>8.1f}{validate_mb:>9,.0f}")
    print(f"{'khetrial import (validation incl.)':<38}{import_s:>8.1f}{import_mb:>9,.0f}")
    for label in runs[0]:
        step = statistics.median(run.get(label, 0.0) for run in runs)
        print(f"{'  ' + label:<38}{step:>8.2f}")
    print(f"{'khetrial export (bundle folder)':<38}{export_s:>8.1f}{export_mb:>9,.0f}")
    write_s = statistics.median(run["writing (import_bundle)"] for run in runs)
    print(f"ratio import / \\copy: {import_s / floor_s:.2f} (target ≤ 3; median of the runs' "
          f"own ratios {paired:.2f}); writing alone / "
          f"\\copy: {write_s / floor_s:.2f}; export / \\copy: {export_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
