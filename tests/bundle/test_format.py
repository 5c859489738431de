"""The format as data agrees with shared/spec/bundle-format.md and with the Bundle class."""

from __future__ import annotations

import dataclasses

from khetrial.bundle import LAB_RANGES, TABLE_NAMES, TABLE_SPECS, Bundle
from khetrial.bundle.format import REQUIRED_TABLES, describe_range


def test_the_bundle_has_one_field_per_spec_file_in_order():
    assert [f.name for f in dataclasses.fields(Bundle)] == [*TABLE_NAMES, "source"]


def test_the_required_files_are_the_specs():
    # spec: "patients.csv (required)", "labs.csv (required)", "medications.csv (required)"
    assert REQUIRED_TABLES == ("patients", "labs", "medications")


def test_the_lab_ranges_are_the_specs():
    # spec table of labs.csv: test | unit | plausible range
    assert {t: (r.low, r.high, r.unit) for t, r in LAB_RANGES.items()} == {
        "platelets": (0, 2000, "×10⁹/L"), "fibrinogen": (0, 10, "g/L"), "d_dimer": (0, 100, "µg/mL"),
        "hemoglobin": (10, 250, "g/L"), "alt": (0, 5000, "U/L"), "ast": (0, 5000, "U/L")}
    assert TABLE_SPECS["labs"].column("test").codes == tuple(LAB_RANGES)


def test_ranges_read_as_in_the_spec():
    assert TABLE_SPECS["patients"].column("weight_kg").allowed() == "weight_kg must be 0.5–80 kg"
    assert describe_range(0, None) == "≥ 0"
    assert describe_range(None, None) == "a number"
