"""The work of one process of a concurrency drill (see :mod:`.stress`), run after Django is up:
allocating, posting randomizations through the web application, preparing screenings and
checking the audit chain. Each function closes its connection when done, so a pool's process can
be reused."""

from __future__ import annotations

import datetime as dt
import os
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from khetrial.edc.accounts.services import add_user
from khetrial.edc.audit.trail import audit_context
from khetrial.edc.audit.verify import verify_trail
from khetrial.edc.randomization.services import allocate_entry, create_allocation_list
from khetrial.edc.trial.models import Screening, Site

FORM = {"sex": "F", "birth_date": "2018-01-01", "weight_kg": "6", "height_cm": "60",
        "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "1"}
"""The baseline fields of a randomization form the drills post."""
CONFIRMATION = re.compile(r'name="confirmation" value="([^"]+)"')
"""The signed summary on the confirmation page (the form alone allocates nothing)."""


def allocate_many(site: str, start: int, n: int) -> tuple[str, list[int]]:
    """``n`` allocations at ``site``: the list positions taken, in order."""
    try:
        return site, [allocate_entry(site, f"{site}-{start + i}", actor=f"process-{os.getpid()}").position
                      for i in range(n)]
    finally:
        connection.close()


def post_randomize(username: str, pk: int, patient_id: str) -> tuple[int, str]:
    """One randomization at ``/screening/<pk>/randomize/`` by ``username``, the form then its
    confirmation: (status, redirect target) of the last response."""
    try:
        client = Client(raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=username))
        url = f"/screening/{pk}/randomize/"
        response = client.post(url, {"patient_id": patient_id, **FORM})
        token = CONFIRMATION.search(response.content.decode("utf-8", "replace"))
        if response.status_code == 200 and token:
            response = client.post(url, {"confirmation": token.group(1), "confirm": ""})
        return response.status_code, response.get("Location", "")
    finally:
        connection.close()


def make_screenings(n: int, *, site: str = "A", user: str = "inv_a") -> list[int]:
    """Site ``site``, its investigator ``user``, the list, ``n`` eligible screenings (pks)."""
    row = Site.objects.create(code=site, name=f"Centre {site}")
    add_user(user, "investigator", "correct-horse-battery-7", site)
    create_allocation_list([site], seed="concurrency", per_site=60)
    with audit_context(actor="stress", form="screening"):
        return [Screening.objects.create(screening_id=f"SCR-{i}", site=row, eligible=True,
                                         date=dt.date(2018, 3, 1)).pk for i in range(n)]


def prepare_screenings(n: int) -> list[int]:
    """:func:`make_screenings` on a freshly migrated database."""
    try:
        return make_screenings(n)
    finally:
        connection.close()


def verify_audit() -> dict:
    """The audit chain check (as a dict)."""
    try:
        return verify_trail().to_dict()
    finally:
        connection.close()
