"""khetrial.stats.rounding: percentages printed as the publication prints them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from khetrial.stats.rounding import percent


@pytest.mark.parametrize(("fraction", "printed"), [
    # Pub.: "(difference 27.9%; 95% confidence interval, 10.0-44.7)"; the Newcombe lower
    # limit is 0.0994537541 (R, tests/stats/fixtures/reference_tests.R) -> 0.0995 -> 10.0
    (0.0994537541, "10.0"),
    # Pub.: "(81.1% vs 58.3%; difference, 22.8%" — 30/37 − 21/36 = 0.2274775 -> 0.2275 -> 22.8
    (30 / 37 - 21 / 36, "22.8"),
    # Pub.: "94.6% in the combination treatment group vs 66.7%": 35/37, 24/36
    (35 / 37, "94.6"),
    (24 / 36, "66.7"),
    # Hand computation: −0.26979549 -> −0.2698 -> −26.98 -> −27.0 (half away from zero)
    (-0.2697954898673879, "-27.0"),
    (0.0, "0.0"),
    (1.0, "100.0"),
])
def test_percent_rounds_to_four_decimals_then_one_decimal_of_a_percent(fraction, printed):
    assert percent(fraction) == Decimal(printed)
