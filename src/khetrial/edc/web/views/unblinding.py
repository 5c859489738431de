"""Emergency unblinding: a blinded user asks (with a reason), a different person of the
patient's site approves, and only that patient's arm is revealed to the requester.

"Different person" means a different account AND a different ``person`` on the accounts
(separation of duties: one person's accounts all have one role, see
:func:`khetrial.edc.accounts.services.check_separation`); the audit trail names both."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from khetrial.edc.accounts.services import same_person
from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.forms import ReasonForm
from khetrial.edc.web.labels import value_label
from khetrial.edc.web.models import UnblindingRequest
from khetrial.edc.web.permissions import ASSESSOR, INVESTIGATOR, allow
from khetrial.edc.web.views.patients import visible_patient


def _requests(request):

    d = request.disclosure
    qs = UnblindingRequest.objects.all()
    if d.blinded:
        return qs.filter(requested_by=d.username)
    return qs.filter(site_code=d.site) if d.site else qs


@allow(ASSESSOR, INVESTIGATOR, second_factor=True)
def unblinding_list(request):
    return render(request, "web/unblinding.html", {"requests": _requests(request)[:200]})


@allow(ASSESSOR, second_factor=True)
def unblinding_request(request, patient_id):

    patient = visible_patient(request, patient_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        UnblindingRequest.objects.create(patient_id=patient.patient_id,
                                         site_code=patient.site.code,
                                         requested_by=request.user.username,
                                         reason=form.cleaned_data["reason"])
        record_event("unblind_request", actor=request.user.username, role=ASSESSOR,
                     patient_id=patient.patient_id, site_code=patient.site.code,
                     reason=form.cleaned_data["reason"], detail="emergency unblinding requested")
        return redirect("unblinding")
    return render(request, "web/unblinding_form.html", {"form": form, "patient_id": patient_id})


@allow(INVESTIGATOR, second_factor=True)
def unblinding_approve(request, pk):

    req = _requests(request).filter(pk=pk, approved_at__isnull=True).first()
    if req is None:
        raise Http404("no such open request")
    if req.requested_by == request.user.username or same_person(req.requested_by,
                                                                request.user.username):
        raise PermissionDenied(gettext("a request is approved by a different person"))
    if request.method == "POST":
        req.approved_by, req.approved_at = request.user.username, timezone.now()
        req.save()
        record_event("unblind_approve", actor=request.user.username, role=INVESTIGATOR,
                     patient_id=req.patient_id, site_code=req.site_code, reason=req.reason,
                     detail=f"emergency unblinding of {req.patient_id} approved for "
                            f"{req.requested_by}")
        return redirect("unblinding")
    return render(request, "web/unblinding_form.html", {"approve": req})


@allow(ASSESSOR, second_factor=True)
def unblinding_reveal(request, pk):

    req = _requests(request).filter(pk=pk, approved_at__isnull=False).first()
    if req is None:
        raise Http404("no such approved request")
    patient = visible_patient(request, req.patient_id)
    request.disclosure.revealed_arm(patient)
    record_event("unblind_reveal", actor=request.user.username, role=ASSESSOR,
                 patient_id=patient.patient_id, site_code=patient.site.code,
                 detail=f"allocation of {patient.patient_id} revealed to {req.requested_by} "
                        f"(requested by {req.requested_by}, approved by {req.approved_by})")
    arm = request.disclosure.revealed_arm(patient)
    response = render(request, "web/unblinding_reveal.html", {
        "patient_id": patient.patient_id, "arm": arm, "label": value_label("patients", "arm", arm)})
    response.khetrial_reveal = patient.patient_id  # the guard lets this one patient through
    return response
