"""Commands: ``khetrial stats`` — statistics from counts, without a bundle.

``khetrial stats diff 35/37 24/36`` prints the two proportions, their difference (first −
second) with a confidence interval and the two-sided Fisher exact p.
"""

from __future__ import annotations

import re

import typer

from khetrial.cli.app import app, console
from khetrial.constants import CONFIDENCE_LEVEL

stats_app = typer.Typer(no_args_is_help=True, help="Statistics from counts: differences of proportions, intervals, Fisher's test.")
app.add_typer(stats_app, name="stats", help="Statistics from counts (differences, intervals, Fisher).")

_COUNT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
METHOD_LABELS = {"newcombe": "Newcombe hybrid score", "wald": "Wald",
                 "agresti-caffo": "Agresti-Caffo", "miettinen-nurminen": "Miettinen-Nurminen"}
METHODS = tuple(METHOD_LABELS)
"""The interval methods of :func:`khetrial.stats.diff_proportions` (kept here, not imported, so
that ``khetrial --help`` does not import the statistics and scipy; a test checks they agree)."""


def parse_count(text: str, name: str) -> tuple[int, int]:
    """``"35/37"`` → ``(35, 37)``; anything else is a usage error naming the argument."""
    match = _COUNT.match(text or "")
    if not match:
        raise typer.BadParameter(f"got {text!r}; expected EVENTS/N with whole numbers, e.g. 35/37",
                                 param_hint=name)
    events, n = int(match.group(1)), int(match.group(2))
    if n < 1 or events > n:
        raise typer.BadParameter(f"got {text!r}; expected 0 ≤ EVENTS ≤ N and N ≥ 1, e.g. 35/37",
                                 param_hint=name)
    return events, n


@stats_app.command("diff")
def diff(
    first: str = typer.Argument(..., metavar="FIRST", help="Events/N of the first group (experimental arm), e.g. 35/37."),
    second: str = typer.Argument(..., metavar="SECOND", help="Events/N of the second group (control arm), e.g. 24/36."),
    method: str = typer.Option("newcombe", "--method", "-m", help="Interval method: newcombe (the analysis plan's, Newcombe 1998 method 10), wald, agresti-caffo or miettinen-nurminen."),
    level: float = typer.Option(CONFIDENCE_LEVEL, "--level", help="Confidence level of the interval, strictly between 0 and 1, e.g. 0.95."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (fractions, unrounded) instead of text."),
) -> None:
    """Difference of two proportions (first − second) with its confidence interval and Fisher's p."""
    if method not in METHODS:
        raise typer.BadParameter(f"got {method!r}; expected one of {', '.join(METHODS)}",
                                 param_hint="'--method'")
    if not 0 < level < 1:
        raise typer.BadParameter(f"got {level!r}; expected a number strictly between 0 and 1, "
                                 "e.g. 0.95", param_hint="'--level'")
    x1, n1 = parse_count(first, "'FIRST'")
    x2, n2 = parse_count(second, "'SECOND'")

    import json

    from khetrial.stats import diff_proportions
    from khetrial.stats.rounding import percent

    result = diff_proportions(x1, n1, x2, n2, method=method, level=level)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    label = METHOD_LABELS[method]
    level_pct = f"{level * 100:g}%"
    console.print(f"first:      {x1}/{n1} = {percent(result.proportion1)}%", highlight=False)
    console.print(f"second:     {x2}/{n2} = {percent(result.proportion2)}%", highlight=False)
    console.print(f"difference: {percent(result.difference)}% ({level_pct} CI "
                  f"{percent(result.lower)} to {percent(result.upper)}; {label})", highlight=False)
    console.print(f"Fisher exact p (two-sided) = {result.p_value:.4g}", highlight=False)
