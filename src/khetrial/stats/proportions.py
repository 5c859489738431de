"""Confidence intervals for one proportion and for the difference of two.

The analysis plan ("Binary endpoints") reports every binary endpoint as the difference
experimental − control with the Newcombe hybrid score interval (Newcombe 1998, method 10)
and the two-sided Fisher exact p. The other methods are here for comparison:

- ``newcombe``: Newcombe RG. Interval estimation for the difference between independent
  proportions: comparison of eleven methods. Stat Med 1998;17:873–890, method 10 (hybrid
  score interval from the two Wilson intervals, no continuity correction).
- ``wald``: the same paper's method 1, ``d ∓ z·√(p1q1/n1 + p2q2/n2)``.
- ``agresti-caffo``: Agresti A, Caffo B. Simple and effective confidence intervals for
  proportions and differences of proportions result from adding two successes and two
  failures. Am Stat 2000;54:280–288: Wald on ``(x + 1)/(n + 2)`` in each group.
- ``miettinen-nurminen``: Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
  1985;4:213–226: the score interval with the restricted maximum-likelihood variance (closed
  form of Farrington & Manning, Stat Med 1990;9:1447–1454) times ``N/(N − 1)``, inverted by
  bisection.

Wald-type limits (``wald``, ``agresti-caffo``) are truncated to ``[−1, 1]``.
"""

from __future__ import annotations

import math

from scipy.special import ndtri

from khetrial.constants import CONFIDENCE_LEVEL
from khetrial.errors import ProtocolError
from khetrial.stats._checks import check_count, check_level
from khetrial.stats.results import Interval, ProportionDifference
from khetrial.stats.significance import fisher_exact

METHODS = ("newcombe", "wald", "agresti-caffo", "miettinen-nurminen")
"""The interval methods :func:`diff_proportions` accepts; the first is the plan's."""

_BISECTION_TOLERANCE = 1e-13  # width at which a score-interval limit counts as found
_NEWTON_STEPS = 60  # safeguarded Newton steps polishing the restricted MLE (usually 1–3 needed)


def normal_quantile(level: float) -> float:
    """The two-sided normal quantile ``z`` for a confidence ``level`` (1.959964 at 0.95)."""
    return float(ndtri((1 + check_level(level)) / 2))


def wilson_interval(events: int, n: int, level: float = CONFIDENCE_LEVEL) -> Interval:
    """Wilson score interval for ``events / n`` (no continuity correction).

    The same interval as R's ``prop.test(events, n, correct = FALSE)$conf.int``. ``0/n`` has
    lower limit exactly 0 and ``n/n`` upper limit exactly 1.
    """
    events, n = check_count(events, n)
    z = normal_quantile(level)
    p = events / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lower = 0.0 if events == 0 else max(0.0, centre - half)
    upper = 1.0 if events == n else min(1.0, centre + half)
    return Interval(events=events, n=n, estimate=p, lower=lower, upper=upper, level=float(level))


def diff_proportions(events1: int, n1: int, events2: int, n2: int, method: str = "newcombe",
                     level: float = CONFIDENCE_LEVEL) -> ProportionDifference:
    """Difference ``events1/n1 − events2/n2`` with a confidence interval and Fisher's p.

    Args:
        events1, n1: the first group (experimental arm SP in the trial's analyses).
        events2, n2: the second group (control arm S).
        method: one of :data:`METHODS`; ``"newcombe"`` is the analysis plan's.
        level: confidence level, strictly between 0 and 1.

    Raises:
        ProtocolError: counts that are not whole numbers with ``0 ≤ events ≤ n``, ``n ≥ 1``;
            an unknown method; a level outside (0, 1).
    """
    events1, n1 = check_count(events1, n1, "first group")
    events2, n2 = check_count(events2, n2, "second group")
    level = check_level(level)
    limits = _LIMITS.get(method)
    if limits is None:
        raise ProtocolError(f"unknown interval method {method!r}; expected one of "
                            f"{', '.join(METHODS)}")
    lower, upper = limits(events1, n1, events2, n2, level)
    return ProportionDifference(
        events1=events1, n1=n1, events2=events2, n2=n2,
        difference=events1 / n1 - events2 / n2, lower=lower, upper=upper, level=level,
        method=method, p_value=fisher_exact(events1, n1, events2, n2))


