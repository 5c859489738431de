"""Login, logout, home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.views.decorators.http import require_POST

from khetrial.edc.audit.trail import is_locked
from khetrial.edc.trial.records import edc_today
from khetrial.edc.web.permissions import EVERYONE, allow, public
from khetrial.edc.web.worklist import visible_queries, worklist_for

login_view = public(auth_views.LoginView.as_view(template_name="web/login.html",
                                                 redirect_authenticated_user=True))
logout_view = allow(*EVERYONE)(require_POST(auth_views.LogoutView.as_view()))


@allow(*EVERYONE)
def home(request):
    """The role's worklist (:mod:`khetrial.edc.web.worklist`) for today."""
    d = request.disclosure
    today = edc_today()
    return render(request, "web/home.html", {
        "patient_count": d.patients().count() if d.clinical else None,
        "open_queries": visible_queries(d).filter(status="open").count() if d.clinical else None,
        "locked": is_locked(), "today": today, "worklist": worklist_for(d, today),
    })
