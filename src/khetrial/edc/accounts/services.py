"""Account management used by the CLI and the admin pages: add, list, disable, lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from khetrial.edc.accounts.roles import (LOCKOUT_MINUTES, MAX_FAILED_LOGINS, ROLES,
                                     SITE_OPTIONAL_ROLES, SITE_REQUIRED_ROLES)
from khetrial.errors import ConfigurationError

MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    site: str
    active: bool
    locked: bool

    def to_dict(self) -> dict:
        return {"username": self.username, "role": self.role, "site": self.site,
                "active": self.active, "locked": self.locked}


def check_role_and_site(role: str, site: str | None) -> str:
    """Return the site code to store for ``role``; raise if the pair is not allowed."""
    if role not in ROLES:
        raise ConfigurationError(f"role {role!r} is unknown; expected one of {', '.join(ROLES)}")
    site = (site or "").strip()
    if role in SITE_REQUIRED_ROLES and not site:
        raise ConfigurationError(f"role {role} works for one site; give --site SITE")
    if site and role not in SITE_REQUIRED_ROLES | SITE_OPTIONAL_ROLES:
        raise ConfigurationError(f"role {role} sees all sites; drop --site {site}")
    if site:
        from khetrial.edc.trial.models import Site

        if not Site.objects.filter(code=site).exists():
            known = ", ".join(Site.objects.order_by("code").values_list("code", flat=True))
            raise ConfigurationError(f"site {site!r} does not exist; known sites: {known or 'none'}")
    return site


def add_user(username: str, role: str, password: str, site: str | None = None, *,
             by: str = "cli") -> Account:
    """Create an active account with a role (and site); the password is hashed with argon2."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from khetrial.edc.accounts.models import Profile
    from khetrial.edc.audit.trail import record_event

    User = get_user_model()
    site_code = check_role_and_site(role, site)
    if User.objects.filter(username=username).exists():
        raise ConfigurationError(f"user {username!r} already exists; choose another name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigurationError(f"password has {len(password)} characters; "
                                 f"use at least {MIN_PASSWORD_LENGTH}")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ConfigurationError("password refused: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        Profile.objects.create(user=user, role=role, site_code=site_code)
        record_event("role_change", actor=by, detail=f"{username}: created as {role}"
                     + (f" at site {site_code}" if site_code else ""), username_target=username)
    return account_of(user)


def set_role(username: str, role: str, site: str | None = None, *, by: str = "cli") -> Account:
    """Change a user's role and site (recorded in the audit trail)."""
    from khetrial.edc.audit.trail import record_event

    user = _get(username)
    site_code = check_role_and_site(role, site)
    profile = user.profile
    old = f"{profile.role} {profile.site_code or '*'}"
    profile.role, profile.site_code = role, site_code
    profile.save()
    record_event("role_change", actor=by, detail=f"{username}: {old} -> {role} {site_code or '*'}",
                 username_target=username)
    return account_of(user)


def disable_user(username: str, *, by: str = "cli") -> Account:
    """Deactivate an account (never deleted: the audit trail refers to it)."""
    from khetrial.edc.accounts.models import ApiToken
    from khetrial.edc.audit.trail import record_event

    user = _get(username)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).update(revoked=True)
    record_event("role_change", actor=by, detail=f"{username}: disabled", username_target=username)
    return account_of(user)


def list_users() -> list[Account]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("profile").order_by("username")
    return [account_of(u) for u in users]


def account_of(user) -> Account:
    profile = getattr(user, "profile", None)
    return Account(username=user.username, role=profile.role if profile else "",
                   site=profile.site_code if profile else "", active=user.is_active,
                   locked=bool(profile and is_locked(profile)))


def is_locked(profile, now=None) -> bool:
    now = now or timezone.now()
    return profile.locked_until is not None and profile.locked_until > now


def register_failed_login(profile, now=None) -> bool:
    """Count a failed login; lock the account after MAX_FAILED_LOGINS. Returns 'now locked'."""
    now = now or timezone.now()
    profile.failed_logins += 1
    locked = profile.failed_logins >= MAX_FAILED_LOGINS
    if locked:
        profile.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
    profile.save(update_fields=["failed_logins", "locked_until"])
    return locked


def register_success(profile) -> None:
    if profile.failed_logins or profile.locked_until:
        profile.failed_logins = 0
        profile.locked_until = None
        profile.save(update_fields=["failed_logins", "locked_until"])


def _get(username: str):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.select_related("profile").get(username=username)
    except get_user_model().DoesNotExist:
        raise ConfigurationError(f"user {username!r} does not exist; see `khetrial user list`") from None
