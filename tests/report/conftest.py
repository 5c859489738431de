"""Shared fixtures: the publication-matched cohort and its report, built once per session."""

from __future__ import annotations

import pytest

from khetrial.sap import analyse, analyse_or_describe
from khetrial.simulate import DEFAULT_SEED


@pytest.fixture(scope="session")
def published_bundle(tmp_path_factory):
    from khetrial.bundle import read_bundle
    from khetrial.simulate import write_simulated_bundle

    return read_bundle(write_simulated_bundle(tmp_path_factory.mktemp("report") / "bundle", seed=DEFAULT_SEED,
                                              match_publication=True))


@pytest.fixture(scope="session")
def published_results(published_bundle):
    return analyse(published_bundle)


@pytest.fixture(scope="session")
def report_path(published_bundle, published_results, tmp_path_factory):
    from khetrial.report import write_report

    return write_report(published_bundle, tmp_path_factory.mktemp("html") / "report.html", published_results)


@pytest.fixture(scope="session")
def one_arm_report_path(tmp_path_factory):
    """The report of the example bundle cut to its sirolimus + prednisolone patients (a descriptive page)."""
    from pathlib import Path

    from khetrial.bundle import Bundle, read_bundle
    from khetrial.report import write_report

    example = read_bundle(Path(__file__).resolve().parents[2] / "examples" / "bundle")
    sp = example.patients.loc[example.patients["arm"].astype(str) == "SP", "patient_id"]
    tables = {name: frame[frame["patient_id"].isin(sp) | (name == "screening") & frame["patient_id"].isna()]
              for name, frame in example.tables.items()}
    bundle = Bundle.from_tables(**tables)
    return write_report(bundle, tmp_path_factory.mktemp("html") / "one-arm.html", analyse_or_describe(bundle))
