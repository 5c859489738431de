"""Starting doses: body-surface area, sirolimus, prednisolone and PJP prophylaxis.

Pub., "Study intervention": "The starting dose of sirolimus was 0.8 mg/m2, which was
administered orally twice daily"; "Concurrent prednisolone was administered at 2 mg/kg orally
once daily"; "Prophylactic treatment of Pneumocystis jirovecii pneumonia (PJP)
(trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per week) was required for all
patients at least during the first 6 months."

Sirolimus is given as the 1 mg/mL oral solution (Rapamune label), measured with an oral
syringe. The syringe assumption (``constants.SYRINGE_*``): volumes below 1 mL are measured with
a 1 mL syringe graduated in 0.01 mL, larger volumes with a syringe graduated in 0.1 mL; a dose
is rounded half up to the nearest graduation (0.2315 mL → 0.23 mL).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import Number, add_months, check_choice, check_date, exact, round_half_up

BSA_FORMULAS = ("mosteller", "haycock", "du_bois")


def _body_size(weight_kg: Number, height_cm: Number | None = None) -> tuple[Fraction, Fraction | None]:
    low_w, high_w = C.DOSING_WEIGHT_RANGE_KG
    weight = exact(weight_kg, "weight", minimum=low_w, maximum=high_w, unit="kg")
    if height_cm is None:
        return weight, None
    low_h, high_h = C.DOSING_HEIGHT_RANGE_CM
    return weight, exact(height_cm, "height", minimum=low_h, maximum=high_h, unit="cm")


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


@dataclass(frozen=True)
class SirolimusDose:
    """A sirolimus dose per administration (twice daily) as measured from the 1 mg/mL solution."""

    exact_mg: Fraction
    mg: Decimal
    ml: Decimal
    syringe_step_ml: Decimal

    def to_dict(self) -> dict:
        return {"exact_mg": round(float(self.exact_mg), 4), "mg": float(self.mg), "ml": float(self.ml),
                "syringe_step_ml": float(self.syringe_step_ml)}


def sirolimus_dose_from_mg(exact_mg: Fraction, mode: str = "nearest") -> SirolimusDose:
    """``exact_mg`` as a measurable volume of the 1 mg/mL oral solution (Rapamune label: oral
    solution 1 mg/mL), on the oral syringe's graduations (project assumption, module doc)."""
    if exact_mg <= 0:
        raise ProtocolError(f"sirolimus dose: got {float(exact_mg):g} mg; expected more than 0 mg")
    volume = measurable_volume_ml(exact_mg / C.SIROLIMUS_SOLUTION_MG_PER_ML, mode)
    if volume <= 0:
        raise ProtocolError(f"sirolimus dose {float(exact_mg):.4f} mg is below the smallest graduation "
                            f"({float(C.SYRINGE_SMALL_STEP_ML)} mL) of the oral syringe; ask the pharmacy "
                            "for a diluted solution")
    decimals = C.DOSE_MG_DECIMALS
    return SirolimusDose(exact_mg=exact_mg, mg=round_half_up(volume * C.SIROLIMUS_SOLUTION_MG_PER_ML, decimals),
                         ml=round_half_up(volume, decimals), syringe_step_ml=round_half_up(syringe_step_ml(volume), decimals))


def sirolimus_starting_dose(bsa_m2: float | Fraction) -> SirolimusDose:
    """"The starting dose of sirolimus was 0.8 mg/m2, which was administered orally twice
    daily": 0.8 × BSA mg per dose, measured from the 1 mg/mL solution."""
    bsa = exact(bsa_m2, "body-surface area", unit="m²")
    if bsa <= 0:
        raise ProtocolError(f"body-surface area: got {bsa_m2} m²; expected more than 0 m²")
    return sirolimus_dose_from_mg(C.SIROLIMUS_START_DOSE_MG_M2 * bsa)


