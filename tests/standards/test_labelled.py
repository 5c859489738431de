"""SPSS and Stata files with variable and value labels (khetrial.standards.labelled)."""

from __future__ import annotations

import pyreadstat
import pytest

from khetrial.constants import ARM_LABELS
from khetrial.standards.adam_metadata import ADAM_DATASETS, ADSL
from khetrial.standards.labelled import write_labelled

READERS = {"spss": ("sav", pyreadstat.read_sav), "stata": ("dta", pyreadstat.read_dta)}


@pytest.fixture(scope="module", params=["spss", "stata"])
def written(request, demo_adam, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    write_labelled(ADAM_DATASETS, demo_adam, folder, request.param)
    return request.param, folder


def test_adsl_reads_back_with_labels_and_the_same_values(written, demo_adam):
    package, folder = written
    suffix, read = READERS[package]
    data, meta = read(str(folder / f"adsl.{suffix}"))
    assert meta.column_names == ADSL.columns
    assert meta.column_names_to_labels["DPR4FL"] == "Durable Platelet Response by Week 4"
    assert meta.variable_value_labels["DPR4FL"] == {1: "Yes", 0: "No"}
    arms = {int(k): v for k, v in meta.variable_value_labels["TRT01P"].items()}
    assert arms == {1: ARM_LABELS["SP"], 2: ARM_LABELS["S"]}
    adsl = demo_adam["ADSL"]
    assert data["DPR4FL"].map({1.0: "Y", 0.0: "N"}).tolist() == adsl["DPR4FL"].tolist()
    assert data["USUBJID"].tolist() == adsl["USUBJID"].tolist()
    assert data["PLATWK4"].fillna(-1).tolist() == adsl["PLATWK4"].fillna(-1).tolist()


def test_every_analysis_dataset_is_written(written):
    package, folder = written
    suffix = READERS[package][0]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{d.name.lower()}.{suffix}" for d in ADAM_DATASETS)
