"""Each page of the web benchmark alone: one user, one request at a time, against
``khetrial serve`` on PostgreSQL; wall time per request and the server's CPU time per request.

The companion of ``bench_web.py`` (20 users at once): on a machine shared with other work,
the server's CPU time per request (read from /proc for the server's processes) is the steadier
figure. Same database, accounts and stored report as ``bench_web.py`` (its ``prepare``). Run:

    .venv/bin/python benchmarks/bench_pages.py --requests 30
    .venv/bin/python benchmarks/bench_pages.py --pages "login,patient page" --requests 50
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import HOST, PASSWORD, free_port, prepare, wait_for  # noqa: E402

PATIENT_LINK = re.compile(r'href="/patients/([^/"]+)/"')
PAGES = ("login", "home", "patient list", "patient page", "entry form", "dashboard", "report")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """User + system CPU time of process ``root`` and its descendants (Linux /proc)."""
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        todo.extend(int(c) for c in children)
    return total


def logged_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/")
    response = session.post(f"{base}/login/", {"username": username, "password": PASSWORD,
                                               "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                            headers={"Referer": f"{base}/login/"}, allow_redirects=False)
    if response.status_code != 302:
        sys.exit(f"login of {username} failed: {response.status_code}")
    return session


def login_once(base: str) -> requests.Response:
    """The login POST alone (a new browser: its login page fetched first, not timed)."""
    session = requests.Session()
    session.get(f"{base}/login/")
    return session.post(f"{base}/login/", {"username": "demo_investigator", "password": PASSWORD,
                                           "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                        headers={"Referer": f"{base}/login/"}, allow_redirects=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/khetrial_bench_web")
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages")
    parser.add_argument("--no-prepare", action="store_true",
                        help="the database is ready (patients, accounts, stored report)")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    env = {**os.environ, "KHETRIAL_DATABASE_URL": args.db}
    if not args.no_prepare:
        prepare(args.db, args.patients, env)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen([sys.executable, "-m", "khetrial", "serve", "--db", args.db, "--host", HOST,
                               "--port", str(port), "--workers", str(args.workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"{base}/login/")
        investigator, statistician = logged_in(base, "demo_investigator"), logged_in(base, "demo_statistician")
        patients = PATIENT_LINK.findall(investigator.get(f"{base}/patients/").text) or ["none"]
        rng = random.Random(1)
        fetch = {
            "login": lambda: login_once(base),
            "home": lambda: investigator.get(f"{base}/"),
            "patient list": lambda: investigator.get(f"{base}/patients/?page={rng.randint(1, 3)}"),
            "patient page": lambda: investigator.get(f"{base}/patients/{rng.choice(patients)}/"),
            "entry form": lambda: investigator.get(f"{base}/patients/{rng.choice(patients)}/labs/add/"),
            "dashboard": lambda: investigator.get(f"{base}/dashboard/"),
            "report": lambda: statistician.get(f"{base}/downloads/report.html"),
        }
        for page in pages:  # every server process has served each page once before timing
            for _ in range(2 * args.workers):
                fetch[page]()
        print(f"one request at a time, {args.requests} per page, {args.workers} server processes, "
              f"database {args.db.rsplit('/', 1)[-1]}")
        print(f"{'page':<14} {'status':>6} {'bytes':>9} {'p50 ms':>7} {'p95 ms':>7} {'server CPU ms':>13}")
        for page in pages:
            walls, before = [], cpu_seconds(server.pid)
            for _ in range(args.requests):
                start = time.perf_counter()
                response = fetch[page]()
                walls.append(time.perf_counter() - start)
            cpu = (cpu_seconds(server.pid) - before) / args.requests
            walls.sort()
            p95 = walls[min(len(walls) - 1, int(round(0.95 * (len(walls) - 1))))]
            size = len(response.content) if "Content-Encoding" not in response.headers else \
                int(response.headers.get("Content-Length", 0))
            print(f"{page:<14} {response.status_code:>6} {size:>9} {statistics.median(walls) * 1000:>7.0f} "
                  f"{p95 * 1000:>7.0f} {cpu * 1000:>13.1f}", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
