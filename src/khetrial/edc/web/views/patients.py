"""Patient list, patient page (timeline, charts, queries), CSV export of a table."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from khetrial.bundle.csvfile import spreadsheet_cell
from khetrial.bundle.labels import lab_unit
from khetrial.constants import HYPOFIBRINOGENEMIA_THRESHOLD, PLATELET_RESPONSE_THRESHOLD
from khetrial.edc.audit.trail import record_event
from khetrial.edc.trial.records import edc_today
from khetrial.edc.web.labels import field_label, table_label, value_label
from khetrial.edc.web.models import DataQuery
from khetrial.edc.web.permissions import CLINICAL, allow
from khetrial.edc.web.policy import may_edit
from khetrial.edc.web.tables import CLINICAL_TABLES, table
from khetrial.edc.web.views.bedside import bedside_context

CHART_HALF_SPAN_DAYS = 3  # a chart of one date shows the week around it (display choice)
CHART_HEADROOM = 1.15  # the y axis ends 15 % above the highest value or threshold

CHART_TESTS = ("platelets", "fibrinogen")
PATIENTS_PER_PAGE = 50
"""Project choice: rows of the patient list per page (a page renders in a few queries)."""
SEARCH_MAX_LENGTH = 64


def visible_patient(request, patient_id: str):
    """The patient if this user may see it (site scope), else 404 — never 'exists elsewhere'."""
    patient = request.disclosure.patients().filter(patient_id=patient_id).first()
    if patient is None:
        raise Http404("no such patient")
    return patient


@allow(*CLINICAL)
def patient_list(request):
    """The visible patients, a page of :data:`PATIENTS_PER_PAGE` at a time, ``?q=`` searching
    patient ids (part of one, any case)."""
    d = request.disclosure
    search = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    patients = d.patients().order_by("patient_id")
    if search:
        patients = patients.filter(patient_id__icontains=search)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/patient_list.html", {
        "columns": d.fields("patients"), "rows": d.rows("patients", page.object_list),
        "page": page, "search": search})


@allow(*CLINICAL)
def patient_detail(request, patient_id):
    d = request.disclosure
    patient = visible_patient(request, patient_id)
    sections, timeline, labs = [], [], []
    label, column_label = _remembered(value_label), _remembered(field_label)
    for name, t in CLINICAL_TABLES.items():
        if not d.may_see(name):
            continue
        rows = d.rows(name, _patient_records(d, name, patient).order_by(t.date_field, "seq", "id"))
        columns = d.fields(name)
        edit_url, void_url = _record_url(patient_id, name, "record_edit"), _record_url(patient_id, name, "record_void")
        title = table_label(name)
        sections.append({"name": name, "title": title, "columns": columns,
                         "rows": [{"id": row["id"], "voided": row.get("voided"),
                                   "cells": [(c, label(name, c, row.get(c, ""))) for c in columns],
                                   "edit_url": edit_url(row["id"]), "void_url": void_url(row["id"])}
                                  for row in rows],
                         "can_edit": may_edit(d.role, name)})
        if name == "labs":
            labs = rows
        for row in rows:
            if not row.get("voided"):
                day = row.get(t.date_field) or ""
                timeline.append({"date": day, "shown_date": label(name, t.date_field, day),
                                 "table": title,
                                 "summary": _summary(name, row, label, column_label)})
    timeline.sort(key=lambda r: r["date"])
    queries = DataQuery.objects.filter(patient_id=patient.patient_id).exclude(status="closed")
    if d.blinded:
        queries = queries.filter(table__in=d.tables())
    return render(request, "web/patient_detail.html", {
        "patient": d.row("patients", patient), "patient_columns": d.fields("patients"),
        "sections": sections, "timeline": timeline, "queries": d.queries(queries),
        "charts": _charts_json(labs) if d.may_see("labs") else None,
        "can_query": request.disclosure.role == "monitor",
        "query_url": reverse("query_new", args=[patient.patient_id]),
        "bedside": bedside_context(request, patient)})


def _patient_records(d, name: str, patient):
    """The patient's rows of a clinical table as ``d`` may see them, each with ``patient`` as
    its patient (the reverse relation's known object) instead of a join to the patient and
    its site per row."""
    accessor = table(name).model_class()._meta.get_field("patient").remote_field.get_accessor_name()
    return d.records(name, getattr(patient, accessor).all()).select_related(None)


def _remembered(function):
    """``function`` remembered for one page (a patient's rows repeat their dates, codes and
    columns); the arguments' types are part of the key (``True == 1 == 1.0`` in Python)."""
    memo: dict = {}

    def remembered(*args):
        key = (*args, *map(type, args))
        if key not in memo:
            memo[key] = function(*args)
        return memo[key]

    return remembered


def _summary(name: str, row: dict, label=value_label, column_label=field_label) -> str:
    """"Platelet count, Result 25": the row's values with their labels (a lab's value with the
    test's unit)."""
    skip = {"id", "patient", "patient_id", "voided", "date"}
    parts = []
    for k, v in row.items():
        if k in skip or v in (None, ""):
            continue
        if name == "labs" and k == "value":
            parts.append(f"{v:g} {lab_unit(row.get('test', ''))}".strip())
        elif name == "labs" and k == "test":
            parts.append(label(name, k, v))
        else:
            parts.append(f"{column_label(name, k)}: {label(name, k, v)}")
    return "; ".join(parts)


def _record_url(patient_id: str, table_name: str, route: str):
    """``url(pk)``: the route of one record of the patient's table (one ``reverse`` for the
    table, not one per row)."""
    prefix, suffix = reverse(route, args=[patient_id, table_name, 0]).rsplit("/0/", 1)
    return lambda pk: f"{prefix}/{pk}/{suffix}"


def _charts_json(lab_rows: list[dict]) -> str:
    """Platelet and fibrinogen series (of the patient's lab rows, in date order; voided rows
    left out) with their thresholds, as plotly figure JSON."""
    thresholds = {"platelets": float(PLATELET_RESPONSE_THRESHOLD),
                  "fibrinogen": float(HYPOFIBRINOGENEMIA_THRESHOLD)}
    labs = [r for r in lab_rows if not r.get("voided") and r.get("test") in CHART_TESTS]
    figures = []
    for test in CHART_TESTS:
        points = [(r["date"], r["value"]) for r in labs if r["test"] == test]
        x = [p[0] for p in points]
        annotations = [{"xref": "paper", "x": 1, "y": thresholds[test], "showarrow": False,
                        "text": gettext("threshold %(value)s") % {"value": f"{thresholds[test]:g}"},
                        "yanchor": "bottom", "xanchor": "right"}]
        if not points:
            annotations.append({"xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                                "text": gettext("No values recorded yet")})
        figures.append({"id": f"chart-{test}", "data": [
            {"x": x, "y": [p[1] for p in points], "mode": "lines+markers",
             "name": value_label("labs", "test", test)},
        ], "layout": {
            "title": {"text": f"{value_label('labs', 'test', test)} ({lab_unit(test)})"},
            "height": 320,
            "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
            **chart_axes(x, [p[1] for p in points], thresholds[test], edc_today()),
            "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                        "y0": thresholds[test], "y1": thresholds[test],
                        "line": {"dash": "dash", "color": "firebrick"}}],
            "annotations": annotations,
        }})
    return json.dumps(figures)


def chart_axes(dates: list, values: list, threshold: float, today) -> dict:
    """Plotly axes that read as a clinician expects whatever the number of points: dates only
    (no "23:59:59.999" ticks), a week around a single date (or today when there is none), and
    counts from 0 to above the highest value and the threshold line (never −1 to 6)."""
    days = sorted({d if isinstance(d, date) else date.fromisoformat(str(d)) for d in dates})
    xaxis = {"type": "date", "tickformat": "%Y-%m-%d", "hoverformat": "%Y-%m-%d"}
    if len(days) <= 1:
        centre = days[0] if days else today
        xaxis["range"] = [(centre - timedelta(CHART_HALF_SPAN_DAYS)).isoformat(),
                          (centre + timedelta(CHART_HALF_SPAN_DAYS)).isoformat()]
    top = max([float(v) for v in values] + [threshold])
    return {"xaxis": xaxis, "yaxis": {"range": [0, top * CHART_HEADROOM], "rangemode": "tozero"}}


@allow(*CLINICAL)
def export_table(request, table_name):
    """CSV of one table as this user may see it (the same disclosure path as the pages)."""
    d = request.disclosure
    t = table(table_name)
    if not d.may_see(table_name):
        raise Http404("no such table")
    qs = d.records(table_name)
    if table_name != "patients":
        qs = qs.order_by("seq", "id")
    rows = d.rows(table_name, qs)
    columns = list(rows[0]) if rows else ["id", *d.fields(table_name)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
    record_event("export", actor=request.user.username, role=d.role, form=t.name,
                 site_code=d.site, detail=f"CSV export of {t.name}: {len(rows)} rows")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{t.name}.csv"'
    return response
