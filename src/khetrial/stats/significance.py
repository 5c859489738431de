"""Two-sided hypothesis tests used by the analysis plan and the baseline table.

- :func:`fisher_exact`: 2×2 tables, as R's ``fisher.test`` (binary endpoints, AE terms,
  two-category baseline characteristics).
- :func:`mann_whitney`: the Mann-Whitney U test, normal approximation with tie correction and
  no continuity correction, as R's ``wilcox.test(a, b, exact = FALSE, correct = FALSE)``
  (transfusions, events per patient, continuous baseline characteristics).
- :func:`chi_square`: Pearson's χ² test without continuity correction, as R's
  ``chisq.test(table, correct = FALSE)`` (baseline characteristics with more categories).
- :func:`categorical_test`: Fisher for a 2×2 table, χ² otherwise (analysis plan, "Baseline
  table").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, hypergeom, mannwhitneyu

from khetrial.errors import ProtocolError
from khetrial.stats._checks import check_count
from khetrial.stats.results import TestResult

FISHER_RELATIVE_TOLERANCE = 1 + 1e-7
"""R's ``fisher.test``: tables with probability ≤ observed × (1 + 10⁻⁷) count as "no more
likely" (``relErr <- 1 + 10^(-7)`` in R's source), so ties in floating point are kept."""


def fisher_exact(events1: int, n1: int, events2: int, n2: int) -> float:
    """Two-sided Fisher exact p for ``events1/n1`` vs ``events2/n2``, as R's ``fisher.test``.

    The sum of the hypergeometric probabilities (margins fixed) of every table no more likely
    than the observed one, with R's relative tolerance :data:`FISHER_RELATIVE_TOLERANCE`.
    """
    events1, n1 = check_count(events1, n1, "first group")
    events2, n2 = check_count(events2, n2, "second group")
    events = events1 + events2  # first column total of [[x1, n1-x1], [x2, n2-x2]]
    low, high = max(0, events - n2), min(events, n1)
    support = np.arange(low, high + 1)
    log_density = hypergeom.logpmf(support, n1 + n2, n1, events)
    density = np.exp(log_density - log_density.max())
    density /= density.sum()
    observed = density[events1 - low]
    p = float(density[density <= observed * FISHER_RELATIVE_TOLERANCE].sum())
    return min(1.0, p)


def mann_whitney(a: Sequence[float], b: Sequence[float]) -> TestResult:
    """Two-sided Mann-Whitney U test, normal approximation, tie-corrected, no continuity
    correction (analysis plan, "Transfusions").

    ``statistic`` is U of ``a`` (R's ``W``). ``p_value`` is ``None`` when every value ties
    (the variance of U is then 0 and the test is undefined).

    Raises:
        ProtocolError: an empty sample, or a value that is missing or not a finite number.
    """
    x, y = _sample(a, "first sample"), _sample(b, "second sample")
    if np.unique(np.concatenate([x, y])).size == 1:
        statistic = len(x) * len(y) / 2  # every pair ties: U = n1·n2/2
        return TestResult(method="mann-whitney", statistic=float(statistic), p_value=None)
    result = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
                          use_continuity=False)
    return TestResult(method="mann-whitney", statistic=float(result.statistic),
                      p_value=float(result.pvalue))


def chi_square(table: Sequence[Sequence[int]]) -> TestResult:
    """Pearson's χ² test of independence, no continuity correction.

    Rows and columns whose total is 0 (a category nobody has) are dropped first, because they
    carry no information and make an expected count 0. With fewer than two rows or columns
    left there is nothing to test: ``p_value`` and ``statistic`` are ``None``.

    Raises:
        ProtocolError: a table that is not rectangular or holds a negative or non-whole count.
    """
    counts = _drop_empty(_table(table))
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return TestResult(method="chi-square", statistic=None, p_value=None)
    statistic, p, df, _ = chi2_contingency(counts, correction=False)
    return TestResult(method="chi-square", statistic=float(statistic), p_value=float(p),
                      df=int(df))


def categorical_test(table: Sequence[Sequence[int]]) -> TestResult:
    """Fisher's exact test for a 2×2 table, Pearson's χ² for a larger one (plan, "Baseline
    table"). Rows are categories or arms, columns the other; empty rows and columns are
    dropped first (see :func:`chi_square`)."""
    counts = _drop_empty(_table(table))
    if counts.shape == (2, 2):
        (a, b), (c, d) = counts.tolist()
        return TestResult(method="fisher", statistic=None,
                          p_value=fisher_exact(a, a + b, c, c + d))
    return chi_square(counts.tolist())


def _sample(values: Sequence[float], name: str):

    if isinstance(values, (np.ndarray, pd.Series)) and values.dtype.kind in "fiu" and len(values):
        column = np.array(values, dtype=float)  # a numeric column: checked as a whole
        if np.isfinite(column).all():
            return column
    items = list(values)
    if not items:
        raise ProtocolError(f"{name} is empty; the Mann-Whitney test needs at least one value "
                            "in each group")
    for value in items:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ProtocolError(f"{name}: got {value!r}; every value must be a finite number "
                                "(drop missing values before testing)")
    return np.asarray(items, dtype=float)


def _table(table: Sequence[Sequence[int]]):

    rows = [list(row) for row in table]
    if not rows or len({len(row) for row in rows}) != 1 or not rows[0]:
        raise ProtocolError(f"a contingency table must be a non-empty rectangle of counts, "
                            f"got {table!r}")
    for row in rows:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ProtocolError(f"contingency table: got {value!r}; every cell must be a "
                                    "count (a whole number ≥ 0)")
    return np.asarray(rows, dtype=np.int64)


def _drop_empty(counts):
    counts = counts[counts.sum(axis=1) > 0]
    return counts[:, counts.sum(axis=0) > 0]
