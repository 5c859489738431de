"""The JSON API (django-ninja): same roles, same site scope, same blinding path as the pages.

Authentication: ``Authorization: Bearer <token>`` (tokens from ``khetrial user token NAME``)
or the browser session (with CSRF). Writes validate with the same forms as the pages and need a
``reason`` for every correction or void, exactly as the forms do. The OpenAPI schema is at
``/api/openapi.json`` (not for blinded roles: it names every field of every table).
"""

from __future__ import annotations

import json
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from khetrial.bundle.format import ID_PATTERN
from khetrial.edc.accounts.models import ApiToken
from khetrial.edc.accounts.second_factor import pending_step
from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.randomization.services import randomize_patient
from khetrial.edc.trial import records as record_service
from khetrial.edc.trial.models import Screening, Site
from khetrial.edc.web.blinding import disclosure_for
from khetrial.edc.web.forms import PatientForm, ReasonForm, record_form_class
from khetrial.edc.web.permissions import (ADMIN, ASSESSOR, CLINICAL, EVERYONE, INVESTIGATOR,
                                          MONITOR, STATISTICIAN, author, role_of)
from khetrial.edc.web.policy import editable_table
from khetrial.edc.web.screening import ScreeningForm
from khetrial.edc.web.tables import CLINICAL_TABLES
from khetrial.errors import KhetrialError

API_FORM = "api"  # the audit trail's "form" of a write made through the API


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.find(token)  # unrevoked, unexpired, active user (accounts owns the rule)
        if row is None:
            return None
        request.user = row.user
        return row.user


api = NinjaAPI(title="khetrial", version="1", auth=[TokenAuth(), django_auth], docs_url=None,
               openapi_url=None, urls_namespace="api")


def api_allow(*roles: str):
    """The API's counterpart of :func:`khetrial.edc.web.permissions.allow`."""
    def decorate(fn):
        @wraps(fn)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise HttpError(403, "your role may not use this route")
            if not getattr(request, "khetrial_token", False) and pending_step(request.user):
                raise HttpError(403, "finish signing in on the web pages first (new password "
                                     "or second factor)")
            request.disclosure = disclosure_for(request.user)
            return fn(request, *args, **kwargs)

        wrapped.khetrial_roles = frozenset(roles)
        return wrapped
    return decorate


@api.exception_handler(KhetrialError)
def _khetrial_error(request, exc):
    status = 403 if exc.__class__.__name__ == "PermissionDenied" else 400
    return api.create_response(request, {"error": "refused", "detail": str(exc)}, status=status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"error": "not found", "detail": str(exc)}, status=404)


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"error": "not allowed", "detail": str(exc)}, status=403)


def _patient(request, patient_id: str):
    # the identifier's characters, as the pages' URL converter: a stored patient whose id is an
    # arm code (refused for new patients since) is still found
    if ID_PATTERN.fullmatch(patient_id) is None:
        raise Http404("no such patient")
    patient = request.disclosure.patients().filter(patient_id=patient_id).first()
    if patient is None:
        raise Http404("no such patient")
    return patient


def _table(request, table_name: str, write: bool = False):
    if write:
        editable_table(request.disclosure, table_name)
    t = CLINICAL_TABLES.get(table_name)
    if t is None or not request.disclosure.may_see(table_name):
        raise Http404("no such table")
    return t


def _payload(request) -> dict:
    """The JSON object sent with a write (read after the role check, not before)."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise HttpError(400, "the request body is not JSON; send a JSON object") from None
    if not isinstance(data, dict):
        raise HttpError(400, "send a JSON object of field: value")
    return data


WRITE_BODY = {"requestBody": {"content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "field: value pairs of the table (bundle format names); "
                   "'reason' is required for a correction or a void"}}}}}


def _form_value(name: str, value) -> str:
    """A JSON value as the text a form field reads (a form field given a number or a list
    would fail with a server error: issue 16, '"date": 5' -> 500)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise HttpError(422, f"{name}: got a JSON {type(value).__name__}; send a string, a number, "
                         "true/false or null")


def _validated(form_class, payload: dict, **options) -> dict:
    """The payload checked by the pages' own form (422 with every field's message)."""
    data = {k: _form_value(k, v) for k, v in payload.items()}
    form = form_class(data, **options)
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{field}: {' '.join(errs)}"
                                       for field, errs in form.errors.items()))
    return form.cleaned_data


