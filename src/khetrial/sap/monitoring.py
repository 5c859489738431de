"""What a DMC and a reviewer ask beyond the plan: sensitivity models, time to response, sites,
exposure, missing data, multiplicity and completeness (:class:`Monitoring`).

:func:`monitor` derives them from a bundle with the tested functions of :mod:`khetrial.stats` and
:mod:`khetrial.endpoints`; nothing here changes a result of the plan. Choices (project choice,
documented in the report):

- **Imputed patients** (missing-data analyses): primary non-responders censored before the
  primary's window closed (censoring day < the close day of
  :data:`khetrial.endpoints.completeness.CLOSE_DAYS`): their failure is the plan's imputation,
  not an observation.
- **Multiplicity**: the family is every binary endpoint but the primary, Holm's method.
- **Data cut-off**: the ``cutoff`` given (an interim look), else the last date recorded in the
  bundle.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from khetrial.bundle.model import Bundle
from khetrial.constants import ALPHA, ARM_CONTROL, ARM_EXPERIMENTAL, ARMS
from khetrial.endpoints.adsl import BINARY_ENDPOINTS, PRIMARY_ENDPOINT, AnalysisTables
from khetrial.endpoints.completeness import CLOSE_DAYS, derive_evaluable, summarise_completeness
from khetrial.endpoints.exposure import (
    derive_dose_intensity,
    derive_prednisolone_duration,
    derive_treatment_changes,
    derive_trough_time_in_range,
)
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.time_to_response import derive_time_to_response
from khetrial.errors import KhetrialError
from khetrial.sap.monitoring_results import (
    EXPOSURE_MEASURES,
    TREATMENT_CHANGE_COLUMNS,
    BySite,
    Completeness,
    Counts,
    ExposureArm,
    MissingData,
    ModelEstimate,
    Monitoring,
    Sensitivity,
    SiteResult,
    Spread,
    SurvivalArm,
    TimeToResponse,
)
from khetrial.sap.results import MixedModelEstimate, number
from khetrial.stats import diff_proportions
from khetrial.stats.multiplicity import holm
from khetrial.stats.sensitivity import ANCOVA, MMRM, platelet_ancova, platelet_mmrm
from khetrial.stats.strata import mantel_haenszel_difference
from khetrial.stats.survival import time_to_event
from khetrial.stats.tipping import tipping_point

PRIMARY_MODEL = "random_intercept"
MODEL_LABELS = {
    PRIMARY_MODEL: "Random-intercept mixed model (plan's primary; lme4 lmer, Wald z interval)",
    MMRM: "MMRM, unstructured covariance over weeks 1–4 (REML; nlme::gls corSymm + varIdent)",
    ANCOVA: "ANCOVA of the week-4 change on arm and baseline (lm)",
}


def data_cutoff(bundle: Bundle) -> date | None:
    """The last date recorded in any ``date`` column of the bundle (``None`` without one)."""
    latest = None
    for frame in bundle.tables.values():
        if "date" in frame.columns and len(frame):
            value = pd.to_datetime(frame["date"], errors="coerce").max()
            if not pd.isna(value) and (latest is None or value > latest):
                latest = value
    return None if latest is None else latest.date()


def sensitivity_result(primary: MixedModelEstimate, model_data: pd.DataFrame) -> Sensitivity:
    """The plan's mixed model beside the MMRM and the ANCOVA (a model that cannot be fitted
    carries the reason in ``note``)."""
    models = {PRIMARY_MODEL: ModelEstimate(
        label=MODEL_LABELS[PRIMARY_MODEL], difference=primary.difference, ci95=primary.ci95, se=primary.se,
        df=None, df_method="none (normal quantile)", n_patients=primary.n_patients,
        n_observations=primary.n_observations, note=primary.note)}
    for name, fit in ((MMRM, platelet_mmrm), (ANCOVA, platelet_ancova)):
        try:
            r = fit(model_data)
        except KhetrialError as error:
            models[name] = ModelEstimate(label=MODEL_LABELS[name], difference=None, ci95=None, note=str(error))
            continue
        models[name] = ModelEstimate(label=MODEL_LABELS[name], difference=number(r.difference),
                                     ci95=(number(r.lower), number(r.upper)), se=number(r.se), df=int(r.df),
                                     df_method=r.df_method, n_patients=int(r.n_patients),
                                     n_observations=int(r.n_observations))
    return Sensitivity(primary=PRIMARY_MODEL, models=models)


def time_to_response_result(patients: pd.DataFrame, platelets: pd.DataFrame, adsl: pd.DataFrame) -> TimeToResponse:
    """Kaplan–Meier of the time to durable platelet response per arm, and the log-rank test
    (``platelets``: :func:`derive_lab_measurements`; the ADSL gives the censoring day)."""
    censoring = adsl[["patient_id", "censoring_day"]].assign(
        censoring_day=pd.to_numeric(adsl["censoring_day"], errors="coerce").astype("float64"))
    fit = time_to_event(derive_time_to_response(platelets, patients, censoring))
    arms = {arm: SurvivalArm(n=c.n, events=c.events, median=c.median,
                             median_ci95=(c.median_lower, c.median_upper), times=c.times, survival=c.survival)
            for arm, c in fit.curves.items()}
    return TimeToResponse(arms=arms, logrank_chi2=fit.logrank_statistic, p_value=fit.p_value)


def _counts(rows: pd.DataFrame, endpoint: str) -> dict[str, Counts]:
    return {arm: Counts(events=int(rows.loc[rows["arm"] == arm, endpoint].sum()),
                        n=int((rows["arm"] == arm).sum())) for arm in ARMS}


def by_site_result(adsl: pd.DataFrame, patients: pd.DataFrame) -> BySite:
    """The primary per site (Newcombe difference) and the site-stratified MH difference + CMH."""
    sites = adsl["patient_id"].astype("string").map(
        patients.set_index(patients["patient_id"].astype("string"))["site_id"].astype("string"))
    out, tables = {}, {}
    for site in sorted(sites.dropna().unique()):
        counts = _counts(adsl[(sites == site).to_numpy()], PRIMARY_ENDPOINT)
        sp, s = counts[ARM_EXPERIMENTAL], counts[ARM_CONTROL]
        tables[str(site)] = (sp.events, sp.n, s.events, s.n)
        difference = ci = None
        if sp.n and s.n:
            r = diff_proportions(sp.events, sp.n, s.events, s.n, method="newcombe")
            difference, ci = number(r.difference), (number(r.lower), number(r.upper))
        out[str(site)] = SiteResult(arms=counts, difference=difference, ci95=ci)
    try:
        mh = mantel_haenszel_difference(tables).to_dict()
    except KhetrialError:
        mh = None
    return BySite(sites=out, mantel_haenszel=mh)


def spread(values) -> Spread:
    """Median, quartiles and range of the finite values."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    x = x[np.isfinite(x)]
    if not len(x):
        return Spread(n=0)
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    return Spread(n=int(len(x)), median=float(median), q1=float(q1), q3=float(q3), min=float(x.min()),
                  max=float(x.max()))


