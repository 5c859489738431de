"""Starting doses: body-surface area, sirolimus, prednisolone and PJP prophylaxis.

Pub., "Study intervention": "The starting dose of sirolimus was 0.8 mg/m2, which was
administered orally twice daily"; "Concurrent prednisolone was administered at 2 mg/kg orally
once daily"; "Prophylactic treatment of Pneumocystis jirovecii pneumonia (PJP)
(trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per week) was required for all
patients at least during the first 6 months."

Sirolimus is given as the 1 mg/mL oral solution (Rapamune label), measured with an oral
syringe. The syringe assumption (``constants.SYRINGE_*``): volumes below 1 mL are measured with
a 1 mL syringe graduated in 0.01 mL, larger volumes with a syringe graduated in 0.1 mL; a dose
is rounded half up to the nearest graduation (0.2315 mL → 0.23 mL). Another strength (a
pharmacy dilution) is given as ``solution_mg_per_ml``; volumes are computed from it.

Safety limits (issue 10), each with its source (``"publication"``, ``"label"`` or
``"project choice"``, in every ``to_dict()`` and :data:`DoseRule`):

- prednisolone 2 mg/kg/day (publication) capped at 60 mg/day (project choice, the usual
  paediatric maximum; ``constants.PREDNISOLONE_MAX_MG_DAY``);
- TMP-SMX "10 mg/kg" read as mg of the combined product per dose (project choice), split into
  trimethoprim and sulfamethoxazole 1:5, each capped per dose at the Bactrim label's paediatric
  daily maximum (320 mg TMP, 1600 mg SMX) over two doses, with the label's contraindication
  below 2 months of age shown as a caution (the trial enrolled from 0.3 months);
- body size: the latest weight and height, each with its measurement date
  (:func:`latest_body_size`), shown with the doses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from khetrial import constants as C
from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, add_months, check_choice, check_date, exact, fmt, round_half_up

BSA_FORMULAS = ("mosteller", "haycock", "du_bois")


def _height(height_cm: Number) -> Fraction:
    low_h, high_h = C.DOSING_HEIGHT_RANGE_CM
    return exact(height_cm, "height", minimum=low_h, maximum=high_h, unit="cm")


def _body_size(weight_kg: Number, height_cm: Number | None = None) -> tuple[Fraction, Fraction | None]:
    low_w, high_w = C.DOSING_WEIGHT_RANGE_KG
    weight = exact(weight_kg, "weight", minimum=low_w, maximum=high_w, unit="kg")
    return weight, None if height_cm is None else _height(height_cm)


def body_surface_area(weight_kg: Number, height_cm: Number, formula: str = "mosteller") -> float:
    """Body-surface area in m², unrounded.

    - ``mosteller`` (default): sqrt(height cm × weight kg / 3600) — Mosteller RD, N Engl J Med
      1987;317:1098. It is the formula of the pediatric sirolimus trials this protocol builds on
      (Adams DM et al., Pediatrics 2016;137:e20153257, dosing 0.8 mg/m² twice daily) and the
      usual one in pediatric oncology dosing; it needs no tables and is accurate in infants.
    - ``haycock``: 0.024265 × W^0.5378 × H^0.3964 — Haycock GB et al., J Pediatr 1978;93:62.
    - ``du_bois``: 0.007184 × W^0.425 × H^0.725 — Du Bois & Du Bois, Arch Intern Med 1916;17:863.

    Weight and height must lie in the bundle format's plausible ranges (0.5–80 kg, 30–180 cm).
    """
    check_choice(formula, "BSA formula", BSA_FORMULAS)
    weight, height = _body_size(weight_kg, height_cm)
    if formula == "mosteller":
        return math.sqrt(float(height * weight / C.MOSTELLER_DIVISOR))
    a, b, c = C.HAYCOCK_COEFFICIENTS if formula == "haycock" else C.DU_BOIS_COEFFICIENTS
    return a * float(weight) ** b * float(height) ** c


def syringe_step_ml(volume_ml: Fraction) -> Fraction:
    """The graduation used to measure ``volume_ml`` (0.01 mL below 1 mL, else 0.1 mL): the
    project assumption on oral syringes in ``constants.SYRINGE_*`` (the publication is silent)."""
    return C.SYRINGE_SMALL_STEP_ML if volume_ml < C.SYRINGE_SMALL_MAX_ML else C.SYRINGE_LARGE_STEP_ML


def measurable_volume_ml(volume_ml: Fraction, mode: str = "nearest") -> Fraction:
    """``volume_ml`` on the syringe's graduations (project assumption, :func:`syringe_step_ml`):
    ``nearest`` (half up), ``down`` or ``up``.

    Monotone non-decreasing in ``volume_ml`` in every mode (0.995 → 1.00, 1.04 → 1.0).
    """
    step = syringe_step_ml(volume_ml)
    ratio = volume_ml / step
    units = {"nearest": math.floor(ratio + Fraction(1, 2)), "down": math.floor(ratio),
             "up": math.ceil(ratio)}[mode]
    return units * step


PUBLICATION, LABEL, PROJECT_CHOICE = "publication", "label", "project choice"


@dataclass(frozen=True)
class DoseRule:
    """One rule behind a dose, and where it comes from (publication, label or project choice)."""

    drug: str
    rule: str
    source: str

    def to_dict(self) -> dict:
        return {"drug": self.drug, "rule": self.rule, "source": self.source}


@dataclass(frozen=True)
class BodySize:
    """The weight and height doses are computed from, each with the date it was measured."""

    weight_kg: Fraction
    weight_on: date | None
    height_cm: Fraction | None
    height_on: date | None

    def to_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"weight_kg": float(self.weight_kg), "weight_measured_on": iso(self.weight_on),
                "height_cm": None if self.height_cm is None else float(self.height_cm),
                "height_measured_on": iso(self.height_on)}


def latest_body_size(measurements: Iterable[tuple[date, Number | None, Number | None]], on: date) -> BodySize:
    """The latest weight and the latest height measured on or before ``on``, from (date,
    weight kg or ``None``, height cm or ``None``) rows (project choice: doses follow the current
    body size, not the baseline one — an infant's BSA grows ~50 % in a year). Several on one
    date: the last given wins (bundle format: "analysis uses the last row of that date")."""
    on = check_date(on, "dose date")
    weight: tuple[date, Fraction] | None = None
    height: tuple[date, Fraction] | None = None
    for when, weight_kg, height_cm in measurements:
        when = check_date(when, "measurement date")
        if when > on:
            continue
        if weight_kg is not None and (weight is None or when >= weight[0]):
            weight = (when, _body_size(weight_kg)[0])
        if height_cm is not None and (height is None or when >= height[0]):
            height = (when, _height(height_cm))
    if weight is None:
        raise ProtocolError(f"body size: got no weight measured on or before {on}; record a weight first")
    return BodySize(weight[1], weight[0], height[1] if height else None, height[0] if height else None)


@dataclass(frozen=True)
class SirolimusDose:
    """A sirolimus dose per administration (twice daily) as measured from the oral solution
    (``solution_mg_per_ml``, 1 mg/mL unless a pharmacy dilution is used)."""

    exact_mg: Fraction
    mg: Decimal
    ml: Decimal
    syringe_step_ml: Decimal
    solution_mg_per_ml: Fraction = Fraction(C.SIROLIMUS_SOLUTION_MG_PER_ML)

    def to_dict(self) -> dict:
        return {"exact_mg": round(float(self.exact_mg), 4), "mg": float(self.mg), "ml": float(self.ml),
                "syringe_step_ml": float(self.syringe_step_ml),
                "solution_mg_per_ml": float(self.solution_mg_per_ml)}


def solution_strength(solution_mg_per_ml: Number | None) -> Fraction:
    """The oral solution's strength in mg/mL: the Rapamune label's 1 mg/mL unless a pharmacy
    dilution is given (more than 0, at most 1 mg/mL)."""
    if solution_mg_per_ml is None:
        return Fraction(C.SIROLIMUS_SOLUTION_MG_PER_ML)
    strength = exact(solution_mg_per_ml, "sirolimus solution", maximum=C.SIROLIMUS_SOLUTION_MG_PER_ML, unit="mg/mL")
    if strength <= 0:
        raise ProtocolError(f"sirolimus solution: got {fmt(strength)} mg/mL; expected more than 0 mg/mL "
                            f"(at most the label's {C.SIROLIMUS_SOLUTION_MG_PER_ML} mg/mL)")
    return strength


def _mg_decimals(strength: Fraction) -> int:
    """0.01 mg for 1 mg/mL (0.01 mL); one more decimal for a diluted solution."""
    return C.DOSE_MG_DECIMALS if strength >= 1 else C.DOSE_MG_DECIMALS + 1


def sirolimus_dose_from_mg(exact_mg: Fraction, mode: str = "nearest",
                           solution_mg_per_ml: Number | None = None) -> SirolimusDose:
    """``exact_mg`` as a measurable volume of the oral solution (Rapamune label: oral solution
    1 mg/mL; or a pharmacy dilution of ``solution_mg_per_ml``), on the oral syringe's
    graduations (project assumption, module doc)."""
    strength = solution_strength(solution_mg_per_ml)
    if exact_mg <= 0:
        raise ProtocolError(f"sirolimus dose: got {float(exact_mg):g} mg; expected more than 0 mg")
    volume = measurable_volume_ml(exact_mg / strength, mode)
    if volume <= 0:
        raise ProtocolError(f"sirolimus dose {float(exact_mg):.4f} mg is below the smallest graduation "
                            f"({float(C.SYRINGE_SMALL_STEP_ML)} mL) of the oral syringe at {fmt(strength)} mg/mL; "
                            "ask the pharmacy for a diluted solution and give its strength in mg/mL")
    return SirolimusDose(exact_mg=exact_mg, mg=round_half_up(volume * strength, _mg_decimals(strength)),
                         ml=round_half_up(volume, C.DOSE_MG_DECIMALS),
                         syringe_step_ml=round_half_up(syringe_step_ml(volume), C.DOSE_MG_DECIMALS),
                         solution_mg_per_ml=strength)


def sirolimus_starting_dose(bsa_m2: float | Fraction, solution_mg_per_ml: Number | None = None) -> SirolimusDose:
    """"The starting dose of sirolimus was 0.8 mg/m2, which was administered orally twice
    daily": 0.8 × BSA mg per dose, measured from the oral solution."""
    bsa = exact(bsa_m2, "body-surface area", unit="m²")
    if bsa <= 0:
        raise ProtocolError(f"body-surface area: got {bsa_m2} m²; expected more than 0 m²")
    return sirolimus_dose_from_mg(C.SIROLIMUS_START_DOSE_MG_M2 * bsa, solution_mg_per_ml=solution_mg_per_ml)


@dataclass(frozen=True)
class PrednisoloneDose:
    """Prednisolone per day (arm SP): 2 mg/kg, capped at 60 mg/day."""

    mg_daily: Decimal
    uncapped_mg_daily: Decimal
    capped: bool

    def to_dict(self) -> dict:
        return {"mg_daily": float(self.mg_daily), "uncapped_mg_daily": float(self.uncapped_mg_daily),
                "capped": self.capped, "cap_mg_daily": C.PREDNISOLONE_MAX_MG_DAY, "cap_source": PROJECT_CHOICE,
                "frequency": "once daily", "source": PUBLICATION}


def prednisolone_dose(weight_kg: Number) -> PrednisoloneDose:
    """"Concurrent prednisolone was administered at 2 mg/kg orally once daily" (arm SP), capped
    at 60 mg/day (project choice, the usual paediatric maximum; ``constants``); mg to 0.1 mg."""
    weight, _ = _body_size(weight_kg)
    full = C.PREDNISOLONE_DOSE_MG_KG * weight
    capped = full > C.PREDNISOLONE_MAX_MG_DAY
    daily = min(full, Fraction(C.PREDNISOLONE_MAX_MG_DAY))
    return PrednisoloneDose(round_half_up(daily, C.PREDNISOLONE_MG_DECIMALS),
                            round_half_up(full, C.PREDNISOLONE_MG_DECIMALS), capped)


def prednisolone_daily_dose_mg(weight_kg: Number) -> Decimal:
    """"Concurrent prednisolone was administered at 2 mg/kg orally once daily" (arm SP only);
    mg per day to 0.1 mg, capped at 60 mg/day (project choice, :func:`prednisolone_dose`)."""
    return prednisolone_dose(weight_kg).mg_daily


TMP_SMX_READING = ("the publication's \"10 mg/kg twice daily\" is read as mg of the combined product "
                   "(trimethoprim + sulfamethoxazole, 1:5) per dose — project choice; the usual PJP "
                   "prophylaxis is trimethoprim 150 mg/m²/day (Bactrim label): check with the site pharmacist")


@dataclass(frozen=True)
class TmpSmxDose:
    """PJP prophylaxis per dose (twice daily, 3 days a week), both components named."""

    combined_mg: Decimal
    trimethoprim_mg: Decimal
    sulfamethoxazole_mg: Decimal
    capped: bool
    caution: str | None = None

    def to_dict(self) -> dict:
        return {"combined_mg": float(self.combined_mg), "trimethoprim_mg": float(self.trimethoprim_mg),
                "sulfamethoxazole_mg": float(self.sulfamethoxazole_mg), "capped": self.capped,
                "trimethoprim_max_mg_per_dose": C.TMP_MAX_MG_PER_DOSE,
                "sulfamethoxazole_max_mg_per_dose": C.SMX_MAX_MG_PER_DOSE, "cap_source": LABEL,
                "reading": TMP_SMX_READING, "reading_source": PROJECT_CHOICE, "caution": self.caution,
                "caution_source": LABEL if self.caution else None,
                "frequency": "twice daily, 3 days a week", "source": PUBLICATION}


def tmp_smx_components(combined_mg: Number) -> tuple[Fraction, Fraction, bool]:
    """(trimethoprim mg, sulfamethoxazole mg, capped) of ``combined_mg`` of TMP-SMX (fixed 1:5
    ratio, Bactrim label), each capped per dose at the label's "should not exceed 1600 mg
    sulfamethoxazole and 320 mg trimethoprim" a day, given twice daily (160 mg / 800 mg)."""
    combined = exact(combined_mg, "TMP-SMX dose", unit="mg")
    tmp_part, smx_part = C.TMP_SMX_RATIO
    trimethoprim = combined * tmp_part / (tmp_part + smx_part)
    capped = trimethoprim > C.TMP_MAX_MG_PER_DOSE
    trimethoprim = min(trimethoprim, Fraction(C.TMP_MAX_MG_PER_DOSE))
    return trimethoprim, min(trimethoprim * smx_part / tmp_part, Fraction(C.SMX_MAX_MG_PER_DOSE)), capped


def tmp_smx_caution(age_months: Number | None) -> str | None:
    """The Bactrim label's contraindication "in pediatric patients less than 2 months of age"
    as a caution for a child younger than 2 months (``None`` when older or age unknown)."""
    if age_months is None:
        return None
    # the oldest child in the trial: enrolled before 15 years of age, followed for 2 years
    oldest = (C.ELIGIBLE_AGE_MAX_YEARS + 1 + C.FOLLOW_UP_YEARS) * 12
    age = exact(age_months, "age", maximum=oldest, unit="months")
    if age >= C.TMP_SMX_MIN_AGE_MONTHS:
        return None
    return (f"age {fmt(age)} months: sulfonamides are contraindicated below {C.TMP_SMX_MIN_AGE_MONTHS} months "
            "(Bactrim label; kernicterus risk) — discuss PJP prophylaxis with the site pharmacist/infectious "
            "disease team before giving it")


def tmp_smx_dose(weight_kg: Number, age_months: Number | None = None) -> TmpSmxDose:
    """PJP prophylaxis: "trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per
    week" (Pub.), read as mg of the combined product per dose (project choice, module doc),
    split into trimethoprim and sulfamethoxazole and capped per the label; a caution below
    2 months of age (label). Each mg to 0.1 mg."""
    weight, _ = _body_size(weight_kg)
    trimethoprim, sulfamethoxazole, capped = tmp_smx_components(C.TMP_SMX_DOSE_MG_KG * weight)
    decimals = C.TMP_SMX_MG_DECIMALS
    return TmpSmxDose(round_half_up(trimethoprim + sulfamethoxazole, decimals), round_half_up(trimethoprim, decimals),
                      round_half_up(sulfamethoxazole, decimals), capped, tmp_smx_caution(age_months))


def tmp_smx_dose_mg(weight_kg: Number) -> Decimal:
    """PJP prophylaxis: "trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per
    week", "at least during the first 6 months"; mg of the combined product per dose to 0.1 mg
    (project choice reading, label caps: :func:`tmp_smx_dose`)."""
    return tmp_smx_dose(weight_kg).combined_mg


def prophylaxis_required_until(randomized: date) -> date:
    """PJP prophylaxis "was required for all patients at least during the first 6 months": the
    first day on which it is no longer required (randomization + 6 calendar months)."""
    return add_months(check_date(randomized, "randomization date"), C.TMP_SMX_MIN_MONTHS)


def dose_rules(prednisolone: PrednisoloneDose | None = None, tmp_smx: TmpSmxDose | None = None) -> tuple[DoseRule, ...]:
    """Every rule behind the starting doses with its source: the publication's "0.8 mg/m2 ...
    twice daily", "2 mg/kg orally once daily" and "10 mg/kg twice daily, 3 times per week"; the
    label's TMP-SMX caps and age limit; the project's choices (BSA formula, syringe rounding,
    prednisolone cap, reading of "10 mg/kg")."""
    rules = [
        DoseRule("sirolimus", f"{fmt(C.SIROLIMUS_START_DOSE_MG_M2)} mg/m² twice daily, troughs "
                 f"{C.SIROLIMUS_TROUGH_TARGET_NG_ML[0]}–{C.SIROLIMUS_TROUGH_TARGET_NG_ML[1]} ng/mL", PUBLICATION),
        DoseRule("sirolimus", "BSA by Mosteller unless another formula is chosen; volume rounded to the "
                 "syringe's graduation", PROJECT_CHOICE),
        DoseRule("sirolimus", f"at most {C.SIROLIMUS_MAX_MG_DAY} mg a day", LABEL),
        DoseRule("prednisolone", f"{C.PREDNISOLONE_DOSE_MG_KG} mg/kg once daily (arm SP)", PUBLICATION),
        DoseRule("prednisolone", f"capped at {C.PREDNISOLONE_MAX_MG_DAY} mg/day (usual paediatric maximum)"
                 + (" — applied" if prednisolone is not None and prednisolone.capped else ""), PROJECT_CHOICE),
        DoseRule("tmp_smx", f"{C.TMP_SMX_DOSE_MG_KG} mg/kg twice daily, 3 days a week, at least "
                 f"{C.TMP_SMX_MIN_MONTHS} months", PUBLICATION),
        DoseRule("tmp_smx", TMP_SMX_READING, PROJECT_CHOICE),
        DoseRule("tmp_smx", f"trimethoprim ≤ {C.TMP_MAX_MG_PER_DOSE} mg and sulfamethoxazole ≤ "
                 f"{C.SMX_MAX_MG_PER_DOSE} mg per dose" + (" — applied" if tmp_smx is not None and tmp_smx.capped
                                                          else ""), LABEL),
        DoseRule("tmp_smx", f"contraindicated below {C.TMP_SMX_MIN_AGE_MONTHS} months of age", LABEL),
    ]
    return tuple(rules)


@dataclass(frozen=True)
class StartingDoses:
    """Everything the first prescription needs, for one child's weight and height (measured
    on ``measured_on`` when known)."""

    weight_kg: Fraction
    height_cm: Fraction
    bsa_formula: str
    bsa_m2: Decimal
    sirolimus: SirolimusDose
    prednisolone_mg_daily: Decimal
    tmp_smx_mg: Decimal
    prednisolone: PrednisoloneDose | None = None
    tmp_smx: TmpSmxDose | None = None
    measured_on: date | None = None

    def to_dict(self) -> dict:
        return {
            "weight_kg": float(self.weight_kg), "height_cm": float(self.height_cm),
            "body_size_measured_on": self.measured_on.isoformat() if self.measured_on else None,
            "bsa_formula": self.bsa_formula, "bsa_m2": float(self.bsa_m2),
            "sirolimus_dose_mg": float(self.sirolimus.mg), "sirolimus_dose_ml": float(self.sirolimus.ml),
            "sirolimus_dose_exact_mg": round(float(self.sirolimus.exact_mg), 4),
            "sirolimus_frequency": "twice daily",
            "sirolimus_solution_mg_per_ml": float(self.sirolimus.solution_mg_per_ml),
            "syringe_step_ml": float(self.sirolimus.syringe_step_ml),
            "sirolimus_trough_target_ng_ml": list(C.SIROLIMUS_TROUGH_TARGET_NG_ML),
            "sirolimus_source": PUBLICATION,
            "prednisolone_dose_mg": float(self.prednisolone_mg_daily), "prednisolone_frequency": "once daily",
            "prednisolone_arm": C.ARM_EXPERIMENTAL,
            "prednisolone": self.prednisolone.to_dict() if self.prednisolone else None,
            "tmp_smx_dose_mg": float(self.tmp_smx_mg), "tmp_smx_frequency": "twice daily, 3 days a week",
            "tmp_smx_min_months": C.TMP_SMX_MIN_MONTHS,
            "tmp_smx": self.tmp_smx.to_dict() if self.tmp_smx else None,
            "rules": [r.to_dict() for r in dose_rules(self.prednisolone, self.tmp_smx)],
        }


def starting_doses(weight_kg: Number, height_cm: Number, formula: str = "mosteller", *,
                   measured_on: date | None = None, age_months: Number | None = None,
                   solution_mg_per_ml: Number | None = None) -> StartingDoses:
    """BSA, sirolimus (per dose, twice daily), prednisolone (daily, arm SP) and TMP-SMX (per
    dose) for a child of ``weight_kg`` and ``height_cm`` measured on ``measured_on``: Pub., "The
    starting dose of sirolimus was 0.8 mg/m2, which was administered orally twice daily";
    "prednisolone was administered at 2 mg/kg orally once daily"; "(trimethoprim-
    sulfamethoxazole, 10 mg/kg twice daily, 3 times per week)", with the safety limits of the
    module doc. The sirolimus dose is computed from the unrounded BSA; ``bsa_m2`` is shown to
    4 decimals."""
    weight, height = _body_size(weight_kg, height_cm)
    when = None if measured_on is None else check_date(measured_on, "body size measured on")
    bsa = body_surface_area(weight, height, formula)
    prednisolone = prednisolone_dose(weight)
    tmp_smx = tmp_smx_dose(weight, age_months)
    return StartingDoses(weight_kg=weight, height_cm=height, bsa_formula=formula,
                         bsa_m2=round_half_up(Fraction(bsa), C.BSA_DECIMALS),
                         sirolimus=sirolimus_starting_dose(bsa, solution_mg_per_ml),
                         prednisolone_mg_daily=prednisolone.mg_daily, tmp_smx_mg=tmp_smx.combined_mg,
                         prednisolone=prednisolone, tmp_smx=tmp_smx, measured_on=when)
