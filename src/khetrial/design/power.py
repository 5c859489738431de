"""Power and sample size for comparing two proportions (experimental vs control).

Three figures for one design, each a pure function:

* **analytic** — the normal approximation of R's ``power.prop.test`` (``strict = FALSE`` by
  default, i.e. only the rejection tail in the direction of the true difference is counted)::

      power = Φ( (√n_c·|p_e − p_c| − z_{1−α/2}·√(p̄ q̄ (1 + 1/r))) / √(p_c q_c + p_e q_e / r) )

  with ``r = n_e / n_c`` and the pooled ``p̄ = (p_c + r p_e)/(1 + r)``. For ``r = 1`` the
  numerator's pooled term is R's ``qnorm(1 − α/2) * sqrt((p1 + p2) * (q1 + q2) / 2)``
  exactly; for ``r ≠ 1`` it is Hmisc's ``bsamsize``/``bpower`` (Fleiss, Tytun & Ury 1980,
  without continuity correction). ``strict = True`` adds the opposite tail, as R's
  ``strict = TRUE``, Hmisc's ``bpower`` and statsmodels' ``power_proportions_2indep``.
* **analytic_cc** — with continuity correction, Fleiss, Levin & Paik (2003), *Statistical
  Methods for Rates and Proportions*, 3rd ed., eq. 4.14 (equal groups) and 4.19 (ratio r)::

      n'_c = n_c / 4 · (1 + √(1 + 2 (r + 1) / (n_c r |p_e − p_c|)))²

  where ``n_c`` is the uncorrected size. Power at a corrected size ``n'_c`` inverts it: the
  uncorrected power at ``n_c = (√n'_c − (r + 1) / (2 r |p_e − p_c| √n'_c))²``, so that the
  power and sample-size functions agree with each other.
* **exact_fisher** — the exact rejection probability of the two-sided Fisher test
  (:mod:`khetrial.design.exact`), by enumeration of both binomials.

Sizes are per arm; sample sizes are returned unrounded (``*_unrounded``) and rounded up.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy.optimize import brentq
from scipy.stats import norm

from khetrial.design.exact import MAX_EXACT_GROUP_SIZE, compute_fisher_exact_power
from khetrial.errors import ProtocolError
from khetrial.constants import ALPHA

TESTS = ("chi2", "chi2-cc", "fisher")  # the --test choices: analytic, analytic_cc, exact_fisher
RESULT_KEYS = {"chi2": "analytic", "chi2-cc": "analytic_cc", "fisher": "exact_fisher"}
#: R's power.prop.test solves for n on c(1, 1e7) with uniroot.
MAX_SAMPLE_SIZE = 10_000_000


# --- input checks ------------------------------------------------------------------------------
def _check_proportion(name: str, p: float, *, open_interval: bool = True) -> float:
    ok = 0 < p < 1 if open_interval else 0 <= p <= 1
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not ok:
        raise ProtocolError(f"{name}: got {p!r}; expected a proportion strictly between 0 and 1 "
                            "(e.g. 0.55 for 55 %)")
    return float(p)


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ProtocolError(f"alpha: got {alpha!r}; expected a two-sided significance level "
                            "between 0 and 1 (e.g. 0.05)")
    return float(alpha)


def _check_n(name: str, n: float) -> float:
    if not isinstance(n, (int, float)) or isinstance(n, bool) or not n > 0 or math.isinf(n):
        raise ProtocolError(f"{name}: got {n!r}; expected a positive number of patients per arm")
    return float(n)


def _check_ratio(ratio: float) -> float:
    if not ratio > 0 or math.isinf(ratio):
        raise ProtocolError(f"ratio: got {ratio!r}; expected the allocation ratio n_experimental"
                            " / n_control as a positive number (1 for 1:1, 2 for 2:1)")
    return float(ratio)


def _check_difference(p_control: float, p_experimental: float) -> float:
    d = abs(p_experimental - p_control)
    if d == 0:
        raise ProtocolError(f"proportions: got control = experimental = {p_control}; a sample "
                            "size needs a difference to detect")
    return d


def _check_design(p_control, p_experimental, n_control, n_experimental, alpha):
    """Checked (p_control, p_experimental, n_control, n_experimental, alpha); n_experimental
    defaults to n_control (1:1)."""
    p_c = _check_proportion("p_control", p_control)
    p_e = _check_proportion("p_experimental", p_experimental)
    n_c = _check_n("n_control", n_control)
    n_e = n_c if n_experimental is None else _check_n("n_experimental", n_experimental)
    return p_c, p_e, n_c, n_e, _check_alpha(alpha)


# --- analytic (normal approximation) ------------------------------------------------------------
def compute_power_normal(p_control: float, p_experimental: float, n_control: float,
                         n_experimental: float | None = None, alpha: float = ALPHA,
                         strict: bool = False) -> float:
    """Power of the two-sided two-proportion z (χ²) test, as R's ``power.prop.test``."""
    p_c, p_e, n_c, n_e, alpha = _check_design(p_control, p_experimental, n_control,
                                               n_experimental, alpha)
    r = n_e / n_c
    z = norm.isf(alpha / 2)
    d = abs(p_e - p_c)
    p_bar = (p_c + r * p_e) / (1 + r)
    null_sd = math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / r))
    alt_sd = math.sqrt(p_c * (1 - p_c) + p_e * (1 - p_e) / r)
    power = norm.cdf((math.sqrt(n_c) * d - z * null_sd) / alt_sd)
    if strict:
        power += norm.sf((math.sqrt(n_c) * d + z * null_sd) / alt_sd)
    return float(power)


