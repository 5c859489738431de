"""Validation: every rule of shared/spec/bundle-format.md, one broken copy of the example each.

The expected ranges, code lists and required files are the spec's own words (quoted in the
parameter ids' comments); the line numbers are those of examples/bundle, where record k is on
line k + 1 (no quoted newlines in the edited files).
"""

from __future__ import annotations

import pytest

from khetrial.bundle import read_bundle, validate_bundle
from khetrial.errors import BundleError, Problem


def problems_of(path) -> list[Problem]:
    with pytest.raises(BundleError) as caught:
        validate_bundle(path)
    return list(caught.value.problems)


def test_the_example_bundle_is_valid(example_bundle_dir):
    bundle = validate_bundle(example_bundle_dir)
    # examples/bundle/patients.csv holds 6 patients, 3 per arm (hand-written)
    assert len(bundle.patients) == 6
    assert bundle.patients["arm"].value_counts().to_dict() == {"SP": 3, "S": 3}


# (file, line, column, new value, words the message must contain)
CELL_RULES = [
    # patients.csv: "sex | F / M", "arm | SP / S", dates ISO 8601, "weight_kg | number 0.5–80"...
    ("patients.csv", 2, "sex", "X", "sex must be one of F, M"),
    ("patients.csv", 3, "arm", "C", "arm must be one of SP, S"),
    ("patients.csv", 2, "birth_date", "2017-13-01", "calendar date written YYYY-MM-DD"),
    ("patients.csv", 2, "birth_date", "14/09/2017", "calendar date written YYYY-MM-DD"),
    ("patients.csv", 2, "randomization_date", "2018-02-30", "calendar date written YYYY-MM-DD"),
    ("patients.csv", 4, "kmp_onset_date", "2018-9-10", "calendar date written YYYY-MM-DD"),
    ("patients.csv", 2, "weight_kg", "80.1", "weight_kg must be 0.5–80 kg"),
    ("patients.csv", 2, "weight_kg", "0.4", "weight_kg must be 0.5–80 kg"),
    ("patients.csv", 2, "weight_kg", "6,8", "weight_kg must be a number written with . as decimal separator"),
    ("patients.csv", 2, "height_cm", "181", "height_cm must be 30–180 cm"),
    ("patients.csv", 2, "height_cm", "29.9", "height_cm must be 30–180 cm"),
    ("patients.csv", 2, "height_cm", "nan", "height_cm must be a number"),
    ("patients.csv", 2, "lesion_depth", "surface", "lesion_depth must be one of superficial, mixed, deep"),
    ("patients.csv", 2, "lesion_site", "arm", "lesion_site must be one of head_neck, trunk, extremity"),
    ("patients.csv", 2, "biopsy", "2", "biopsy must be 0 or 1"),
    ("patients.csv", 2, "biopsy", "yes", "biopsy must be 0 or 1"),
    ("patients.csv", 2, "site_id", "", "site_id must not be empty"),
    ("patients.csv", 2, "sex", "", "sex must not be empty"),
    ("patients.csv", 2, "weight_kg", "", "weight_kg must not be empty"),
    # labs.csv: "platelets ×10⁹/L 0–2000", "fibrinogen g/L 0–10", "d_dimer µg/mL 0–100",
    # "hemoglobin g/L 10–250", "alt U/L 0–5000", "ast U/L 0–5000"
    ("labs.csv", 2, "value", "2001", "platelets must be 0–2000 ×10⁹/L"),
    ("labs.csv", 2, "value", "-3", "platelets must be 0–2000 ×10⁹/L"),
    ("labs.csv", 3, "value", "10.5", "fibrinogen must be 0–10 g/L"),
    ("labs.csv", 4, "value", "100.01", "d_dimer must be 0–100 µg/mL"),
    ("labs.csv", 6, "value", "9", "hemoglobin must be 10–250 g/L"),
    ("labs.csv", 6, "value", "251", "hemoglobin must be 10–250 g/L"),
    ("labs.csv", 7, "value", "5001", "alt must be 0–5000 U/L"),
    ("labs.csv", 8, "value", "-1", "ast must be 0–5000 U/L"),
    ("labs.csv", 2, "value", "", "value must not be empty"),
    ("labs.csv", 2, "value", "18 x10^9", "value must be a number"),
    ("labs.csv", 2, "test", "platelet", "test must be one of platelets, fibrinogen, d_dimer"),
    ("labs.csv", 2, "date", "", "date must not be empty"),
    ("labs.csv", 2, "patient_id", "", "patient_id must not be empty"),
    # drug_levels.csv: "sirolimus_trough_ng_ml (0–200)"
    ("drug_levels.csv", 2, "sirolimus_trough_ng_ml", "200.5", "sirolimus_trough_ng_ml must be 0–200 ng/mL"),
    # medications.csv: drug, dose_unit, frequency code lists; dose is a non-negative number
    ("medications.csv", 2, "drug", "rapamycin", "drug must be one of sirolimus, prednisolone, other_khe_therapy, tmp_smx"),
    ("medications.csv", 2, "dose_unit", "mg/m2", "dose_unit must be one of mg_m2, mg_kg, mg"),
    ("medications.csv", 2, "frequency", "tid", "frequency must be one of bid, qd, tiw_bid"),
    ("medications.csv", 2, "start_date", "", "start_date must not be empty"),
    ("medications.csv", 2, "dose", "-0.8", "dose must be ≥ 0"),
    # mri.csv: "lesion_volume_ml (0–5000)"
    ("mri.csv", 2, "lesion_volume_ml", "5000.1", "lesion_volume_ml must be 0–5000 mL"),
    # qol.csv: "response an integer 0–4, or empty"
    ("qol.csv", 2, "response", "5", "response must be 0–4"),
    ("qol.csv", 2, "response", "-1", "response must be 0–4"),
    ("qol.csv", 2, "response", "2.5", "response must be a whole number"),
    ("qol.csv", 2, "item", "", "item must not be empty"),
    # adverse_events.csv: "grade 1–5; serious and related 0/1; action one of none, ..."
    ("adverse_events.csv", 2, "grade", "0", "grade must be 1–5"),
    ("adverse_events.csv", 2, "grade", "6", "grade must be 1–5"),
    ("adverse_events.csv", 2, "grade", "", "grade must not be empty"),
    ("adverse_events.csv", 2, "serious", "yes", "serious must be 0 or 1"),
    ("adverse_events.csv", 2, "related", "2", "related must be 0 or 1"),
    ("adverse_events.csv", 2, "action", "stopped", "action must be one of none, dose_reduced, interrupted, withdrawn"),
    ("adverse_events.csv", 2, "term", "", "term must not be empty"),
    ("adverse_events.csv", 2, "onset_date", "", "onset_date must not be empty"),
    # transfusions.csv: "product one of ffp, cryoprecipitate, red_cells, platelets"
    ("transfusions.csv", 2, "product", "plasma", "product must be one of ffp, cryoprecipitate, red_cells, platelets"),
    # sequelae.csv: "sequela one of lymphedema, ...", "present 0/1"
    ("sequelae.csv", 2, "sequela", "pain", "sequela must be one of lymphedema, decreased_rom"),
    ("sequelae.csv", 2, "present", "2", "present must be 0 or 1"),
    # disposition.csv: "status is completed or discontinued"; reason from the list
    ("disposition.csv", 2, "status", "ongoing", "status must be one of completed, discontinued"),
    ("disposition.csv", 6, "reason", "bored", "reason must be one of lack_of_efficacy, progression"),
    # screening.csv
    ("screening.csv", 2, "eligible", "y", "eligible must be 0 or 1"),
    ("screening.csv", 2, "date", "", "date must not be empty"),
    ("screening.csv", 2, "screening_id", "", "screening_id must not be empty"),
]


