"""The shared cache (:mod:`khetrial.edc.web.cache`): Django's database cache whose ``set_many``
writes a batch of entries in one statement."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khetrial.edc.web.cache import DatabaseCache
from khetrial.edc.web.models import CacheEntry

pytestmark = pytest.mark.django_db


def test_set_many_writes_every_entry_in_two_statements_and_get_many_reads_them_back():
    cache = caches["advice"]
    values = {f"k{i}": {"n": i, "t": (i, "x")} for i in range(300)}
    with CaptureQueriesContext(connection) as written:
        assert cache.set_many(values) == []
    statements = [q["sql"] for q in written.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 2 + len(values) // 333  # a count, then the upserts (SQLite: 333 a statement)
    with CaptureQueriesContext(connection) as read:
        assert cache.get_many(list(values)) == values
    assert len(read) == 1
    assert cache.get("k7") == {"n": 7, "t": (7, "x")}  # Django's own methods read the same table


def test_set_many_overwrites_an_existing_key():
    cache = caches["advice"]
    cache.set_many({"a": 1, "b": 2})
    cache.set_many({"a": 10})
    assert cache.get_many(["a", "b", "c"]) == {"a": 10, "b": 2}
    assert CacheEntry.objects.count() == 2


def test_an_expired_entry_is_not_returned():
    cache = caches["advice"]
    cache.set_many({"old": 1}, timeout=-1)
    cache.set_many({"new": 2})
    assert cache.get_many(["old", "new"]) == {"new": 2}


def test_more_entries_than_the_maximum_are_culled():
    cache = DatabaseCache("khetrial_cache", {"OPTIONS": {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2}})
    cache.set_many({f"first{i}": i for i in range(20)})
    cache.set_many({f"second{i}": i for i in range(10)})
    assert CacheEntry.objects.count() < 30
    assert cache.get_many([f"second{i}" for i in range(10)]) == {f"second{i}": i for i in range(10)}
