"""Bedside alerts: what the protocol asks for now, from a patient's latest values.

:func:`alerts` is pure: it takes a :class:`PatientSnapshot` (the latest values the web
application or a script has read, and ``today``) and returns :class:`Alert` objects with a
stable ``code``, a ``severity`` and a message, most severe first. The caller only renders them.

=========================  ========  ==========================================================
code                       severity  rule (module that encodes it)
=========================  ========  ==========================================================
transfusion_plasma         critical  FFP/cryoprecipitate circumstances (supportive_care)
transfusion_red_cells      critical  symptomatic anemia or Hb < 60 g/L (supportive_care)
adverse_event_grade3       critical  an ongoing adverse event of CTCAE grade ≥ 3 (SAP)
pjp_prophylaxis_missing    critical  no TMP-SMX in the first 6 months (dosing)
trough_low / trough_high   warning   latest trough outside 10–15 ng/mL, with the new dose (titration)
trough_overdue             warning   a scheduled trough check was missed (schedule)
visit_overdue              warning   a visit's window has closed and it is not done (schedule)
visit_due                  info      a visit's window is open (schedule)
prednisolone_taper_due     info      arm SP, platelets ≥ 100 for a week, taper not begun (prednisolone;
                                     the weekly steps are a project choice and say so)
=========================  ========  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import Number, check_choice, check_date, check_flag
from khetrial.protocol.dosing import prophylaxis_required_until
from khetrial.protocol.prednisolone import TAPER_SOURCE, TRIGGER_SOURCE, taper_plan, taper_start_date
from khetrial.protocol.schedule import DUE, OVERDUE, trough_dates, visit_statuses
from khetrial.protocol.supportive_care import PLASMA, transfusion_advice
from khetrial.protocol.titration import titrate_sirolimus, trough_status

CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITY_ORDER = (CRITICAL, WARNING, INFO)


@dataclass(frozen=True)
class Alert:
    """One thing to act on. ``details`` holds the numbers behind the message (JSON-friendly)."""

    code: str
    severity: str
    message: str
    details: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message, "details": self.details}


@dataclass(frozen=True)
class PatientSnapshot:
    """A patient's latest values on ``today``. Everything but ``today`` is optional: an alert
    whose inputs are missing is simply not raised.

    - ``platelets`` ×10⁹/L, ``fibrinogen`` g/L, ``hemoglobin`` g/L: latest values;
    - ``trough_ng_ml``/``trough_on``: latest sirolimus trough; ``sirolimus_dose_mg``: the dose
      per administration (twice daily) the patient is taking;
    - ``ongoing_adverse_events``: (CTCAE term, grade 1–5) of events not yet resolved;
    - ``on_tmp_smx``: whether PJP prophylaxis is being taken (``None`` = unknown);
    - ``platelet_history``: (date, count) pairs for the prednisolone taper trigger;
    - ``visits_done``: visit code → date done (``None`` = not known, no visit alerts).
    """

    today: date
    arm: str | None = None
    randomized: date | None = None
    weight_kg: Number | None = None
    platelets: Number | None = None
    fibrinogen: Number | None = None
    hemoglobin: Number | None = None
    active_bleeding: bool = False
    symptomatic_anemia: bool = False
    on_sirolimus: bool = True
    sirolimus_dose_mg: Number | None = None
    trough_ng_ml: Number | None = None
    trough_on: date | None = None
    ongoing_adverse_events: tuple[tuple[str, int], ...] = ()
    on_tmp_smx: bool | None = None
    on_prednisolone: bool = False
    prednisolone_taper_started: bool = False
    platelet_history: tuple[tuple[date, Number], ...] = ()
    visits_done: Mapping[str, date] | None = None


def _transfusion_alerts(p: PatientSnapshot) -> list[Alert]:
    result = []
    for advice in transfusion_advice(active_bleeding=p.active_bleeding, platelets=p.platelets,
                                     fibrinogen=p.fibrinogen, hemoglobin=p.hemoglobin,
                                     symptomatic_anemia=p.symptomatic_anemia):
        code = "transfusion_plasma" if advice.product == PLASMA else "transfusion_red_cells"
        result.append(Alert(code, CRITICAL, f"Give {advice.label}: {'; '.join(advice.reasons)}.",
                            {"product": advice.product, "reasons": list(advice.reasons)}))
    return result


def _adverse_event_alerts(p: PatientSnapshot) -> list[Alert]:
    result = []
    for term, grade in p.ongoing_adverse_events:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= C.AE_MAX_GRADE:
            raise ProtocolError(f"adverse event {term!r}: got grade {grade!r}; expected a CTCAE grade 1–5")
        if grade >= C.AE_SEVERE_GRADE:
            result.append(Alert("adverse_event_grade3", CRITICAL,
                                f"Ongoing grade {grade} adverse event: {term.replace('_', ' ')}. Review whether "
                                "toxicity precludes further therapy.", {"term": term, "grade": grade}))
    return result


def _prophylaxis_alerts(p: PatientSnapshot) -> list[Alert]:
    if p.randomized is None or p.on_tmp_smx is None or check_flag(p.on_tmp_smx, "on TMP-SMX"):
        return []
    until = prophylaxis_required_until(p.randomized)
    if p.randomized <= p.today < until:
        return [Alert("pjp_prophylaxis_missing", CRITICAL,
                      f"No PJP prophylaxis: trimethoprim-sulfamethoxazole {C.TMP_SMX_DOSE_MG_KG} mg/kg twice daily, "
                      f"3 days a week, "
                      f"is required during the first {C.TMP_SMX_MIN_MONTHS} months (until {until}).",
                      {"required_until": until.isoformat()})]
    return []


def _trough_alerts(p: PatientSnapshot) -> list[Alert]:
    result = []
    if p.trough_ng_ml is not None and p.on_sirolimus:
        status = trough_status(p.trough_ng_ml)
        if status != "in_range":
            low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
            when = f" on {p.trough_on}" if p.trough_on else ""
            message = f"Sirolimus trough {float(p.trough_ng_ml):g} ng/mL{when} is outside {low}–{high} ng/mL."
            details: dict = {"trough_ng_ml": float(p.trough_ng_ml), "status": status}
            if p.sirolimus_dose_mg is not None:
                advice = titrate_sirolimus(p.sirolimus_dose_mg, p.trough_ng_ml, p.today, p.randomized)
                message += f" Advice: {advice.reason}."
                details.update(advice.to_dict())
            result.append(Alert(f"trough_{status}", WARNING, message, details))
    if p.randomized is not None and p.on_sirolimus and p.today > p.randomized:
        tolerance = timedelta(C.TROUGH_CHECK_TOLERANCE_DAYS)
        due = [d for d in trough_dates(p.randomized, p.today) if d + tolerance < p.today]
        if due:
            last_due = due[-1]
            trough_on = check_date(p.trough_on, "trough date") if p.trough_on else None
            if trough_on is None or trough_on < last_due - tolerance:
                result.append(Alert("trough_overdue", WARNING,
                                    f"Sirolimus trough check of {last_due} is overdue "
                                    f"(last trough: {trough_on or 'none recorded'}).",
                                    {"scheduled": last_due.isoformat(),
                                     "last_trough": trough_on.isoformat() if trough_on else None}))
    return result


def _visit_alerts(p: PatientSnapshot) -> list[Alert]:
    if p.randomized is None or p.visits_done is None:
        return []
    result = []
    for s in visit_statuses(p.randomized, p.today, p.visits_done):
        window = f"{s.visit.window_start} to {s.visit.window_end}"
        if s.status == OVERDUE:
            result.append(Alert("visit_overdue", WARNING, f"{s.visit.name} visit is overdue (window {window}).",
                                s.to_dict()))
        elif s.status == DUE:
            result.append(Alert("visit_due", INFO, f"{s.visit.name} visit is due (window {window}).", s.to_dict()))
    return result


def _taper_alerts(p: PatientSnapshot) -> list[Alert]:
    if p.arm != C.ARM_EXPERIMENTAL or not p.on_prednisolone or p.prednisolone_taper_started:
        return []
    trigger = taper_start_date(p.platelet_history)
    if trigger is None or trigger > p.today:
        return []
    message = (f"Platelets ≥{C.PREDNISOLONE_TAPER_PLATELETS} ×10⁹/L for at least 1 week (since {trigger}): "
               "begin tapering prednisolone (publication: taper and stop within 4 to 6 weeks).")
    details: dict = {"trigger_date": trigger.isoformat(), "source": TRIGGER_SOURCE, "taper_source": TAPER_SOURCE}
    if p.weight_kg is not None:
        plan = taper_plan(p.weight_kg, p.today)
        message += f" Suggested {plan.describe()}."
        details["plan"] = plan.to_dict()
    return [Alert("prednisolone_taper_due", INFO, message, details)]


def alerts(patient: PatientSnapshot) -> tuple[Alert, ...]:
    """Every alert the protocol raises for ``patient`` on ``patient.today``, most severe first
    (then in the order of the module's table). Each rule is the publication's sentence encoded
    by the module named in that table (supportive care "platelet count <10 × 10⁹/L", "fibrinogen
    <0.5 g/L", "hemoglobin concentrations <60 g/L"; "trough levels of 10 to 15 ng/mL"; PJP
    prophylaxis "at least during the first 6 months"; the "scheduled visits"; prednisolone taper
    after "platelet count ≥100 × 10⁹/L for at least 1 week")."""
    if not isinstance(patient, PatientSnapshot):
        raise ProtocolError(f"expected a PatientSnapshot, got {type(patient).__name__}")
    check_date(patient.today, "today")
    if patient.arm is not None:
        check_choice(patient.arm, "arm", C.ARMS)
    if patient.randomized is not None:
        check_date(patient.randomized, "randomization date")
    found = (_transfusion_alerts(patient) + _adverse_event_alerts(patient) + _prophylaxis_alerts(patient)
             + _trough_alerts(patient) + _visit_alerts(patient) + _taper_alerts(patient))
    return tuple(sorted(found, key=lambda a: SEVERITY_ORDER.index(a.severity)))
