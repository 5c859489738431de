"""Parallel allocation from separate processes (the concurrency test and a benchmark use it).

Each process brings Django up on ``$KHETRIAL_DATABASE_URL`` with its own connection and
randomizes ``n`` patients of one site; the caller checks that no entry was taken twice or
skipped.
"""

from __future__ import annotations

import os


def allocate_many(job: tuple[str, int, int]) -> tuple[str, list[int]]:
    """Worker: ``(site, first_number, n)`` -> ``(site, list positions taken in order)``."""
    site, start, n = job
    from khetrial.edc.db import setup

    setup(migrate=False)
    from django.db import connection

    from khetrial.edc.randomization.services import allocate_entry

    try:
        positions = [allocate_entry(site, f"{site}-{start + i}",
                                    actor=f"process-{os.getpid()}").position for i in range(n)]
    finally:
        connection.close()
    return site, positions


def run_parallel(jobs, processes: int = 8, timeout: float = 300) -> list[tuple[str, list[int]]]:
    """Run :func:`allocate_many` over ``jobs`` in ``processes`` fresh (spawned) processes."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map_async(allocate_many, jobs, chunksize=1).get(timeout=timeout)
