"""Parallel allocation from separate processes (the concurrency tests and a benchmark use them).

Each process brings Django up on ``$KHETRIAL_DATABASE_URL`` (or the URL of its job) with its
own connection; the caller checks that no entry was taken twice or skipped, and that no child
was randomized twice.
"""

from __future__ import annotations

import multiprocessing
import os

FORM = {"sex": "F", "birth_date": "2018-01-01", "weight_kg": "6", "height_cm": "60",
        "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "1"}


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


def post_randomize(job: tuple[str, str, int, str]) -> tuple[int, str]:
    """Worker: ``(database URL, username, screening pk, patient id)`` -> the web response
    (status, redirect target) of one ``POST /screening/<pk>/randomize/`` by that user."""
    url, username, pk, patient_id = job
    from khetrial.edc.db import setup

    setup(url, migrate=False)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    try:
        client = Client(raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=username))
        response = client.post(f"/screening/{pk}/randomize/", {"patient_id": patient_id, **FORM})
        return response.status_code, response.get("Location", "")
    finally:
        connection.close()


def make_screenings(n: int, *, site: str = "A", user: str = "inv_a") -> list[int]:
    """Site ``site``, its investigator ``user``, the list, ``n`` eligible screenings (pks)."""
    import datetime as dt

    from khetrial.edc.accounts.services import add_user
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.randomization.services import create_allocation_list
    from khetrial.edc.trial.models import Screening, Site

    row = Site.objects.create(code=site, name=f"Centre {site}")
    add_user(user, "investigator", "correct-horse-battery-7", site)
    create_allocation_list([site], seed="concurrency", per_site=60)
    with audit_context(actor="stress", form="screening"):
        return [Screening.objects.create(screening_id=f"SCR-{i}", site=row, eligible=True,
                                         date=dt.date(2018, 3, 1)).pk for i in range(n)]


def prepare_screenings(job: tuple[str, int]) -> list[int]:
    """Worker: ``(database URL, n)``: migrate a fresh database and :func:`make_screenings`."""
    url, n = job
    from khetrial.edc.db import setup

    setup(url)
    from django.db import connection

    try:
        return make_screenings(n)
    finally:
        connection.close()


def verify_audit(url: str) -> dict:
    """Worker: the audit chain check of the database at ``url`` (as a dict)."""
    from khetrial.edc.db import setup

    setup(url, migrate=False)
    from django.db import connection

    from khetrial.edc.audit.verify import verify_trail

    try:
        return verify_trail().to_dict()
    finally:
        connection.close()


def run_parallel(jobs, processes: int = 8, timeout: float = 300, worker=allocate_many) -> list:
    """Run ``worker`` (default :func:`allocate_many`) over ``jobs`` in ``processes`` fresh
    (spawned) processes; the results in the order of ``jobs``."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map_async(worker, jobs, chunksize=1).get(timeout=timeout)
