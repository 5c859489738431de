"""The data monitoring committee's pages: the closed DMC report and nothing else (issue 12).

A ``dmc`` account lands on :func:`dmc_home` (its home page redirects there), which links the
closed report (:func:`closed_report`): arm level, arms coded A/B, rendered from the stored results
of the current data. No other page, no API route and no audit entry is open to the role
(:mod:`khetrial.edc.web.permissions`), and no other role opens these two.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.permissions import DMC, allow
from khetrial.edc.web.reporting import closed_dmc_report_html, inline_script_policy


@allow(DMC)
def dmc_home(request):
    return render(request, "web/dmc.html")


@allow(DMC)
def closed_report(request):
    """The closed DMC report as a page of its own (its figures' inline scripts allowed by hash)."""
    html = closed_dmc_report_html()
    record_event("export", actor=request.user.username, role=DMC, detail="closed DMC report")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = inline_script_policy(html)
    return response
