"""The analysis datasets as SPSS (``.sav``) or Stata (``.dta``) files with variable and value
labels, as REDCap's statistical-package exports do.

A variable with a code list becomes numeric codes 1…k (in code-list order) whose value labels
are the submission values' decodes (``1 = Sirolimus + prednisolone``); Y/N flags become 1/0
labelled Yes/No. Other variables keep their values; labels are the metadata labels.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from khetrial.standards import terminology as ct
from khetrial.standards.metadata import Dataset, Variable

WRITERS = {"spss": ("sav", pyreadstat.write_sav), "stata": ("dta", pyreadstat.write_dta)}


def value_labels(variable: Variable) -> dict[int, str]:
    """The numeric codes of a code-list variable and their labels (``{1: "Female", ...}``);
    ``{1: "Yes", 0: "No"}`` for a Y/N flag."""
    code_list = variable.codelist
    if code_list is ct.NY:
        return {1: "Yes", 0: "No"}
    return {i: code_list.decodes.get(v, v) for i, v in enumerate(code_list.values, start=1)}


def compute_codes(variable: Variable, values: pd.Series) -> pd.Series:
    """Submission values as the numeric codes of :func:`value_labels` (NaN when empty)."""
    labels = value_labels(variable)
    if variable.codelist is ct.NY:
        lookup = {"Y": 1.0, "N": 0.0}
    else:
        lookup = {v: float(code) for code, v in zip(labels, variable.codelist.values)}
    return values.astype(str).map(lookup).astype("float64")


def labelled_frame(dataset: Dataset, data: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    """``(frame, column labels, value labels)`` of one dataset, ready for pyreadstat."""
    out = {}
    labels = {}
    for var in dataset.variables:
        values = data[var.name]
        if var.codelist is not None:
            out[var.name] = compute_codes(var, values)
            labels[var.name] = value_labels(var)
        elif var.numeric:
            out[var.name] = values.astype("float64")
        else:
            out[var.name] = values.astype(str)
    return pd.DataFrame(out), {v.name: v.label for v in dataset.variables}, labels


def write_labelled(datasets: tuple[Dataset, ...], data: dict[str, pd.DataFrame], folder: str | Path,
                   package: str) -> list[Path]:
    """Write each dataset as ``<name>.sav`` (``package="spss"``) or ``<name>.dta`` (``"stata"``)."""
    suffix, write = WRITERS[package]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in datasets:
        frame, column_labels, values = labelled_frame(dataset, data[dataset.name])
        path = folder / f"{dataset.name.lower()}.{suffix}"
        write(frame, str(path), column_labels=column_labels, variable_value_labels=values)
        written.append(path)
    return written
