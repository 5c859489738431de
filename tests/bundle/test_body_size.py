"""body_size.csv, khetrial's optional extension of the bundle format (docs/bundle-format.md):
later weights and heights, both required per row, with the baseline columns' ranges, and the
edit checks of other study data (from day 0, not after today, not before birth).

The example's dates: examples/bundle/patients.csv line 2, KHE-001 born 2017-09-14, randomized
2018-03-07 (day 0), baseline 6.8 kg, 64.5 cm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from khetrial.bundle import Bundle, read_bundle, validate_bundle, write_bundle
from khetrial.errors import BundleError, Problem
from khetrial.sap.provenance import bundle_checksums

HEADER = "patient_id,date,weight_kg,height_cm\r\n"
TODAY = dt.date(2021, 3, 7)  # the example's latest date (medications.csv): every row is up to today


def _write(folder, *rows: str) -> None:
    (folder / "body_size.csv").write_text(HEADER + "".join(r + "\r\n" for r in rows), encoding="utf-8")


def _problems(folder, today=None) -> list[Problem]:
    with pytest.raises(BundleError) as caught:
        validate_bundle(folder, today=today)
    return list(caught.value.problems)


def test_a_bundle_without_body_size_is_valid_and_hashes_only_its_files(example_bundle_dir):
    bundle = validate_bundle(example_bundle_dir)
    assert len(bundle.body_size) == 0
    # results.json's provenance hashes the files of the folder: none is added for body_size
    assert "body_size.csv" not in bundle_checksums(bundle)


def test_valid_rows_are_read_in_file_order(bundle_copy):
    _write(bundle_copy, "KHE-001,2018-04-10,7.4,67", "KHE-001,2018-05-20,8.05,69.5")
    bundle = validate_bundle(bundle_copy, today=TODAY)
    assert bundle.body_size["weight_kg"].tolist() == [7.4, 8.05]
    assert bundle.body_size["date"].tolist() == [pd.Timestamp("2018-04-10"), pd.Timestamp("2018-05-20")]


# (row, column, cell, the allowed values: the baseline columns' ranges, bundle-format.md)
BAD_ROWS = [
    ("KHE-001,2018-04-10,80.5,67", "weight_kg", "80.5", "weight_kg must be 0.5–80 kg"),
    ("KHE-001,2018-04-10,0.4,67", "weight_kg", "0.4", "weight_kg must be 0.5–80 kg"),
    ("KHE-001,2018-04-10,7.4,29", "height_cm", "29", "height_cm must be 30–180 cm"),
    ("KHE-001,2018-04-10,7.4,181", "height_cm", "181", "height_cm must be 30–180 cm"),
    ("KHE-001,2018-04-10,,67", "weight_kg", None, "weight_kg must not be empty"),
    ("KHE-001,2018-04-10,7.4,", "height_cm", None, "height_cm must not be empty"),
    ("KHE-001,2018-04-10,7,4,67", None, None, None),  # a decimal comma: one cell too many
    ("KHE-001,10/04/2018,7.4,67", "date", "10/04/2018", "calendar date written YYYY-MM-DD"),
    ("KHE-999,2018-04-10,7.4,67", "patient_id", "KHE-999", "patient_id is not in patients.csv"),
]


@pytest.mark.parametrize(("row", "column", "cell", "allowed"), BAD_ROWS)
def test_a_bad_row_names_file_line_column_and_what_is_allowed(bundle_copy, row, column, cell, allowed):
    _write(bundle_copy, "KHE-001,2018-04-10,7.4,67", row)
    problems = _problems(bundle_copy)
    assert all(p.file == "body_size.csv" and p.line == 3 for p in problems), problems
    if column is not None:
        (problem,) = problems
        assert (problem.column, problem.value) == (column, cell)
        assert allowed in problem.message


@pytest.mark.parametrize(("day", "words"), [
    # KHE-001 randomized 2018-03-07: the day before is study day −1
    ("2018-03-06", "body_size.date must not be before randomization"),
    # born 2017-09-14
    ("2017-09-13", "body_size.date must not be before the birth date (2017-09-14)"),
    # today given as 2021-03-07
    ("2021-03-08", "after today"),
])
def test_the_edit_checks_refuse_dates_outside_the_study(bundle_copy, day, words):
    _write(bundle_copy, f"KHE-001,{day},7.4,67")
    (problem,) = _problems(bundle_copy, today=TODAY)
    assert (problem.file, problem.line, problem.column, problem.value) == ("body_size.csv", 2, "date", day)
    assert words in problem.message


def test_day_0_and_today_are_allowed(bundle_copy):
    _write(bundle_copy, "KHE-001,2018-03-07,6.8,64.5", "KHE-001,2021-03-07,14,95")
    assert len(validate_bundle(bundle_copy, today=TODAY).body_size) == 2


def test_write_and_read_back_gives_the_same_rows(bundle_copy, tmp_path):
    _write(bundle_copy, "KHE-002,2018-06-20,10.1,78.5")
    first = read_bundle(bundle_copy)
    write_bundle(first, tmp_path / "copy")
    assert (tmp_path / "copy" / "body_size.csv").read_bytes() == (
        HEADER + "KHE-002,2018-06-20,10.1,78.5\r\n").encode()
    assert read_bundle(tmp_path / "copy").equals(first)


def test_without_rows_no_file_is_written_or_hashed_and_an_old_one_is_removed(example_bundle_dir, tmp_path):
    bundle = read_bundle(example_bundle_dir)
    in_memory = replace(bundle, source=None)
    # the same checksums from the folder and from memory (results.json of the example unchanged)
    assert bundle_checksums(in_memory) == bundle_checksums(bundle)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "body_size.csv").write_text(HEADER + "KHE-001,2018-04-10,7.4,67\r\n")
    write_bundle(bundle, tmp_path / "out")
    assert not (tmp_path / "out" / "body_size.csv").exists()


def test_with_rows_the_file_is_hashed_alike_from_memory_and_folder(bundle_copy, tmp_path):
    _write(bundle_copy, "KHE-002,2018-06-20,10.1,78.5")
    bundle = read_bundle(bundle_copy)
    assert "body_size.csv" in bundle_checksums(bundle)
    assert bundle_checksums(replace(bundle, source=None)) == bundle_checksums(bundle)


def test_no_rows_and_no_extra_columns_write_no_file(tmp_path):
    empty = pd.DataFrame({"patient_id": [], "date": [], "weight_kg": [], "height_cm": []})
    written = Bundle.from_tables(body_size=empty)
    (tmp_path / "body_size.csv").write_text("old", encoding="utf-8")  # an old file is removed
    write_bundle(written, tmp_path)
    assert not (tmp_path / "body_size.csv").exists()
    assert "body_size.csv" not in bundle_checksums(written)


def test_an_extra_column_without_rows_is_written_and_read_back(tmp_path):
    # the property test's example: extra columns are written back (bundle-format.md), and an
    # absent file has none, so the header alone is written
    written = Bundle.from_tables(body_size=pd.DataFrame(
        {"patient_id": [], "date": [], "weight_kg": [], "height_cm": [], "site_note": []}))
    write_bundle(written, tmp_path)
    assert (tmp_path / "body_size.csv").read_bytes() == (
        b"patient_id,date,weight_kg,height_cm,site_note\r\n")
    back = read_bundle(tmp_path, validate=False)
    assert list(back.body_size.columns) == ["patient_id", "date", "weight_kg", "height_cm", "site_note"]
    pd.testing.assert_frame_equal(written.body_size, back.body_size, check_exact=True)
    # the results' checksums list the file the writer writes
    assert "body_size.csv" in bundle_checksums(written)
