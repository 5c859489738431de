"""The site's dashboard and the investigator's worklist (issue 13): patients past follow-up are
counted, never read; every other patient's advice is computed once per day and revision and
kept in the shared cache (:func:`khetrial.edc.web.bedside.site_entries`).

Patients are built relative to the server's date, as in ``test_bedside.py``; writes go through
the web forms or the record service (which give the patient a new revision).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khetrial.edc.trial import models as m
from khetrial.edc.trial import records
from khetrial.edc.web import bedside as adapter
from khetrial.edc.web import worklist
from khetrial.edc.web.blinding import Disclosure
from khetrial.edc.web.cache import SHARED_CACHE, forget_local_entries
from khetrial.errors import PermissionDenied
from tests.edc.web.test_bedside import dashboard, enter, make_bedside_patient, today

INVESTIGATOR_A = Disclosure("inv_a", "investigator", "A")
DR_A = records.Author(actor="inv_a", role="investigator", form="labs")


@pytest.fixture
def computed(monkeypatch):
    """The patient ids whose entry was computed (not taken from the cache), call by call."""
    calls: list[str] = []
    compute = adapter.site_entry

    def counting(patient_records, day):
        calls.append(patient_records.patient.patient_id)
        return compute(patient_records, day)

    monkeypatch.setattr(adapter, "site_entry", counting)
    return calls


def _context(client, url: str = "/dashboard/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.context


def _board(context) -> dict:
    keys = ("rows", "problems", "patient_count", "finished_count", "counts", "blood_counts", "checks")
    return {k: context[k] for k in keys}


# --- follow-up over: counted, not read ------------------------------------------------------------

def test_patients_past_follow_up_are_counted_and_never_read(trial, login, monkeypatch):
    make_bedside_patient("A-09", days_ago=791)  # year-2 window ended yesterday (day 790)
    make_bedside_patient("A-10", days_ago=790)  # today is its last day of follow-up
    read: list[str] = []
    reader = adapter.read_records

    def spying(disclosure, patients):
        patients = list(patients)
        read.extend(p.patient_id for p in patients)
        return reader(disclosure, patients)

    monkeypatch.setattr(adapter, "read_records", spying)
    context = _context(login("inv_a"))
    assert "A-09" not in read and "A-10" in read
    # the fixture's were randomized in 2018: finished too
    assert context["finished_count"] == 3
    assert context["patient_count"] == 1
    read.clear()
    login("inv_a").get("/")
    assert read == []  # the worklist finds A-10 in the cache; A-09 is not read at all


def test_followed_patients_splits_on_the_boundary_day(trial):
    make_bedside_patient("A-09", days_ago=791)
    make_bedside_patient("A-10", days_ago=790)
    followed = {p.patient_id for p in adapter.followed_patients(INVESTIGATOR_A, today())}
    assert followed == {"A-10"}
    assert adapter.finished_count(INVESTIGATOR_A, today()) == 3
    tomorrow = today() + dt.timedelta(days=1)
    assert not {p.patient_id for p in adapter.followed_patients(INVESTIGATOR_A, tomorrow)}


# --- a write shows at once; other entries stay cached ---------------------------------------------

def test_a_write_changes_the_dashboard_at_once_and_only_that_patient_is_recomputed(
        trial, login, computed):
    make_bedside_patient("A-09")
    make_bedside_patient("A-10")
    c = login("inv_a")
    before = _board(_context(c))
    assert sorted(computed) == ["A-09", "A-10"]
    assert not any(r["code"] == "transfusion_plasma" for r in before["rows"])
    computed.clear()
    assert _board(_context(c)) == before and computed == []  # nothing changed: all cached
    # Pub.: "(2) platelet count <10 × 10⁹/L" → plasma transfusion alert
    enter(c, "A-09", "labs", date=today().isoformat(), test="platelets", value="8")
    after = dashboard(c)
    assert computed == ["A-09"]  # A-10's entry stayed cached
    assert 'data-code="transfusion_plasma"' in after
    rows = _context(c)["rows"]
    assert {r["patient_id"] for r in rows if r["code"] == "transfusion_plasma"} == {"A-09"}


@pytest.mark.parametrize("write", ["correct", "void", "patient"])
def test_every_write_through_the_record_service_renews_the_revision(trial, login, computed,
                                                                     write):
    p = make_bedside_patient("A-09")
    lab = m.LabResult.objects.filter(patient=p).first()
    c = login("inv_a")
    dashboard(c)
    revision = m.Patient.objects.get(pk=p.pk).revision
    computed.clear()
    if write == "correct":
        records.correct(lab, {"value": 8.0}, reason="typo", author=DR_A)
    elif write == "void":
        records.void(lab, reason="other patient's sample", author=DR_A)
    else:
        records.correct(m.Patient.objects.get(pk=p.pk), {"weight_kg": 6.5}, reason="re-weighed",
                        author=DR_A)
    assert m.Patient.objects.get(pk=p.pk).revision != revision
    dashboard(c)
    assert computed == ["A-09"]


DAY0 = dt.date(2018, 3, 7)  # the fixture's randomization date


def test_a_write_changes_the_worklist_at_once(trial, login, settings, computed):
    """Day 28: A-01's last count (day 14) is not stable, so a count was due on day 16 (Pub.
    "every 2 days"); a count entered today moves it to day 30 — not due today."""
    settings.KHETRIAL_TODAY = DAY0 + dt.timedelta(days=28)
    c = login("inv_a")

    def counts():
        rows = _context(c, "/")["worklist"]["due"]
        return {r["patient_id"] for r in rows if r["what"].startswith("blood count")}

    assert counts() == {"A-01", "A-02"}
    computed.clear()
    a01 = m.Patient.objects.get(patient_id="A-01")
    records.add("labs", a01, {"date": settings.KHETRIAL_TODAY, "test": "platelets", "value": 80.0},
                author=DR_A)
    assert counts() == {"A-02"}
    assert computed == ["A-01"]


def test_a_new_day_recomputes_every_entry(trial, login, settings, computed):
    c = login("inv_a")
    settings.KHETRIAL_TODAY = DAY0 + dt.timedelta(days=28)
    late = {r["patient_id"]: r["late"] for r in _context(c, "/")["worklist"]["due"]
            if r["what"].startswith("blood count")}
    computed.clear()
    settings.KHETRIAL_TODAY = DAY0 + dt.timedelta(days=29)
    later = {r["patient_id"]: r["late"] for r in _context(c, "/")["worklist"]["due"]
             if r["what"].startswith("blood count")}
    assert sorted(computed) == ["A-01", "A-02"]
    assert later == {pid: days + 1 for pid, days in late.items()} == {"A-01": 13, "A-02": 13}


# --- the cache changes nothing but the time --------------------------------------------------------

def test_the_cached_pages_equal_the_computed_ones(trial, login, computed):
    make_bedside_patient("A-09", sirolimus_mg=0.3)
    make_bedside_patient("A-10", arm="SP", days_ago=3, tmp_smx=False)
    make_bedside_patient("A-11", days_ago=200, assessment_days=(0, 7, 180))
    c = login("inv_a")
    cold_board, cold_home = _board(_context(c)), _context(c, "/")["worklist"]
    assert sorted(computed) == ["A-09", "A-10", "A-11"]  # the home page took them from the cache
    caches[SHARED_CACHE].clear()
    forget_local_entries()
    computed.clear()
    fresh_home = _context(c, "/")["worklist"]
    warm_board, warm_home = _board(_context(c)), _context(c, "/")["worklist"]
    assert sorted(computed) == ["A-09", "A-10", "A-11"]  # once, after the cache was cleared
    assert cold_board == warm_board and cold_home == warm_home == fresh_home
    assert cold_board["rows"] and cold_board["checks"]  # something to compare


def test_a_cached_entry_equals_the_entry_computed_from_the_rows(trial):
    patients = [make_bedside_patient("A-09"), make_bedside_patient("A-10", arm="SP", days_ago=3)]
    followed = adapter.followed_patients(INVESTIGATOR_A, today()).order_by("patient_id")
    cold = adapter.site_entries(INVESTIGATOR_A, followed, today())
    warm = adapter.site_entries(INVESTIGATOR_A, followed, today())
    rows = adapter.read_records(INVESTIGATOR_A, patients)
    direct = [adapter.site_entry(rows[p.pk], today()) for p in patients]
    assert warm == cold == direct
    assert [[a.details for a in e.alerts] for e in warm] == [[a.details for a in e.alerts] for e in direct]


# --- blinding ---------------------------------------------------------------------------------------

def test_a_blinded_role_never_gets_a_cached_entry(trial, login):
    make_bedside_patient("A-09")
    patients = adapter.followed_patients(INVESTIGATOR_A, today())
    assert adapter.site_entries(INVESTIGATOR_A, patients, today())  # now cached
    for blinded in (Disclosure("assessor_a", "assessor", "A"), Disclosure("stat", "statistician")):
        with pytest.raises(PermissionDenied):
            adapter.site_entries(blinded, patients, today())
    c = login("assessor_a")
    with CaptureQueriesContext(connection) as refused:
        assert c.get("/dashboard/").status_code == 403
    with CaptureQueriesContext(connection) as home:
        assert c.get("/").status_code == 200  # its own worklist: MRI and sequelae due
    assert not any("khetrial_cache" in q["sql"] for q in refused.captured_queries)
    assert any("khetrial_cache" in q["sql"] for q in home.captured_queries)
    assert not any(adapter.ENTRY_KEY in q["sql"] for q in home.captured_queries)


def test_the_arm_seen_is_part_of_the_key(trial):
    assert adapter.entry_prefix(today(), True) != adapter.entry_prefix(today(), False)


# --- bounded work -----------------------------------------------------------------------------------

def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/dashboard/", "/"])
def test_the_pages_cost_the_same_queries_for_2_patients_as_for_12(trial, login, url,
                                                                 django_assert_max_num_queries):
    c = login("inv_a")
    make_bedside_patient("A-09")
    make_bedside_patient("A-10")
    cold_few, warm_few = _queries(c, url), _queries(c, url)
    for n in range(11, 21):
        make_bedside_patient(f"A-{n}")
    with django_assert_max_num_queries(cold_few):
        assert c.get(url).status_code == 200  # ten new patients: computed and stored at once
    with django_assert_max_num_queries(warm_few):
        assert c.get(url).status_code == 200  # all cached: no row is read
    assert warm_few < cold_few


# --- long lists: the first rows, then "show all" ----------------------------------------------------

@pytest.mark.parametrize("limit, cut", [(3, False), (2, True)])
def test_a_list_longer_than_the_rows_shown_is_cut_with_a_link_to_all(trial, login, monkeypatch, limit, cut):
    for pid in ("A-09", "A-10", "A-11"):
        make_bedside_patient(pid, sirolimus_mg=0.3)
    monkeypatch.setattr(worklist, "ROWS_SHOWN", limit)
    c = login("inv_a")
    every = _context(c, "/dashboard/?all=1")
    blood = [r["patient_id"] for r in every["blood_counts"]]
    assert len(blood) == 3 and every["more"] == {} and len(_context(c, "/?all=1")["worklist"]["due"]) >= 3
    board, home = _context(c, "/dashboard/"), _context(c, "/")["worklist"]
    assert [r["patient_id"] for r in board["blood_counts"]] == blood[:limit]  # the most urgent first
    assert board["more"].get("blood_counts") == (1 if cut else None)
    assert ('href="?all=1#blood-counts"' in c.get("/dashboard/").content.decode()) is cut
    assert len(home["due"]) <= limit and ("due" in home["more"]) is (len(_context(c, "/?all=1")["worklist"]["due"]) > limit)


def test_first_rows_cuts_only_the_lists_longer_than_the_rows_shown(monkeypatch):
    monkeypatch.setattr(worklist, "ROWS_SHOWN", 2)
    lists = {"a": [1, 2], "b": [1, 2, 3], "c": []}
    assert worklist.first_rows(lists, ("a", "b", "c"), show_all=False) == {"b": 1}
    assert lists == {"a": [1, 2], "b": [1, 2], "c": []}
    everything = {"b": [1, 2, 3]}
    assert worklist.first_rows(everything, ("b",), show_all=True) == {} and everything == {"b": [1, 2, 3]}


def test_the_day_warmed_ahead_leaves_nothing_to_compute_for_the_first_page(trial, login, computed):
    make_bedside_patient("A-09", sirolimus_mg=0.3)
    make_bedside_patient("A-10", arm="SP", days_ago=3)
    forget_local_entries()
    worklist.warm(today())
    assert sorted(computed) == ["A-09", "A-10"]
    computed.clear()
    forget_local_entries()  # a server process that never saw them: read from the shared cache
    c = login("inv_a")
    _context(c), _context(c, "/")
    assert computed == []
