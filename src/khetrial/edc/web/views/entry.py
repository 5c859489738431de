"""Data entry: add a record, correct it (with a reason), void it (with a reason)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from khetrial.edc.web.forms import ReasonForm, record_form_class
from khetrial.edc.web.permissions import ASSESSOR, INVESTIGATOR, allow
from khetrial.edc.web.tables import CLINICAL_TABLES
from khetrial.edc.web.views.patients import visible_patient

# Who enters which table (the site scope comes from the disclosure).
EDITORS: dict[str, tuple[str, ...]] = {name: (INVESTIGATOR,) for name in CLINICAL_TABLES}
EDITORS["mri"] = (INVESTIGATOR, ASSESSOR)
EDITORS["sequelae"] = (INVESTIGATOR, ASSESSOR)
ENTRY_ROLES = (INVESTIGATOR, ASSESSOR)


def _editable_table(request, table_name: str):
    t = CLINICAL_TABLES.get(table_name)
    if t is None or not request.disclosure.may_see(table_name):
        raise Http404("no such form")
    if request.disclosure.role not in EDITORS[table_name]:
        raise PermissionDenied("your role may not enter these data")
    return t


def _record(request, t, patient, pk: int):
    obj = request.disclosure.records(t.name).filter(patient=patient, pk=pk).first()
    if obj is None:
        raise Http404("no such record")
    return obj


def _context(request, t, patient, form, **extra):
    return {"table": t, "patient_id": patient.patient_id, "form": form, **extra}


@allow(*ENTRY_ROLES)
def add_record(request, patient_id, table_name):
    from khetrial.edc.audit.trail import audit_context

    t = _editable_table(request, table_name)
    patient = visible_patient(request, patient_id)
    fields = request.disclosure.fields(table_name)
    form_class = record_form_class(table_name, fields)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        model = t.model_class()
        values = {f: form.cleaned_data[f] for f in fields}
        values = {k: ("" if v is None and _is_text(model, k) else v) for k, v in values.items()}
        with transaction.atomic(), audit_context(actor=request.user.username,
                                                 role=request.disclosure.role, form=table_name,
                                                 ip=request.META.get("REMOTE_ADDR", "")):
            seq = (model.objects.aggregate(m=Max("seq"))["m"] or 0) + 1
            model.objects.create(patient=patient, seq=seq, **values)
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/record_form.html", _context(request, t, patient, form,
                                                            action="Add"))


@allow(*ENTRY_ROLES)
def edit_record(request, patient_id, table_name, pk):
    from khetrial.edc.audit.trail import audit_context

    t = _editable_table(request, table_name)
    patient = visible_patient(request, patient_id)
    obj = _record(request, t, patient, pk)
    if obj.voided:
        raise Http404("a voided record cannot be changed")
    fields = request.disclosure.fields(table_name)
    form_class = record_form_class(table_name, fields)
    initial = {f: _initial(getattr(obj, f)) for f in fields}
    form = form_class(request.POST or None, initial=initial, correction=True)
    if request.method == "POST" and form.is_valid():
        model = t.model_class()
        for f in fields:
            value = form.cleaned_data[f]
            setattr(obj, f, "" if value is None and _is_text(model, f) else value)
        with transaction.atomic(), audit_context(actor=request.user.username,
                                                 role=request.disclosure.role, form=table_name,
                                                 reason=form.cleaned_data["reason"],
                                                 ip=request.META.get("REMOTE_ADDR", "")):
            obj.save()
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/record_form.html", _context(request, t, patient, form,
                                                            action="Correct", record=obj))


@allow(*ENTRY_ROLES)
def void_record(request, patient_id, table_name, pk):
    from khetrial.edc.audit.trail import audit_context

    t = _editable_table(request, table_name)
    patient = visible_patient(request, patient_id)
    obj = _record(request, t, patient, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not obj.voided:
        reason = form.cleaned_data["reason"]
        obj.voided, obj.void_reason, obj.voided_at = True, reason, timezone.now()
        with transaction.atomic(), audit_context(actor=request.user.username,
                                                 role=request.disclosure.role, form=table_name,
                                                 reason=reason):
            obj.save()
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/record_form.html", _context(request, t, patient, form,
                                                            action="Void", record=obj))


def _is_text(model, name: str) -> bool:
    return model._meta.get_field(name).get_internal_type() in {"CharField", "TextField"}


def _initial(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


BASELINE_FIELDS = ("sex", "birth_date", "weight_kg", "height_cm", "lesion_depth", "lesion_site",
                   "kmp_onset_date", "biopsy")  # not: patient_id, site, arm, randomization_date


@allow(INVESTIGATOR)
def edit_patient(request, patient_id):
    """Correct a patient's baseline data (never the allocation), with a reason."""
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.web.forms import baseline_form_class

    patient = visible_patient(request, patient_id)
    initial = {f: _initial(getattr(patient, f)) for f in BASELINE_FIELDS}
    form = baseline_form_class(BASELINE_FIELDS)(request.POST or None, initial=initial,
                                                correction=True)
    if request.method == "POST" and form.is_valid():
        for f in BASELINE_FIELDS:
            setattr(patient, f, form.cleaned_data[f])
        with transaction.atomic(), audit_context(actor=request.user.username,
                                                 role=request.disclosure.role, form="patients",
                                                 reason=form.cleaned_data["reason"]):
            patient.save()
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/record_form.html", {"table": {"title": "Baseline"},
                                                    "patient_id": patient.patient_id,
                                                    "form": form, "action": "Correct"})
