"""The hash chain, pure: each link's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from khetrial.edc.audit.chain import CONTENT_FIELDS, GENESIS, check_chain, entry_hash

AT = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)


def _row(i: int, prev: str, **content) -> dict:
    row = {k: "" for k in CONTENT_FIELDS} | {"at": AT, "actor": f"user{i}",
                                              "action": "create"} | content
    return row | {"id": i, "prev_hash": prev, "hash": entry_hash(row, prev)}


def _chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        rows.append(_row(i, prev))
        prev = rows[-1]["hash"]
    return rows


def test_the_hash_is_sha256_of_the_canonical_json():
    # by hand: json.dumps of the content with the time in UTC ISO form, and the previous hash
    content = {k: "" for k in CONTENT_FIELDS} | {"at": "2026-12-01T10:00:00.123456Z",
                                                  "actor": "user1", "action": "create"}
    text = json.dumps({"content": content, "prev": GENESIS}, sort_keys=True)
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert _row(1, GENESIS)["hash"] == expected


def test_an_intact_chain_reports_its_length_and_head():
    rows = _chain(4)
    report = check_chain(rows, counter=4)
    assert report.ok and report.checked == 4 and report.head == rows[-1]["hash"]


def test_a_changed_entry_is_found():
    rows = _chain(4)
    rows[1] = rows[1] | {"reason": "tampered"}
    report = check_chain(rows)
    assert not report.ok and report.broken_id == 2 and "content changed" in report.problem


def test_a_deleted_entry_is_found_at_the_next_link():
    rows = _chain(4)
    del rows[1]
    report = check_chain(rows)
    assert report.broken_id == 3 and "deleted or one was inserted" in report.problem


def test_an_inserted_entry_is_found():
    rows = _chain(3)
    forged = _row(9, rows[0]["hash"], actor="mallory")
    report = check_chain([rows[0], forged, rows[1], rows[2]])
    assert report.broken_id == 2


def test_the_first_entries_deleted_are_found():
    assert "first entries" in check_chain(_chain(3)[1:]).problem


def test_deleted_last_entries_are_found_by_the_id_counter():
    report = check_chain(_chain(3)[:2], counter=3)
    assert not report.ok and report.broken_id is None and "after 2" in report.problem


def test_time_is_compared_in_utc_whatever_zone_it_comes_back_in():
    from datetime import timedelta

    row = _row(1, GENESIS)
    other_zone = row | {"at": AT.astimezone(timezone(timedelta(hours=8)))}
    assert check_chain([other_zone]).ok
