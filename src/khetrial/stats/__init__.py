"""Statistics for the trial's analyses: intervals, tests and the platelet mixed model.

Pure functions over numbers and tables returning small frozen result objects
(:mod:`khetrial.stats.results`) whose ``to_dict()`` gives the keys of ``results.json``.
"""

from khetrial.stats.mixed import platelet_mixed_model
from khetrial.stats.proportions import METHODS, diff_proportions, wilson_interval
from khetrial.stats.results import Interval, MixedModelResult, ProportionDifference, TestResult
from khetrial.stats.significance import categorical_test, chi_square, fisher_exact, mann_whitney

__all__ = [
    "METHODS",
    "Interval",
    "MixedModelResult",
    "ProportionDifference",
    "TestResult",
    "categorical_test",
    "chi_square",
    "diff_proportions",
    "fisher_exact",
    "mann_whitney",
    "platelet_mixed_model",
    "wilson_interval",
]
