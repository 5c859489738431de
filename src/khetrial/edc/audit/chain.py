"""The hash chain over audit entries: tamper evidence for a trail stored in a database.

Each entry stores ``hash = SHA-256(canonical JSON of its content + prev_hash)`` and the
``prev_hash`` of the entry written before it (the first entry's is :data:`GENESIS`). Changing an
entry changes its hash; deleting or inserting one breaks the next entry's ``prev_hash``; deleting
the last entries is seen on SQLite by the table's AUTOINCREMENT counter running ahead of the last
id. Anyone who can rewrite the whole table can also recompute the whole chain: compare the head
(count and last hash) that ``khetrial audit verify`` prints with one kept outside the database
(a backup, the trial master file) to rule that out.

Pure functions over plain dicts; :mod:`khetrial.edc.audit.verify` reads the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "0" * 64
CONTENT_FIELDS = ("at", "actor", "role", "action", "form", "record_id", "patient_id",
                  "site_code", "field", "old", "new", "reason", "detail", "ip")


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, ISO 8601: the same text whichever database the entry came back from."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(content: dict, prev_hash: str) -> str:
    """SHA-256 (hex) of an entry's content fields and the previous entry's hash."""
    values = {k: (canonical_time(content[k]) if k == "at" else str(content.get(k) or ""))
              for k in CONTENT_FIELDS}
    text = json.dumps({"content": values, "prev": prev_hash}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of checking a chain: ``ok``, entries checked, the head, the first break."""

    checked: int
    head: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.problem

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "head": self.head,
                "broken_id": self.broken_id, "problem": self.problem}


def check_chain(rows, *, counter: int | None = None) -> ChainReport:
    """Walk ``rows`` (dicts with ``id``, ``hash``, ``prev_hash`` and the content fields, in id
    order) and report the first broken link. ``counter`` is the highest id the database ever
    handed out (SQLite's AUTOINCREMENT counter), when known."""
    prev, checked, last_id = GENESIS, 0, 0
    for row in rows:
        if row["prev_hash"] != prev:
            what = "an entry before it was deleted or one was inserted" if checked else (
                "the first entries were deleted")
            return ChainReport(checked, prev, row["id"],
                               f"entry {row['id']}: previous-hash link broken ({what})")
        if entry_hash(row, prev) != row["hash"]:
            return ChainReport(checked, prev, row["id"],
                               f"entry {row['id']}: content changed after it was written "
                               "(its hash no longer matches)")
        prev, checked, last_id = row["hash"], checked + 1, row["id"]
    if counter is not None and counter > last_id:
        return ChainReport(checked, prev, None,
                           f"entries after {last_id} were deleted (ids up to {counter} were "
                           "handed out)")
    return ChainReport(checked, prev)
