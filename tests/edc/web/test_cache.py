"""The shared cache (:mod:`khetrial.edc.web.cache`): Django's database cache whose ``set_many``
writes a batch of entries in one statement."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khetrial.edc.web.cache import DatabaseCache, LocalEntries, forget_local_entries, per_patient
from khetrial.edc.trial.models import Patient, Site
from khetrial.edc.web.models import CacheEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_patients():
    """Three patients (any site) with their revisions."""
    site = Site.objects.create(code="L", name="Local")
    return [Patient.objects.create(patient_id=f"L-0{i}", site=site, arm="S", sex="F",
                                   randomization_date=date(2024, 1, i), birth_date=date(2023, 1, 1),
                                   weight_kg=8, height_cm=70)
            for i in (1, 2, 3)]


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


# --- the process's own copies in front of the shared cache -----------------------------------------

def test_the_local_entries_keep_the_most_recently_used_up_to_their_size():
    local = LocalEntries(3)
    local.set_many({"a": 1, "b": 2, "c": 3})
    assert local.get_many(["a", "x"]) == {"a": 1}  # a is now the most recently used
    local.set_many({"d": 4})
    assert local.get_many(["a", "b", "c", "d"]) == {"a": 1, "c": 3, "d": 4}  # b, the oldest, went


def test_per_patient_reads_an_entry_it_holds_without_asking_the_shared_cache(trial_patients):
    forget_local_entries()
    made = []

    def compute(missing):
        made.extend(p.patient_id for p in missing)
        return {p.pk: p.patient_id.lower() for p in missing}

    first = per_patient("test-local", trial_patients, compute)
    with CaptureQueriesContext(connection) as read:
        again = per_patient("test-local", trial_patients, compute)
    assert again == first and len(read) == 0 and sorted(made) == sorted(p.patient_id for p in trial_patients)
    forget_local_entries()  # another process: the shared cache still has them
    with CaptureQueriesContext(connection) as read:
        assert per_patient("test-local", trial_patients, compute) == first
    assert len(read) == 1 and len(made) == len(trial_patients)
