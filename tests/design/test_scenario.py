"""Scenario TOML files: the examples load, mistakes are refused with advice."""

import tomllib

import pytest

from khetrial.design.scenario import ArmModel, Schedule, parse_scenario
from khetrial.errors import ConfigurationError

from .conftest import SCENARIOS


def test_publication_scenario_has_the_published_arm_sizes(publication_scenario):
    # Pub.: "sirolimus plus prednisolone (n = 37) or sirolimus monotherapy (n = 36)"
    assert (publication_scenario.n_experimental, publication_scenario.n_control) == (37, 36)
    assert publication_scenario.alpha == 0.05  # Pub.: "a 2-sided α of 0.05"


def test_null_scenario_has_identical_arm_models(null_scenario):
    from dataclasses import replace

    sp, s = null_scenario.arms["SP"], null_scenario.arms["S"]
    assert replace(sp, n=0) == replace(s, n=0)


def test_schedule_counts_every_2_days_then_weekly_then_at_visits():
    # Pub.: "blood counts every 2 days until the stabilization"; visits at weeks 24 ... 104
    days = Schedule().days()
    assert days[:5] == (0, 2, 4, 6, 7)
    assert 34 in days and 35 in days and 112 in days and 728 in days
    gaps = [b - a for a, b in zip(days, days[1:]) if b <= 112]
    assert max(gaps) <= 14  # SAP: runs allow at most 14 days between measurements


def _data():
    return tomllib.loads((SCENARIOS / "publication.toml").read_text())


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: d["arms"]["SP"].update(respons_day_median=3), "unknown parameter"),
        (lambda d: d["arms"]["S"].update(response_probability=1.5), "probability from 0 to 1"),
        (lambda d: d["arms"]["S"].update(rescue_day_range=[40, 30]), "first ≤ last"),
        (lambda d: d["arms"]["S"].update(n=0), "whole number"),
        (lambda d: d["arms"].pop("S"), "expected exactly"),
        (lambda d: d["trial"].update(alpha=5), "significance level"),
        (lambda d: d.update(extra={}), "unknown table"),
        (lambda d: d["arms"]["SP"].pop("n"), "no n"),
    ],
)
def test_scenario_mistakes_are_refused_with_advice(change, match):
    data = _data()
    change(data)
    with pytest.raises(ConfigurationError, match=match):
        parse_scenario(data, "publication.toml")


def test_omitted_parameters_take_the_documented_defaults():
    scenario = parse_scenario({"arms": {"SP": {"n": 10}, "S": {"n": 12}}}, "tiny.toml")
    assert scenario.arms["SP"] == ArmModel(n=10)
    assert scenario.name == "tiny"
