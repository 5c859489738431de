"""Each user's role and site, failed-login counter, and API tokens.

The role and site live on :class:`Profile` (one per Django user). The site is a site code
(``Site.code`` of the trial app) kept as text so accounts do not depend on clinical tables.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from khetrial.edc.accounts.roles import ROLES

TOKEN_BYTES = 32


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="profile")
    role = models.CharField(max_length=20, choices=[(r, r) for r in ROLES])
    site_code = models.CharField(max_length=40, blank=True, default="",
                                 help_text="empty = all sites (assessor) or not site-bound")
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        site = self.site_code or "all sites"
        return f"{self.user.username} ({self.role}, {site})"


def hash_token(key: str) -> str:
    """SHA-256 of an API token: tokens are stored hashed, shown once."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(default=False)

    @classmethod
    def issue(cls, user, name: str = "api") -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the clear key (shown only once)."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        return cls.objects.create(user=user, name=name, key_hash=hash_token(key)), key
