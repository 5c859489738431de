"""SAS transport v5 and CSV files read back to the same values (khetrial.standards.xport)."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from khetrial.errors import AnalysisError
from khetrial.standards.adam_metadata import ADAM_DATASETS
from khetrial.standards.metadata import SDTM_DATASETS, TEXT, Dataset, Variable
from khetrial.standards.xport import check_dataset, write_datasets


def assert_reads_back(dataset, data: pd.DataFrame, folder) -> None:
    back, meta = pyreadstat.read_xport(str(folder / f"{dataset.name.lower()}.xpt"))
    assert meta.table_name == dataset.name and meta.file_label == dataset.label
    assert meta.column_names == dataset.columns
    assert meta.column_labels == [v.label for v in dataset.variables]
    assert max(meta.variable_storage_width.values()) <= 200
    csv = pd.read_csv(folder / f"{dataset.name.lower()}.csv", dtype=str, keep_default_na=False)
    for var in dataset.variables:
        if var.numeric:
            expected = data[var.name].astype("float64").to_numpy()
            pd.testing.assert_series_equal(back[var.name].astype("float64"),
                                           pd.Series(expected, name=var.name), check_names=False)
        else:
            assert back[var.name].fillna("").tolist() == data[var.name].tolist(), var.name
            assert csv[var.name].tolist() == data[var.name].tolist(), var.name


@pytest.fixture(scope="module")
def written(demo_sdtm, demo_adam, tmp_path_factory):
    sdtm = tmp_path_factory.mktemp("sdtm")
    adam = tmp_path_factory.mktemp("adam")
    write_datasets(SDTM_DATASETS, demo_sdtm, sdtm)
    write_datasets(ADAM_DATASETS, demo_adam, adam)
    return sdtm, adam


@pytest.mark.parametrize("dataset", SDTM_DATASETS, ids=lambda d: d.name)
def test_sdtm_files_read_back_to_the_same_values(dataset, demo_sdtm, written):
    assert_reads_back(dataset, demo_sdtm[dataset.name], written[0])


@pytest.mark.parametrize("dataset", ADAM_DATASETS, ids=lambda d: d.name)
def test_adam_files_read_back_to_the_same_values(dataset, demo_adam, written):
    assert_reads_back(dataset, demo_adam[dataset.name], written[1])


TINY = Dataset("XX", "Tiny", "FINDINGS", "test", ("A",), (Variable("A", "A text", TEXT),))


@pytest.mark.parametrize(("dataset", "values", "message"), [
    (TINY, ["x" * 201], "201 bytes; at most 200"),
    (TINY, ["µg"], "non-ASCII"),
    (Dataset("XX", "Tiny", "F", "t", (), (Variable("TOOLONGNAME", "x"),)), ["a"], "1–8 letters"),
    (Dataset("XX", "Tiny", "F", "t", (), (Variable("A", "x" * 41),)), ["a"], "41 characters"),
])
def test_limits_are_checked_before_writing(dataset, values, message, tmp_path):
    data = pd.DataFrame({dataset.variables[0].name: values})
    assert any(message in p for p in check_dataset(dataset, data))
    with pytest.raises(AnalysisError, match="cannot write the datasets"):
        write_datasets((dataset,), {"XX": data}, tmp_path)
    assert not list(tmp_path.iterdir())
