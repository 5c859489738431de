"""The report's DMC tables (great-tables HTML): sensitivity models, time to response, sites,
exposure, missing data, multiplicity and completeness (``results.monitoring``).

Each table is complete for any results: a part that was not computed (descriptive results) prints
its title and why. ``arm_names`` relabels the arms (a closed DMC report codes them A/B).
"""

from __future__ import annotations

import pandas as pd

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import ARM_LABELS, ARMS
from khetrial.report import published as pub
from khetrial.report.tables import DASH, _gt, fmt_num, fmt_p, fmt_pct, not_estimable_html, reason
from khetrial.sap.monitoring_results import EXPOSURE_MEASURES
from khetrial.sap.results import Results

EXPOSURE_LABELS = {
    "trough_time_in_range": ("Sirolimus trough time in 10–15 ng/mL, % (Rosendaal)", 100.0, ".0f"),
    "dose_intensity": ("Sirolimus dose intensity (mean dose / 1.6 mg/m² per day)", 1.0, ".2f"),
    "prednisolone_weeks": ("Prednisolone duration, weeks (publication: 8.1 (6.0–11.0))", 1.0, ".1f"),
}
CHANGE_LABELS = {"ae_interrupted": "Sirolimus interrupted for an AE (publication: 15 patients)",
                 "ae_dose_reduced": "Sirolimus dose reduced for an AE (publication: 7 patients)",
                 "ae_withdrawn": "Withdrawn for an AE"}


def _names(arm_names: dict[str, str] | None) -> dict[str, str]:
    return dict(arm_names or ARM_LABELS)


def arm_order(arm_names: dict[str, str] | None) -> list[str]:
    """The arms in column order: the plan's (SP, S), or by their coded names (A before B) so
    that a closed report's columns do not give the arms away."""
    return list(ARMS) if arm_names is None else sorted(ARMS, key=lambda arm: arm_names[arm])


def _ci(pair, spec: str = ".1f", scale: float = 1.0) -> str:
    if pair is None or any(v is None for v in pair):
        return DASH
    return f"{fmt_num(scale * pair[0], spec)} to {fmt_num(scale * pair[1], spec)}"


def sensitivity_table(results: Results) -> str:
    title = "Sensitivity analyses of the week-4 platelet change"
    part = results.monitoring.sensitivity if results.monitoring else None
    if part is None:
        return not_estimable_html(title, reason(results, "no mixed model was fitted"))
    rows = []
    for name, m in part.models.items():
        rows.append({"model": m.label + (" — primary" if name == part.primary else ""),
                     "diff": fmt_num(m.difference), "ci": _ci(m.ci95), "se": fmt_num(m.se),
                     "df": (m.df_method or DASH) if m.df is None else f"{m.df} ({m.df_method})",
                     "n": DASH if m.n_patients is None else f"{m.n_patients} / {m.n_observations}",
                     "note": m.note or ""})
    published = pub.PUBLISHED_MIXED_MODEL
    note = (f"Difference SP − S in platelet change from baseline at week 4, ×10⁹/L. Publication: "
            f"{published[0]} (95% CI {published[1][0]} to {published[1][1]}), from a model it names only "
            "as a generalized linear mixed model. A random intercept assumes one variance at every week; "
            "when the variance grows over the weeks its interval is too narrow, which the unstructured "
            "MMRM does not assume (project choice: both shown, the plan's model stays primary).")
    return _gt(pd.DataFrame(rows), title, "Primary model named; the others are sensitivity analyses", note,
               labels={"model": "Model", "diff": "Difference", "ci": "95% CI", "se": "SE",
                       "df": "Degrees of freedom", "n": "Patients / values", "note": "Note"})


