"""Fixtures of the design tests: the example scenarios and a binary-only scenario."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from khetrial.design.scenario import ArmModel, Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@pytest.fixture
def publication_scenario() -> Scenario:
    return load_scenario(SCENARIOS / "publication.toml")


@pytest.fixture
def null_scenario() -> Scenario:
    return load_scenario(SCENARIOS / "null.toml")


@pytest.fixture
def eventful_scenario(publication_scenario) -> Scenario:
    """The publication's design with many intercurrent events and missed counts, so that every
    censoring rule (discontinuation, rescue in S, reintroduction in SP) is exercised."""
    arms = {arm: replace(model, rescue_probability=0.6, dropout_probability=0.15,
                         lack_of_efficacy_probability=0.8, missing_probability=0.08,
                         rebound_probability=0.3)
            for arm, model in publication_scenario.arms.items()}
    return replace(publication_scenario, arms=arms)


def binary_only_arm(n: int, probability: float) -> ArmModel:
    """Every responder's count reaches 100 on day 10 and stays up, without noise, missed counts
    or intercurrent events: the week-4 durable response is a plain Bernoulli(probability)."""
    return ArmModel(n=n, response_probability=probability, response_day_median=10.0,
                    response_day_sd_log=0.0, platelet_noise_sd_log=0.0, rebound_probability=0.0,
                    lack_of_efficacy_probability=0.0, dropout_probability=0.0,
                    rescue_probability=0.0, missing_probability=0.0)


@pytest.fixture
def binary_only_scenario() -> Scenario:
    return Scenario(name="binary-only", arms={"SP": binary_only_arm(37, 0.90),
                                              "S": binary_only_arm(36, 0.70)})
