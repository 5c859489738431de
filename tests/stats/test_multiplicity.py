"""Holm's adjustment of the secondary endpoints' p-values."""

import pytest

from khetrial.errors import AnalysisError
from khetrial.stats.multiplicity import holm


def test_holm_by_hand():
    # Holm 1979, by hand: sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.2;
    # step-down monotonicity lifts 0.08 to 0.09. R: p.adjust(c(.01, .04, .03, .2), "holm")
    # [1] 0.04 0.09 0.09 0.20
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.2})
    assert adjusted == pytest.approx({"a": 0.04, "b": 0.09, "c": 0.09, "d": 0.2})


def test_adjusted_p_values_are_capped_at_one_and_missing_ones_stay_out_of_the_family():
    # family of two: 0.6 × 2 = 1.2 → 1; 0.7 × 1 = 0.7 → raised to 1 by monotonicity
    assert holm({"a": 0.6, "b": 0.7, "c": None}) == {"a": 1.0, "b": 1.0, "c": None}


def test_a_single_p_value_is_unchanged():
    assert holm({"a": 0.03}) == {"a": 0.03}


def test_p_values_outside_0_1_are_refused():
    with pytest.raises(AnalysisError, match="outside 0…1"):
        holm({"a": 1.5})