def time_to_response_table(results: Results, arm_names: dict[str, str] | None = None) -> str:
    title = "Time to durable platelet response (Kaplan–Meier)"
    part = results.monitoring.time_to_response if results.monitoring else None
    if part is None or not part.arms:
        return not_estimable_html(title, reason(results, "no time to response was derived"))
    names = _names(arm_names)
    rows = [{"arm": names[arm], "n": str(a.n), "events": str(a.events), "median": fmt_num(a.median, ".0f"),
             "ci": _ci(a.median_ci95, ".0f")} for arm in arm_order(arm_names) if (a := part.arms.get(arm))]
    note = (f"Days from randomization to the first day of the first durable run (≥ 100 ×10⁹/L for 28 days); "
            f"censored at the last platelet count before censoring. Median with its 95% CI (lifelines; "
            f"R survfit log-log). Log-rank χ² {fmt_num(part.logrank_chi2, '.2f')}, P = {fmt_p(part.p_value)}. "
            "The publication reports no time to response (project choice).")
    return _gt(pd.DataFrame(rows), title, "Publication: prednisolone \u201ccould accelerate the time\u201d to remission",
               note, labels={"arm": "Arm", "n": "Patients", "events": "Responses", "median": "Median (days)",
                             "ci": "95% CI"})


def by_site_table(results: Results, arm_names: dict[str, str] | None = None) -> str:
    title = "Primary endpoint by site"
    part = results.monitoring.by_site if results.monitoring else None
    if part is None or not part.sites:
        return not_estimable_html(title, reason(results, "no site"))
    names = _names(arm_names)
    rows = [{"site": site, "sp": fmt_pct(r.arms[SP].events, r.arms[SP].n), "s": fmt_pct(r.arms[S].events, r.arms[S].n),
             "diff": DASH if r.difference is None else fmt_num(100 * r.difference),
             "ci": _ci(r.ci95, ".1f", 100.0)} for site, r in part.sites.items()]
    mh = part.mantel_haenszel
    if mh:
        rows.append({"site": "Mantel–Haenszel (stratified by site)", "sp": "", "s": "",
                     "diff": fmt_num(100 * mh["difference"]), "ci": _ci(mh["ci95"], ".1f", 100.0)})
        note = (f"Durable platelet response at week 4, difference SP − S in percentage points (Newcombe per site). "
                f"Mantel–Haenszel difference with Sato's variance; CMH χ² {fmt_num(mh['cmh_chi2'], '.2f')}, "
                f"P = {fmt_p(mh['p_value'])} (R mantelhaen.test, correct = FALSE). Randomization was "
                "stratified by site (project choice: MH over sites).")
    else:
        note = "No site has patients in both arms: the stratified difference is not estimable."
    return _gt(pd.DataFrame(rows), title, "Randomization was in permuted blocks per site", note,
               labels={"site": "Site", "sp": names[SP], "s": names[S], "diff": "Difference, points",
                       "ci": "95% CI"})


def exposure_table(results: Results, arm_names: dict[str, str] | None = None) -> str:
    title = "Drug exposure and treatment changes"
    part = results.monitoring.exposure if results.monitoring else None
    if part is None:
        return not_estimable_html(title, reason(results, "no exposure was derived"))
    names = _names(arm_names)
    rows = []
    for measure in EXPOSURE_MEASURES:
        label, scale, spec = EXPOSURE_LABELS[measure]
        row = {"item": label}
        for arm in arm_order(arm_names):
            m = part[arm].measures[measure]
            row[arm] = DASH if not m.n else (f"{fmt_num(scale * m.median, spec)} ({fmt_num(scale * m.q1, spec)}–"
                                             f"{fmt_num(scale * m.q3, spec)}), n = {m.n}")
        rows.append(row)
    for change, label in CHANGE_LABELS.items():
        rows.append({"item": label, **{arm: fmt_pct(part[arm].changes[change], part[arm].n)
                                       for arm in arm_order(arm_names)}})
    note = ("Median (interquartile range). Time in range by linear interpolation between troughs (Rosendaal "
            "1993); dose intensity time-weighted over the prescribed courses; prednisolone from its first "
            "start to the end of courses chained by gaps ≤ 7 days; treatment changes from the actions of "
            "treatment-emergent adverse events (project choices; khetrial.endpoints.exposure).")
    return _gt(pd.DataFrame(rows), title, "Per arm", note, labels={"item": "", **names})


