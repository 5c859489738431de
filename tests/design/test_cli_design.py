"""khetrial design power / sample-size / check on the command line."""

import json

import pytest
from typer.testing import CliRunner

from khetrial.cli import app

from .reference import r_reference

runner = CliRunner()


def test_power_json_prints_one_object_with_the_three_figures():
    result = runner.invoke(app, ["design", "power", "--control", "0.55", "--experimental",
                                 "0.70", "--n-per-arm", "32", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # R: power.prop.test(n = 32, p1 = .55, p2 = .70)$power = 0.232873782782267
    assert out["analytic"] == pytest.approx(r_reference()["A.power"], rel=1e-12)
    # R brute-force fisher.test enumeration: 0.172807552553924
    assert out["exact_fisher"] == pytest.approx(
        r_reference()["H.fisher n1=32 n2=32 p1=0.55 p2=0.70"], rel=1e-12)
    assert 0 < out["analytic_cc"] < out["analytic"]


def test_sample_size_json_gives_per_arm_sizes():
    result = runner.invoke(app, ["design", "sample-size", "--control", "0.55", "--experimental",
                                 "0.70", "--power", "0.8", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # R: power.prop.test(p1 = .55, p2 = .70, power = .8)$n = 162.334383006656 -> 163 per arm
    assert out["analytic"]["control"] == out["analytic"]["experimental"] == 163
    assert out["analytic"]["control_unrounded"] == pytest.approx(r_reference()["B.n"], abs=1e-4)
    assert set(out) >= {"analytic", "analytic_cc", "exact_fisher"}


def test_power_table_grid_and_plot(tmp_path):
    plot = tmp_path / "power.html"
    result = runner.invoke(app, ["design", "power", "--control", "0.55", "--experimental",
                                 "0.70", "--n-control", "36", "--n-experimental", "37",
                                 "--grid", "20:60:20", "--plot", str(plot), "--test", "fisher"])
    assert result.exit_code == 0, result.output
    assert "Power over control-arm sizes" in result.output
    text = plot.read_text()
    assert "<html>" in text and "plotly" in text.lower()


def test_power_without_sizes_fails_with_advice():
    result = runner.invoke(app, ["design", "power", "--control", "0.55", "--experimental", "0.7"])
    assert result.exit_code == 2
    assert "--n-per-arm" in result.output


def test_bad_test_name_is_refused():
    result = runner.invoke(app, ["design", "sample-size", "--control", "0.55", "--experimental",
                                 "0.7", "--test", "t"])
    assert result.exit_code == 2
    assert "chi2" in result.output


def test_check_prints_the_stated_and_recomputed_power():
    result = runner.invoke(app, ["design", "check", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["stated_power"] == 0.8  # Pub.: "∼80% power"
    assert out["planned"]["analytic"] == pytest.approx(r_reference()["A.power"], rel=1e-12)


def test_simulate_json_gives_power_per_endpoint(tmp_path):
    from .conftest import SCENARIOS

    result = runner.invoke(app, ["design", "simulate", str(SCENARIOS / "publication.toml"),
                                 "--trials", "250", "--seed", "4", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["measure"] == "power" and out["trials"] == 250
    assert "durable_platelet_response_wk4" in out["endpoints"]


def test_simulate_null_scenario_prints_type_i_error():
    from .conftest import SCENARIOS

    result = runner.invoke(app, ["design", "simulate", str(SCENARIOS / "null.toml"),
                                 "--trials", "250", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "type I error" in result.output


def test_simulate_refuses_a_missing_scenario_file(tmp_path):
    result = runner.invoke(app, ["design", "simulate", str(tmp_path / "none.toml")])
    assert result.exit_code == 2
    assert "does not" in result.output and "exist" in result.output


def test_simulate_workers_option_gives_the_same_result_as_one_worker():
    # Issue 7: "--workers N to use all cores"; the same seed gives the same trials for any N.
    from .conftest import SCENARIOS

    outs = []
    for workers in ("1", "2"):
        result = runner.invoke(app, ["design", "simulate", str(SCENARIOS / "publication.toml"),
                                     "--trials", "500", "--seed", "8", "--workers", workers,
                                     "--json"])
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.stdout))
    assert outs[0]["endpoints"] == outs[1]["endpoints"]
    assert outs[0]["primary_difference"] == outs[1]["primary_difference"]
