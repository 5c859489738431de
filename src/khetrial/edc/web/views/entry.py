"""Data entry: add a record, correct it (with a reason), void it (with a reason).

The views validate with the forms and write through the record service
(:mod:`khetrial.edc.trial.records`); who may edit which table is the edit policy
(:mod:`khetrial.edc.web.policy`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from khetrial.edc.trial import records
from khetrial.edc.web.forms import (BASELINE_FIELDS, ReasonForm, baseline_form_class,
                                   record_form_class)
from khetrial.edc.web.labels import table_label
from khetrial.edc.web.permissions import INVESTIGATOR, allow, author
from khetrial.edc.web.policy import ENTRY_ROLES, editable_table
from khetrial.edc.web.views.patients import visible_patient

def _record(request, table_name: str, patient, pk: int):
    obj = request.disclosure.records(table_name).filter(patient=patient, pk=pk).first()
    if obj is None:
        raise Http404(_("no such record"))
    return obj


def _render(request, title: str, patient, form, action: str, record=None):
    return render(request, "web/record_form.html", {
        "table_title": title, "patient_id": patient.patient_id, "form": form, "action": action,
        "record": record})


@allow(*ENTRY_ROLES)
def add_record(request, patient_id, table_name):
    editable_table(request.disclosure, table_name)
    patient = visible_patient(request, patient_id)
    fields = request.disclosure.fields(table_name)
    form = record_form_class(table_name, fields)(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        records.add(table_name, patient, {f: form.cleaned_data[f] for f in fields},
                    author=author(request, table_name))
        _saved(request, _("%(table)s of %(patient)s: the new row is saved."), table_name, patient)
        return redirect("patient", patient_id=patient.patient_id)
    return _render(request, table_label(table_name), patient, form, _("Add"))


@allow(*ENTRY_ROLES)
def edit_record(request, patient_id, table_name, pk):
    editable_table(request.disclosure, table_name)
    patient = visible_patient(request, patient_id)
    obj = _record(request, table_name, patient, pk)
    if obj.voided:
        raise Http404(_("a voided record cannot be changed"))
    fields = request.disclosure.fields(table_name)
    initial = {f: _initial(getattr(obj, f)) for f in fields}
    form = record_form_class(table_name, fields)(request.POST or None, initial=initial,
                                                 correction=True, patient=patient)
    if request.method == "POST" and form.is_valid():
        records.correct(obj, {f: form.cleaned_data[f] for f in fields},
                        reason=form.cleaned_data["reason"], author=author(request, table_name))
        _saved(request, _("%(table)s of %(patient)s: the correction is saved, with its reason, "
                          "in the audit trail."), table_name, patient)
        return redirect("patient", patient_id=patient.patient_id)
    return _render(request, table_label(table_name), patient, form, _("Correct"), obj)


@allow(*ENTRY_ROLES)
def void_record(request, patient_id, table_name, pk):
    editable_table(request.disclosure, table_name)
    patient = visible_patient(request, patient_id)
    obj = _record(request, table_name, patient, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not obj.voided:
        records.void(obj, reason=form.cleaned_data["reason"], author=author(request, table_name))
        _saved(request, _("%(table)s of %(patient)s: the row is voided (kept, struck through, "
                          "in the audit trail)."), table_name, patient)
        return redirect("patient", patient_id=patient.patient_id)
    return _render(request, table_label(table_name), patient, form, _("Void"), obj)


def _saved(request, message: str, table_name: str, patient) -> None:
    """The success message after a write (``message`` names ``%(table)s`` and ``%(patient)s``)."""
    messages.success(request, message % {"table": table_label(table_name),
                                          "patient": patient.patient_id})


def _initial(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


@allow(INVESTIGATOR)
def edit_patient(request, patient_id):
    """Correct a patient's baseline data (never the allocation), with a reason."""
    patient = visible_patient(request, patient_id)
    initial = {f: _initial(getattr(patient, f)) for f in BASELINE_FIELDS}
    form = baseline_form_class(BASELINE_FIELDS)(request.POST or None, initial=initial,
                                                correction=True, patient=patient)
    if request.method == "POST" and form.is_valid():
        records.correct(patient, {f: form.cleaned_data[f] for f in BASELINE_FIELDS},
                        reason=form.cleaned_data["reason"], author=author(request, "patients"))
        messages.success(request, _("Baseline data of %(patient)s: the correction is saved.")
                         % {"patient": patient.patient_id})
        return redirect("patient", patient_id=patient.patient_id)
    return _render(request, _("Baseline data"), patient, form, _("Correct"))
