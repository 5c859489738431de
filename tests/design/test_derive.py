"""The vectorized derivation equals the analysis plan's per-trial derivation on every patient."""

import numpy as np
import pandas as pd
import pytest

from khetrial.design.derive import (
    RESPONDER_HORIZON_DAYS,
    SIMULATED_ENDPOINTS,
    derive_batch_endpoints,
    derive_batch_table,
    derive_bundle_endpoints,
    derive_trial_endpoints,
)
from khetrial.design.trajectories import simulate_trials


@pytest.fixture(scope="module")
def batch_200():
    from .conftest import SCENARIOS
    from dataclasses import replace

    from khetrial.design.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "publication.toml")
    arms = {arm: replace(model, rescue_probability=0.6, dropout_probability=0.15,
                         lack_of_efficacy_probability=0.8, missing_probability=0.08,
                         rebound_probability=0.3)
            for arm, model in scenario.arms.items()}
    return simulate_trials(replace(scenario, arms=arms), 200, np.random.default_rng(20261125))


def test_vectorized_equals_per_patient_derivation_on_every_patient_of_200_trials(batch_200):
    # The reference is the analysis plan's own derivation (khetrial.endpoints.adsl) run on the
    # simulated trials' bundle tables; patient ids are unique across trials.
    fast = derive_batch_table(batch_200)
    slow = derive_bundle_endpoints(batch_200, range(batch_200.n_trials))
    assert len(fast) == 200 * 73
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


def test_the_simulators_horizon_keeps_every_binary_endpoint_of_the_per_trial_path(batch_200):
    # The simulator ignores efficacy measurements after day 70 (RESPONDER_HORIZON_DAYS); the
    # binary endpoints must still equal the analysis plan's derivation on all measurements.
    slow = derive_bundle_endpoints(batch_200, range(batch_200.n_trials))
    fast = derive_batch_endpoints(batch_200, horizon=RESPONDER_HORIZON_DAYS)
    for name in SIMULATED_ENDPOINTS:
        np.testing.assert_array_equal(fast[name], slow[name].to_numpy(), err_msg=name)
    np.testing.assert_array_equal(fast["censoring_day"], slow["censoring_day"].to_numpy())


def test_the_200_trials_exercise_every_censoring_rule_and_endpoint(batch_200):
    fast = derive_batch_table(batch_200)
    censored = fast["censoring_day"].notna()
    assert censored.any() and (~censored).any()
    for arm in (0, 1):
        rescued = (~np.isnan(batch_200.rescue_day)) & (batch_200.arm == arm)
        assert rescued.any()  # rescue in S, reintroduction in SP
    for name in SIMULATED_ENDPOINTS:
        assert 0 < fast[name].mean() < 1, name


@pytest.mark.parametrize("trial", [0, 57, 199])
def test_one_trial_at_a_time_gives_the_same_rows(batch_200, trial):
    fast = derive_batch_table(batch_200)
    one = derive_trial_endpoints(batch_200, trial)
    expected = fast[fast["trial"] == trial].reset_index(drop=True)
    pd.testing.assert_frame_equal(expected, one, check_dtype=False)


def test_binary_only_responders_start_their_durable_run_on_day_10(binary_only_scenario):
    # By construction (conftest.binary_only_arm): counts reach exactly 100 on day 10 (a scheduled
    # even day), so every responder's durable run starts on day 10.
    batch = simulate_trials(binary_only_scenario, 20, np.random.default_rng(1))
    table = derive_batch_table(batch)
    starts = table["platelet_durable_start_day"].dropna().unique()
    assert list(starts) == [10.0]
