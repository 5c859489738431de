"""Supportive care: when the protocol gives plasma, cryoprecipitate or red cells.

Pub., "Study intervention": "Fresh frozen plasma and/or cryoprecipitate were given to patients
to treat consumption coagulopathy and hypofibrinogenemia in the following circumstances: (1)
active bleeding; (2) platelet count <10 × 10⁹/L; and/or (3) fibrinogen <0.5 g/L. Packed red
blood cell transfusion was recommended for patients who had symptomatic anemia and/or
hemoglobin concentrations <60 g/L."

Thresholds are strict ("<"), compared exactly on the values as written. A lab that was not
measured (``None``) triggers nothing by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from khetrial import constants as C
from khetrial.protocol._checks import Number, check_flag, optional_exact

PLASMA = "ffp_or_cryoprecipitate"
RED_CELLS = "red_cells"


@dataclass(frozen=True)
class TransfusionAdvice:
    """One product the protocol indicates, with every reason that applies."""

    product: str
    label: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"product": self.product, "label": self.label, "reasons": list(self.reasons)}


def plasma_reasons(active_bleeding: bool, platelets: Number | None, fibrinogen: Number | None) -> tuple[str, ...]:
    """Which of the publication's circumstances hold for "Fresh frozen plasma and/or
    cryoprecipitate": "(1) active bleeding; (2) platelet count <10 × 10⁹/L; and/or (3)
    fibrinogen <0.5 g/L" (strictly below, exact on the values as written)."""
    reasons = []
    if check_flag(active_bleeding, "active bleeding"):
        reasons.append("(1) active bleeding")
    plt = optional_exact(platelets, "platelets", "×10⁹/L")
    if plt is not None and plt < C.PLASMA_PLATELET_THRESHOLD:
        reasons.append(f"(2) platelet count {float(plt):g} <{C.PLASMA_PLATELET_THRESHOLD} ×10⁹/L")
    fib = optional_exact(fibrinogen, "fibrinogen", "g/L")
    if fib is not None and fib < C.PLASMA_FIBRINOGEN_THRESHOLD:
        reasons.append(f"(3) fibrinogen {float(fib):g} <{float(C.PLASMA_FIBRINOGEN_THRESHOLD):g} g/L")
    return tuple(reasons)


def red_cell_reasons(symptomatic_anemia: bool, hemoglobin: Number | None) -> tuple[str, ...]:
    """"symptomatic anemia and/or hemoglobin concentrations <60 g/L"."""
    reasons = []
    if check_flag(symptomatic_anemia, "symptomatic anemia"):
        reasons.append("symptomatic anemia")
    hb = optional_exact(hemoglobin, "hemoglobin", "g/L")
    if hb is not None and hb < C.RED_CELLS_HEMOGLOBIN_THRESHOLD:
        reasons.append(f"hemoglobin {float(hb):g} <{C.RED_CELLS_HEMOGLOBIN_THRESHOLD} g/L")
    return tuple(reasons)


def transfusion_advice(*, active_bleeding: bool = False, platelets: Number | None = None,
                       fibrinogen: Number | None = None, hemoglobin: Number | None = None,
                       symptomatic_anemia: bool = False) -> tuple[TransfusionAdvice, ...]:
    """The products the protocol indicates now (empty when none), each with its reasons:
    plasma/cryoprecipitate in the circumstances "(1) active bleeding; (2) platelet count
    <10 × 10⁹/L; and/or (3) fibrinogen <0.5 g/L"; "Packed red blood cell transfusion was
    recommended for patients who had symptomatic anemia and/or hemoglobin concentrations
    <60 g/L"."""
    advice = []
    plasma = plasma_reasons(active_bleeding, platelets, fibrinogen)
    if plasma:
        advice.append(TransfusionAdvice(PLASMA, "fresh frozen plasma and/or cryoprecipitate", plasma))
    red = red_cell_reasons(symptomatic_anemia, hemoglobin)
    if red:
        advice.append(TransfusionAdvice(RED_CELLS, "packed red blood cells", red))
    return tuple(advice)
