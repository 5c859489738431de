"""Data queries: the monitor raises them, the site answers, the monitor closes."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.forms import AnswerForm, DataQueryForm
from khetrial.edc.web.models import DataQuery
from khetrial.edc.web.permissions import CLINICAL, INVESTIGATOR, MONITOR, allow
from khetrial.edc.web.views.patients import visible_patient


def _visible_queries(request):

    d = request.disclosure
    qs = DataQuery.objects.all()
    if d.site:
        qs = qs.filter(site_code=d.site)
    if d.blinded:
        qs = qs.filter(table__in=d.tables())
    return qs


@allow(*CLINICAL)
def query_list(request):
    status = request.GET.get("status", "open")
    qs = _visible_queries(request)
    if status in ("open", "answered", "closed"):
        qs = qs.filter(status=status)
    return render(request, "web/queries.html", {
        "queries": request.disclosure.queries(qs[:500]), "status": status})


@allow(MONITOR)
def query_new(request, patient_id):

    patient = visible_patient(request, patient_id)
    form = DataQueryForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        q = DataQuery.objects.create(patient_id=patient.patient_id, site_code=patient.site.code,
                                     raised_by=request.user.username, **form.cleaned_data)
        record_event("query", actor=request.user.username, role="monitor",
                     patient_id=patient.patient_id, site_code=patient.site.code,
                     form=q.table, detail=f"query #{q.pk} raised", new=q.text)
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/query_form.html", {"form": form, "patient_id": patient_id})


def _query(request, pk):
    q = _visible_queries(request).filter(pk=pk).first()
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
        return redirect("queries")
    return render(request, "web/query_form.html", {"form": form, "query": q})


@allow(MONITOR)
def query_close(request, pk):

    q = _query(request, pk)
    if request.method == "POST":
        q.status = "closed"
        q.save()
        record_event("query", actor=request.user.username, role=MONITOR,
                     patient_id=q.patient_id, site_code=q.site_code, form=q.table,
                     detail=f"query #{q.pk} closed")
        return redirect("queries")
    return render(request, "web/query_form.html", {"query": q, "close": True})
