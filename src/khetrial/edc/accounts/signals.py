"""Logins and failed logins: counted for the lockout and recorded in the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from khetrial.edc.accounts.services import register_success
    from khetrial.edc.audit.trail import record_event

    profile = getattr(user, "profile", None)
    if profile is not None:
        register_success(profile)
    record_event("login", actor=user.username, detail="login", ip=_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    from khetrial.edc.audit.trail import record_event

    if user is not None:
        record_event("logout", actor=user.username, detail="logout", ip=_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    from khetrial.edc.accounts.models import Profile
    from khetrial.edc.accounts.services import register_failed_login
    from khetrial.edc.audit.trail import record_event

    username = str(credentials.get("username", ""))[:150]
    detail = "failed login"
    user = get_user_model().objects.filter(username=username).first()
    profile = Profile.objects.filter(user=user).first() if user else None
    if profile is not None and register_failed_login(profile):
        detail = "failed login; account locked"
    record_event("login_failed", actor=username or "(none)", detail=detail, ip=_ip(request))


def _ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""
