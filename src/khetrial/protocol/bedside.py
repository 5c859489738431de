"""At the bedside: one patient's recorded rows read into the protocol's :class:`PatientSnapshot`,
and the advice the treating team sees on ``today``.

Pure: the rows come in as plain frozen dataclasses (:class:`PatientRecords`), ``today`` as an
argument; nothing here reads a database or the clock. The web application's adapter
(:mod:`khetrial.edc.web.bedside`) only reads the rows a user may see and calls
:func:`bedside_advice`. Every rule behind an alert (transfusion criteria, trough range and
titration, grade ≥ 3 adverse events, PJP prophylaxis, visit windows, the prednisolone taper)
lives in the other :mod:`khetrial.protocol` modules; this module says which rows feed which
field of the snapshot (project choices, listed here):

Rows are the non-voided rows of one patient in file order; the snapshot reads only rows dated
on or before ``today`` (a later date cannot be a measurement yet: it must not hide today's
value). "latest" = the last row of the latest date in file order, as the bundle format reads
several rows of one date.

- ``platelets``/``fibrinogen``/``hemoglobin``: the latest lab of that test with a value;
  ``platelet_history``: every platelet count, for the taper trigger;
- ``trough_ng_ml``/``trough_on``: the latest drug level with a value;
- ``on_sirolimus``/``on_prednisolone``/``on_tmp_smx``: a course of that drug runs on ``today``
  (started on or before it, no end date or ending on or after it). A disposition row dated on
  or before ``today`` ("study treatment stopped for good", bundle format) stops the study
  drugs whatever their courses say. ``on_tmp_smx`` is ``None`` (unknown, no alert) for a
  patient without any medication row at all;
- ``sirolimus_dose_mg``: the running sirolimus course's dose per administration in mg —
  ``mg`` as entered, ``mg_m2`` × the body-surface area (Mosteller) of the body size on ``today``
  measured on the syringe, ``mg_kg`` × that weight; only for a twice-daily (``bid``) or unstated
  frequency, the titration's dose being "per dose, twice daily";
- ``ongoing_adverse_events``: events with a grade whose onset is on or before ``today`` and
  that have no end date or end on or after ``today``;
- ``prednisolone_taper_started``: a prednisolone course runs today and an earlier one exists
  (the full dose is stepped down by starting a new course); the taper's first day is the start
  of the second course;
- ``visits_done``: a visit counts as done on the first date inside its window on which any
  assessment was recorded (a lab, a drug level, an MRI, a PedsQL answer or a sequela); the
  bundle has no visit table, so the data recorded are the evidence of a visit.

- body size: the latest measurement dated on or before ``today`` among the baseline weight and
  height of ``patients.csv`` (measured on ``body_size_on``, the randomization date unless given
  — the randomization form records them) and the rows of ``body_size.csv`` (a khetrial
  extension; ties on one date: the last row in file order), read by
  :func:`khetrial.protocol.dosing.latest_body_size`; every dose (mg/m², mg/kg, the weight of the
  alerts and the taper) uses it, with its date shown. Older than
  ``constants.BODY_SIZE_MAX_AGE_DAYS`` it is *stale* and the advice says to re-measure and
  check with a clinician (project choice);
- starting doses (:func:`khetrial.protocol.dosing.starting_doses`) are shown while no sirolimus
  course has been recorded yet (right after randomization), prednisolone's only for arm SP;
  PJP prophylaxis (both components) while it is required or taken; the next blood count of
  "every 2 days until the stabilization" (:func:`khetrial.protocol.schedule.next_blood_count_due`);
- every alert and advice line names its sources (:func:`alert_sources`, ``DoseRule.source``):
  ``publication``, ``label`` or ``project choice``; :class:`ClinicianCheck` lists where the rules
  ask a clinician to check (a cap applied, the label's age limit, a hold, a stale body size).

A patient whose follow-up is over (``today`` after the last day of the protocol's last visit
window, the year-2 visit) gets no advice: nothing can be due any more, and what was missed is
a matter for data queries, not for the treating team.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from khetrial import constants as C
from khetrial.constants import ARM_EXPERIMENTAL
from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, add_months, round_half_up
from khetrial.protocol.alerts import Alert, PatientSnapshot, alerts
from khetrial.protocol.dosing import (LABEL, PROJECT_CHOICE, PUBLICATION, BodySize, PrednisoloneDose,
                                      StartingDoses, TmpSmxDose, body_surface_area, latest_body_size,
                                      prednisolone_dose, prophylaxis_required_until, sirolimus_dose_from_mg,
                                      starting_doses, tmp_smx_dose)
from khetrial.protocol.prednisolone import TAPER_SOURCE, TRIGGER_SOURCE, TaperPlan, TaperStep, taper_plan
from khetrial.protocol.schedule import (BloodCountDue, VisitStatus, follow_up_end, next_blood_count_due, plan_visits,
                                       visit_statuses)
from khetrial.protocol.titration import HOLD, MAX_RULE, TitrationAdvice, titrate_sirolimus

# The tables whose rows are evidence of a visit (project choice, module doc).
ASSESSMENT_TABLES = ("labs", "drug_levels", "mri", "qol", "sequelae")
SNAPSHOT_LABS = ("platelets", "fibrinogen", "hemoglobin")
# Titration is "per dose, twice daily" (Rapamune label §2.1); "" = frequency not stated.
TWICE_DAILY_FREQUENCIES = ("bid", "")
STUDY_DRUGS = ("sirolimus", "prednisolone")  # what a disposition row stops (bundle format)

# The sources of each alert's rule (alerts.py's table): the publication's sentence, and the
# project's choices where it reads or bounds it (windows, tolerances, the grade-3 trigger).
ALERT_SOURCES = {
    "transfusion_plasma": (PUBLICATION,),  # "(2) platelet count <10 × 10⁹/L" ...
    "transfusion_red_cells": (PUBLICATION,),  # "hemoglobin concentrations <60 g/L"
    "adverse_event_grade3": (PUBLICATION, PROJECT_CHOICE),  # "toxicities precluding"; grade ≥ 3
    "pjp_prophylaxis_missing": (PUBLICATION,),  # "at least during the first 6 months"
    "trough_low": (PUBLICATION,), "trough_high": (PUBLICATION,),  # + the titration's rules
    "trough_overdue": (PUBLICATION, PROJECT_CHOICE),  # trough schedule; ±3 days tolerance
    "visit_overdue": (PUBLICATION, PROJECT_CHOICE),  # visit weeks; windows
    "visit_due": (PUBLICATION, PROJECT_CHOICE),
    "prednisolone_taper_due": (TRIGGER_SOURCE,),  # + the taper's steps when a plan is shown
}
# Where the rules ask a clinician to check the advice (ClinicianCheck.code -> its source).
CHECK_SOURCES = {
    "body_size_stale": PROJECT_CHOICE,  # constants.BODY_SIZE_MAX_AGE_DAYS
    "sirolimus_hold": PROJECT_CHOICE,  # constants.SIROLIMUS_HOLD_ABOVE_NG_ML
    "sirolimus_max": LABEL,  # "should not exceed 40 mg" a day
    "prednisolone_capped": PROJECT_CHOICE,  # constants.PREDNISOLONE_MAX_MG_DAY
    "tmp_smx_capped": LABEL,  # "should not exceed 1600 mg sulfamethoxazole and 320 mg trimethoprim"
    "tmp_smx_young": LABEL,  # contraindicated "less than 2 months of age"
}

__all__ = ["ALERT_SOURCES", "ASSESSMENT_TABLES", "AdverseEvent", "BedsideAdvice", "BodySizeRow", "CHECK_SOURCES",
           "ClinicianCheck", "Course", "DrugLevel", "Lab", "Medications", "PatientBaseline",
           "PatientRecords", "age_in_months", "alert_sources", "bedside_advice", "body_size_age_days",
           "body_size_on", "body_size_stale", "course_dose_mg", "latest_labs", "latest_trough",
           "medications_on", "ongoing_adverse_events", "patient_snapshot", "platelet_history", "runs_on",
           "treatment_stopped_on", "visits_done"]


# --- the rows ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatientBaseline:
    """A row of ``patients.csv``, as far as the bedside needs it. ``arm`` is ``None`` when the
    reader may not see the allocation; ``body_size_on`` is the date weight and height were
    measured (``None`` = the randomization date)."""

    patient_id: str
    randomization_date: date | None
    arm: str | None = None
    weight_kg: Number | None = None
    height_cm: Number | None = None
    birth_date: date | None = None
    body_size_on: date | None = None


@dataclass(frozen=True)
class Lab:
    """A row of ``labs.csv`` (``value`` ``None`` = not measured)."""

    test: str
    date: date
    value: Number | None


@dataclass(frozen=True)
class DrugLevel:
    """A row of ``drug_levels.csv`` (``trough_ng_ml`` ``None`` = no value)."""

    date: date
    trough_ng_ml: Number | None


@dataclass(frozen=True)
class BodySizeRow:
    """A row of ``body_size.csv``: weight and height measured on ``date``."""

    date: date
    weight_kg: Number | None
    height_cm: Number | None


@dataclass(frozen=True)
class Course:
    """A row of ``medications.csv`` (``end_date`` ``None`` = still running; ``frequency`` ""
    = not stated)."""

    drug: str
    start_date: date
    end_date: date | None = None
    dose: Number | None = None
    dose_unit: str = ""
    frequency: str = ""


@dataclass(frozen=True)
class AdverseEvent:
    """A row of ``adverse_events.csv`` (``grade`` ``None`` = not graded)."""

    term: str
    onset_date: date
    grade: int | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class PatientRecords:
    """One patient's non-voided rows, each table in file order. ``disposition_dates``: the
    dates of ``disposition.csv`` rows; ``other_assessment_dates``: the dates of MRI, PedsQL and
    sequelae rows (the rest of :data:`ASSESSMENT_TABLES`); ``body_size``: the rows of
    ``body_size.csv`` (later measurements than the baseline)."""

    patient: PatientBaseline
    labs: tuple[Lab, ...] = ()
    drug_levels: tuple[DrugLevel, ...] = ()
    body_size: tuple[BodySizeRow, ...] = ()
    medications: tuple[Course, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    disposition_dates: tuple[date, ...] = ()
    other_assessment_dates: tuple[date, ...] = ()


# --- one question each ---------------------------------------------------------------------------
def _by_date(rows: Iterable, key) -> list:
    """Rows in date order, file order within a date (a stable sort)."""
    return sorted(rows, key=key)


def runs_on(course: Course, today: date) -> bool:
    """Whether ``course`` runs on ``today``: started on or before it, no end or ending on or after it."""
    return course.start_date <= today and (course.end_date is None or course.end_date >= today)


def latest_labs(labs: Iterable[Lab]) -> dict[str, Number]:
    """Test -> its latest value, for the :data:`SNAPSHOT_LABS` with a value."""
    latest: dict[str, Number] = {}
    for lab in _by_date(labs, lambda r: r.date):
        if lab.test in SNAPSHOT_LABS and lab.value is not None:
            latest[lab.test] = lab.value  # date order: the last one seen is the latest
    return latest


def platelet_history(labs: Iterable[Lab], test: str = "platelets") -> tuple[tuple[date, Number], ...]:
    """Every value of ``test`` (platelet counts unless named) as (date, value), in date order."""
    return tuple((lab.date, lab.value) for lab in _by_date(labs, lambda r: r.date)
                 if lab.test == test and lab.value is not None)


def latest_trough(levels: Iterable[DrugLevel]) -> DrugLevel | None:
    """The latest drug level with a value, else ``None``."""
    valued = [lv for lv in _by_date(levels, lambda r: r.date) if lv.trough_ng_ml is not None]
    return valued[-1] if valued else None


def _exact(value: Number) -> Fraction:
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def course_dose_mg(course: Course, weight_kg: Number | None,
                   height_cm: Number | None) -> Fraction | None:
    """A sirolimus course's dose per administration in mg (module doc), else ``None``."""
    if course.dose is None or course.frequency not in TWICE_DAILY_FREQUENCIES:
        return None
    dose = _exact(course.dose)
    if course.dose_unit == "mg":
        return dose
    if course.dose_unit == "mg_kg" and weight_kg:
        return dose * _exact(weight_kg)
    if course.dose_unit == "mg_m2" and weight_kg and height_cm:
        exact_mg = dose * Fraction(body_surface_area(weight_kg, height_cm))
        return Fraction(sirolimus_dose_from_mg(exact_mg).mg) if exact_mg > 0 else None
    return None


