"""Small result objects returned by :mod:`khetrial.stats`.

Each is a frozen dataclass with documented fields and a ``to_dict()`` whose keys match
``results.json`` (analysis plan, "Machine-readable results"): ``difference``, ``ci95``
(``[lower, upper]``) and ``p_value``. Numbers are plain Python floats, unrounded; proportions
and differences of proportions are fractions, not percentages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """A proportion ``events / n`` with a confidence interval.

    Attributes:
        events: number of patients with the event.
        n: denominator (ITT N of the arm).
        estimate: ``events / n``.
        lower, upper: interval limits, within ``[0, 1]``.
        level: confidence level (0.95 for a 95 % interval).
        method: how the interval was computed (``"wilson"``).
    """

    events: int
    n: int
    estimate: float
    lower: float
    upper: float
    level: float
    method: str = "wilson"

    def to_dict(self) -> dict:
        """``{"events", "n", "estimate", "ci95": [lower, upper], "level", "method"}``.

        The key is ``ci95`` whatever ``level`` is, as in results.json; ``level`` says which.
        """
        return {"events": self.events, "n": self.n, "estimate": self.estimate,
                "ci95": [self.lower, self.upper], "level": self.level, "method": self.method}


@dataclass(frozen=True)
class ProportionDifference:
    """The difference of two proportions, first − second, with its interval and Fisher p.

    Attributes:
        events1, n1: events and denominator of the first group (the experimental arm, SP).
        events2, n2: events and denominator of the second group (the control arm, S).
        difference: ``events1 / n1 − events2 / n2`` (always the observed difference, whatever
            the interval method).
        lower, upper: interval limits for the difference, within ``[−1, 1]``.
        level: confidence level.
        method: ``"newcombe"``, ``"wald"``, ``"agresti-caffo"`` or ``"miettinen-nurminen"``.
        p_value: two-sided Fisher exact p for the 2×2 table (as R's ``fisher.test``).
    """

    events1: int
    n1: int
    events2: int
    n2: int
    difference: float
    lower: float
    upper: float
    level: float
    method: str
    p_value: float

    @property
    def proportion1(self) -> float:
        """``events1 / n1``."""
        return self.events1 / self.n1

    @property
    def proportion2(self) -> float:
        """``events2 / n2``."""
        return self.events2 / self.n2

    def to_dict(self) -> dict:
        """``{"difference", "ci95": [lower, upper], "p_value", "method", "level",
        "first": {"events", "n"}, "second": {"events", "n"}}``."""
        return {
            "difference": self.difference,
            "ci95": [self.lower, self.upper],
            "p_value": self.p_value,
            "method": self.method,
            "level": self.level,
            "first": {"events": self.events1, "n": self.n1},
            "second": {"events": self.events2, "n": self.n2},
        }


@dataclass(frozen=True)
class TestResult:
    """A two-sided hypothesis test.

    Attributes:
        method: ``"mann-whitney"``, ``"fisher"`` or ``"chi-square"``.
        statistic: the test statistic (Mann-Whitney: U of the first sample, R's ``W``;
            chi-square: Pearson's X²; Fisher: the odds ratio's sample estimate is not
            reported, so ``None``).
        p_value: two-sided p, or ``None`` when the test is undefined on these data (every value
            ties; fewer than two non-empty rows or columns).
        df: degrees of freedom (chi-square only).
    """

    __test__ = False  # not a pytest test class despite its name

    method: str
    statistic: float | None
    p_value: float | None
    df: int | None = None

    def to_dict(self) -> dict:
        """``{"method", "statistic", "p_value", "df"}``."""
        return {"method": self.method, "statistic": self.statistic, "p_value": self.p_value,
                "df": self.df}


@dataclass(frozen=True)
class MixedModelResult:
    """Experimental − control difference at one week from the platelet mixed model.

    Attributes:
        difference: SP − S difference in the mean change from baseline at ``week``
            (arm main effect + arm × week interaction), ×10⁹/L.
        se: its standard error from the fixed effects' covariance matrix.
        lower, upper: Wald interval ``difference ∓ z · se``.
        level: confidence level; ``z`` is 1.959964 at 0.95 (as lme4's ``confint(method="Wald")``).
        week: the week of the contrast (4).
        n_patients, n_observations: patients and week values in the fit.
        converged: whether the REML search over the variance ratio converged.
    """

    difference: float
    se: float
    lower: float
    upper: float
    level: float
    week: int
    n_patients: int
    n_observations: int
    converged: bool

    def to_dict(self) -> dict:
        """``{"difference", "ci95": [lower, upper], "se", "week", "n_patients",
        "n_observations", "converged"}``."""
        return {"difference": self.difference, "ci95": [self.lower, self.upper], "se": self.se,
                "week": self.week, "n_patients": self.n_patients,
                "n_observations": self.n_observations, "converged": self.converged}