def _newcombe(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Newcombe (1998) method 10: ``d − √((p1−l1)² + (u2−p2)²)``, ``d + √((u1−p1)² + (p2−l2)²)``."""
    w1, w2 = wilson_interval(x1, n1, level), wilson_interval(x2, n2, level)
    d = w1.estimate - w2.estimate
    lower = d - math.hypot(w1.estimate - w1.lower, w2.upper - w2.estimate)
    upper = d + math.hypot(w1.upper - w1.estimate, w2.estimate - w2.lower)
    return max(-1.0, lower), min(1.0, upper)


def _wald_on(p1: float, m1: float, p2: float, m2: float, d: float,
             level: float) -> tuple[float, float]:
    half = normal_quantile(level) * math.sqrt(p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2)
    return max(-1.0, d - half), min(1.0, d + half)


def _wald(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Newcombe (1998) method 1, the simple asymptotic interval."""
    p1, p2 = x1 / n1, x2 / n2
    return _wald_on(p1, n1, p2, n2, p1 - p2, level)


def _agresti_caffo(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Agresti & Caffo (2000): add one success and one failure to each group, then Wald.

    The interval is centred on the adjusted difference ``(x1+1)/(n1+2) − (x2+1)/(n2+2)``.
    """
    p1, p2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
    return _wald_on(p1, n1 + 2, p2, n2 + 2, p1 - p2, level)


def restricted_mle(x1: int, n1: int, x2: int, n2: int, delta: float) -> tuple[float, float]:
    """Maximum-likelihood ``(p1, p2)`` under ``p1 − p2 = delta`` (Farrington & Manning 1990).

    The closed-form root of the likelihood equation, a cubic in ``p1``, with
    ``θ = n2/n1``: ``a = 1 + θ``, ``b = −(1 + θ + p̂1 + θp̂2 + δ(θ + 2))``,
    ``c = δ² + δ(2p̂1 + θ + 1) + p̂1 + θp̂2``, ``d = −p̂1·δ(1 + δ)``; then polished by
    safeguarded Newton steps on the (concave) log-likelihood, because the trigonometric form
    loses digits near a double root, and set exactly on a boundary of
    ``[max(0, δ), min(1, 1 + δ)]`` when the maximum lies there (e.g. ``3/3`` vs ``5/5``).
    """
    low, high = max(0.0, delta), min(1.0, 1.0 + delta)
    if high <= low:
        return low, low - delta
    if _dloglik(low, x1, n1, x2, n2, delta) <= 0:
        return low, low - delta
    if _dloglik(high, x1, n1, x2, n2, delta) >= 0:
        return high, high - delta
    p1 = _cubic_root(x1, n1, x2, n2, delta)
    if not low < p1 < high:
        p1 = (low + high) / 2
    for _ in range(_NEWTON_STEPS):
        slope = _dloglik(p1, x1, n1, x2, n2, delta)
        if slope == 0:
            break
        if slope > 0:
            low = p1
        else:
            high = p1
        step = p1 - slope / _d2loglik(p1, x1, n1, x2, n2, delta)
        if not low < step < high:
            step = (low + high) / 2
        if step == p1:
            break
        p1 = step
    return p1, p1 - delta


def _cubic_root(x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """Farrington & Manning's closed-form root for the restricted ``p1``."""
    p1_hat, p2_hat = x1 / n1, x2 / n2
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1_hat + theta * p2_hat + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1_hat + theta + 1) + p1_hat + theta * p2_hat
    d = -p1_hat * delta * (1 + delta)
    v = (b / (3 * a)) ** 3 - b * c / (6 * a * a) + d / (2 * a)
    s = math.sqrt(max((b / (3 * a)) ** 2 - c / (3 * a), 0.0))
    if s == 0.0:
        return -b / (3 * a)
    u = s if v > 0 else -s
    w = (math.pi + math.acos(max(-1.0, min(1.0, v / u**3)))) / 3
    return 2 * u * math.cos(w) - b / (3 * a)


def _terms(p1: float, x1: int, n1: int, x2: int, n2: int, delta: float):
    """(count, denominator, sign) of the four log-likelihood terms' derivatives in ``p1``."""
    p2 = p1 - delta
    return ((x1, p1, 1), (n1 - x1, 1 - p1, -1), (x2, p2, 1), (n2 - x2, 1 - p2, -1))


def _dloglik(p1: float, x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """d/dp1 of the log-likelihood along ``p2 = p1 − δ``; ±inf at a boundary a count pushes from."""
    total = 0.0
    for count, denominator, sign in _terms(p1, x1, n1, x2, n2, delta):
        if count:
            if denominator <= 0:
                return sign * math.inf
            total += sign * count / denominator
    return total


def _d2loglik(p1: float, x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """Second derivative (negative inside the interval: the log-likelihood is concave)."""
    return -sum(count / denominator**2
                for count, denominator, _ in _terms(p1, x1, n1, x2, n2, delta) if count)


def mn_score(x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """Miettinen-Nurminen score statistic ``(d̂ − δ)² / (Ṽ(δ)·N/(N − 1))`` (χ² scale)."""
    numerator = (x1 / n1 - x2 / n2 - delta) ** 2
    p1, p2 = restricted_mle(x1, n1, x2, n2, delta)
    n = n1 + n2
    variance = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * n / (n - 1)
    if variance <= 0.0:
        return 0.0 if numerator == 0.0 else math.inf
    return numerator / variance


def _miettinen_nurminen(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Limits where the MN score equals the χ²₁ quantile, found by bisection on each side."""
    critical = normal_quantile(level) ** 2
    d = x1 / n1 - x2 / n2

    def limit(inner: float, outer: float) -> float:
        if inner == outer:
            return outer
        while abs(outer - inner) > _BISECTION_TOLERANCE:
            middle = (inner + outer) / 2
            if mn_score(x1, n1, x2, n2, middle) < critical:
                inner = middle
            else:
                outer = middle
        return (inner + outer) / 2

    return limit(d, -1.0), limit(d, 1.0)


_LIMITS = {
    "newcombe": _newcombe,
    "wald": _wald,
    "agresti-caffo": _agresti_caffo,
    "miettinen-nurminen": _miettinen_nurminen,
}
