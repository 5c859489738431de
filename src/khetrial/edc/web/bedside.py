"""At the bedside: one patient's database rows read into the protocol's :class:`PatientSnapshot`.

A thin adapter. Every rule (transfusion criteria, trough range and titration, grade ≥ 3 adverse
events, PJP prophylaxis, visit windows, the prednisolone taper) lives in
:mod:`khetrial.protocol`; this module only says which rows feed which field, and ``today``
comes in as an argument (the view reads the clock). Rows are read through the user's
:class:`~khetrial.edc.web.blinding.Disclosure`, so a role that may not see a table gets an empty
snapshot for it; the views show this advice only to :data:`BEDSIDE_ROLES`, never to a blinded
role (it names the drugs, the doses and, through the taper, the arm).

How rows become the snapshot (non-voided rows only; "latest" = the last row of the latest
date in file order, as the bundle format reads several rows of one date):

- ``platelets``/``fibrinogen``/``hemoglobin``: the latest lab of that test with a value;
  ``platelet_history``: every platelet count, for the taper trigger;
- ``trough_ng_ml``/``trough_on``: the latest drug level with a value;
- ``on_sirolimus``/``on_prednisolone``/``on_tmp_smx``: a course of that drug runs on ``today``
  (started on or before it, no end date or ending on or after it). A disposition row dated on
  or before ``today`` ("study treatment stopped for good", bundle format) stops the study
  drugs whatever their courses say. ``on_tmp_smx`` is ``None`` (unknown, no alert) for a
  patient without any medication row at all;
- ``sirolimus_dose_mg``: the running sirolimus course's dose per administration in mg —
  ``mg`` as entered, ``mg_m2`` × the baseline body-surface area (Mosteller) measured on the
  syringe, ``mg_kg`` × the baseline weight; only for a twice-daily (``bid``) or unstated
  frequency, the titration's dose being "per dose, twice daily";
- ``ongoing_adverse_events``: events with a grade whose onset is on or before ``today`` and
  that have no end date or end on or after ``today``;
- ``prednisolone_taper_started``: a prednisolone course runs today and an earlier one exists
  (the full dose is stepped down by starting a new course); the taper's first day is the start
  of the second course;
- ``visits_done``: a visit counts as done on the first date inside its window on which any
  assessment was recorded (a lab, a drug level, an MRI, a PedsQL answer or a sequela); the
  bundle has no visit table, so the data recorded are the evidence of a visit.

A patient whose follow-up is over (``today`` after the last day of the protocol's last visit
window, the year-2 visit) gets no advice: nothing can be due any more, and what was missed is
a matter for data queries, not for the treating team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from khetrial.edc.accounts.roles import INVESTIGATOR
from khetrial.errors import ProtocolError
from khetrial.protocol import (Alert, PatientSnapshot, TaperPlan, TitrationAdvice, VisitStatus,
                               alerts, body_surface_area, plan_visits, taper_plan,
                               titrate_sirolimus, visit_statuses)
from khetrial.constants import ARM_EXPERIMENTAL
from khetrial.protocol.dosing import sirolimus_dose_from_mg

# Who receives bedside advice: the treating team of the patient's site (issue 6: "for
# investigators only — never for blinded assessors").
BEDSIDE_ROLES = (INVESTIGATOR,)
# The tables the advice reads; a disclosure must see all of them.
BEDSIDE_TABLES = ("labs", "drug_levels", "medications", "adverse_events", "disposition")
ASSESSMENT_TABLES = ("labs", "drug_levels", "mri", "qol", "sequelae")
SNAPSHOT_LABS = ("platelets", "fibrinogen", "hemoglobin")
TWICE_DAILY_FREQUENCIES = ("bid", "")
STUDY_DRUGS = ("sirolimus", "prednisolone")  # what a disposition row stops


def may_receive_advice(disclosure) -> bool:
    """Whether this user's disclosure lets it receive bedside advice (never a blinded role)."""
    return (disclosure.role in BEDSIDE_ROLES and not disclosure.blinded
            and all(disclosure.may_see(t) for t in BEDSIDE_TABLES))


def _rows(disclosure, table: str, patient):
    return disclosure.records(table).filter(patient=patient, voided=False)


def _runs_on(course, today: date) -> bool:
    return course.start_date <= today and (course.end_date is None or course.end_date >= today)


def _latest_labs(disclosure, patient) -> tuple[dict[str, float], tuple[tuple[date, float], ...]]:
    latest: dict[str, float] = {}
    history = []
    rows = (_rows(disclosure, "labs", patient).filter(test__in=SNAPSHOT_LABS, value__isnull=False)
            .order_by("date", "seq", "id").values_list("test", "date", "value"))
    for test, when, value in rows:
        latest[test] = value  # ascending order: the last one seen is the latest
        if test == "platelets":
            history.append((when, value))
    return latest, tuple(history)


def course_dose_mg(course, patient) -> Fraction | None:
    """A sirolimus course's dose per administration in mg (see the module doc), else None."""
    if course.dose is None or course.frequency not in TWICE_DAILY_FREQUENCIES:
        return None
    dose = Fraction(str(course.dose))
    if course.dose_unit == "mg":
        return dose
    if course.dose_unit == "mg_kg" and patient.weight_kg:
        return dose * Fraction(str(patient.weight_kg))
    if course.dose_unit == "mg_m2" and patient.weight_kg and patient.height_cm:
        bsa = Fraction(body_surface_area(patient.weight_kg, patient.height_cm))
        return Fraction(sirolimus_dose_from_mg(dose * bsa).mg) if dose * bsa > 0 else None
    return None


