"""Login, logout, home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from khetrial.edc.audit.trail import is_locked
from khetrial.edc.trial.records import edc_today
from khetrial.edc.web.permissions import ANY_ROLE, DMC, allow, public
from khetrial.edc.web.worklist import first_rows, visible_queries, worklist_for

login_view = public(auth_views.LoginView.as_view(template_name="web/login.html",
                                                 redirect_authenticated_user=True))
logout_view = allow(*ANY_ROLE)(require_POST(auth_views.LogoutView.as_view()))


@allow(*ANY_ROLE)
def home(request):
    """The role's worklist (:mod:`khetrial.edc.web.worklist`) for today; a DMC member's landing
    page is the closed DMC report, the only page it may open."""
    if request.disclosure.role == DMC:
        return redirect("dmc_report")

    d = request.disclosure
    today = edc_today()
    worklist = worklist_for(d, today)
    if worklist is not None:  # the investigator's long lists, cut to their first rows
        worklist["more"] = first_rows(worklist, ("due", "alerts", "incomplete"),
                                      request.GET.get("all") == "1")
    return render(request, "web/home.html", {
        "patient_count": d.patients().count() if d.clinical else None,
        "open_queries": visible_queries(d).filter(status="open").count() if d.clinical else None,
        "locked": is_locked(), "today": today, "worklist": worklist,
    })
