"""The terminal summary of `khetrial analyse` / `khetrial demo` prints what the publication prints."""

from rich.console import Console

from khetrial.cli.analysis import summary_table
from khetrial.sap.results import ArmProportion, BinaryResult, Provenance, Results
from khetrial.stats import diff_proportions


def _results(x1, n1, x2, n2):
    d = diff_proportions(x1, n1, x2, n2)
    arms = {"SP": ArmProportion(x1, n1, x1 / n1, 100 * x1 / n1), "S": ArmProportion(x2, n2, x2 / n2, 100 * x2 / n2)}
    return Results(n={"SP": n1, "S": n2}, provenance=Provenance("0", {}, "2026-01-01T00:00:00Z"),
                   binary={"durable_platelet_response_wk4": BinaryResult(arms, d.difference, (d.lower, d.upper),
                                                                         d.p_value)})


def test_summary_rounds_as_the_publication_prints():
    # Publication: "difference, 27.9%; 95% CI, 10.0-44.7" for 35/37 vs 24/36; the unrounded
    # lower limit is 0.099454, which plain one-step rounding would print as 9.9.
    console = Console(width=200, record=True)
    console.print(summary_table(_results(35, 37, 24, 36)))
    text = console.export_text()
    assert "27.9" in text
    assert "10.0, 44.7" in text
    assert "9.9," not in text
