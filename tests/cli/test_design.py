"""``khetrial design simulate`` says which binary endpoints it does not simulate (issue 15: the
README promised "every binary endpoint")."""

from pathlib import Path

from typer.testing import CliRunner

from khetrial.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_design_simulate_names_the_binary_endpoints_it_does_not_simulate():
    result = CliRunner().invoke(app, ["design", "simulate", str(ROOT / "examples" / "scenarios" / "publication.toml"),
                                      "--trials", "50", "--seed", "1"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    # The SAP's binary endpoints (endpoints/adsl.py BINARY_ENDPOINTS) minus the simulated ones
    # (design/derive.py SIMULATED_ENDPOINTS): lesion, PedsQL and sequelae.
    assert ("Not simulated (a scenario models no lesion volume, PedsQL or sequelae): "
            "lesion_overall_response_m12, lesion_good_response_m12, qol_improvement_m12, "
            "sequelae_m24") in result.output
    assert "kmp_rebound" in result.output.split("Not simulated")[0]


def test_the_readme_says_which_endpoints_design_simulate_reports():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "for every binary endpoint with\nMonte Carlo" not in readme
    assert "lesion, PedsQL and sequelae endpoints are not simulated" in readme
    assert "--results-out results.json" in readme and "--results results.json" not in readme
