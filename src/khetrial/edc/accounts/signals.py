"""Logins and failed logins: counted for the throttle and recorded in the audit trail."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from khetrial.edc.accounts import throttle
from khetrial.edc.accounts.backends import client_address
from khetrial.edc.audit.trail import record_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    throttle.clear(user.username, client_address(request))
    record_event("login", actor=user.username, detail="login", ip=client_address(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event("logout", actor=user.username, detail="logout", ip=client_address(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    address = client_address(request)
    detail = "failed login"
    if throttle.is_throttled(username, address):
        detail = "failed login; this address is locked out for this user"
    elif _exists(username) and throttle.register_failure(username, address):
        detail = "failed login; account locked for this address"
    record_event("login_failed", actor=username or "(none)", detail=detail, ip=address)


def _exists(username: str) -> bool:
    """Only real accounts are counted: made-up names must not fill the throttle table."""
    return bool(username) and get_user_model().objects.filter(username=username).exists()
