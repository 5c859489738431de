"""Import and export speed of the database store, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_store.py [--patients 10000] [--backends sqlite,postgresql]
        [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres]

For each backend a fresh process brings Django up on an empty database (a temporary SQLite
file; a PostgreSQL database ``khetrial_bench`` created and dropped through the admin URL),
builds a synthetic bundle (``generate_bundle.py``: ~200 laboratory rows per patient), imports
it, exports it back, checks that the export equals the bundle, and prints rows per second and
the process's peak resident memory. No figure is asserted: this prints, a person reads.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DATABASE = "khetrial_bench"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(url: str, patients: int, labs_per_patient: int) -> dict:
    """In this process: set Django up on ``url``, import and export one synthetic bundle."""
    sys.path.insert(0, str(HERE))
    from generate_bundle import make_tables

    from khetrial.edc import db, store

    db.setup(url)
    started = time.perf_counter()
    bundle = store.canonical_bundle(make_tables(patients, labs_per_patient))
    rows = sum(bundle.counts().values())
    built = time.perf_counter() - started
    rss_before = peak_rss_mb()

    started = time.perf_counter()
    store.import_bundle(bundle)
    import_s = time.perf_counter() - started
    rss_import = peak_rss_mb()

    started = time.perf_counter()
    exported = store.export_bundle()
    export_s = time.perf_counter() - started
    return {"rows": rows, "build_s": built, "import_s": import_s, "export_s": export_s,
            "import_rows_per_s": rows / import_s, "export_rows_per_s": rows / export_s,
            "peak_rss_mb_before": rss_before, "peak_rss_mb_after_import": rss_import,
            "peak_rss_mb": peak_rss_mb(), "round_trip_identical": exported.equals(bundle)}


def _child(backend: str, url: str, args) -> dict | None:
    command = [sys.executable, __file__, "--child-url", url, "--patients", str(args.patients),
               "--labs-per-patient", str(args.labs_per_patient)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{backend}: failed\n{done.stderr[-3000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres_database(admin_url: str, create: bool) -> bool:
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            if create:
                conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        return True
    except Exception as exc:  # no server: the PostgreSQL figures are skipped, not failed
        print(f"postgresql: skipped ({exc})", file=sys.stderr)
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000, help="patients in the bundle")
    parser.add_argument("--labs-per-patient", type=int, default=200,
                        help="laboratory rows per patient")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL,
                        help="PostgreSQL URL allowed to create and drop the bench database")
    parser.add_argument("--child-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_url:
        print(json.dumps(run_one(args.child_url, args.patients, args.labs_per_patient)))
        return

    results = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results[backend] = _child(backend, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                                          args)
        elif backend == "postgresql":
            if _postgres_database(args.pg_admin_url, create=True):
                url = args.pg_admin_url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
                try:
                    results[backend] = _child(backend, url, args)
                finally:
                    _postgres_database(args.pg_admin_url, create=False)
        else:
            parser.error(f"unknown backend {backend!r}; use sqlite or postgresql")

    print(f"store benchmark: {args.patients} patients, {args.labs_per_patient} lab rows each")
    print(f"{'backend':<11}{'rows':>10}{'import s':>10}{'rows/s':>10}{'export s':>10}"
          f"{'rows/s':>10}{'peak MB':>9}  round trip")
    for backend, r in results.items():
        if r is None:
            print(f"{backend:<11} failed")
            continue
        print(f"{backend:<11}{r['rows']:>10,}{r['import_s']:>10.1f}{r['import_rows_per_s']:>10,.0f}"
              f"{r['export_s']:>10.1f}{r['export_rows_per_s']:>10,.0f}{r['peak_rss_mb']:>9,.0f}"
              f"  {'identical' if r['round_trip_identical'] else 'DIFFERENT'}")
    for backend, r in results.items():
        if r is not None:
            print(f"{backend}: peak resident memory {r['peak_rss_mb_before']:,.0f} MB with the "
                  f"bundle built, {r['peak_rss_mb_after_import']:,.0f} MB after the import, "
                  f"{r['peak_rss_mb']:,.0f} MB after the export")
    if any(r is None or not r["round_trip_identical"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