@pytest.mark.parametrize(("file", "line", "column", "value", "words"), CELL_RULES,
                         ids=[f"{r[0]}:{r[2]}={r[3]!r}" for r in CELL_RULES])
def test_a_bad_cell_is_reported_with_file_line_column_value_and_rule(
        bundle_copy, edit_cell, file, line, column, value, words):
    edit_cell(file, line, column, value)
    problems = problems_of(bundle_copy)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert (problem.file, problem.line, problem.column) == (file, line, column)
    assert problem.value == (value or None)
    assert words in problem.message


# Values on the edge of each range are allowed (the spec's ranges are inclusive).
BOUNDARIES = [
    ("patients.csv", 2, "weight_kg", "0.5"), ("patients.csv", 2, "weight_kg", "80"),
    ("patients.csv", 2, "height_cm", "30"), ("patients.csv", 2, "height_cm", "180"),
    ("labs.csv", 2, "value", "0"), ("labs.csv", 2, "value", "2000"),
    ("labs.csv", 6, "value", "10"), ("labs.csv", 6, "value", "250"),
    ("labs.csv", 2, "value", "1.5e2"),
    ("drug_levels.csv", 2, "sirolimus_trough_ng_ml", "200"),
    ("mri.csv", 2, "lesion_volume_ml", "5000"),
    ("qol.csv", 2, "response", "0"), ("qol.csv", 2, "response", "4"), ("qol.csv", 2, "response", ""),
    ("adverse_events.csv", 2, "grade", "1"), ("adverse_events.csv", 2, "grade", "5"),
    ("adverse_events.csv", 2, "end_date", ""),
    ("medications.csv", 2, "end_date", ""), ("medications.csv", 2, "frequency", ""),
    ("patients.csv", 2, "kmp_onset_date", ""),
    ("screening.csv", 3, "reason", ""),
]


