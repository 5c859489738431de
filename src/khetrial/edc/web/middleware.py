"""Security headers, session activity, API tokens, the blinding guard and the one error
translation."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext

from khetrial.edc.accounts.models import ApiToken
from khetrial.edc.audit.trail import record_event
from khetrial.edc.web.blinding import disclosure_for, leaks
from khetrial.edc.web.errors import error_response
from khetrial.errors import KhetrialError, PermissionDenied

log = logging.getLogger("khetrial.edc.web")
GUARDED_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
UNGUARDED_PATHS = ("/static/", "/vendor/")  # files of the application itself, no trial data
ACTIVE_AT_KEY = "khetrial_active_at"
SESSION_REFRESH_FRACTION = 30
"""Project choice: a signed-in user's session is written (its idle timeout restarted) at most
once per 1/30 of the timeout (a minute of the default 30), not on every request; a session
therefore ends after 29 to 30 idle minutes, never later."""


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


class SessionActivityMiddleware:
    """Restart a signed-in session's idle timeout (``SESSION_COOKIE_AGE``) when it was last
    restarted 1/:data:`SESSION_REFRESH_FRACTION` of the timeout ago or more.

    Replaces ``SESSION_SAVE_EVERY_REQUEST``, which wrote the session row on every request (a
    transaction per page, and on every static file). Placed after ``SessionMiddleware``: the
    change made here is what makes that middleware save the session. A request that never read
    the session (a static file, the login page) does not count as activity.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty() or response.status_code >= 500:
            return response
        if USER_SESSION_KEY not in session:
            return response
        now = int(time.time())
        if now - session.get(ACTIVE_AT_KEY, 0) >= settings.SESSION_COOKIE_AGE / SESSION_REFRESH_FRACTION:
            session[ACTIVE_AT_KEY] = now
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's, asking the view first: a public view (the login page, a static file) does not
    read the session and the user (Django's asks for the user first, two queries)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


@receiver(user_logged_in, dispatch_uid="khetrial-session-active-at-login")
def active_at_login(sender, request, user, **kwargs):
    """Logging in writes the new session: its idle clock starts then (no write on the next page)."""
    if request is not None and getattr(request, "session", None) is not None:
        request.session[ACTIVE_AT_KEY] = int(time.time())


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

        if request.path.startswith(UNGUARDED_PATHS):
            return response  # static files and libraries hold no trial data (and no session read)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        disclosure = getattr(request, "disclosure", None)  # the view's (permissions.allow)
        if disclosure is None or disclosure.username != user.username:
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
