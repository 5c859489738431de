"""Parallel allocation from separate processes (the concurrency tests and a benchmark use them).

Each worker below runs in a fresh (spawned) process: it brings Django up on
``$KHETRIAL_DATABASE_URL`` (or the URL of its job) with its own connection, then does its work in
:mod:`.drills`, which can only be imported once Django is up. The caller checks that no entry
was taken twice or skipped, and that no child was randomized twice.
"""

from __future__ import annotations

import multiprocessing

from khetrial.edc.db import setup


def _drills(url: str | None = None, *, migrate: bool = False):
    setup(url, migrate=migrate)
    from khetrial.edc.randomization import drills  # only importable once Django is up

    return drills


def allocate_many(job: tuple[str, int, int]) -> tuple[str, list[int]]:
    """Worker: ``(site, first_number, n)`` -> ``(site, list positions taken in order)``."""
    return _drills().allocate_many(*job)


def post_randomize(job: tuple[str, str, int, str]) -> tuple[int, str]:
    """Worker: ``(database URL, username, screening pk, patient id)`` -> the web response
    (status, redirect target) of one ``POST /screening/<pk>/randomize/`` by that user."""
    url, username, pk, patient_id = job
    return _drills(url).post_randomize(username, pk, patient_id)


def prepare_screenings(job: tuple[str, int]) -> list[int]:
    """Worker: ``(database URL, n)``: migrate a fresh database and make ``n`` screenings."""
    url, n = job
    return _drills(url, migrate=True).prepare_screenings(n)


def verify_audit(url: str) -> dict:
    """Worker: the audit chain check of the database at ``url`` (as a dict)."""
    return _drills(url).verify_audit()


def run_parallel(jobs, processes: int = 8, timeout: float = 300, worker=allocate_many) -> list:
    """Run ``worker`` (default :func:`allocate_many`) over ``jobs`` in ``processes`` fresh
    (spawned) processes; the results in the order of ``jobs``."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map_async(worker, jobs, chunksize=1).get(timeout=timeout)
