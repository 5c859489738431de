"""Definitions of the publication ("Definitions", "Study patients"), boundary values on both sides."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.definitions import (
    is_chronic_pain,
    is_consumptive_coagulopathy,
    is_decreased_rom,
    is_elevated_d_dimer,
    is_hypofibrinogenemia,
    is_kmp,
    is_kmp_thrombocytopenia,
    is_severe_anemia,
)


# Pub.: "KMP was defined as a platelet count <100 × 10⁹/L" — 100 is not KMP, 99.9 is.
@pytest.mark.parametrize("platelets, expected", [(100, False), (99.9, True), ("99.99", True), (100.1, False), (0, True)])
def test_kmp_platelets_are_strictly_below_100(platelets, expected):
    assert is_kmp_thrombocytopenia(platelets) is expected


# Pub.: "Hypofibrinogenemia was defined as a fibrinogen level <1.6 g/L".
@pytest.mark.parametrize("fibrinogen, expected", [(1.6, False), ("1.6", False), (Decimal("1.60"), False),
                                                  (1.59, True), (Fraction(159, 100), True), (1.61, False)])
def test_hypofibrinogenemia_is_strictly_below_1_6(fibrinogen, expected):
    assert is_hypofibrinogenemia(fibrinogen) is expected


# Pub.: "an elevated D-dimer level (>0.5 μg/mL)" — 0.5 is not elevated, 0.51 is.
@pytest.mark.parametrize("d_dimer, expected", [(0.5, False), (0.51, True), (0.49, False)])
def test_d_dimer_elevated_is_strictly_above_0_5(d_dimer, expected):
    assert is_elevated_d_dimer(d_dimer) is expected


# Pub.: "Consumptive coagulopathy was defined as a low fibrinogen level (<1.6 g/L) and an elevated
# D-dimer level (>0.5 μg/mL)" — both are needed.
@pytest.mark.parametrize("fibrinogen, d_dimer, expected", [
    (1.59, 0.51, True), (1.6, 0.51, False), (1.59, 0.5, False), (1.6, 0.5, False)])
def test_consumptive_coagulopathy_needs_low_fibrinogen_and_high_d_dimer(fibrinogen, d_dimer, expected):
    assert is_consumptive_coagulopathy(fibrinogen, d_dimer) is expected


# Pub.: "platelet count <100 × 10⁹/L, with consumptive coagulopathy and hypofibrinogenemia".
@pytest.mark.parametrize("platelets, fibrinogen, d_dimer, expected", [
    (99.9, 1.59, 0.51, True),
    (100, 1.59, 0.51, False),   # platelets exactly 100
    (99.9, 1.6, 0.51, False),   # fibrinogen exactly 1.6
    (99.9, 1.59, 0.5, False),   # D-dimer exactly 0.5
    (20, 0.8, 12, True),
])
def test_kmp_needs_all_three_criteria(platelets, fibrinogen, d_dimer, expected):
    assert is_kmp(platelets, fibrinogen, d_dimer) is expected


# Pub.: "Severe anemia was defined as a hemoglobin concentration <60 g/L".
@pytest.mark.parametrize("hemoglobin, expected", [(60, False), (59.9, True), (60.1, False)])
def test_severe_anemia_is_strictly_below_60(hemoglobin, expected):
    assert is_severe_anemia(hemoglobin) is expected


# Pub.: "Decreased range of motion (ROM) was defined as ≥10° of extension loss, flexion <120°, or both."
@pytest.mark.parametrize("extension_loss, flexion, expected", [
    (10, 130, True), (9.9, 130, False), (0, 120, False), (0, 119.9, True), (15, 100, True), (9, 120, False)])
def test_decreased_rom(extension_loss, flexion, expected):
    assert is_decreased_rom(extension_loss, flexion) is expected


# Pub.: "Chronic pain was defined as daily pain for at least 3 months" — 3 calendar months after
# 2026-01-15 is 2026-04-15 (hand count: Feb 15, Mar 15, Apr 15).
@pytest.mark.parametrize("on, expected", [(date(2026, 4, 15), True), (date(2026, 4, 14), False)])
def test_chronic_pain_from_three_months_on(on, expected):
    assert is_chronic_pain(date(2026, 1, 15), on) is expected


@pytest.mark.parametrize("call", [
    lambda: is_kmp_thrombocytopenia(-1), lambda: is_hypofibrinogenemia("abc"), lambda: is_severe_anemia(None),
    lambda: is_decreased_rom(-5, 120), lambda: is_decreased_rom(0, 200), lambda: is_severe_anemia(float("nan")),
    lambda: is_chronic_pain(date(2026, 5, 1), date(2026, 4, 1)), lambda: is_kmp_thrombocytopenia(True),
])
def test_invalid_values_raise_protocol_error_with_what_was_got(call):
    with pytest.raises(ProtocolError, match="got"):
        call()
