"""Exact Fisher p-value tables and exact power, against R's fisher.test by brute force."""

import numpy as np
import pytest
from scipy.stats import binom

from khetrial.design.exact import compute_fisher_exact_power, compute_fisher_pvalue_table
from khetrial.errors import ProtocolError

from .reference import r_reference


@pytest.mark.parametrize(
    "key, n_c, n_e, p_c, p_e, alpha",
    [
        ("H.fisher n1=10 n2=10 p1=0.55 p2=0.70", 10, 10, 0.55, 0.70, 0.05),
        ("H.fisher n1=12 n2=15 p1=0.20 p2=0.70", 12, 15, 0.20, 0.70, 0.05),
        ("H.fisher n1=32 n2=32 p1=0.55 p2=0.70", 32, 32, 0.55, 0.70, 0.05),
        ("H.fisher n1=36 n2=37 p1=0.55 p2=0.70", 36, 37, 0.55, 0.70, 0.05),
        ("H.fisher n1=36 n2=37 p1=0.667 p2=0.946", 36, 37, 0.667, 0.946, 0.05),
        ("H.fisher n1=32 n2=32 p1=0.55 p2=0.55 (type I error)", 32, 32, 0.55, 0.55, 0.05),
        ("H.fisher n1=20 n2=20 p1=0.30 p2=0.70 alpha=0.01", 20, 20, 0.30, 0.70, 0.01),
    ],
)
def test_exact_fisher_power_equals_r_brute_force_enumeration(key, n_c, n_e, p_c, p_e, alpha):
    # R: fisher_power(n1, n2, p1, p2, alpha): sum of dbinom(x1,n1,p1)*dbinom(x2,n2,p2) over all
    # tables with fisher.test(matrix(c(x1, n1-x1, x2, n2-x2), 2))$p.value <= alpha
    assert compute_fisher_exact_power(p_c, p_e, n_c, n_e, alpha) == pytest.approx(
        r_reference()[key], rel=1e-12)


def test_pvalue_table_equals_a_table_by_table_brute_force_on_small_sizes():
    # Brute force written out: for each table, the conditional (hypergeometric) probabilities
    # of all tables with the same margins, summed over those no more likely than the observed
    # one (R's fisher.test: d <= d_obs * (1 + 1e-7)).
    from math import comb

    n_c, n_e = 7, 9
    table = compute_fisher_pvalue_table(n_c, n_e)
    for x_c in range(n_c + 1):
        for x_e in range(n_e + 1):
            m = x_c + x_e
            support = range(max(0, m - n_e), min(n_c, m) + 1)
            weights = {k: comb(n_c, k) * comb(n_e, m - k) for k in support}
            total = sum(weights.values())
            observed = weights[x_c]
            p = sum(w for w in weights.values() if w <= observed * (1 + 1e-7)) / total
            assert table[x_c, x_e] == pytest.approx(p, rel=1e-12)


def test_pvalue_table_agrees_with_scipy_fisher_exact():
    # scipy.stats.fisher_exact (two-sided) sums the same tables as R's fisher.test
    from scipy.stats import fisher_exact

    table = compute_fisher_pvalue_table(11, 8)
    for x_c, x_e in [(0, 0), (3, 7), (11, 0), (5, 4), (10, 8), (2, 8)]:
        expected = fisher_exact([[x_c, 11 - x_c], [x_e, 8 - x_e]]).pvalue
        assert table[x_c, x_e] == pytest.approx(expected, rel=1e-9)


def test_exact_power_brute_force_over_tables_with_binomials():
    # The power is the binomial-weighted share of rejecting tables, written out as a loop; each
    # table's p-value comes from scipy.stats.fisher_exact (two-sided, as R's fisher.test), not
    # from the code under test.
    from scipy.stats import fisher_exact

    n_c, n_e, p_c, p_e = 9, 6, 0.2, 0.9
    brute = sum(binom.pmf(x_c, n_c, p_c) * binom.pmf(x_e, n_e, p_e)
                for x_c in range(n_c + 1) for x_e in range(n_e + 1)
                if fisher_exact([[x_c, n_c - x_c], [x_e, n_e - x_e]]).pvalue <= 0.05)
    assert compute_fisher_exact_power(p_c, p_e, n_c, n_e) == pytest.approx(brute, rel=1e-12)


def test_pvalue_table_is_read_only_and_symmetric_in_the_arms():
    a = compute_fisher_pvalue_table(5, 8)
    b = compute_fisher_pvalue_table(8, 5)
    np.testing.assert_allclose(a, b.T, rtol=1e-12)
    with pytest.raises(ValueError):
        a[0, 0] = 0.5


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_pvalue_table_refuses_sizes_that_are_not_whole_positive_numbers(n):
    with pytest.raises(ProtocolError, match="whole number"):
        compute_fisher_pvalue_table(n, 5)
