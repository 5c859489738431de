"""The DMC's results.json keys (sensitivity, time_to_response, by_site, exposure, missing_data,
multiplicity, completeness) on the example bundle (worked by hand from examples/bundle/README.md)
and on the publication-matched demo (against the R-checked stats functions)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from khetrial.bundle import read_bundle
from khetrial.endpoints.censoring import derive_censoring
from khetrial.endpoints.exposure import derive_prednisolone_duration, derive_treatment_changes
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.time_to_response import derive_time_to_response
from khetrial.sap import Results, analyse
from khetrial.sap.monitoring import MODEL_LABELS, PRIMARY_MODEL, data_cutoff
from khetrial.sap.monitoring_results import MONITORING_KEYS
from khetrial.sap.plan import mixed_model_data
from khetrial.endpoints.adsl import derive_analysis_tables
from khetrial.simulate import DEFAULT_SEED, write_simulated_bundle
from khetrial.stats.sensitivity import ANCOVA, MMRM, platelet_ancova, platelet_mmrm
from khetrial.stats.survival import time_to_event

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"


@pytest.fixture(scope="module")
def example():
    bundle = read_bundle(EXAMPLE)
    return bundle, analyse(bundle)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    bundle = read_bundle(write_simulated_bundle(tmp_path_factory.mktemp("dmc") / "bundle", seed=DEFAULT_SEED,
                                                match_publication=True))
    return bundle, analyse(bundle)


def test_results_json_has_every_dmc_key_before_provenance_and_reads_back(example):
    _, results = example
    data = results.to_dict()
    keys = list(data)
    assert keys[-len(MONITORING_KEYS) - 1:] == [*MONITORING_KEYS, "provenance"]
    assert Results.from_json(results.to_json()) == results


def test_by_site_counts_and_mantel_haenszel_difference_by_hand(example):
    # README: CQC — SP KHE-003, KHE-006 respond (2/2), S KHE-004 responds (1/1);
    # WCH — SP KHE-001 responds (1/1), S KHE-002 responds, KHE-005 does not (1/2).
    by_site = example[1].monitoring.by_site
    assert {s: (r.arms["SP"].to_dict(), r.arms["S"].to_dict()) for s, r in by_site.sites.items()} == {
        "CQC": ({"events": 2, "n": 2}, {"events": 1, "n": 1}),
        "WCH": ({"events": 1, "n": 1}, {"events": 1, "n": 2})}
    # MH weights n1·n2/N = 2/3 in both sites: (2/3 · 0 + 2/3 · 0.5) / (4/3) = 0.25
    assert by_site.mantel_haenszel["difference"] == pytest.approx(0.25)
    assert by_site.mantel_haenszel["strata"] == 2


def test_missing_data_imputes_only_the_child_censored_before_week_4_closed(example):
    # KHE-005 (S) stops for lack of efficacy on day 118 after rescue prednisolone on day 22:
    # censored before the primary's window closed (day 70), a non-responder by imputation.
    missing = example[1].monitoring.missing_data
    assert missing.imputed == (0, 1)
    assert missing.observed == {"SP": {"events": 3, "n": 3}, "S": {"events": 2, "n": 2}}
    assert missing.observed_difference == 0.0  # 3/3 − 2/2
    assert missing.observed_p == pytest.approx(1.0)  # Fisher on 3/3 vs 2/2
    assert missing.tipping == ()  # not significant, and no imputation can make 3/3 vs 3/3 so


def test_completeness_at_an_interim_cutoff_leaves_out_a_child_just_randomized(example):
    bundle, _ = example
    # KHE-002 randomized 2018-05-16: on 2018-05-20 (day 4) their week-4 window (day 70) is open
    # and they have no response yet; every other child was randomized months before.
    interim = analyse(bundle, cutoff=date(2018, 5, 20)).monitoring.completeness
    assert interim.cutoff == "2018-05-20"
    wk4 = interim.endpoints["durable_platelet_response_wk4"]
    assert wk4["S"]["n"] == 3 and wk4["S"]["evaluable"] < 3


def test_completeness_without_cutoff_uses_the_last_date_of_the_bundle(example):
    bundle, results = example
    assert results.monitoring.completeness.cutoff == data_cutoff(bundle).isoformat()


def test_exposure_counts_the_per_patient_derivations(example):
    bundle, results = example
    exposure = results.monitoring.exposure
    # README: KHE-003 (SP) sirolimus interrupted; KHE-002 (S) dose reduced
    assert (exposure["SP"].changes["ae_interrupted"], exposure["S"].changes["ae_dose_reduced"]) == (1, 1)
    weeks = derive_prednisolone_duration(bundle.medications, bundle.patients).merge(bundle.patients[["patient_id", "arm"]])
    sp = weeks.loc[weeks["arm"] == "SP", "prednisolone_weeks"]
    assert exposure["SP"].measures["prednisolone_weeks"].median == pytest.approx(float(sp.median()))
    assert exposure["SP"].n == 3


def test_sensitivity_names_the_plan_model_primary_and_matches_the_r_checked_fits(demo):
    bundle, results = demo
    sensitivity = results.monitoring.sensitivity
    assert sensitivity.primary == PRIMARY_MODEL
    assert set(sensitivity.models) == set(MODEL_LABELS)
    primary = sensitivity.models[PRIMARY_MODEL]
    assert (primary.difference, primary.ci95) == (results.mixed_model.difference, results.mixed_model.ci95)
    data = mixed_model_data(derive_analysis_tables(bundle).platelet_weeks)
    for name, fit in ((MMRM, platelet_mmrm), (ANCOVA, platelet_ancova)):
        expected = fit(data)  # equal to nlme::gls / lm within 1 % (tests/stats/test_sensitivity.py)
        assert sensitivity.models[name].difference == pytest.approx(expected.difference)
        assert sensitivity.models[name].ci95 == pytest.approx((expected.lower, expected.upper))
    # the unstructured model does not assume equal variances: its interval is wider here
    mmrm = sensitivity.models[MMRM]
    assert mmrm.ci95[1] - mmrm.ci95[0] > primary.ci95[1] - primary.ci95[0]


def test_time_to_response_is_the_lifelines_fit_of_the_derived_times(demo):
    bundle, results = demo
    censoring = derive_censoring(bundle.patients, bundle.medications, bundle.disposition)
    times = derive_time_to_response(derive_lab_measurements(bundle.labs, bundle.patients, "platelets"),
                                    bundle.patients, censoring)
    expected = time_to_event(times)  # lifelines, checked against R survival (tests/stats/test_survival.py)
    got = results.monitoring.time_to_response
    assert got.p_value == pytest.approx(expected.p_value)
    for arm in ("SP", "S"):
        assert (got.arms[arm].n, got.arms[arm].events, got.arms[arm].median) == (
            expected.curves[arm].n, expected.curves[arm].events, expected.curves[arm].median)


def test_multiplicity_adjusts_the_ten_secondary_endpoints_by_holm(demo):
    _, results = demo
    multiplicity = results.monitoring.multiplicity
    assert "durable_platelet_response_wk4" not in multiplicity and len(multiplicity) == 10
    smallest = min(multiplicity.values(), key=lambda r: r["p_value"])
    # Holm (1979): the smallest of m = 10 p-values is multiplied by 10
    assert smallest["holm_p_value"] == pytest.approx(min(1.0, 10 * smallest["p_value"]))
    assert all(r["holm_p_value"] >= r["p_value"] for r in multiplicity.values())


def test_publication_exposure_counts_of_treatment_changes(demo):
    bundle, results = demo
    changes = derive_treatment_changes(derive_analysis_tables(bundle).adverse_events, bundle.patients)
    exposure = results.monitoring.exposure
    assert sum(e.changes["ae_interrupted"] for e in exposure.values()) == int(changes["ae_interrupted"].sum())
