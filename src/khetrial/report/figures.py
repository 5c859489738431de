"""The report's figures (plotly, embedded as HTML fragments; plotly.js inline once).

Every figure is drawn whatever the data: a point without a value is left out, and a figure
with nothing to draw says why in its middle (so the page always holds its four figures).
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from khetrial.bundle.model import Bundle
from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import ARM_LABELS, ARMS, PLATELET_RESPONSE_THRESHOLD
from khetrial.report import published as pub
from khetrial.report.tables import is_missing
from khetrial.sap.results import BinaryResult, Results

ARM_COLORS = {SP: "#1f4e79", S: "#c55a11"}
FONT = dict(family="Georgia, 'Times New Roman', serif", size=13, color="#222")
TRAJECTORY_LAST_DAY = 84
LESION_ORDER = ("complete", "nearly_complete", "partial", "no_change", "growth", "not_evaluable")
LESION_COLORS = ("#1a5e20", "#4c9a2a", "#a4cf63", "#d9d9d9", "#e06666", "#999999")


def _layout(fig, title: str, height: int = 420):
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), font=FONT, height=height,
                      template="simple_white", margin=dict(l=60, r=20, t=60, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    return fig


def _minus(a, b):
    """``a - b``, or ``None`` when either is missing (plotly leaves the bar out)."""
    return None if is_missing(a) or is_missing(b) else a - b


def _value(x):
    return None if is_missing(x) else x


def _empty_message(fig, text: str):
    """Write ``text`` in the middle of an empty figure."""
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=14, color="#555"))
    return fig


def figure_html(fig, div_id: str, first: bool) -> str:
    """One figure as a ``<div>``; the first one carries plotly.js inline (no network)."""
    return fig.to_html(full_html=False, include_plotlyjs=True if first else False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg"}})


def weekly_medians_figure(results: Results, compare: bool):
    """Figure 2: median platelet count, weeks 0-4, bars from the first to the third quartile."""
    weekly = results.platelets_weekly
    fig = go.Figure()
    weeks = sorted(weekly)
    for k, arm in enumerate(ARMS):
        cells = [weekly[w][arm] for w in weeks]
        med = [_value(c.median) for c in cells]
        q1 = [_value(c.q1) for c in cells]
        q3 = [_value(c.q3) for c in cells]
        x = [w + (-0.06 if k == 0 else 0.06) for w in weeks]
        fig.add_trace(go.Scatter(
            x=x, y=med, mode="lines+markers", name=ARM_LABELS[arm], line=dict(color=ARM_COLORS[arm], width=2),
            marker=dict(size=8), connectgaps=True,
            error_y=dict(type="data", symmetric=False, array=[_minus(b, m) for m, b in zip(med, q3)],
                         arrayminus=[_minus(m, a) for m, a in zip(med, q1)], width=5)))
        if compare:
            pw = sorted(pub.PUBLISHED_WEEKLY_MEDIANS)
            fig.add_trace(go.Scatter(x=pw, y=[pub.PUBLISHED_WEEKLY_MEDIANS[w][arm] for w in pw], mode="markers",
                                     name=f"Publication, {ARM_LABELS[arm].lower()}",
                                     marker=dict(symbol="x", size=11, color=ARM_COLORS[arm])))
    fig.add_hline(y=PLATELET_RESPONSE_THRESHOLD, line=dict(dash="dot", color="#777"))
    if not any(_value(c.median) is not None for w in weekly.values() for c in w.values()):
        _empty_message(fig, "No platelet count in weeks 0-4")
    fig.update_xaxes(title="Week", tickvals=weeks or list(range(5)))
    fig.update_yaxes(title="Platelet count (×10⁹/L)", rangemode="tozero")
    return _layout(fig, "Figure 2. Median platelet count during the first 4 weeks (bars: quartiles)")


def trajectories_figure(bundle: Bundle):
    """Every patient's platelet counts, days 0-84, one panel per arm, with the 100 ×10⁹/L line."""
    labs = bundle.labs
    plt = labs[labs["test"].astype(str) == "platelets"].dropna(subset=["value"])
    pts = bundle.patients[["patient_id", "arm", "randomization_date"]]
    plt = plt.merge(pts, on="patient_id")
    plt = plt.assign(day=(plt["date"] - plt["randomization_date"]).dt.days)
    plt = plt[(plt["day"] >= 0) & (plt["day"] <= TRAJECTORY_LAST_DAY)]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=[ARM_LABELS[a] for a in ARMS],
                        horizontal_spacing=0.04)
    for col, arm in enumerate(ARMS, start=1):
        sub = plt[plt["arm"].astype(str) == arm]
        xs, ys = [], []
        for _, g in sub.groupby("patient_id", sort=True, observed=True):
            g = g.sort_values("day")
            xs += g["day"].tolist() + [None]
            ys += g["value"].tolist() + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=ARM_COLORS[arm], width=1),
                                 opacity=0.45, name=ARM_LABELS[arm], hoverinfo="skip"), row=1, col=col)
        fig.add_hline(y=PLATELET_RESPONSE_THRESHOLD, line=dict(dash="dash", color="#b00"), row=1, col=col)
    ticks = [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    fig.update_yaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks], minor=dict(showgrid=False))
    fig.update_yaxes(title_text="Platelet count (×10⁹/L, log scale)", row=1, col=1)
    fig.update_xaxes(title_text="Day since randomization")
    fig.update_layout(showlegend=False)
    if plt.empty:
        _empty_message(fig, f"No platelet count on days 0-{TRAJECTORY_LAST_DAY}")
    return _layout(fig, f"Individual platelet trajectories, days 0-{TRAJECTORY_LAST_DAY} "
                        f"(dashed: {PLATELET_RESPONSE_THRESHOLD} ×10⁹/L)", height=440)


