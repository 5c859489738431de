"""The tables the web application shows and edits, derived from the bundle format.

Names, order and fields come from :data:`khetrial.bundle.format.TABLE_SPECS`
(``docs/bundle-format.md``), the model of each table from
:mod:`khetrial.edc.trial.tables`, the titles (English) from :mod:`khetrial.bundle.labels`
(translated where shown: :func:`khetrial.edc.web.labels.table_label`). A field is the
bundle column's name, except the key columns, shown as their objects (``site_id`` -> ``site``,
``patient_id`` -> ``patient``). The order is the order of columns in pages, CSV exports and API
responses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from khetrial.bundle.format import DATE, TABLE_NAMES, TABLE_SPECS
from khetrial.bundle.labels import TABLE_LABELS
from khetrial.edc.trial.tables import (CLINICAL_TABLE_NAMES, MODEL_NAMES, PATIENT_KEY, SITE_KEY,
                                       model_of)

DATE_FIELDS = {"patients": "randomization_date"}  # else the table's first date column


@dataclass(frozen=True)
class Table:
    name: str  # bundle file name without .csv
    model: str  # model class in khetrial.edc.trial.models
    fields: tuple[str, ...]
    title: str
    date_field: str = "date"

    def model_class(self):
        return model_of(self.name)


def _fields(table: str) -> tuple[str, ...]:
    """The table's columns as model fields; a clinical table's ``patient_id`` is implied."""
    return tuple(_field(table, name) for name in TABLE_SPECS[table].column_names
                 if not (name == PATIENT_KEY and table in CLINICAL_TABLE_NAMES))


def _field(table: str, column: str) -> str:
    """``site_id`` -> ``site`` (and ``patient_id`` -> ``patient`` outside the patients file)."""
    if column == SITE_KEY or (column == PATIENT_KEY and table != "patients"):
        return column.removesuffix("_id")
    return column


def _table(name: str) -> Table:
    dates = [c.name for c in TABLE_SPECS[name].columns if c.kind == DATE]
    return Table(name, MODEL_NAMES[name], _fields(name),
                 TABLE_LABELS.get(name, name.replace("_", " ").capitalize()),
                 date_field=DATE_FIELDS.get(name, dates[0]))


ALL_TABLES: dict[str, Table] = {name: _table(name) for name in TABLE_NAMES}
CLINICAL_TABLES: dict[str, Table] = {name: ALL_TABLES[name] for name in CLINICAL_TABLE_NAMES}
PATIENTS = ALL_TABLES["patients"]
SCREENING = ALL_TABLES["screening"]
PATIENT_FIELDS = PATIENTS.fields
TABLE_OF_MODEL: dict[str, str] = {t.model.lower(): t.name for t in ALL_TABLES.values()}


def table(name: str) -> Table:
    try:
        return ALL_TABLES[name]
    except KeyError:
        raise Http404("no such table") from None
