"""The per-protocol sensitivity analysis in the results (results.json key ``per_protocol``), and
that adding it leaves every ITT result as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khetrial.bundle import read_bundle
from khetrial.sap import Results, analyse
from khetrial.sap.per_protocol import PER_PROTOCOL_ENDPOINTS
from khetrial.sap.results import PER_PROTOCOL_KEY
from tests.endpoints.conftest import build_bundle
from tests.sap.test_results import assert_same_values

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "example_results.json"
ITT_KEYS = ("n", "binary", "transfusions_m12", "adverse_events", "platelets_weekly", "lesion_categories_m12",
            "sequelae_assessed_m24", "censoring", "baseline")


SIROLIMUS, PREDNISOLONE = "sirolimus,{start},{end},0.8,mg_m2,bid", "prednisolone,{start},{end},2,mg_kg,qd"
MEDS_HEADER = "patient_id,drug,start_day,end_day,dose,dose_unit,frequency\n"


def _counts(pid, days, value):
    """Counts of ``value`` + 1 per week (above or below 100 throughout; not constant, so that the
    platelet models can be fitted)."""
    return "\n".join(f"{pid},{d},platelets,{value + d // 7}" for d in days)


def _course(pid, template, start, end=""):
    return f"{pid}," + template.format(start=start, end=end)


@pytest.fixture(scope="module")
def small():
    """Four children (counts rise by 1 a week, see _counts). SP1, SP2: sirolimus + prednisolone
    from day 0, counts ≥ 150 on days 0…56 (responders). S1: sirolimus, counts < 100 to day 56
    (non-responder, in the set). S2: sirolimus, counts ≥ 150 to day 56 (a responder), but
    prednisolone on days 0…20: the other arm's drug in the first week, excluded."""
    days = range(0, 57, 7)
    labs = "\n".join([_counts("SP1", days, 150), _counts("SP2", days, 150), _counts("S1", days, 50),
                      _counts("S2", days, 150)])
    meds = "\n".join([_course("SP1", SIROLIMUS, 0), _course("SP1", PREDNISOLONE, 0, 35),
                      _course("SP2", SIROLIMUS, 0), _course("SP2", PREDNISOLONE, 0, 35),
                      _course("S1", SIROLIMUS, 0), _course("S2", SIROLIMUS, 0), _course("S2", PREDNISOLONE, 0, 20)])
    labs = labs.replace("SP2,0,platelets,150", "SP2,0,platelets,180")  # not the same as SP1
    bundle = build_bundle(patients="patient_id,arm\nSP1,SP\nSP2,SP\nS1,S\nS2,S",
                          medications=MEDS_HEADER + meds,
                          labs="patient_id,day,test,value\n" + labs)
    return analyse(bundle)


def test_per_protocol_counts_and_exclusions_by_hand(small):
    pp = small.per_protocol
    assert pp.n == {"SP": 2, "S": 1}
    assert pp.excluded["S"]["prednisolone_in_control"] == 1
    assert sum(pp.excluded["S"].values()) == 1 and sum(pp.excluded["SP"].values()) == 0
    assert pp.note is None


def test_per_protocol_primary_by_hand(small):
    primary = small.per_protocol.binary["durable_platelet_response_wk4"]
    assert (primary.arms["SP"].events, primary.arms["SP"].n) == (2, 2)
    assert (primary.arms["S"].events, primary.arms["S"].n) == (0, 1)
    assert primary.difference == pytest.approx(1.0)  # 2/2 − 0/1
    # Fisher, 2×2 table [[2, 0], [0, 1]], margins 2, 1 / 2, 1: the only tables are x = 2 (p = 1/3)
    # and x = 1 (p = 2/3); two-sided p sums those as likely as or less than observed: 1/3
    # (R: fisher.test(matrix(c(2, 0, 0, 1), 2))$p.value = 0.3333333)
    assert primary.p_value == pytest.approx(1 / 3)


def test_itt_keeps_every_child_where_per_protocol_drops_one(small):
    itt = small.binary["durable_platelet_response_wk4"]
    assert small.n == {"SP": 2, "S": 2}
    assert (itt.arms["S"].events, itt.arms["S"].n) == (1, 2)  # S2 is a responder by ITT


def test_only_the_platelet_endpoints_of_weeks_1_to_4_are_repeated(small):
    assert tuple(small.per_protocol.binary) == PER_PROTOCOL_ENDPOINTS
    assert PER_PROTOCOL_ENDPOINTS[-1] == "durable_platelet_response_wk4"


def test_an_empty_arm_of_the_set_gives_a_note_and_no_comparison():
    meds = "\n".join([_course("SP1", SIROLIMUS, 0), _course("SP1", PREDNISOLONE, 0, 35), _course("S1", SIROLIMUS, 0),
                      _course("S1", PREDNISOLONE, 0, 20)])
    labs = _counts("SP1", range(0, 57, 7), 150) + "\n" + _counts("S1", range(0, 57, 7), 50)
    results = analyse(build_bundle(patients="patient_id,arm\nSP1,SP\nS1,S",
                                   medications=MEDS_HEADER + meds,
                                   labs="patient_id,day,test,value\n" + labs))
    assert results.per_protocol.n == {"SP": 1, "S": 0}
    assert results.per_protocol.binary == {} and "arm S" in results.per_protocol.note
    assert results.binary["durable_platelet_response_wk4"].arms["S"].n == 1  # ITT untouched


def test_per_protocol_is_written_after_baseline_and_reads_back(small):
    data = small.to_dict()
    keys = list(data)
    assert keys[keys.index("baseline") + 1] == PER_PROTOCOL_KEY
    assert Results.from_json(small.to_json()) == small


def test_the_itt_results_of_the_example_bundle_are_unchanged():
    # the fixture was written by the analysis before the per-protocol set existed (see
    # tests/sap/test_results.py); every ITT key keeps its value (numbers to 1e-7 relative)
    written = json.loads(analyse(read_bundle(EXAMPLE)).to_json())
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for key in ITT_KEYS:
        assert_same_values(written[key], expected[key], key)
    assert [k for k in written if k != PER_PROTOCOL_KEY] == [k for k in expected if k != PER_PROTOCOL_KEY]


def test_the_example_bundle_is_per_protocol_throughout():
    # examples/bundle by hand: all six children take sirolimus from day 0, the three SP children
    # prednisolone from day 0; KHE-005 (S) starts prednisolone on day 22 (rescue, a failure) and
    # every child has counts after day 56 — nobody is excluded, so PP = ITT
    pp = analyse(read_bundle(EXAMPLE)).per_protocol
    assert pp.n == {"SP": 3, "S": 3}
    assert all(v == 0 for arm in pp.excluded.values() for v in arm.values())
