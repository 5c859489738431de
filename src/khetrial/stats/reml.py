"""REML fits of the two linear models of repeated platelet counts, written out in numpy.

Two covariance structures for the repeated measures ``y_i`` (one patient's weeks) given the fixed
effects ``X_i β``:

- **random intercept** (:func:`fit_random_intercept`): ``V_i = σ²(I + γ J)``, ``γ = τ²/σ²``, as
  R's ``lme4::lmer(y ~ X + (1 | patient))``. With ``w_i = γ / (1 + n_i γ)`` every quantity of the
  REML criterion is a sum over patients of their sufficient statistics (``X_iᵀX_i``, the column
  sums ``s_i = X_iᵀ1``, ``X_iᵀy_i``, ``1ᵀy_i``, ``y_iᵀy_i``):

  ``A(γ) = XᵀX − Σ w_i s_i s_iᵀ``, ``b(γ) = Xᵀy − Σ w_i s_i (1ᵀy_i)``,
  ``RSS(γ) = yᵀy − Σ w_i (1ᵀy_i)² − bᵀA⁻¹b``, ``β̂ = A⁻¹b``, ``σ̂² = RSS / (N − p)``,

  and the profiled REML deviance (up to a constant) is
  ``(N − p) log σ̂² + Σ log(1 + n_i γ) + log |A|``, minimised over ``γ ≥ 0`` in one dimension.
  ``Cov(β̂) = σ̂² A⁻¹``. The per-patient sums are formed once, so each evaluation costs
  ``O(m p²)`` for ``m`` patients whatever the number of rows (Pinheiro & Bates, *Mixed-Effects
  Models in S and S-PLUS*, 2000, ch. 2.2; the same profiled criterion as lme4's).
- **unstructured** (:func:`fit_unstructured`): ``V_i`` is the rows and columns of the patient's
  observed visits of one ``T × T`` covariance matrix with ``T(T + 1)/2`` free parameters
  (parameterised by its Cholesky factor with log-diagonal), as R's
  ``nlme::gls(y ~ X, correlation = corSymm(form = ~ visit | patient), weights =
  varIdent(form = ~ 1 | visit), method = "REML")``, the "MMRM" of trial statistics. Patients are
  grouped by their pattern of observed visits and each pattern keeps only its sums of cross
  products, so an evaluation costs a few small matrix products per pattern.

Both return a :class:`ReMLFit`. Inputs are numpy arrays; nothing here knows about arms or weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from khetrial.errors import AnalysisError

GAMMA_UPPER = 1e8
"""Upper bound of the variance ratio τ²/σ² searched (a patient variance 10⁸ times the residual
one is, for these data, indistinguishable from a fixed patient effect)."""


@dataclass(frozen=True)
class ReMLFit:
    """A REML fit of a linear model with correlated errors.

    Attributes:
        beta: fixed effects, in the columns' order of the design.
        covariance: their covariance matrix (model-based).
        residual_variance: σ² (random intercept) or the mean of the diagonal of the unstructured
            matrix.
        patient_variance: τ² of the random intercept; ``None`` for the unstructured fit.
        visit_covariance: the unstructured ``T × T`` matrix; ``None`` for the random intercept.
        deviance: −2 × the restricted log-likelihood at the optimum (with its constant).
        n_observations, n_patients, n_parameters: N, m, p.
        converged: whether the optimiser reported success.
    """

    beta: np.ndarray
    covariance: np.ndarray
    residual_variance: float
    patient_variance: float | None
    visit_covariance: np.ndarray | None
    deviance: float
    n_observations: int
    n_patients: int
    n_parameters: int
    converged: bool

    @property
    def residual_df(self) -> int:
        """``N − p``: the residual degrees of freedom (nlme's for ``gls`` t tests)."""
        return self.n_observations - self.n_parameters


def _check(y: np.ndarray, X: np.ndarray, groups: np.ndarray) -> None:
    if X.ndim != 2 or len(y) != X.shape[0] or len(groups) != len(y):
        raise AnalysisError(f"REML fit: got {len(y)} responses, a design of shape {X.shape} and "
                            f"{len(groups)} group labels; expected one design row and one label "
                            "per response")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise AnalysisError("REML fit: the responses and the design must be finite numbers; "
                            "leave rows with missing values out before fitting")
    if len(y) <= X.shape[1] or np.linalg.matrix_rank(X) < X.shape[1]:
        raise AnalysisError(f"REML fit: the design ({X.shape[0]} rows, {X.shape[1]} columns) is "
                            "singular or has no residual degrees of freedom")


def patient_sums(y: np.ndarray, X: np.ndarray, groups: np.ndarray):
    """Per-patient sufficient statistics: ``(n_i, S, t, XtX, Xty, yty)`` where row ``i`` of
    ``S`` is ``X_iᵀ1`` and ``t_i = 1ᵀy_i``."""
    _, index, n = np.unique(groups, return_inverse=True, return_counts=True)
    m, p = len(n), X.shape[1]
    S = np.zeros((m, p))
    np.add.at(S, index, X)
    t = np.bincount(index, weights=y, minlength=m)
    return n.astype(float), S, t, X.T @ X, X.T @ y, float(y @ y)


def _intercept_terms(gamma, n, S, t, XtX, Xty, yty):
    w = gamma / (1.0 + n * gamma)
    A = XtX - (S * w[:, None]).T @ S
    b = Xty - S.T @ (w * t)
    chol = np.linalg.cholesky(A)
    beta = np.linalg.solve(A, b)
    rss = yty - float(w @ (t * t)) - float(b @ beta)
    return A, chol, beta, rss


def fit_random_intercept(y, X, groups) -> ReMLFit:
    """REML fit of ``y = Xβ + b_patient + ε`` with ``b ~ N(0, τ²)``, ``ε ~ N(0, σ²)``.

    Args:
        y: responses (N,); X: fixed-effects design (N, p) of full column rank; groups: a patient
            label per row (N,). Rows need not be sorted.

    Raises:
        AnalysisError: shapes that do not match, non-finite values, or a singular design.
    """
    y, X, groups = np.asarray(y, float), np.asarray(X, float), np.asarray(groups)
    _check(y, X, groups)
    sums = patient_sums(y, X, groups)
    n = sums[0]
    N, p = len(y), X.shape[1]

    def deviance(log_gamma: float) -> float:
        gamma = float(np.exp(log_gamma))
        _, chol, _, rss = _intercept_terms(gamma, *sums)
        if rss <= 0:
            return np.inf
        return ((N - p) * np.log(rss / (N - p)) + float(np.log1p(n * gamma).sum())
                + 2.0 * float(np.log(np.diag(chol)).sum()))

    # γ = 0 (no patient variance) is on the boundary, as lme4 allows; search log γ, then compare.
    found = optimize.minimize_scalar(deviance, bounds=(-25.0, np.log(GAMMA_UPPER)), method="bounded",
                                     options={"xatol": 1e-10, "maxiter": 500})
    boundary = ((N - p) * np.log(_intercept_terms(0.0, *sums)[3] / (N - p))
                + 2.0 * float(np.log(np.diag(_intercept_terms(0.0, *sums)[1])).sum()))
    gamma = 0.0 if boundary <= found.fun else float(np.exp(found.x))
    A, _, beta, rss = _intercept_terms(gamma, *sums)
    sigma2 = rss / (N - p)
    return ReMLFit(beta=beta, covariance=sigma2 * np.linalg.inv(A), residual_variance=sigma2,
                   patient_variance=gamma * sigma2, visit_covariance=None,
                   deviance=_intercept_deviance_constant(N, p) + min(boundary, float(found.fun)),
                   n_observations=N, n_patients=len(n), n_parameters=p,
                   converged=bool(found.success) or boundary <= found.fun)


def _intercept_deviance_constant(N: int, p: int) -> float:
    """The terms of −2 log L_REML that do not depend on the parameters, given σ² profiled out."""
    return (N - p) * (1.0 + np.log(2.0 * np.pi))


def _cholesky_factor(theta: np.ndarray, T: int) -> np.ndarray:
    """The lower-triangular ``L`` (Σ = LLᵀ) from its entries in ``np.tril_indices`` order, the
    diagonal ones as logarithms (so Σ stays positive definite without constraints)."""
    L = np.zeros((T, T))
    L[np.tril_indices(T)] = theta
    L[np.diag_indices(T)] = np.exp(np.diag(L))
    return L


def fit_unstructured(y, X, groups, visits, n_visits: int) -> ReMLFit:
    """REML fit of ``y = Xβ + ε`` with an unstructured covariance of ε over ``n_visits`` visits.

    Args:
        y, X, groups: as :func:`fit_random_intercept`.
        visits: the visit index of each row, integers ``0 … n_visits − 1``; a patient has at most
            one row per visit.
        n_visits: ``T``, the number of visits.

    Raises:
        AnalysisError: as :func:`fit_random_intercept`, a visit index outside ``0…T−1``, two
            rows of one patient at one visit, or data without residual variance.
    """
    y, X, groups = np.asarray(y, float), np.asarray(X, float), np.asarray(groups)
    visits = np.asarray(visits, int)
    _check(y, X, groups)
    if visits.shape != y.shape or visits.min() < 0 or visits.max() >= n_visits:
        raise AnalysisError(f"MMRM fit: visit indices must be 0…{n_visits - 1}, one per response")
    labels, index = np.unique(groups, return_inverse=True)
    if len(np.unique(index * n_visits + visits)) != len(y):
        raise AnalysisError("MMRM fit: a patient has two rows at one visit; expected at most one")
    T, N, p = n_visits, len(y), X.shape[1]
    # Each patient's rows as a dense T-vector and T×p block, with a mask of the visits observed.
    Y = np.zeros((len(labels), T))
    XX = np.zeros((len(labels), T, p))
    mask = np.zeros((len(labels), T), bool)
    Y[index, visits] = y
    XX[index, visits] = X
    mask[index, visits] = True
    patterns, pattern_of = np.unique(mask, axis=0, return_inverse=True)
    pattern_of = pattern_of.ravel()
    # Sufficient statistics per pattern of observed visits: Σ_k X_k⊗X_k, Σ_k X_k⊗y_k, Σ_k y_k⊗y_k
    # over its patients, so an evaluation costs O(T² p²) per pattern whatever the patient count.
    stats = []
    for k, pattern in enumerate(patterns):
        members = np.flatnonzero(pattern_of == k)
        Xp = XX[members][:, pattern, :]
        yp = Y[members][:, pattern]
        stats.append((pattern, len(members), np.einsum("ktp,kuq->tpuq", Xp, Xp),
                      np.einsum("ktp,ku->tpu", Xp, yp), np.einsum("kt,ku->tu", yp, yp)))

    def pieces(Sigma):
        XtVX = np.zeros((p, p))
        XtVy = np.zeros(p)
        logdet = 0.0
        inverses = []
        for pattern, count, sxx, sxy, _ in stats:
            block = Sigma[np.ix_(pattern, pattern)]
            chol = np.linalg.cholesky(block)
            W = np.linalg.inv(block)
            inverses.append(W)
            XtVX += np.tensordot(sxx, W, axes=([0, 2], [0, 1]))
            XtVy += np.tensordot(sxy, W, axes=([0, 2], [0, 1]))
            logdet += count * 2.0 * float(np.log(np.diag(chol)).sum())
        return XtVX, XtVy, logdet, inverses

    rows, columns = np.tril_indices(T)
    on_diagonal = rows == columns

    def deviance_and_gradient(theta):
        """−2 log L_REML and its gradient in θ: d(−2ℓ)/dΣ_p = n_p W − W R W − W M W per pattern
        (W = Σ_p⁻¹, R = the residuals' cross products, M = Σ X_k C X_kᵀ with C = (XᵀV⁻¹X)⁻¹),
        then through Σ = LLᵀ: ∂/∂L = 2 G L, and ∂/∂θ_ii = ∂/∂L_ii · L_ii on the log-diagonal."""
        try:
            L = _cholesky_factor(theta, T)
            Sigma = L @ L.T
            XtVX, XtVy, logdet, inverses = pieces(Sigma)
            chol_a = np.linalg.cholesky(XtVX)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(theta)
        C = np.linalg.inv(XtVX)
        beta = C @ XtVy
        value = logdet + 2.0 * float(np.log(np.diag(chol_a)).sum()) + (N - p) * np.log(2.0 * np.pi)
        G = np.zeros((T, T))
        for (pattern, count, sxx, sxy, syy), W in zip(stats, inverses):
            fitted_y = np.tensordot(sxy, beta, axes=([1], [0]))            # Σ_k (X_kβ) y_kᵀ
            R = syy - fitted_y - fitted_y.T + np.tensordot(
                np.tensordot(sxx, beta, axes=([3], [0])), beta, axes=([1], [0]))
            M = np.tensordot(sxx, C, axes=([1, 3], [0, 1]))
            value += float(np.sum(W * R))
            G[np.ix_(pattern, pattern)] += count * W - W @ (R + M) @ W
        dL = 2.0 * G @ L
        gradient = dL[rows, columns]
        gradient[on_diagonal] *= np.diag(L)
        return float(value), gradient

    start_fit = fit_random_intercept(y, X, groups)
    try:
        start = np.linalg.cholesky(start_fit.residual_variance * np.eye(T)
                                   + (start_fit.patient_variance or 0.0) * np.ones((T, T)))
    except np.linalg.LinAlgError:
        raise AnalysisError(f"MMRM fit: the data leave no variance to model (residual variance "
                            f"{start_fit.residual_variance:.3g}); an unstructured covariance cannot "
                            "be estimated") from None
    theta0 = start[rows, columns].copy()
    theta0[on_diagonal] = np.log(theta0[on_diagonal])
    found = optimize.minimize(deviance_and_gradient, theta0, jac=True, method="BFGS",
                              options={"gtol": 1e-6, "maxiter": 1000})
    L = _cholesky_factor(found.x, T)
    Sigma = L @ L.T
    XtVX, XtVy, _, _ = pieces(Sigma)
    beta = np.linalg.solve(XtVX, XtVy)
    return ReMLFit(beta=beta, covariance=np.linalg.inv(XtVX),
                   residual_variance=float(np.mean(np.diag(Sigma))), patient_variance=None,
                   visit_covariance=Sigma, deviance=float(found.fun), n_observations=N,
                   n_patients=len(labels), n_parameters=p,
                   converged=bool(found.success) or float(np.abs(found.jac).max()) < 1e-4)
