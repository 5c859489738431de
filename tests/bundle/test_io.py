"""Reading and writing bundles: canonical dtypes, file order, lossless round trip."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from khetrial.bundle import TABLE_NAMES, TABLE_SPECS, Bundle, read_bundle, write_bundle
from khetrial.errors import BundleError

EXPECTED_DTYPES = {
    # the canonical dtypes documented in khetrial.bundle's docstring, column by column
    "patients": ["string", "string", "category", "datetime64[ns]", "datetime64[ns]", "category",
                 "float64", "float64", "category", "category", "datetime64[ns]", "Int64"],
    "labs": ["string", "datetime64[ns]", "category", "float64"],
    "body_size": ["string", "datetime64[ns]", "float64", "float64"],
    "drug_levels": ["string", "datetime64[ns]", "float64"],
    "medications": ["string", "category", "datetime64[ns]", "datetime64[ns]", "float64", "category", "category"],
    "mri": ["string", "datetime64[ns]", "float64"],
    "qol": ["string", "datetime64[ns]", "string", "string", "string", "Int64"],
    "adverse_events": ["string", "string", "datetime64[ns]", "datetime64[ns]", "Int64", "Int64", "Int64", "category"],
    "transfusions": ["string", "datetime64[ns]", "category"],
    "sequelae": ["string", "datetime64[ns]", "category", "Int64"],
    "disposition": ["string", "datetime64[ns]", "category", "category"],
    "screening": ["string", "string", "datetime64[ns]", "Int64", "string", "string"],
}


def test_every_table_of_the_example_has_the_canonical_columns_and_dtypes(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    assert list(bundle.tables) == list(TABLE_NAMES)
    for name, frame in bundle.tables.items():
        assert list(frame.columns) == list(TABLE_SPECS[name].column_names), name
        assert [str(d) for d in frame.dtypes] == EXPECTED_DTYPES[name], name
        assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0


def test_the_example_is_read_in_file_order_with_its_values(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    assert bundle.source == example_bundle_dir
    # examples/bundle/labs.csv lines 2 and 5: two platelet counts of KHE-001 on 2018-03-06
    first = bundle.labs.iloc[0]
    assert (first["patient_id"], first["date"], first["test"], first["value"]) == (
        "KHE-001", pd.Timestamp("2018-03-06"), "platelets", 18.0)
    assert bundle.labs.iloc[3]["value"] == 16.0
    # examples/bundle/patients.csv line 5: KHE-004 has no KMP onset date
    assert pd.isna(bundle.patients.loc[3, "kmp_onset_date"])
    # examples/bundle/screening.csv line 3: a reason holding a comma, quoted
    assert bundle.screening.loc[1, "reason"] == "no KMP: platelets 142 ×10⁹/L, fibrinogen 2.1 g/L"


def test_categories_are_the_spec_code_lists_not_the_codes_present(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    # spec: lesion_site is one of head_neck, trunk, extremity, retroperitoneal, intrathoracic, other
    assert list(bundle.patients["lesion_site"].cat.categories) == [
        "head_neck", "trunk", "extremity", "retroperitoneal", "intrathoracic", "other"]
    assert not bundle.patients["lesion_site"].cat.ordered
    # spec: disposition reason list; the example only uses lack_of_efficacy
    assert len(bundle.disposition["reason"].cat.categories) == 6


def test_read_write_read_gives_equal_frames_and_dtypes(example_bundle_dir, tmp_path):
    first = read_bundle(example_bundle_dir)
    write_bundle(first, tmp_path / "copy")
    second = read_bundle(tmp_path / "copy")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name], check_exact=True)
    assert first.equals(second)


def test_the_example_is_written_in_the_form_write_bundle_writes(example_bundle_dir, tmp_path):
    write_bundle(read_bundle(example_bundle_dir), tmp_path / "copy")
    for name in TABLE_NAMES:
        file = TABLE_SPECS[name].file
        if name == "body_size":  # an extension table without rows: no file, as in the example
            assert not (example_bundle_dir / file).exists() and not (tmp_path / "copy" / file).exists()
            continue
        assert (tmp_path / "copy" / file).read_bytes() == (example_bundle_dir / file).read_bytes(), file


@pytest.mark.parametrize(("value", "text"), [
    (2.64, "2.64"),  # the brief: 2.64 stays "2.64"
    (5.0, "5"),  # integral floats without ".0"
    (0.1 + 0.2, "0.30000000000000004"),  # Python: repr(0.1 + 0.2)
    (1e-07, "1e-07"),  # Python: repr(1e-07)
    (np.nan, ""),  # missing = empty cell
])
def test_numbers_are_written_in_the_shortest_text_that_reads_back(tmp_path, value, text):
    bundle = Bundle.from_tables(mri=pd.DataFrame({"patient_id": ["P1"], "date": ["2020-01-01"],
                                                  "lesion_volume_ml": [value]}))
    write_bundle(bundle, tmp_path)
    lines = (tmp_path / "mri.csv").read_bytes().decode().split("\r\n")
    assert lines[1] == f"P1,2020-01-01,{text}"
    back = read_bundle(tmp_path, validate=False).mri["lesion_volume_ml"]
    assert back.equals(bundle.mri["lesion_volume_ml"])


def test_an_absent_optional_file_is_an_empty_table_with_every_column(bundle_copy):
    (bundle_copy / "mri.csv").unlink()
    mri = read_bundle(bundle_copy).mri
    assert len(mri) == 0
    assert list(mri.columns) == ["patient_id", "date", "lesion_volume_ml"]
    assert [str(d) for d in mri.dtypes] == EXPECTED_DTYPES["mri"]


def test_extra_columns_are_kept_as_text_after_the_spec_columns_and_written_back(bundle_copy, tmp_path):
    path = bundle_copy / "labs.csv"
    lines = path.read_bytes().decode().split("\r\n")
    lines = [("lab_unit," + line) if i == 0 else ("10^9/L," + line if line else line)
             for i, line in enumerate(lines)]
    path.write_bytes("\r\n".join(lines).encode())
    labs = read_bundle(bundle_copy).labs
    assert list(labs.columns) == ["patient_id", "date", "test", "value", "lab_unit"]
    assert str(labs["lab_unit"].dtype) == "string" and labs.loc[0, "lab_unit"] == "10^9/L"
    write_bundle(read_bundle(bundle_copy), tmp_path / "out")
    again = read_bundle(tmp_path / "out").labs
    pd.testing.assert_frame_equal(labs, again)


def test_a_lf_only_file_reads_like_a_crlf_file(bundle_copy, example_bundle_dir):
    path = bundle_copy / "labs.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    assert read_bundle(bundle_copy).labs.equals(read_bundle(example_bundle_dir).labs)


def test_writing_creates_the_folder_and_overwrites_files(tmp_path, example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    target = tmp_path / "a" / "b"
    write_bundle(bundle, target)
    write_bundle(bundle.replace(mri=None), target)
    assert len(read_bundle(target).mri) == 0


def test_writing_into_a_file_is_refused(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(BundleError, match="is not a folder"):
        write_bundle(Bundle(), tmp_path / "x")


# --- Bundle.from_tables and replace -----------------------------------------------------------
def test_from_tables_coerces_program_values_to_the_canonical_dtypes():
    bundle = Bundle.from_tables(patients=pd.DataFrame({
        "patient_id": [1, "P2"], "sex": ["F", None], "birth_date": [datetime.date(2018, 1, 2), "2018-02-03"],
        "randomization_date": pd.to_datetime(["2018-06-01 13:45", None]), "weight_kg": ["6.5", 7],
        "biopsy": [True, 0], "note": ["a", ""],
    }))
    p = bundle.patients
    assert list(p["patient_id"]) == ["1", "P2"]
    assert p.loc[0, "sex"] == "F" and pd.isna(p.loc[1, "sex"])
    assert list(p["birth_date"]) == [pd.Timestamp("2018-01-02"), pd.Timestamp("2018-02-03")]
    assert p.loc[0, "randomization_date"] == pd.Timestamp("2018-06-01")  # the time part is dropped
    assert list(p["weight_kg"]) == [6.5, 7.0]
    assert list(p["biopsy"]) == [1, 0]
    assert pd.isna(p.loc[1, "note"])  # an empty text is a missing value, as an empty cell
    assert [str(d) for d in p.dtypes][:12] == EXPECTED_DTYPES["patients"]
    assert len(bundle.labs) == 0 and list(bundle.labs.columns) == ["patient_id", "date", "test", "value"]


def test_from_tables_reports_values_it_cannot_convert():
    with pytest.raises(BundleError) as caught:
        Bundle.from_tables(labs=pd.DataFrame({"patient_id": ["P1", "P1"], "date": ["2020-01-01", "soon"],
                                              "test": ["platelets", "plt"], "value": [1.5, "high"]}))
    found = {(p.file, p.line, p.column, p.value) for p in caught.value.problems}
    assert found == {("labs.csv", 3, "date", "soon"), ("labs.csv", 3, "test", "plt"),
                     ("labs.csv", 3, "value", "high")}


def test_from_tables_rejects_an_unknown_table():
    with pytest.raises(BundleError, match="unknown table 'lab'"):
        Bundle.from_tables(lab=pd.DataFrame())


def test_from_tables_rejects_a_whole_number_column_with_fractions():
    with pytest.raises(BundleError, match="a whole number"):
        Bundle.from_tables(qol=pd.DataFrame({"response": [1.5]}))


def test_replace_swaps_tables_and_leaves_the_original_alone(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    smaller = bundle.replace(labs=bundle.labs.iloc[:3].astype(object))
    assert len(smaller.labs) == 3 and len(bundle.labs) == 204
    assert [str(d) for d in smaller.labs.dtypes] == EXPECTED_DTYPES["labs"]
    assert smaller.patients is bundle.patients
    assert smaller.source == bundle.source


def test_the_bundle_has_one_attribute_per_file():
    assert list(Bundle().tables) == list(TABLE_NAMES)
    assert Bundle().source is None


def test_from_tables_keeps_missing_text_missing():
    # A None in a text column is a missing value, never the text "nan" (pandas 3's map
    # hands NaN back where a function returned None).
    b = Bundle.from_tables(screening=pd.DataFrame({
        "screening_id": ["S1", "S2"], "site_id": ["A", "A"],
        "date": [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-02")],
        "eligible": [1, 0], "reason": [None, "inclusion_kmp"], "patient_id": ["P1", None]}))
    assert b.screening["reason"].isna().tolist() == [True, False]
    assert b.screening["patient_id"].isna().tolist() == [False, True]


@pytest.mark.parametrize("values", [
    pd.Series([0.0, -0.0, 0.0, np.nan, 18.0, 2.64, 2.64]),  # -0.0 is not 0.0 on paper
    pd.Series(pd.to_datetime(["2018-01-05", None, "2018-01-05", "2262-04-11"])),
    pd.Series([1, None, 1, 0], dtype="Int64"),
    pd.Series(["a", "a\0b", "a\0c", None, "=1+1", "a"], dtype="string"),  # NUL, formula
    pd.Series(pd.Categorical(["sirolimus", None, "sirolimus"])),
    pd.Series(["x", 1, None, "x"], dtype=object),
])
def test_a_value_is_written_the_same_whatever_else_its_column_holds(values):
    from khetrial.bundle.coerce import format_column

    alone = [format_column(values.iloc[[i]].reset_index(drop=True))[0] for i in range(len(values))]
    assert format_column(values) == alone
    assert alone[0] != alone[1]  # a case where merging two values would show
