"""Shared fixtures: the publication-matched cohort and its report, built once per session."""

from __future__ import annotations

import pytest

from khetrial.simulate import DEFAULT_SEED


@pytest.fixture(scope="session")
def published_bundle(tmp_path_factory):
    from khetrial.bundle import read_bundle
    from khetrial.simulate import write_simulated_bundle

    return read_bundle(write_simulated_bundle(tmp_path_factory.mktemp("report") / "bundle", seed=DEFAULT_SEED,
                                              match_publication=True))


@pytest.fixture(scope="session")
def published_results(published_bundle):
    from khetrial.analysis import analyse

    return analyse(published_bundle)


@pytest.fixture(scope="session")
def report_path(published_bundle, published_results, tmp_path_factory):
    from khetrial.report import write_report

    return write_report(published_bundle, tmp_path_factory.mktemp("html") / "report.html", published_results)