def missing_data_table(results: Results, arm_names: dict[str, str] | None = None) -> str:
    title = "Missing data: observed cases and tipping point of the primary"
    part = results.monitoring.missing_data if results.monitoring else None
    if part is None or results.primary is None:
        return not_estimable_html(title, reason(results, "no primary endpoint"))
    names = _names(arm_names)
    primary = results.primary
    rows = [{"analysis": "Plan (ITT, unobserved = non-responder)",
             **{arm: fmt_pct(primary.arms[arm].events, primary.arms[arm].n) for arm in ARMS},
             "diff": DASH if primary.difference is None else fmt_num(100 * primary.difference),
             "p": fmt_p(primary.p_value)},
            {"analysis": "Observed cases",
             **{arm: fmt_pct(part.observed[arm]["events"], part.observed[arm]["n"]) for arm in ARMS},
             "diff": DASH if part.observed_difference is None else fmt_num(100 * part.observed_difference),
             "p": fmt_p(part.observed_p)}]
    m1, m2 = part.imputed
    if part.tipping:
        tips = "; ".join(f"{i} of {m1} in {names[SP]} and {j} of {m2} in {names[S]}" for i, j in part.tipping[:5])
        verdict = f"The conclusion at α = {part.alpha} changes when these imputed children respond: {tips}."
    else:
        verdict = (f"No combination of responses among the {m1} + {m2} imputed children changes the "
                   f"conclusion at α = {part.alpha}.")
    note = (f"Imputed: children without a week-4 response censored before the week-4 window closed "
            f"({m1} in {names[SP]}, {m2} in {names[S]}; project choice). {verdict} Fisher's exact P.")
    return _gt(pd.DataFrame(rows), title, "Durable platelet response at week 4", note,
               labels={"analysis": "Analysis", SP: names[SP], S: names[S], "diff": "Difference, points",
                       "p": "P"})


def multiplicity_table(results: Results) -> str:
    title = "Secondary endpoints: unadjusted and Holm-adjusted P"
    part = results.monitoring.multiplicity if results.monitoring else None
    if not part:
        return not_estimable_html(title, reason(results, "no secondary endpoint was compared"))
    rows = [{"endpoint": pub.ENDPOINT_LABELS.get(e, e), "p": fmt_p(v["p_value"]), "holm": fmt_p(v["holm_p_value"])}
            for e, v in part.items()]
    note = ("The publication tests each secondary endpoint at 2-sided α = 0.05 without adjustment; the "
            "unadjusted P are the plan's. The Holm-adjusted column (Holm 1979, R p.adjust 'holm') over the "
            f"{len(part)} secondary binary endpoints is an extra (project choice).")
    return _gt(pd.DataFrame(rows), title, "Fisher's exact test", note,
               labels={"endpoint": "Endpoint", "p": "P (plan)", "holm": "P, Holm-adjusted (extra)"})


def completeness_table(results: Results, arm_names: dict[str, str] | None = None, interim: bool = False) -> str:
    title = "Follow-up completeness at the data cut-off"
    part = results.monitoring.completeness if results.monitoring else None
    if part is None:
        return not_estimable_html(title, reason(results, "no cut-off"))
    names = _names(arm_names)
    rows = []
    for endpoint, arms in part.endpoints.items():
        row = {"endpoint": pub.ENDPOINT_LABELS.get(endpoint, endpoint)}
        for arm in arm_order(arm_names):
            cell = arms[arm]
            row[arm] = f"{cell['evaluable']}/{cell['n']} evaluable"
            if interim and endpoint in results.binary:  # events are always evaluable
                events = results.binary[endpoint].arms[arm].events
                row[arm] = (f"{events}/{cell['evaluable']} with the event; "
                            f"{cell['n'] - cell['evaluable']} not yet evaluable")
        rows.append(row)
    note = (f"Evaluable: the endpoint's window had closed by {part.cutoff}, or the event had already happened "
            "(project choice, khetrial.endpoints.completeness). A child whose window is still open is "
            "\u201cnot yet evaluable\u201d and is left out of an interim denominator; the final analysis keeps the "
            "plan's ITT rule.")
    return _gt(pd.DataFrame(rows), title, f"Data cut-off {part.cutoff}", note,
               labels={"endpoint": "Endpoint", **names})


__all__ = ["arm_order", "sensitivity_table", "time_to_response_table", "by_site_table", "exposure_table",
           "missing_data_table", "multiplicity_table", "completeness_table"]
