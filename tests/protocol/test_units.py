"""Unit conversion to the protocol's units (SI definitions cited in protocol/units.py)."""

from fractions import Fraction

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.units import to_protocol_unit


@pytest.mark.parametrize("quantity, value, unit, expected", [
    ("hemoglobin", "5.9", "g/dL", Fraction(59)),          # 1 g/dL = 10 g/L
    ("fibrinogen", 160, "mg/dL", Fraction("1.6")),        # 1 mg/dL = 0.01 g/L
    ("platelets", 99900, "/µL", Fraction("99.9")),        # 99 900/µL = 99.9 × 10⁹/L
    ("platelets", 50, "×10^9/L", Fraction(50)),
    ("d_dimer", 500, "ng/mL", Fraction("0.5")),
    ("d_dimer", "0.5", "mg/L", Fraction("0.5")),          # mg/L = µg/mL
    ("weight", 11, "lb", Fraction("4.98951607")),         # 11 × 0.45359237 kg
    ("height", "0.58", "m", Fraction(58)),
])
def test_conversions(quantity, value, unit, expected):
    assert to_protocol_unit(quantity, value, unit) == expected


def test_unknown_unit_names_the_accepted_ones():
    with pytest.raises(ProtocolError, match="fibrinogen unit: got 'mmol/L'; expected one of g/L, mg/dL"):
        to_protocol_unit("fibrinogen", 3, "mmol/L")


def test_unknown_quantity_is_refused():
    with pytest.raises(ProtocolError, match="quantity"):
        to_protocol_unit("albumin", 3, "g/L")


def test_negative_value_is_refused():
    with pytest.raises(ProtocolError, match="hemoglobin"):
        to_protocol_unit("hemoglobin", -1, "g/dL")
