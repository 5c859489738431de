"""The ``dose`` and ``schedule`` commands, text and JSON."""

import json

from typer.testing import CliRunner

from khetrial.cli import app

runner = CliRunner()


def test_dose_text_shows_the_starting_doses():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58"])
    assert result.exit_code == 0, result.output
    # Mosteller sqrt(58 × 5.2 / 3600) = 0.2894 m²; 0.8 mg/m² × 0.2894 = 0.23 mg = 0.23 mL; 2 × 5.2 = 10.4 mg
    for text in ("0.2894", "0.23 mg = 0.23 mL", "10.4 mg", "52.0 mg"):
        assert text in result.output


def test_dose_json_with_a_trough():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--trough", "7.5",
                                 "--current-dose-mg", "0.3", "--date", "2026-03-10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["bsa_m2"] == 0.2894 and data["sirolimus_dose_mg"] == 0.23 and data["sirolimus_dose_ml"] == 0.23
    assert data["prednisolone_dose_mg"] == 10.4 and data["tmp_smx_dose_mg"] == 52.0
    # Rapamune label proportion: 0.3 × 12.5 / 7.5 = 0.5 mg; recheck 7 days after 2026-03-10
    assert data["adjusted_dose_mg"] == 0.5 and data["next_trough_date"] == "2026-03-17"


def test_dose_trough_defaults_to_the_starting_dose_as_current():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--trough", "12",
                                 "--date", "2026-03-10", "--json"])
    data = json.loads(result.stdout)
    assert data["current_dose_mg"] == 0.23 and data["action"] == "keep"


def test_dose_text_with_a_trough_shows_the_titration():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--trough", "20",
                                 "--current-dose-mg", "0.4", "--date", "2026-03-10"])
    assert result.exit_code == 0
    # 0.4 × 12.5 / 20 = 0.25 mg
    assert "decrease" in result.output and "0.25 mg" in result.output and "2026-03-17" in result.output


def test_dose_refuses_a_negative_weight_with_exit_code_2():
    result = runner.invoke(app, ["dose", "--weight-kg", "-5", "--height-cm", "58"])
    assert result.exit_code == 2 and "weight" in result.output


def test_dose_refuses_current_dose_without_trough():
    result = runner.invoke(app, ["dose", "--weight-kg", "5", "--height-cm", "58", "--current-dose-mg", "0.3"])
    assert result.exit_code == 2 and "--trough" in result.output


def test_schedule_json_lists_visits_and_checks():
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["visits"]) == 13  # baseline + 11 weekly visits + year 2 (Pub. "Study outcomes")
    week1 = data["visits"][1]
    assert week1 == {"code": "week_1", "name": "Week 1", "target_date": "2026-03-09",
                     "window_start": "2026-03-06", "window_end": "2026-03-12"}
    assert data["trough_dates"][:3] == ["2026-03-09", "2026-03-16", "2026-03-30"]  # days 7, 14, 28
    assert data["mri_dates"] == ["2026-09-02", "2027-03-02", "2028-03-02"]
    assert data["pedsql_dates"] == ["2026-03-02", "2027-03-02"]


def test_schedule_with_today_and_done_shows_statuses():
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--today", "2026-04-10",
                                 "--done", "week_1=2026-03-09", "--json"])
    statuses = {v["code"]: v["status"] for v in json.loads(result.stdout)["visits"]}
    assert statuses["week_1"] == "done" and statuses["week_4"] == "overdue" and statuses["week_8"] == "upcoming"


def test_schedule_text():
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02"])
    assert result.exit_code == 0
    assert "Week 84" in result.output and "Year 2" in result.output and "every 2 days" in result.output


def test_schedule_refuses_a_malformed_done_item():
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--done", "week_1"])
    assert result.exit_code == 2 and "CODE=YYYY-MM-DD" in result.output


def test_schedule_refuses_a_malformed_date():
    result = runner.invoke(app, ["schedule", "--randomized", "02/03/2026"])
    assert result.exit_code == 2