@api.get("/me", summary="Who am I: username, role, site")
@api_allow(*EVERYONE)
def me(request) -> dict[str, Any]:
    d = request.disclosure
    return {"username": d.username, "role": d.role, "site": d.site or None}


@api.get("/patients", summary="Patients this user may see")
@api_allow(*CLINICAL)
def patients(request) -> list[dict[str, Any]]:
    d = request.disclosure
    return d.rows("patients", d.patients().order_by("patient_id"))


@api.get("/patients/{patient_id}", summary="One patient")
@api_allow(*CLINICAL)
def patient(request, patient_id: str) -> dict[str, Any]:
    return request.disclosure.row("patients", _patient(request, patient_id))


@api.get("/patients/{patient_id}/{table_name}", summary="One table of a patient's data")
@api_allow(*CLINICAL)
def records(request, patient_id: str, table_name: str) -> list[dict[str, Any]]:
    d = request.disclosure
    t = _table(request, table_name)
    qs = d.records(table_name).filter(patient=_patient(request, patient_id))
    return d.rows(table_name, qs.order_by(t.date_field, "seq", "id"))


@api.post("/patients/{patient_id}/{table_name}", summary="Add a record (e.g. a lab result)",
          openapi_extra=WRITE_BODY)
@api_allow(INVESTIGATOR, ASSESSOR)
def add(request, patient_id: str, table_name: str) -> dict[str, Any]:
    payload = _payload(request)
    d = request.disclosure
    _table(request, table_name, write=True)
    p = _patient(request, patient_id)
    fields = d.fields(table_name)
    cleaned = _validated(record_form_class(table_name, fields), payload, patient=p)
    obj = record_service.add(table_name, p, {f: cleaned.get(f) for f in fields},
                             author=author(request, API_FORM))
    return d.row(table_name, obj)


@api.patch("/patients/{patient_id}/{table_name}/{record_id}",
           summary="Correct a record; 'reason' is required", openapi_extra=WRITE_BODY)
@api_allow(INVESTIGATOR, ASSESSOR)
def correct(request, patient_id: str, table_name: str, record_id: int) -> dict[str, Any]:
    payload = _payload(request)
    d = request.disclosure
    _table(request, table_name, write=True)
    obj = _record(request, table_name, patient_id, record_id)
    fields = d.fields(table_name)
    current = {f: getattr(obj, f) for f in fields}
    merged = {**{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for k, v in current.items()}, **payload}
    cleaned = _validated(record_form_class(table_name, fields), merged, correction=True,
                         patient=obj.patient)
    record_service.correct(obj, {f: cleaned.get(f) for f in fields}, reason=cleaned["reason"],
                           author=author(request, API_FORM))
    return d.row(table_name, obj)


@api.post("/patients/{patient_id}/{table_name}/{record_id}/void",
          summary="Void a record; 'reason' is required", openapi_extra=WRITE_BODY)
@api_allow(INVESTIGATOR, ASSESSOR)
def void(request, patient_id: str, table_name: str, record_id: int) -> dict[str, Any]:
    payload = _payload(request)
    _table(request, table_name, write=True)
    obj = _record(request, table_name, patient_id, record_id)
    cleaned = _validated(ReasonForm, {"reason": str(payload.get("reason", ""))})
    record_service.void(obj, reason=cleaned["reason"], author=author(request, API_FORM))
    return request.disclosure.row(table_name, obj)


@api.get("/audit", summary="Audit trail entries this user may see (newest first)")
@api_allow(*EVERYONE)
def audit(request, patient_id: str = "", limit: int = 100) -> list[dict[str, Any]]:
    if "\x00" in patient_id:  # PostgreSQL refuses NUL in text: a 500 found by the API fuzzer
        raise HttpError(422, "patient_id: got a NUL character; a patient id has none")
    qs = request.disclosure.audit_entries(AuditEntry.objects.all())
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    return request.disclosure.audit_rows(qs.order_by("-at", "-id")[:max(1, min(limit, 1000))])


def _record(request, table_name, patient_id, record_id):
    obj = request.disclosure.records(table_name).filter(
        patient=_patient(request, patient_id), pk=record_id).first()
    if obj is None:
        raise Http404("no such record")
    if obj.voided:
        raise HttpError(409, "the record is voided")
    return obj