def forest_figure(results: Results, compare: bool):
    """Differences (SP − S) with 95 % CIs for every binary endpoint."""
    def estimable(r: BinaryResult) -> bool:
        ci = r.ci95 or ()
        return not is_missing(r.difference) and len(ci) == 2 and not any(is_missing(c) for c in ci)

    items = [(k, r) for k, r in results.binary.items() if estimable(r)][::-1]
    labels = [pub.ENDPOINT_LABELS.get(k, k) for k, _ in items]
    diffs = [100 * r.difference for _, r in items]
    lo = [100 * r.ci95[0] for _, r in items]
    hi = [100 * r.ci95[1] for _, r in items]
    fig = go.Figure(go.Scatter(
        x=diffs, y=labels, mode="markers", name="khetrial", marker=dict(size=9, symbol="square", color="#1f4e79"),
        error_x=dict(type="data", symmetric=False, array=[h - d for d, h in zip(diffs, hi)],
                     arrayminus=[d - low for d, low in zip(diffs, lo)], width=4)))
    if compare:
        px, py = [], []
        for label, (k, _) in zip(labels, items):
            entry = pub.PUBLISHED_BINARY.get(k)
            if entry and entry[2] is not None:
                px.append(entry[4] * entry[2])
                py.append(label)
        fig.add_trace(go.Scatter(x=px, y=py, mode="markers", name="Publication",
                                 marker=dict(size=12, symbol="line-ns-open", color="#c00", line=dict(width=2))))
    fig.add_vline(x=0, line=dict(color="#444", width=1))
    if not items:
        _empty_message(fig, "Not estimable: " + (results.not_estimable or "no difference between the arms"))
    fig.update_xaxes(title="Difference, percentage points (sirolimus + prednisolone − sirolimus), 95% CI")
    fig.update_layout(margin=dict(l=300))
    return _layout(fig, "Differences between the arms", height=480)


def lesion_figure(results: Results):
    """Month-12 lesion response categories per arm (stacked percentages)."""
    cats = results.lesion_categories
    n = results.n
    fig = go.Figure()
    for cat, color in zip(LESION_ORDER, LESION_COLORS):
        counts = [cats[arm][cat] if cats is not None else 0 for arm in ARMS]
        pct = [100 * c / n[arm] if n[arm] else 0 for c, arm in zip(counts, ARMS)]
        fig.add_trace(go.Bar(y=[ARM_LABELS[a] for a in ARMS], x=pct, orientation="h",
                             name=cat.replace("_", " "), marker_color=color,
                             text=[str(c) if c else "" for c in counts], textposition="inside"))
    fig.update_layout(barmode="stack")
    if cats is None:
        _empty_message(fig, "Not estimable: " + (results.not_estimable or "no lesion categories"))
    fig.update_xaxes(title="Patients (%)", range=[0, 100])
    return _layout(fig, "Lesion response at month 12 (MRI volume change)", height=300)


def figures_html(bundle: Bundle, results: Results, compare: bool) -> dict[str, str]:
    """Every figure as an HTML fragment, plotly.js in the first one only."""
    figs = {"figure2": weekly_medians_figure(results, compare),
            "trajectories": trajectories_figure(bundle),
            "forest": forest_figure(results, compare),
            "lesion": lesion_figure(results)}
    return {name: figure_html(fig, f"fig-{name}", first=(k == 0)) for k, (name, fig) in enumerate(figs.items())}


__all__ = ["figures_html", "weekly_medians_figure", "trajectories_figure", "forest_figure", "lesion_figure"]
