"""Each user's role, site and person, login throttles, and API tokens.

The role and site live on :class:`Profile` (one per Django user). The site is a site code
(``Site.code`` of the trial app) kept as text so accounts do not depend on clinical tables.
``person`` names the human who holds the account (separation of duties); an account granted on
the web stays ``pending`` (inactive) until a second administrator approves it. After an administrator
resets a password, ``must_change_password`` holds the user on the password page until they
choose their own.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from khetrial.edc.accounts.roles import DEFAULT_TOKEN_DAYS, ROLES

TOKEN_BYTES = 32


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="profile")
    role = models.CharField(max_length=20, choices=[(r, r) for r in ROLES])
    site_code = models.CharField(max_length=40, blank=True, default="",
                                 help_text="empty = all sites (assessor) or not site-bound")
    person = models.CharField(max_length=150, blank=True, default="",
                              help_text="the human holding the account (e.g. e-mail); "
                                        "empty = the user name")
    pending = models.BooleanField(default=False,
                                  help_text="granted on the web, waiting for a second admin")
    granted_by = models.CharField(max_length=150, blank=True, default="")
    approved_by = models.CharField(max_length=150, blank=True, default="")
    must_change_password = models.BooleanField(
        default=False, help_text="an administrator reset the password: the user chooses a new "
                                 "one at the next login before anything else")

    def __str__(self) -> str:
        site = self.site_code or "all sites"
        return f"{self.user.username} ({self.role}, {site})"

    @property
    def person_key(self) -> str:
        """The person, compared case-insensitively; the user name when none was given."""
        return (self.person or self.user.username).strip().casefold()


class LoginThrottle(models.Model):
    """Failed logins for one user name from one address (counted with atomic updates)."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "address"],
                                               name="one_throttle_per_user_and_address")]


def hash_token(key: str) -> str:
    """SHA-256 of an API token: tokens are stored hashed, shown once."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    @classmethod
    def issue(cls, user, name: str = "api", days: int = DEFAULT_TOKEN_DAYS,
              now=None) -> tuple[ApiToken, str]:
        """Create a token for ``user`` valid ``days``; returns the row and the clear key
        (shown only once)."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        expires = (now or timezone.now()) + timedelta(days=days)
        row = cls.objects.create(user=user, name=name, key_hash=hash_token(key),
                                 expires_at=expires)
        return row, key

    @classmethod
    def find(cls, key: str, now=None) -> ApiToken | None:
        """The token with clear key ``key`` if it is unrevoked, unexpired and its user active."""
        row = (cls.objects.select_related("user", "user__profile")
               .filter(key_hash=hash_token(key), revoked=False,
                       expires_at__gt=now or timezone.now()).first())
        if row is None or not row.user.is_active:
            return None
        return row