@pytest.mark.parametrize(("file", "line", "column", "value"), BOUNDARIES,
                         ids=[f"{r[0]}:{r[2]}={r[3]!r}" for r in BOUNDARIES])
def test_values_on_the_edge_of_the_rules_are_accepted(bundle_copy, edit_cell, file, line, column, value):
    edit_cell(file, line, column, value)
    validate_bundle(bundle_copy)


# --- rules across rows and files -------------------------------------------------------------
def test_a_second_row_for_a_patient_in_patients_csv_is_reported(bundle_copy, edit_cell):
    edit_cell("patients.csv", 3, "patient_id", "KHE-001")
    problems = problems_of(bundle_copy)
    assert Problem("patients.csv", 3, "patient_id", "KHE-001",
                   "patient_id KHE-001 already appears on line 2; one row per patient") in problems


def test_a_patient_id_missing_from_patients_csv_is_reported_in_every_file(bundle_copy, edit_cell):
    edit_cell("labs.csv", 2, "patient_id", "KHE-999")
    edit_cell("adverse_events.csv", 9, "patient_id", "KHE-998")
    edit_cell("screening.csv", 3, "patient_id", "KHE-997")
    problems = problems_of(bundle_copy)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [
        ("labs.csv", 2, "patient_id", "KHE-999"),
        ("adverse_events.csv", 9, "patient_id", "KHE-998"),
        ("screening.csv", 3, "patient_id", "KHE-997"),
    ]
    assert all("is not in patients.csv" in p.message for p in problems)


def test_a_medication_ending_before_it_starts_is_reported(bundle_copy, edit_cell):
    edit_cell("medications.csv", 3, "end_date", "2018-03-06")  # start_date 2018-03-07
    (problem,) = problems_of(bundle_copy)
    assert problem == Problem("medications.csv", 3, "end_date", "2018-03-06",
                              "end_date must not be before start_date (2018-03-07)")


def test_a_course_of_one_day_ends_on_its_start_date(bundle_copy, edit_cell):
    edit_cell("medications.csv", 3, "end_date", "2018-03-07")
    validate_bundle(bundle_copy)


def test_an_adverse_event_ending_before_its_onset_is_reported(bundle_copy, edit_cell):
    edit_cell("adverse_events.csv", 2, "end_date", "2018-04-15")  # onset 2018-04-16
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column) == ("adverse_events.csv", 2, "end_date")
    assert "end_date must not be before onset_date (2018-04-16)" in problem.message


