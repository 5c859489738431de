"""At the bedside: patients' database rows read into the core's :class:`PatientRecords`.

A thin adapter. Which rows feed which field of the snapshot, and every rule behind the advice,
live in :mod:`khetrial.protocol.bedside` (pure, tested without Django); this module only reads
the rows and hands them over, and ``today`` comes in as an argument (the view reads the clock).
Rows are read through the user's :class:`~khetrial.edc.web.blinding.Disclosure`, so a role
that may not see a table gets no rows of it; the views show this advice only to
:data:`BEDSIDE_ROLES`, never to a blinded role (it names the drugs, the doses and, through the
taper, the arm). The arm itself is passed to the core only when the disclosure shows it, so
arm-specific advice (prednisolone) needs both gates. Weight and height are the randomization
form's, measured on the randomization date, and every later measurement of ``body_size``; the
core doses from the latest dated up to ``today``.

:func:`read_records` reads any number of patients in one query per table (nine in all), so
the site's dashboard costs the same number of queries for 1 patient as for 200.

The site's dashboard and the investigator's worklist ask :func:`site_entries` for what they
show of every patient still in follow-up (:func:`followed_patients`: filtered in the database
on the protocol's :func:`~khetrial.protocol.schedule.follow_up_cutoff`; those whose follow-up
is over are only counted). A patient's :class:`SiteEntry` is computed once per day and
revision: it is kept in the shared cache (``settings.CACHES["advice"]``, a table of the
database that every server process reads) under (:data:`CODE_VERSION`, ``today``, whether the
reader sees the arm, the patient's pk and ``revision``), and the record service gives the
patient a new revision on every write of its rows (:func:`khetrial.edc.trial.records.touch`),
so a page reads the rows and recomputes the advice only of the patients whose data changed
since the entry was made — one ``get_many`` and at most one ``set_many`` a page. Entries hold
codes, numbers and dates, never a translated text: the pages word them in the reader's language.
A reader who may not receive advice (:func:`may_receive_advice`: never a blinded role) gets no
entry at all, cached or not.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

import khetrial.constants
import khetrial.protocol
from khetrial.edc.accounts.roles import INVESTIGATOR
from khetrial.edc.web.cache import code_version, per_patient
from khetrial.errors import PermissionDenied, ProtocolError
from khetrial.protocol.alerts import Alert
from khetrial.protocol.bedside import (AdverseEvent, BedsideAdvice, BodySizeRow, ClinicianCheck, Course,
                                       DrugLevel, Lab, PatientBaseline, PatientRecords, platelet_history,
                                       treatment_stopped_on)
from khetrial.protocol.bedside import bedside_advice as advice_from_records
from khetrial.protocol.schedule import (DUE, OVERDUE, BloodCountDue, VisitStatus, follow_up_cutoff,
                                        next_blood_count_due)

# Who receives bedside advice: the treating team of the patient's site (issue 6: "for
# investigators only — never for blinded assessors").
BEDSIDE_ROLES = (INVESTIGATOR,)
# The tables the advice reads; a disclosure must see all of them.
BEDSIDE_TABLES = ("labs", "drug_levels", "body_size", "medications", "adverse_events", "disposition")
# Tables read only for their dates (evidence of a visit, with labs and drug levels).
DATE_ONLY_TABLES = ("mri", "qol", "sequelae")

ENTRY_KEY = "bedside-entry"  # the key prefix of a SiteEntry in the shared cache
# The code an entry is computed by (the protocol's rules, the constants, this module): a
# changed rule, or a changed SiteEntry, makes every entry a new key.
CODE_VERSION = code_version(khetrial.protocol, khetrial.constants, sys.modules[__name__])

# Columns read per table, in the order the core's row dataclasses take them.
_COLUMNS = {
    "labs": ("test", "date", "value"),
    "drug_levels": ("date", "sirolimus_trough_ng_ml"),
    "body_size": ("date", "weight_kg", "height_cm"),
    "medications": ("drug", "start_date", "end_date", "dose", "dose_unit", "frequency"),
    "adverse_events": ("term", "onset_date", "grade", "end_date"),
    "disposition": ("date",),
}


def may_receive_advice(disclosure) -> bool:
    """Whether this user's disclosure lets it receive bedside advice (never a blinded role)."""
    return (disclosure.role in BEDSIDE_ROLES and not disclosure.blinded
            and all(disclosure.may_see(t) for t in BEDSIDE_TABLES))


