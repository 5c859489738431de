"""The steps after the password, each user for their own account: a new password after an
administrator's reset (or at will), the second factor's code, and its enrolment.

The permission decorator sends users here (:func:`khetrial.edc.accounts.second_factor.pending_step`);
these pages themselves skip that redirect (``account_steps=False``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khetrial.edc.accounts import second_factor
from khetrial.edc.accounts.services import change_password
from khetrial.edc.web.permissions import EVERYONE, allow
from khetrial.errors import KhetrialError


class CodeForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("6-digit code from the authenticator app"),
                            max_length=12, widget=forms.TextInput(
                                attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                       "autofocus": True}))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


@allow(*EVERYONE, account_steps=False)
def password_change(request):
    """Choose a new password (after a reset this page comes before every other)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    forced = request.user.profile.must_change_password
    if request.method == "POST" and form.is_valid():
        try:
            change_password(request.user.username, form.cleaned_data["new_password1"])
        except KhetrialError as exc:
            form.add_error("new_password1", str(exc))
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)  # stay signed in
            messages.success(request, _("Your password has been changed."))
            return redirect(_next(request))
    return render(request, "web/password_change.html",
                  {"form": form, "forced": forced, "next": _next(request)})


@allow(*EVERYONE, account_steps=False)
def otp_verify(request):
    """The second factor at login: the current code of the enrolled authenticator."""
    if request.user.profile.must_change_password:
        return redirect("password_change")
    if second_factor.confirmed_device(request.user) is None:
        return redirect("otp_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("This code is wrong or already used; wait for the next one."))
    return render(request, "web/otp_verify.html", {"form": form, "next": _next(request)})


@allow(*EVERYONE, account_steps=False)
def otp_enrol(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm a code."""
    if request.user.profile.must_change_password:
        return redirect("password_change")
    if second_factor.confirmed_device(request.user) is not None \
            and not second_factor.is_verified(request.user):
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next(request)})}")
    device = second_factor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm_enrolment(request, form.cleaned_data["token"]):
            messages.success(request, _("The authenticator app is enrolled; each login will "
                                        "ask for its code."))
            return redirect(_next(request))
        form.add_error("token", _("This code is wrong; check the phone's clock and try the "
                                  "next code."))
    return render(request, "web/otp_enrol.html", {
        "form": form, "next": _next(request), "qr": second_factor.qr_data_uri(device),
        "secret": second_factor.secret_text(device)})
