"""Account management used by the CLI and the admin pages: add, grant and approve, list,
disable and enable, role and site changes, unlock, password reset, API tokens.

Two paths create accounts. ``add_user`` is the operator's (``khetrial user add``, at the server,
with the database in hand): the account is active at once. ``propose_user`` is an administrator's
on the web: the account stays pending until ``approve_user`` by a *different* administrator, and
the audit trail names both (separation of duties, issue 16).

Account care (issue 15) lives here too, for both shells: ``unlock_user`` forgets the login
throttle's locks, ``reset_password`` gives a temporary password that the user must replace at
the next login (``change_password`` clears the flag), ``enable_user``/``disable_user`` and
``set_role``. Each writes one ``role_change`` entry in the audit trail naming the actor. ``by``
is the administrator's user name on the web and ``"cli"`` for the operator at the server; an
administrator never acts on their own account here (nobody changes their own role or unlocks,
resets or re-enables themselves).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khetrial.edc.accounts import second_factor, throttle
from khetrial.edc.accounts.models import ApiToken, Profile
from khetrial.edc.accounts.roles import (ADMIN, MAX_TOKEN_DAYS, ROLES, SITE_OPTIONAL_ROLES,
                                         SITE_REQUIRED_ROLES, USERNAME_HELP, USERNAME_PATTERN)
from khetrial.edc.accounts.throttle import locked_usernames
from khetrial.edc.audit.trail import record_event
from khetrial.edc.trial.models import Site
from khetrial.errors import ConfigurationError, PermissionDenied

USERNAME_RE = re.compile(USERNAME_PATTERN)
CLI = "cli"  # ``by`` of the operator at the server (not a user of the web application)
# A temporary password: 4 groups of 4 letters and digits without look-alikes (0/O, 1/l/I),
# 16 characters from 56 symbols ≈ 93 bits (project choice; NIST SP 800-63B 5.1.1.2 asks for
# at least 6 random characters of an issued secret).
TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_GROUPS, TEMPORARY_GROUP_LENGTH = 4, 4


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    site: str
    active: bool
    locked: bool
    person: str = ""
    pending: bool = False
    granted_by: str = ""
    must_change_password: bool = False
    second_factor: bool = False

    @property
    def linkable(self) -> bool:
        """Whether the name fits in a URL (accounts made before the name pattern may not)."""
        return USERNAME_RE.fullmatch(self.username) is not None

    def to_dict(self) -> dict:
        return {"username": self.username, "role": self.role, "site": self.site,
                "active": self.active, "locked": self.locked, "person": self.person,
                "pending": self.pending, "must_change_password": self.must_change_password,
                "second_factor": self.second_factor}


def check_username(username: str) -> str:
    """Return ``username`` if it matches the one user-name pattern; raise otherwise."""
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ConfigurationError(f"user name {username!r} is not allowed; use {USERNAME_HELP}")
    return username


def check_role_and_site(role: str, site: str | None) -> str:
    """Return the site code to store for ``role``; raise if the pair is not allowed."""
    if role not in ROLES:
        raise ConfigurationError(f"role {role!r} is unknown; expected one of {', '.join(ROLES)}")
    site = (site or "").strip()
    if role in SITE_REQUIRED_ROLES and not site:
        raise ConfigurationError(_("role %(role)s works for one site; give its site code")
                                 % {"role": role})
    if site and role not in SITE_REQUIRED_ROLES | SITE_OPTIONAL_ROLES:
        raise ConfigurationError(_("role %(role)s sees all sites; leave the site empty "
                                   "(got %(site)s)") % {"role": role, "site": site})
    if site and not Site.objects.filter(code=site).exists():
        known = ", ".join(Site.objects.order_by("code").values_list("code", flat=True))
        raise ConfigurationError(f"site {site!r} does not exist; known sites: {known or 'none'}")
    return site


def check_password(password: str, username: str = "") -> None:
    """Django's validators (minimum length, common passwords, similarity, all digits)."""
    try:
        validate_password(password, get_user_model()(username=username))
    except ValidationError as exc:
        raise ConfigurationError("password refused: " + " ".join(exc.messages)) from exc


def check_separation(person: str, role: str, *, except_user: str = "") -> None:
    """One person's accounts all have one role: nobody is admin and clinical, or both the
    assessor who asks for an unblinding and the investigator who approves it."""
    key = person.strip().casefold()
    others = (Profile.objects.select_related("user")
              .filter(Q(user__is_active=True) | Q(pending=True))
              .exclude(user__username=except_user).exclude(role=role))
    for profile in others:
        if profile.person_key == key:
            raise PermissionDenied(
                f"{person} already holds the {profile.role} account {profile.user.username}; "
                f"one person cannot also be {role} (separation of duties, project choice)")


def add_user(username: str, role: str, password: str, site: str | None = None, *,
             by: str = "cli", person: str = "") -> Account:
    """Create an active account with a role (and site); the password is hashed with argon2.

    The operator's path (CLI, demo); administrators on the web use :func:`propose_user`."""
    return _create(username, role, password, site, by=by, person=person, pending=False)