def age_in_months(birth_date: date, on: date) -> int:
    """Age in completed calendar months on ``on`` (the Bactrim label's "less than 2 months of
    age" holds while this is below 2; born 31 January, 2 months are completed on 31 March)."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    return months - 1 if add_months(birth_date, months) > on else months


def body_size_on(patient: PatientBaseline, today: date,
                 measurements: Iterable[BodySizeRow] = ()) -> BodySize | None:
    """The weight and height the doses use on ``today``, each with the date it was measured —
    the latest measured on or before ``today``, from the baseline and ``measurements`` (project
    choice: doses follow the current body size, :func:`khetrial.protocol.dosing.latest_body_size`;
    on one date a later measurement row wins over the baseline, the last row in file order over
    earlier ones); ``None`` without a weight measured by then."""
    measured = patient.body_size_on or patient.randomization_date
    rows = []
    if patient.weight_kg is not None and measured is not None:
        rows.append((measured, patient.weight_kg, patient.height_cm))
    rows += [(m.date, m.weight_kg, m.height_cm) for m in _by_date(measurements, lambda r: r.date)]
    rows = [row for row in rows if row[0] <= today]
    if not any(weight is not None for _, weight, _ in rows):
        return None
    return latest_body_size(rows, today)


def body_size_age_days(body: BodySize, today: date) -> int:
    """Days from the older of the weight's and the height's measurement to ``today``."""
    dates = [d for d in (body.weight_on, body.height_on) if d is not None]
    return (today - min(dates)).days if dates else 0


def body_size_stale(body: BodySize, today: date) -> bool:
    """Whether ``body`` was measured more than ``constants.BODY_SIZE_MAX_AGE_DAYS`` (30) days
    before ``today`` (project choice: 30 days old is current, 31 is stale)."""
    return body_size_age_days(body, today) > C.BODY_SIZE_MAX_AGE_DAYS


def alert_sources(alert: Alert) -> tuple[str, ...]:
    """The sources of the rules behind ``alert`` (:data:`ALERT_SOURCES`), with those of the dose
    advice it carries (a trough's titration rules, a taper's weekly steps), each once, in order."""
    sources = list(ALERT_SOURCES.get(alert.code, (PROJECT_CHOICE,)))
    sources += [rule["source"] for rule in alert.details.get("rules", ())]
    if "plan" in alert.details:
        sources.append(TAPER_SOURCE)
    return tuple(dict.fromkeys(sources))


def treatment_stopped_on(disposition_dates: Iterable[date], today: date) -> date | None:
    """The first disposition date on or before ``today`` (study treatment stopped), else ``None``."""
    return min((d for d in disposition_dates if d <= today), default=None)


def visits_done(randomization_date: date, assessment_dates: Iterable[date]) -> dict[str, date]:
    """Visit code -> the first date inside its window with an assessment recorded."""
    dates = sorted(set(assessment_dates))
    done = {}
    for visit in plan_visits(randomization_date):
        inside = [d for d in dates if visit.contains(d)]
        if inside:
            done[visit.code] = inside[0]
    return done


def ongoing_adverse_events(events: Iterable[AdverseEvent], today: date) -> tuple[tuple[str, int], ...]:
    """(term, grade) of the graded events ongoing on ``today``, in onset order."""
    return tuple((e.term, e.grade) for e in _by_date(events, lambda r: r.onset_date)
                 if e.grade is not None and e.onset_date <= today
                 and (e.end_date is None or e.end_date >= today))


@dataclass(frozen=True)
class Medications:
    """The courses running on ``today`` and what the snapshot needs from them."""

    any_recorded: bool
    sirolimus: Course | None
    sirolimus_dose_mg: Fraction | None
    prednisolone: Course | None
    taper_start: date | None
    on_tmp_smx: bool


def medications_on(records: PatientRecords, today: date) -> Medications:
    """Which courses run on ``today`` (a disposition stops the study drugs), the sirolimus dose
    in mg (from the body size on ``today``) and the first day of the prednisolone taper (module
    doc)."""
    courses = _by_date(records.medications, lambda c: c.start_date)
    stopped = treatment_stopped_on(records.disposition_dates, today)
    running = {c.drug: c for c in courses if runs_on(c, today)  # later courses win
               and not (stopped is not None and c.drug in STUDY_DRUGS)}
    sirolimus = running.get("sirolimus")
    prednisolone = running.get("prednisolone")
    started = [c for c in courses if c.drug == "prednisolone" and c.start_date <= today]
    taper_start = started[1].start_date if prednisolone is not None and len(started) > 1 else None
    body = body_size_on(records.patient, today, records.body_size)
    dose = (course_dose_mg(sirolimus, body.weight_kg, body.height_cm)
            if sirolimus and body is not None else None)
    return Medications(any_recorded=bool(courses), sirolimus=sirolimus, sirolimus_dose_mg=dose,
                       prednisolone=prednisolone, taper_start=taper_start,
                       on_tmp_smx="tmp_smx" in running)


def patient_snapshot(records: PatientRecords, today: date,
                     medications: Medications | None = None) -> PatientSnapshot:
    """The protocol's view of the patient on ``today``, from ``records``."""
    patient = records.patient
    # only rows dated up to today: a row dated later (refused on entry since the edit checks,
    # but possibly imported before them) must never hide today's values (issue 10)
    lab_rows = tuple(lab for lab in records.labs if lab.date <= today)
    level_rows = tuple(lv for lv in records.drug_levels if lv.date <= today)
    labs = latest_labs(lab_rows)
    level = latest_trough(level_rows)
    meds = medications or medications_on(records, today)
    body = body_size_on(patient, today, records.body_size)
    assessed = ([lab.date for lab in lab_rows] + [lv.date for lv in level_rows]
                + [d for d in records.other_assessment_dates if d <= today])
    return PatientSnapshot(
        today=today, arm=patient.arm or None, randomized=patient.randomization_date,
        weight_kg=body.weight_kg if body is not None else None, platelets=labs.get("platelets"),
        fibrinogen=labs.get("fibrinogen"), hemoglobin=labs.get("hemoglobin"),
        on_sirolimus=meds.sirolimus is not None, sirolimus_dose_mg=meds.sirolimus_dose_mg,
        trough_ng_ml=level.trough_ng_ml if level else None,
        trough_on=level.date if level else None,
        ongoing_adverse_events=ongoing_adverse_events(records.adverse_events, today),
        on_tmp_smx=meds.on_tmp_smx if meds.any_recorded else None,
        on_prednisolone=meds.prednisolone is not None,
        prednisolone_taper_started=meds.taper_start is not None,
        platelet_history=platelet_history(lab_rows),
        visits_done=visits_done(patient.randomization_date, assessed))