def test_a_repeated_screening_id_is_reported(bundle_copy, edit_cell):
    edit_cell("screening.csv", 5, "screening_id", "SCR-WCH-01")
    (problem,) = problems_of(bundle_copy)
    assert problem == Problem("screening.csv", 5, "screening_id", "SCR-WCH-01",
                              "screening_id SCR-WCH-01 already appears on line 2; "
                              "every screening_id must be unique")


def test_a_reason_for_a_completed_patient_is_reported(bundle_copy, edit_cell):
    edit_cell("disposition.csv", 2, "reason", "toxicity")
    (problem,) = problems_of(bundle_copy)
    assert problem == Problem("disposition.csv", 2, "reason", "toxicity",
                              "reason must be empty when status is completed")


def test_a_discontinuation_without_reason_is_reported(bundle_copy, edit_cell):
    edit_cell("disposition.csv", 6, "reason", "")
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column, problem.value) == ("disposition.csv", 6, "reason", None)
    assert "reason must not be empty when status is discontinued" in problem.message


def test_a_dose_without_unit_is_reported(bundle_copy, edit_cell):
    edit_cell("medications.csv", 2, "dose_unit", "")
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column) == ("medications.csv", 2, "dose_unit")
    assert "dose_unit must not be empty when a dose is given" in problem.message


# --- files and columns -------------------------------------------------------------------------
@pytest.mark.parametrize("file", ["patients.csv", "labs.csv", "medications.csv"])
def test_a_missing_required_file_is_reported(bundle_copy, file):
    (bundle_copy / file).unlink()
    problems = problems_of(bundle_copy)
    assert problems[0].file == file and problems[0].line is None
    assert "required file missing" in problems[0].message


@pytest.mark.parametrize("file", ["drug_levels.csv", "mri.csv", "qol.csv", "adverse_events.csv",
                                  "transfusions.csv", "sequelae.csv", "disposition.csv", "screening.csv"])
def test_an_absent_optional_file_means_no_records(bundle_copy, file):
    (bundle_copy / file).unlink()
    bundle = validate_bundle(bundle_copy)
    assert len(bundle.tables[file.removesuffix(".csv")]) == 0


@pytest.mark.parametrize(("file", "column"), [("patients.csv", "arm"), ("labs.csv", "value"),
                                              ("medications.csv", "drug"), ("qol.csv", "item")])
def test_a_missing_required_column_is_reported_on_the_header_line(bundle_copy, drop_column, file, column):
    drop_column(file, column)
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column) == (file, 1, column)
    assert f"required column {column} is missing" in problem.message


def test_a_column_name_in_the_wrong_case_is_pointed_out(bundle_copy):
    path = bundle_copy / "labs.csv"
    path.write_bytes(path.read_bytes().replace(b",value\r\n", b",Value \r\n", 1))
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column) == ("labs.csv", 1, "value")
    assert "found 'Value '" in problem.message


@pytest.mark.parametrize(("file", "column"), [("patients.csv", "kmp_onset_date"),
                                              ("medications.csv", "end_date"), ("qol.csv", "response")])
def test_a_column_whose_cells_may_be_empty_may_be_left_out(bundle_copy, drop_column, file, column):
    drop_column(file, column)
    table = validate_bundle(bundle_copy).tables[file.removesuffix(".csv")]
    assert table[column].isna().all()


def test_a_file_that_is_not_utf8_is_reported_with_the_line_of_the_bad_byte(bundle_copy):
    path = bundle_copy / "patients.csv"
    data = path.read_bytes().replace(b"WCH", "WCH\u00e9".encode("latin-1"), 2)
    path.write_bytes(data)
    problems = problems_of(bundle_copy)
    assert (problems[0].file, problems[0].line) == ("patients.csv", 2)
    assert "not UTF-8" in problems[0].message


def test_a_leading_byte_order_mark_is_accepted(bundle_copy):
    path = bundle_copy / "patients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert list(validate_bundle(bundle_copy).patients.columns)[0] == "patient_id"


