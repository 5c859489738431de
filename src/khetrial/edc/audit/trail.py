"""Writing to the audit trail, and the context (who, why, which form) of a change.

Every write path (web form, API, bundle import, CLI) wraps its clinical changes in
:func:`audit_context`; the model signals in :mod:`khetrial.edc.audit.capture` then record each
created, changed, voided or deleted value, refuse a change without a reason, and refuse any
change while the database is locked::

    with audit_context(actor="dr_a", role="investigator", reason="typo", form="labs"):
        lab.value = 54
        lab.save()
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace

from khetrial.errors import DatabaseError


@dataclass(frozen=True)
class AuditContext:
    actor: str = "system"
    role: str = ""
    reason: str = ""
    form: str = ""
    ip: str = ""


_CURRENT: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "khetrial_audit_context", default=None)


@contextmanager
def audit_context(actor: str = "system", role: str = "", reason: str | None = "",
                  form: str = "", ip: str = ""):
    """Attribute the clinical changes made inside the block to ``actor`` with ``reason``."""
    token = _CURRENT.set(AuditContext(actor=actor or "system", role=role or "",
                                      reason=(reason or "").strip(), form=form or "", ip=ip or ""))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


@contextmanager
def reason_for(reason: str):
    """Inside an existing context, give the reason for the next changes."""
    ctx = current()
    token = _CURRENT.set(replace(ctx, reason=(reason or "").strip()))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> AuditContext:
    return _CURRENT.get() or AuditContext()


def record_event(action: str, *, actor: str | None = None, detail: str = "", role: str = "",
                 patient_id: str = "", site_code: str = "", form: str = "", reason: str = "",
                 ip: str = "", username_target: str = "", **fields) -> None:
    """Append one non-data event (login, export, randomization, unblinding, lock...)."""
    from khetrial.edc.audit.models import AuditEntry

    ctx = current()
    AuditEntry.objects.create(
        actor=(actor or ctx.actor)[:150], role=role or ctx.role, action=action,
        form=form or ctx.form, patient_id=patient_id or "", site_code=site_code or "",
        reason=reason or "", detail=detail, ip=ip or ctx.ip,
        record_id=username_target or fields.get("record_id", ""),
        field=fields.get("field", ""), old=fields.get("old", ""), new=fields.get("new", ""))


def is_locked() -> bool:
    """True when the trial database is locked (no clinical change accepted).

    Locked when either the lock history or the hash-chained audit trail says so last: deleting
    the lock row does not unlock, and deleting the audit entry breaks the chain (``khetrial
    audit verify``).
    """
    from khetrial.edc.audit.models import AuditEntry, LockEvent

    last = LockEvent.objects.order_by("-at", "-id").first()
    trail = (AuditEntry.objects.filter(action__in=("lock", "unlock")).order_by("-id")
             .values_list("action", flat=True).first())
    return bool(last and last.locked) or trail == "lock"


def set_lock(locked: bool, *, actor: str, reason: str, role: str = "") -> None:
    """Lock (before the final analysis) or unlock (with a reason) the trial database."""
    from django.db import transaction

    from khetrial.edc.audit.models import LockEvent

    reason = (reason or "").strip()
    if not reason:
        raise DatabaseError("locking or unlocking the database needs a reason; give one")
    if is_locked() == locked:
        raise DatabaseError(f"the database is already {'locked' if locked else 'unlocked'}")
    with transaction.atomic():
        LockEvent.objects.create(locked=locked, actor=actor, reason=reason)
        record_event("lock" if locked else "unlock", actor=actor, role=role, reason=reason,
                     detail="database locked" if locked else "database unlocked")


def check_unlocked() -> None:
    """Raise :class:`DatabaseError` when the trial database is locked (for bulk write paths
    that bypass model signals, such as the bundle import)."""
    if is_locked():
        raise DatabaseError("the trial database is locked for the final analysis; no clinical "
                            "change is accepted until an admin unlocks it with a reason")


def record_import(summary: dict, *, actor: str = "system", reason: str = "",
                  replace: bool = False) -> None:
    """Record a bundle import (rows written and voided per table) in the trail.

    A replacing import voids recorded data, so it needs a reason, as every other change does.
    """
    if replace and not (reason or "").strip():
        raise DatabaseError("an import that replaces recorded data needs a reason; give --reason")
    rows = summary.get("rows", {})
    voided = summary.get("voided", {})
    for table in sorted(set(rows) | set(voided)):
        if rows.get(table) or voided.get(table):
            record_event("void" if voided.get(table) else "create", actor=actor, form="import",
                         reason=reason or "", detail="import",
                         new=f"{table}: {rows.get(table, 0)} rows written",
                         old=f"{table}: {voided.get(table, 0)} rows voided" if voided.get(table)
                         else "")
