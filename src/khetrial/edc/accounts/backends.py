"""Authentication backend: argon2 passwords (Django's hashers), plus lockout and a role check."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from khetrial.edc.accounts.services import is_locked


class LockoutBackend(ModelBackend):
    """Refuse users that are locked out, disabled, or have no role."""

    def user_can_authenticate(self, user) -> bool:
        profile = getattr(user, "profile", None)
        if profile is None or is_locked(profile):
            return False
        return super().user_can_authenticate(user)
