"""Rounding of fractions to printed percentages, the way the trial publication prints them.

The publication's percentages and confidence limits are reproduced by rounding the fraction
half-up to 4 decimals first and then the percentage half-up to 1 decimal (a two-step rounding,
as from a table of 4-decimal fractions). It matters at two of its 24 printed numbers: the
primary outcome's lower limit 0.099454 prints as 10.0 (not 9.9: 0.0995 → 9.95 → 10.0) and the
good lesion response difference 0.227477 as 22.8 (not 22.7: 0.2275 → 22.75 → 22.8).
Results files keep fractions unrounded; this is for display only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FRACTION_DECIMALS = Decimal("0.0001")  # the first step: 4 decimals of a fraction
PERCENT_DECIMALS = Decimal("0.1")  # the second step: 1 decimal of a percentage


def percent(fraction: float) -> Decimal:
    """``fraction`` as a percentage with one decimal, rounded as the publication rounds.

    >>> percent(0.09945375411933588)
    Decimal('10.0')
    >>> percent(-0.2697954898673879)
    Decimal('-27.0')
    """
    four = Decimal(repr(float(fraction))).quantize(FRACTION_DECIMALS, rounding=ROUND_HALF_UP)
    return (four * 100).quantize(PERCENT_DECIMALS, rounding=ROUND_HALF_UP)