def _rows_by_patient(disclosure, table: str, patient_pks: list[int],
                     columns: tuple[str, ...]) -> dict[int, list[tuple]]:
    """``columns`` of the non-voided rows of ``table`` per patient pk, in file order."""
    rows = (disclosure.records(table).filter(patient_id__in=patient_pks, voided=False)
            .order_by("seq", "id").values_list("patient_id", *columns))
    out: dict[int, list[tuple]] = defaultdict(list)
    for pk, *values in rows:
        out[pk].append(tuple(values))
    return out


def _course(drug, start_date, end_date, dose, dose_unit, frequency) -> Course:
    return Course(drug, start_date, end_date, dose, dose_unit or "", frequency or "")


def dates_by_patient(disclosure, tables: Iterable[str], pks: list[int]) -> dict[int, set[date]]:
    """Patient pk -> the distinct dates of its non-voided rows of ``tables`` (one query per
    table; a table ``disclosure`` may not see is left out)."""
    out: dict[int, set[date]] = defaultdict(set)
    for table in tables:
        if not disclosure.may_see(table):
            continue
        for pk, day in (disclosure.records(table).filter(patient_id__in=pks, voided=False)
                        .order_by().values_list("patient_id", "date").distinct()):
            out[pk].add(day)
    return out


def read_records(disclosure, patients: Iterable) -> dict[int, PatientRecords]:
    """Patient pk -> the rows of that patient ``disclosure`` may see, one query per table."""
    patients = list(patients)
    pks = [p.pk for p in patients]
    rows = {table: _rows_by_patient(disclosure, table, pks, columns)
            for table, columns in _COLUMNS.items()}
    other_dates = dates_by_patient(disclosure, DATE_ONLY_TABLES, pks)
    # the arm only for a reader who may see it: no arm, no arm-specific (prednisolone) advice
    sees_arm = "arm" in disclosure.fields("patients")
    return {p.pk: PatientRecords(
        patient=PatientBaseline(p.patient_id, p.randomization_date, (p.arm or None) if sees_arm else None,
                                p.weight_kg, p.height_cm, p.birth_date),
        labs=tuple(Lab(*r) for r in rows["labs"][p.pk]),
        drug_levels=tuple(DrugLevel(*r) for r in rows["drug_levels"][p.pk]),
        body_size=tuple(BodySizeRow(*r) for r in rows["body_size"][p.pk]),
        medications=tuple(_course(*r) for r in rows["medications"][p.pk]),
        adverse_events=tuple(AdverseEvent(*r) for r in rows["adverse_events"][p.pk]),
        disposition_dates=tuple(d for (d,) in rows["disposition"][p.pk]),
        other_assessment_dates=tuple(sorted(other_dates[p.pk]))) for p in patients}


def bedside_advice(disclosure, patient, today: date) -> BedsideAdvice:
    """The advice for one patient on ``today``, from the rows ``disclosure`` may see."""
    return advice_from_records(read_records(disclosure, [patient])[patient.pk], today)


# --- the site's patients, cached -----------------------------------------------------------------
def followed_patients(disclosure, today: date):
    """The patients ``disclosure`` sees whose follow-up is not over on ``today`` (a queryset,
    filtered in the database on the randomization date)."""
    return disclosure.patients().filter(randomization_date__gte=follow_up_cutoff(today))


def finished_count(disclosure, today: date) -> int:
    """How many of the patients ``disclosure`` sees have finished their follow-up on ``today``."""
    return disclosure.patients().filter(randomization_date__lt=follow_up_cutoff(today)).count()


class PatientRevision(NamedTuple):
    """A patient's pk and revision: all a cached entry's key needs."""

    pk: int
    revision: UUID


