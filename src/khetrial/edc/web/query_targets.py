"""What a data query can be raised on: a patient's tables, rows and fields, as the user sees them.

The query form offers these to pick from (never to type), and refuses anything else with a
message saying what was got and what exists. Everything is read through the user's
:class:`~khetrial.edc.web.blinding.Disclosure`: a table or field it may not see is not a target.
One query per table, whatever the number of rows. Tables, fields and values are named from the
label source in the request's language (:mod:`khetrial.edc.web.labels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from khetrial.edc.web.labels import field_label, table_label, value_label
from khetrial.edc.web.tables import CLINICAL_TABLES, PATIENTS

KEY_FIELDS = ("patient_id", "patient", "site", "id", "voided")  # not values one queries


@dataclass(frozen=True)
class QueryTargets:
    """``tables``: name -> title (translated); ``rows``: table -> {record id: row as the user
    sees it}; ``fields``: table -> the columns one may query."""

    tables: dict[str, str]
    rows: dict[str, dict[str, dict]] = field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_fields: dict[str, str] = field(default_factory=dict)

    def row_label(self, table: str, record_id: str) -> str:
        row = self.rows.get(table, {}).get(record_id)
        if row is None:
            return ""
        date_field = self.date_fields.get(table, "")
        when = value_label(table, date_field, row.get(date_field, "") or "")
        shown = [f"{value_label(table, f, row[f])}" for f in self.fields[table]
                 if f != date_field and row.get(f) not in (None, "")][:2]
        return " · ".join(p for p in (f"#{record_id}", str(when), *shown) if p)

    def field_label(self, table: str, name: str) -> str:
        """A field of ``table`` as the user reads it ("Weight (kg)"), in the request's language."""
        return field_label(table, name)

    def value(self, table: str, record_id: str, name: str):
        """The value of ``name`` in that row as the user sees it (None when unknown)."""
        return self.rows.get(table, {}).get(record_id, {}).get(name)


def query_targets(disclosure, patient) -> QueryTargets:
    """The tables, rows (not voided) and fields of ``patient`` that ``disclosure`` may see."""
    tables = {PATIENTS.name: table_label(PATIENTS.name)}
    rows = {PATIENTS.name: {str(patient.pk): disclosure.row(PATIENTS.name, patient)}}
    fields = {PATIENTS.name: tuple(f for f in disclosure.fields(PATIENTS.name)
                                   if f not in KEY_FIELDS)}
    dates = {PATIENTS.name: PATIENTS.date_field}
    for name, table in CLINICAL_TABLES.items():
        if not disclosure.may_see(name):
            continue
        qs = (disclosure.records(name).filter(patient=patient, voided=False)
              .order_by(table.date_field, "seq", "id"))
        tables[name] = table_label(name)
        rows[name] = {str(r["id"]): r for r in disclosure.rows(name, qs)}
        fields[name] = tuple(f for f in disclosure.fields(name) if f not in KEY_FIELDS)
        dates[name] = table.date_field
    return QueryTargets(tables, rows, fields, dates)