def compute_sample_size_normal(p_control: float, p_experimental: float, power: float = 0.8,
                               alpha: float = ALPHA, ratio: float = 1.0,
                               strict: bool = False) -> float:
    """Unrounded control-arm size for ``power`` (experimental arm: ``ratio`` × this)."""
    p_c = _check_proportion("p_control", p_control)
    p_e = _check_proportion("p_experimental", p_experimental)
    power = _check_proportion("power", power)
    alpha = _check_alpha(alpha)
    r = _check_ratio(ratio)
    d = _check_difference(p_c, p_e)
    if power <= alpha / 2:
        raise ProtocolError(f"power: got {power}; expected more than alpha/2 = {alpha / 2}")

    def gap(n: float) -> float:
        return compute_power_normal(p_c, p_e, n, r * n, alpha, strict) - power

    if not strict:  # closed form (Hmisc bsamsize; R's uniroot finds the same root)
        p_bar = (p_c + r * p_e) / (1 + r)
        root = (norm.isf(alpha / 2) * math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / r))
                + norm.ppf(power) * math.sqrt(p_c * (1 - p_c) + p_e * (1 - p_e) / r))
        return float((root / d) ** 2)
    low = 1e-9
    if gap(low) >= 0:
        return low
    return float(brentq(gap, low, MAX_SAMPLE_SIZE, xtol=1e-12, rtol=1e-14))


# --- analytic with continuity correction (Fleiss, Levin & Paik 2003, eq. 4.14 / 4.19) -----------
def compute_cc_sample_size(n_uncorrected: float, difference: float, ratio: float = 1.0) -> float:
    """Fleiss' corrected control-arm size ``n/4 (1 + √(1 + 2(r+1)/(n r |d|)))²``."""
    n = _check_n("n_uncorrected", n_uncorrected)
    r = _check_ratio(ratio)
    d = abs(difference)
    if d == 0:
        raise ProtocolError("difference: got 0; the continuity correction needs a difference")
    return n / 4 * (1 + math.sqrt(1 + 2 * (r + 1) / (n * r * d))) ** 2


def compute_cc_uncorrected_size(n_corrected: float, difference: float, ratio: float = 1.0) -> float:
    """Inverse of :func:`compute_cc_sample_size`: the uncorrected size a corrected size is worth.

    ``(√n' − (r + 1) / (2 r |d| √n'))²``, or 0 when the correction uses up the whole sample.
    """
    n = _check_n("n_corrected", n_corrected)
    r = _check_ratio(ratio)
    d = abs(difference)
    root = math.sqrt(n) - (r + 1) / (2 * r * d * math.sqrt(n))
    return root * root if root > 0 else 0.0


