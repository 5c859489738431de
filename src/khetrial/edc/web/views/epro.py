"""Parents' questionnaires: the investigator's page that issues links, and the parent's page.

The parent's page is public (no account) but opens only with a live key
(:mod:`khetrial.edc.web.epro`); it shows no patient id, no allocation and no navigation, and it
never signs anyone in, so the key reaches nothing else.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from khetrial.edc.web import epro
from khetrial.edc.web.labels import lazy_code_label
from khetrial.edc.web.models import EproLink
from khetrial.edc.web.permissions import INVESTIGATOR, allow, public
from khetrial.edc.web.views.patients import visible_patient
from khetrial.errors import ConfigurationError, DatabaseError
from khetrial.protocol.pedsql import items

PARENT_ANSWERS = [("0", gettext_lazy("Never")), ("1", gettext_lazy("Almost never")),
                  ("2", gettext_lazy("Sometimes")), ("3", gettext_lazy("Often")),
                  ("4", gettext_lazy("Almost always"))]
REFUSED_STATUS = {"unknown": 404, "used": 410, "revoked": 410, "expired": 410}


def parent_form(instrument: str, data=None, language: str = "en") -> forms.Form:
    """One radio group per item (worded when the licensed texts are installed); an item may
    be left unanswered."""
    form = forms.Form(data)
    texts = epro.item_texts(instrument, language)
    numbers: dict[str, int] = {}
    for scale, item in items(instrument):
        numbers[scale] = numbers.get(scale, 0) + 1
        form.fields[item] = forms.TypedChoiceField(
            choices=PARENT_ANSWERS, required=False, coerce=int, empty_value=None,
            widget=forms.RadioSelect,
            label=texts.get(item) or _("Question %(n)d") % {"n": numbers[scale]})
        form.fields[item].scale_label = lazy_code_label("scale", scale)  # the label source
    return form


@allow(INVESTIGATOR)
def epro_links(request, patient_id):
    """Issue (and list, and revoke) the parents' questionnaire links of one patient."""
    patient = visible_patient(request, patient_id)
    issued = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                link = EproLink.objects.filter(patient_id=patient.patient_id,
                                               pk=request.POST["revoke"]).first()
                if link is not None:
                    epro.revoke_link(link, by=request.user.username, role=INVESTIGATOR)
                    messages.success(request, _("The link was revoked."))
                return redirect("epro_links", patient_id=patient.patient_id)
            link, key = epro.issue_link(patient, by=request.user.username, role=INVESTIGATOR)
            url = request.build_absolute_uri(reverse("epro_form", args=[key]))
            issued = {"link": link, "url": url, "qr": epro.qr_data_uri(url)}
        except (ConfigurationError, ValueError) as exc:
            messages.error(request, str(exc))
    links = [(link, epro.link_status(link))
             for link in EproLink.objects.filter(patient_id=patient.patient_id)[:50]]
    return render(request, "web/epro_links.html", {
        "patient_id": patient.patient_id, "due": epro.due_for(patient), "issued": issued,
        "links": links})


@public
@csrf_protect
def epro_form(request, key):
    """The parent's questionnaire: answer once, on a phone, without an account."""
    try:
        link = epro.open_link(key)
    except epro.LinkRefused as exc:
        return _refused(request, exc)
    form = parent_form(link.instrument, request.POST or None, get_language() or "en")
    if request.method == "POST" and form.is_valid():
        answers = [form.cleaned_data[item] for _scale, item in items(link.instrument)]
        try:
            epro.submit(key, answers, ip=request.META.get("REMOTE_ADDR", ""))
        except epro.LinkRefused as exc:
            return _refused(request, exc)
        except DatabaseError:
            return render(request, "web/epro_done.html", {"failed": True}, status=503)
        return render(request, "web/epro_done.html", {"answered": sum(
            a is not None for a in answers), "total": len(answers)})
    return render(request, "web/epro_form.html", {"form": form, "link": link})


def _refused(request, exc: epro.LinkRefused):
    return render(request, "web/epro_done.html", {"refused": str(exc)},
                  status=REFUSED_STATUS.get(exc.reason, 410))
