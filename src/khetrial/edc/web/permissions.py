"""Who may open which page: one decorator per view, nothing scattered inside views.

``@allow(INVESTIGATOR, MONITOR)`` refuses (403) every other role; ``@public`` marks the few
views that need no login (the login page, static files, a parent's questionnaire link). Each
decorated view carries its roles in ``khetrial_roles``, which the generated permission test
reads for every URL.

Before any page, ``allow`` sends a user to the step they owe
(:func:`khetrial.edc.accounts.second_factor.pending_step`): a new password after an
administrator's reset, the second factor's code, or its enrolment (administrators, and every
page marked ``second_factor=True``). The pages of those steps say ``account_steps=False``.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from khetrial.edc.accounts.roles import (ADMIN, ASSESSOR, INVESTIGATOR, MONITOR, ROLES,
                                         STATISTICIAN)
from khetrial.edc.accounts.second_factor import pending_step
from khetrial.edc.trial.records import Author
from khetrial.edc.web.blinding import disclosure_for

PUBLIC = "public"
CLINICAL = (INVESTIGATOR, ASSESSOR, STATISTICIAN, MONITOR)
UNBLINDED_CLINICAL = (INVESTIGATOR, STATISTICIAN, MONITOR)
EVERYONE = ROLES


def role_of(user) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return ""
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else ""


def allow(*roles: str, second_factor: bool = False, account_steps: bool = True):
    """Let only ``roles`` open the view; the request gets ``request.disclosure``.

    ``second_factor``: the page needs a verified second factor whatever the role;
    ``account_steps=False``: the page is one of those steps (no redirect to itself)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"allow(): roles {sorted(unknown)} unknown; expected some of {ROLES}")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise DjangoPermissionDenied("your role may not open this page")
            step = pending_step(request.user, second_factor=second_factor) \
                if account_steps else None
            if step is not None:
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
            request.disclosure = disclosure_for(request.user)
            return view(request, *args, **kwargs)

        wrapped.khetrial_roles = frozenset(roles)
        wrapped.khetrial_second_factor = second_factor
        return wrapped

    return decorate


def author(request, form: str) -> Author:
    """The audit trail's author of a write made by this request's user through ``form``
    (a table's page, ``api``, ``qol``...): the one place a view names who writes."""
    return Author(actor=request.user.username, role=request.disclosure.role, form=form,
                  ip=request.META.get("REMOTE_ADDR", ""))


def public(view):
    """A view anyone may open, logged in or not."""
    view = login_not_required(view)
    view.khetrial_roles = frozenset({PUBLIC})
    return view


__all__ = ["allow", "author", "public", "role_of", "PUBLIC", "CLINICAL", "UNBLINDED_CLINICAL",
           "EVERYONE", "ADMIN", "ASSESSOR", "INVESTIGATOR", "MONITOR", "STATISTICIAN"]
