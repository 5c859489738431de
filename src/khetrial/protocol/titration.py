"""Sirolimus trough titration: the next dose and the next trough date.

Pub.: the dose was "subsequently titrated to achieve trough levels of 10 to 15 ng/mL"; "The
target sirolimus range remained unchanged throughout the study."

Rule (each number in ``constants``):

1. A trough within 10–15 ng/mL, both ends included, keeps the dose.
2. Otherwise the dose is scaled proportionally toward the middle of the range, 12.5 ng/mL —
   Rapamune prescribing information §2.1: "In most patients, dose adjustments can be based on
   simple proportion: new Rapamune dose = current dose × (target concentration/current
   concentration)".
3. The step is bounded to ×2 up and ×½ down (``SIROLIMUS_MAX_STEP_FACTOR``, a project choice):
   the label warns that "dose adjustments based on non-steady-state sirolimus concentrations
   can lead to overdosing or underdosing because sirolimus has a long half-life", and in
   infants clearance is still maturing (Mizuno T et al., Pediatr Blood Cancer 2017;64:e26470),
   so one trough never moves the dose more than twofold.
4. The new dose is measured on the oral syringe (see :mod:`khetrial.protocol.dosing`),
   rounded to the nearest graduation but never outside the bounds of step 3.
5. After a change the next trough is due 7 days later, and at the latest 14 days later —
   label: "patients should continue on the new maintenance dose for at least 7 to 14 days
   before further dosage adjustment with concentration monitoring". Without a change the
   next check follows the protocol's trough schedule (needs the start date of sirolimus);
   without that date, 7 days (the schedule's shortest interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import Number, check_date, exact, fmt, positive, round_half_up
from khetrial.protocol.dosing import SirolimusDose, measurable_volume_ml, sirolimus_dose_from_mg, syringe_step_ml
from khetrial.protocol.schedule import next_scheduled_trough

INCREASE, DECREASE, KEEP = "increase", "decrease", "keep"


def trough_status(trough_ng_ml: Number) -> str:
    """``low`` (< 10), ``in_range`` (10–15, ends included) or ``high`` (> 15 ng/mL) against the
    publication's "trough levels of 10 to 15 ng/mL"."""
    value = exact(trough_ng_ml, "sirolimus trough", maximum=C.SIROLIMUS_TROUGH_MAX_NG_ML, unit="ng/mL")
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    return "low" if value < low else "high" if value > high else "in_range"


def proportional_dose_mg(current_dose_mg: Number, trough_ng_ml: Number) -> Fraction:
    """Label §2.1 "new dose = current dose × (target concentration/current concentration)" with
    target 12.5 ng/mL, bounded to [current/2, current×2]; unrounded mg."""
    current = positive(current_dose_mg, "current sirolimus dose", "mg")
    trough = positive(trough_ng_ml, "sirolimus trough", "ng/mL")
    factor = min(max(C.SIROLIMUS_TROUGH_AIM_NG_ML / trough, 1 / C.SIROLIMUS_MAX_STEP_FACTOR),
                 C.SIROLIMUS_MAX_STEP_FACTOR)
    return current * factor


@dataclass(frozen=True)
class TitrationAdvice:
    """What to do after one trough: keep, increase or decrease, and when to measure again.

    ``dose`` is the dose per administration (twice daily) to give from now on.
    ``bounded`` says whether the ×2/×½ limit cut the proportional dose.
    """

    trough_ng_ml: Fraction
    status: str
    action: str
    current_dose_mg: Fraction
    proportional_mg: Fraction
    bounded: bool
    dose: SirolimusDose
    next_trough_date: date
    next_trough_latest: date
    reason: str

    @property
    def adjusted_dose_mg(self) -> Decimal:
        return self.dose.mg

    def to_dict(self) -> dict:
        return {"trough_ng_ml": float(self.trough_ng_ml), "trough_status": self.status, "action": self.action,
                "current_dose_mg": float(self.current_dose_mg),
                "proportional_dose_mg": round(float(self.proportional_mg), 4), "bounded": self.bounded,
                "adjusted_dose_mg": float(self.dose.mg), "adjusted_dose_ml": float(self.dose.ml),
                "next_trough_date": self.next_trough_date.isoformat(),
                "next_trough_latest": self.next_trough_latest.isoformat(), "reason": self.reason}


