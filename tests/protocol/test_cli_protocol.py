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
