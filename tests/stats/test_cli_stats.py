"""`khetrial stats diff` (src/khetrial/cli/stats.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khetrial.cli import app
from khetrial.cli.stats import METHODS as CLI_METHODS
from khetrial.stats.proportions import METHODS

runner = CliRunner()


def test_stats_diff_prints_the_primary_outcome_as_the_publication():
    # Pub.: "35 of 37 ... compared with 24 of 36 ... (difference 27.9%; 95% confidence
    # interval, 10.0-44.7)"; "94.6% ... vs 66.7%"
    result = runner.invoke(app, ["stats", "diff", "35/37", "24/36"])
    assert result.exit_code == 0, result.output
    assert "35/37 = 94.6%" in result.output
    assert "24/36 = 66.7%" in result.output
    assert "27.9% (95% CI 10.0 to 44.7; Newcombe hybrid score)" in result.output
    # R: fisher.test(matrix(c(35, 2, 24, 12), 2, byrow = TRUE))$p.value = 0.00285955605462
    assert "Fisher exact p (two-sided) = 0.00286" in result.output


def test_stats_diff_json_is_one_object_with_unrounded_fractions():
    # SAP results.json example: 35/37 vs 24/36 -> 0.2793, [0.0995, 0.4472], p 0.0029;
    # R (reference_tests.R): newcombe 35/37 - 24/36: 0.0994537541 0.4472217029
    result = runner.invoke(app, ["stats", "diff", "35/37", "24/36", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["difference"] == 35 / 37 - 24 / 36
    assert data["ci95"] == pytest.approx([0.0994537541, 0.4472217029], abs=1e-9)
    assert data["p_value"] == pytest.approx(0.00285955605462, rel=1e-9)
    assert data["method"] == "newcombe"
    assert data["first"] == {"events": 35, "n": 37}
    assert data["second"] == {"events": 24, "n": 36}


def test_stats_diff_rebound_is_negative_when_the_combination_does_better():
    # Pub.: "(5.4% vs 16.7%) ... (difference, 11.3%; 95% CI, −3.9 to 27.0)" printed S − SP;
    # SP − S is −11.3 % (−27.0 to 3.9)
    result = runner.invoke(app, ["stats", "diff", "2/37", "6/36"])
    assert result.exit_code == 0, result.output
    assert "-11.3% (95% CI -27.0 to 3.9" in result.output


# The publication's printed differences and 95 % CIs, with the command's arguments (SP first).
# Where the publication prints S − SP (rebound, sequelae, lack of efficacy) the SAP's
# experimental − control direction flips the signs and swaps the limits.
PUBLISHED_DIFFERENCES = [
    # Pub.: "35 of 37 ... compared with 24 of 36 ... (difference 27.9%; 95% confidence
    # interval, 10.0-44.7)"
    ("primary", "35/37", "24/36", "27.9% (95% CI 10.0 to 44.7"),
    # Pub.: fibrinogen "in 27 (73.0%) and 16 (44.4%) patients ... (difference, 28.5%; 95% CI,
    # 6.0-47.4)"
    ("fibrinogen", "27/37", "16/36", "28.5% (95% CI 6.0 to 47.4"),
    # Pub.: "overall lesion response rate was 91.9% ... and 80.6% ... (difference, 11.3%; 95% CI,
    # −5.0 to 27.8)"  (34/37 = 91.9 %, 29/36 = 80.6 %)
    ("overall lesion", "34/37", "29/36", "11.3% (95% CI -5.0 to 27.8"),
    # Pub.: good lesion response "(81.1% vs 58.3%; difference, 22.8%; 95% CI, 1.7-41.4)"
    ("good lesion", "30/37", "21/36", "22.8% (95% CI 1.7 to 41.4"),
    # Pub.: QOL "33 (89.2%) ... and in 28 (77.8%) ... (difference, 11.4%; 95% CI, −6.0 to 28.6)"
    ("QOL", "33/37", "28/36", "11.4% (95% CI -6.0 to 28.6"),
    # Pub.: rebound "(5.4% vs 16.7%) ... (difference, 11.3%; 95% CI, −3.9 to 27.0)", S − SP
    ("KMP rebound", "2/37", "6/36", "-11.3% (95% CI -27.0 to 3.9"),
    # Pub.: sequelae "(33.3% vs 10.8%; difference, 22.5%; 95% CI, 3.4-40.1)", S − SP
    ("sequelae", "4/37", "12/36", "-22.5% (95% CI -40.1 to -3.4"),
    # Pub.: "lack of efficacy (2.7% ... vs 13.9% ...; difference, 11.2%; 95% confidence interval
    # [CI], −2.4 to 26.1)", S − SP
    ("lack of efficacy", "1/37", "5/36", "-11.2% (95% CI -26.1 to 2.4"),
]


@pytest.mark.parametrize(("endpoint", "first", "second", "printed"), PUBLISHED_DIFFERENCES,
                         ids=[row[0] for row in PUBLISHED_DIFFERENCES])
def test_stats_diff_prints_every_difference_and_interval_of_the_publication(endpoint, first,
                                                                            second, printed):
    result = runner.invoke(app, ["stats", "diff", first, second])
    assert result.exit_code == 0, result.output
    assert f"difference: {printed}; Newcombe hybrid score)" in result.output


def test_stats_diff_other_methods():
    # PropCIs diffscoreci(30, 37, 21, 36, 0.95): 0.0157901 0.4238718 (see test_proportions.py)
    result = runner.invoke(app, ["stats", "diff", "30/37", "21/36", "--method",
                                 "miettinen-nurminen", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "miettinen-nurminen"
    assert data["ci95"] == pytest.approx([0.0157901, 0.4238718], abs=1e-6)


@pytest.mark.parametrize(("args", "name"), [
    (["35/", "24/36"], "FIRST"),
    (["35/37", "40/36"], "SECOND"),
    (["a/b", "24/36"], "FIRST"),
    (["35/37", "24/0"], "SECOND"),
    (["35/37", "24/36", "--method", "exact"], "--method"),
    (["35/37", "24/36", "--level", "1.5"], "--level"),
])
def test_stats_diff_malformed_input_is_a_usage_error_naming_the_argument(args, name):
    result = runner.invoke(app, ["stats", "diff", *args])
    assert result.exit_code == 2
    assert name in result.output


def test_stats_commands_have_help():
    result = runner.invoke(app, ["stats", "diff", "--help"])
    assert result.exit_code == 0
    assert "first − second" in result.output


def test_the_cli_offers_exactly_the_interval_methods_of_the_statistics():
    assert set(CLI_METHODS) == set(METHODS)
