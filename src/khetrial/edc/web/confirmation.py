"""The randomization's confirmation: what the investigator saw is what is randomized.

Submitting the randomization form allocates nothing: it shows the child's summary with the
values signed (:func:`sign`, Django's signing with the secret key). Only "Confirm and
randomize" with that signature allocates, and :func:`read` refuses a confirmation that was
changed (any edit breaks the signature), that belongs to another screening or another user, or
that is older than :data:`CONFIRMATION_MAX_AGE_SECONDS`.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _

from khetrial.errors import KhetrialError

SALT = "khetrial.web.randomization-confirmation"
CONFIRMATION_MAX_AGE_SECONDS = 15 * 60
"""Project choice: a summary left open longer than 15 minutes is shown again before it counts."""


class ConfirmationRefused(KhetrialError):
    """A randomization confirmation that is stale, altered or someone else's."""


def sign(screening_pk: int, username: str, values: dict[str, str]) -> str:
    """The signed confirmation of ``values`` (the form as typed) for one screening and user."""
    return signing.dumps({"screening": screening_pk, "user": username, "values": values},
                         salt=SALT, compress=True)


def read(token: str, screening_pk: int, username: str) -> dict[str, str]:
    """The values of a confirmation, or :class:`ConfirmationRefused` saying why not."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=CONFIRMATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise ConfirmationRefused(_("This confirmation is more than %(minutes)d minutes old: "
                                    "check the values again and confirm.") % {
                                      "minutes": CONFIRMATION_MAX_AGE_SECONDS // 60}) from None
    except signing.BadSignature:
        raise ConfirmationRefused(_("This confirmation was altered or is incomplete: nothing "
                                    "was randomized; check the values again and confirm."))
    if payload.get("screening") != screening_pk or payload.get("user") != username:
        raise ConfirmationRefused(_("This confirmation belongs to another screening or user: "
                                    "nothing was randomized."))
    values = payload.get("values")
    if not isinstance(values, dict):
        raise ConfirmationRefused(_("This confirmation holds no values: nothing was randomized."))
    return {str(k): str(v) for k, v in values.items()}
