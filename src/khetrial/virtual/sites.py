"""What a site does for one child, through the JSON API: screen, randomize, start treatment,
record what the calendar makes due, follow the bedside advice.

The investigator of the child's site screens, randomizes, prescribes, and enters blood counts,
troughs and, at every scheduled visit after day 0, the child's weight and length (``body_size``,
so that the doses follow the growing child) through the API and PedsQL answers on the questionnaire page (one form for all
items; the API takes one item per request); the site's blinded assessor enters MRI volumes and the month-24
sequelae. Dose advice is the one the patient page shows (:func:`khetrial.edc.web.bedside.bedside_advice`
read through the investigator's own disclosure); the site does what it says:

- a trough outside 10–15 ng/mL: the running sirolimus course ends the day before, a course at
  the advised dose starts today, and the trough is rechecked on the advice's next trough date;
  a trough to hold for: the course ends, the trough is repeated on the advice's date and the
  drug restarted at the advised dose once it is ≤ 15 ng/mL; an undetectable trough: repeated;
- arm SP, the taper alert ("platelets ≥100 for at least 1 week"): the full-dose prednisolone
  course ends the day before and the taper's course runs from today to the day before its stop.

Import after Django is set up (:func:`khetrial.edc.db.setup`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model

from khetrial.constants import (ARM_EXPERIMENTAL, PREDNISOLONE_DOSE_MG_KG,
                                SIROLIMUS_RECHECK_AFTER_CHANGE_DAYS, SIROLIMUS_REPEAT_TROUGH_DAYS,
                                SIROLIMUS_TROUGH_TARGET_NG_ML, TMP_SMX_DOSE_MG_KG)
from khetrial.edc.accounts.roles import ASSESSOR, INVESTIGATOR
from khetrial.edc.trial.models import Patient
from khetrial.edc.web.bedside import bedside_advice
from khetrial.edc.web.blinding import disclosure_for
from khetrial.protocol.dosing import prophylaxis_required_until, starting_doses
from khetrial.protocol.titration import HOLD, REPEAT
from khetrial.virtual.calendar import (COUNT, MRI, PEDSQL, SEQUELAE, TROUGH, Plan,
                                       next_count_date, plan_for)
from khetrial.protocol.pedsql import items
from khetrial.virtual.client import Account, ApiClient
from khetrial.virtual.course import (SEQUELA_CODES, Child, TrueCourse, draw_course, growth_on,
                                     lesion_volume_ml, trough_ng_ml)

DIAGNOSIS = ["clinical", "mri"]  # Pub.: "diagnosed by clinical features and MRI"
TAPER_ALERT = "prednisolone_taper_due"
QUESTIONNAIRE = "qol_questionnaire"  # an Entry sent through the PedsQL questionnaire page


@dataclass
class Entry:
    """One record to send: who (role), which table, the fields, and the day it is entered."""

    role: str
    table: str
    body: dict
    entered_on: date


@dataclass
class Enrolled:
    """A randomized child as its site knows it, plus its true course (never sent as such)."""

    child: Child
    course: TrueCourse
    patient_id: str
    site: str
    arm: str
    day0: date
    plan: Plan
    rng: np.random.Generator
    sirolimus_course: int = 0
    sirolimus_start: date | None = None
    sirolimus_mg: Decimal = Decimal(0)
    held_since: date | None = None
    held_mg: Decimal = Decimal(0)
    restart_mg: Decimal = Decimal(0)
    prednisolone_course: int = 0
    taper_started: bool = False
    rechecks: set = field(default_factory=set)
    platelets: list = field(default_factory=list)  # (date, count) as entered, for the calendar
    fibrinogen: list = field(default_factory=list)  # (date, g/L) as entered, for the calendar
    next_count: date | None = None  # the 2-day series' next count (None: platelets stable)

    def day(self, today: date) -> int:
        return (today - self.day0).days

    def due_on(self, today: date) -> tuple[str, ...]:
        due = self.plan.due_on(today, self.next_count)
        if today in self.rechecks and TROUGH not in due:
            due += (TROUGH,)
        return due


def screening_body(child: Child, screening_id: str, today: date) -> dict:
    """The screening form as the site fills it in for ``child`` (a screen failure has an
    active infection, and is recorded as such)."""
    return {"screening_id": screening_id, "date": today.isoformat(),
            "birth_date": (today - timedelta(child.age_days)).isoformat(),
            "diagnosis_basis": DIAGNOSIS + (["histology"] if child.biopsy else []),
            "platelets": child.platelets, "fibrinogen": child.fibrinogen, "d_dimer": child.d_dimer,
            "liver_function_adequate": True, "renal_function_adequate": True,
            "marrow_function_adequate": True, "active_infection": not child.eligible,
            "record_failure": True}


def patient_body(child: Child, patient_id: str, today: date) -> dict:
    return {"patient_id": patient_id, "sex": child.sex,
            "birth_date": (today - timedelta(child.age_days)).isoformat(),
            "weight_kg": child.weight_kg, "height_cm": child.height_cm,
            "lesion_depth": child.lesion_depth, "lesion_site": child.lesion_site,
            "kmp_onset_date": (today - timedelta(child.kmp_days)).isoformat(),
            "biopsy": child.biopsy}


def enrol(api: ApiClient, investigator: Account, child: Child, today: date,
          rng: np.random.Generator) -> Enrolled | None:
    """Screen ``child``; randomize when eligible and start the treatment. None: a screen failure."""
    number = child.index + 1
    screening = api.request(investigator, "POST", "/api/screening",
                            screening_body(child, f"V{investigator.site}-S{number:04d}", today))
    if not screening["eligible"]:
        return None
    pid = f"V{investigator.site}-{number:04d}"
    row = api.request(investigator, "POST", f"/api/screening/{screening['id']}/randomize",
                      patient_body(child, pid, today))
    doses = starting_doses(child.weight_kg, child.height_cm)
    course = draw_course(child, row["arm"], float(doses.sirolimus.mg), rng)
    e = Enrolled(child, course, pid, investigator.site, row["arm"], today, plan_for(today), rng,
                 next_count=next_count_date(today, ()))
    e.sirolimus_mg, e.sirolimus_start = doses.sirolimus.mg, today
    e.sirolimus_course = _medication(api, investigator, e, "sirolimus", today, None,
                                     doses.sirolimus.mg, "mg", "bid")
    if e.arm == ARM_EXPERIMENTAL:  # Pub.: "prednisolone ... at 2 mg/kg orally once daily"
        e.prednisolone_course = _medication(api, investigator, e, "prednisolone", today, None,
                                            PREDNISOLONE_DOSE_MG_KG, "mg_kg", "qd")
    # Pub.: "trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per week ... at least
    # during the first 6 months"
    _medication(api, investigator, e, "tmp_smx", today,
                prophylaxis_required_until(today) - timedelta(1), TMP_SMX_DOSE_MG_KG, "mg_kg",
                "tiw_bid")
    return e


def _medication(api, investigator, e: Enrolled, drug, start, end, dose, unit, frequency) -> int:
    body = {"drug": drug, "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else None, "dose": float(dose),
            "dose_unit": unit, "frequency": frequency}
    return api.request(investigator, "POST", f"/api/patients/{e.patient_id}/medications", body)["id"]


def _end_course(api, investigator, e: Enrolled, record_id: int, today: date, reason: str) -> None:
    api.request(investigator, "PATCH", f"/api/patients/{e.patient_id}/medications/{record_id}",
                {"end_date": (today - timedelta(1)).isoformat(), "reason": reason})


def measurements(e: Enrolled, due: tuple[str, ...], today: date) -> list[Entry]:
    """The records of what is due today, from the true course (troughs under the dose given)."""
    day, out = e.day(today), []
    when = today.isoformat()
    for assessment in due:
        if assessment == COUNT:
            out.append(Entry(INVESTIGATOR, "labs", {"date": when, "test": "platelets",
                                                    "value": e.course.platelets_on(day)}, today))
            out.append(Entry(INVESTIGATOR, "labs", {"date": when, "test": "fibrinogen",
                                                    "value": e.course.fibrinogen_on(day)}, today))
            if day > 0 and today in e.plan.dates[COUNT]:  # a scheduled visit: weigh and measure
                weight, height = growth_on(e.child, day)
                out.append(Entry(INVESTIGATOR, "body_size", {"date": when, "weight_kg": weight,
                                                             "height_cm": height}, today))
        elif assessment == TROUGH and (e.sirolimus_mg > 0 or e.held_since is not None):
            if e.held_since is not None:
                value = trough_ng_ml(e.course, float(e.held_mg), day, e.rng,
                                     (today - e.held_since).days)
            else:
                value = trough_ng_ml(e.course, float(e.sirolimus_mg), day, e.rng)
            out.append(Entry(INVESTIGATOR, "drug_levels",
                             {"date": when, "sirolimus_trough_ng_ml": value}, today))
        elif assessment == MRI:
            out.append(Entry(ASSESSOR, "mri", {"date": when,
                                               "lesion_volume_ml": lesion_volume_ml(e.course, day)}, today))
        elif assessment == PEDSQL:
            out += _questionnaire(e, today)
        elif assessment == SEQUELAE:
            out += [Entry(ASSESSOR, "sequelae", {"date": when, "sequela": code,
                                                 "present": code in e.course.sequelae}, today)
                    for code in SEQUELA_CODES]
    return out


def _questionnaire(e: Enrolled, today: date) -> list[Entry]:
    """The parent's answers at the questionnaire of baseline (day ≤ 0) or month 12, entered on
    the PedsQL questionnaire page (all items in one form, as the sites do)."""
    key = min(e.course.qol, key=lambda d: abs(d - e.day(today)))
    form, answers = e.course.qol[key]
    data = {"instrument": form, "date": today.isoformat(),
            **{item: "" if answer is None else str(answer)
               for (_scale, item), answer in zip(items(form), answers)}}
    return [Entry(INVESTIGATOR, QUESTIONNAIRE, data, today)]


def submit(api: ApiClient, accounts: dict[str, Account], e: Enrolled, entry: Entry) -> None:
    if entry.table == QUESTIONNAIRE:
        api.submit_page(accounts[entry.role], f"/patients/{e.patient_id}/qol/questionnaire/",
                        entry.body)
        return
    api.request(accounts[entry.role], "POST", f"/api/patients/{e.patient_id}/{entry.table}",
                entry.body)
    if entry.table == "labs" and entry.body["test"] in ("platelets", "fibrinogen"):
        series = e.platelets if entry.body["test"] == "platelets" else e.fibrinogen
        series.append((date.fromisoformat(entry.body["date"]), entry.body["value"]))
        e.next_count = next_count_date(e.day0, e.platelets, e.fibrinogen)


def follow_advice(api: ApiClient, investigator: Account, e: Enrolled, today: date,
                  new_trough: float | None, new_count: bool) -> None:
    """Read the patient page's advice after today's results and do what it says."""
    if e.held_since is not None and new_trough is not None:
        _after_hold(api, investigator, e, today, new_trough)
        return
    if new_trough is None and not (new_count and e.prednisolone_course and not e.taper_started):
        return
    patient = Patient.objects.get(patient_id=e.patient_id)
    advice = bedside_advice(disclosure_for(_user(investigator)), patient, today)
    if advice.problem:
        return
    if new_trough is not None and advice.titration is not None:
        _titrate(api, investigator, e, today, advice.titration)
    if e.prednisolone_course and not e.taper_started and advice.taper is None:
        alert = next((a for a in advice.alerts if a.code == TAPER_ALERT), None)
        if alert is not None and "plan" in alert.details:
            _start_taper(api, investigator, e, today, alert.details["plan"])


def _titrate(api, investigator, e: Enrolled, today: date, titration) -> None:
    """Keep, change (new course today, recheck), repeat (recheck) or hold (course ends)."""
    reason = f"trough advice: {titration.reason}"[:200]
    if titration.action in (REPEAT, HOLD):
        e.rechecks.add(titration.next_trough_date)
    if titration.action == HOLD:
        _end_course(api, investigator, e, e.sirolimus_course, today, reason)
        e.held_since, e.held_mg = today, e.sirolimus_mg
        e.restart_mg, e.sirolimus_mg = Decimal(str(titration.adjusted_dose_mg)), Decimal(0)
        return
    new_mg = Decimal(str(titration.adjusted_dose_mg))
    if new_mg == e.sirolimus_mg or new_mg <= 0:
        return
    _new_sirolimus_course(api, investigator, e, today, new_mg, reason)
    e.rechecks.add(titration.next_trough_date)


def _after_hold(api, investigator, e: Enrolled, today: date, trough: float) -> None:
    """Doses held: restart at the advised dose once the trough is in range or below, else
    repeat it after the same interval (the hold advice's own words)."""
    if trough <= SIROLIMUS_TROUGH_TARGET_NG_ML[1]:
        _new_sirolimus_course(api, investigator, e, today, e.restart_mg,
                              f"restart after hold: trough {trough:g} ng/mL")
        e.held_since = None
        e.rechecks.add(today + timedelta(SIROLIMUS_RECHECK_AFTER_CHANGE_DAYS[0]))
    else:
        e.rechecks.add(today + timedelta(SIROLIMUS_REPEAT_TROUGH_DAYS))


def _new_sirolimus_course(api, investigator, e: Enrolled, today: date, mg: Decimal,
                          reason: str) -> None:
    if e.sirolimus_start == today and e.held_since is None:
        api.request(investigator, "PATCH", f"/api/patients/{e.patient_id}/medications/"
                    f"{e.sirolimus_course}", {"dose": float(mg), "reason": reason})
    else:
        if e.held_since is None:
            _end_course(api, investigator, e, e.sirolimus_course, today, reason)
        e.sirolimus_course = _medication(api, investigator, e, "sirolimus", today, None, mg,
                                         "mg", "bid")
    e.sirolimus_mg, e.sirolimus_start = mg, today


def _start_taper(api, investigator, e: Enrolled, today: date, plan: dict) -> None:
    _end_course(api, investigator, e, e.prednisolone_course, today,
                "prednisolone taper started on the bedside alert")
    stop = date.fromisoformat(plan["steps"][-1]["end"])
    first_mg = plan["steps"][0]["daily_dose_mg"]
    e.prednisolone_course = _medication(api, investigator, e, "prednisolone", today, stop,
                                        first_mg, "mg", "qd")
    e.taper_started = True


def _user(account: Account):
    return get_user_model().objects.select_related("profile").get(username=account.username)
