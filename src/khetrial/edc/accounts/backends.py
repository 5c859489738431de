"""Authentication backend: argon2 passwords (Django's hashers), throttling and a role check.

The throttle is checked when a password is tried (``authenticate``), never when a session is
read (``get_user``): failed logins by someone else never end the real user's sessions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from khetrial.edc.accounts.throttle import is_throttled

UserModel = get_user_model()


def client_address(request) -> str:
    """The client's address as the WSGI server reports it (behind a trusted proxy, waitress
    puts the forwarded address there; see ``khetrial serve --trusted-proxy``)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""


class LockoutBackend(ModelBackend):
    """Refuse throttled (user, address) pairs, and users disabled, pending or without a role."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and is_throttled(str(username), client_address(request)):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user with its profile (role, site) in one query: every page asks for
        the role."""
        user = UserModel._default_manager.select_related("profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        profile = getattr(user, "profile", None)
        if profile is None or profile.pending:
            return False
        return super().user_can_authenticate(user)
