"""The publication's clinical definitions as predicates.

Each function quotes its sentence from the publication (Ji et al., Blood 2022, "Definitions"
and "Study patients"). Laboratory values are in the protocol's units (platelets ×10⁹/L,
fibrinogen g/L, D-dimer µg/mL, hemoglobin g/L; convert others with
:func:`khetrial.protocol.units.to_protocol_unit`) and are compared exactly on the decimal value
as written (``99.9`` is below 100, ``1.6`` is not below 1.6).
"""

from __future__ import annotations

from datetime import date

from khetrial.errors import ProtocolError
from khetrial import constants as C
from khetrial.protocol._checks import Number, add_months, check_date, exact


def is_hypofibrinogenemia(fibrinogen_g_l: Number) -> bool:
    """"Hypofibrinogenemia was defined as a fibrinogen level <1.6 g/L." (strictly below)"""
    return exact(fibrinogen_g_l, "fibrinogen", unit="g/L") < C.HYPOFIBRINOGENEMIA_THRESHOLD


def is_elevated_d_dimer(d_dimer_ug_ml: Number) -> bool:
    """"an elevated D-dimer level (>0.5 μg/mL)" (strictly above)."""
    return exact(d_dimer_ug_ml, "D-dimer", unit="µg/mL") > C.D_DIMER_ELEVATED_THRESHOLD


def is_consumptive_coagulopathy(fibrinogen_g_l: Number, d_dimer_ug_ml: Number) -> bool:
    """"Consumptive coagulopathy was defined as a low fibrinogen level (<1.6 g/L) and an
    elevated D-dimer level (>0.5 μg/mL).\""""
    low = is_hypofibrinogenemia(fibrinogen_g_l)
    return is_elevated_d_dimer(d_dimer_ug_ml) and low


def is_kmp_thrombocytopenia(platelets_10e9_l: Number) -> bool:
    """The platelet part of KMP: "a platelet count <100 × 10⁹/L" (strictly below)."""
    return exact(platelets_10e9_l, "platelets", unit="×10⁹/L") < C.KMP_PLATELET_THRESHOLD


def is_kmp(platelets_10e9_l: Number, fibrinogen_g_l: Number, d_dimer_ug_ml: Number) -> bool:
    """"KMP was defined as a platelet count <100 × 10⁹/L, with consumptive coagulopathy and
    hypofibrinogenemia." All three labs are needed; each is checked even when another fails."""
    thrombocytopenia = is_kmp_thrombocytopenia(platelets_10e9_l)
    coagulopathy = is_consumptive_coagulopathy(fibrinogen_g_l, d_dimer_ug_ml)
    return thrombocytopenia and coagulopathy and is_hypofibrinogenemia(fibrinogen_g_l)


def is_severe_anemia(hemoglobin_g_l: Number) -> bool:
    """"Severe anemia was defined as a hemoglobin concentration <60 g/L." (strictly below)"""
    return exact(hemoglobin_g_l, "hemoglobin", unit="g/L") < C.SEVERE_ANEMIA_HEMOGLOBIN


def is_decreased_rom(extension_loss_degrees: Number, flexion_degrees: Number) -> bool:
    """"Decreased range of motion (ROM) was defined as ≥10° of extension loss, flexion <120°,
    or both." Angles in degrees, 0–180."""
    loss = exact(extension_loss_degrees, "extension loss", maximum=C.JOINT_ANGLE_MAX_DEGREES, unit="°")
    flexion = exact(flexion_degrees, "flexion", maximum=C.JOINT_ANGLE_MAX_DEGREES, unit="°")
    return loss >= C.ROM_EXTENSION_LOSS_DEGREES or flexion < C.ROM_FLEXION_MIN_DEGREES


def is_chronic_pain(daily_pain_since: date, on: date) -> bool:
    """"Chronic pain was defined as daily pain for at least 3 months": daily pain since
    ``daily_pain_since`` makes chronic pain on ``on`` when ``on`` is at least 3 calendar months
    later (pain since 2026-01-15 is chronic from 2026-04-15 on)."""
    since = check_date(daily_pain_since, "daily pain since")
    on = check_date(on, "assessment date")
    if since > on:
        raise ProtocolError(f"daily pain since: got {since}, after the assessment date {on}; "
                            "give the date the daily pain began")
    return on >= add_months(since, C.CHRONIC_PAIN_MIN_MONTHS)