def test_an_empty_file_is_reported(bundle_copy):
    (bundle_copy / "labs.csv").write_text("")
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line) == ("labs.csv", 1)
    assert "expected a header row" in problem.message


def test_a_row_with_too_many_cells_is_reported(bundle_copy):
    path = bundle_copy / "mri.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line) == ("mri.csv", 3)
    assert "the row has 4 cells but the header has 3" in problem.message


def test_a_repeated_column_name_is_reported(bundle_copy):
    path = bundle_copy / "transfusions.csv"
    text = path.read_bytes().decode("utf-8").replace("product\r\n", "product,date\r\n", 1)
    text = "\r\n".join(line + ",x" if i else line for i, line in enumerate(text.split("\r\n")) if line) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column) == ("transfusions.csv", 1, "date")
    assert "appears twice" in problem.message


def test_bad_quoting_is_reported(bundle_copy):
    path = bundle_copy / "sequelae.csv"
    text = path.read_text(encoding="utf-8").replace("KHE-001,", '"KHE-001"x,', 1)
    path.write_text(text, encoding="utf-8")
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line) == ("sequelae.csv", 2)
    assert "not valid CSV" in problem.message


def test_line_numbers_count_the_lines_of_quoted_newlines(bundle_copy):
    # Record 1 of qol.csv spans lines 2-4 (an item name with two newlines inside quotes), so
    # record 3, whose response is broken, starts on line 6 as an editor shows it.
    path = bundle_copy / "qol.csv"
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[1] = lines[1].replace("pf_01", '"pf\n0\n1"')
    lines[3] = lines[3].rsplit(",", 1)[0] + ",9"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    (problem,) = problems_of(bundle_copy)
    assert (problem.file, problem.line, problem.column, problem.value) == ("qol.csv", 6, "response", "9")


def test_a_missing_folder_is_one_problem(tmp_path):
    with pytest.raises(BundleError) as caught:
        validate_bundle(tmp_path / "nowhere")
    assert "does not exist" in caught.value.problems[0].message


# --- many problems at once ---------------------------------------------------------------------
def test_every_problem_in_every_file_is_reported_at_once_in_file_order(bundle_copy, edit_cell):
    edit_cell("screening.csv", 2, "eligible", "2")
    edit_cell("labs.csv", 3, "value", "11")
    edit_cell("patients.csv", 5, "weight_kg", "95")
    edit_cell("labs.csv", 2, "date", "2018-03-32")
    edit_cell("adverse_events.csv", 4, "grade", "7")
    (bundle_copy / "medications.csv").unlink()
    problems = problems_of(bundle_copy)
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("patients.csv", 5, "weight_kg"),
        ("labs.csv", 2, "date"),
        ("labs.csv", 3, "value"),
        ("medications.csv", None, None),
        ("adverse_events.csv", 4, "grade"),
        ("screening.csv", 2, "eligible"),
    ]


def test_two_problems_in_one_cell_row_are_both_reported(bundle_copy, edit_cell):
    edit_cell("labs.csv", 2, "test", "platelet")
    edit_cell("labs.csv", 2, "value", "x")
    problems = problems_of(bundle_copy)
    assert [(p.line, p.column) for p in problems] == [(2, "test"), (2, "value")]


def test_the_error_message_lists_the_problems_in_words(bundle_copy, edit_cell):
    edit_cell("labs.csv", 2, "value", "-3")
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle_copy)
    assert "labs.csv line 2, column value: got '-3'; platelets must be 0–2000 ×10⁹/L" in str(caught.value)


def test_reading_without_validation_makes_unreadable_values_missing(bundle_copy, edit_cell):
    edit_cell("labs.csv", 2, "value", "abc")
    edit_cell("patients.csv", 2, "sex", "X")
    bundle = read_bundle(bundle_copy, validate=False)
    assert bundle.labs["value"].isna().iloc[0]
    assert bundle.patients["sex"].isna().iloc[0]
    assert len(bundle.labs) == 204  # examples/bundle/labs.csv has 205 lines: header + 204 rows
