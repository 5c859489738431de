"""The bundle's human labels, translated: where the EDC wing turns names into words.

:mod:`khetrial.bundle.labels` holds the English labels (marked for the catalogue); this module
translates them into the request's language (``gettext``) or lazily for form fields built
before a language is active (``gettext_lazy``). Forms, page tables, the patient timeline and the
audit trail ask here; no template or view writes a column's label itself.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from khetrial.bundle import labels as source
from khetrial.bundle.format import DATE, TABLE_SPECS
from khetrial.constants import TMP_SMX_DOSE_MG_KG, TMP_SMX_MIN_MONTHS
from khetrial.edc.web.tables import TABLE_OF_MODEL
from khetrial.protocol.eligibility import CRITERIA

#: The audit trail's columns (``Disclosure.audit_row`` keys) as headings.
AUDIT_COLUMN_LABELS = {
    "at": gettext_lazy("Time (UTC)"), "actor": gettext_lazy("User"), "role": gettext_lazy("Role"),
    "action": gettext_lazy("Action"), "form": gettext_lazy("Form"),
    "patient_id": gettext_lazy("Patient number"), "site": gettext_lazy("Site"),
    "field": gettext_lazy("Field"), "old": gettext_lazy("Before"), "new": gettext_lazy("After"),
    "reason": gettext_lazy("Reason"), "detail": gettext_lazy("Detail"),
    "date_from": gettext_lazy("From"), "date_to": gettext_lazy("To"),
}
#: The audit trail's actions (``AuditEntry.action``) in words.
AUDIT_ACTIONS = {
    "create": gettext_lazy("record added"), "change": gettext_lazy("value corrected"),
    "void": gettext_lazy("record voided"), "delete": gettext_lazy("record deleted"),
    "randomize": gettext_lazy("randomization"), "login": gettext_lazy("log in"),
    "logout": gettext_lazy("log out"), "login_failed": gettext_lazy("failed log in"),
    "export": gettext_lazy("export"), "lock": gettext_lazy("database locked"),
    "unlock": gettext_lazy("database unlocked"), "query": gettext_lazy("data query"),
    "role_change": gettext_lazy("account change"),
    "unblind_request": gettext_lazy("unblinding requested"),
    "unblind_approve": gettext_lazy("unblinding approved"),
    "unblind_reveal": gettext_lazy("allocation revealed"),
    "blinding_guard": gettext_lazy("blinding guard"),
    "allocation_list": gettext_lazy("allocation list"),
}
#: The roles (``accounts.roles``) in words.
ROLE_LABELS = {
    "investigator": gettext_lazy("investigator"), "assessor": gettext_lazy("outcome assessor"),
    "statistician": gettext_lazy("statistician"), "monitor": gettext_lazy("monitor"),
    "admin": gettext_lazy("administrator"),
}


def table_label(table: str) -> str:
    """"Laboratory results" for ``labs`` (translated)."""
    label = source.TABLE_LABELS.get(table)
    return gettext(label) if label else table


def field_label(table: str, field: str, unit: str | None = None) -> str:
    """"Weight (kg)" for ``patients.weight_kg``: the translated label and the unit."""
    label = gettext(source.column_label(table, field))
    unit = source.column_unit(table, field) if unit is None else unit
    return f"{label} ({unit})" if unit else label


def lazy_field_label(table: str, field: str):
    """:func:`field_label` evaluated when shown (a form field built at import or per request)."""
    label = gettext_lazy(source.column_label(table, field))
    unit = source.column_unit(table, field)
    return format_lazy("{} ({})", label, unit) if unit else label


def lazy_code_label(column: str, code: str):
    """The translated label of one code, evaluated when shown."""
    return gettext_lazy(source.code_label(column, code))


def lazy_code_choices(column: str, codes: tuple[str, ...]) -> list[tuple[str, object]]:
    """``[(code, translated label), ...]`` for a choice field."""
    return [(code, lazy_code_label(column, code)) for code in codes]


def value_label(table: str, field: str, value) -> str:
    """A cell as a person reads it: a code's label, yes/no for a flag, a date in the
    language's short format, ``""`` for nothing."""
    if value is None or value == "":
        return ""
    if value is True or value is False:
        return gettext(source.YES_NO["1" if value else "0"])
    if isinstance(value, str) and value in source.CODE_LABELS.get(field, {}):
        return gettext(source.code_label(field, value))
    if isinstance(value, float):
        return f"{value:g}"
    if _is_date(table, field) and isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value


def _is_date(table: str, field: str) -> bool:
    spec = TABLE_SPECS.get(table)
    return spec is not None and field in spec.column_names and spec.column(field).kind == DATE


def audit_table(form: str, detail: str) -> str:
    """The bundle file an audit entry is about (its form, or its model name), or ``""``."""
    if form in source.TABLE_LABELS:
        return form
    return TABLE_OF_MODEL.get(detail, "")


def audit_cell(row: dict, column: str):
    """One cell of the audit trail in words: labels for the action, form, field and codes;
    a row's JSON (an added or voided record) as "label: value" pairs."""
    value = row.get(column, "")
    table = audit_table(row.get("form", ""), row.get("detail", ""))
    if column == "action":
        return AUDIT_ACTIONS.get(value, value)
    if column == "role":
        return ROLE_LABELS.get(value, value)
    if column == "form" and table:
        return table_label(table)
    if column == "field" and table and value and not value.startswith("("):
        return field_label(table, value)
    if column == "detail" and value in TABLE_OF_MODEL:
        return table_label(TABLE_OF_MODEL[value])
    if column in ("old", "new") and table:
        return _audit_value(table, row.get("field", ""), value)
    return value