def visits_done(disclosure, patient) -> dict[str, date]:
    """Visit code -> the first date inside its window with an assessment recorded."""
    dates: set[date] = set()
    for table in ASSESSMENT_TABLES:
        if disclosure.may_see(table):
            dates.update(_rows(disclosure, table, patient).values_list("date", flat=True))
    done = {}
    for visit in plan_visits(patient.randomization_date):
        inside = sorted(d for d in dates if visit.contains(d))
        if inside:
            done[visit.code] = inside[0]
    return done


@dataclass(frozen=True)
class Medications:
    """The courses running on ``today`` and what the snapshot needs from them."""

    any_recorded: bool
    sirolimus: object | None
    sirolimus_dose_mg: Fraction | None
    prednisolone: object | None
    taper_start: date | None
    on_tmp_smx: bool


def treatment_stopped_on(disclosure, patient, today: date) -> date | None:
    """The first disposition date on or before ``today`` (study treatment stopped), else None."""
    return (_rows(disclosure, "disposition", patient).filter(date__lte=today)
            .order_by("date").values_list("date", flat=True).first())


def read_medications(disclosure, patient, today: date) -> Medications:
    courses = list(_rows(disclosure, "medications", patient).order_by("start_date", "seq", "id"))
    stopped = treatment_stopped_on(disclosure, patient, today)
    running = {c.drug: c for c in courses if _runs_on(c, today)  # later courses win
               and not (stopped is not None and c.drug in STUDY_DRUGS)}
    sirolimus = running.get("sirolimus")
    prednisolone = running.get("prednisolone")
    started = [c for c in courses if c.drug == "prednisolone" and c.start_date <= today]
    taper_start = started[1].start_date if prednisolone is not None and len(started) > 1 else None
    return Medications(any_recorded=bool(courses), sirolimus=sirolimus,
                       sirolimus_dose_mg=course_dose_mg(sirolimus, patient) if sirolimus else None,
                       prednisolone=prednisolone, taper_start=taper_start,
                       on_tmp_smx="tmp_smx" in running)


def patient_snapshot(disclosure, patient, today: date,
                     medications: Medications | None = None) -> PatientSnapshot:
    """The protocol's view of ``patient`` on ``today``, from the rows ``disclosure`` may see."""
    labs, history = _latest_labs(disclosure, patient)
    level = (_rows(disclosure, "drug_levels", patient).filter(sirolimus_trough_ng_ml__isnull=False)
             .order_by("date", "seq", "id").last())
    meds = medications or read_medications(disclosure, patient, today)
    events = tuple((e.term, e.grade) for e in _rows(disclosure, "adverse_events", patient)
                   .filter(grade__isnull=False, onset_date__lte=today).order_by("onset_date", "seq")
                   if e.end_date is None or e.end_date >= today)
    return PatientSnapshot(
        today=today, arm=patient.arm or None, randomized=patient.randomization_date,
        weight_kg=patient.weight_kg, platelets=labs.get("platelets"),
        fibrinogen=labs.get("fibrinogen"), hemoglobin=labs.get("hemoglobin"),
        on_sirolimus=meds.sirolimus is not None, sirolimus_dose_mg=meds.sirolimus_dose_mg,
        trough_ng_ml=level.sirolimus_trough_ng_ml if level else None,
        trough_on=level.date if level else None, ongoing_adverse_events=events,
        on_tmp_smx=meds.on_tmp_smx if meds.any_recorded else None,
        on_prednisolone=meds.prednisolone is not None,
        prednisolone_taper_started=meds.taper_start is not None,
        platelet_history=history, visits_done=visits_done(disclosure, patient))


@dataclass(frozen=True)
class BedsideAdvice:
    """What the treating team sees for one patient on ``today``.

    ``problem`` is the protocol's message when the data could not be read into advice (an
    implausible value, a dose too small for the syringe): shown instead of silence.
    ``follow_up_end`` is the last day of the last visit window; after it there is no advice.
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
    def taper_step(self):
        return self.taper.step_on(self.today) if self.taper else None


def bedside_advice(disclosure, patient, today: date) -> BedsideAdvice:
    """Alerts, visit statuses, sirolimus advice from the latest trough and the taper step."""
    try:
        end = plan_visits(patient.randomization_date)[-1].window_end
        if today > end:
            return BedsideAdvice(patient.patient_id, today, end)
        meds = read_medications(disclosure, patient, today)
        snap = patient_snapshot(disclosure, patient, today, meds)
        found = alerts(snap)
        visits = visit_statuses(snap.randomized, today, snap.visits_done)
        titration = None
        if snap.on_sirolimus and snap.sirolimus_dose_mg and snap.trough_ng_ml is not None:
            titration = titrate_sirolimus(snap.sirolimus_dose_mg, snap.trough_ng_ml, today,
                                          snap.randomized)
        taper = None
        if snap.arm == ARM_EXPERIMENTAL and meds.taper_start is not None and snap.weight_kg:
            taper = taper_plan(snap.weight_kg, meds.taper_start)
    except ProtocolError as error:
        return BedsideAdvice(patient.patient_id, today, problem=str(error))
    return BedsideAdvice(patient.patient_id, today, end, found, snap, visits, titration, taper,
                         meds)