@dataclass(frozen=True)
class SiteEntry:
    """What the site's dashboard and the investigator's worklist show of one patient's advice
    on ``today``: the advice's ``problem``, alerts, next blood count (``blood_count``) and
    clinician checks with the numbers their texts quote (the body size's age in days, the
    child's age in months, prednisolone's uncapped daily dose); the visits due or overdue and
    the worklist's blood count due on or before ``today`` (none once the study treatment
    stopped: :func:`worklist_blood_count`). Codes, numbers and dates only (no translated text)."""

    patient_id: str
    today: date
    follow_up_over: bool = False
    problem: str = ""
    alerts: tuple[Alert, ...] = ()
    blood_count: BloodCountDue | None = None
    checks: tuple[ClinicianCheck, ...] = ()
    body_size_age_days: int | None = None
    age_months: int | None = None
    prednisolone_uncapped_mg: Decimal | None = None
    due_visits: tuple[VisitStatus, ...] = ()
    worklist_blood_count: BloodCountDue | None = None


def worklist_blood_count(records: PatientRecords, today: date) -> BloodCountDue | None:
    """The blood count due on or before ``today`` (protocol: every 2 days until stable), or None;
    none once the study treatment stopped (a disposition row: project choice, the 2-day counts
    monitor the treatment)."""
    if treatment_stopped_on(records.disposition_dates, today) is not None:
        return None
    platelets = platelet_history(records.labs)
    fibrinogen = [(lab.date, lab.value) for lab in records.labs
                  if lab.test == "fibrinogen" and lab.value is not None]
    try:
        due = next_blood_count_due(records.patient.randomization_date, platelets, today,
                                   fibrinogen=fibrinogen or None)
    except ProtocolError:
        return None  # the advice's problem says it on the patient's page
    return due if due.due is not None and due.due <= today else None


def site_entry(records: PatientRecords, today: date) -> SiteEntry:
    """One patient's :class:`SiteEntry` on ``today``, computed from ``records``."""
    advice = advice_from_records(records, today)
    if advice.problem or advice.follow_up_over:
        return SiteEntry(advice.patient_id, today, advice.follow_up_over, advice.problem)
    prednisolone = advice.prednisolone
    return SiteEntry(
        advice.patient_id, today, alerts=advice.alerts, blood_count=advice.blood_count,
        checks=advice.checks, body_size_age_days=advice.body_size_age_days,
        age_months=advice.age_months,
        prednisolone_uncapped_mg=prednisolone.uncapped_mg_daily if prednisolone else None,
        due_visits=tuple(v for v in advice.visits if v.status in (DUE, OVERDUE)),
        worklist_blood_count=worklist_blood_count(records, today))


def entry_prefix(today: date, sees_arm: bool) -> str:
    """The key prefix of the entries of ``today`` for a reader who sees the arm or not."""
    return f"{ENTRY_KEY}:{CODE_VERSION}:{today.isoformat()}:{'arm' if sees_arm else 'no-arm'}"


def site_entries(disclosure, patients, today: date) -> list[SiteEntry]:
    """The :class:`SiteEntry` of every patient of ``patients`` (a queryset of the patients
    ``disclosure`` sees) on ``today``, in its order: from the shared cache where one was made
    for the patient's current revision, else computed from its rows (read at once for all of
    them) and stored. Only the ids and revisions are read for the cached ones. Refused
    (PermissionDenied) for a reader who may not receive advice."""
    if not may_receive_advice(disclosure):
        raise PermissionDenied(f"role {disclosure.role or 'none'} does not receive bedside advice")
    revisions = [PatientRevision(pk, revision) for pk, revision in patients.values_list("pk", "revision")]

    def compute(missing: list) -> dict:
        rows = list(disclosure.patients().filter(pk__in=[p.pk for p in missing]))
        records = read_records(disclosure, rows)
        return {p.pk: site_entry(records[p.pk], today) for p in rows}

    found = per_patient(entry_prefix(today, "arm" in disclosure.fields("patients")), revisions, compute)
    return [found[p.pk] for p in revisions]
