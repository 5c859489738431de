"""The fields randomization fixes for good (khetrial.edc.audit.frozen), worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.edc.audit.frozen import frozen_changes, is_randomized, refusal, used_entry_changes

# Issue 16 item 3: KHE-001 was C3/S and an import made it C1/SP.
OLD = {"patient_id": "KHE-001", "arm": "S", "site": "C3", "randomization_date": "2019-05-02",
       "weight_kg": "6.0"}


@pytest.mark.parametrize("new, fields", [
    ({"arm": "SP", "site": "C1"}, ["arm", "site"]),
    ({"randomization_date": dt.date(2019, 5, 3)}, ["randomization_date"]),
    ({"randomization_date": dt.date(2019, 5, 2), "arm": "S", "weight_kg": "7.0"}, []),
    ({"arm": ""}, ["arm"]),
])
def test_frozen_changes_name_each_changed_allocation_field(new, fields):
    assert [f for f, _, _ in frozen_changes(OLD, new)] == fields


def test_a_patient_without_arm_or_date_is_not_randomized_and_may_change():
    unrandomized = {"patient_id": "X", "arm": "", "site": "C3", "randomization_date": None}
    assert not is_randomized(unrandomized)
    assert frozen_changes(unrandomized, {"arm": "SP", "site": "C1"}) == []


def test_refusal_names_patient_and_field_and_hides_values_when_asked():
    changes = frozen_changes(OLD, {"arm": "SP", "site": "C1"})
    assert refusal("KHE-001", changes).startswith("patient KHE-001: arm S -> SP, site C3 -> C1")
    hidden = refusal("KHE-001", changes, show_values=False)
    assert hidden.startswith("patient KHE-001: arm, site refused")
    assert "SP" not in hidden


def test_a_used_allocation_entry_keeps_arm_site_position_and_patient():
    used = {"site_code": "A", "position": "3", "arm": "S", "patient_id": "A-03"}
    assert [f for f, _, _ in used_entry_changes(used, {**used, "arm": "SP"})] == ["arm"]
    assert used_entry_changes({**used, "patient_id": ""}, {**used, "arm": "SP"}) == []
