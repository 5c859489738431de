"""The audit trail: filterable, paginated, CSV export — all through the disclosure."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from khetrial.bundle.csvfile import spreadsheet_cell
from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.permissions import EVERYONE, allow
from khetrial.errors import ConfigurationError

PAGE_SIZE = 50
FILTERS = ("patient_id", "actor", "form", "action")
COLUMNS = ("at", "actor", "role", "action", "form", "patient_id", "site", "field", "old", "new",
           "reason", "detail")


def _filtered(request):

    qs = request.disclosure.audit_entries(AuditEntry.objects.all())
    for name in FILTERS:
        value = request.GET.get(name, "").strip()
        if value:
            qs = qs.filter(**{name: value})
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


@allow(*EVERYONE)
def audit_list(request):
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = request.disclosure.audit_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit.html", {"rows": rows, "page": page, "columns": COLUMNS,
                                              "filters": {f: request.GET.get(f, "") for f in
                                                          (*FILTERS, "date_from", "date_to")},
                                              "query": query.urlencode()})


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
