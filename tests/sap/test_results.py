"""The typed results: results.json keeps exactly its keys and values, and reads back unchanged
(SAP "Machine-readable results")."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.bundle import read_bundle
from khetrial.sap import MIXED_MODEL_KEY, NOT_ESTIMABLE_KEY, Results, analyse, describe
from khetrial.sap.results import (
    ArmProportion,
    BinaryResult,
    MixedModelEstimate,
    Provenance,
    TransfusionArm,
    TransfusionResult,
    WeekSummary,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "example_results.json"
"""results.json of ``khetrial analyse examples/bundle`` written by the code before the typed
results (commit 0fb18bd, dict-built analysis), without ``provenance.run_at_utc``; the mixed
model's numbers since replaced by lme4's (statsmodels' SE was 0.42 % off). R: lmer(change ~ arm *
factor(week) + baseline + (1 | patient_id)) on these data printed difference 104.011618623724,
SE 13.307147021633 (the stored values agree to 2e-8 relative)."""


def test_results_json_of_the_example_bundle_is_what_the_dict_built_analysis_wrote():
    written = json.loads(analyse(read_bundle(EXAMPLE)).to_json())
    assert written["provenance"].pop("run_at_utc")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert list(written) == list(expected)  # the same keys in the same order...
    assert_same_values(written, expected)  # ...and the same values, numbers to 1e-7 relative


def assert_same_values(got, expected, path="results"):
    """Equal structure and values; numbers equal to 1e-7 relative (a REML optimum differs in its
    last digits between numpy/scipy builds: 104.0116182 vs 104.0116189 seen, 6e-9 relative, so
    bit-for-bit equality would test the machine, not the code)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), f"{path}: keys {list(got)} != {list(expected)}"
        for key in expected:
            assert_same_values(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{path}: {got!r} != {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_values(g, e, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(got, bool) and isinstance(got, (int, float)):
        assert math.isclose(got, expected, rel_tol=1e-7, abs_tol=1e-12), f"{path}: {got!r} != {expected!r}"
    else:
        assert got == expected and type(got) is type(expected), f"{path}: {got!r} != {expected!r}"


def test_the_value_comparison_refuses_a_change_beyond_rounding():
    assert_same_values({"a": [1.0, "x"]}, {"a": [1.0 + 1e-9, "x"]})
    for changed in ({"a": [1.0001, "x"]}, {"a": [1.0, "y"]}, {"a": [1.0]}, {"b": [1.0, "x"]}):
        with pytest.raises(AssertionError):
            assert_same_values(changed, {"a": [1.0, "x"]})


def test_the_mixed_model_key_names_the_primary_week():
    # SAP "Machine-readable results": "platelets_mixed_model_wk4"
    assert MIXED_MODEL_KEY == "platelets_mixed_model_wk4"


def test_results_read_back_from_json_are_equal_and_write_the_same_text():
    results = analyse(read_bundle(EXAMPLE))
    again = Results.from_json(results.to_json())
    assert again == results
    assert again.to_json() == results.to_json()


def test_descriptive_results_round_trip_and_keep_their_layout():
    bundle = read_bundle(EXAMPLE)
    results = describe(bundle, "no patient in arm S")
    data = results.to_dict()
    # the layout the report's descriptive results had (report/results.py before the typed results)
    assert list(data) == ["n", "binary", "transfusions_m12", MIXED_MODEL_KEY, "adverse_events",
                          "platelets_weekly", "lesion_categories_m12", "baseline", NOT_ESTIMABLE_KEY, "provenance"]
    assert data["binary"] == {} and data[MIXED_MODEL_KEY] == {} and data[NOT_ESTIMABLE_KEY] == "no patient in arm S"
    assert Results.from_json(results.to_json()) == results


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
maybe = st.none() | finite
counts = st.integers(min_value=0, max_value=10_000)


@st.composite
def binary_results(draw):
    arms = {arm: ArmProportion(draw(counts), draw(counts), draw(maybe), draw(maybe), draw(st.none() | counts))
            for arm in ("SP", "S")}
    ci = draw(st.none() | st.tuples(maybe, maybe))
    return BinaryResult(arms=arms, difference=draw(maybe), ci95=ci, p_value=draw(maybe))


@st.composite
def results_objects(draw):
    note = draw(st.none() | st.text(max_size=20))
    if note is None:
        mixed = MixedModelEstimate(difference=draw(finite), ci95=(draw(finite), draw(finite)), se=draw(finite),
                                   week=4, n_patients=draw(counts), n_observations=draw(counts),
                                   converged=draw(st.booleans()))
    else:
        mixed = MixedModelEstimate(difference=None, ci95=None, note=note)
    weeks = {w: {arm: WeekSummary(draw(counts), draw(maybe), draw(maybe), draw(maybe)) for arm in ("SP", "S")}
             for w in range(draw(st.integers(0, 5)))}
    return Results(
        n={"SP": draw(counts), "S": draw(counts)},
        provenance=Provenance("0.1.0", draw(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8),
                                                            max_size=3)), "2026-01-02T03:04:05Z"),
        binary=draw(st.dictionaries(st.sampled_from(["kmp_rebound", "sequelae_m24", "qol_improvement_m12"]),
                                    binary_results())),
        transfusions=TransfusionResult(arms={arm: TransfusionArm(draw(maybe), draw(maybe), draw(counts), draw(counts))
                                             for arm in ("SP", "S")}, p_value=draw(maybe)),
        mixed_model=mixed, platelets_weekly=weeks,
        lesion_categories={"SP": {"growth": draw(counts)}, "S": {"growth": draw(counts)}},
        sequelae_assessed={"SP": draw(counts), "S": draw(counts)},
        not_estimable=draw(st.none() | st.text(max_size=20)))


@settings(max_examples=50, deadline=None)
@given(results=results_objects())
def test_any_results_survive_the_json_round_trip(results):
    assert Results.from_json(results.to_json()) == results
