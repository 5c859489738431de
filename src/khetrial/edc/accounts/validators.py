"""A password validator for what Django's lists miss: a common or project word plus digits.

Django's ``CommonPasswordValidator`` refuses the 20,000 most common passwords as written;
``khetrial2026`` and ``password2026!`` pass it. This one strips digits and punctuation and
refuses the remainder if it is a common password or a word of this trial (project choice,
issue 16).
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

PROJECT_WORDS = frozenset({"khetrial", "khe", "kmp", "kasabach", "kaposiform", "sirolimus",
                           "prednisolone", "prednisone", "trial", "khetrialdemo", "demo"})
NOT_LETTERS = re.compile(r"[\W\d_]+")


class CommonWordWithDigitsValidator:
    """Refuse a common password or a project word decorated with digits and punctuation."""

    def __init__(self):
        self._common = CommonPasswordValidator()

    def validate(self, password: str, user=None) -> None:
        core = NOT_LETTERS.sub("", password).casefold()
        if core and (core in PROJECT_WORDS or core in self._common.passwords):
            raise ValidationError(f"This password is too common: {core!r} with digits or "
                                  "punctuation added is still easy to guess.",
                                  code="password_too_common")

    def get_help_text(self) -> str:
        return "Your password cannot be a common word with digits or punctuation added."