def _last_day(platelets: pd.DataFrame) -> pd.Series:
    """Each patient's last study day with a laboratory value (by patient id)."""
    return platelets.groupby(platelets["patient_id"].astype("string"))["day"].max().astype("float64")


def exposure_result(bundle: Bundle, adsl: pd.DataFrame, events: pd.DataFrame,
                    platelets: pd.DataFrame) -> dict[str, ExposureArm]:
    """Per arm: trough time in range, dose intensity, prednisolone weeks, treatment changes."""
    patients = bundle.patients
    frame = adsl[["patient_id", "arm"]].assign(patient_id=adsl["patient_id"].astype("string"))
    for part in (derive_trough_time_in_range(bundle.drug_levels, patients),
                 derive_dose_intensity(bundle.medications, patients, _last_day(platelets)),
                 derive_prednisolone_duration(bundle.medications, patients),
                 derive_treatment_changes(events, patients)):
        frame = frame.merge(part.assign(patient_id=part["patient_id"].astype("string")), on="patient_id",
                            how="left")
    out = {}
    for arm in ARMS:
        rows = frame[frame["arm"] == arm]
        out[arm] = ExposureArm(n=len(rows), measures={m: spread(rows[m]) for m in EXPOSURE_MEASURES},
                               changes={c: int(rows[c].fillna(0).sum()) for c in TREATMENT_CHANGE_COLUMNS})
    return out


