"""Load benchmark of the web application: 20 locust users on PostgreSQL, p50/p95/p99 per page.

Builds a database of simulated patients (``khetrial simulate`` + ``khetrial import``, skipped
when the database already holds them), creates one account per role, computes the report once,
starts ``khetrial serve --workers N`` on 127.0.0.1 and runs locust headless for a bounded time
(``locustfile.py``: login, patient list, patient page, entry form, dashboard, report). Needs
the ``bench`` extra (locust) and an existing (possibly empty) PostgreSQL database. Run:

    .venv/bin/python benchmarks/bench_web.py --patients 5000 --run-time 60
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"  # never anything else: this benchmark loads the machine it runs on
PASSWORD = "bench-password-0123456789"
ACCRUAL_ENDED_DAYS_AGO = 480
"""The benchmark's trial: accrual over 480 days ago, 44 % of the children in follow-up."""
PAGES = ("login", "home", "patient list", "patient page", "entry form", "dashboard", "report")


def khetrial(*args: str, env: dict) -> str:
    run = subprocess.run([sys.executable, "-m", "khetrial", *args], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"khetrial {' '.join(args)} failed: {run.stderr[-2000:]}")
    return run.stdout


def django(code: str, env: dict) -> str:
    run = subprocess.run([sys.executable, "-c", "from khetrial.edc.db import setup; setup()\n" + code],
                         capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"setting up the database failed: {run.stderr[-2000:]}")
    return run.stdout.strip()


def prepare(url: str, patients: int, env: dict) -> None:
    """Patients, accounts and the stored report on the database at ``url``."""
    have = int(django("from khetrial.edc.trial.models import Patient; print(Patient.objects.count())", env))
    if have < patients:
        with tempfile.TemporaryDirectory(prefix="khetrial-bench-web-") as folder:
            start = time.perf_counter()
            # a trial in follow-up: accrual (about 700 days) ended ACCRUAL_ENDED_DAYS_AGO, data
            # recorded until today, so that 44 % of the children are still in follow-up (2
            # years and the last window) and fill the dashboard and the worklists
            today = datetime.date.today()
            khetrial("simulate", folder, "--patients", str(patients), "--seed", "1",
                     "--randomized-until", (today - datetime.timedelta(ACCRUAL_ENDED_DAYS_AGO)).isoformat(),
                     "--recorded-until", today.isoformat(), env=env)
            khetrial("import", folder, "--db", url, env=env)
            print(f"simulated and imported {patients:,} patients in {time.perf_counter() - start:.0f} s", flush=True)
    django(f"from khetrial.edc.web.demo import create_demo_accounts; create_demo_accounts({PASSWORD!r})", env)
    start = time.perf_counter()
    status = django("from khetrial.edc.web import reporting; job = reporting.report_job('bench'); "
           "print(job.status, job.error)", {**env, "KHETRIAL_REPORT_BACKGROUND": "0"})
    if not status.startswith("done"):
        sys.exit(f"the report could not be computed: {status}")
    print(f"report computed and stored in {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    khetrial("warm", "--db", url, env=env)  # as the nightly job of a deployment does
    print(f"today's worklists computed into the cache in {time.perf_counter() - start:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(url: str) -> None:
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url} within 2 minutes")


def percentiles(stats_csv: Path) -> list[dict]:
    with stats_csv.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] in PAGES or row["Name"] == "Aggregated"]


def failure_lines(failures_csv: Path) -> list[str]:
    """One line per kind of failure (page, method, error, how many times)."""
    if not failures_csv.exists():
        return []
    with failures_csv.open(newline="") as f:
        return [f"{row['Name']} {row['Method']}: {row['Error'][:300]} ({row['Occurrences']}×)"
                for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/khetrial_bench_web")
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes (default: khetrial serve's)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per server process (default: khetrial serve's)")
    parser.add_argument("--spawn-rate", type=float, default=None,
                        help="users started per second (default: all at once)")
    parser.add_argument("--pages", default="",
                        help="comma-separated pages whose tasks run (default: all), e.g. "
                             "'patient page,report' to measure them without the others' load; "
                             "login always runs")
    parser.add_argument("--steady", action="store_true",
                        help="reset the statistics once every user is started and logged in "
                             "(steady state; the logins of the ramp-up are then not counted)")
    args = parser.parse_args()
    env = {**os.environ, "KHETRIAL_DATABASE_URL": args.db, "KHETRIAL_BENCH_PASSWORD": PASSWORD,
           "KHETRIAL_BENCH_PAGES": args.pages}
    prepare(args.db, args.patients, env)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "khetrial", "serve", "--db", args.db, "--host", HOST,
                               "--port", str(port),
                               *(["--workers", str(args.workers)] if args.workers else []),
                               *(["--threads", str(args.threads)] if args.threads else [])],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://{HOST}:{port}/login/")
        with tempfile.TemporaryDirectory(prefix="khetrial-locust-") as folder:
            prefix = Path(folder) / "run"
            subprocess.run([sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
                            "-u", str(args.users), "-r", str(args.spawn_rate or args.users),
                            "--run-time", f"{args.run_time}s", *(["--reset-stats"] if args.steady else []),
                            "--host", f"http://{HOST}:{port}", "--csv", str(prefix), "--only-summary",
                            "--stop-timeout", "10"], env=env, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rows = percentiles(Path(f"{prefix}_stats.csv"))
            failures = failure_lines(Path(f"{prefix}_failures.csv"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # gunicorn waits for kept-alive connections
            server.kill()
    print(f"{args.users} users, {args.run_time} s, server processes {args.workers or 'default'} "
          f"× threads {args.threads or 'default'}, {args.patients:,} patients"
          + (", steady state (statistics reset after the ramp-up)" if args.steady else ""))
    if args.pages:
        print(f"pages: {args.pages} (and login)")
    print(f"{'page':<14} {'method':<6} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'req/s':>6}")
    for row in rows:
        print(f"{row['Name']:<14} {row['Type']:<6} {row['Request Count']:>8} {row['Failure Count']:>8} "
              f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Requests/s']):>6.1f}")
    for line in failures:
        print(f"failure: {line}")


if __name__ == "__main__":
    main()