def compute_power_normal_cc(p_control: float, p_experimental: float, n_control: float,
                            n_experimental: float | None = None, alpha: float = ALPHA,
                            strict: bool = False) -> float:
    """Power of the continuity-corrected χ² test (Fleiss, Levin & Paik 2003, eq. 4.14/4.19)."""
    p_c, p_e, n_c, n_e, alpha = _check_design(p_control, p_experimental, n_control,
                                               n_experimental, alpha)
    r = n_e / n_c
    if p_c == p_e:
        return compute_power_normal(p_c, p_e, n_c, n_e, alpha, strict)
    n_eff = compute_cc_uncorrected_size(n_c, p_e - p_c, r)
    if n_eff == 0:
        return 0.0
    return compute_power_normal(p_c, p_e, n_eff, r * n_eff, alpha, strict)


def compute_sample_size_normal_cc(p_control: float, p_experimental: float, power: float = 0.8,
                                  alpha: float = ALPHA, ratio: float = 1.0,
                                  strict: bool = False) -> float:
    """Unrounded continuity-corrected control-arm size (Fleiss et al. 2003, eq. 4.14/4.19)."""
    n = compute_sample_size_normal(p_control, p_experimental, power, alpha, ratio, strict)
    return compute_cc_sample_size(n, p_experimental - p_control, ratio)


# --- exact (Fisher) --------------------------------------------------------------------------------
def compute_power_fisher(p_control: float, p_experimental: float, n_control: int,
                         n_experimental: int | None = None, alpha: float = ALPHA) -> float:
    """Exact power of the two-sided Fisher test (see :mod:`khetrial.design.exact`)."""
    p_c = _check_proportion("p_control", p_control, open_interval=False)
    p_e = _check_proportion("p_experimental", p_experimental, open_interval=False)
    n_e = n_control if n_experimental is None else n_experimental
    return compute_fisher_exact_power(p_c, p_e, n_control, n_e, _check_alpha(alpha))


def experimental_size(n_control: int, ratio: float) -> int:
    """Experimental-arm size for a whole control-arm size: ``ceil(ratio × n_control)``."""
    return max(1, math.ceil(round(ratio * n_control, 9)))


def compute_sample_size_fisher(p_control: float, p_experimental: float, power: float = 0.8,
                               alpha: float = ALPHA, ratio: float = 1.0,
                               start: int | None = None) -> int:
    """Smallest whole control-arm size whose exact Fisher power reaches ``power``.

    Exact power is not monotone in n (a saw-tooth: the test is discrete), so a larger size can
    fall just below the target again; this returns the first size that reaches it, searching
    upwards from ``start`` (default: a little below the continuity-corrected size).
    """
    p_c = _check_proportion("p_control", p_control)
    p_e = _check_proportion("p_experimental", p_experimental)
    power = _check_proportion("power", power)
    r = _check_ratio(ratio)
    _check_difference(p_c, p_e)

    def reaches(n: int) -> bool:
        return compute_power_fisher(p_c, p_e, n, experimental_size(n, r), alpha) >= power

    if start is None:
        start = max(1, int(0.8 * compute_sample_size_normal_cc(p_c, p_e, power, alpha, r)))
    n = max(1, int(start))
    while n > 1 and reaches(n):  # walk down to the first size that does not reach it
        n -= 1
    while not reaches(n):
        n += 1
        if max(n, experimental_size(n, r)) > MAX_EXACT_GROUP_SIZE:
            raise ProtocolError(
                f"exact Fisher sample size: more than {MAX_EXACT_GROUP_SIZE} patients per arm "
                f"needed for power {power}; use the analytic figures for so small a difference")
    return n


# --- results -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerResult:
    """Power of one design by the three methods (fractions, 0…1)."""

    p_control: float
    p_experimental: float
    n_control: int
    n_experimental: int
    alpha: float
    analytic: float  #: normal approximation, as R's power.prop.test
    analytic_cc: float  #: with continuity correction (Fleiss, Levin & Paik 2003)
    exact_fisher: float  #: exact, two-sided Fisher test

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ArmSizes:
    """Per-arm sizes: rounded up, and the unrounded solution for the control arm."""

    control: int
    experimental: int
    control_unrounded: float

    @property
    def total(self) -> int:
        return self.control + self.experimental

    def to_dict(self) -> dict:
        return {"control": self.control, "experimental": self.experimental,
                "total": self.total, "control_unrounded": self.control_unrounded}


