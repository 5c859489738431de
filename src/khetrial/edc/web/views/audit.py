"""The audit trail: filterable, paginated, CSV export — all through the disclosure.

The page reads as a table of changes: one entry per line (when, who, what, which form and
record), its values as a before/after table per field (a new row lists its values, a
correction its old and new value, with the reason). Filters: patient, form (table), user,
action and a date range. The CSV keeps the raw columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy as _

from khetrial.bundle.csvfile import spreadsheet_cell
from khetrial.edc.audit.models import ACTIONS, AuditEntry
from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.labels import field_label, table_label, value_label
from khetrial.edc.web.permissions import EVERYONE, allow
from khetrial.edc.web.tables import ALL_TABLES, TABLE_OF_MODEL
from khetrial.errors import ConfigurationError

PAGE_SIZE = 50
FILTERS = ("patient_id", "actor", "form", "action")
COLUMNS = ("at", "actor", "role", "action", "form", "record_id", "patient_id", "site", "field",
           "old", "new", "reason", "detail")
ACTION_WORDS = {
    "create": _("new row"), "change": _("corrected"), "void": _("voided"),
    "login": _("logged in"), "login_failed": _("login failed"), "logout": _("logged out"),
    "role_change": _("role changed"), "randomize": _("randomized"), "export": _("export"),
    "unblind_request": _("unblinding requested"), "unblind_approve": _("unblinding approved"),
    "unblind_reveal": _("unblinding revealed"), "query": _("data query"),
    "lock": _("database locked"), "unlock": _("database unlocked"),
    "screening": _("screening"), "blinding_guard": _("blinding guard"),
    "allocation_list": _("allocation list"),
}
HIDDEN_FIELDS = frozenset({"seq", "patient", "site", "extra", "voided", "void_reason",
                           "voided_at"})
"""Bookkeeping columns left out of a new row's values (the entry names patient and site)."""


def _filtered(request):
    qs = request.disclosure.audit_entries(AuditEntry.objects.all())
    for name in FILTERS:
        value = request.GET.get(name, "").strip()
        if value:
            qs = qs.filter(**{name: value})
    table = request.GET.get("table", "").strip()
    if table:
        models = [m for m, t in TABLE_OF_MODEL.items() if t == table]
        qs = qs.filter(detail__in=models)
    date_from, date_to = _date_param(request, "date_from"), _date_param(request, "date_to")
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def _date_param(request, name: str) -> dt.date | None:
    """A YYYY-MM-DD filter value; anything else is the user's error (400), not ours (500)."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(gettext("%(name)s: got %(value)s; expected a date as "
                                         "YYYY-MM-DD, e.g. 2026-03-31")
                                 % {"name": name, "value": repr(value[:40])}) from None


def _json(text: str) -> dict | None:
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _words(table: str, field: str, value):
    """A stored value in words (:func:`~khetrial.edc.web.labels.value_label`: a code's label, a
    date in the language's format); a flag the trail keeps as Python's "True"/"False" too."""
    if value in ("True", "False"):
        return value_label(table, field, value == "True")
    return value_label(table, field, value)


def changes(row: dict) -> list[dict]:
    """The entry's values as (field, before, after) lines: a new row's values one per field,
    a changed field its old and new value, a removed row its old values."""
    new, old = _json(row["new"]), _json(row["old"])
    t = TABLE_OF_MODEL.get(row["detail"], "")
    if row["action"] == "create" and new is not None:
        return [{"field": field_label(t, k), "before": "", "after": _words(t, k, v)}
                for k, v in sorted(new.items()) if k not in HIDDEN_FIELDS and v not in ("", None)]
    if old is not None and row["field"] in ("(row deleted)", "(row voided)", ""):
        return [{"field": field_label(t, k), "before": _words(t, k, v), "after": ""}
                for k, v in sorted(old.items()) if k not in HIDDEN_FIELDS and v not in ("", None)]
    if row["field"]:
        f = row["field"]
        return [{"field": field_label(t, f), "before": _words(t, f, row["old"]),
                 "after": _words(t, f, row["new"])}]
    return []


def readable(row: dict) -> dict:
    """One audit row (as the disclosure gives it) for the page."""
    table = TABLE_OF_MODEL.get(row["detail"], "")
    data = row["action"] in ("create", "change", "void") and table
    return {**row, "action_words": ACTION_WORDS.get(row["action"], row["action"]),
            "table_title": table_label(table) if data else (
                table_label(row["form"]) if row["form"] in ALL_TABLES else ""),
            "changes": changes(row) if data else [],
            "note": "" if data else row["detail"]}


@allow(*EVERYONE)
def audit_list(request):
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [readable(r) for r in request.disclosure.audit_rows(page.object_list)]
    query = request.GET.copy()
    query.pop("page", None)
    tables = [(name, table_label(name)) for name in request.disclosure.tables()]
    return render(request, "web/audit.html", {
        "rows": rows, "page": page, "query": query.urlencode(), "tables": tables,
        "actions": [(a, ACTION_WORDS.get(a, a)) for a in ACTIONS],
        "filters": {f: request.GET.get(f, "") for f in (*FILTERS, "table", "date_from",
                                                        "date_to")}})


@allow(*EVERYONE)
def audit_csv(request):
    rows = request.disclosure.audit_rows(_filtered(request).iterator())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
    record_event("export", actor=request.user.username, role=request.disclosure.role,
                 detail=f"audit trail CSV export: {len(rows)} entries")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