def test_dose_json_names_both_tmp_smx_components_and_every_source():
    result = runner.invoke(app, ["dose", "--weight-kg", "60", "--height-cm", "160", "--measured-on", "2026-03-01",
                                 "--age-months", "1.5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # 10 mg/kg × 60 kg = 600 mg of the combination: trimethoprim 100 mg + sulfamethoxazole 500 mg
    assert data["tmp_smx"]["trimethoprim_mg"] == 100.0 and data["tmp_smx"]["sulfamethoxazole_mg"] == 500.0
    assert data["tmp_smx"]["caution"] and data["tmp_smx"]["caution_source"] == "label"
    # 2 mg/kg × 60 kg = 120 mg capped at 60 mg/day (project choice)
    assert data["prednisolone_dose_mg"] == 60.0 and data["prednisolone"]["cap_source"] == "project choice"
    assert data["body_size_measured_on"] == "2026-03-01"
    assert {r["source"] for r in data["rules"]} == {"publication", "label", "project choice"}


def test_dose_text_shows_sources_components_and_caution():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--age-months", "1"])
    assert result.exit_code == 0, result.output
    for text in ("trimethoprim 8.7 mg", "sulfamethoxazole 43.3 mg", "project choice", "label", "publication",
                 "Caution (label)"):
        assert text in result.output


def test_dose_holds_sirolimus_above_a_toxic_trough():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--trough", "35",
                                 "--current-dose-mg", "0.4", "--date", "2026-03-10", "--json"])
    data = json.loads(result.stdout)
    # hold; restart at 0.4 / 2 = 0.2 mg once ≤ 15 ng/mL; repeat 3 days later (project choice)
    assert data["action"] == "hold" and data["restart_dose_mg"] == 0.2 and data["next_trough_date"] == "2026-03-13"
    assert data["titration_source"] == "project choice"


def test_dose_undetectable_trough_is_advice():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--trough", "0",
                                 "--current-dose-mg", "0.3", "--date", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert "adherence" in result.output and "repeat" in result.output


def test_dose_volumes_follow_the_solution_strength():
    result = runner.invoke(app, ["dose", "--weight-kg", "5.2", "--height-cm", "58", "--solution-mg-per-ml", "0.1",
                                 "--json"])
    data = json.loads(result.stdout)
    # 0.23156 mg at 0.1 mg/mL = 2.3156 mL → 2.3 mL on the 0.1 mL syringe
    assert data["sirolimus_dose_ml"] == 2.3 and data["sirolimus_solution_mg_per_ml"] == 0.1


def test_schedule_maximal_plan_counts_every_two_days_to_day_56_and_on_days_7_and_21():
    data = json.loads(runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--json"]).stdout)
    # 0, 2, …, 56: 29 counts, and days 7 and 21 (2026-03-09, 03-23); day 56 = 2026-04-27
    assert len(data["blood_count_dates"]) == 31 and data["blood_count_dates"][-1] == "2026-04-27"
    assert {"2026-03-09", "2026-03-23"} <= set(data["blood_count_dates"])
    assert data["baseline_mri_window"] == {"start": "2026-01-31", "end": "2026-03-02", "source": "SAP"}


def test_schedule_with_platelets_shows_the_next_count_due(tmp_path):
    csv = tmp_path / "platelets.csv"
    csv.write_text("date,value\n2026-03-02,20\n2026-03-04,110\n2026-03-06,120\n2026-03-30,500\n")
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--today", "2026-03-09",
                                 "--platelets", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    blood = json.loads(result.stdout)["blood_count"]
    # latest count up to today: 2026-03-06 (the 03-30 row is after --today): next 03-08, overdue on 03-09;
    # 120 ≥ 100 so the run holds until 03-06 + 14 = 03-20
    assert blood["next_count_due"] == "2026-03-08" and blood["overdue"] is True
    assert blood["keeps_run_until"] == "2026-03-20" and blood["stabilized_on"] is None
    text = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--today", "2026-03-09",
                               "--platelets", str(csv)]).output
    assert "next blood count" in text and "OVERDUE" in text and "baseline MRI" in text


def test_schedule_refuses_a_malformed_platelet_file(tmp_path):
    csv = tmp_path / "platelets.csv"
    csv.write_text("2026-03-02,20\n03/04/2026,110\n")
    result = runner.invoke(app, ["schedule", "--randomized", "2026-03-02", "--platelets", str(csv)])
    assert result.exit_code == 2 and "line 2" in result.output and "YYYY-MM-DD" in result.output