def propose_user(username: str, role: str, password: str, site: str | None = None, *,
                 by: str, person: str = "") -> Account:
    """An administrator grants an account; it stays inactive until another admin approves."""
    return _create(username, role, password, site, by=by, person=person, pending=True)


def approve_user(username: str, *, by: str) -> Account:
    """A second administrator approves a pending account; it becomes active."""
    user = _get(username)
    profile = user.profile
    if not profile.pending:
        raise ConfigurationError(f"user {username} is not waiting for approval")
    approver = _get(by)
    if getattr(approver, "profile", None) is None or approver.profile.role != ADMIN \
            or not approver.is_active:
        raise PermissionDenied(f"{by} is not an active administrator; only one approves accounts")
    if by == profile.granted_by or approver.profile.person_key == _get_person_key(
            profile.granted_by):
        raise PermissionDenied(f"{by} granted this account; a different administrator "
                               "approves it (separation of duties)")
    if approver.profile.person_key == profile.person_key:
        raise PermissionDenied(f"{by} cannot approve an account for themselves")
    check_separation(profile.person or username, profile.role, except_user=username)
    with transaction.atomic():
        profile.pending, profile.approved_by = False, by
        profile.save(update_fields=["pending", "approved_by"])
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event("role_change", actor=by, role=ADMIN, username_target=username,
                     detail=f"{username}: {profile.role} account approved by {by} "
                            f"(granted by {profile.granted_by})")
    return account_of(user)


def set_role(username: str, role: str, site: str | None = None, *, by: str = CLI) -> Account:
    """Change a user's role and site (recorded in the audit trail); never one's own."""
    user = _get(username)
    _not_self(username, by, _("change your own role or site"))
    site_code = check_role_and_site(role, site)
    profile = user.profile
    check_separation(profile.person or username, role, except_user=username)
    old = f"{profile.role} {profile.site_code or '*'}"
    profile.role, profile.site_code = role, site_code
    with transaction.atomic():
        profile.save(update_fields=["role", "site_code"])
        record_event("role_change", actor=by, username_target=username,
                     detail=f"{username}: {old} -> {role} {site_code or '*'}")
    return account_of(user)


def disable_user(username: str, *, by: str = CLI) -> Account:
    """Deactivate an account (never deleted: the audit trail refers to it)."""
    user = _get(username)
    _not_self(username, by, _("disable your own account"))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        Profile.objects.filter(user=user).update(pending=False)
        ApiToken.objects.filter(user=user).update(revoked=True)
        record_event("role_change", actor=by, detail=f"{username}: disabled",
                     username_target=username)
    return account_of(user)


def enable_user(username: str, *, by: str = CLI) -> Account:
    """Re-activate a disabled account, if its person still holds no account of another role
    (its API tokens stay revoked)."""
    user = _get(username)
    _not_self(username, by, _("enable your own account"))
    profile = getattr(user, "profile", None)
    if profile is None:
        raise ConfigurationError(_("user %(user)s has no role; give it one first")
                                 % {"user": username})
    if profile.pending:
        raise ConfigurationError(_("user %(user)s is waiting for a second administrator's "
                                   "approval; approve it instead") % {"user": username})
    if user.is_active:
        raise ConfigurationError(_("user %(user)s is already enabled") % {"user": username})
    check_separation(profile.person or username, profile.role, except_user=username)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event("role_change", actor=by, detail=f"{username}: enabled",
                     username_target=username)
    return account_of(user)


def unlock_user(username: str, *, by: str = CLI) -> int:
    """Lift the login throttle's locks on ``username`` (every address); returns how many
    addresses were locked out."""
    _get(username)
    _not_self(username, by, _("unlock your own account"))
    with transaction.atomic():
        n = throttle.unlock(username)
        record_event("role_change", actor=by, username_target=username,
                     detail=f"{username}: unlocked ({n} locked address(es) cleared)")
    return n


def temporary_password() -> str:
    """A random temporary password, e.g. ``x7Kd-Pq2m-...`` (see TEMPORARY_ALPHABET)."""
    return "-".join("".join(secrets.choice(TEMPORARY_ALPHABET)
                            for _k in range(TEMPORARY_GROUP_LENGTH))
                    for _g in range(TEMPORARY_GROUPS))


def reset_password(username: str, *, by: str = CLI) -> str:
    """Give ``username`` a temporary password (returned, shown once) that must be changed at
    the next login; the user's open sessions end (Django ties a session to the password)."""
    user = _get(username)
    _not_self(username, by, _("reset your own password (change it instead)"))
    if getattr(user, "profile", None) is None:
        raise ConfigurationError(_("user %(user)s has no role") % {"user": username})
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        Profile.objects.filter(user=user).update(must_change_password=True)
        record_event("role_change", actor=by, username_target=username,
                     detail=f"{username}: password reset; a temporary password must be "
                            "changed at the next login")
    return password


