"""The user's language: chosen with the header's switch, remembered per user and per browser.

:func:`switch_language` (the ``set_language`` route) is Django's ``set_language`` view — it
sets the language cookie that :class:`django.middleware.locale.LocaleMiddleware` reads — and,
for a logged-in user, also stores the choice (:class:`~khetrial.edc.web.models.LanguagePreference`).
:func:`remember_at_login` copies the stored choice into the session when the user logs in, and
:class:`UserLanguageMiddleware` applies it when the browser has no language cookie yet (the
user's first page on a new browser, no database query per request), so a nurse who chose
Chinese once sees Chinese wherever she logs in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import translation
from django.views.i18n import set_language

from khetrial.edc.web.models import LanguagePreference
from khetrial.edc.web.permissions import public

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
SESSION_KEY = "khetrial_language"
FILE_PATHS = ("/static/", "/vendor/")  # the application's files: no words, no session read


def language_of(user) -> str | None:
    """The language ``user`` chose, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (LanguagePreference.objects.filter(user=user).values_list("language", flat=True)
            .first())


@receiver(user_logged_in, dispatch_uid="khetrial-language-at-login")
def remember_at_login(sender, request, user, **kwargs):
    """Put the user's stored language into the new session (read by the middleware)."""
    chosen = language_of(user)
    if request is not None and chosen in LANGUAGE_CODES:
        request.session[SESSION_KEY] = chosen


@public
def switch_language(request):
    """Django's ``set_language`` (POST ``language``, ``next``), remembered for the user; a GET
    shows the switch alone (a page without the header's form, e.g. a bookmarked link)."""
    if request.method != "POST":
        return render(request, "web/language.html")
    response = set_language(request)
    code = request.POST.get("language", "")
    if code in LANGUAGE_CODES and request.user.is_authenticated:
        LanguagePreference.objects.update_or_create(user=request.user,
                                                    defaults={"language": code})
        request.session[SESSION_KEY] = code
    return response


class UserLanguageMiddleware:
    """After authentication: a user's stored language when the browser has not chosen one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = None
        session = getattr(request, "session", None)
        if (settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and session is not None
                and not request.path.startswith(FILE_PATHS)):
            chosen = session.get(SESSION_KEY)
            if chosen in LANGUAGE_CODES:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen in LANGUAGE_CODES:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen,
                                max_age=settings.LANGUAGE_COOKIE_AGE,
                                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=False)
        return response
