"""Login, logout, home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from khetrial.edc.audit.trail import is_locked
from khetrial.edc.web.models import DataQuery
from khetrial.edc.web.permissions import ANY_ROLE, DMC, allow, public

login_view = public(auth_views.LoginView.as_view(template_name="web/login.html",
                                                 redirect_authenticated_user=True))
logout_view = allow(*ANY_ROLE)(require_POST(auth_views.LogoutView.as_view()))


@allow(*ANY_ROLE)
def home(request):
    """The landing page; a DMC member's is the closed DMC report, the only page it may open."""
    if request.disclosure.role == DMC:
        return redirect("dmc_report")

    d = request.disclosure
    queries = DataQuery.objects.filter(status="open")
    if d.site:
        queries = queries.filter(site_code=d.site)
    if d.blinded:
        queries = queries.filter(table__in=d.tables())
    return render(request, "web/home.html", {
        "patient_count": d.patients().count() if d.clinical else None,
        "open_queries": queries.count() if d.clinical else None,
        "locked": is_locked(),
    })
