"""Parents' questionnaires (ePRO): a one-time, expiring link for the PedsQL that is due.

An investigator of the patient's site issues a link (:func:`issue_link`) when a PedsQL is due
(:func:`khetrial.protocol.pedsql.due_questionnaire`: its analysis window holds today and no
questionnaire was answered in it). The key is random (256 bits), shown once (as a URL and a QR
code) and stored only as its SHA-256, as API tokens are. A parent opens the link on a phone,
without an account, and answers; :func:`submit` marks the link used and writes one ``qol`` row
per item through the record service in the same transaction, so the audit trail attributes
the answers to ``epro:<link id>``. A used, revoked or expired link is refused; the key opens
nothing but its own questionnaire (it is no login and no API token).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import logging
import secrets
from datetime import timedelta
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khetrial.edc.audit.trail import record_event
from khetrial.edc.trial import records
from khetrial.edc.trial.models import Patient, QolResponse
from khetrial.edc.web.models import EproLink
from khetrial.errors import ConfigurationError, PermissionDenied
from khetrial.protocol.pedsql import DueQuestionnaire, due_questionnaire, items

EPRO_LINK_DAYS = 7  # project choice: a week to answer, well inside a PedsQL window (≥ 30 days)
KEY_BYTES = 32
PARENT_ROLE = "parent"  # the audit trail's role for answers given through a link
EPRO_FORM = "epro"
log = logging.getLogger("khetrial.edc.web")


class LinkRefused(PermissionDenied):
    """The link is unknown, used, revoked or expired (``reason`` says which)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def due_for(patient) -> DueQuestionnaire | None:
    """The PedsQL due today for ``patient`` (``None`` when none is)."""
    answered = (QolResponse.objects.filter(patient=patient, voided=False)
                .values_list("date", flat=True).distinct())
    return due_questionnaire(patient.randomization_date, patient.birth_date,
                             records.edc_today(), answered)


def issue_link(patient, *, by: str, role: str, now=None,
               days: int = EPRO_LINK_DAYS) -> tuple[EproLink, str]:
    """A new link for the PedsQL due for ``patient``; returns the row and the clear key."""
    due = due_for(patient)
    if due is None:
        raise ConfigurationError(_("no PedsQL is due today for %(patient)s (baseline: days −30 "
                                   "to 0, month 12: days 335 to 395, not yet answered)")
                                 % {"patient": patient.patient_id})
    now = now or timezone.now()
    key = secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        link = EproLink.objects.create(
            patient_id=patient.patient_id, site_code=patient.site.code, instrument=due.form,
            month=due.month, key_hash=hash_key(key), created_by=by, created_at=now,
            expires_at=now + timedelta(days=days))
        record_event("role_change", actor=by, role=role, patient_id=patient.patient_id,
                     site_code=patient.site.code, record_id=link.actor,
                     detail=f"parents' questionnaire link {link.actor} issued: PedsQL "
                            f"{due.form} (month {due.month}), expires "
                            f"{link.expires_at:%Y-%m-%d %H:%M} UTC")
    return link, key


def revoke_link(link: EproLink, *, by: str, role: str) -> None:
    """End a link before it is used (sent to the wrong parent, lost...)."""
    if link.used_at is not None or link.revoked_at is not None:
        raise ConfigurationError(_("this link is already used or revoked"))
    with transaction.atomic():
        EproLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        record_event("role_change", actor=by, role=role, patient_id=link.patient_id,
                     site_code=link.site_code, record_id=link.actor,
                     detail=f"parents' questionnaire link {link.actor} revoked")


def open_link(key: str, now=None) -> EproLink:
    """The live link of ``key``; raises :class:`LinkRefused` otherwise."""
    link = EproLink.objects.filter(key_hash=hash_key(key or "")).first()
    now = now or timezone.now()
    if link is None:
        raise LinkRefused("unknown", _("This link is not valid."))
    if link.used_at is not None:
        raise LinkRefused("used", _("This questionnaire has already been answered; the link "
                                    "works only once."))
    if link.revoked_at is not None:
        raise LinkRefused("revoked", _("This link was withdrawn by the study team."))
    if link.expires_at <= now:
        raise LinkRefused("expired", _("This link has expired."))
    return link


def submit(key: str, answers: list[int | None], *, ip: str = "", now=None) -> EproLink:
    """Record the parent's answers (one per item, in questionnaire order; ``None`` = skipped)
    and close the link, in one transaction: a second submit finds it used."""
    now = now or timezone.now()
    with transaction.atomic():
        link = open_link(key, now)
        claimed = EproLink.objects.filter(pk=link.pk, used_at__isnull=True,
                                          revoked_at__isnull=True,
                                          expires_at__gt=now).update(used_at=now)
        if not claimed:  # a concurrent submit came first
            raise LinkRefused("used", _("This questionnaire has already been answered; the "
                                        "link works only once."))
        pairs = items(link.instrument)
        if len(answers) != len(pairs):
            raise ConfigurationError(f"PedsQL {link.instrument}: got {len(answers)} answers; "
                                     f"expected {len(pairs)}")
        patient = Patient.objects.get(patient_id=link.patient_id)
        author = records.Author(actor=link.actor, role=PARENT_ROLE, form=EPRO_FORM, ip=ip)
        day = records.edc_today()
        records.add_many("qol", patient, [
            {"date": day, "instrument": link.instrument, "scale": scale, "item": item,
             "response": answer} for (scale, item), answer in zip(pairs, answers)],
            author=author)
    link.used_at = now
    return link


def link_status(link: EproLink, now=None) -> str:
    """``used``, ``revoked``, ``expired`` or ``open``."""
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= (now or timezone.now()) else "open"


def item_texts(form: str, language: str) -> dict[str, str]:
    """The wording of the form's items in ``language`` (else English) from the licensed file
    ``settings.PEDSQL_TEXTS_FILE`` (``KHETRIAL_PEDSQL_TEXTS``): JSON
    ``{"en": {"infant_13_24": {"pf_01": "..."}}, "zh-hans": {...}}``. The PedsQL wording is
    licensed (Mapi Research Trust), so khetrial ships none; without the file the page numbers
    the questions of each scale, as on the paper form the parents hold."""
    path = getattr(settings, "PEDSQL_TEXTS_FILE", "")
    if not path:
        return {}
    texts = _read_texts(path)
    return texts.get(language.lower(), {}).get(form) or texts.get("en", {}).get(form) or {}


@functools.lru_cache(maxsize=4)
def _read_texts(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("PedsQL item texts %s could not be read (%s); questions are numbered", path,
                    exc)
        return {}


def qr_data_uri(text: str) -> str:
    """``text`` as an SVG QR code in a ``data:`` URI (the pages' CSP allows ``img-src data:``)."""
    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
