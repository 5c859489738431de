"""Sensitivity analyses of the week-4 platelet change (what a DMC and a reviewer ask for).

The plan's primary model is the random-intercept mixed model (:mod:`khetrial.stats.mixed`).
A random intercept forces one correlation between all weeks and one variance at every week; when
the variance grows over the weeks, its interval is too narrow. Two analyses that do not assume
that, on the same long table of week values (``patient_id, arm, week, change, baseline``):

- :func:`platelet_mmrm` — mixed model for repeated measures: the same fixed effects
  (``change ~ arm * factor(week) + baseline``) with an **unstructured** covariance over weeks 1–4,
  fitted by REML (:func:`khetrial.stats.reml.fit_unstructured`). Degrees of freedom: ``N − p``
  (observations − fixed effects) with a t quantile, as R's ``nlme::gls`` reports its tests; the
  reference is ``gls(…, correlation = corSymm(form = ~ visit | patient_id), weights =
  varIdent(form = ~ 1 | week), method = "REML")``. (SAS users will know Kenward-Roger degrees of
  freedom; with 70 patients the difference is in the third decimal of the quantile.)
- :func:`platelet_ancova` — analysis of covariance of the week-4 change alone:
  ``change ~ arm + baseline`` by least squares with its t interval, as R's ``lm``. It uses only the
  patients with a week-4 value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit

from khetrial.constants import ARM_EXPERIMENTAL, CONFIDENCE_LEVEL, PRIMARY_WEEK, RESPONSE_WEEKS
from khetrial.errors import AnalysisError
from khetrial.stats.mixed import design_matrix, prepare_model_data
from khetrial.stats.reml import fit_unstructured

MMRM = "mmrm_unstructured"
ANCOVA = "ancova_week4"
DF_RESIDUAL = "residual (N − p), t quantile, as nlme::gls and lm"


@dataclass(frozen=True)
class ContrastResult:
    """SP − S difference in the mean platelet change at one week from one model.

    Attributes:
        model: :data:`MMRM` or :data:`ANCOVA`.
        difference, se: the contrast and its standard error (×10⁹/L).
        lower, upper: ``difference ∓ t(df) · se``.
        level: confidence level; df: degrees of freedom; df_method: how they were chosen.
        week, n_patients, n_observations: the week and what the fit used.
        converged: whether the fit's optimiser converged (always true for least squares).
    """

    model: str
    difference: float
    se: float
    lower: float
    upper: float
    level: float
    df: int
    df_method: str
    week: int
    n_patients: int
    n_observations: int
    converged: bool

    def to_dict(self) -> dict:
        """``{"model", "difference", "ci95", "se", "df", "df_method", "week", "n_patients",
        "n_observations", "converged"}``."""
        return {"model": self.model, "difference": self.difference, "ci95": [self.lower, self.upper],
                "se": self.se, "df": self.df, "df_method": self.df_method, "week": self.week,
                "n_patients": self.n_patients, "n_observations": self.n_observations,
                "converged": self.converged}


def _contrast(model: str, difference: float, se: float, df: int, week: int, n_patients: int,
              n_observations: int, converged: bool) -> ContrastResult:
    if not (np.isfinite(difference) and np.isfinite(se)) or df < 1:
        raise AnalysisError(f"{model}: no finite week-{week} contrast on these data "
                            f"({n_observations} values of {n_patients} patients)")
    q = float(stdtrit(df, 0.5 + CONFIDENCE_LEVEL / 2))
    return ContrastResult(model=model, difference=difference, se=se, lower=difference - q * se,
                          upper=difference + q * se, level=CONFIDENCE_LEVEL, df=df,
                          df_method=DF_RESIDUAL, week=week, n_patients=n_patients,
                          n_observations=n_observations, converged=converged)


def platelet_mmrm(data, week: int = PRIMARY_WEEK) -> ContrastResult:
    """The unstructured-covariance MMRM of the platelet change; SP − S at ``week``.

    Args and errors as :func:`khetrial.stats.mixed.platelet_mixed_model`.
    """
    frame = prepare_model_data(data, week)
    design, names = design_matrix(frame)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise AnalysisError("the MMRM cannot be estimated: its design matrix is singular "
                            f"(columns {', '.join(names)})")
    visits = frame["week"].to_numpy() - RESPONSE_WEEKS[0]
    fit = fit_unstructured(frame["change"].to_numpy(float), design, frame["patient_id"].to_numpy(),
                           visits, len(RESPONSE_WEEKS))
    if not fit.converged:
        n_parameters = len(RESPONSE_WEEKS) * (len(RESPONSE_WEEKS) + 1) // 2
        raise AnalysisError(f"the MMRM did not converge ({fit.n_patients} patients, {fit.n_observations} values "
                            f"for {n_parameters} covariance parameters): its REML likelihood has no "
                            "interior maximum on these data, so no estimate is given")
    contrast = np.zeros(len(names))
    contrast[names.index("armSP")] = 1.0
    contrast[names.index(f"armSP:week{week}")] = 1.0
    return _contrast(MMRM, float(contrast @ fit.beta), float(np.sqrt(contrast @ fit.covariance @ contrast)),
                     fit.residual_df, week, fit.n_patients, fit.n_observations, fit.converged)


def platelet_ancova(data, week: int = PRIMARY_WEEK) -> ContrastResult:
    """Least squares of the week-``week`` change on arm and baseline; SP − S with its t interval.

    Args and errors as :func:`khetrial.stats.mixed.platelet_mixed_model`.
    """
    frame = prepare_model_data(data, week)
    rows = frame[frame["week"] == week]
    X = np.column_stack([np.ones(len(rows)), (rows["arm"] == ARM_EXPERIMENTAL).to_numpy(float),
                         rows["baseline"].to_numpy(float)])
    y = rows["change"].to_numpy(float)
    df = len(rows) - X.shape[1]
    if df < 1 or np.linalg.matrix_rank(X) < X.shape[1]:
        raise AnalysisError(f"the week-{week} ANCOVA cannot be estimated on {len(rows)} patients: "
                            "it needs patients of both arms with different baseline values")
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    residual = y - X @ beta
    sigma2 = float(residual @ residual) / df
    covariance = sigma2 * np.linalg.inv(X.T @ X)
    return _contrast(ANCOVA, float(beta[1]), float(np.sqrt(covariance[1, 1])), df, week,
                     len(rows), len(rows), True)