# --- the advice ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClinicianCheck:
    """A point where the rules ask a clinician to check the advice before acting on it
    (``code`` one of :data:`CHECK_SOURCES`, which names the rule's source)."""

    code: str

    @property
    def source(self) -> str:
        return CHECK_SOURCES[self.code]


@dataclass(frozen=True)
class BedsideAdvice:
    """What the treating team sees for one patient on ``today``.

    ``problem`` is the protocol's message when the data could not be read into advice (an
    implausible value, a dose too small for the syringe): shown instead of silence.
    ``follow_up_end`` is the last day of the last visit window; after it there is no advice.
    ``body_size`` (with ``bsa_m2``, Mosteller, 4 decimals) is what every dose below is computed
    from; ``starting`` the starting doses while no sirolimus course is recorded;
    ``prednisolone`` the full daily dose (arm SP only, ``None`` when the arm is not known);
    ``tmp_smx`` PJP prophylaxis per dose while it is required (until ``prophylaxis_until``) or
    taken; ``blood_count`` the next count of the 2-day series; ``checks`` where the rules ask
    a clinician to check.
    """

    patient_id: str
    today: date
    follow_up_end: date | None = None
    alerts: tuple[Alert, ...] = ()
    snapshot: PatientSnapshot | None = None
    visits: tuple[VisitStatus, ...] = ()
    titration: TitrationAdvice | None = None
    taper: TaperPlan | None = None
    medications: Medications | None = None
    problem: str = ""
    body_size: BodySize | None = None
    bsa_m2: Decimal | None = None
    age_months: int | None = None
    starting: StartingDoses | None = None
    prednisolone: PrednisoloneDose | None = None
    prednisolone_started: bool = False
    tmp_smx: TmpSmxDose | None = None
    prophylaxis_until: date | None = None
    blood_count: BloodCountDue | None = None
    checks: tuple[ClinicianCheck, ...] = ()

    @property
    def follow_up_over(self) -> bool:
        return self.follow_up_end is not None and self.today > self.follow_up_end

    @property
    def open_visits(self) -> tuple[VisitStatus, ...]:
        """Visits due or overdue today, and the next upcoming one."""
        shown = [v for v in self.visits if v.status in ("due", "overdue")]
        upcoming = [v for v in self.visits if v.status == "upcoming"]
        return tuple(shown + upcoming[:1])

    @property
    def taper_step(self) -> TaperStep | None:
        return self.taper.step_on(self.today) if self.taper else None

    @property
    def body_size_age_days(self) -> int | None:
        return None if self.body_size is None else body_size_age_days(self.body_size, self.today)

    @property
    def body_size_stale(self) -> bool:
        return self.body_size is not None and body_size_stale(self.body_size, self.today)


