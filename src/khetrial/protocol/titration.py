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
6. Safety (issue 10): above 30 ng/mL (``SIROLIMUS_HOLD_ABOVE_NG_ML``, project choice: even
   the ×½ step leaves the predicted trough above 15) doses are **held**, the trough repeated
   after 3 days, and sirolimus restarted at the bounded dose (half) once the trough is
   ≤ 15 ng/mL. An undetectable trough (0 ng/mL) is not an error: the dose is kept and the
   trough repeated after 3 days, checking adherence and that the sample was a true trough
   (project choice). No dose exceeds the label's "maximum Rapamune dose administered on any
   day should not exceed 40 mg" (20 mg per dose twice daily). Volumes follow the solution's
   strength (``solution_mg_per_ml``, 1 mg/mL by default).

Every advice names its sources (``rules``: publication, label, project choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from khetrial import constants as C
from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, check_date, exact, fmt, positive, round_half_up
from khetrial.protocol.dosing import (
    LABEL,
    PROJECT_CHOICE,
    PUBLICATION,
    DoseRule,
    SirolimusDose,
    measurable_volume_ml,
    sirolimus_dose_from_mg,
    solution_strength,
    syringe_step_ml,
)
from khetrial.protocol.schedule import next_scheduled_trough

INCREASE, DECREASE, KEEP, HOLD, REPEAT = "increase", "decrease", "keep", "hold", "repeat"
MAX_MG_PER_DOSE = Fraction(C.SIROLIMUS_MAX_MG_DAY, C.SIROLIMUS_DOSES_PER_DAY)
RANGE_RULE = DoseRule("sirolimus", "troughs 10–15 ng/mL", PUBLICATION)
PROPORTION_RULE = DoseRule("sirolimus", "new dose = current × 12.5 / trough; recheck 7–14 days after a change", LABEL)
STEP_RULE = DoseRule("sirolimus", "at most ×2 or ×½ per adjustment", PROJECT_CHOICE)
MAX_RULE = DoseRule("sirolimus", f"at most {C.SIROLIMUS_MAX_MG_DAY} mg a day "
                    f"({fmt(MAX_MG_PER_DOSE)} mg per dose twice daily)", LABEL)
HOLD_RULE = DoseRule("sirolimus", f"trough > {C.SIROLIMUS_HOLD_ABOVE_NG_ML} ng/mL: hold, repeat after "
                     f"{C.SIROLIMUS_REPEAT_TROUGH_DAYS} days, restart at half the dose when ≤ "
                     f"{C.SIROLIMUS_TROUGH_TARGET_NG_ML[1]} ng/mL", PROJECT_CHOICE)
UNDETECTABLE_RULE = DoseRule("sirolimus", "undetectable trough: keep the dose, check adherence and sampling "
                             f"time, repeat after {C.SIROLIMUS_REPEAT_TROUGH_DAYS} days", PROJECT_CHOICE)


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
    """What to do after one trough: keep, increase, decrease, hold or repeat, and when to
    measure again.

    ``dose`` is the dose per administration (twice daily) to give from now on — for ``hold``
    the dose to restart at once the repeated trough is ≤ 15 ng/mL (nothing is given until then).
    ``bounded`` says whether the ×2/×½ limit or the label's maximum cut the proportional dose.
    ``rules`` are the rules applied, each with its source.
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
    rules: tuple[DoseRule, ...] = ()

    @property
    def adjusted_dose_mg(self) -> Decimal:
        return self.dose.mg

    @property
    def hold(self) -> bool:
        return self.action == HOLD

    @property
    def source(self) -> str:
        """The source of the rule that decided the action (the last rule applied)."""
        return self.rules[-1].source if self.rules else PUBLICATION

    def to_dict(self) -> dict:
        return {"trough_ng_ml": float(self.trough_ng_ml), "trough_status": self.status, "action": self.action,
                "current_dose_mg": float(self.current_dose_mg),
                "proportional_dose_mg": round(float(self.proportional_mg), 4), "bounded": self.bounded,
                "adjusted_dose_mg": float(self.dose.mg), "adjusted_dose_ml": float(self.dose.ml),
                "hold": self.hold, "restart_dose_mg": float(self.dose.mg) if self.hold else None,
                "restart_when_trough_at_most_ng_ml": C.SIROLIMUS_TROUGH_TARGET_NG_ML[1] if self.hold else None,
                "solution_mg_per_ml": float(self.dose.solution_mg_per_ml),
                "next_trough_date": self.next_trough_date.isoformat(),
                "next_trough_latest": self.next_trough_latest.isoformat(), "reason": self.reason,
                "source": self.source, "rules": [r.to_dict() for r in self.rules]}


def _bounded_measurable(current: Fraction, proposed: Fraction, strength: Fraction) -> SirolimusDose:
    """``proposed`` on the syringe, kept within [current/2, current×2] and the label's maximum."""
    low = current / C.SIROLIMUS_MAX_STEP_FACTOR
    high = min(current * C.SIROLIMUS_MAX_STEP_FACTOR, MAX_MG_PER_DOSE)
    volume = measurable_volume_ml(min(proposed, high) / strength)
    floor_high = measurable_volume_ml(high / strength, "down")
    ceil_low = measurable_volume_ml(low / strength, "up")
    if ceil_low > floor_high:
        raise ProtocolError(f"current sirolimus dose {float(current):g} mg is too small to adjust with an oral "
                            f"syringe at {fmt(strength)} mg/mL; ask the pharmacy for a diluted solution and give "
                            "its strength in mg/mL")
    volume = min(max(volume, ceil_low), floor_high)
    return sirolimus_dose_from_mg(volume * strength, solution_mg_per_ml=strength)


def _as_measured(current: Fraction, strength: Fraction) -> SirolimusDose:
    """The current dose unchanged, with its volume at ``strength``."""
    decimals = C.DOSE_MG_DECIMALS if strength >= 1 else C.DOSE_MG_DECIMALS + 1
    return SirolimusDose(current, round_half_up(current, decimals), round_half_up(current / strength, C.DOSE_MG_DECIMALS),
                         round_half_up(syringe_step_ml(current / strength), C.DOSE_MG_DECIMALS), strength)


def _keep(current, trough, on, sirolimus_start, strength) -> TitrationAdvice:
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    if sirolimus_start is not None:
        following = next_scheduled_trough(sirolimus_start, on)
        why = "next check per the protocol trough schedule"
    else:
        following = on + timedelta(C.TROUGH_SCHEDULE[0][0])
        why = (f"next check in {C.TROUGH_SCHEDULE[0][0]} days "
               "(give the sirolimus start date to follow the protocol schedule)")
    return TitrationAdvice(trough, "in_range", KEEP, current, current, False, _as_measured(current, strength),
                           following, following,
                           f"trough {float(trough):g} ng/mL is within {low}–{high} ng/mL: keep the dose "
                           f"(publication); {why}", (RANGE_RULE,))


def _repeat_undetectable(current, trough, on, strength) -> TitrationAdvice:
    repeat = on + timedelta(C.SIROLIMUS_REPEAT_TROUGH_DAYS)
    return TitrationAdvice(trough, "low", REPEAT, current, current, False, _as_measured(current, strength),
                           repeat, repeat,
                           "trough undetectable (0 ng/mL): do not change the dose yet — check that every dose is "
                           "given (adherence) and that the sample was a true trough (taken just before the "
                           f"morning dose); repeat the trough by {repeat} (project choice)",
                           (RANGE_RULE, UNDETECTABLE_RULE))


def titrate_sirolimus(current_dose_mg: Number, trough_ng_ml: Number, on: date,
                      sirolimus_start: date | None = None,
                      solution_mg_per_ml: Number | None = None) -> TitrationAdvice:
    """Dose advice after a trough of ``trough_ng_ml`` on a dose of ``current_dose_mg`` (per
    administration), decided on ``on``. Pub.: "titrated to achieve trough levels of 10 to 15
    ng/mL"; Rapamune label §2.1: "new Rapamune dose = current dose × (target concentration/
    current concentration)" and "continue on the new maintenance dose for at least 7 to 14
    days"; the ×2/×½ bound, the hold above 30 ng/mL and the advice on an undetectable trough
    are project choices, the 40 mg/day maximum the label's (module doc)."""
    on = check_date(on, "date of the decision")
    strength = solution_strength(solution_mg_per_ml)
    current = positive(current_dose_mg, "current sirolimus dose", "mg")
    if current > MAX_MG_PER_DOSE:
        raise ProtocolError(f"current sirolimus dose: got {fmt(current)} mg per dose; the label's maximum is "
                            f"{C.SIROLIMUS_MAX_MG_DAY} mg a day ({fmt(MAX_MG_PER_DOSE)} mg twice daily); check the dose")
    trough = exact(trough_ng_ml, "sirolimus trough", maximum=C.SIROLIMUS_TROUGH_MAX_NG_ML, unit="ng/mL")
    if trough == 0:
        return _repeat_undetectable(current, trough, on, strength)
    status = trough_status(trough)
    if status == "in_range":
        return _keep(current, trough, on, sirolimus_start, strength)
    proportional = proportional_dose_mg(current, trough)
    unbounded = current * C.SIROLIMUS_TROUGH_AIM_NG_ML / trough
    low, high = C.SIROLIMUS_TROUGH_TARGET_NG_ML
    recheck_early, recheck_late = C.SIROLIMUS_RECHECK_AFTER_CHANGE_DAYS
    dose = _bounded_measurable(current, proportional, strength)
    rules = (RANGE_RULE, PROPORTION_RULE) + ((STEP_RULE,) if proportional != unbounded else ())
    capped = proportional > MAX_MG_PER_DOSE
    if capped:
        rules += (MAX_RULE,)
    if trough > C.SIROLIMUS_HOLD_ABOVE_NG_ML:
        repeat = on + timedelta(C.SIROLIMUS_REPEAT_TROUGH_DAYS)
        return TitrationAdvice(trough, status, HOLD, current, proportional, True, dose, repeat, repeat,
                               f"trough {float(trough):g} ng/mL is above {C.SIROLIMUS_HOLD_ABOVE_NG_ML} ng/mL: hold "
                               f"sirolimus (give no dose), repeat the trough on {repeat}; when it is ≤ {high} ng/mL "
                               f"restart at {dose.mg} mg ({dose.ml} mL) twice daily and recheck "
                               f"{recheck_early}–{recheck_late} days later (project choice)", rules + (HOLD_RULE,))
    action = INCREASE if dose.exact_mg > current else DECREASE if dose.exact_mg < current else KEEP
    verb = {INCREASE: "increase", DECREASE: "decrease", KEEP: "keep"}[action]
    limits = []
    if proportional != unbounded:
        limits.append("limited to a twofold step, project choice")
    if capped:
        limits.append(f"limited to the label's {C.SIROLIMUS_MAX_MG_DAY} mg a day")
    reason = (f"trough {float(trough):g} ng/mL is {'below' if status == 'low' else 'above'} {low}–{high} ng/mL: "
              f"{verb} to {dose.mg} mg ({dose.ml} mL) twice daily "
              f"(current × {fmt(C.SIROLIMUS_TROUGH_AIM_NG_ML)}/{float(trough):g}, label"
              f"{'; ' + '; '.join(limits) if limits else ''}); "
              f"recheck the trough {recheck_early}–{recheck_late} days after the change")
    return TitrationAdvice(trough, status, action, current, proportional, proportional != unbounded or capped, dose,
                           on + timedelta(recheck_early), on + timedelta(recheck_late), reason, rules)
