"""The administrators' accounts page: grant (pending), approve by a second admin, disable."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from khetrial.edc.accounts.forms import AccountForm
from khetrial.edc.accounts.services import approve_user, disable_user, list_users, propose_user
from khetrial.edc.web.permissions import ADMIN, allow
from khetrial.errors import KhetrialError, PermissionDenied


@allow(ADMIN)
def users(request):
    """List accounts; a new account waits for a second administrator's approval."""
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            propose_user(data["username"], data["role"], data["password"], data["site"] or None,
                         by=request.user.username, person=data["person"])
            messages.success(request, gettext("user %(user)s granted; another administrator "
                                              "must approve it before it can log in")
                             % {"user": data["username"]})
            return redirect("users")
        except KhetrialError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/users.html", {"accounts": list_users(), "form": form})


@allow(ADMIN)
@require_POST
def user_approve(request, username):
    approve_user(username, by=request.user.username)  # KhetrialError -> 400/403 page
    messages.success(request, gettext("user %(user)s approved") % {"user": username})
    return redirect("users")


@allow(ADMIN)
@require_POST
def user_disable(request, username):
    if username == request.user.username:
        raise PermissionDenied(gettext("you cannot disable your own account"))
    disable_user(username, by=request.user.username)
    messages.success(request, gettext("user %(user)s disabled") % {"user": username})
    return redirect("users")