def _label_age(age_months: int | None) -> int | None:
    """The age the TMP-SMX caution is given: only an age below the label's 2 months matters, and
    the dose calculator checks ages up to 15 years while follow-up runs 2 years past enrolment
    at up to 14 (an older child would make the whole advice a problem)."""
    return age_months if age_months is not None and age_months < C.TMP_SMX_MIN_AGE_MONTHS else None


def _doses(records: PatientRecords, snap: PatientSnapshot, today: date) -> dict:
    """Body size, starting doses, prednisolone and PJP prophylaxis on ``today`` (module doc)."""
    patient = records.patient
    body = body_size_on(patient, today, records.body_size)
    birth = patient.birth_date
    age = age_in_months(birth, today) if birth is not None and birth <= today else None
    if body is None:
        return {"age_months": age}
    doses: dict = {"body_size": body, "age_months": age}
    stopped = treatment_stopped_on(records.disposition_dates, today) is not None
    recorded = {c.drug for c in records.medications if c.start_date <= today}
    if body.height_cm is not None:
        bsa = body_surface_area(body.weight_kg, body.height_cm)
        doses["bsa_m2"] = round_half_up(Fraction(bsa), C.BSA_DECIMALS)
        if not stopped and not any(c.drug == "sirolimus" for c in records.medications):
            doses["starting"] = starting_doses(body.weight_kg, body.height_cm, measured_on=body.weight_on,
                                               age_months=_label_age(age))
    if snap.arm == ARM_EXPERIMENTAL and (snap.on_prednisolone or not (stopped or "prednisolone" in recorded)):
        doses["prednisolone"] = prednisolone_dose(body.weight_kg)
        doses["prednisolone_started"] = "prednisolone" in recorded
    until = prophylaxis_required_until(patient.randomization_date)
    if snap.on_tmp_smx or patient.randomization_date <= today < until:
        doses["tmp_smx"] = tmp_smx_dose(body.weight_kg, _label_age(age))
        doses["prophylaxis_until"] = until
    return doses


