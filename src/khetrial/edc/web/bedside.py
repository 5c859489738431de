"""At the bedside: patients' database rows read into the core's :class:`PatientRecords`.

A thin adapter. Which rows feed which field of the snapshot, and every rule behind the advice,
live in :mod:`khetrial.protocol.bedside` (pure, tested without Django); this module only reads
the rows and hands them over, and ``today`` comes in as an argument (the view reads the clock).
Rows are read through the user's :class:`~khetrial.edc.web.blinding.Disclosure`, so a role
that may not see a table gets no rows of it; the views show this advice only to
:data:`BEDSIDE_ROLES`, never to a blinded role (it names the drugs, the doses and, through the
taper, the arm). The arm itself is passed to the core only when the disclosure shows it, so
arm-specific advice (prednisolone) needs both gates. Weight and height are the randomization
form's, measured on the randomization date (the bundle has no later body size yet).

:func:`read_records` reads any number of patients in one query per table (eight in all), so
the site's dashboard costs the same number of queries for 1 patient as for 200.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from khetrial.edc.accounts.roles import INVESTIGATOR
from khetrial.protocol.bedside import (AdverseEvent, BedsideAdvice, Course, DrugLevel, Lab,
                                       PatientBaseline, PatientRecords)
from khetrial.protocol.bedside import bedside_advice as advice_from_records

# Who receives bedside advice: the treating team of the patient's site (issue 6: "for
# investigators only — never for blinded assessors").
BEDSIDE_ROLES = (INVESTIGATOR,)
# The tables the advice reads; a disclosure must see all of them.
BEDSIDE_TABLES = ("labs", "drug_levels", "medications", "adverse_events", "disposition")
# Tables read only for their dates (evidence of a visit, with labs and drug levels).
DATE_ONLY_TABLES = ("mri", "qol", "sequelae")

# Columns read per table, in the order the core's row dataclasses take them.
_COLUMNS = {
    "labs": ("test", "date", "value"),
    "drug_levels": ("date", "sirolimus_trough_ng_ml"),
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


def read_records(disclosure, patients: Iterable) -> dict[int, PatientRecords]:
    """Patient pk -> the rows of that patient ``disclosure`` may see, one query per table."""
    patients = list(patients)
    pks = [p.pk for p in patients]
    rows = {table: _rows_by_patient(disclosure, table, pks, columns)
            for table, columns in _COLUMNS.items()}
    other_dates: dict[int, set[date]] = defaultdict(set)
    for table in DATE_ONLY_TABLES:
        for pk, day in (disclosure.records(table).filter(patient_id__in=pks, voided=False)
                        .order_by().values_list("patient_id", "date").distinct()):
            other_dates[pk].add(day)
    # the arm only for a reader who may see it: no arm, no arm-specific (prednisolone) advice
    sees_arm = "arm" in disclosure.fields("patients")
    return {p.pk: PatientRecords(
        patient=PatientBaseline(p.patient_id, p.randomization_date, (p.arm or None) if sees_arm else None,
                                p.weight_kg, p.height_cm, p.birth_date),
        labs=tuple(Lab(*r) for r in rows["labs"][p.pk]),
        drug_levels=tuple(DrugLevel(*r) for r in rows["drug_levels"][p.pk]),
        medications=tuple(_course(*r) for r in rows["medications"][p.pk]),
        adverse_events=tuple(AdverseEvent(*r) for r in rows["adverse_events"][p.pk]),
        disposition_dates=tuple(d for (d,) in rows["disposition"][p.pk]),
        other_assessment_dates=tuple(sorted(other_dates[p.pk]))) for p in patients}


def bedside_advice(disclosure, patient, today: date) -> BedsideAdvice:
    """The advice for one patient on ``today``, from the rows ``disclosure`` may see."""
    return advice_from_records(read_records(disclosure, [patient])[patient.pk], today)


def site_advice(disclosure, patients: Iterable, today: date) -> list[BedsideAdvice]:
    """The advice for every patient of ``patients`` on ``today``, in their order (the rows of
    all of them read at once)."""
    patients = list(patients)
    records = read_records(disclosure, patients)
    return [advice_from_records(records[p.pk], today) for p in patients]
