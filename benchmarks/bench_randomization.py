"""Central randomization under contention: 200 allocations from 8 processes over 5 sites.

Prints allocations per second and checks that every stratum was used in order with no gap.
Runs on $KHETRIAL_DATABASE_URL if set (PostgreSQL: row locks), else a fresh SQLite file
(IMMEDIATE transactions).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

SITES = ("A", "B", "C", "D", "E")


def main() -> None:
    url = os.environ.get("KHETRIAL_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    os.environ["KHETRIAL_DATABASE_URL"] = url
    from khetrial.edc.db import setup

    setup(url)
    from khetrial.edc.randomization.models import AllocationEntry, AllocationList, Stratum
    from khetrial.edc.randomization.services import create_allocation_list
    from khetrial.edc.randomization.stress import run_parallel
    from khetrial.edc.trial.models import Site

    if AllocationList.objects.exists():
        raise SystemExit(f"{url} already has an allocation list; use an empty database")
    for code in SITES:
        Site.objects.get_or_create(code=code)
    create_allocation_list(SITES, seed="bench", per_site=50)
    jobs = [(site, k * 10, 10) for site in SITES for k in range(4)]
    start = time.perf_counter()
    run_parallel(jobs, processes=8)
    elapsed = time.perf_counter() - start
    used = AllocationEntry.objects.exclude(patient_id="")
    ok = used.count() == 200 and all(
        sorted(used.filter(site_code=s).values_list("position", flat=True)) == list(range(1, 41))
        for s in SITES) and all(st.used == 40 for st in Stratum.objects.all())
    print(f"randomization: 200 allocations, 8 processes, {url.split(':')[0]}: "
          f"{elapsed:.2f} s ({200 / elapsed:.0f}/s, incl. process start); "
          f"strata in order without gaps: {'yes' if ok else 'NO'}")
    if tmp:
        tmp.cleanup()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
