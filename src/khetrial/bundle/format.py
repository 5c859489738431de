"""The bundle format as data: every file, column, kind, code list and plausible range.

This module is the single description of ``docs/bundle-format.md`` in code. The reader
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
- ``body_size`` (khetrial extension, optional file): later measurements of weight and height,
  both required per row with the baseline columns' ranges; the bedside advice computes doses
  from the latest one (the baseline when there is none).
- ``medications.dose``/``dose_unit``/``frequency`` may be empty (surgery or embolization as
  ``other_khe_therapy`` has no dose); a ``dose`` needs a ``dose_unit``.
- ``adverse_events.end_date`` may be empty (ongoing); every other adverse-event cell is required.
- ``qol.response`` may be empty (item unanswered); ``screening.reason`` and
  ``screening.patient_id`` may be empty; ``disposition.reason`` is checked against ``status``.
"""

from __future__ import annotations

import datetime
import re
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
    identifier: bool = False

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
        if self.identifier:
            return f"{self.name} must be {IDENTIFIER_RULE}"
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


# --- code lists (spec: docs/bundle-format.md) -------------------------------------------
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

# --- identifiers (project choice): one pattern for patient, site and screening ids everywhere --
#: Longest identifier; the database columns' ``max_length`` (models), the forms, the API, the
#: import and the URL converters all use it.
ID_MAX_LENGTH = 40
#: A letter or digit, then letters, digits, ``.``, ``_`` or ``-``: safe in a URL path segment,
#: a file name and a spreadsheet cell (no ``/``, no space, no leading ``=+-@``).
ID_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ID_MAX_LENGTH - 1}}}")
#: The same pattern for Django's URL converters (``regex`` attribute).
ID_URL_REGEX = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ID_MAX_LENGTH - 1}}}"
#: Words an identifier may not be (any case): the arm codes, so that no id reads as an arm.
RESERVED_IDS = frozenset(code.lower() for code in ARMS)
IDENTIFIER_RULE = (f"1–{ID_MAX_LENGTH} characters: letters, digits, '.', '_' or '-', starting "
                   f"with a letter or digit, and not an arm code ({', '.join(ARMS)})")

# --- plausible dates (project choice) ------------------------------------------------------------
#: The earliest plausible date of any bundle or database date (no child of this trial, nor any
#: of its data, is older): "1990-01-01 … today".
EARLIEST_DATE = datetime.date(1990, 1, 1)
#: The latest date pandas' datetime64[ns] holds (2262-04-11): a later date could never be
#: exported; used when no "today" is given (library calls that do not check the future).
LATEST_STORABLE_DATE = datetime.date(2262, 4, 11)
#: Dates that may lie after today because they are planned, not observed (project choice): the
#: end of a medication course as prescribed (TMP-SMX "at least during the first 6 months" is
#: entered with its planned end). They are still bounded by LATEST_STORABLE_DATE.
PLANNED_DATE_COLUMNS = frozenset({("medications", "end_date")})


@dataclass(frozen=True)
class StudyDayFloor:
    """The earliest study day (date − randomization_date) a dated row may have, and why."""

    day: int | None  # None = any day after birth (history, e.g. prior therapy courses)
    why: str


#: (table, date column) -> the earliest study day allowed. Rows dated before randomization
#: only where the analysis plan uses them (baseline windows) or they are history (prior
#: therapy courses). Other patient-dated columns of a table start at day 0 (randomization).
STUDY_DAY_FLOORS = MappingProxyType({
    ("labs", "date"): StudyDayFloor(-14, "baseline labs on days −14…0 (analysis plan)"),
    ("mri", "date"): StudyDayFloor(-30, "the baseline MRI on days −30…0 (analysis plan)"),
    ("qol", "date"): StudyDayFloor(-30, "the baseline PedsQL on days −30…0 (analysis plan)"),
    ("medications", "start_date"): StudyDayFloor(None, "prior therapy courses (history)"),
    ("medications", "end_date"): StudyDayFloor(None, "prior therapy courses (history)"),
    ("transfusions", "date"): StudyDayFloor(None, "transfusion history (the plan counts days "
                                                  "0…365)"),
    ("adverse_events", "end_date"): StudyDayFloor(None, "checked against onset_date"),
})
DEFAULT_STUDY_DAY_FLOOR = StudyDayFloor(0, "study data start at randomization (day 0)")

