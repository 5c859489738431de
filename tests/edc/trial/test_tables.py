"""The one table -> model mapping (khetrial.edc.trial.tables), read from the bundle format."""

from __future__ import annotations

import pytest

from khetrial.bundle.format import TABLE_NAMES
from khetrial.edc.trial import models
from khetrial.edc.trial.tables import CLINICAL_TABLE_NAMES, MODEL_NAMES, model_of, table_of

# bundle-format.md: the ten files of one patient's data (every file but patients and screening;
# body_size is khetrial's extension)
TEN = ("labs", "drug_levels", "body_size", "medications", "mri", "qol", "adverse_events",
       "transfusions", "sequelae", "disposition")


def test_every_bundle_table_has_a_model_in_bundle_order():
    assert tuple(MODEL_NAMES) == TABLE_NAMES


def test_the_clinical_tables_are_the_ten_files_of_a_patients_data():
    assert CLINICAL_TABLE_NAMES == TEN


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_model_of_and_table_of_are_inverse(table):
    assert table_of(model_of(table)) == table


def test_a_model_without_a_bundle_table_is_named_in_the_error():
    with pytest.raises(KeyError, match="Site holds no bundle table"):
        table_of(models.Site)
