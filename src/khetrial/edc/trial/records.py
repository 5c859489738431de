"""The one place that writes a record: add, correct, void, and the next ``seq``.

Every write path goes through here: the web forms (:mod:`khetrial.edc.web.views.entry`), the
JSON API (:mod:`khetrial.edc.web.api`), the PedsQL form (:mod:`khetrial.edc.web.views.pedsql`)
and, for the ``seq`` rule and the audit context, the bulk bundle import
(:mod:`khetrial.edc.store`). Each write runs in one transaction inside :func:`writing`, the
audit context of its :class:`Author`, and gives the patient a new ``revision`` (what was
cached from its rows is read no more, :func:`touch`); the audit app's model signals
(:mod:`khetrial.edc.audit.capture`) then write, in that same transaction, one ``create`` entry
per added row, one ``change`` entry per corrected field and a ``void`` entry per voided row,
each with the actor, role, form and reason. Clinical rows are never deleted: a void keeps the
row, marked ``voided`` with its reason and time.

A refused write raises :class:`~khetrial.errors.DatabaseError` naming the table, the field and
what is allowed ("labs.test: got 'troponin'; test must be one of platelets, ..."). Besides the
columns' kinds, code lists and ranges, every write passes the edit checks of the bundle import
(:func:`khetrial.bundle.checks.row_findings`: no date after today, none before the birth date,
study data before randomization only in the plan's windows, dose maxima), with today's date
from :func:`edc_today`. The forms check the same rules field by field first; these checks are
the service's own guard, whatever the caller.

With Django set up::

    dr_a = Author(actor="dr_a", role="investigator", form="labs")
    lab = add("labs", patient, {"date": day, "test": "platelets", "value": 54.0}, author=dr_a)
    correct(lab, {"value": 45.0}, reason="typo in the lab report", author=dr_a)
    void(lab, reason="sample of another patient", author=dr_a)
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from khetrial.bundle.checks import PatientDates, Screened, row_findings, screening_findings
from khetrial.bundle.format import CODE, FLAG, INTEGER, NUMBER, TABLE_SPECS, TEXT
from khetrial.edc.audit.trail import audit_context
from khetrial.edc.trial.tables import (CLINICAL_TABLE_NAMES, PATIENT_KEY, SITE_KEY, model_of,
                                       table_of)
from khetrial.errors import DatabaseError

#: ``seq`` of the first row of an empty table; each new row comes after the table's last
#: (project choice: file order counted from 0, as a bundle's rows are; kept by import/export).
FIRST_SEQ = 0
KEY_COLUMNS = (PATIENT_KEY, SITE_KEY)  # set by the caller as objects, never as values


@dataclass(frozen=True)
class Author:
    """Who writes, for the audit trail: user name, role, the form (or ``api``/``import``) the
    write came from, and the client's address."""

    actor: str = "system"
    role: str = ""
    form: str = ""
    ip: str = ""


def edc_today() -> datetime.date:
    """Today's date for the edit checks: the server's local date, or the ``KHETRIAL_TODAY``
    setting (a ``datetime.date``) when one is set (tests, a virtual trial run in the past)."""
    fixed = getattr(settings, "KHETRIAL_TODAY", None)
    return fixed if fixed is not None else timezone.localdate()


def patient_dates(patient) -> PatientDates:
    """The dates a patient's rows are checked against, and whether the screening recorded an
    earlier mTOR inhibitor (``None`` when no screening facts are recorded)."""
    prior = (_screening_facts().objects.filter(screening__patient=patient, screening__voided=False)
             .values_list("prior_mtor_inhibitor", flat=True).first())
    return PatientDates(patient.birth_date, patient.randomization_date, prior)


def screened(screening) -> Screened:
    """What ``screening`` (a Screening row, or ``None``) recorded about the child."""
    facts = _screening_facts().objects.filter(screening=screening).first() if screening else None
    if facts is None:
        return Screened()
    return Screened(facts.birth_date, facts.sex)


def _screening_facts():
    """The model (looked up when used: this module is imported before Django is set up)."""
    return apps.get_model("trial", "ScreeningFacts")


def edit_check(table: str, row: Mapping, patient=None, *, identifiers: bool = True,
               screening=None) -> None:
    """Refuse ``row`` of ``table`` when an edit check finds a problem; ``patient`` is the
    row's patient (``None`` for a ``patients`` row, checked on its own dates); ``screening``:
    the screening a new patient is randomized from (birth date and sex must agree)."""
    dates = patient_dates(patient) if patient is not None else None
    findings = row_findings(table, row, patient=dates, today=edc_today(),
                            identifiers=identifiers)
    if screening is not None:
        findings += screening_findings(row, screened(screening))
    if findings:
        raise DatabaseError("; ".join(f"{table}.{f.message}" for f in findings))


@contextmanager
def writing(author: Author, reason: str = "") -> Iterator[None]:
    """One transaction whose clinical changes the audit trail attributes to ``author``."""
    with transaction.atomic(), audit_context(actor=author.actor, role=author.role,
                                             reason=reason, form=author.form, ip=author.ip):
        yield


