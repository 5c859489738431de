"""Screening against the publication's criteria, then central randomization."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from khetrial.edc.randomization.services import AlreadyRandomizedError, randomize_patient
from khetrial.edc.trial.models import Screening, Site
from khetrial.edc.trial.records import next_seq, writing
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
    form = ScreeningForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = form.result
        record_failure = request.POST.get("record_failure") == "1"
        sid = form.cleaned_data["screening_id"].strip()
        if Screening.objects.filter(screening_id=sid, voided=False).exists():
            form.add_error("screening_id", gettext("screening number %(sid)s is already used")
                           % {"sid": sid})
        elif result.eligible or record_failure:
            site = Site.objects.get(code=request.disclosure.site)
            with writing(author(request, "screening")):
                row = Screening.objects.create(
                    screening_id=sid, site=site, seq=next_seq(Screening),
                    date=form.cleaned_data["date"],
                    eligible=result.eligible, reason=";".join(result.codes)[:120])
                record_screening_facts(row, form.cleaned_data)
            if result.eligible:
                return redirect("randomize", pk=row.pk)
            messages.info(request, gettext("screen failure %(sid)s recorded") % {"sid": sid})
            return redirect("screening")
    return render(request, "web/screening_form.html", {"form": form, "result": result})


@allow(INVESTIGATOR)
def randomize(request, pk):
    d = request.disclosure
    screening = d.records("screening").filter(pk=pk, voided=False).first()
    if screening is None:
        raise Http404("no such screening")
    if not screening.eligible or screening.patient_id:
        messages.error(request, gettext("only an eligible, not yet randomized child can be "
                                        "randomized"))
        return redirect("screening")
    form = PatientForm(request.POST or None, screening=screening)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["kmp_onset_date"] = fields.get("kmp_onset_date")
        try:
            patient, allocation = randomize_patient(fields, site_code=d.site,
                                                    actor=request.user.username, role=d.role,
                                                    screening=screening)
        except AlreadyRandomizedError as first:  # a second submit: show the first allocation
            messages.error(request, str(first))
            return redirect("patient", patient_id=first.patient_id)
        messages.success(request, gettext("%(pid)s randomized: arm %(arm)s (%(label)s)") % {
            "pid": patient.patient_id, "arm": allocation.arm,
            "label": value_label("patients", "arm", allocation.arm)})
        return redirect("patient", patient_id=patient.patient_id)
    return render(request, "web/randomize.html", {"form": form, "screening": screening})