OPENAPI_ROLES = (INVESTIGATOR, STATISTICIAN, MONITOR, ADMIN)


def openapi_view(request):
    """The OpenAPI schema (JSON) of this API."""
    return JsonResponse(api.get_openapi_schema(path_prefix="/api/"))


def docs_view(request):
    """A readable page of the API's routes (offline: no Swagger UI from a CDN)."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    routes = [{"method": method.upper(), "path": path, "summary": op.get("summary", ""),
               "parameters": ", ".join(p["name"] for p in op.get("parameters", []))}
              for path, ops in schema["paths"].items() for method, op in ops.items()]
    return render(request, "web/api_docs.html", {"routes": routes})


# --- Screening and randomization (the JSON counterpart of /screening/new/ and
# /screening/{pk}/randomize/: same role, same site, same forms, same services, same audit) ---

SCREENING_BODY = {"requestBody": {"content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "the screening form's fields (screening_id, date, birth_date, "
                   "diagnosis_basis [list], platelets, fibrinogen, d_dimer, the yes/no criteria, "
                   "last_<therapy> dates, last_major_surgery); record_failure: true also records "
                   "a child who is not eligible"}}}}}
RANDOMIZE_BODY = {"requestBody": {"content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": True,
    "description": "the randomization form's fields: patient_id, sex, birth_date, weight_kg, "
                   "height_cm, lesion_depth, lesion_site, kmp_onset_date, biopsy"}}}}}


def _form_data(payload: dict) -> dict:
    """A JSON object as form data: booleans as the check boxes send them, lists kept."""
    data = {}
    for key, value in payload.items():
        if isinstance(value, bool):
            if value:
                data[key] = "1" if key == "biopsy" else "on"
            elif key == "biopsy":
                data[key] = "0"
        elif value is not None:
            data[key] = value
    return data


def _form_errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())


@api.post("/screening", summary="Screen a child against the criteria; eligible children "
                                "(and failures with record_failure) are recorded",
          openapi_extra=SCREENING_BODY)
@api_allow(INVESTIGATOR)
def screen(request) -> dict[str, Any]:
    payload = _payload(request)
    data = QueryDict(mutable=True)
    for key, value in _form_data(payload).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    form = ScreeningForm(data)
    if not form.is_valid():
        raise HttpError(422, _form_errors(form))
    result, d = form.result, request.disclosure
    sid = form.cleaned_data["screening_id"].strip()
    if Screening.objects.filter(screening_id=sid, voided=False).exists():
        raise HttpError(409, f"screening_id: {sid} is already used; give another screening id")
    out = {"screening_id": sid, **result.to_dict(), "id": None, "recorded": False}
    if result.eligible or payload.get("record_failure") is True:
        site = Site.objects.get(code=d.site)
        with record_service.writing(author(request, API_FORM)):
            row = Screening.objects.create(
                screening_id=sid, site=site, seq=record_service.next_seq(Screening),
                date=form.cleaned_data["date"], eligible=result.eligible,
                reason=";".join(result.codes)[:120])
        out.update(id=row.pk, recorded=True)
    return out


@api.post("/screening/{screening_pk}/randomize",
          summary="Randomize an eligible screened child (central, concealed list)",
          openapi_extra=RANDOMIZE_BODY)
@api_allow(INVESTIGATOR)
def randomize(request, screening_pk: int) -> dict[str, Any]:
    payload = _payload(request)
    d = request.disclosure
    screening = d.records("screening").filter(pk=screening_pk, voided=False).first()
    if screening is None:
        raise Http404("no such screening")
    if not screening.eligible or screening.patient_id:
        raise HttpError(409, "only an eligible, not yet randomized child can be randomized; "
                             f"screening {screening.screening_id} is "
                             + ("already randomized" if screening.patient_id else "a failure"))
    form = PatientForm(_form_data(payload))
    if not form.is_valid():
        raise HttpError(422, _form_errors(form))
    fields = dict(form.cleaned_data)
    fields["kmp_onset_date"] = fields.get("kmp_onset_date")
    patient, _allocation = randomize_patient(fields, site_code=d.site,
                                             actor=request.user.username, role=d.role,
                                             screening=screening)
    return d.row("patients", patient)
