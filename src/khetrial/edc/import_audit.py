"""What a bundle import changes, patient by patient, and what it may never change.

:func:`frozen_refusals` finds the randomized patients whose arm, site or randomization date a
replacing import would change (:mod:`khetrial.edc.audit.frozen`); :mod:`khetrial.edc.store`
refuses the whole import then. :func:`voided_versions` turns the rows a replacing import voids
into audit entries that keep their values (the voided rows stay in the database too), and
:func:`patient_changes` and :func:`patient_summaries` say per patient which fields of the patient
row changed and how many rows of each table were written and voided, so that the trail says
more than "patients: 73 rows written".

Like :mod:`khetrial.edc.store`, no model class is imported here: the command line imports this
module before Django is set up. Entries are built unsaved and written by :func:`write_entries`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from django.apps import apps
from django.db import connection, transaction

from khetrial.edc import bulk
from khetrial.edc.audit.capture import values_of
from khetrial.edc.audit.chain import CONTENT_FIELDS, GENESIS, entry_hash
from khetrial.edc.trial import convert
from khetrial.edc.audit.frozen import frozen_changes, refusal
from khetrial.edc.trial.tables import model_of

IMPORT_FORM = "import"
PATIENT_DETAIL = "patient"  # the audit trail's "detail" of a patient row (the model's name)
ENTRY_BATCH = 2000
IN_CHUNK = 500


def _audit_entry_model():
    return apps.get_model("audit", "AuditEntry")


def frozen_refusals(patients: pd.DataFrame, replaced: list[str]) -> list[str]:
    """One sentence per randomized patient whose arm, site or randomization date the
    bundle's patient row would change (``replaced``: the bundle's patients already stored)."""
    Patient = model_of("patients")
    old = {}
    for start in range(0, len(replaced), IN_CHUNK):
        for row in (Patient.objects.filter(patient_id__in=replaced[start:start + IN_CHUNK])
                    .values("patient_id", "arm", "site__code", "randomization_date")):
            old[row["patient_id"]] = {"patient_id": row["patient_id"], "arm": row["arm"],
                                      "site": row["site__code"],
                                      "randomization_date": row["randomization_date"]}
    n = len(patients)
    new_rows = zip(convert.to_db_values(patients["patient_id"], convert.TEXT, n),
                   convert.to_db_values(patients.get("arm"), convert.TEXT, n),
                   convert.to_db_values(patients.get("site_id"), convert.KEY, n),
                   convert.to_db_values(patients.get("randomization_date"), convert.DATE, n))
    out = []
    for pid, arm, site, date in new_rows:
        if pid in old:
            new = {"patient_id": pid, "arm": arm, "site": site, "randomization_date": date}
            changes = frozen_changes(old[pid], new)
            if changes:
                out.append(refusal(pid, changes, show_values=False))
    return out


def patient_values(patient_ids: list[str]) -> dict[str, dict[str, str]]:
    """The stored patient rows (as the audit trail writes values), by patient id."""
    Patient = model_of("patients")
    out = {}
    for start in range(0, len(patient_ids), IN_CHUNK):
        for p in Patient.objects.filter(patient_id__in=patient_ids[start:start + IN_CHUNK]):
            out[p.patient_id] = {"pk": str(p.pk), **values_of(p)}
    return out


def patient_changes(before: Mapping[str, dict], after: Mapping[str, dict], sites: Mapping,
                    *, actor: str, reason: str) -> list:
    """One ``change`` entry per field of a patient row the import changed (old and new)."""
    AuditEntry = _audit_entry_model()
    entries = []
    for pid, old in before.items():
        new = after.get(pid, {})
        for name in sorted(k for k in new if k not in ("pk", "seq") and new[k] != old.get(k)):
            entries.append(AuditEntry(
                actor=actor, action="change", form=IMPORT_FORM, record_id=old["pk"],
                patient_id=pid, site_code=sites.get(pid, ""), field=name,
                old=old.get(name, ""), new=new[name], reason=reason, detail=PATIENT_DETAIL))
    return entries


def voided_versions(model, key: str, values: list, patients: Mapping[int, tuple[str, str]],
                    *, actor: str, reason: str) -> list:
    """A ``void`` entry per live row about to be voided, holding the row's values (the
    voided version stays in its table as well). ``patients``: patient pk -> (id, site)."""
    AuditEntry = _audit_entry_model()
    name = model._meta.model_name
    entries = []
    for start in range(0, len(values), IN_CHUNK):
        rows = model.objects.filter(**{f"{key}__in": values[start:start + IN_CHUNK]},
                                    voided=False).order_by("seq", "id")
        for row in rows:
            pid, site = patients.get(getattr(row, "patient_id", None), ("", ""))
            if not site and hasattr(row, "site_id"):
                site = _site_code(row.site_id)
            entries.append(AuditEntry(
                actor=actor, action="void", form=IMPORT_FORM, record_id=str(row.pk),
                patient_id=pid, site_code=site, field="(row voided)",
                old=json.dumps(values_of(row), sort_keys=True), new="", reason=reason,
                detail=name))
    return entries


def _site_code(pk) -> str:
    Site = apps.get_model("trial", "Site")
    return Site.objects.filter(pk=pk).values_list("code", flat=True).first() or ""


def voided_counts(entries: Iterable, tables: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """Rows voided per patient and table, from :func:`voided_versions`' entries
    (``tables``: model name -> bundle table)."""
    out: dict[str, dict[str, int]] = {}
    for e in entries:
        if e.patient_id:
            per = out.setdefault(e.patient_id, {})
            table = tables.get(e.detail, e.detail)
            per[table] = per.get(table, 0) + 1
    return out


def patient_summaries(bundle, voided: Mapping[str, Mapping[str, int]], sites: Mapping[str, str],
                      *, actor: str, reason: str) -> list:
    """One entry per patient of the bundle: rows written per table (and voided, for a
    replaced patient), e.g. ``labs 5, mri 1``."""
    AuditEntry = _audit_entry_model()
    written: dict[str, dict[str, int]] = {}
    for table, frame in bundle.tables.items():
        if table in ("patients", "screening") or not len(frame):
            continue
        for pid, n in frame["patient_id"].astype("string").value_counts(sort=False).items():
            written.setdefault(pid, {})[table] = int(n)
    entries = []
    for pid in bundle.patients["patient_id"].astype("string").tolist():
        old = voided.get(pid, {})
        entries.append(AuditEntry(
            actor=actor, action="void" if old else "create", form=IMPORT_FORM, patient_id=pid,
            site_code=sites.get(pid, ""), reason=reason, detail=IMPORT_FORM,
            new="written: " + (_counts(written.get(pid, {})) or "patient row only"),
            old=("voided: " + _counts(old)) if old else ""))
    return entries


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in sorted(counts.items()) if n)


def write_entries(entries: Iterable) -> int:
    """Append unsaved audit entries as links of the hash chain, in batches by ``COPY`` or
    ``executemany`` (one ``save`` per entry would take minutes for a large replacement, and
    ``bulk_create`` seconds for ten thousand patients); how many were written. Runs inside the
    import's transaction, holding the chain's lock as :meth:`AuditEntry.save` does."""
    from khetrial.edc.audit.models import lock_chain  # a model module: Django must be set up

    AuditEntry = _audit_entry_model()
    entries = list(entries)
    if not entries:
        return 0
    with transaction.atomic():
        lock_chain()
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for entry in entries:
            entry.prev_hash = prev
            entry.hash = prev = entry_hash({k: getattr(entry, k) for k in CONTENT_FIELDS}, prev)
        fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
        bulk.insert_columns(AuditEntry._meta.db_table, [f.column for f in fields],
                            (_entry_columns(entries[start:start + ENTRY_BATCH], fields)
                             for start in range(0, len(entries), ENTRY_BATCH)))
    return len(entries)


def _entry_columns(entries: list, fields: list) -> list:
    """Audit entries as columns for :func:`khetrial.edc.bulk.insert_columns` (``COPY`` cells
    on PostgreSQL: times in ISO 8601 with their offset, text quoted)."""
    columns = []
    for f in fields:
        values = [getattr(e, f.attname) for e in entries]
        if f.get_internal_type() == "DateTimeField":
            columns.append([v.isoformat() for v in values] if connection.vendor == "postgresql"
                           else [connection.ops.adapt_datetimefield_value(v) for v in values])
        elif connection.vendor == "postgresql":
            columns.append(convert.quote_cells(np.array(values, dtype=object)))
        else:
            columns.append(values)
    return columns
