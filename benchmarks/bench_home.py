"""Single-request timings of the pages that compute from every patient's rows: the site's
dashboard and each role's home page (worklist), cold (the shared cache emptied first) and warm.

Runs in-process with Django's test client (no server, no network) on the database of
``KHETRIAL_DATABASE_URL``, which must hold a trial (e.g. ``bench_web.py``'s, or ``khetrial
simulate --patients 5000 --randomized-until TODAY`` imported) and the demo accounts (created
here if missing). Prints, per page, the cold time, the medians of the warm times (wall clock
and this process's CPU: the machine may be shared), the queries of a warm request and the patients of the investigator's site still in follow-up. Run:

    KHETRIAL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python benchmarks/bench_home.py --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time

PAGES = (("investigator", "/dashboard/"), ("investigator", "/"), ("statistician", "/"),
         ("monitor", "/"), ("assessor", "/"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page (median shown)")
    parser.add_argument("--site", help="the site of the investigator and the assessor (default: the first)")
    args = parser.parse_args()

    from khetrial.edc.db import setup

    setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from khetrial.edc.trial.models import Patient
    from khetrial.edc.trial.records import edc_today
    from khetrial.edc.web.demo import create_demo_accounts

    users = get_user_model().objects
    if not users.filter(username="demo_investigator").exists():
        create_demo_accounts("bench-password-0123456789")
    if args.site:  # a benchmark database: move the site's two accounts
        from khetrial.edc.accounts.models import Profile

        Profile.objects.filter(user__username__in=["demo_investigator", "demo_assessor"]).update(site_code=args.site)
    site = users.get(username="demo_investigator").profile.site_code
    today = edc_today()
    try:
        from khetrial.protocol.schedule import follow_up_cutoff

        followed = Patient.objects.filter(site__code=site, randomization_date__gte=follow_up_cutoff(today)).count()
    except ImportError:  # a version without the cut-off
        followed = "?"
    print(f"{Patient.objects.count():,} patients; site {site}: "
          f"{Patient.objects.filter(site__code=site).count():,}, {followed} in follow-up on {today}")

    def clear() -> None:
        if "advice" in getattr(__import__("django.conf").conf.settings, "CACHES", {}):
            caches["advice"].clear()

    print(f"{'page':<28}{'cold s':>9}{'warm s':>9}{'warm cpu s':>11}{'warm queries':>14}")
    for role, url in PAGES:
        client = Client()
        client.force_login(users.get(username=f"demo_{role}"))
        clear()
        start = time.perf_counter()
        assert client.get(url).status_code == 200, (role, url)
        cold = time.perf_counter() - start
        warm, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            warm.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{role + ' ' + url:<28}{cold:>9.3f}{statistics.median(warm):>9.3f}{statistics.median(cpu):>11.3f}"
              f"{len(queries):>14}", flush=True)


if __name__ == "__main__":
    main()