def prednisolone_daily_dose_mg(weight_kg: Number) -> Decimal:
    """"Concurrent prednisolone was administered at 2 mg/kg orally once daily" (arm SP only);
    mg per day to 0.1 mg."""
    weight, _ = _body_size(weight_kg)
    return round_half_up(C.PREDNISOLONE_DOSE_MG_KG * weight, C.PREDNISOLONE_MG_DECIMALS)


def tmp_smx_dose_mg(weight_kg: Number) -> Decimal:
    """PJP prophylaxis: "trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per
    week", "at least during the first 6 months"; mg per dose to 0.1 mg.

    The publication does not say whether 10 mg/kg counts the trimethoprim component or the
    combination; the number is returned as written and the prescriber applies the site's
    convention (PJP prophylaxis is usually expressed as trimethoprim).
    """
    weight, _ = _body_size(weight_kg)
    return round_half_up(C.TMP_SMX_DOSE_MG_KG * weight, C.TMP_SMX_MG_DECIMALS)


def prophylaxis_required_until(randomized: date) -> date:
    """PJP prophylaxis "was required for all patients at least during the first 6 months": the
    first day on which it is no longer required (randomization + 6 calendar months)."""
    return add_months(check_date(randomized, "randomization date"), C.TMP_SMX_MIN_MONTHS)


@dataclass(frozen=True)
class StartingDoses:
    """Everything the first prescription needs, for one child's weight and height."""

    weight_kg: Fraction
    height_cm: Fraction
    bsa_formula: str
    bsa_m2: Decimal
    sirolimus: SirolimusDose
    prednisolone_mg_daily: Decimal
    tmp_smx_mg: Decimal

    def to_dict(self) -> dict:
        return {
            "weight_kg": float(self.weight_kg), "height_cm": float(self.height_cm),
            "bsa_formula": self.bsa_formula, "bsa_m2": float(self.bsa_m2),
            "sirolimus_dose_mg": float(self.sirolimus.mg), "sirolimus_dose_ml": float(self.sirolimus.ml),
            "sirolimus_dose_exact_mg": round(float(self.sirolimus.exact_mg), 4),
            "sirolimus_frequency": "twice daily",
            "sirolimus_solution_mg_per_ml": C.SIROLIMUS_SOLUTION_MG_PER_ML,
            "syringe_step_ml": float(self.sirolimus.syringe_step_ml),
            "sirolimus_trough_target_ng_ml": list(C.SIROLIMUS_TROUGH_TARGET_NG_ML),
            "prednisolone_dose_mg": float(self.prednisolone_mg_daily), "prednisolone_frequency": "once daily",
            "prednisolone_arm": C.ARM_EXPERIMENTAL,
            "tmp_smx_dose_mg": float(self.tmp_smx_mg), "tmp_smx_frequency": "twice daily, 3 days a week",
            "tmp_smx_min_months": C.TMP_SMX_MIN_MONTHS,
        }


def starting_doses(weight_kg: Number, height_cm: Number, formula: str = "mosteller") -> StartingDoses:
    """BSA, sirolimus (per dose, twice daily), prednisolone (daily, arm SP) and TMP-SMX (per
    dose) for a child of ``weight_kg`` and ``height_cm``: Pub., "The starting dose of sirolimus
    was 0.8 mg/m2, which was administered orally twice daily"; "prednisolone was administered
    at 2 mg/kg orally once daily"; "(trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3
    times per week)". The sirolimus dose is computed from the unrounded BSA; ``bsa_m2`` is
    shown to 4 decimals."""
    weight, height = _body_size(weight_kg, height_cm)
    bsa = body_surface_area(weight, height, formula)
    return StartingDoses(weight_kg=weight, height_cm=height, bsa_formula=formula,
                         bsa_m2=round_half_up(Fraction(bsa), C.BSA_DECIMALS),
                         sirolimus=sirolimus_starting_dose(bsa),
                         prednisolone_mg_daily=prednisolone_daily_dose_mg(weight),
                         tmp_smx_mg=tmp_smx_dose_mg(weight))
