"""The administrator's form to grant an account (the user name pattern and the password rules
are the ones the CLI applies, from :mod:`khetrial.edc.accounts.roles`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khetrial.edc.accounts.roles import (MIN_PASSWORD_LENGTH, ROLES, USERNAME_HELP,
                                         USERNAME_PATTERN)


class AccountForm(forms.Form):
    username = forms.RegexField(label=_("User name"), regex=rf"\A{USERNAME_PATTERN}\Z", max_length=64,
                                help_text=USERNAME_HELP,
                                error_messages={"invalid": f"use {USERNAME_HELP}"})
    person = forms.CharField(label=_("Person"), max_length=150,
                             help_text=_("who holds the account (e.g. e-mail); one person's "
                                         "accounts all have one role"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r, r) for r in ROLES])
    site = forms.CharField(label=_("Site"), max_length=40, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                               min_length=MIN_PASSWORD_LENGTH)
