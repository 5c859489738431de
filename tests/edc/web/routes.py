"""Every route of the application, read from the URL configuration and the API router, with
sample arguments for one user: the generated permission and blinding tests walk these."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

SITE_PATIENT = {"A": "A-01", "B": "B-01", "": "A-01"}


@dataclass(frozen=True)
class Route:
    name: str
    url: str
    method: str
    roles: frozenset
    api: bool = False


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def samples(site: str, username: str = "") -> dict:
    """Sample URL arguments that exist for a user of ``site`` ("" = all sites)."""
    from khetrial.edc.trial.models import MriScan, Patient
    from khetrial.edc.web.models import DataQuery, UnblindingRequest

    pid = SITE_PATIENT[site]
    patient = Patient.objects.get(patient_id=pid)
    mri = MriScan.objects.filter(patient=patient).first()
    query = DataQuery.objects.filter(patient_id=pid).first()
    requests = UnblindingRequest.objects.filter(patient_id=pid)
    mine = requests.filter(requested_by=username) if username.startswith("assessor") else requests
    open_req = requests.filter(approved_at__isnull=True).first()
    done_req = mine.filter(approved_at__isnull=False).first()
    from khetrial.edc.trial.models import Screening

    screening = Screening.objects.filter(site=patient.site).first()
    return {"key": _epro_key(pid),"screening_pk": screening.pk, "patient_id": pid, "table_name": "mri", "pk": mri.pk, "record_id": mri.pk,
            "username": "inv_b", "path": "style.css", "query_pk": query.pk, "fmt": "odm",
            "approve_pk": open_req.pk if open_req else 0,
            "reveal_pk": done_req.pk if done_req else 0}


def _epro_key(pid: str) -> str:
    """A live parents' questionnaire link of ``pid`` (opening it does not use it up)."""
    import datetime as dt

    from django.utils import timezone

    from khetrial.edc.web.epro import hash_key
    from khetrial.edc.web.models import EproLink

    key = f"walk-{pid}"
    EproLink.objects.get_or_create(key_hash=hash_key(key), defaults={
        "patient_id": pid, "site_code": pid[0], "instrument": "infant_1_12", "month": 0,
        "created_by": "fixture", "expires_at": timezone.now() + dt.timedelta(days=1)})
    return key


def page_routes(site: str, username: str = "") -> list[Route]:
    """Every non-API URL pattern, filled in for a user of ``site``."""
    values = samples(site, username)
    out = []
    for pattern, p in _walk(get_resolver().url_patterns):
        if pattern.startswith("api/") and pattern not in ("api/openapi.json", "api/docs"):
            continue
        roles = getattr(p.callback, "khetrial_roles", None)
        if roles is None:
            raise AssertionError(f"route {pattern} declares no roles (@allow/@public)")
        kwargs = dict(values)
        if p.name in ("query_answer", "query_close"):
            kwargs["pk"] = values["query_pk"]
        if p.name == "randomize":
            kwargs["pk"] = values["screening_pk"]
        if p.name == "unblinding_approve":
            kwargs["pk"] = values["approve_pk"]
        if p.name == "unblinding_reveal":
            kwargs["pk"] = values["reveal_pk"]
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern)
        out.append(Route(p.name or pattern, url, "GET", frozenset(roles)))
    return out


def api_routes(site: str, username: str = "") -> list[Route]:
    """Every django-ninja operation, filled in for a user of ``site``."""
    from khetrial.edc.web.api import api

    values = samples(site, username)
    out = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                roles = getattr(op.view_func, "khetrial_roles", None)
                if roles is None:
                    raise AssertionError(f"API route {path} declares no roles (@api_allow)")
                url = "/api" + prefix + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]),
                                               path)
                for method in op.methods:
                    out.append(Route(f"{method} {path}", url, method, frozenset(roles), api=True))
    return out
