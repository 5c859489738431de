"""Power curves (plotly HTML) for ``khetrial design power --plot``."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from khetrial.design.power import PowerResult, RESULT_KEYS, derive_power_grid

LABELS = {"chi2": "χ² (normal approximation)", "chi2-cc": "χ² with continuity correction",
          "fisher": "Fisher's exact test (exact)"}


def build_power_figure(rows: list[PowerResult], highlight: str = "chi2",
                       mark: PowerResult | None = None, target: float | None = 0.8):
    """A plotly figure of power against control-arm size, one line per method."""
    fig = go.Figure()
    sizes = [r.n_control for r in rows]
    for test, key in RESULT_KEYS.items():
        fig.add_trace(go.Scatter(x=sizes, y=[getattr(r, key) for r in rows], mode="lines",
                                 name=LABELS[test],
                                 line={"width": 3 if test == highlight else 1.5}))
    if mark is not None:
        fig.add_trace(go.Scatter(x=[mark.n_control], y=[getattr(mark, RESULT_KEYS[highlight])],
                                 mode="markers", name=f"n = {mark.n_control}",
                                 marker={"size": 10, "symbol": "x"}))
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", annotation_text=f"{target:.0%}")
    if rows:
        r0 = rows[0]
        title = (f"Power, {r0.p_experimental:.0%} vs {r0.p_control:.0%}, two-sided "
                 f"α = {r0.alpha}")
    else:
        title = "Power"
    fig.update_layout(title=title, xaxis_title="patients in the control arm",
                      yaxis_title="power", yaxis_range=[0, 1], template="plotly_white")
    return fig


def write_power_curve(p_control: float, p_experimental: float, sizes: list[int], alpha: float,
                      ratio: float, path: Path, highlight: str = "chi2",
                      mark: PowerResult | None = None) -> Path:
    """Write the power curve over ``sizes`` to a self-contained HTML file."""
    rows = derive_power_grid(p_control, p_experimental, sizes, alpha, ratio)
    fig = build_power_figure(rows, highlight, mark)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path