def _audit_value(table: str, field: str, text: str) -> str:
    if field and not field.startswith("("):
        return value_label(table, field, text)
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return "; ".join(f"{field_label(table, k)}: {value_label(table, k, v)}"
                     for k, v in data.items() if v not in (None, ""))


#: The bedside alerts' severities (``protocol.alerts``) and the visits' states
#: (``protocol.schedule``) in words.
SEVERITY_LABELS = {"critical": gettext_lazy("critical"), "warning": gettext_lazy("warning"),
                   "info": gettext_lazy("information")}
VISIT_STATUS_LABELS = {"upcoming": gettext_lazy("upcoming"), "due": gettext_lazy("due"),
                       "overdue": gettext_lazy("overdue"), "done": gettext_lazy("done")}


def visit_label(visit) -> str:
    """"Week 4", "Baseline", "Year 2" for a visit of ``protocol.schedule`` (translated)."""
    return _visit_name(visit.code, visit.name)


def _visit_name(code: str, name: str) -> str:
    if code == "baseline":
        return gettext("Baseline")
    if code == "year_2":
        return gettext("Year 2")
    week = code.removeprefix("week_")
    return gettext("Week %(week)s") % {"week": week} if week.isdigit() else name


#: Alerts the interface words itself from their details (the visits' windows, the most frequent
#: lines of the dashboard); any other alert shows the protocol's English message.
VISIT_ALERTS = {
    "visit_overdue": gettext_lazy("%(visit)s visit is overdue (window %(start)s to %(end)s)."),
    "visit_due": gettext_lazy("%(visit)s visit is due (window %(start)s to %(end)s)."),
}


#: More alerts worded from their details: the same words as ``protocol.alerts`` in English (a
#: test holds them equal), translated in the catalogue. The others (transfusion, trough outside
#: the range with its titration, prednisolone taper) show the protocol's English message.
DETAIL_ALERTS = {
    "pjp_prophylaxis_missing": gettext_lazy(
        "No PJP prophylaxis: trimethoprim-sulfamethoxazole %(dose)s mg/kg twice daily, 3 days a week, "
        "is required during the first %(months)s months (until %(until)s)."),
    "trough_overdue": gettext_lazy("Sirolimus trough check of %(scheduled)s is overdue (last trough: %(last)s)."),
    "adverse_event_grade3": gettext_lazy(
        "Ongoing grade %(grade)s adverse event: %(term)s. Review whether toxicity precludes further therapy."),
}


def _day(value: str) -> str:
    return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def _detail_alert_message(alert) -> str:
    """An alert of :data:`DETAIL_ALERTS` in the request's language; the protocol's message when
    its details are not as expected."""
    details = alert.details or {}
    try:
        if alert.code == "pjp_prophylaxis_missing":
            values = {"dose": TMP_SMX_DOSE_MG_KG, "months": TMP_SMX_MIN_MONTHS,
                      "until": _day(details["required_until"])}
        elif alert.code == "trough_overdue":
            last = details["last_trough"]
            values = {"scheduled": _day(details["scheduled"]),
                      "last": _day(last) if last else gettext("none recorded")}
        else:
            values = {"grade": int(details["grade"]), "term": str(details["term"]).replace("_", " ")}
    except (KeyError, TypeError, ValueError):
        return alert.message
    return str(DETAIL_ALERTS[alert.code]) % values


def alert_message(alert) -> str:
    """An alert of ``protocol.alerts`` in the request's language where the interface has its
    words (:data:`VISIT_ALERTS`, :data:`DETAIL_ALERTS`), else the protocol's message."""
    if alert.code in DETAIL_ALERTS:
        return _detail_alert_message(alert)
    template = VISIT_ALERTS.get(alert.code)
    details = alert.details or {}
    try:
        start = dt.date.fromisoformat(details["window_start"])
        end = dt.date.fromisoformat(details["window_end"])
        visit = _visit_name(details["code"], details["name"])
    except (KeyError, TypeError, ValueError):
        return alert.message
    if template is None:
        return alert.message
    return str(template) % {"visit": visit, "start": date_format(start, "DATE_FORMAT"),
                            "end": date_format(end, "DATE_FORMAT")}

#: A data query's states (``web.models.QUERY_STATUSES``) in words.
QUERY_STATUS_LABELS = {"open": gettext_lazy("open"), "answered": gettext_lazy("answered"),
                       "closed": gettext_lazy("closed")}


_CRITERIA = {c.code: c for c in CRITERIA}


def criteria_label(codes: str) -> str:
    """A screening's failed criteria (``reason``: codes joined by ";") in words, translated:
    "exclusion: …; inclusion: …"; an unknown code as it is."""
    words = []
    for code in filter(None, (codes or "").split(";")):
        criterion = _CRITERIA.get(code)
        if criterion is None:
            words.append(code)
            continue
        kind = gettext("inclusion") if criterion.kind == "inclusion" else gettext("exclusion")
        words.append(f"{kind}: {gettext(criterion.text)}")
    return "; ".join(words)
