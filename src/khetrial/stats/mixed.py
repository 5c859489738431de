"""The platelet linear mixed model (analysis plan, "Platelet counts over weeks 0–4").

``change ~ arm * C(week) + baseline``, a random intercept per patient, fitted by REML with
statsmodels' ``MixedLM``. The reference implementation is R's
``lmer(change ~ arm * factor(week) + baseline + (1 | patient_id))`` (lme4), with arm ``S`` and
week 1 the reference levels. The reported contrast is experimental (SP) − control (S) at week
4: the arm main effect plus the arm × week-4 interaction, with a Wald interval from the fixed
effects' covariance matrix and z = 1.959964 (lme4's ``confint(method = "Wald")``).

The design matrix is built here column by column (treatment coding) rather than from a formula
string, so the contrast does not depend on a formula engine's naming of terms.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.regression.mixed_linear_model import MixedLM

from khetrial.errors import AnalysisError
from khetrial.constants import (
    ARM_CONTROL,
    ARM_EXPERIMENTAL,
    ARMS,
    CONFIDENCE_LEVEL,
    PRIMARY_WEEK,
    RESPONSE_WEEKS,
    WALD_Z_975,
)
from khetrial.stats.results import MixedModelResult

REQUIRED_COLUMNS = ("patient_id", "arm", "week", "change", "baseline")
"""Columns :func:`platelet_mixed_model` needs, one row per patient and week."""

_FALLBACK_OPTIMIZERS = ("bfgs", "powell", "nm")
REFERENCE_WEEK = RESPONSE_WEEKS[0]  # week 1, the reference level of factor(week) in R


def platelet_mixed_model(data, week: int = PRIMARY_WEEK) -> MixedModelResult:
    """Fit the plan's platelet mixed model and return SP − S at ``week`` (default 4).

    Args:
        data: a long pandas DataFrame with the columns :data:`REQUIRED_COLUMNS`:
            ``patient_id``, ``arm`` (``"SP"``/``"S"``), ``week`` (1…4), ``change`` (week value −
            baseline, ×10⁹/L) and ``baseline`` (baseline platelets, ×10⁹/L). Rows with a
            missing ``change`` or ``baseline`` are left out (the plan fits "the non-missing week
            values of patients with a baseline value"). The input is not modified.
        week: the week of the contrast, one of 2, 3, 4.

    Returns:
        :class:`MixedModelResult` with the difference, its SE, the Wald 95 % interval and the
        numbers of patients and observations used.

    Raises:
        AnalysisError: missing columns, an arm other than SP/S, a week outside 1…4, a patient
            in two arms, or too few data to estimate the contrast (an arm without values at
            week 1 or at ``week``, or a singular design).
    """
    frame = _prepared(data, week)
    design, names = _design(frame)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise AnalysisError(
            "the platelet mixed model cannot be estimated: its design matrix is singular "
            f"(columns {', '.join(names)}); every arm needs values at every week and baseline "
            "values must vary")
    fit = _fit(frame["change"].to_numpy(dtype=float), design, frame["patient_id"].to_numpy())
    contrast = np.zeros(len(names))
    contrast[names.index("armSP")] = 1.0
    contrast[names.index(f"armSP:week{week}")] = 1.0
    beta = np.asarray(fit.fe_params, dtype=float)
    covariance = np.asarray(fit.cov_params(), dtype=float)[: len(names), : len(names)]
    difference = float(contrast @ beta)
    se = float(np.sqrt(contrast @ covariance @ contrast))
    if not (np.isfinite(difference) and np.isfinite(se)):
        raise AnalysisError(
            f"the platelet mixed model gave no finite week-{week} contrast on these data "
            f"({len(frame)} week values of {frame['patient_id'].nunique()} patients); it needs "
            "several patients per arm with values at several weeks")
    return MixedModelResult(
        difference=difference, se=se, lower=difference - WALD_Z_975 * se,
        upper=difference + WALD_Z_975 * se, level=CONFIDENCE_LEVEL, week=week,
        n_patients=int(frame["patient_id"].nunique()), n_observations=len(frame),
        converged=bool(fit.converged))


def _prepared(data, week: int):
    """Checked copy of the rows the model uses, sorted by patient and week."""
    if week not in RESPONSE_WEEKS or week == REFERENCE_WEEK:
        raise AnalysisError(f"the contrast week must be one of {RESPONSE_WEEKS[1:]}, got {week!r}")
    missing = [c for c in REQUIRED_COLUMNS if c not in getattr(data, "columns", ())]
    if missing:
        raise AnalysisError(f"platelet mixed model: the data lack the column(s) {', '.join(missing)}; "
                            f"expected a long table with {', '.join(REQUIRED_COLUMNS)}")
    frame = data.loc[:, list(REQUIRED_COLUMNS)].copy()
    for column in ("change", "baseline"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame.dropna(subset=["change", "baseline"])
    arms = {str(a) for a in frame["arm"].unique()}
    if not arms <= {ARM_EXPERIMENTAL, ARM_CONTROL}:
        raise AnalysisError(f"platelet mixed model: got arm(s) {sorted(arms - set(ARMS))}; "
                            f"expected {ARM_EXPERIMENTAL!r} or {ARM_CONTROL!r}")
    week_numbers = pd.to_numeric(frame["week"], errors="coerce")
    bad_weeks = frame.loc[~week_numbers.isin(RESPONSE_WEEKS), "week"]
    if len(bad_weeks):
        raise AnalysisError(f"platelet mixed model: got week(s) "
                            f"{sorted({str(w) for w in bad_weeks})}; expected weeks {RESPONSE_WEEKS}")
    frame["week"] = week_numbers.astype(int)
    two_arms = frame.groupby("patient_id")["arm"].nunique()
    if (two_arms > 1).any():
        raise AnalysisError(f"platelet mixed model: patient(s) {list(two_arms[two_arms > 1].index)} "
                            "appear in both arms; each patient belongs to one arm")
    for arm in (ARM_EXPERIMENTAL, ARM_CONTROL):
        for needed in (REFERENCE_WEEK, week):
            if not ((frame["arm"] == arm) & (frame["week"] == needed)).any():
                raise AnalysisError(
                    f"platelet mixed model: arm {arm} has no change value at week {needed}; "
                    f"the week-{week} contrast needs both arms at weeks {REFERENCE_WEEK} and {week}")
    return frame.sort_values(["patient_id", "week"], kind="stable").reset_index(drop=True)


def _design(frame):
    """Treatment-coded fixed-effects design, columns in lme4's order:
    intercept, armSP, week2…4, baseline, armSP:week2…4 (weeks absent from the data omitted)."""

    sp = (frame["arm"] == ARM_EXPERIMENTAL).to_numpy(dtype=float)
    weeks = [w for w in RESPONSE_WEEKS[1:] if (frame["week"] == w).any()]
    columns = {"(Intercept)": np.ones(len(frame)), "armSP": sp}
    for w in weeks:
        columns[f"week{w}"] = (frame["week"] == w).to_numpy(dtype=float)
    columns["baseline"] = frame["baseline"].to_numpy(dtype=float)
    for w in weeks:
        columns[f"armSP:week{w}"] = sp * columns[f"week{w}"]
    names = list(columns)
    return np.column_stack([columns[n] for n in names]), names


def _fit(endog, exog, groups):
    """REML fit of a random-intercept model; statsmodels' warnings are not shown.

    When the default optimizer does not converge, :data:`_FALLBACK_OPTIMIZERS` are tried in
    turn; the result says whether the last fit converged.
    """
    try:
        model = MixedLM(endog, exog, groups=groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = model.fit(reml=True)
            for method in _FALLBACK_OPTIMIZERS:
                if fit.converged:
                    break
                fit = model.fit(reml=True, method=method)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as error:
        raise AnalysisError(
            f"the platelet mixed model cannot be fitted on these data ({len(endog)} week values "
            f"of {len(set(groups))} patients): {error}; it needs several patients per arm with "
            "values at several weeks") from error
    return fit
