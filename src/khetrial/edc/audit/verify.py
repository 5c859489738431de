"""Checking the stored audit trail's hash chain (``khetrial audit verify``)."""

from __future__ import annotations

from django.db import connection

from khetrial.edc.audit.chain import CONTENT_FIELDS, ChainReport, check_chain
from khetrial.edc.audit.models import AuditEntry


def verify_trail() -> ChainReport:
    """Walk every audit entry in id order and report the first broken link (or none)."""
    rows = (AuditEntry.objects.order_by("id")
            .values("id", "prev_hash", "hash", *CONTENT_FIELDS).iterator(chunk_size=2000))
    return check_chain(rows, counter=_id_counter())


def _id_counter() -> int | None:
    """SQLite: the highest id AUTOINCREMENT ever handed out (rolled-back inserts excluded)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s",
                       [AuditEntry._meta.db_table])
        row = cursor.fetchone()
    return row[0] if row else None
