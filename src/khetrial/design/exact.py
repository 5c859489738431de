"""Exact two-sided Fisher p-values for every 2×2 table with given group sizes, and exact power.

:func:`compute_fisher_pvalue_table` returns, for group sizes ``n_control`` and
``n_experimental``, the array ``P[x_c, x_e]`` of two-sided p-values of Fisher's exact test of
the table (x_c events of n_control, x_e events of n_experimental), computed as R's
``fisher.test`` does: conditional on the total number of events ``m``, the p-value is the sum
of the hypergeometric probabilities of all tables no more likely than the observed one, with
R's relative tolerance ``1 + 1e-7`` (``relErr`` in ``fisher.test``'s source).

The table is built once per pair of sizes (one small vectorized pass per total ``m``) and
cached, so exact power (a sum over all tables of the two binomial probabilities) and the
simulator's per-trial tests (a lookup ``P[x_c, x_e]`` for every simulated trial at once) are
cheap even for 200 patients per arm.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import gammaln
from scipy.stats import binom

from khetrial.errors import ProtocolError
from khetrial.constants import ALPHA

#: R's fisher.test: ``relErr <- 1 + 10^(-7)`` ("tables no more likely than the observed one").
FISHER_RELATIVE_TOLERANCE = 1 + 1e-7
#: Largest group size the exact enumeration accepts (the table has (n_c+1)(n_e+1) cells).
MAX_EXACT_GROUP_SIZE = 5000


def _check_size(name: str, n: int) -> int:
    if isinstance(n, bool) or not float(n).is_integer() or not 1 <= int(n) <= MAX_EXACT_GROUP_SIZE:
        raise ProtocolError(
            f"{name}: got {n!r}; expected a whole number of patients from 1 to "
            f"{MAX_EXACT_GROUP_SIZE} for exact enumeration"
        )
    return int(n)


def _log_choose(n: int, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


@lru_cache(maxsize=64)
def _pvalue_table(n_c: int, n_e: int) -> np.ndarray:
    table = np.empty((n_c + 1, n_e + 1))
    for m in range(n_c + n_e + 1):
        lo, hi = max(0, m - n_e), min(n_c, m)
        x_c = np.arange(lo, hi + 1)
        log_d = _log_choose(n_c, x_c) + _log_choose(n_e, m - x_c)
        d = np.exp(log_d - log_d.max())
        d /= d.sum()
        order = np.sort(d)
        cumulative = np.cumsum(order)
        idx = np.searchsorted(order, d * FISHER_RELATIVE_TOLERANCE, side="right") - 1
        table[x_c, m - x_c] = np.minimum(cumulative[idx], 1.0)
    table.setflags(write=False)
    return table


def compute_fisher_pvalue_table(n_control: int, n_experimental: int) -> np.ndarray:
    """Two-sided Fisher p-value of every table: ``P[x_c, x_e]`` (read-only, cached).

    ``x_c`` runs over 0…n_control events in the control arm, ``x_e`` over 0…n_experimental.
    """
    return _pvalue_table(_check_size("n_control", n_control),
                         _check_size("n_experimental", n_experimental))


def compute_fisher_exact_power(p_control: float, p_experimental: float, n_control: int,
                               n_experimental: int, alpha: float = ALPHA) -> float:
    """Exact probability that the two-sided Fisher test rejects (p ≤ α).

    Sums the product of the two binomial probabilities over every table whose p-value is at
    most ``alpha``: the power when the proportions differ, the type I error when they agree.
    """
    table = compute_fisher_pvalue_table(n_control, n_experimental)
    prob_c = binom.pmf(np.arange(table.shape[0]), table.shape[0] - 1, p_control)
    prob_e = binom.pmf(np.arange(table.shape[1]), table.shape[1] - 1, p_experimental)
    reject = table <= alpha
    return float(prob_c @ (reject @ prob_e))
