"""Data queries: the monitor raises them on one value, the site answers, the monitor closes.

A query is raised from the page that shows the value (the patient page's "?" beside each
value pre-fills form, record and field: :mod:`khetrial.edc.web.query_targets`); the list shows
each query's status, age in days and history (who raised, answered and closed it, and when).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from khetrial.edc.audit.trail import record_event
from khetrial.edc.trial.records import edc_today
from khetrial.edc.web.forms import AnswerForm, DataQueryForm
from khetrial.edc.web.models import QUERY_STATUSES, DataQuery
from khetrial.edc.web.permissions import CLINICAL, INVESTIGATOR, MONITOR, allow
from khetrial.edc.web.query_targets import query_targets
from khetrial.edc.web.views.patients import visible_patient
from khetrial.edc.web.worklist import query_age, table_title, visible_queries

QUERIES_SHOWN = 500


def _rows(request, queries) -> list[dict]:
    today = edc_today()
    rows = request.disclosure.queries(queries)
    for row, q in zip(rows, queries):
        end = timezone.localtime(q.closed_at).date() if q.closed_at else today
        row["age"] = query_age(q, end)
        row["table_title"] = table_title(q.table)
    return rows


@allow(*CLINICAL)
def query_list(request):
    status = request.GET.get("status", "open")
    qs = visible_queries(request.disclosure)
    if status in QUERY_STATUSES:
        qs = qs.filter(status=status)
    return render(request, "web/queries.html", {
        "queries": _rows(request, list(qs[:QUERIES_SHOWN])), "status": status,
        "statuses": QUERY_STATUSES})


def _initial(params) -> dict:
    """The pre-filled target from the patient page's link (``?table=&record_id=&field=``)."""
    table = params.get("table", "")
    initial = {"table": table}
    if params.get("record_id"):
        initial["record"] = f"{table}:{params['record_id']}"
    if params.get("field"):
        initial["field"] = f"{table}:{params['field']}"
    return initial


@allow(MONITOR)
def query_new(request, patient_id):
    patient = visible_patient(request, patient_id)
    targets = query_targets(request.disclosure, patient)
    initial = _initial(request.GET)
    form = DataQueryForm(request.POST or None, initial=initial, targets=targets)
    if request.method == "POST" and form.is_valid():
        q = _raise(request, patient, form.cleaned_data)
        messages.success(request, _("Query #%(pk)d raised; the site sees it on its worklist.")
                         % {"pk": q.pk})
        return redirect("patient", patient_id=patient.patient_id)
    table, record = initial.get("table", ""), request.GET.get("record_id", "")
    name = request.GET.get("field", "")
    return render(request, "web/query_form.html", {
        "form": form, "patient_id": patient_id,
        "target": {"table": targets.tables.get(table, ""),
                   "record": targets.row_label(table, record) if record else "",
                   "field": name.replace("_", " "),
                   "value": targets.value(table, record, name) if record and name else None}
        if table in targets.tables else None})


def _raise(request, patient, data) -> DataQuery:
    """Store the query and its audit entry."""
    q = DataQuery.objects.create(patient_id=patient.patient_id, site_code=patient.site.code,
                                 raised_by=request.user.username,
                                 **{k: data[k] for k in ("table", "record_id", "field", "text")})
    record_event("query", actor=request.user.username, role=MONITOR,
                 patient_id=patient.patient_id, site_code=patient.site.code, form=q.table,
                 detail=f"query #{q.pk} raised on {q.table} {q.record_id} {q.field}".strip(),
                 new=q.text)
    return q


def _query(request, pk):
    q = visible_queries(request.disclosure).filter(pk=pk).first()
    if q is None:
        raise Http404("no such query")
    return q


@allow(INVESTIGATOR)
def query_answer(request, pk):
    q = _query(request, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        q.answer, q.answered_by = form.cleaned_data["answer"], request.user.username
        q.answered_at, q.status = timezone.now(), "answered"
        q.save()
        record_event("query", actor=request.user.username, role=INVESTIGATOR,
                     patient_id=q.patient_id, site_code=q.site_code, form=q.table,
                     detail=f"query #{q.pk} answered", new=q.answer)
        messages.success(request, _("Query #%(pk)d answered; the monitor will review it.")
                         % {"pk": q.pk})
        return redirect("queries")
    return render(request, "web/query_form.html", {"form": form, "query": q})


@allow(MONITOR)
def query_close(request, pk):
    q = _query(request, pk)
    if request.method == "POST":
        q.status, q.closed_by, q.closed_at = "closed", request.user.username, timezone.now()
        q.save()
        record_event("query", actor=request.user.username, role=MONITOR,
                     patient_id=q.patient_id, site_code=q.site_code, form=q.table,
                     detail=f"query #{q.pk} closed")
        messages.success(request, _("Query #%(pk)d closed.") % {"pk": q.pk})
        return redirect("queries")
    return render(request, "web/query_form.html", {"query": q, "close": True})
