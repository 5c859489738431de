"""Security headers, API tokens, the blinding guard and the one error translation."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext

from khetrial.edc.accounts.models import ApiToken
from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.blinding import disclosure_for, leaks
from khetrial.edc.web.errors import error_response
from khetrial.errors import KhetrialError, PermissionDenied

log = logging.getLogger("khetrial.edc.web")
GUARDED_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and no-store caching of pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not request.path.startswith(("/" + settings.STATIC_URL.strip("/"), "/vendor/")):
            response.setdefault("Cache-Control", "no-store")
        return response


class ApiTokenMiddleware:
    """``Authorization: Bearer <token>`` on /api/ logs the request in as the token's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            token = ApiToken.find(header[7:].strip())  # unrevoked, unexpired, active user
            if token is not None:
                request.user = token.user
                request._cached_user = token.user
                request.khetrial_token = True
                request._dont_enforce_csrf_checks = True  # no cookie, so no CSRF risk
        return self.get_response(request)


class BlindingGuardMiddleware:
    """Second line of blinding: a blinded user never receives a response that carries an
    allocation (:func:`khetrial.edc.web.blinding.leaks`). Such a response is replaced by the
    generic error page (500) and the event is recorded (without the offending content)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(("/static/", "/vendor/")):
            return response  # static files and libraries hold no trial data
        disclosure = disclosure_for(user)
        if not disclosure.blinded:
            return response
        reveal = getattr(response, "khetrial_reveal", None)
        if reveal is not None and reveal in disclosure.unblinded:
            return response
        if response.streaming:
            return self._refuse(request, "streamed file")
        ctype = response.get("Content-Type", "")
        if response.content and (ctype.startswith(GUARDED_TYPES) or not ctype):
            text = response.content.decode(response.charset or "utf-8", errors="replace")
            if leaks(text, ctype) is not None:
                return self._refuse(request, "allocation")
        return response

    def _refuse(self, request, what: str):

        log.warning("blinding guard refused a response to %s on %s (%s)",
                    request.user.username, request.path, what)
        record_event("blinding_guard", actor=request.user.username,
                     detail=f"response refused on {request.path}: {what}")
        return error_response(request, 500, gettext("The page could not be shown."))


class ErrorPageMiddleware:
    """The one place khetrial errors become an error page (HTML) or a JSON object (API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):

        if isinstance(exception, PermissionDenied):
            return error_response(request, 403, str(exception))
        if isinstance(exception, KhetrialError):
            return error_response(request, 400, str(exception))
        return None
