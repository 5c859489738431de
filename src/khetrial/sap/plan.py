"""The statistical analysis plan as code: a bundle in, typed :class:`Results` out.

:func:`analyse` derives every endpoint (:mod:`khetrial.endpoints`) and reports them exactly as
``docs/analysis-plan.md`` says ("Machine-readable results"): patients per arm, every
binary endpoint (events and N per arm, the experimental − control difference with its Newcombe
95 % interval and Fisher's p), transfusions, the platelet mixed model, adverse events; plus
extras (weekly platelet quartiles, baseline table, lesion categories, sequelae assessed,
censoring), the per-protocol sensitivity analysis (:mod:`khetrial.sap.per_protocol`) and
provenance.

:func:`describe` gives the descriptive part only, for a bundle whose arms cannot be compared
(an arm without patients: a trial that has just started, one centre's extract); every
comparison is left empty and ``not_estimable`` says why. :func:`analyse_or_describe` picks one.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from khetrial.bundle.model import Bundle
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL, ARMS, RESPONSE_WEEKS
from khetrial.endpoints.adsl import BINARY_ENDPOINTS, AnalysisTables, derive_analysis_tables
from khetrial.endpoints.baseline import derive_baseline_characteristics
from khetrial.endpoints.censoring import REASONS
from khetrial.endpoints.lesion import LESION_CATEGORIES
from khetrial.errors import AnalysisError, KhetrialError
from khetrial.sap.monitoring import monitor
from khetrial.sap.per_protocol import per_protocol_result
from khetrial.sap.provenance import provenance
from khetrial.sap.results import (
    AdverseEventArm,
    AdverseEvents,
    AdverseEventTerm,
    ArmProportion,
    BinaryResult,
    MixedModelEstimate,
    Results,
    TermArm,
    TransfusionArm,
    TransfusionResult,
    number,
)
from khetrial.sap.summaries import compare_continuous, summarise_baseline, summarise_platelet_weeks
from khetrial.stats import diff_proportions, fisher_exact, platelet_mixed_model

NO_PATIENTS = "no patient has been randomized yet (patients.csv has no rows)"
"""The reason given by :func:`analyse_or_describe` for a bundle without patients."""


def analyse(bundle: Bundle, run_at: datetime | None = None, cutoff: date | None = None) -> Results:
    """The results of the analysis plan for ``bundle`` (see the module docstring), with the
    DMC's analyses (:mod:`khetrial.sap.monitoring`) after them.

    ``run_at`` is the time recorded in ``provenance`` (default: now, UTC); ``cutoff`` the data
    cut-off date of an interim look (completeness; default: the bundle's last date).

    Raises:
        AnalysisError: an arm without patients, or tables that lack the plan's columns.
    """
    tables = derive_analysis_tables(bundle)
    adsl = tables.adsl
    n = {arm: int((adsl["arm"] == arm).sum()) for arm in ARMS}
    empty = [arm for arm in ARMS if n[arm] == 0]
    if empty:
        got = ", ".join(sorted(set(adsl["arm"].dropna().astype(str)))) or "none"
        raise AnalysisError(f"patients.csv: no patient in arm {' and '.join(empty)} (arms found: "
                            f"{got}); expected both arms {ARM_EXPERIMENTAL} and {ARM_CONTROL}")
    characteristics = derive_baseline_characteristics(bundle.patients, bundle.labs, bundle.medications,
                                                      tables.measurements)
    binary = {endpoint: binary_result(adsl, endpoint, n) for endpoint in BINARY_ENDPOINTS}
    model_data = mixed_model_data(tables.platelet_weeks)
    mixed = mixed_model_result(model_data)
    return Results(
        n=n,
        binary=binary,
        transfusions=transfusion_result(adsl),
        mixed_model=mixed,
        adverse_events=adverse_event_result(tables, n),
        platelets_weekly=summarise_platelet_weeks(tables.platelet_weeks),
        lesion_categories={arm: {c: int(((adsl["arm"] == arm) & (adsl["lesion_category_m12"] == c)).sum())
                                 for c in LESION_CATEGORIES} for arm in ARMS},
        sequelae_assessed={arm: int(adsl.loc[adsl["arm"] == arm, "sequelae_assessed_m24"].sum()) for arm in ARMS},
        censoring={arm: {r: int(((adsl["arm"] == arm) & (adsl["censoring_reason"] == r)).fillna(False).sum())
                         for r in REASONS} for arm in ARMS},
        baseline=summarise_baseline(characteristics),
        provenance=provenance(bundle, run_at),
        monitoring=monitor(bundle, tables, mixed, model_data, {e: r.p_value for e, r in binary.items()}, cutoff),
        per_protocol=per_protocol_result(bundle, tables, binary_result, tables.measurements.get("platelets")),
    )


def describe(bundle: Bundle, reason: str, run_at: datetime | None = None) -> Results:
    """Descriptive results: patients per arm, baseline table and weekly platelet quartiles
    filled in; every comparison empty; ``not_estimable`` = ``reason``."""
    arms = bundle.patients["arm"].astype("string")
    n = {arm: int((arms == arm).fillna(False).sum()) for arm in ARMS}
    weekly, baseline = {}, None
    if len(bundle.patients):
        weekly = summarise_platelet_weeks(derive_analysis_tables(bundle).platelet_weeks)
        baseline = summarise_baseline(
            derive_baseline_characteristics(bundle.patients, bundle.labs, bundle.medications))
    return Results(n=n, platelets_weekly=weekly, baseline=baseline, not_estimable=reason,
                   provenance=provenance(bundle, run_at))


def analyse_or_describe(bundle: Bundle, run_at: datetime | None = None, cutoff: date | None = None) -> Results:
    """:func:`analyse`; or, when the arms cannot be compared (no patients, an empty arm), the
    descriptive results with the reason."""
    if len(bundle.patients) == 0:
        return describe(bundle, NO_PATIENTS, run_at)
    try:
        return analyse(bundle, run_at, cutoff)
    except AnalysisError as error:
        return describe(bundle, str(error), run_at)


def binary_result(adsl: pd.DataFrame, endpoint: str, n: dict[str, int]) -> BinaryResult:
    """One binary endpoint: events, N, proportion and percentage per arm (sequelae: also the
    number assessed), difference (SP − S), Newcombe 95 % interval, Fisher's p."""
    events = {arm: int(adsl.loc[adsl["arm"] == arm, endpoint].sum()) for arm in ARMS}
    result = diff_proportions(events[ARM_EXPERIMENTAL], n[ARM_EXPERIMENTAL],
                              events[ARM_CONTROL], n[ARM_CONTROL], method="newcombe")
    assessed = {arm: None for arm in ARMS}
    if endpoint == "sequelae_m24":  # SAP: "also report the number assessed"
        assessed = {arm: int(adsl.loc[adsl["arm"] == arm, "sequelae_assessed_m24"].sum()) for arm in ARMS}
    arms = {arm: ArmProportion(events=events[arm], n=n[arm], proportion=events[arm] / n[arm],
                               percent=100 * events[arm] / n[arm], assessed=assessed[arm]) for arm in ARMS}
    return BinaryResult(arms=arms, difference=number(result.difference),
                        ci95=(number(result.lower), number(result.upper)), p_value=number(result.p_value))


def transfusion_result(adsl: pd.DataFrame) -> TransfusionResult:
    """Transfusions on days 0…365: mean and median per arm, Mann-Whitney p."""
    counts = {arm: adsl.loc[adsl["arm"] == arm, "transfusions_m12"].astype("float64") for arm in ARMS}
    arms = {arm: TransfusionArm(mean=number(counts[arm].mean()), median=number(counts[arm].median()),
                                total=int(counts[arm].sum()), patients=int((counts[arm] > 0).sum()))
            for arm in ARMS}
    return TransfusionResult(arms=arms, p_value=compare_continuous(counts[ARM_EXPERIMENTAL], counts[ARM_CONTROL]))


def mixed_model_data(platelet_weeks: pd.DataFrame) -> pd.DataFrame:
    """Long ``patient_id, arm, week, change, baseline`` for weeks 1…4: the non-missing week
    values of the patients with a baseline value (SAP "Platelet counts over weeks 0–4")."""
    baseline = platelet_weeks[platelet_weeks["week"] == 0].set_index("patient_id")["value"]
    later = platelet_weeks[platelet_weeks["week"].isin(RESPONSE_WEEKS) & platelet_weeks["value"].notna()]
    later = later[later["patient_id"].isin(baseline.index)]
    base = later["patient_id"].map(baseline).to_numpy(dtype="float64")
    return pd.DataFrame({"patient_id": later["patient_id"].to_numpy(), "arm": later["arm"].to_numpy(),
                         "week": later["week"].to_numpy(dtype="int64"),
                         "change": later["value"].to_numpy(dtype="float64") - base, "baseline": base})


def mixed_model_result(model_data: pd.DataFrame) -> MixedModelEstimate:
    """SP − S difference in platelet change at week 4 from the mixed model on ``model_data``
    (:func:`mixed_model_data`), with its Wald 95 % interval; no estimate and a ``note`` when the
    model cannot be fitted on these data."""
    try:
        fit = platelet_mixed_model(model_data)
    except KhetrialError as error:
        return MixedModelEstimate(difference=None, ci95=None, note=str(error))
    return MixedModelEstimate(difference=number(fit.difference), ci95=(number(fit.lower), number(fit.upper)),
                              se=number(fit.se), week=int(fit.week), n_patients=int(fit.n_patients),
                              n_observations=int(fit.n_observations), converged=bool(fit.converged))


def adverse_event_result(tables: AnalysisTables, n: dict[str, int]) -> AdverseEvents:
    """Per arm: events, events per patient, patients with ≥ 1 event, grade ≥ 3 events and
    patients; events per patient compared by Mann-Whitney; per CTCAE term, patients with the
    event (any grade, grade ≥ 3) and Fisher's p."""
    adsl = tables.adsl
    arms, per_patient = {}, {}
    for arm in ARMS:
        rows = adsl[adsl["arm"] == arm]
        per_patient[arm] = rows["ae_events"].astype("float64")
        arms[arm] = AdverseEventArm(events=int(rows["ae_events"].sum()),
                                    per_patient=float(rows["ae_events"].sum()) / n[arm],
                                    patients=int((rows["ae_events"] > 0).sum()),
                                    grade3plus_events=int(rows["ae_grade3plus_events"].sum()),
                                    grade3plus_patients=int((rows["ae_grade3plus_events"] > 0).sum()))
    by_patient = adsl.set_index("patient_id")["arm"]
    terms = tables.ae_terms.assign(arm=tables.ae_terms["patient_id"].map(by_patient))
    out = {}
    for term, rows in terms.groupby("term", sort=True):
        counts = {arm: TermArm(patients=int((rows["arm"] == arm).sum()),
                               grade3plus_patients=int(((rows["arm"] == arm) & (rows["grade3plus"] == 1)).sum()))
                  for arm in ARMS}
        sp, s = counts[ARM_EXPERIMENTAL], counts[ARM_CONTROL]
        out[str(term)] = AdverseEventTerm(
            arms=counts,
            p_value=fisher_exact(sp.patients, n[ARM_EXPERIMENTAL], s.patients, n[ARM_CONTROL]),
            grade3plus_p_value=fisher_exact(sp.grade3plus_patients, n[ARM_EXPERIMENTAL],
                                            s.grade3plus_patients, n[ARM_CONTROL]))
    return AdverseEvents(arms=arms, p_value=compare_continuous(per_patient[ARM_EXPERIMENTAL],
                                                               per_patient[ARM_CONTROL]), terms=out)


def adsl_for_csv(adsl: pd.DataFrame) -> pd.DataFrame:
    """The ADSL as written to ``adsl.csv``: empty cells for missing values, 0/1 integers."""
    out = adsl.copy()
    out["lesion_category_m12"] = out["lesion_category_m12"].astype("string")
    return out.replace({np.nan: None})
