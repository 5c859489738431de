"""The report's DMC sections, the honest report (banner, publication check, rounding note) and the
DMC open/closed reports, on the publication-matched cohort."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from html import unescape

import pytest
from typer.testing import CliRunner

from khetrial.cli import app
from khetrial.report import build_report, write_dmc_report
from khetrial.report.dmc import build_closed_report, build_open_report, check_key, draw_key
from khetrial.report.honesty import ROUNDING_NOTE, SIMULATED_BANNER
from khetrial.errors import ConfigurationError
from khetrial.sap import analyse
from khetrial.sap.interim import cut_bundle


def text(html: str) -> str:
    """The page's visible text (scripts and styles removed)."""
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def page(report_path):
    return report_path.read_text(encoding="utf-8")


def test_every_dmc_section_is_in_the_report(page):
    for anchor in ("sensitivity", "time-to-response", "by-site", "exposure", "missing-data", "multiplicity",
                   "completeness", "publication-check"):
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page, anchor
    shown = text(page)
    for title in ("Sensitivity analyses of the week-4 platelet change", "Time to durable platelet response",
                  "Primary endpoint by site", "Drug exposure and treatment changes",
                  "Missing data: observed cases and tipping point", "Holm-adjusted", "Follow-up completeness"):
        assert title in shown, title
    assert 'id="fig-km"' in page and 'id="fig-sites"' in page


def test_sensitivity_table_names_the_primary_model_and_prints_the_unstructured_fit(page, published_results):
    shown = text(page)
    assert "(plan's primary; lme4 lmer, Wald z interval) — primary" in shown
    mmrm = published_results.monitoring.sensitivity.models["mmrm_unstructured"]
    assert f"{mmrm.ci95[0]:.1f} to {mmrm.ci95[1]:.1f}" in shown


def test_simulated_data_carry_the_banner_and_real_data_do_not(published_bundle, published_results):
    # the session bundle is written by write_simulated_bundle, so its folder has SIMULATED.txt
    assert SIMULATED_BANNER in unescape(build_report(published_bundle, published_results))
    assert SIMULATED_BANNER not in unescape(build_report(published_bundle, published_results, simulated=False))


def test_publication_check_lists_the_differences_and_the_unsupported_claims(page):
    check = text(page[page.index('id="publication-check"'):page.index('id="design"')])
    # issue 12 / publication: mixed model "38.0 ... 6.1-69.8" vs khetrial's lme4 fit; AE "P = .981"
    assert "38.0 (6.1 to 69.8)" in check and "42.7 (0.6 to 84.8)" in check
    assert "0.981" in check and "0.978" in check
    # publication: "durable platelet responses at all points" vs week 1 Fisher P = 0.221 (9/37 vs 4/36)
    assert "durable platelet responses at all points" in check and "week 1: P = 0.221" in check
    # publication: "significant improvements in volume changes" vs overall lesion CI −5.0 to 27.8
    assert "significant improvements in volume changes" in check and "-5.0 to 27.8" in check
    assert "Cells the simulator invented" in check and "weeks 0, 2 and 3" in check


def test_rounding_rule_is_stated_in_a_footnote(page):
    assert ROUNDING_NOTE in unescape(page)


def test_threshold_lines_have_a_visible_width(page):
    # plotly writes each shape's line in the figure JSON; width 0 would hide the 100 ×10⁹/L line
    widths = re.findall(r'"line":\{"color":"#(?:777|b00)","dash":"d\w+","width":([0-9.]+)\}', page)
    assert len(widths) == 3 and all(float(w) > 0 for w in widths)  # Figure 2 + two trajectory panels


def test_open_report_shows_no_arm(published_results):
    shown = text(build_open_report(published_results, simulated=True))
    assert "Pooled" in shown and SIMULATED_BANNER in shown
    # the primary pooled: 35 + 24 of 73 (publication) = 59/73 = 80.8 %
    assert "59/73 (80.8%)" in shown
    for arm_word in ("Sirolimus + prednisolone", "SP", "Arm A", "35/37", "24/36"):
        assert not re.search(rf"(?<!\w){re.escape(arm_word)}(?!\w)", shown), arm_word


@pytest.mark.parametrize("key", [{"A": "SP", "B": "S"}, {"A": "S", "B": "SP"}])
def test_closed_report_codes_the_arms_and_prints_a_minus_b(published_results, key):
    shown = text(build_closed_report(published_results, key))
    assert "Arm A" in shown and "Arm B" in shown
    assert not re.search(r"(?<!\w)(SP|Sirolimus \+ prednisolone)(?!\w)", shown)
    # publication: 35/37 vs 24/36, difference 27.9 (10.0 to 44.7); A − B flips with the key
    expected = "27.9" if key["A"] == "SP" else "-27.9"
    assert f"{expected}" in shown and "35/37 (94.6%)" in shown


def test_a_closed_report_writes_its_key_to_a_separate_file(published_bundle, published_results, tmp_path):
    out, key_path = write_dmc_report(published_bundle, tmp_path / "closed.html", published_results, "closed",
                                     key=draw_key(random.Random(1)))
    key = json.loads(key_path.read_text(encoding="utf-8"))["key"]
    assert key_path != out and sorted(key.values()) == ["S", "SP"]
    page = out.read_text(encoding="utf-8")
    # the page does not carry the key: neither its note nor the arm behind a code
    assert "do not circulate" not in page and "key.json" not in page
    assert not re.search(r"Arm [AB]\W+(SP|S)\b", text(page))


def test_a_bad_key_or_kind_is_refused_with_what_was_got(published_bundle, published_results, tmp_path):
    with pytest.raises(ConfigurationError, match="got {'A': 'SP', 'B': 'SP'}"):
        check_key({"A": "SP", "B": "SP"})
    with pytest.raises(ConfigurationError, match="got 'half'"):
        write_dmc_report(published_bundle, tmp_path / "x.html", published_results, "half")


def test_an_interim_cutoff_leaves_recent_children_not_yet_evaluable(published_bundle):
    cut = cut_bundle(published_bundle, date(2018, 6, 30))
    results = analyse(cut, cutoff=date(2018, 6, 30))
    wk4 = results.monitoring.completeness.endpoints["durable_platelet_response_wk4"]
    randomized = {arm: int((cut.patients["arm"] == arm).sum()) for arm in ("SP", "S")}
    assert {arm: wk4[arm]["n"] for arm in wk4} == randomized
    assert any(wk4[arm]["evaluable"] < wk4[arm]["n"] for arm in wk4)
    assert all(d <= date(2018, 6, 30) for d in cut.labs["date"].dt.date)
    page = build_report(cut, results, interim=True, simulated=True)
    assert "not yet evaluable" in text(page)


def test_report_command_dmc_and_cutoff_options(published_bundle, tmp_path):
    runner = CliRunner()
    source = str(published_bundle.source)
    closed = runner.invoke(app, ["report", source, "--dmc", "closed", "-o", str(tmp_path / "c.html")])
    assert closed.exit_code == 0, closed.output
    assert (tmp_path / "c.key.json").is_file()
    bad = runner.invoke(app, ["report", source, "--cutoff", "30/06/2018", "-o", str(tmp_path / "i.html")])
    assert bad.exit_code != 0 and "expected a date YYYY-MM-DD" in bad.output
