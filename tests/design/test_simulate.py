"""Simulated operating characteristics: agreement with exact power, type I error, determinism."""

import numpy as np
import pytest

from khetrial.design.power import compute_power_fisher
from khetrial.design.simulate import (
    SIMULATED_ENDPOINTS,
    fisher_table,
    newcombe_table,
    simulate_design,
)
from khetrial.errors import ConfigurationError

from .reference import r_reference


def test_simulated_power_of_a_binary_only_scenario_matches_exact_fisher_power(binary_only_scenario):
    # Week-4 response is Bernoulli(0.90) in 37 SP vs Bernoulli(0.70) in 36 S patients; the exact
    # Fisher power (compute_power_fisher, checked against R's fisher.test enumeration in
    # test_exact.py) must lie within 3 Monte Carlo standard errors of the simulated power.
    exact = compute_power_fisher(0.70, 0.90, 36, 37)
    result = simulate_design(binary_only_scenario, 2000, seed=11)
    primary = result.endpoint("durable_platelet_response_wk4")
    assert abs(primary.rejection_rate - exact) <= 3 * primary.mc_se
    assert primary.mean_experimental == pytest.approx(0.90, abs=0.01)
    assert primary.mean_control == pytest.approx(0.70, abs=0.01)


def test_exact_power_of_the_binary_scenario_is_rs_enumeration_at_the_publication_sizes():
    # R: fisher_power(36, 37, 0.55, 0.70) = 0.224402327762396 (fixtures/power_reference.Rout)
    assert compute_power_fisher(0.55, 0.70, 36, 37) == pytest.approx(
        r_reference()["H.fisher n1=36 n2=37 p1=0.55 p2=0.70"], rel=1e-12)


def test_null_scenario_keeps_the_type_i_error_at_most_alpha(null_scenario):
    # Fisher's exact test is conservative: its exact size at 32/32 and p = 0.55 is 0.032
    # (R enumeration, H.fisher ... (type I error)); every endpoint must stay ≤ α + 3 SE.
    result = simulate_design(null_scenario, 600, seed=5)
    assert result.null
    for endpoint in result.endpoints:
        assert endpoint.rejection_rate <= 0.05 + 3 * max(endpoint.mc_se, 0.009), endpoint


def test_publication_scenario_is_calibrated_to_the_published_rates(publication_scenario):
    # Pub.: week 4 "35 of 37 ... compared with 24 of 36"; fibrinogen "27 (73.0%) and 16 (44.4%)";
    # weeks 1/3 "9 (24.3%) to 31 (83.8%)" vs "4 (11.1%) to 20 (55.6%)". Within 6 points.
    result = simulate_design(publication_scenario, 400, seed=2026)
    targets = {"durable_platelet_response_wk1": (9 / 37, 4 / 36),
               "durable_platelet_response_wk3": (31 / 37, 20 / 36),
               "durable_platelet_response_wk4": (35 / 37, 24 / 36),
               "fibrinogen_stabilization_wk4": (27 / 37, 16 / 36),
               "kmp_rebound": (2 / 37, 6 / 36),  # Pub.: "(5.4% vs 16.7%)"
               "discontinued_lack_of_efficacy": (1 / 37, 5 / 36)}  # Pub.: "2.7% ... vs 13.9%"
    for name, (sp, s) in targets.items():
        e = result.endpoint(name)
        assert e.mean_experimental == pytest.approx(sp, abs=0.06), name
        assert e.mean_control == pytest.approx(s, abs=0.06), name


def test_same_seed_gives_the_same_result_for_any_number_of_workers(publication_scenario):
    one = simulate_design(publication_scenario, 600, seed=99, workers=1)
    two = simulate_design(publication_scenario, 600, seed=99, workers=2)
    assert one.endpoints == two.endpoints
    assert one.primary_difference == two.primary_difference
    other = simulate_design(publication_scenario, 600, seed=100, workers=1)
    assert other.endpoints != one.endpoints


def test_progress_reports_every_trial(publication_scenario):
    seen = []
    simulate_design(publication_scenario, 300, seed=1, progress=seen.append)
    assert sum(seen) == 300


def test_lookup_tables_equal_the_stats_package_on_every_table():
    # The simulator's lookups must be khetrial.stats' own Fisher p and Newcombe interval.
    from khetrial.stats.proportions import diff_proportions
    from khetrial.stats.significance import fisher_exact

    n_e, n_c = 9, 7
    p_table = fisher_table(n_e, n_c)
    lower, upper = newcombe_table(n_e, n_c)
    for x_e in range(n_e + 1):
        for x_c in range(n_c + 1):
            assert p_table[x_e, x_c] == pytest.approx(fisher_exact(x_e, n_e, x_c, n_c), rel=1e-9)
            d = diff_proportions(x_e, n_e, x_c, n_c)
            assert (lower[x_e, x_c], upper[x_e, x_c]) == pytest.approx((d.lower, d.upper), abs=1e-12)


def test_newcombe_lookup_reproduces_the_published_primary_interval():
    # Pub.: "35 of 37 ... 24 of 36 (difference 27.9%; 95% confidence interval, 10.0-44.7)";
    # R (tests/stats/fixtures/reference_tests.R, Newcombe method 10 from two prop.test Wilson
    # intervals): "newcombe 35/37 - 24/36: 0.0994537541 0.4472217029"
    lower, upper = newcombe_table(37, 36)
    assert (lower[35, 24], upper[35, 24]) == pytest.approx((0.0994537541, 0.4472217029), abs=1e-9)
    # printed as the publication rounds (fraction to 4 decimals, then percent to 1, half up)
    from khetrial.stats.rounding import percent

    assert (str(percent(lower[35, 24])), str(percent(upper[35, 24]))) == ("10.0", "44.7")


def test_result_lists_every_simulated_endpoint_with_its_standard_error(publication_scenario):
    result = simulate_design(publication_scenario, 250, seed=3)
    out = result.to_dict()
    assert list(out["endpoints"]) == list(SIMULATED_ENDPOINTS)
    e = out["endpoints"]["durable_platelet_response_wk4"]
    assert e["mc_se"] == pytest.approx(np.sqrt(e["rejection_rate"] * (1 - e["rejection_rate"]) / 250))
    assert set(out["primary_difference"]["quantiles"]) == {"0.025", "0.1", "0.25", "0.5", "0.75", "0.9", "0.975"}


@pytest.mark.parametrize("kwargs, match", [({"n_trials": 0}, "--trials"),
                                            ({"n_trials": 10, "workers": 0}, "--workers")])
def test_bad_trial_or_worker_counts_are_refused(publication_scenario, kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        simulate_design(publication_scenario, **kwargs)