def next_seq(model) -> int:
    """The ``seq`` of a row added now to ``model``'s table: after its last row (voided rows
    count: file order is never reused), or :data:`FIRST_SEQ` for an empty table."""
    top = model.objects.aggregate(top=Max("seq"))["top"]
    return FIRST_SEQ if top is None else top + 1


def add(table: str, patient, values: Mapping, *, author: Author):
    """Add one row of a patient's ``table``; returns it (audited as ``create``)."""
    return add_many(table, patient, [values], author=author)[0]


def add_many(table: str, patient, rows: Iterable[Mapping], *, author: Author) -> list:
    """Add rows of a patient's ``table`` in one transaction, in the order given (one
    questionnaire is one ``qol`` row per item)."""
    model = _clinical_model(table)
    checked = [checked_values(table, values) for values in rows]
    for values in checked:
        edit_check(table, values, patient)
    with writing(author):
        seq = next_seq(model)
        added = [model.objects.create(patient=patient, seq=seq + i, **values)
                 for i, values in enumerate(checked)]
        touch(patient)
        return added


def correct(obj, values: Mapping, *, reason: str, author: Author):
    """Change fields of a recorded row (a clinical row or a patient's baseline) with a reason;
    the trail keeps each changed field's old and new value."""
    table = table_of(obj)
    _refuse_voided(obj, table, "corrected")
    reason = _required_reason(reason, table, obj, "a correction")
    checked = checked_values(table, values)
    row = {**_current_values(obj, table), **checked}
    # identifiers are never changed by a correction (an old id is not refused here)
    edit_check(table, row, None if table == "patients" else getattr(obj, "patient", None),
               identifiers=False)
    for name, value in checked.items():
        setattr(obj, name, value)
    with writing(author, reason):
        obj.save()
        touch(obj if table == "patients" else getattr(obj, "patient", None))
    return obj


def void(obj, *, reason: str, author: Author):
    """Void a row with a reason: it stays in the database, left out of exports and analyses."""
    table = table_of(obj)
    _refuse_voided(obj, table, "voided again")
    reason = _required_reason(reason, table, obj, "voiding a record")
    obj.voided, obj.void_reason, obj.voided_at = True, reason, timezone.now()
    with writing(author, reason):
        obj.save()
        touch(obj if table == "patients" else getattr(obj, "patient", None))
    return obj


def touch(patient) -> None:
    """Give ``patient`` (a Patient row, or ``None``: nothing to do) a new ``revision``: one of
    its rows, or the patient itself, was just written, so what was cached from them is stale.
    An ``UPDATE`` of that one column, not a save: bookkeeping, not audited."""
    if patient is None:
        return
    patient.revision = uuid.uuid4()
    type(patient).objects.filter(pk=patient.pk).update(revision=patient.revision)


def checked_values(table: str, values: Mapping) -> dict:
    """``values`` checked against the table's columns, code lists and ranges (bundle format);
    a missing text becomes ``""`` (how the database stores it)."""
    spec = TABLE_SPECS[table]
    allowed = [c for c in spec.column_names if c not in KEY_COLUMNS]
    out = {}
    for name, value in values.items():
        if name not in allowed:
            raise DatabaseError(f"{table}: got field {name!r}; the fields of {table} are "
                                f"{', '.join(allowed)}")
        column = spec.column(name)
        if value is None or value == "":
            out[name] = "" if column.kind in (TEXT, CODE) else None
            continue
        if not _allowed_value(column, value):
            raise DatabaseError(f"{table}.{name}: got {value!r}; {column.allowed()}")
        out[name] = value
    return out


def _current_values(obj, table: str) -> dict:
    """The row's recorded values by bundle column (keys as their codes)."""
    out = {}
    for name in TABLE_SPECS[table].column_names:
        if name == PATIENT_KEY:
            patient = obj if table == "patients" else getattr(obj, "patient", None)
            out[name] = patient.patient_id if patient is not None else None
        elif name == SITE_KEY:
            out[name] = obj.site.code
        else:
            out[name] = getattr(obj, name, None)
    return out


def _allowed_value(column, value) -> bool:
    if column.kind == CODE:
        return str(value) in column.codes
    if column.kind == FLAG:
        return value in (True, False, 0, 1)
    if column.kind in (NUMBER, INTEGER):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return ((column.low is None or value >= column.low)
                and (column.high is None or value <= column.high))
    return True


def _clinical_model(table: str):
    if table not in CLINICAL_TABLE_NAMES:
        raise DatabaseError(f"got table {table!r}; a patient's rows are added to one of "
                            f"{', '.join(CLINICAL_TABLE_NAMES)}")
    return model_of(table)


def _refuse_voided(obj, table: str, what: str) -> None:
    if getattr(obj, "voided", False):
        raise DatabaseError(f"{table} record {obj.pk} is voided and cannot be {what}; "
                            "add a new record instead")


def _required_reason(reason: str | None, table: str, obj, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DatabaseError(f"{table} record {obj.pk}, field reason: got an empty reason; "
                            f"{what} needs a reason (audit trail)")
    return reason
