"""The R reference values recorded in ``fixtures/power_reference.Rout``.

``fixtures/power_reference.R`` printed them (R 4.2.2, Hmisc 4.8.0); each scalar line reads
``KEY = value`` and the tests look values up by KEY, so every expected number is R's own print.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@lru_cache(maxsize=1)
def r_reference() -> dict[str, float]:
    values: dict[str, float] = {}
    for line in (FIXTURES / "power_reference.Rout").read_text().splitlines():
        key, sep, value = line.partition(" = ")
        if sep and key[:2] in {f"{c}." for c in "ABCDEFGHI"}:
            try:
                values[key.strip()] = float(value.strip())
            except ValueError:  # a heading such as "F.bsamsize ... (n2 = 2 n1) ="
                continue
    return values
