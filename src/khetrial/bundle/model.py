"""The :class:`Bundle`: one pandas DataFrame per file of a trial data bundle."""

from __future__ import annotations

from dataclasses import dataclass, field, replace as dc_replace
from pathlib import Path

import pandas as pd

from khetrial.bundle.coerce import coerce_table, empty_table
from khetrial.bundle.format import TABLE_NAMES, TABLE_SPECS
from khetrial.errors import BundleError, Problem


def _empty(name: str):
    return field(default_factory=lambda: empty_table(name))


@dataclass(frozen=True, eq=False)
class Bundle:
    """All patient-level data of one trial, one DataFrame per bundle file.

    Every table has the spec columns in spec order and canonical dtypes (see
    :mod:`khetrial.bundle`), rows in file order with a fresh RangeIndex, then any extra columns
    as ``"string"``. Build one with :meth:`from_tables` (which coerces) or
    :func:`khetrial.bundle.read_bundle`; ``source`` is the folder it was read from, if any.
    """

    patients: pd.DataFrame = _empty("patients")
    labs: pd.DataFrame = _empty("labs")
    drug_levels: pd.DataFrame = _empty("drug_levels")
    body_size: pd.DataFrame = _empty("body_size")
    medications: pd.DataFrame = _empty("medications")
    mri: pd.DataFrame = _empty("mri")
    qol: pd.DataFrame = _empty("qol")
    adverse_events: pd.DataFrame = _empty("adverse_events")
    transfusions: pd.DataFrame = _empty("transfusions")
    sequelae: pd.DataFrame = _empty("sequelae")
    disposition: pd.DataFrame = _empty("disposition")
    screening: pd.DataFrame = _empty("screening")
    source: Path | None = None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in :data:`TABLE_NAMES` order."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    @classmethod
    def from_tables(cls, source: Path | None = None, **frames: pd.DataFrame | None) -> Bundle:
        """A bundle from DataFrames named like the files (``patients=...``, ``labs=...``);
        each is coerced to the canonical dtypes, missing tables and columns are empty.

        Raises :class:`BundleError` for an unknown table name or values that cannot be
        converted (text in a number column, a code outside its list...). Ranges and cross-file
        rules are not checked here: write the bundle and validate it for that.
        """
        return cls(source=source, **_coerce_all(frames))

    def replace(self, **frames: pd.DataFrame | None) -> Bundle:
        """A copy with the named tables swapped for (coerced) new ones."""
        return dc_replace(self, **_coerce_all(frames))

    def equals(self, other: Bundle) -> bool:
        """Same tables (values, dtypes, column order); ``source`` is not compared."""
        return all(a.equals(b) and list(a.columns) == list(b.columns)
                   and list(a.dtypes) == list(b.dtypes)
                   for a, b in zip(self.tables.values(), other.tables.values()))

    def counts(self) -> dict[str, int]:
        """Number of rows of every table."""
        return {name: len(frame) for name, frame in self.tables.items()}

    def __repr__(self) -> str:
        rows = ", ".join(f"{n}={c}" for n, c in self.counts().items() if c)
        return f"Bundle({rows or 'empty'}{', source=' + str(self.source) if self.source else ''})"


def _coerce_all(frames: dict[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame]:
    problems: list[Problem] = []
    out = {}
    for name, frame in frames.items():
        if name not in TABLE_SPECS:
            problems.append(Problem(f"{name}.csv", None, None, None,
                                    f"unknown table {name!r}; expected one of {', '.join(TABLE_NAMES)}"))
            continue
        if frame is not None and not isinstance(frame, pd.DataFrame):
            problems.append(Problem(f"{name}.csv", None, None, type(frame).__name__,
                                    "expected a pandas DataFrame or None"))
            continue
        out[name], found = coerce_table(name, frame)
        problems.extend(found)
    if problems:
        raise BundleError(problems, source="tables given to Bundle")
    return out

