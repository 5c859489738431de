"""The report's per-protocol sensitivity analysis (``results.per_protocol``): who is in the set,
why the others are not (counts per arm and reason), and the durable platelet response on it
beside the plan's ITT primary. Shown in the "Sensitivity" section, labelled as a sensitivity
analysis; the plan's ITT results stay the primary ones.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import ARM_LABELS, ARMS, PER_PROTOCOL_FOLLOW_UP_DAY, PER_PROTOCOL_START_DAYS
from khetrial.report.tables import _gt, fmt_diff, fmt_p, fmt_pct, not_estimable_html, reason
from khetrial.sap.results import BinaryResult, Results

TITLE = "Sensitivity analysis: the per-protocol population"
FIRST, LAST = PER_PROTOCOL_START_DAYS
REASON_LABELS = {
    "no_sirolimus": f"No sirolimus on days {FIRST}–{LAST}",
    "no_prednisolone": f"{ARM_LABELS[SP]} arm: no prednisolone on days {FIRST}–{LAST}",
    "prednisolone_in_control": f"{ARM_LABELS[S]} arm: prednisolone on days {FIRST}–{LAST} (the other arm's drug)",
    "discontinued_early": f"Stopped for a reason other than failure before the primary was known (day {PER_PROTOCOL_FOLLOW_UP_DAY})",
    "insufficient_follow_up": f"Not followed to day {PER_PROTOCOL_FOLLOW_UP_DAY} (no response, no failure)",
}
DEFINITION = (f"Per-protocol population (project choice; docs/analysis-plan.md): randomized children who took the "
              f"allocated treatment in the first week (sirolimus, and prednisolone in the {ARM_LABELS[SP]} arm only, "
              f"running on a day of {FIRST}–{LAST}) and whose primary outcome was observed: a response, a failure "
              f"(other KHE therapy, rescue or reintroduced prednisolone, stopped for lack of efficacy or "
              f"progression) or a platelet count on day {PER_PROTOCOL_FOLLOW_UP_DAY} or later. Failures stay in "
              "the set as non-responders. Each excluded child is counted under the first reason that applies.")


def _population_table(results: Results) -> str:
    pp = results.per_protocol
    rows = [{"item": "Randomized (ITT)", **{arm: str(results.n[arm]) for arm in ARMS}}]
    reasons = list(pp.excluded[ARMS[0]])  # khetrial.endpoints.populations.PER_PROTOCOL_REASONS, in order
    rows += [{"item": f"Excluded: {REASON_LABELS.get(r, r)}", **{arm: str(pp.excluded[arm].get(r, 0)) for arm in ARMS}}
             for r in reasons]
    rows.append({"item": "Per-protocol population", **{arm: str(pp.n[arm]) for arm in ARMS}})
    note = DEFINITION
    if not any(sum(pp.excluded[arm].values()) for arm in ARMS):
        note += " No child is excluded: here the per-protocol population is the ITT population."
    return _gt(pd.DataFrame(rows), "Per-protocol population", "Children per arm", note,
               labels={"item": "", **{arm: ARM_LABELS[arm] for arm in ARMS}})


def _row(label: str, result: BinaryResult) -> dict:
    return {"analysis": label, **{arm: fmt_pct(result.arms[arm].events, result.arms[arm].n) for arm in ARMS},
            "diff": fmt_diff(result.difference, result.ci95), "p": fmt_p(result.p_value)}


def _result_table(results: Results) -> str:
    pp = results.per_protocol
    rows = [_row("Week 4, ITT (the plan's primary analysis)", results.primary)]
    rows += [_row(f"Week {endpoint.rsplit('wk', 1)[1]}, per protocol", result)
             for endpoint, result in pp.binary.items()]
    note = ("Sensitivity analysis: the plan's rules (durable run, censoring, Newcombe 95% CI, Fisher's exact P) "
            "with the per-protocol population as denominator; the ITT analysis is the primary one. Only the "
            "platelet endpoints of weeks 1–4 are repeated: the population's follow-up rule settles exactly these.")
    return _gt(pd.DataFrame(rows), "Durable platelet response, per protocol",
               "Labelled sensitivity analysis beside the plan's ITT primary", note,
               labels={"analysis": "Analysis", SP: ARM_LABELS[SP], S: ARM_LABELS[S],
                       "diff": "Difference, points (95% CI)", "p": "P"})


def per_protocol_html(results: Results) -> str:
    """The per-protocol tables (or the reason they cannot be shown), in one ``div#per-protocol``."""
    pp = results.per_protocol
    if pp is None or results.primary is None:
        body = not_estimable_html(TITLE, reason(results, "no per-protocol analysis in these results"))
    elif pp.note is not None:
        body = _population_table(results) + not_estimable_html(TITLE, pp.note)
    else:
        body = _population_table(results) + _result_table(results)
    return f"<div id='per-protocol'><h3 class='section-label'>{escape(TITLE)}</h3>{body}</div>"


__all__ = ["per_protocol_html", "REASON_LABELS"]
