"""Shared fixtures: the publication-matched cohort, simulated once per test session."""

from __future__ import annotations

import pytest

from khetrial.bundle import read_bundle
from khetrial.sap import analyse
from khetrial.simulate import DEFAULT_SEED as PUBLISHED_SEED
from khetrial.simulate import write_simulated_bundle


@pytest.fixture(scope="session")
def published_bundle_dir(tmp_path_factory):
    return write_simulated_bundle(tmp_path_factory.mktemp("published") / "bundle", seed=PUBLISHED_SEED,
                                  match_publication=True)


@pytest.fixture(scope="session")
def published_bundle(published_bundle_dir):
    return read_bundle(published_bundle_dir)


@pytest.fixture(scope="session")
def published_results(published_bundle):
    return analyse(published_bundle)