#: Plausible maximum of a recorded dose by unit (project choice: above every dose of the drugs
#: of this trial and of other KHE therapies, e.g. a methylprednisolone pulse of 30 mg/kg).
DOSE_MAX_BY_UNIT = MappingProxyType({"mg_kg": 100.0, "mg_m2": 3000.0, "mg": 5000.0})

_PID = ColumnSpec("patient_id", TEXT, identifier=True)
# Body size: the baseline (patients.csv) and every later measurement (body_size.csv) alike.
_WEIGHT = ColumnSpec("weight_kg", NUMBER, low=0.5, high=80, unit="kg")
_HEIGHT = ColumnSpec("height_cm", NUMBER, low=30, high=180, unit="cm")

TABLE_SPECS: MappingProxyType[str, TableSpec] = MappingProxyType({t.name: t for t in (
    TableSpec("patients", True, (
        _PID,
        ColumnSpec("site_id", TEXT, identifier=True),
        ColumnSpec("sex", CODE, codes=SEXES),
        ColumnSpec("birth_date", DATE),
        ColumnSpec("randomization_date", DATE),
        ColumnSpec("arm", CODE, codes=ARMS),
        _WEIGHT,
        _HEIGHT,
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
    # khetrial extension of the interchange format: later body-size measurements (the baseline
    # is in patients.csv); both values required per row, with the baseline columns' ranges
    TableSpec("body_size", False, (
        _PID,
        ColumnSpec("date", DATE),
        _WEIGHT,
        _HEIGHT,
    )),
    TableSpec("medications", True, (
        _PID,
        ColumnSpec("drug", CODE, codes=DRUGS),
        ColumnSpec("start_date", DATE),
        ColumnSpec("end_date", DATE, required=False),
        ColumnSpec("dose", NUMBER, required=False, low=0),  # maximum by unit: DOSE_MAX_BY_UNIT
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
        ColumnSpec("screening_id", TEXT, identifier=True),
        ColumnSpec("site_id", TEXT, identifier=True),
        ColumnSpec("date", DATE),
        ColumnSpec("eligible", FLAG),
        ColumnSpec("reason", TEXT, required=False),
        ColumnSpec("patient_id", TEXT, required=False, identifier=True),
    )),
)})

#: khetrial's own extensions of the interchange format. Without rows (and without extra
#: columns) such a table has no file: the bundle writer leaves it out and the results' checksums
#: do not list it, so data without them give the interchange format's files and checksums
#: unchanged (:func:`has_file`).
EXTENSION_TABLES = frozenset({"body_size"})


def has_file(name: str, frame: pd.DataFrame) -> bool:
    """Whether the table ``name`` holding ``frame`` is written as a file: always, except an
    extension table (:data:`EXTENSION_TABLES`) with no rows and no extra columns. A header with
    extra columns is kept even without rows (extra columns are written back; an absent file
    would lose them)."""
    if name not in EXTENSION_TABLES or len(frame):
        return True
    return not set(frame.columns) <= {col.name for col in TABLE_SPECS[name].columns}

TABLE_NAMES: tuple[str, ...] = tuple(TABLE_SPECS)
REQUIRED_TABLES: tuple[str, ...] = tuple(n for n, t in TABLE_SPECS.items() if t.required)

#: (table, end column, start column): an end date must not come before its start date.
DATE_ORDER_RULES = (
    ("medications", "end_date", "start_date"),
    ("adverse_events", "end_date", "onset_date"),
)
