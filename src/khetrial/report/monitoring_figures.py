"""The report's DMC figures (plotly): Kaplan–Meier curves of the time to durable platelet
response and a forest plot of the primary endpoint by site.

Axis labels are wrapped short so that the figures stay readable on a 390 px phone screen.
"""

from __future__ import annotations

import plotly.graph_objects as go

from khetrial.constants import ARM_LABELS
from khetrial.report.figures import ARM_COLORS, _empty_message, _layout
from khetrial.report.monitoring import arm_order
from khetrial.sap.results import Results

KM_LAST_DAY = 120


def km_figure(results: Results, arm_names: dict[str, str] | None = None):
    """Proportion with a durable platelet response over days since randomization, per arm."""
    names = dict(arm_names or ARM_LABELS)
    part = results.monitoring.time_to_response if results.monitoring else None
    fig = go.Figure()
    for arm in (arm_order(arm_names) if part else ()):
        curve = part.arms.get(arm)
        if curve is None:
            continue
        xs = [0.0, *curve.times]
        ys = [0.0, *(1.0 - s for s in curve.survival)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(shape="hv", color=ARM_COLORS[arm], width=2),
                                 name=f"{names[arm]} (n = {curve.n})"))
    if part is None or not part.arms:
        _empty_message(fig, "Not estimable: " + (results.not_estimable or "no time to response"))
    fig.update_xaxes(title="Days since randomization", range=[0, KM_LAST_DAY])
    fig.update_yaxes(title="Responded (cumulative)", range=[0, 1.02], tickformat=".0%")
    fig = _layout(fig, "Time to durable response (KM)", height=420)
    fig.update_layout(margin=dict(l=60, r=10, t=90),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0))
    return fig


def site_forest_figure(results: Results):
    """Primary endpoint difference (percentage points, 95 % CI) per site and stratified."""
    part = results.monitoring.by_site if results.monitoring else None
    rows = []
    if part is not None:
        rows = [(f"{site} (n = {sum(a.n for a in r.arms.values())})", r.difference, r.ci95)
                for site, r in part.sites.items() if r.difference is not None and r.ci95 is not None]
        if part.mantel_haenszel:
            mh = part.mantel_haenszel
            rows.append(("Stratified (MH)", mh["difference"], tuple(mh["ci95"])))
    rows = rows[::-1]
    fig = go.Figure(go.Scatter(
        x=[100 * d for _, d, _ in rows], y=[label for label, _, _ in rows], mode="markers",
        marker=dict(size=9, symbol="square", color="#1f4e79"), showlegend=False,
        error_x=dict(type="data", symmetric=False, array=[100 * (ci[1] - d) for _, d, ci in rows],
                     arrayminus=[100 * (d - ci[0]) for _, d, ci in rows], width=4)))
    fig.add_vline(x=0, line=dict(color="#444", width=1))
    if not rows:
        _empty_message(fig, "Not estimable: " + (results.not_estimable or "no site with both arms"))
    fig.update_xaxes(title="SP − S, points (95% CI)")
    fig.update_yaxes(automargin=True)
    fig = _layout(fig, "Primary endpoint by site", height=max(300, 60 + 45 * len(rows)))
    fig.update_layout(margin=dict(l=10, r=10))
    return fig


__all__ = ["km_figure", "site_forest_figure"]
