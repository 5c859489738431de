"""Allocation: the next unused entry of the site's stratum, recorded; the list stays hidden."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from khetrial.errors import DatabaseError
from khetrial.edc.randomization.stress import run_parallel

SITES = ("A", "B", "C", "D", "E")


def _setup_list(per_site=50):
    from khetrial.edc.randomization.services import create_allocation_list
    from khetrial.edc.trial.models import Site

    for code in SITES:
        Site.objects.get_or_create(code=code)
    create_allocation_list(SITES, seed="alloc-tests", per_site=per_site)


def test_allocation_takes_entries_in_list_order_and_records_them(db):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.randomization.models import AllocationEntry
    from khetrial.edc.randomization.services import allocate_entry

    _setup_list()
    got = [allocate_entry("A", f"A-{i}", actor="inv_a") for i in range(1, 6)]
    expected = list(AllocationEntry.objects.filter(site_code="A").order_by("position")[:5])
    assert [(g.position, g.arm) for g in got] == [(e.position, e.arm) for e in expected]
    used = AllocationEntry.objects.get(site_code="A", position=3)
    assert (used.patient_id, used.used_by) == ("A-3", "inv_a") and used.used_at is not None
    assert AuditEntry.objects.filter(action="allocation_list").count() == 1


def test_the_list_is_created_once(db):
    _setup_list()
    with pytest.raises(DatabaseError, match="already exists"):
        _setup_list()


def test_used_up_list_and_double_randomization_are_refused(db):
    from khetrial.edc.randomization.services import allocate_entry

    _setup_list(per_site=2)
    from khetrial.edc.randomization.models import AllocationEntry

    n = AllocationEntry.objects.filter(site_code="B").count()
    for i in range(n):
        allocate_entry("B", f"B-{i}", actor="x")
    with pytest.raises(DatabaseError, match="used up"):
        allocate_entry("B", "B-new", actor="x")
    with pytest.raises(DatabaseError, match="already randomized"):
        allocate_entry("C", "B-0", actor="x")


def test_randomize_patient_needs_an_eligible_screening_and_records_the_position(db):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.randomization.services import randomize_patient
    from khetrial.edc.trial.models import Screening, Site

    _setup_list()
    site = Site.objects.get(code="A")
    failed = Screening.objects.create(screening_id="S1", site=site, date=dt.date(2018, 3, 1),
                                      eligible=False, reason="inclusion_kmp")
    fields = {"patient_id": "A-01", "sex": "F", "birth_date": dt.date(2017, 12, 1),
              "weight_kg": 6.0, "height_cm": 60.0, "lesion_depth": "deep",
              "lesion_site": "trunk", "kmp_onset_date": None, "biopsy": True}
    with pytest.raises(DatabaseError, match="eligible"):
        randomize_patient(fields, site_code="A", actor="inv_a", screening=failed)
    ok = Screening.objects.create(screening_id="S2", site=site, date=dt.date(2018, 3, 1),
                                  eligible=True)
    patient, allocation = randomize_patient(fields, site_code="A", actor="inv_a", screening=ok,
                                            on=dt.date(2018, 3, 7))
    assert patient.arm == allocation.arm and patient.randomization_date == dt.date(2018, 3, 7)
    ok.refresh_from_db()
    assert ok.patient_id == patient.pk
    entry = AuditEntry.objects.get(action="randomize")
    assert entry.actor == "inv_a" and "position 1" in entry.detail and allocation.arm not in (
        entry.detail.split())


def test_a_second_randomization_at_one_screening_is_refused_and_names_the_first(db):
    from khetrial.edc.randomization.models import AllocationEntry
    from khetrial.edc.randomization.services import AlreadyRandomizedError, randomize_patient
    from khetrial.edc.trial.models import Patient, Screening, Site

    _setup_list()
    stale = Screening.objects.create(screening_id="S3", site=Site.objects.get(code="A"),
                                     date=dt.date(2018, 3, 1), eligible=True)
    fields = {"sex": "F", "birth_date": dt.date(2017, 12, 1), "weight_kg": 6.0,
              "height_cm": 60.0, "lesion_depth": "deep", "lesion_site": "trunk",
              "kmp_onset_date": None, "biopsy": True}
    randomize_patient({"patient_id": "A-01", **fields}, site_code="A", actor="inv_a",
                      screening=Screening.objects.get(pk=stale.pk))
    # ``stale`` was read before the first randomization, as a second browser tab would be
    with pytest.raises(AlreadyRandomizedError, match="already randomized as patient A-01") as e:
        randomize_patient({"patient_id": "A-02", **fields}, site_code="A", actor="inv_a",
                          screening=stale)
    assert e.value.patient_id == "A-01"
    assert list(Patient.objects.values_list("patient_id", flat=True)) == ["A-01"]
    assert AllocationEntry.objects.exclude(patient_id="").count() == 1


def test_no_route_no_admin_and_no_repr_shows_the_list(db):
    import django.contrib.admin as admin
    from django.urls import get_resolver

    from khetrial.edc.randomization.models import AllocationEntry

    assert AllocationEntry not in admin.site._registry
    assert not any("admin" in str(p.pattern) for p in get_resolver().url_patterns)
    _setup_list(per_site=2)
    e = AllocationEntry.objects.first()
    assert e.arm not in str(e).split() and e.arm not in repr(e).split("#")[0]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KHETRIAL_DATABASE_URL", "").split(":")[0] not in
                    ("postgresql", "postgres"), reason="row locks: the PostgreSQL pass")
def test_parallel_randomizations_take_distinct_entries_in_order(transactional_db, settings):
    """200 randomizations from 8 processes over 5 sites: 200 distinct entries, each stratum
    used from position 1 upwards with no gap (hand-checkable: 40 per site)."""
    from django.db import connection

    from khetrial.edc.randomization.models import AllocationEntry

    _setup_list(per_site=50)
    db_name = connection.settings_dict["NAME"]
    env = {"KHETRIAL_DATABASE_URL": os.environ["KHETRIAL_DATABASE_URL"].rsplit("/", 1)[0]
           + "/" + db_name}
    jobs = [(site, k * 10, 10) for site in SITES for k in range(4)]  # 5 × 4 × 10 = 200
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        results = run_parallel(jobs, processes=8)
    finally:
        for k, v in old.items():
            os.environ[k] = v
    used = AllocationEntry.objects.exclude(patient_id="")
    assert used.count() == 200
    assert used.values("patient_id").distinct().count() == 200
    for site in SITES:
        positions = sorted(used.filter(site_code=site).values_list("position", flat=True))
        assert positions == list(range(1, 41))
    for site, got in results:  # each process saw its own allocations in increasing order
        assert got == sorted(got)


def test_a_site_added_later_gets_the_stratum_the_seed_gives_it(db):
    from khetrial.edc.randomization.lists import generate_allocation_list
    from khetrial.edc.randomization.models import AllocationEntry
    from khetrial.edc.randomization.services import add_stratum

    _setup_list(per_site=10)
    assert add_stratum("F", actor="adm") > 0
    assert add_stratum("F", actor="adm") == 0
    stored = [(e.position, e.arm) for e in
              AllocationEntry.objects.filter(site_code="F").order_by("position")]
    expected = [(s.position, s.arm) for s in generate_allocation_list(["F"], 10, "alloc-tests")]
    assert stored == expected
