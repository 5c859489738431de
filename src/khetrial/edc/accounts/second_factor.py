"""The optional second factor (TOTP, django-otp) and the steps a signed-in user must take first.

Any user may enrol an authenticator app; once a confirmed device exists, every login asks for
its 6-digit code. Administrators, and anyone opening the emergency-unblinding pages, must have
one (project choice, issue 15): without a confirmed device they are sent to the enrolment page.
A password reset by an administrator comes first of all: the user chooses a new password
before any other page (:func:`pending_step`, which the permission decorators ask).

Codes are checked by django-otp's :class:`TOTPDevice` (RFC 6238: 30-second steps, one step of
tolerance, a code is never accepted twice, failures slow further attempts down).
"""

from __future__ import annotations

import base64
import io

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from khetrial.edc.accounts.roles import SECOND_FACTOR_ROLES
from khetrial.edc.audit.trail import record_event

DEVICE_NAME = "authenticator app"
PASSWORD_STEP, VERIFY_STEP, ENROL_STEP = "password_change", "otp_verify", "otp_enrol"


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def is_verified(user) -> bool:
    """Whether this session's user passed the second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user, *, second_factor: bool = False) -> str | None:
    """The URL name of the page a signed-in user must pass before ``second_factor`` pages
    (or any page): the password change after a reset, the second factor's code when a device
    is enrolled, the enrolment when the role or the page requires one; ``None`` when done."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.must_change_password:
        return PASSWORD_STEP
    if is_verified(user):
        return None
    if confirmed_device(user) is not None:
        return VERIFY_STEP
    if second_factor or (profile is not None and profile.role in SECOND_FACTOR_ROLES):
        return ENROL_STEP
    return None


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (a new secret unless one is already waiting)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm_enrolment(request, token: str) -> bool:
    """Confirm the device being enrolled with a first code; the session is then verified and
    any older device is removed. False when the code is wrong."""
    user = request.user
    device = enrolment_device(user)
    if not device.verify_token(_digits(token)):
        record_event("login_failed", actor=user.username,
                     detail="second factor enrolment: wrong code")
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event("role_change", actor=user.username, username_target=user.username,
                     detail=f"{user.username}: second factor (authenticator app) enrolled")
    otp_login(request, device)
    return True


def verify(request, token: str) -> bool:
    """Check a code of the user's confirmed device; on success the session is verified."""
    user = request.user
    device = confirmed_device(user)
    if device is None or not device.verify_token(_digits(token)):
        record_event("login_failed", actor=user.username, detail="second factor: wrong code")
        return False
    otp_login(request, device)
    record_event("login", actor=user.username, detail="second factor verified")
    return True


def enrolled_user_ids(user=None) -> set[int]:
    """Ids of the users (or of ``user`` only) that have a confirmed authenticator."""
    rows = TOTPDevice.objects.filter(confirmed=True)
    if user is not None:
        rows = rows.filter(user=user)
    return set(rows.values_list("user_id", flat=True))


def remove_devices(user) -> int:
    """Delete every authenticator of ``user`` (a lost phone); returns how many."""
    return TOTPDevice.objects.filter(user=user).delete()[0]


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URL as an SVG QR code in a ``data:`` URI (the pages'
    Content-Security-Policy allows ``img-src data:``)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 (what authenticator apps accept when typed), in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token or "") if ch.isdigit())[:10]
