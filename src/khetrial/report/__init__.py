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
from khetrial.report.dmc import CLOSED, DMC_KINDS, OPEN, build_closed_report, build_open_report, draw_key, key_json
from khetrial.report.consort import consort_html, derive_consort_counts
from khetrial.report.figures import figure_html, figures_html
from khetrial.report.honesty import publication_check_html, rounding_footnote_html, simulated_banner_html
from khetrial.report.monitoring import (
    by_site_table,
    completeness_table,
    exposure_table,
    missing_data_table,
    multiplicity_table,
    sensitivity_table,
    time_to_response_table,
)
from khetrial.report.monitoring_figures import km_figure, site_forest_figure
from khetrial.report.per_protocol import per_protocol_html
from khetrial.report.published import matches_publication
from khetrial.report.tables import (
    adverse_event_table,
    baseline_table,
    efficacy_table,
    fmt_num,
    fmt_points,
    previous_therapy_table,
)
from khetrial.errors import ConfigurationError
from khetrial.sap.provenance import data_checksum
from khetrial.sap.results import Results
from khetrial.simulate import is_simulated
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


def monitoring_html(results: Results, interim: bool = False) -> dict[str, str]:
    """The DMC sections: tables, the Kaplan–Meier figure and the site forest plot."""
    return {"sensitivity": sensitivity_table(results) + per_protocol_html(results),
            "time_to_response": time_to_response_table(results)
            + f"<div class='figure'>{figure_html(km_figure(results), 'fig-km', first=False)}</div>",
            "by_site": by_site_table(results)
            + f"<div class='figure'>{figure_html(site_forest_figure(results), 'fig-sites', first=False)}</div>",
            "exposure": exposure_table(results), "missing_data": missing_data_table(results),
            "multiplicity": multiplicity_table(results),
            "completeness": completeness_table(results, interim=interim)}


def build_report(bundle: Bundle, results: Results, *, compare_publication: bool | None = None,
                 generated_at: datetime | None = None, source: str | None = None,
                 simulated: bool | None = None, interim: bool = False) -> str:
    """The report page as one HTML string, from ``results`` (the analysis plan's or the
    descriptive ones, :func:`khetrial.sap.analyse_or_describe`) and ``bundle`` (flow, previous
    therapies, trajectories). The analysis is never run here.

    ``simulated``: whether to show the simulated-data banner (default: when the bundle's folder
    holds the simulator's marker); ``interim``: the completeness table shows interim rates.
    """
    simulated = is_simulated(bundle.source) if simulated is None else simulated
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
        design=_design_html(), provenance=_provenance_html(results, when, source), generated_at=when,
        banner=simulated_banner_html(simulated), check=publication_check_html(results, compare, simulated),
        rounding=rounding_footnote_html(), **monitoring_html(results, interim))


def write_report(bundle: Bundle, out: str | Path, results: Results, **options) -> Path:
    """Build the report and write it to ``out`` (folders created); returns the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(bundle, results, **options), encoding="utf-8")
    return out


def write_dmc_report(bundle: Bundle, out: str | Path, results: Results, kind: str, *,
                     key_path: str | Path | None = None, key: dict[str, str] | None = None,
                     simulated: bool | None = None) -> tuple[Path, Path | None]:
    """Write the ``kind`` ("open" or "closed") DMC report to ``out``; a closed report's A/B key
    (``key``, default drawn at random) goes to ``key_path`` (default: ``out`` with ``.key.json``).
    Returns the report's path and the key's (``None`` for an open report)."""
    if kind not in DMC_KINDS:
        raise ConfigurationError(f"--dmc: got {kind!r}; expected one of {', '.join(DMC_KINDS)}")
    simulated = is_simulated(bundle.source) if simulated is None else simulated
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == OPEN:
        out.write_text(build_open_report(results, simulated=simulated), encoding="utf-8")
        return out, None
    key = key or draw_key()
    key_path = Path(key_path) if key_path is not None else out.with_suffix(".key.json")
    if key_path.resolve() == out.resolve():
        raise ConfigurationError(f"--key: got the report's own path {out}; the key must be a separate file")
    out.write_text(build_closed_report(results, key, simulated=simulated), encoding="utf-8")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_text(key_json(key, results) + "\n", encoding="utf-8")
    return out, key_path


__all__ = ["build_report", "write_report", "write_dmc_report", "bundle_hash", "CLOSED", "OPEN"]
