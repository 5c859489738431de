"""One append-only table holds every audited event (ICH E6(R3) 4.2, 21 CFR 11.10(e)).

Rows are never changed nor deleted: :meth:`AuditEntry.save` refuses an update, ``delete``
refuses, the queryset refuses bulk ``update``/``delete``, and the migration adds database
triggers (SQLite and PostgreSQL) that abort any UPDATE or DELETE on the table.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from khetrial.errors import DatabaseError

ACTIONS = ("create", "change", "void", "login", "login_failed", "logout", "role_change",
           "randomize", "export", "unblind_request", "unblind_approve", "unblind_reveal",
           "query", "lock", "unlock", "screening", "blinding_guard", "allocation_list")


class AppendOnlyError(DatabaseError):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only; entries cannot be updated")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only; entries cannot be deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150, db_index=True)
    role = models.CharField(max_length=20, blank=True, default="")
    action = models.CharField(max_length=20, choices=[(a, a) for a in ACTIONS], db_index=True)
    form = models.CharField(max_length=40, blank=True, default="", db_index=True)
    record_id = models.CharField(max_length=40, blank=True, default="")
    patient_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    site_code = models.CharField(max_length=40, blank=True, default="", db_index=True)
    field = models.CharField(max_length=60, blank=True, default="")
    old = models.TextField(blank=True, default="")
    new = models.TextField(blank=True, default="")
    reason = models.TextField(blank=True, default="")
    detail = models.TextField(blank=True, default="")
    ip = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit trail is append-only; entries cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only; entries cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.form} {self.field}"


class LockEvent(models.Model):
    """Database lock history, append-only: the latest row says whether the trial is locked."""

    at = models.DateTimeField(default=timezone.now)
    locked = models.BooleanField()
    actor = models.CharField(max_length=150)
    reason = models.TextField()

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("lock history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("lock history is append-only")
