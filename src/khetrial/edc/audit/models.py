"""One append-only table holds every audited event (ICH E6(R3) 4.2, 21 CFR 11.10(e)).

Rows are never changed nor deleted: :meth:`AuditEntry.save` refuses an update, ``delete``
refuses, the queryset refuses bulk ``update``/``delete``, and the migrations add database
triggers (SQLite and PostgreSQL) that abort any UPDATE or DELETE on the table. Each entry is a
link of a hash chain (:mod:`khetrial.edc.audit.chain`), written under a lock that makes
concurrent writers take turns, so that ``khetrial audit verify`` finds any change made around
the triggers.
"""

from __future__ import annotations

from django.db import connection, models, transaction
from django.utils import timezone

from khetrial.edc.audit.chain import CONTENT_FIELDS, GENESIS, entry_hash
from khetrial.errors import DatabaseError

CHAIN_LOCK_KEY = 0x6B68_6574  # "khet": PostgreSQL advisory lock held while a link is written

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
    prev_hash = models.CharField(max_length=64, default="", editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit trail is append-only; entries cannot be updated")
        kwargs["force_insert"] = True
        with transaction.atomic():
            lock_chain()
            last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
            self.prev_hash = last or GENESIS
            self.hash = entry_hash({k: getattr(self, k) for k in CONTENT_FIELDS}, self.prev_hash)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only; entries cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.form} {self.field}"


def lock_chain() -> None:
    """Make writers of the chain take turns until the current transaction ends.

    SQLite: transactions are IMMEDIATE (:func:`khetrial.edc.db.database_config`), so the
    transaction already holds the database's write lock. PostgreSQL: a transaction-level
    advisory lock, which needs no privilege on the table.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


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
