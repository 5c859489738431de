"""Screening against the publication's criteria, then central randomization."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from khetrial.endpoints.baseline import DAYS_PER_MONTH
from khetrial.edc.randomization.services import AlreadyRandomizedError, randomize_patient
from khetrial.edc.trial.models import Screening, Site
from khetrial.edc.trial.records import edc_today, next_seq, writing
from khetrial.edc.web import confirmation
from khetrial.edc.web.forms import PatientForm
from khetrial.edc.web.labels import value_label
from khetrial.edc.web.permissions import INVESTIGATOR, allow, author
from khetrial.edc.web.screening import ScreeningForm, record_screening_facts


@allow(INVESTIGATOR)
def screening_list(request):
    d = request.disclosure
    rows = d.records("screening").filter(voided=False).order_by("-date", "-id")
    return render(request, "web/screening_list.html", {"rows": d.rows("screening", rows)})


@allow(INVESTIGATOR)
def screening_new(request):
    """Check eligibility ("check"): an eligible child is recorded and goes to randomization, a
    failed check records nothing and lists the failed criteria. "Record as screen failure"
    (``screen_failure``) is its own action: it records the child with the criteria failed."""
    form = ScreeningForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = form.result
        failure = "screen_failure" in request.POST
        sid = form.cleaned_data["screening_id"].strip()
        if Screening.objects.filter(screening_id=sid, voided=False).exists():
            form.add_error("screening_id", _("screening number %(sid)s is already used") % {"sid": sid})
        elif failure and result.eligible:
            messages.error(request, _("All criteria are met: a screen failure needs a failed "
                                      "criterion. Check eligibility to randomize the child."))
        elif result.eligible or failure:
            row = _record_screening(request, sid, form.cleaned_data, result)
            if result.eligible:
                messages.success(request, _("Screening %(sid)s recorded: the child is eligible.")
                                 % {"sid": sid})
                return redirect("randomize", pk=row.pk)
            messages.success(request, _("Screen failure %(sid)s recorded.") % {"sid": sid})
            return redirect("screening")
    return render(request, "web/screening_form.html", {"form": form, "result": result})


def _record_screening(request, sid: str, data: dict, result):
    site = Site.objects.get(code=request.disclosure.site)
    with writing(author(request, "screening")):
        row = Screening.objects.create(
            screening_id=sid, site=site, seq=next_seq(Screening), date=data["date"],
            eligible=result.eligible, reason=";".join(result.codes)[:120])
        record_screening_facts(row, data)
    return row


def _screening_to_randomize(request, pk):
    """The eligible, not yet randomized screening ``pk`` of the user's site, else None."""
    screening = request.disclosure.records("screening").filter(pk=pk, voided=False).first()
    if screening is None:
        raise Http404("no such screening")
    if not screening.eligible or screening.patient_id:
        messages.error(request, _("Only an eligible child not yet randomized can be randomized."))
        return None
    return screening


def _form_page(request, form, screening, status=200):
    return render(request, "web/randomize.html", {"form": form, "screening": screening},
                  status=status)


@allow(INVESTIGATOR)
def randomize(request, pk):
    """The randomization form. A valid submit shows the confirmation page and allocates
    nothing; the allocation happens on "Confirm and randomize" only (:mod:`..confirmation`)."""
    screening = _screening_to_randomize(request, pk)
    if screening is None:
        return redirect("screening")
    if request.method == "POST" and ("confirm" in request.POST or "back" in request.POST):
        return _confirmed(request, screening)
    form = PatientForm(request.POST or None, screening=screening)
    if request.method == "POST" and form.is_valid():
        token = confirmation.sign(screening.pk, request.user.username, form.raw_values())
        today = edc_today()
        days = (today - form.cleaned_data["birth_date"]).days
        return render(request, "web/randomize_confirm.html", {
            "screening": screening, "summary": form.summary(), "token": token,
            "site": request.disclosure.site, "today": today, "age_days": days,
            "age_months": f"{days / DAYS_PER_MONTH:.1f}"})
    return _form_page(request, form, screening)


def _confirmed(request, screening):
    """"Confirm and randomize" (or "Go back and change") with the signed values."""
    try:
        values = confirmation.read(request.POST.get("confirmation", ""), screening.pk,
                                   request.user.username)
    except confirmation.ConfirmationRefused as refused:
        messages.error(request, str(refused))
        return _form_page(request, PatientForm(screening=screening), screening, status=400)
    form = PatientForm(values, screening=screening)
    if "back" in request.POST or not form.is_valid():
        return _form_page(request, form, screening)
    fields = dict(form.cleaned_data)
    fields["kmp_onset_date"] = fields.get("kmp_onset_date")
    d = request.disclosure
    try:
        patient, allocation = randomize_patient(fields, site_code=d.site,
                                                actor=request.user.username, role=d.role,
                                                screening=screening)
    except AlreadyRandomizedError as first:  # a second submit: show the first allocation
        messages.error(request, str(first))
        return redirect("patient", patient_id=first.patient_id)
    messages.success(request, _("%(patient)s randomized: arm %(arm)s (%(label)s)") % {
        "patient": patient.patient_id, "arm": allocation.arm,
        "label": value_label("patients", "arm", allocation.arm)})
    return redirect("patient", patient_id=patient.patient_id)
