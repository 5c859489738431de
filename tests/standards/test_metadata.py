"""Dataset metadata: transport v5 limits and one source for names (khetrial.standards.metadata)."""

from __future__ import annotations

import pytest

from khetrial.standards.adam_metadata import ADAM_DATASETS, ADSL_NAMES, RESPONSE_PARAMETERS
from khetrial.standards.metadata import MAX_LABEL, MAX_NAME, SDTM_DATASETS
from khetrial.standards.plan import ADSL_COLUMNS, ADSL_EXTRA_COLUMNS, BINARY_ENDPOINTS

ALL = SDTM_DATASETS + ADAM_DATASETS


@pytest.mark.parametrize("dataset", ALL, ids=lambda d: d.name)
def test_names_have_at_most_8_characters_and_labels_at_most_40(dataset):
    # SAS transport v5 (FDA Study Data Technical Conformance Guide): names ≤ 8, labels ≤ 40
    assert len(dataset.name) <= MAX_NAME and len(dataset.label) <= MAX_LABEL
    for var in dataset.variables:
        assert len(var.name) <= 8 and var.name.isalnum() and var.name[0].isalpha(), var.name
        assert len(var.label) <= 40, (var.name, var.label)


@pytest.mark.parametrize("dataset", ALL, ids=lambda d: d.name)
def test_variable_names_are_unique_and_keys_are_variables(dataset):
    assert len(set(dataset.columns)) == len(dataset.columns)
    assert set(dataset.keys) <= set(dataset.columns)


def test_every_khetrial_adsl_column_has_one_adam_variable():
    assert set(ADSL_NAMES) == set(ADSL_COLUMNS[2:]) | set(ADSL_EXTRA_COLUMNS)
    names = [name for name, _label, _kind in ADSL_NAMES.values()]
    assert len(set(names)) == len(names)


def test_every_binary_endpoint_is_an_adrs_parameter():
    assert set(RESPONSE_PARAMETERS) == set(BINARY_ENDPOINTS)


def test_sdtm_domains_are_the_issues_list():
    # issue 14: DM, DS, EX, CM, LB, PC, AE, PR, QS, TR (TU/TR/RS or a documented choice), SV, TS
    names = {d.name for d in SDTM_DATASETS}
    assert {"DM", "DS", "EX", "CM", "LB", "PC", "AE", "PR", "QS", "TR", "SV", "TS"} <= names
