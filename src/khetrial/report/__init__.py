"""The trial report: one self-contained HTML page with the publication's tables and figures.

``build_report(bundle, results)`` returns the page: CONSORT flow, Table 1 (baseline), Table 2
(previous therapies), Table 3 (efficacy), Figure 2 (weekly platelet medians), individual platelet
trajectories, a forest plot, the lesion categories, Table 4 (adverse events), the design check and
the provenance. Tables are great-tables HTML, figures plotly with plotly.js inline, so the page
opens offline. When the results are the publication's cohort (or ``compare_publication=True``),
each table shows the publication's values beside khetrial's.

The page is complete for any valid bundle: missing values print "–", a comparison that cannot be
made prints "not estimable" with the reason, and a bundle the analysis refuses (an arm without
patients) gives the descriptive parts (:func:`khetrial.sap.describe`). The report only renders:
it never runs the analysis.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

from khetrial import __version__
from khetrial.bundle.model import Bundle
from khetrial.design.check import design_check
from khetrial.report.consort import consort_html, derive_consort_counts
from khetrial.report.figures import figures_html
from khetrial.report.published import matches_publication
from khetrial.report.tables import (
    adverse_event_table,
    baseline_table,
    efficacy_table,
    fmt_num,
    fmt_points,
    previous_therapy_table,
)
from khetrial.sap.provenance import data_checksum
from khetrial.sap.results import Results
from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import PRIMARY_WEEK

TITLE = "Sirolimus plus prednisolone vs sirolimus for KHE with KMP: trial report"


def bundle_hash(results: Results) -> str:
    """One SHA-256 over the bundle's per-file hashes (``provenance.bundle_sha256``)."""
    return data_checksum(results.provenance.bundle_sha256)


def _provenance_html(results: Results, generated_at: str, source: str | None) -> str:
    prov = results.provenance
    rows = [("khetrial version", __version__), ("bundle SHA-256", bundle_hash(results)),
            ("analysis run at (UTC)", prov.run_at_utc), ("report written at (UTC)", generated_at)]
    if source:
        rows.append(("data source", source))
    rows += [(f"  {name}", digest) for name, digest in sorted(prov.bundle_sha256.items())]
    return "<table class='provenance'>" + "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>" for k, v in rows) + "</table>"


def _design_html() -> str:
    """The publication's power statement recomputed (khetrial.design)."""
    check = design_check()
    return (f"<blockquote class='note'>“{escape(check.sentence)}”</blockquote>"
            f"<p>{escape(check.summary)}</p>")


def _lead(results: Results, compare: bool) -> str:
    b = results.primary
    if b is None:
        why = results.not_estimable or "the results hold no primary endpoint"
        return escape(f"The comparison between the arms is not estimable: {why}. "
                      "The flow, the baseline characteristics and the platelet counts are shown per arm.")
    sp, s = b.arms[SP], b.arms[S]
    ci = b.ci95 or (None, None)
    text = (f"At week {PRIMARY_WEEK}, a durable platelet response was achieved by {sp.events} of {sp.n} patients "
            f"given sirolimus and prednisolone and by {s.events} of {s.n} given sirolimus alone "
            f"(difference {fmt_points(b.difference)} percentage points; 95% CI {fmt_points(ci[0])} to "
            f"{fmt_points(ci[1])}; P = {fmt_num(b.p_value, '.4f')}).")
    if compare:
        text += " Where the publication reports a value, it is shown beside khetrial's."
    return escape(text)


def build_report(bundle: Bundle, results: Results, *, compare_publication: bool | None = None,
                 generated_at: datetime | None = None, source: str | None = None) -> str:
    """The report page as one HTML string, from ``results`` (the analysis plan's or the
    descriptive ones, :func:`khetrial.sap.analyse_or_describe`) and ``bundle`` (flow, previous
    therapies, trajectories). The analysis is never run here."""
    matched = matches_publication(results)
    compare = matched if compare_publication is None else bool(compare_publication or matched)
    when = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    figs = figures_html(bundle, results, compare)
    n = results.n
    subtitle = f"{sum(n.values())} randomized patients ({' / '.join(f'{a} {k}' for a, k in n.items())})"
    if source:
        subtitle += f" · data: {source}"
    badge = "<span class='badge'>publication-matched cohort</span>" if matched else ""
    css = resources.files("khetrial.report").joinpath("report.css").read_text(encoding="utf-8")
    template = Template(resources.files("khetrial.report").joinpath("template.html").read_text(encoding="utf-8"))
    return template.substitute(
        version=escape(__version__), title=escape(TITLE), css=css, badge=badge, subtitle=escape(subtitle),
        lead=_lead(results, compare), consort=consort_html(derive_consort_counts(bundle)),
        table1=baseline_table(results, compare), table2=previous_therapy_table(bundle, results, compare),
        table3=efficacy_table(results, compare, matched), table4=adverse_event_table(results, compare),
        figure2=figs["figure2"], trajectories=figs["trajectories"], forest=figs["forest"], lesion=figs["lesion"],
        design=_design_html(), provenance=_provenance_html(results, when, source), generated_at=when)


def write_report(bundle: Bundle, out: str | Path, results: Results, **options) -> Path:
    """Build the report and write it to ``out`` (folders created); returns the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(bundle, results, **options), encoding="utf-8")
    return out


__all__ = ["build_report", "write_report", "bundle_hash"]
