"""Units the protocol accepts, and their conversion to the protocol's own.

The protocol's units are those of the bundle format (``docs/bundle-format.md``):
platelets ×10⁹/L, fibrinogen g/L, D-dimer µg/mL, hemoglobin g/L, sirolimus trough ng/mL,
weight kg, height cm. The factors below are SI definitions (1 g/dL = 10 g/L, 1 mg/dL =
0.01 g/L, 1 µL = 10⁻⁶ L, 1 ng/mL = 1 µg/L, 1 mg/L = 1 µg/mL, 1 lb = 0.45359237 kg by the
1959 international yard and pound agreement, 1 in = 2.54 cm). D-dimer is taken as reported
(FEU or DDU as the site's assay reports it); the protocol's 0.5 µg/mL cut-off is the
publication's.
"""

from __future__ import annotations

from fractions import Fraction

from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, exact

#: quantity -> (protocol unit, {accepted unit: factor to the protocol unit})
UNITS: dict[str, tuple[str, dict[str, Fraction]]] = {
    "platelets": ("10^9/L", {"10^9/L": Fraction(1), "10^3/uL": Fraction(1),
                             "/uL": Fraction(1, 1000)}),
    "fibrinogen": ("g/L", {"g/L": Fraction(1), "mg/dL": Fraction(1, 100)}),
    "d_dimer": ("ug/mL", {"ug/mL": Fraction(1), "mg/L": Fraction(1), "ng/mL": Fraction(1, 1000),
                          "ug/L": Fraction(1, 1000)}),
    "hemoglobin": ("g/L", {"g/L": Fraction(1), "g/dL": Fraction(10)}),
    "sirolimus_trough": ("ng/mL", {"ng/mL": Fraction(1), "ug/L": Fraction(1)}),
    "weight": ("kg", {"kg": Fraction(1), "g": Fraction(1, 1000), "lb": Fraction("0.45359237")}),
    "height": ("cm", {"cm": Fraction(1), "m": Fraction(100), "in": Fraction("2.54")}),
}
_ALIASES = {"µ": "u", "μ": "u", "×": "", "x10^": "10^", " ": ""}


def normalize_unit(unit: str) -> str:
    """Spelling variants to the table's spelling: ``µg/mL`` → ``ug/mL``, ``×10^9/L`` → ``10^9/L``."""
    text = str(unit).strip()
    for old, new in _ALIASES.items():
        text = text.replace(old, new)
    return text


def to_protocol_unit(quantity: str, value: Number, unit: str) -> Fraction:
    """``value`` in ``unit`` converted exactly to the protocol's unit for ``quantity``.

    >>> to_protocol_unit("hemoglobin", "5.9", "g/dL")
    Fraction(59, 1)

    Raises :class:`ProtocolError` for an unknown quantity or unit, naming the accepted ones.
    """
    if quantity not in UNITS:
        raise ProtocolError(f"quantity: got {quantity!r}; expected one of {', '.join(UNITS)}")
    canonical, factors = UNITS[quantity]
    spelled = normalize_unit(unit)
    matches = [name for name in factors if name.lower() == spelled.lower()]
    if not matches:
        raise ProtocolError(f"{quantity} unit: got {unit!r}; expected one of {', '.join(factors)} "
                            f"(the protocol works in {canonical})")
    return exact(value, quantity, unit=unit) * factors[matches[0]]
