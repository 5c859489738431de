"""Holm's adjustment of the secondary endpoints' p-values."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False) | st.sampled_from([0.0, 0.01, 0.05, 1.0]),
                min_size=1, max_size=12))
def test_holm_is_statsmodels_holm_bit_for_bit(p_values):
    # statsmodels.stats.multitest.multipletests(p, method="holm"), the implementation used before
    # (results.json must not change by a bit); ties included. Its gc.collect() is skipped here
    # (it only frees memory, and takes 0.3 s per call in a test process)
    with mock.patch("gc.collect", return_value=0):
        expected = multipletests(p_values, method="holm")[1]
    got = holm({str(i): p for i, p in enumerate(p_values)})
    assert [got[str(i)] for i in range(len(p_values))] == [float(v) for v in expected]
