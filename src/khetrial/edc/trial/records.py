"""The one place that writes a record: add, correct, void, and the next ``seq``.

Every write path goes through here: the web forms (:mod:`khetrial.edc.web.views.entry`), the
JSON API (:mod:`khetrial.edc.web.api`), the PedsQL form (:mod:`khetrial.edc.web.views.pedsql`)
and, for the ``seq`` rule and the audit context, the bulk bundle import
(:mod:`khetrial.edc.store`). Each write runs in one transaction inside :func:`writing`, the
audit context of its :class:`Author`; the audit app's model signals
(:mod:`khetrial.edc.audit.capture`) then write, in that same transaction, one ``create`` entry
per added row, one ``change`` entry per corrected field and a ``void`` entry per voided row,
each with the actor, role, form and reason. Clinical rows are never deleted: a void keeps the
row, marked ``voided`` with its reason and time.

A refused write raises :class:`~khetrial.errors.DatabaseError` naming the table, the field and
what is allowed ("labs.test: got 'troponin'; test must be one of platelets, ...").
The forms check the same rules field by field first; these checks are the service's own guard,
whatever the caller.

With Django set up::

    dr_a = Author(actor="dr_a", role="investigator", form="labs")
    lab = add("labs", patient, {"date": day, "test": "platelets", "value": 54.0}, author=dr_a)
    correct(lab, {"value": 45.0}, reason="typo in the lab report", author=dr_a)
    void(lab, reason="sample of another patient", author=dr_a)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

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
    with writing(author):
        seq = next_seq(model)
        return [model.objects.create(patient=patient, seq=seq + i, **values)
                for i, values in enumerate(checked)]


def correct(obj, values: Mapping, *, reason: str, author: Author):
    """Change fields of a recorded row (a clinical row or a patient's baseline) with a reason;
    the trail keeps each changed field's old and new value."""
    table = table_of(obj)
    _refuse_voided(obj, table, "corrected")
    reason = _required_reason(reason, table, obj, "a correction")
    for name, value in checked_values(table, values).items():
        setattr(obj, name, value)
    with writing(author, reason):
        obj.save()
    return obj


def void(obj, *, reason: str, author: Author):
    """Void a row with a reason: it stays in the database, left out of exports and analyses."""
    table = table_of(obj)
    _refuse_voided(obj, table, "voided again")
    reason = _required_reason(reason, table, obj, "voiding a record")
    obj.voided, obj.void_reason, obj.voided_at = True, reason, timezone.now()
    with writing(author, reason):
        obj.save()
    return obj


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
