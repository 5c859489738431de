"""The report's tables (great-tables HTML): baseline, previous therapies, efficacy, adverse events.

Every cell accepts a missing value (``None``, NaN, ``pd.NA``: an arm without values, results read
back from results.json) and prints "–"; a table without any row prints its title and why.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd
from great_tables import GT, loc, style

from khetrial.bundle.model import Bundle
from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import ARM_LABELS, PRIMARY_WEEK
from khetrial.report import published as pub
from khetrial.sap.results import Results
from khetrial.simulate.parameters import CUMULATIVE_RESPONDERS
from khetrial.stats.rounding import percent

NBSP = "\u00a0"
DASH = "–"
NOT_ESTIMABLE = "not estimable"


def is_missing(value) -> bool:
    """``None``, ``pd.NA``, NaN or ±inf (what an empty arm or results.json's ``null`` give)."""
    if value is None or value is pd.NA:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def fmt_num(value, spec: str = ".1f") -> str:
    """``value`` formatted with ``spec``, or "–" when missing."""
    return DASH if is_missing(value) else format(float(value), spec)


def fmt_p(p) -> str:
    if is_missing(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_pct(events: int, n: int) -> str:
    """``n/N (p%)`` with the publication's rounding (khetrial.stats.rounding)."""
    if is_missing(events) or is_missing(n):
        return DASH
    return f"{int(events)}/{int(n)} ({percent(events / n)}%)" if n else f"{int(events)}/0"


def fmt_points(fraction) -> str:
    """A fraction as percentage points with the publication's rounding, or "–"."""
    return DASH if is_missing(fraction) else str(percent(fraction))


def fmt_diff(diff, ci) -> str:
    if is_missing(diff) or ci is None or len(ci) != 2 or any(is_missing(c) for c in ci):
        return DASH if is_missing(diff) else f"{percent(diff)} ({NOT_ESTIMABLE})"
    return f"{percent(diff)} ({percent(ci[0])} to {percent(ci[1])})"


def not_estimable_html(title: str, reason: str) -> str:
    """A table that cannot be filled: its title and the reason, in the tables' style."""
    return (f"<div class='table-placeholder'><h3 class='table-title'>{escape(title)}</h3>"
            f"<p class='note'>Not estimable: {escape(reason)}</p></div>")


def _gt(frame: pd.DataFrame, title: str, subtitle: str, note: str, spanners: dict | None = None,
        labels: dict | None = None) -> str:
    table = GT(frame).tab_header(title=title, subtitle=subtitle)
    for label, columns in (spanners or {}).items():
        table = table.tab_spanner(label=label, columns=columns)
    if labels:
        table = table.cols_label(**labels)
    table = table.tab_source_note(note).tab_style(style=style.text(weight="bold"),
                                                  locations=loc.column_labels())
    table = table.opt_table_font(font=["Georgia", "Times New Roman", "serif"]).opt_stylize(style=1, color="gray")
    return table.as_raw_html(inline_css=False)


def arm_header(results: Results, arm: str) -> str:
    return f"{ARM_LABELS[arm]} (n = {results.n[arm]})"


def reason(results: Results, default: str) -> str:
    """Why a part of the results is empty: the analysis's reason when it gave one."""
    return results.not_estimable or default


def week2_choice_note() -> str:
    """What the publication-matched cohort chose for week 2, which the publication does not print."""
    sp, s = CUMULATIVE_RESPONDERS[SP][1], CUMULATIVE_RESPONDERS[S][1]
    return (f"Week 2 is not in the publication's text: the publication-matched cohort uses khetrial's choice, "
            f"{sp} vs {s} durable responders, between the published weeks 1 and 3 (khetrial.simulate.parameters).")


def efficacy_table(results: Results, compare: bool, matched: bool = False) -> str:
    """Table 3: every binary endpoint, then transfusions and the mixed model (``matched``: the
    data are the publication-matched cohort, whose week-2 counts are a stated choice)."""
    title = "Table 3. Efficacy outcomes"
    if not results.binary:
        return not_estimable_html(title, reason(results, "the analysis gave no binary endpoint"))
    rows = []
    notes = []
    for endpoint, r in results.binary.items():
        sp, s = r.arms[SP], r.arms[S]
        row = {"Endpoint": pub.ENDPOINT_LABELS.get(endpoint, endpoint),
               "sp": fmt_pct(sp.events, sp.n), "s": fmt_pct(s.events, s.n),
               "diff": fmt_diff(r.difference, r.ci95), "p": fmt_p(r.p_value)}
        if compare:
            row.update(_published_binary(endpoint))
        rows.append(row)
    t = results.transfusions
    if t is not None:
        def mean_median(arm):
            return f"{fmt_num(t.arms[arm].mean)}; {fmt_num(t.arms[arm].median, 'g')}"

        row = {"Endpoint": "Transfusions per patient, months 0-12 (mean; median)",
               "sp": mean_median(SP), "s": mean_median(S),
               "diff": "Mann-Whitney U", "p": fmt_p(t.p_value)}
        if compare:
            row.update({"pub_sp": f"{pub.PUBLISHED_TRANSFUSIONS[SP]}", "pub_s": f"{pub.PUBLISHED_TRANSFUSIONS[S]}",
                        "pub_diff": f"P = {pub.PUBLISHED_TRANSFUSIONS['p_value']}"})
        rows.append(row)
    m = results.mixed_model
    if m is not None:
        ci = m.ci95 or (None, None)
        if is_missing(m.difference):
            diff = NOT_ESTIMABLE
            notes.append(f"Mixed model not estimable: {m.note or 'no estimate on these data'}.")
        else:
            diff = f"{fmt_num(m.difference)} ({fmt_num(ci[0])} to {fmt_num(ci[1])})"
        row = {"Endpoint": f"Platelet change to week {m.week or PRIMARY_WEEK}, mixed model (×10⁹/L)", "sp": "", "s": "",
               "diff": diff, "p": DASH}
        if compare:
            d, (lo, hi) = pub.PUBLISHED_MIXED_MODEL
            row.update({"pub_sp": "", "pub_s": "", "pub_diff": f"{d:.1f} ({lo:.1f} to {hi:.1f})"})
        rows.append(row)
    frame = pd.DataFrame(rows)
    labels = {"sp": arm_header(results, SP), "s": arm_header(results, S),
              "diff": "Difference, % (95% CI)", "p": "P"}
    spanners = {"khetrial": ["sp", "s", "diff", "p"]}
    if compare:
        labels.update({"pub_sp": "SP", "pub_s": "S", "pub_diff": "Difference (95% CI)"})
        spanners["Publication"] = ["pub_sp", "pub_s", "pub_diff"]
    note = ("Differences are experimental − control (SP − S) with Newcombe's hybrid score interval; "
            "P from Fisher's exact test. Intention to treat; censored or missing = non-response. "
            "The publication printed rebound, sequelae and lack of efficacy as S − SP; they are shown "
            "here with the sign turned. "
            + (week2_choice_note() if matched else "Week 2 is not in the publication's text."))
    note = " ".join([note, *notes])
    return _gt(frame, title, "Intention-to-treat population", note, spanners, labels)


def _published_binary(endpoint: str) -> dict:
    entry = pub.PUBLISHED_BINARY.get(endpoint)
    if entry is None or entry[0] is None:
        return {"pub_sp": "not published", "pub_s": "", "pub_diff": ""}
    sp, s, diff, ci, sign, _ = entry
    out = {"pub_sp": fmt_pct(sp, pub.PUBLISHED_N[SP]), "pub_s": fmt_pct(s, pub.PUBLISHED_N[S]), "pub_diff": "–"}
    if diff is not None:
        lo, hi = (sign * ci[0], sign * ci[1]) if sign > 0 else (sign * ci[1], sign * ci[0])
        out["pub_diff"] = f"{sign * diff:.1f} ({lo:.1f} to {hi:.1f})"
    return out


def baseline_table(results: Results, compare: bool) -> str:
    """Table 1 from the analysis's baseline summaries."""
    title = "Table 1. Baseline characteristics"
    base = results.baseline
    if base is None or not (base.continuous or base.categorical):
        return not_estimable_html(title, reason(results, "the analysis gave no baseline summaries"))
    rows = []
    names = {"age_months": "Age at randomization, months", "kmp_duration_months": "Duration of KMP, months",
             "platelets_baseline": "Platelets, ×10⁹/L", "fibrinogen_baseline": "Fibrinogen, g/L",
             "d_dimer_baseline": "D-dimer, µg/mL", "hemoglobin_baseline": "Hemoglobin, g/L"}
    published = {"age_months": f"mean {pub.PUBLISHED_BASELINE['age_mean_months']} (range 0.3-25.0), all patients",
                 "kmp_duration_months": f"mean {pub.PUBLISHED_BASELINE['kmp_duration_mean_months']} (range 0.0-17.5), all patients"}
    for key, c in base.continuous.items():
        def cell(arm):
            d = c.arms[arm]
            if is_missing(d.median):
                return DASH
            if key in ("age_months", "kmp_duration_months"):
                return (f"mean {fmt_num(d.mean)} (range {fmt_num(d.min)}-{fmt_num(d.max)}); "
                        f"median {fmt_num(d.median)}")
            return f"median {fmt_num(d.median, '.4g')} (IQR {fmt_num(d.q1, '.4g')}-{fmt_num(d.q3, '.4g')})"
        row = {"Characteristic": names.get(key, key), "sp": cell(SP), "s": cell(S), "p": fmt_p(c.p_value)}
        if compare:
            row["pub"] = published.get(key, "")
        rows.append(row)
    for key, c in base.categorical.items():
        sp, s = c.counts[SP], c.counts[S]
        levels = [lv for lv in sp if sp[lv] + s[lv] > 0]  # both arms count every level (sap.summaries)
        for k, level in enumerate(levels):
            row = {"Characteristic": f"{key.replace('_', ' ').capitalize()}: {level.replace('_', ' ')}",
                   "sp": fmt_pct(sp[level], results.n[SP]),
                   "s": fmt_pct(s[level], results.n[S]),
                   "p": fmt_p(c.p_value) if k == 0 else ""}
            if compare:
                row["pub"] = {("sex", "F"): f"{pub.PUBLISHED_BASELINE['female']} girls in all",
                              ("previous_khe_therapy", "yes"): f"{pub.PUBLISHED_BASELINE['previous_therapy']} (32.9%) in all"
                              }.get((key, level), "")
            rows.append(row)
    frame = pd.DataFrame(rows)
    labels = {"sp": arm_header(results, SP), "s": arm_header(results, S), "p": "P"}
    if compare:
        labels["pub"] = "Publication"
    note = "Continuous: Mann-Whitney U; categorical: Fisher's exact (2×2) or χ² test."
    if frame.empty:
        return not_estimable_html(title, "no baseline value recorded")
    return _gt(frame, title, "Intention-to-treat population", note, labels=labels)


def previous_therapy_table(bundle: Bundle, results: Results, compare: bool = False) -> str:
    """Table 2: KHE therapies started before randomization, patients per arm."""
    med = bundle.medications.copy()
    pts = bundle.patients[["patient_id", "arm", "randomization_date"]]
    med = med.merge(pts, on="patient_id", how="inner")
    med = med[med["start_date"] < med["randomization_date"]]
    med = med[med["drug"].astype(str).isin(["prednisolone", "other_khe_therapy"])]
    agent = med["agent"].astype("string") if "agent" in med.columns else pd.Series(pd.NA, index=med.index, dtype="string")
    fallback = med["drug"].astype(str).map({"prednisolone": "corticosteroids", "other_khe_therapy": "other KHE therapy"})
    med = med.assign(therapy=agent.fillna(pd.Series(fallback, index=med.index)).astype(str))
    rows = []
    any_prev = med.groupby("arm", observed=True)["patient_id"].nunique()
    rows.append({"Therapy": "At least one previous therapy",
                 "sp": fmt_pct(int(any_prev.get(SP, 0)), results.n[SP]),
                 "s": fmt_pct(int(any_prev.get(S, 0)), results.n[S])})
    counts = med.groupby(["therapy", "arm"], observed=True)["patient_id"].nunique().unstack(fill_value=0)
    order = counts.sum(axis=1).sort_values(ascending=False).index if len(counts) else []
    for therapy in order:
        rows.append({"Therapy": str(therapy).replace("_", " ").capitalize(),
                     "sp": fmt_pct(int(counts.loc[therapy].get(SP, 0)), results.n[SP]),
                     "s": fmt_pct(int(counts.loc[therapy].get(S, 0)), results.n[S])})
    if compare:
        published = {"At least one previous therapy": f"{pub.PUBLISHED_BASELINE['previous_therapy']} (32.9%) in all",
                     "Corticosteroids": "the most common"}
        for row in rows:
            row["pub"] = published.get(row["Therapy"], "")
    frame = pd.DataFrame(rows)
    labels = {"sp": arm_header(results, SP), "s": arm_header(results, S)}
    if compare:
        labels["pub"] = "Publication"
    note = ("Courses in medications.csv that started before randomization. Pub.: \"Twenty-four (32.9%) patients "
            "had been treated previously ... The most common previous therapy in all patients was corticosteroids\".")
    return _gt(frame, "Table 2. Previous therapies for KHE", "Patients per arm", note, labels=labels)


def adverse_event_table(results: Results, compare: bool) -> str:
    """Table 4: patients with each CTCAE term, any grade and grade ≥ 3."""
    title = "Table 4. Adverse events"
    ae = results.adverse_events
    if ae is None:
        return not_estimable_html(title, reason(results, "the analysis gave no adverse-event summary"))
    n = results.n
    sp, s = ae.arms[SP], ae.arms[S]

    def count(value) -> str:
        return DASH if is_missing(value) else str(int(value))

    def events(arm) -> str:
        return f"{count(arm.events)} ({fmt_num(arm.per_patient)})"

    rows = [{"Term": "Events (per patient)",
             "sp_any": events(sp), "sp_g3": count(sp.grade3plus_events),
             "s_any": events(s), "s_g3": count(s.grade3plus_events),
             "p": fmt_p(ae.p_value)},
            {"Term": "Patients with ≥ 1 event", "sp_any": fmt_pct(sp.patients, n[SP]),
             "sp_g3": fmt_pct(sp.grade3plus_patients, n[SP]),
             "s_any": fmt_pct(s.patients, n[S]), "s_g3": fmt_pct(s.grade3plus_patients, n[S]),
             "p": ""}]
    terms = ae.terms

    def patients(term) -> int:
        return terms[term].arms[SP].patients + terms[term].arms[S].patients

    for term in sorted(terms, key=lambda t: -patients(t)):
        t = terms[term].arms
        rows.append({"Term": term.replace("_", " ").capitalize(),
                     "sp_any": fmt_pct(t[SP].patients, n[SP]), "sp_g3": count(t[SP].grade3plus_patients),
                     "s_any": fmt_pct(t[S].patients, n[S]), "s_g3": count(t[S].grade3plus_patients),
                     "p": fmt_p(terms[term].p_value)})
    if compare:
        published = {
            "Events (per patient)": (f"{pub.PUBLISHED_AE_PER_PATIENT[SP]} vs {pub.PUBLISHED_AE_PER_PATIENT[S]} per patient, "
                                     f"P = {pub.PUBLISHED_AE_PER_PATIENT['p_value']}; {pub.PUBLISHED_GRADE3_EVENTS} grade 3-4 events"),
            "Upper respiratory infection": "among the most common; 7 grade ≥ 3 events",
            "Mucositis oral": "among the most common",
            "Pneumonia": "5 grade ≥ 3 events",
            "Alanine aminotransferase increased": "transaminases > 2 × ULN: 4 vs 2 patients",
        }
        for row in rows:
            row["pub"] = published.get(row["Term"], "")
    frame = pd.DataFrame(rows)
    labels = {"sp_any": "Any grade", "sp_g3": "Grade ≥ 3", "s_any": "Any grade", "s_g3": "Grade ≥ 3", "p": "P"}
    if compare:
        labels["pub"] = "Publication"
    spanners = {arm_header(results, SP): ["sp_any", "sp_g3"], arm_header(results, S): ["s_any", "s_g3"]}
    note = ("CTCAE v4.0 terms; events from day 0 to 30 days after the last sirolimus dose. Events per patient "
            "compared with the Mann-Whitney U test, terms with Fisher's exact test.")
    if compare:
        note += (' Publication: "3.6 events per patient ... vs 3.4 ..., P = .981"; "grade ≥3 upper respiratory '
                 'tract infections (7 events) and pneumonia (5 events)"; "Four patients ... and 2 patients ... '
                 'increases in transaminase concentrations to twice the upper limit of normal".')
    return _gt(frame, title, "Patients with the event (grade ≥ 3: patients)", note, spanners, labels)
