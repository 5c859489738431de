"""The report's per-protocol sensitivity analysis: labelled as such, N per arm, the exclusions as
counts per reason, beside the plan's ITT primary."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest

from khetrial.report.per_protocol import REASON_LABELS, per_protocol_html
from khetrial.sap.results import PerProtocol

PUBLISHED_PRIMARY = "35/37 (94.6%)", "24/36 (66.7%)", "27.9 (10.0 to 44.7)"
# Pub.: "35 of 37 patients given sirolimus and prednisolone compared with 24 of 36 patients given
# sirolimus monotherapy (difference 27.9%; 95% confidence interval, 10.0-44.7)"


def text(html: str) -> str:
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def page_text(report_path):
    return text(report_path.read_text(encoding="utf-8"))


def test_the_report_shows_the_per_protocol_population_in_the_sensitivity_section(page_text):
    section = page_text[page_text.index("Sensitivity analysis: the per-protocol population"):]
    assert "Randomized (ITT) 37 36" in section
    assert "Per-protocol population 37 36" in section  # the simulated cohort follows the protocol
    assert "No child is excluded" in section
    for label in REASON_LABELS.values():
        assert f"Excluded: {label} 0 0" in section
    assert "Week 4, ITT (the plan's primary analysis) " + " ".join(PUBLISHED_PRIMARY) in section
    assert "Week 4, per protocol " + " ".join(PUBLISHED_PRIMARY) in section
    assert "the ITT analysis is the primary one" in section


def test_exclusions_are_counted_per_arm_and_reason(published_results):
    excluded = {"SP": {r: 0 for r in REASON_LABELS}, "S": {r: 0 for r in REASON_LABELS}}
    excluded["S"]["prednisolone_in_control"] = 2
    excluded["SP"]["insufficient_follow_up"] = 1
    pp = replace(published_results.per_protocol, n={"SP": 36, "S": 34}, excluded=excluded)
    shown = text(per_protocol_html(replace(published_results, per_protocol=pp)))
    assert f"Excluded: {REASON_LABELS['prednisolone_in_control']} 0 2" in shown
    assert f"Excluded: {REASON_LABELS['insufficient_follow_up']} 1 0" in shown
    assert "Per-protocol population 36 34" in shown
    assert "No child is excluded" not in shown


def test_an_empty_arm_of_the_set_says_why_instead_of_a_comparison(published_results):
    pp = PerProtocol(n={"SP": 37, "S": 0}, excluded={"SP": {r: 0 for r in REASON_LABELS},
                                                     "S": {**{r: 0 for r in REASON_LABELS}, "no_sirolimus": 36}},
                     note="no child of arm S is in the per-protocol set; the arms cannot be compared on it")
    shown = text(per_protocol_html(replace(published_results, per_protocol=pp)))
    assert "Not estimable: no child of arm S is in the per-protocol set" in shown
    assert "Week 4, per protocol" not in shown


def test_results_without_a_per_protocol_analysis_say_so(published_results):
    shown = text(per_protocol_html(replace(published_results, per_protocol=None)))
    assert "Not estimable: no per-protocol analysis in these results" in shown