def _checks(doses: dict, titration: TitrationAdvice | None, today: date) -> tuple[ClinicianCheck, ...]:
    """Where the rules ask a clinician to check (:data:`CHECK_SOURCES`), in that order."""
    body, prednisolone, tmp_smx = doses.get("body_size"), doses.get("prednisolone"), doses.get("tmp_smx")
    found = {
        "body_size_stale": body is not None and body_size_stale(body, today),
        "sirolimus_hold": titration is not None and titration.action == HOLD,
        "sirolimus_max": titration is not None and MAX_RULE in titration.rules,
        "prednisolone_capped": prednisolone is not None and prednisolone.capped,
        "tmp_smx_capped": tmp_smx is not None and tmp_smx.capped,
        "tmp_smx_young": tmp_smx is not None and tmp_smx.caution is not None,
    }
    return tuple(ClinicianCheck(code) for code in CHECK_SOURCES if found[code])


def bedside_advice(records: PatientRecords, today: date) -> BedsideAdvice:
    """Alerts, visit statuses, sirolimus advice from the latest trough, the taper step, the
    doses from the latest body size, the next blood count and the clinician checks; a
    :class:`~khetrial.errors.ProtocolError` becomes the advice's ``problem``."""
    patient = records.patient
    try:
        end = follow_up_end(patient.randomization_date)
        if today > end:
            return BedsideAdvice(patient.patient_id, today, end)
        meds = medications_on(records, today)
        snap = patient_snapshot(records, today, meds)
        found = alerts(snap)
        visits = visit_statuses(snap.randomized, today, snap.visits_done)
        titration = None
        if snap.on_sirolimus and snap.sirolimus_dose_mg and snap.trough_ng_ml is not None:
            titration = titrate_sirolimus(snap.sirolimus_dose_mg, snap.trough_ng_ml, today,
                                          snap.randomized)
        taper = None
        if snap.arm == ARM_EXPERIMENTAL and meds.taper_start is not None and snap.weight_kg:
            taper = taper_plan(snap.weight_kg, meds.taper_start)
        doses = _doses(records, snap, today)
        fibrinogen = platelet_history(records.labs, "fibrinogen")
        blood = next_blood_count_due(snap.randomized, snap.platelet_history, today, fibrinogen=fibrinogen or None)
    except ProtocolError as error:
        return BedsideAdvice(patient.patient_id, today, problem=str(error))
    return BedsideAdvice(patient.patient_id, today, end, found, snap, visits, titration, taper, meds,
                         blood_count=blood, checks=_checks(doses, titration, today), **doses)