@dataclass(frozen=True)
class SampleSizeResult:
    """Per-arm sizes that reach ``power`` by the three methods."""

    p_control: float
    p_experimental: float
    power: float
    alpha: float
    ratio: float
    analytic: ArmSizes
    analytic_cc: ArmSizes
    exact_fisher: ArmSizes

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("p_control", "p_experimental", "power", "alpha",
                                              "ratio")}
        for key in ("analytic", "analytic_cc", "exact_fisher"):
            out[key] = getattr(self, key).to_dict()
        return out


def derive_power(p_control: float, p_experimental: float, n_control: int,
                 n_experimental: int | None = None, alpha: float = ALPHA) -> PowerResult:
    """Power of a design with whole arm sizes by all three methods."""
    n_e = n_control if n_experimental is None else n_experimental
    for name, n in (("n_control", n_control), ("n_experimental", n_e)):
        if isinstance(n, bool) or not float(n).is_integer() or n < 1:
            raise ProtocolError(f"{name}: got {n!r}; expected a whole number of patients ≥ 1")
    n_c, n_e = int(n_control), int(n_e)
    return PowerResult(
        p_control=p_control, p_experimental=p_experimental, n_control=n_c, n_experimental=n_e,
        alpha=alpha,
        analytic=compute_power_normal(p_control, p_experimental, n_c, n_e, alpha),
        analytic_cc=compute_power_normal_cc(p_control, p_experimental, n_c, n_e, alpha),
        exact_fisher=compute_power_fisher(p_control, p_experimental, n_c, n_e, alpha),
    )


def _sizes(n_unrounded: float, ratio: float) -> ArmSizes:
    n_c = math.ceil(round(n_unrounded, 9))
    return ArmSizes(n_c, max(1, math.ceil(round(ratio * n_unrounded, 9))), n_unrounded)


def derive_sample_size(p_control: float, p_experimental: float, power: float = 0.8,
                       alpha: float = ALPHA, ratio: float = 1.0) -> SampleSizeResult:
    """Per-arm sizes reaching ``power`` by all three methods (allocation ``ratio`` = n_e/n_c)."""
    n = compute_sample_size_normal(p_control, p_experimental, power, alpha, ratio)
    n_cc = compute_cc_sample_size(n, p_experimental - p_control, ratio)
    n_f = compute_sample_size_fisher(p_control, p_experimental, power, alpha, ratio,
                                     start=max(1, int(0.8 * n_cc)))
    return SampleSizeResult(
        p_control=p_control, p_experimental=p_experimental, power=power, alpha=alpha,
        ratio=ratio, analytic=_sizes(n, ratio), analytic_cc=_sizes(n_cc, ratio),
        exact_fisher=ArmSizes(n_f, experimental_size(n_f, ratio), float(n_f)),
    )


def derive_power_grid(p_control: float, p_experimental: float, sizes: list[int],
                      alpha: float = ALPHA, ratio: float = 1.0) -> list[PowerResult]:
    """Power over a grid of control-arm sizes (experimental = ceil(ratio × n))."""
    return [derive_power(p_control, p_experimental, n, experimental_size(n, ratio), alpha)
            for n in sizes]


def compute_detectable_proportion(p_control: float, n_control: float, power: float = 0.8,
                                  alpha: float = ALPHA, ratio: float = 1.0) -> float:
    """Experimental proportion above ``p_control`` detectable with ``power`` (analytic).

    As R's ``power.prop.test(n =, p1 =, power =)$p2`` (a root on ``p_control…1``).
    """
    p_c = _check_proportion("p_control", p_control)
    n_c = _check_n("n_control", n_control)
    power = _check_proportion("power", power)
    r = _check_ratio(ratio)

    def gap(p_e: float) -> float:
        return compute_power_normal(p_c, p_e, n_c, r * n_c, alpha) - power

    high = 1 - 1e-12
    if gap(high) < 0:
        raise ProtocolError(f"no experimental proportion below 1 reaches power {power} with "
                            f"{n_control} control patients; increase the sample size")
    return float(brentq(gap, p_c + 1e-12, high, xtol=1e-14))