def remove_second_factor(username: str, *, by: str = CLI) -> int:
    """Delete the user's authenticator (a lost phone): they enrol a new one at the next login
    where one is required. Returns how many devices were removed."""
    user = _get(username)
    _not_self(username, by, _("remove your own second factor"))
    with transaction.atomic():
        n = second_factor.remove_devices(user)
        record_event("role_change", actor=by, username_target=username,
                     detail=f"{username}: second factor removed ({n} device(s))")
    return n


def change_password(username: str, new_password: str) -> None:
    """The user chooses a new password (after a reset, or at will); the reset flag is cleared.
    The caller has checked the old password (Django's password change form)."""
    user = _get(username)
    check_password(new_password, username)
    if user.check_password(new_password):
        raise ConfigurationError(_("the new password must differ from the old one"))
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        Profile.objects.filter(user=user).update(must_change_password=False)
        record_event("role_change", actor=username, username_target=username,
                     detail=f"{username}: password changed by the user")


def issue_token(username: str, days: int, label: str = "api", *, by: str = CLI) -> str:
    """A new API token for an active user, valid ``days`` (1..MAX_TOKEN_DAYS); the clear key."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ConfigurationError(f"--days {days}: a token lives 1 to {MAX_TOKEN_DAYS} days")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ConfigurationError(f"no active user {username!r}; see `khetrial user list`")
    row, key = ApiToken.issue(user, label, days=days)
    record_event("role_change", actor=by, username_target=username,
                 detail=f"{username}: API token {label!r} issued, expires "
                        f"{row.expires_at:%Y-%m-%d %H:%M} UTC")
    return key


def revoke_tokens(username: str, *, by: str = CLI) -> int:
    """Revoke every API token of ``username``; returns how many were still valid."""
    user = _get(username)
    n = ApiToken.objects.filter(user=user, revoked=False,
                                expires_at__gt=timezone.now()).update(revoked=True)
    ApiToken.objects.filter(user=user).update(revoked=True)
    record_event("role_change", actor=by, username_target=username,
                 detail=f"{username}: API tokens revoked ({n} valid)")
    return n


def list_users() -> list[Account]:
    users = get_user_model().objects.select_related("profile").order_by("username")
    locked = locked_usernames()
    enrolled = second_factor.enrolled_user_ids()
    return [account_of(u, locked, enrolled) for u in users]


def account_of(user, locked: set[str] | None = None, enrolled: set[int] | None = None) -> Account:
    profile = getattr(user, "profile", None)
    locked = locked_usernames() if locked is None else locked
    enrolled = second_factor.enrolled_user_ids(user) if enrolled is None else enrolled
    return Account(username=user.username, role=profile.role if profile else "",
                   site=profile.site_code if profile else "", active=user.is_active,
                   locked=user.username in locked, person=profile.person if profile else "",
                   pending=bool(profile and profile.pending),
                   granted_by=profile.granted_by if profile else "",
                   must_change_password=bool(profile and profile.must_change_password),
                   second_factor=user.pk in enrolled)


def _create(username: str, role: str, password: str, site: str | None, *, by: str, person: str,
            pending: bool) -> Account:
    User = get_user_model()
    check_username(username)
    site_code = check_role_and_site(role, site)
    person = person.strip()
    if User.objects.filter(username=username).exists():
        raise ConfigurationError(f"user {username!r} already exists; choose another name")
    check_password(password, username)
    check_separation(person or username, role)
    if pending and _get_person_key(by) == (person or username).casefold():
        raise PermissionDenied(f"{by} cannot grant an account to themselves")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password,
                                        is_active=not pending)
        Profile.objects.create(user=user, role=role, site_code=site_code, person=person,
                               pending=pending, granted_by=by, approved_by="" if pending else by)
        where = f" at site {site_code}" if site_code else ""
        verb = "granted, waiting for a second administrator" if pending else "created"
        record_event("role_change", actor=by, username_target=username,
                     detail=f"{username}: {verb} as {role}{where}"
                            + (f" for {person}" if person else ""))
    return account_of(user)


def same_person(username_a: str, username_b: str) -> bool:
    """Whether two accounts are held by the same person (by their ``person``, else name)."""
    return _get_person_key(username_a) == _get_person_key(username_b)


def _get_person_key(username: str) -> str:
    profile = Profile.objects.select_related("user").filter(user__username=username).first()
    return profile.person_key if profile else username.casefold()


def _not_self(username: str, by: str, what: str) -> None:
    if by != CLI and (by == username or _get_person_key(by) == _get_person_key(username)):
        raise PermissionDenied(_("you cannot %(what)s; ask another administrator")
                               % {"what": what})


def _get(username: str):
    try:
        return get_user_model().objects.select_related("profile").get(username=username)
    except get_user_model().DoesNotExist:
        raise ConfigurationError(f"user {username!r} does not exist; "
                                 "see `khetrial user list`") from None
