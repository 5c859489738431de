"""Error pages: one generic template for HTML, one JSON shape for the API."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy as _

TITLES = {400: _("Request refused"), 403: _("Not allowed"), 404: _("Not found"),
          500: _("Server error")}
API_TITLES = {400: "Request refused", 403: "Not allowed", 404: "Not found", 500: "Server error"}
"""The API's error names stay English: programs read them (the HTML page shows TITLES)."""


def error_response(request, status: int, message: str = ""):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": API_TITLES.get(status, "Error"), "detail": message},
                            status=status)
    return render(request, "web/error.html",
                  {"status": status, "title": TITLES.get(status, gettext("Error")),
                   "message": message},
                  status=status)


def bad_request(request, exception=None):
    return error_response(request, 400, gettext("The request could not be understood."))


def permission_denied(request, exception=None):
    return error_response(request, 403, gettext("Your role may not open this page."))


def page_not_found(request, exception=None):
    return error_response(request, 404, gettext("There is no such page, or you may not see it."))


def server_error(request):
    return error_response(request, 500, gettext("Something went wrong; the error was logged."))
