"""A PedsQL questionnaire entered item by item, with the total and the item-missing rule.

The forms' items and the scoring come from the instrument, :mod:`khetrial.protocol.pedsql`
(PedsQL 4.0 user's guide subscale sizes; 0→100 … 4→0, total missing when more than half of the
items are unanswered). One ``qol`` row per item is stored, an
unanswered item as an empty response, exactly as in the bundle format.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy as _

from khetrial.edc.trial import records
from khetrial.edc.web.forms import add_edit_check_errors
from khetrial.edc.web.labels import field_label, value_label
from khetrial.edc.web.permissions import INVESTIGATOR, allow, author
from khetrial.edc.web.views.patients import visible_patient
from khetrial.protocol.pedsql import FORMS, items, total_score

RESPONSES = [("", _("not answered")), ("0", _("0 never")), ("1", _("1 almost never")),
             ("2", _("2 sometimes")), ("3", _("3 often")), ("4", _("4 almost always"))]


def questionnaire_form(instrument: str, data=None):
    form = forms.Form(data)
    form.fields["date"] = forms.DateField(label=field_label("qol", "date"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    for scale, item in items(instrument):
        form.fields[item] = forms.TypedChoiceField(
            choices=RESPONSES, required=False, coerce=int, empty_value=None,
            label=f"{value_label('qol', 'scale', scale)} — {item}")
    return form


def score(responses: list[int | None]) -> tuple[float | None, int, int]:
    """(total or None when missing, items, answered) by the instrument's rules."""
    answered = sum(r is not None for r in responses)
    return total_score(responses), len(responses), answered


@allow(INVESTIGATOR)
def questionnaire(request, patient_id):
    patient = visible_patient(request, patient_id)
    instrument = request.GET.get("instrument") or request.POST.get("instrument") or ""
    if instrument not in FORMS:
        return render(request, "web/pedsql.html", {
            "patient_id": patient.patient_id,
            "instruments": [(f, value_label("qol", "instrument", f)) for f in FORMS]})
    form = questionnaire_form(instrument, request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():  # the edit checks of the date (qol rows)
        add_edit_check_errors(form, "qol", {"date": form.cleaned_data["date"]}, patient)
    if request.method == "POST" and form.is_valid():
        answers = [(scale, item, form.cleaned_data[item]) for scale, item in items(instrument)]
        result = score([a[2] for a in answers])
        records.add_many("qol", patient, [
            {"date": form.cleaned_data["date"], "instrument": instrument, "scale": scale,
             "item": item, "response": response} for scale, item, response in answers],
            author=author(request, "qol"))
        total, n, answered = result
        values = {"instrument": value_label("qol", "instrument", instrument),
                  "answered": answered, "n": n}
        messages.success(request, gettext("%(instrument)s: %(answered)s of %(n)s items answered; ")
                         % values + (gettext("total %(total)s") % {"total": f"{total:.1f}"}
                                     if total is not None else
                                     gettext("total missing (more than half of the items "
                                             "unanswered)")))
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/pedsql.html", {
        "patient_id": patient.patient_id, "form": form, "instrument": instrument,
        "instrument_label": value_label("qol", "instrument", instrument)})
