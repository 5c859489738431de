"""The bundle format as data: every file, column, kind, code list and plausible range.

This module is the single description of ``shared/spec/bundle-format.md`` in code. The reader
(:mod:`khetrial.bundle.io`), the validator (:mod:`khetrial.bundle.validate`) and the database
import/export all read it; none of them repeats a column name, a code list or a range.

Column kinds and the pandas dtype each becomes (see :data:`DTYPES`):

==========  ==========================================  =====================
kind        cell in the CSV                             pandas dtype
==========  ==========================================  =====================
``text``    any text                                    ``"string"``
``code``    one of a closed code list (``codes``)       ``CategoricalDtype``
                                                        (categories = codes,
                                                        unordered)
``date``    ISO calendar date ``YYYY-MM-DD``            ``datetime64[ns]``
``number``  decimal number with ``.``                   ``float64``
``integer`` whole number                                ``"Int64"``
``flag``    ``0`` or ``1``                              ``"Int64"``
==========  ==========================================  =====================

An empty cell is a missing value (``<NA>``, ``NaN`` or ``NaT``). ``required=True`` means the
cell must not be empty; such a column must also be present in the header. A column whose cells
may be empty (``required=False``) may be left out of the file altogether (read as all-missing).

Choices this module makes where the spec is silent (documented for data managers):

- ``weight_kg`` and ``height_cm`` are required: they are the baseline body size every dose
  rule needs.
- ``medications.dose``/``dose_unit``/``frequency`` may be empty (surgery or embolization as
  ``other_khe_therapy`` has no dose); a ``dose`` needs a ``dose_unit``.
- ``adverse_events.end_date`` may be empty (ongoing); every other adverse-event cell is required.
- ``qol.response`` may be empty (item unanswered); ``screening.reason`` and
  ``screening.patient_id`` may be empty; ``disposition.reason`` is checked against ``status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

TEXT, CODE, DATE, NUMBER, INTEGER, FLAG = "text", "code", "date", "number", "integer", "flag"
KINDS = (TEXT, CODE, DATE, NUMBER, INTEGER, FLAG)
FLAG_CODES = ("0", "1")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a bundle file.

    ``low``/``high`` bound a plausible value (inclusive; ``None`` = unbounded) in ``unit``.
    ``codes`` is the closed code list of a ``code`` column.
    """

    name: str
    kind: str
    required: bool = True
    codes: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    unit: str = ""

    @property
    def dtype(self):
        """The canonical pandas dtype of this column."""
        if self.kind == CODE:
            return pd.CategoricalDtype(list(self.codes), ordered=False)
        return DTYPES[self.kind]

    def allowed(self) -> str:
        """What is allowed in this column, in words ("weight_kg must be 0.5–80 kg")."""
        if self.kind == CODE:
            return f"{self.name} must be one of {', '.join(self.codes)}"
        if self.kind == FLAG:
            return f"{self.name} must be 0 or 1"
        return f"{self.name} must be {describe_range(self.low, self.high, self.unit)}"


@dataclass(frozen=True)
class TableSpec:
    """One file of a bundle: ``<name>.csv``, whether the file must exist, its columns."""

    name: str
    required: bool
    columns: tuple[ColumnSpec, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


DTYPES = MappingProxyType({
    TEXT: pd.StringDtype(),
    DATE: "datetime64[ns]",
    NUMBER: "float64",
    INTEGER: "Int64",
    FLAG: "Int64",
})


def describe_range(low: float | None, high: float | None, unit: str = "") -> str:
    """``0–2000 ×10⁹/L``, ``≥ 0 mg``, ``a number`` ... for messages."""
    def fmt(x: float) -> str:
        return f"{x:g}"

    suffix = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}{suffix}"
    if low is not None:
        return f"≥ {fmt(low)}{suffix}"
    if high is not None:
        return f"≤ {fmt(high)}{suffix}"
    return "a number"


# --- code lists (spec: shared/spec/bundle-format.md) -------------------------------------------
SEXES = ("F", "M")
ARMS = ("SP", "S")
LESION_DEPTHS = ("superficial", "mixed", "deep")
LESION_SITES = ("head_neck", "trunk", "extremity", "retroperitoneal", "intrathoracic", "other")
LAB_TESTS = ("platelets", "fibrinogen", "d_dimer", "hemoglobin", "alt", "ast")
DRUGS = ("sirolimus", "prednisolone", "other_khe_therapy", "tmp_smx")
DOSE_UNITS = ("mg_m2", "mg_kg", "mg")
FREQUENCIES = ("bid", "qd", "tiw_bid")
PRODUCTS = ("ffp", "cryoprecipitate", "red_cells", "platelets")
SEQUELAE = ("lymphedema", "decreased_rom", "chronic_pain", "scoliosis", "leg_length_discrepancy")
STATUSES = ("completed", "discontinued")
DISCONTINUATION_REASONS = ("lack_of_efficacy", "progression", "parent_request", "toxicity",
                           "lost_to_follow_up", "other")