def _bounded_measurable(current: Fraction, proposed: Fraction) -> SirolimusDose:
    """``proposed`` on the syringe, kept within [current/2, current×2]."""
    low, high = current / C.SIROLIMUS_MAX_STEP_FACTOR, current * C.SIROLIMUS_MAX_STEP_FACTOR
    volume = measurable_volume_ml(proposed / C.SIROLIMUS_SOLUTION_MG_PER_ML)
    floor_high = measurable_volume_ml(high / C.SIROLIMUS_SOLUTION_MG_PER_ML, "down")
    ceil_low = measurable_volume_ml(low / C.SIROLIMUS_SOLUTION_MG_PER_ML, "up")
    if ceil_low > floor_high:
        raise ProtocolError(f"current sirolimus dose {float(current):g} mg is too small to adjust with an oral "
                            "syringe; ask the pharmacy for a diluted solution")
    volume = min(max(volume, ceil_low), floor_high)
    return sirolimus_dose_from_mg(volume * C.SIROLIMUS_SOLUTION_MG_PER_ML)


def titrate_sirolimus(current_dose_mg: Number, trough_ng_ml: Number, on: date,
                      sirolimus_start: date | None = None) -> TitrationAdvice:
    """Dose advice after a trough of ``trough_ng_ml`` on a dose of ``current_dose_mg`` (per
    administration), decided on ``on``. Pub.: "titrated to achieve trough levels of 10 to 15
    ng/mL"; Rapamune label §2.1: "new Rapamune dose = current dose × (target concentration/
    current concentration)" and "continue on the new maintenance dose for at least 7 to 14
    days"; the ×2/×½ bound is a project choice (module doc)."""
    on = check_date(on, "date of the decision")
    current = positive(current_dose_mg, "current sirolimus dose", "mg")
    trough = positive(trough_ng_ml, "sirolimus trough", "ng/mL")
    status = trough_status(trough)
    proportional = proportional_dose_mg(current, trough)
    unbounded = current * C.SIROLIMUS_TROUGH_AIM_NG_ML / trough
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    recheck_early, recheck_late = C.SIROLIMUS_RECHECK_AFTER_CHANGE_DAYS
    if status == "in_range":
        dose = SirolimusDose(current, round_half_up(current, C.DOSE_MG_DECIMALS),
                             round_half_up(current / C.SIROLIMUS_SOLUTION_MG_PER_ML, C.DOSE_MG_DECIMALS),
                             round_half_up(syringe_step_ml(current / C.SIROLIMUS_SOLUTION_MG_PER_ML),
                                           C.DOSE_MG_DECIMALS))
        if sirolimus_start is not None:
            following = next_scheduled_trough(sirolimus_start, on)
            why = "next check per the protocol trough schedule"
        else:
            following = on + timedelta(C.TROUGH_SCHEDULE[0][0])
            why = (f"next check in {C.TROUGH_SCHEDULE[0][0]} days "
                   "(give the sirolimus start date to follow the protocol schedule)")
        return TitrationAdvice(trough, status, KEEP, current, current, False, dose, following, following,
                               f"trough {float(trough):g} ng/mL is within {low}–{high} ng/mL: keep the dose; {why}")
    dose = _bounded_measurable(current, proportional)
    action = INCREASE if dose.exact_mg > current else DECREASE if dose.exact_mg < current else KEEP
    verb = {INCREASE: "increase", DECREASE: "decrease", KEEP: "keep"}[action]
    reason = (f"trough {float(trough):g} ng/mL is {'below' if status == 'low' else 'above'} {low}–{high} ng/mL: "
              f"{verb} to {dose.mg} mg ({dose.ml} mL) twice daily "
              f"(current × {fmt(C.SIROLIMUS_TROUGH_AIM_NG_ML)}/{float(trough):g}"
              f"{', limited to a twofold step' if proportional != unbounded else ''}); "
              f"recheck the trough {recheck_early}–{recheck_late} days after the change")
    return TitrationAdvice(trough, status, action, current, proportional, proportional != unbounded, dose,
                           on + timedelta(recheck_early), on + timedelta(recheck_late), reason)
