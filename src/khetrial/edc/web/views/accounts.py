"""The administrators' accounts page: grant (pending), approve by a second admin, and account
care — unlock, password reset, disable and enable, role and site, second factor removal.

Every action is one call of :mod:`khetrial.edc.accounts.services` (which writes the audit
entry and refuses actions on one's own account); a refusal for a reason of the data (a site
that does not exist...) comes back as a message on this page, a refusal of the separation of
duties as the 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khetrial.edc.accounts.forms import AccountForm
from khetrial.edc.accounts.roles import ROLES
from khetrial.edc.accounts.services import (approve_user, disable_user, enable_user, list_users,
                                            propose_user, remove_second_factor, reset_password,
                                            set_role, unlock_user)
from khetrial.edc.trial.models import Site
from khetrial.edc.web.labels import ROLE_LABELS
from khetrial.edc.web.permissions import ADMIN, allow
from khetrial.errors import ConfigurationError, KhetrialError, PermissionDenied


@allow(ADMIN)
def users(request):
    """List accounts; a new account waits for a second administrator's approval."""
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            propose_user(data["username"], data["role"], data["password"], data["site"] or None,
                         by=request.user.username, person=data["person"])
            messages.success(request, _("user %(user)s granted; another administrator must "
                                        "approve it before it can log in")
                             % {"user": data["username"]})
            return redirect("users")
        except KhetrialError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/users.html", {
        "accounts": list_users(), "form": form, "roles": ROLES,
        "sites": list(Site.objects.order_by("code").values_list("code", flat=True))})


@allow(ADMIN)
@require_POST
def user_approve(request, username):
    approve_user(username, by=request.user.username)  # KhetrialError -> 400/403 page
    messages.success(request, _("user %(user)s approved") % {"user": username})
    return redirect("users")


@allow(ADMIN)
@require_POST
def user_disable(request, username):
    if username == request.user.username:
        raise PermissionDenied(_("you cannot disable your own account"))
    disable_user(username, by=request.user.username)
    messages.success(request, _("user %(user)s disabled") % {"user": username})
    return redirect("users")


@allow(ADMIN)
@require_POST
def user_enable(request, username):
    return _act(request, lambda: enable_user(username, by=request.user.username),
                _("user %(user)s enabled") % {"user": username})


@allow(ADMIN)
@require_POST
def user_unlock(request, username):
    return _act(request, lambda: unlock_user(username, by=request.user.username),
                _("user %(user)s unlocked: failed logins forgotten") % {"user": username})


@allow(ADMIN)
@require_POST
def user_role(request, username):
    role, site = request.POST.get("role", ""), request.POST.get("site", "")
    return _act(request, lambda: set_role(username, role, site or None, by=request.user.username),
                _("user %(user)s is now %(role)s %(site)s")
                % {"user": username, "role": ROLE_LABELS.get(role, role), "site": site})


@allow(ADMIN)
@require_POST
def user_second_factor_remove(request, username):
    return _act(request, lambda: remove_second_factor(username, by=request.user.username),
                _("user %(user)s: authenticator removed; a new one is enrolled at the next "
                  "login where one is required") % {"user": username})


@allow(ADMIN)
@require_POST
def user_reset_password(request, username):
    """A temporary password, shown once on this page, that the user must change at login."""
    try:
        password = reset_password(username, by=request.user.username)
    except ConfigurationError as exc:
        messages.error(request, str(exc))
        return redirect("users")
    return render(request, "web/user_reset.html", {"username": username, "password": password})


def _act(request, action, done: str):
    """Run ``action``; a data refusal becomes a message, a permission refusal the 403 page."""
    try:
        action()
    except ConfigurationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("users")