AE_ACTIONS = ("none", "dose_reduced", "interrupted", "withdrawn")


@dataclass(frozen=True)
class LabRange:
    """Plausible range of one laboratory test (spec table of labs.csv)."""

    low: float
    high: float
    unit: str


LAB_RANGES = MappingProxyType({
    "platelets": LabRange(0, 2000, "×10⁹/L"),
    "fibrinogen": LabRange(0, 10, "g/L"),
    "d_dimer": LabRange(0, 100, "µg/mL"),
    "hemoglobin": LabRange(10, 250, "g/L"),
    "alt": LabRange(0, 5000, "U/L"),
    "ast": LabRange(0, 5000, "U/L"),
})

_PID = ColumnSpec("patient_id", TEXT)

TABLE_SPECS: MappingProxyType[str, TableSpec] = MappingProxyType({t.name: t for t in (
    TableSpec("patients", True, (
        _PID,
        ColumnSpec("site_id", TEXT),
        ColumnSpec("sex", CODE, codes=SEXES),
        ColumnSpec("birth_date", DATE),
        ColumnSpec("randomization_date", DATE),
        ColumnSpec("arm", CODE, codes=ARMS),
        ColumnSpec("weight_kg", NUMBER, low=0.5, high=80, unit="kg"),
        ColumnSpec("height_cm", NUMBER, low=30, high=180, unit="cm"),
        ColumnSpec("lesion_depth", CODE, codes=LESION_DEPTHS),
        ColumnSpec("lesion_site", CODE, codes=LESION_SITES),
        ColumnSpec("kmp_onset_date", DATE, required=False),
        ColumnSpec("biopsy", FLAG),
    )),
    TableSpec("labs", True, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("test", CODE, codes=LAB_TESTS),
        ColumnSpec("value", NUMBER),  # range depends on the test: LAB_RANGES
    )),
    TableSpec("drug_levels", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("sirolimus_trough_ng_ml", NUMBER, low=0, high=200, unit="ng/mL"),
    )),
    TableSpec("medications", True, (
        _PID,
        ColumnSpec("drug", CODE, codes=DRUGS),
        ColumnSpec("start_date", DATE),
        ColumnSpec("end_date", DATE, required=False),
        ColumnSpec("dose", NUMBER, required=False, low=0),
        ColumnSpec("dose_unit", CODE, required=False, codes=DOSE_UNITS),
        ColumnSpec("frequency", CODE, required=False, codes=FREQUENCIES),
    )),
    TableSpec("mri", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("lesion_volume_ml", NUMBER, low=0, high=5000, unit="mL"),
    )),
    TableSpec("qol", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("instrument", TEXT),
        ColumnSpec("scale", TEXT),
        ColumnSpec("item", TEXT),
        ColumnSpec("response", INTEGER, required=False, low=0, high=4),
    )),
    TableSpec("adverse_events", False, (
        _PID,
        ColumnSpec("term", TEXT),
        ColumnSpec("onset_date", DATE),
        ColumnSpec("end_date", DATE, required=False),
        ColumnSpec("grade", INTEGER, low=1, high=5),
        ColumnSpec("serious", FLAG),
        ColumnSpec("related", FLAG),
        ColumnSpec("action", CODE, codes=AE_ACTIONS),
    )),
    TableSpec("transfusions", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("product", CODE, codes=PRODUCTS),
    )),
    TableSpec("sequelae", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("sequela", CODE, codes=SEQUELAE),
        ColumnSpec("present", FLAG),
    )),
    TableSpec("disposition", False, (
        _PID,
        ColumnSpec("date", DATE),
        ColumnSpec("status", CODE, codes=STATUSES),
        ColumnSpec("reason", CODE, required=False, codes=DISCONTINUATION_REASONS),
    )),
    TableSpec("screening", False, (
        ColumnSpec("screening_id", TEXT),
        ColumnSpec("site_id", TEXT),
        ColumnSpec("date", DATE),
        ColumnSpec("eligible", FLAG),
        ColumnSpec("reason", TEXT, required=False),
        ColumnSpec("patient_id", TEXT, required=False),
    )),
)})

TABLE_NAMES: tuple[str, ...] = tuple(TABLE_SPECS)
REQUIRED_TABLES: tuple[str, ...] = tuple(n for n, t in TABLE_SPECS.items() if t.required)

#: (table, end column, start column): an end date must not come before its start date.
DATE_ORDER_RULES = (
    ("medications", "end_date", "start_date"),
    ("adverse_events", "end_date", "onset_date"),
)
