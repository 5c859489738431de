"""Model signals that audit every clinical write, whatever path it comes from.

Connected to every model of the ``trial`` app (and to the randomization app's allocation
records) when Django starts. For each save: refuse while the database is locked; refuse a change
of an existing row without a reason in the :func:`~khetrial.edc.audit.trail.audit_context`; record
one entry per created row and per changed field (old, new, reason, who, when in UTC, form).
Deleting clinical rows is refused: they are voided (``voided`` + ``void_reason``) instead.
A randomized patient's id, arm, site and randomization date, and a used allocation entry, never
change (:mod:`khetrial.edc.audit.frozen`).
"""

from __future__ import annotations

import json

from django.apps import apps
from django.db.models.signals import post_save, pre_delete, pre_save

from khetrial.edc.audit.trail import current, is_locked
from khetrial.edc.audit.frozen import frozen_changes, refusal, used_entry_changes
from khetrial.errors import DatabaseError

UNLOCKED_MODELS = frozenset({"Site"})  # configuration, not clinical data
SKIPPED_FIELDS = frozenset({"id", "created_at", "updated_at", "revision"})  # bookkeeping, not data


def connect() -> None:
    if not apps.is_installed("khetrial.edc.trial"):
        return
    for model in apps.get_app_config("trial").get_models():
        uid = f"khetrial.edc.audit.{model.__name__}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + ".pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + ".post")
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=uid + ".del")
    if apps.is_installed("khetrial.edc.randomization"):
        pre_save.connect(_pre_save_allocation, sender=apps.get_model("randomization",
                                                                     "AllocationEntry"),
                         dispatch_uid="khetrial.edc.audit.AllocationEntry.pre")


def values_of(instance) -> dict[str, str]:
    """The row's stored values as text (foreign keys by their id)."""
    out = {}
    for f in instance._meta.concrete_fields:
        if f.name in SKIPPED_FIELDS:
            continue
        value = getattr(instance, f.attname)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        out[f.name] = "" if value is None else str(value)
    return out


def patient_and_site(instance) -> tuple[str, str]:
    name = type(instance).__name__
    try:
        if name == "Patient":
            return str(instance.patient_id), str(getattr(instance.site, "code", ""))
        patient = getattr(instance, "patient", None)
        if patient is not None:
            return str(patient.patient_id), str(getattr(patient.site, "code", ""))
        site = getattr(instance, "site", None)
        return "", str(getattr(site, "code", "") or "")
    except Exception:  # a half-built row (no site yet): the trail still records the change
        return "", ""


def form_name(instance) -> str:
    return type(instance)._meta.model_name


def _check_lock(sender) -> None:
    if sender.__name__ not in UNLOCKED_MODELS and is_locked():
        raise DatabaseError("the trial database is locked for the final analysis; no clinical "
                            "change is accepted until an admin unlocks it with a reason")


def _pre_save(sender, instance, raw=False, **kwargs):
    _check_lock(sender)
    instance._audit_old = None
    if instance.pk is None:
        return
    old_row = sender._default_manager.filter(pk=instance.pk).first()
    if old_row is None:
        return
    old, new = values_of(old_row), values_of(instance)
    if sender.__name__ == "Patient" and (frozen := frozen_changes(old, new)):
        raise DatabaseError(refusal(old["patient_id"], frozen, show_values=False))
    changed = {k: (old[k], new[k]) for k in new if old.get(k) != new[k]}
    if changed and not current().reason:
        fields = ", ".join(sorted(changed))
        raise DatabaseError(f"change of {form_name(instance)} ({fields}) refused: a change of "
                            "recorded data needs a reason; give one")
    instance._audit_old = changed


def _pre_save_allocation(sender, instance, raw=False, **kwargs):
    """A used allocation entry keeps its site, position, arm and patient."""
    if instance.pk is None:
        return
    old_row = sender._default_manager.filter(pk=instance.pk).first()
    if old_row is None:
        return
    changes = used_entry_changes(values_of(old_row), values_of(instance))
    if changes:
        raise DatabaseError(refusal(old_row.patient_id, changes, show_values=False)
                            + "; a used allocation entry is kept as it was")


def _entries():
    """The audit entries' manager, looked up in Django's registry when a signal fires: this module
    is imported (through the store) by the command line before Django is set up."""
    return apps.get_model("audit", "AuditEntry").objects


def _post_save(sender, instance, created, raw=False, **kwargs):
    ctx = current()
    patient_id, site = patient_and_site(instance)
    common = dict(actor=ctx.actor, role=ctx.role, form=ctx.form or form_name(instance),
                  record_id=str(instance.pk), patient_id=patient_id, site_code=site, ip=ctx.ip)
    if created:
        _entries().create(action="create", reason=ctx.reason,
                          new=json.dumps(values_of(instance), sort_keys=True),
                          detail=form_name(instance), **common)
        return
    for field, (old, new) in sorted((getattr(instance, "_audit_old", None) or {}).items()):
        action = "void" if field == "voided" and new == "True" else "change"
        _entries().create(action=action, field=field, old=old, new=new,
                          reason=ctx.reason, detail=form_name(instance), **common)
    instance._audit_old = None


def _pre_delete(sender, instance, **kwargs):
    _check_lock(sender)
    ctx = current()
    if not ctx.reason:
        raise DatabaseError(f"deleting {form_name(instance)} refused: clinical data are voided "
                            "with a reason, not deleted")
    patient_id, site = patient_and_site(instance)
    _entries().create(action="void", actor=ctx.actor, role=ctx.role,
                      form=ctx.form or form_name(instance), record_id=str(instance.pk),
                      patient_id=patient_id, site_code=site, field="(row deleted)",
                      old=json.dumps(values_of(instance), sort_keys=True),
                      reason=ctx.reason, detail=form_name(instance), ip=ctx.ip)
