"""Write datasets as SAS transport v5 files (``dm.xpt``) and CSV (``dm.csv``), after checking
the v5 / FDA limits: names ≤ 8 characters, labels ≤ 40, text values ≤ 200 bytes, ASCII.

:func:`check_dataset` returns every problem it finds; :func:`write_datasets` raises one
:class:`~khetrial.errors.AnalysisError` listing them, before writing anything.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from khetrial.errors import AnalysisError
from khetrial.standards.metadata import MAX_LABEL, MAX_NAME, MAX_TEXT, Dataset

XPORT_VERSION = 5  # SAS transport v5: what FDA accepts for SDTM/ADaM submissions


def check_dataset(dataset: Dataset, data: pd.DataFrame) -> list[str]:
    """Every way ``data`` breaks the transport limits or differs from ``dataset``'s variables."""
    problems = []
    if list(data.columns) != dataset.columns:
        problems.append(f"{dataset.name}: got columns {list(data.columns)}; expected "
                        f"{dataset.columns} (khetrial/standards/metadata.py)")
    for name, limit, what in ((dataset.name, MAX_NAME, "dataset name"),
                              (dataset.label, MAX_LABEL, "dataset label")):
        if len(name) > limit:
            problems.append(f"{what} {name!r} has {len(name)} characters; at most {limit} allowed")
    for var in dataset.variables:
        if len(var.name) > MAX_NAME or not var.name.isalnum() or not var.name[0].isalpha():
            problems.append(f"{dataset.name}.{var.name}: a variable name must be 1–{MAX_NAME} "
                            "letters and digits starting with a letter")
        if len(var.label) > MAX_LABEL:
            problems.append(f"{dataset.name}.{var.name}: label {var.label!r} has "
                            f"{len(var.label)} characters; at most {MAX_LABEL} allowed")
        if not var.numeric and var.name in data.columns:
            problems.extend(_text_problems(dataset.name, var.name, data[var.name]))
    return problems


def _text_problems(dataset: str, name: str, values: pd.Series) -> list[str]:
    text = values.astype(str)
    encoded = text.map(lambda v: len(v.encode("utf-8")))
    out = []
    if len(text) and encoded.max() > MAX_TEXT:
        row = int(encoded.to_numpy().argmax())
        out.append(f"{dataset}.{name} row {row + 1}: got a value of {int(encoded.max())} bytes; "
                   f"at most {MAX_TEXT} allowed in a transport file")
    not_ascii = text[~text.map(str.isascii)]
    if len(not_ascii):
        out.append(f"{dataset}.{name}: got non-ASCII text {not_ascii.iloc[0]!r}; "
                   "transport v5 files hold ASCII only")
    return out


def write_xpt(dataset: Dataset, data: pd.DataFrame, path: Path) -> None:
    """One dataset as a SAS transport v5 file (member name = dataset name)."""
    pyreadstat.write_xport(data, str(path), file_label=dataset.label,
                           column_labels=[v.label for v in dataset.variables],
                           table_name=dataset.name, file_format_version=XPORT_VERSION)


def write_csv(data: pd.DataFrame, path: Path) -> None:
    """One dataset as CSV: empty cells for missing values, numbers as written."""
    data.to_csv(path, index=False, lineterminator="\n")


def write_datasets(datasets: tuple[Dataset, ...], data: dict[str, pd.DataFrame], folder: str | Path,
                   formats: tuple[str, ...] = ("xpt", "csv")) -> list[Path]:
    """Check then write every dataset as ``<name>.xpt`` and/or ``<name>.csv`` (lower-case names,
    as submissions expect) into ``folder``; returns the files written."""
    problems = [p for d in datasets for p in check_dataset(d, data[d.name])]
    if problems:
        raise AnalysisError("cannot write the datasets:\n  - " + "\n  - ".join(problems))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in datasets:
        for fmt in formats:
            path = folder / f"{dataset.name.lower()}.{fmt}"
            if fmt == "xpt":
                write_xpt(dataset, data[dataset.name], path)
            else:
                write_csv(data[dataset.name], path)
            written.append(path)
    return written
