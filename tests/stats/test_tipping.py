"""Missing-data sensitivity: observed cases and the tipping-point grid."""

import pytest

from khetrial.errors import AnalysisError
from khetrial.stats.significance import fisher_exact
from khetrial.stats.tipping import tipping_point


def test_the_plans_analysis_is_the_corner_of_the_grid():
    # Publication, primary: 35/37 vs 24/36, difference 27.9 %, P = .003 (Table 2)
    result = tipping_point(35, 37, 1, 24, 36, 4)
    difference, p = result.grid[0][0]
    assert difference == pytest.approx(35 / 37 - 24 / 36)
    assert round(p, 3) == 0.003


def test_observed_cases_leave_the_imputed_patients_out_of_the_denominators():
    result = tipping_point(35, 37, 1, 24, 36, 4)
    # hand: 35/36 − 24/32 = 0.97222 − 0.75 = 0.22222
    assert result.observed_difference == pytest.approx(35 / 36 - 24 / 32)
    assert result.observed_p == pytest.approx(fisher_exact(35, 36, 24, 32))


def test_tipping_cells_are_where_the_conclusion_changes():
    # 10/10 vs 4/10: p = 0.0108 (R: fisher.test(matrix(c(10,0,4,6),2))$p.value = 0.01083591);
    # with 3 control patients imputed, 10/10 vs 7/10 gives p = 0.2105 (> .05; R: fisher.test(
    # matrix(c(10,0,7,3),2))$p.value = 0.2105263): a tipping point.
    result = tipping_point(10, 10, 0, 4, 10, 3)
    assert result.grid[0][0][1] == pytest.approx(0.01083591, rel=1e-6)
    assert (0, 3) in result.tipping and (0, 0) not in result.tipping
    assert all(p >= 0.05 for i, j in result.tipping for p in [result.grid[i][j][1]])


def test_more_imputed_than_non_responders_is_refused():
    with pytest.raises(AnalysisError, match="experimental arm has 9 events of 10 with 2 imputed"):
        tipping_point(9, 10, 2, 4, 10, 0)
