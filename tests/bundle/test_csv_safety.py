"""Formula escaping of text cells (OWASP "CSV injection") and the reading limits.

Expected cells by hand from docs/bundle-format.md ("Formula escaping", "Reading limits").
"""

from __future__ import annotations

import pandas as pd
import pytest

from khetrial.bundle import csvfile, read_bundle, validate, write_bundle
from khetrial.bundle.csvfile import escape_formula, spreadsheet_cell, unescape_formula
from khetrial.errors import BundleError


@pytest.mark.parametrize("cell, written", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=x", "''=x"), ("''-y", "'''-y"),  # already quoted formulas keep their quotes
    ("'abc", "'abc"), ("a=b", "a=b"), ("abc", "abc"), ("", ""), ("'", "'"),
])
def test_escaping_neutralises_formulas_and_is_undone_exactly(cell, written):
    assert escape_formula(cell) == written
    assert unescape_formula(written) == cell


def test_spreadsheet_cells_escape_text_only():
    assert [spreadsheet_cell(v) for v in ("=1+1", -3.5, None, 7)] == ["'=1+1", -3.5, None, 7]


def test_a_formula_in_free_text_is_escaped_in_the_file_and_read_back_unchanged(bundle_copy,
                                                                               tmp_path):
    bundle = read_bundle(bundle_copy)
    formula = "=HYPERLINK(\"http://evil\",\"click\")"
    labs = bundle.labs.assign(note=pd.array([formula, "'=x", "-2 days"]
                                            + [None] * (len(bundle.labs) - 3), dtype="string"))
    write_bundle(bundle.replace(labs=labs), tmp_path / "out")
    text = (tmp_path / "out" / "labs.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "''=x" in text and "'-2 days" in text
    assert ",=HYPERLINK" not in text
    again = read_bundle(tmp_path / "out")
    pd.testing.assert_frame_equal(again.labs, labs)
    write_bundle(again, tmp_path / "out2")  # import -> export: the same bytes
    assert (tmp_path / "out2" / "labs.csv").read_bytes() == (tmp_path / "out" / "labs.csv").read_bytes()


def test_negative_numbers_are_not_escaped(bundle_copy, tmp_path):
    bundle = read_bundle(bundle_copy)
    write_bundle(bundle, tmp_path / "out")
    assert "'" not in (tmp_path / "out" / "labs.csv").read_text(encoding="utf-8")


def test_a_file_over_the_size_limit_is_refused_before_reading(bundle_copy, monkeypatch):
    size = (bundle_copy / "labs.csv").stat().st_size
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(BundleError) as error:
        read_bundle(bundle_copy)
    [problem] = [p for p in error.value.problems if p.file == "labs.csv"]
    assert problem.message.startswith(f"the file has {size:,} bytes; a bundle file may have at "
                                      f"most {size - 1:,} bytes")


def test_reading_stops_after_the_row_limit(bundle_copy, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_ROWS", 2)
    with pytest.raises(BundleError) as error:
        read_bundle(bundle_copy)
    # the third record of labs.csv is on line 4 (header on line 1): hand count
    assert any(p.file == "labs.csv" and p.line == 4 and "more than 2 rows" in p.message
               for p in error.value.problems)


def test_at_most_max_problems_are_listed_then_the_rest_counted(bundle_copy, monkeypatch):
    monkeypatch.setattr(validate, "MAX_PROBLEMS", 3)
    lines = (bundle_copy / "labs.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1].split(",")
    bad = [",".join([first[0], first[1], "troponin", first[3]])] * 5
    (bundle_copy / "labs.csv").write_text("\r\n".join([header, *bad]) + "\r\n", encoding="utf-8")
    with pytest.raises(BundleError) as error:
        read_bundle(bundle_copy)
    problems = error.value.problems
    listed = [p for p in problems if p.file == "labs.csv" and p.line is not None]
    assert len(listed) == 3  # 5 bad test codes, 3 listed
    assert any("2 more problems" in p.message for p in problems)  # 5 − 3