def missing_data_result(adsl: pd.DataFrame) -> MissingData:
    """Observed-case analysis and tipping points of the primary (imputed: see module docstring)."""
    endpoint = PRIMARY_ENDPOINT
    censored = pd.to_numeric(adsl["censoring_day"], errors="coerce").astype("float64")
    imputed = ((adsl[endpoint] != 1) & (censored < CLOSE_DAYS[endpoint])).fillna(False).to_numpy()
    counts = _counts(adsl, endpoint)
    m = {arm: int((imputed & (adsl["arm"] == arm).to_numpy()).sum()) for arm in ARMS}
    sp, s = counts[ARM_EXPERIMENTAL], counts[ARM_CONTROL]
    grid = tipping_point(sp.events, sp.n, m[ARM_EXPERIMENTAL], s.events, s.n, m[ARM_CONTROL], ALPHA)
    observed = {arm: {"events": counts[arm].events, "n": counts[arm].n - m[arm]} for arm in ARMS}
    return MissingData(endpoint=endpoint, observed=observed, observed_difference=number(grid.observed_difference),
                       observed_p=number(grid.observed_p), imputed=(m[ARM_EXPERIMENTAL], m[ARM_CONTROL]),
                       tipping=grid.tipping, alpha=ALPHA)


def multiplicity_result(p_values: dict[str, float | None]) -> dict[str, dict[str, float | None]]:
    """Per secondary binary endpoint: ``p_value`` (the plan's Fisher p) and ``holm_p_value``."""
    family = {e: p for e, p in p_values.items() if e != PRIMARY_ENDPOINT}
    adjusted = holm(family)
    return {e: {"p_value": p, "holm_p_value": adjusted[e]} for e, p in family.items()}


def completeness_result(adsl: pd.DataFrame, patients: pd.DataFrame, cutoff: date | None) -> Completeness | None:
    """Per binary endpoint and arm: evaluable / randomized at ``cutoff``."""
    if cutoff is None:
        return None
    summary = summarise_completeness(derive_evaluable(adsl, patients, cutoff), ARMS)
    return Completeness(cutoff=cutoff.isoformat(), endpoints={e: summary[e] for e in BINARY_ENDPOINTS})


def monitor(bundle: Bundle, tables: AnalysisTables, mixed: MixedModelEstimate, model_data: pd.DataFrame,
            p_values: dict[str, float | None], cutoff: date | None = None) -> Monitoring:
    """Every DMC analysis of ``bundle`` (see the module docstring)."""
    adsl = tables.adsl
    platelets = tables.measurements.get("platelets")
    if platelets is None:
        platelets = derive_lab_measurements(bundle.labs, bundle.patients, "platelets")
    return Monitoring(
        sensitivity=sensitivity_result(mixed, model_data),
        time_to_response=time_to_response_result(bundle.patients, platelets, adsl),
        by_site=by_site_result(adsl, bundle.patients),
        exposure=exposure_result(bundle, adsl, tables.adverse_events, platelets),
        missing_data=missing_data_result(adsl),
        multiplicity=multiplicity_result(p_values),
        completeness=completeness_result(adsl, bundle.patients, cutoff or data_cutoff(bundle)))
