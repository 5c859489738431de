"""The primary endpoint stratified by site: Mantel–Haenszel risk difference and the CMH test.

Randomization was stratified by centre (permuted blocks per site), so a DMC asks whether the
pooled difference holds within sites. :func:`mantel_haenszel_difference` gives the
Mantel–Haenszel weighted difference of proportions (weights ``n1k n2k / Nk``) with the variance
of Sato (1989, *Biometrics* 45:1323), which stays valid both with many small strata and few large
ones (Greenland & Robins 1985; it is what R's ``metafor::rma.mh(measure = "RD")`` reports), and
the Cochran–Mantel–Haenszel χ² test without continuity correction (statsmodels'
``StratifiedTable.test_null_odds``, as R's ``mantelhaen.test(correct = FALSE)``). Strata in which
one arm has no patient carry no information and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri
from statsmodels.stats.contingency_tables import StratifiedTable

from khetrial.constants import CONFIDENCE_LEVEL
from khetrial.errors import AnalysisError


@dataclass(frozen=True)
class StratifiedDifference:
    """Experimental − control difference of proportions pooled over strata.

    Attributes:
        difference, se, lower, upper, level: the MH estimate, Sato's standard error and the
            Wald interval ``difference ∓ z · se``.
        cmh_statistic, p_value: the CMH χ² (1 df) and its two-sided p (``None`` when no stratum
            has both an event and a non-event).
        strata: strata used; strata_dropped: strata without patients in one arm.
    """

    difference: float
    se: float
    lower: float
    upper: float
    level: float
    cmh_statistic: float | None
    p_value: float | None
    strata: int
    strata_dropped: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"difference": self.difference, "ci95": [self.lower, self.upper], "se": self.se,
                "level": self.level, "cmh_chi2": self.cmh_statistic, "p_value": self.p_value,
                "strata": self.strata, "strata_dropped": list(self.strata_dropped)}


def mantel_haenszel_difference(tables: dict[str, tuple[int, int, int, int]],
                               level: float = CONFIDENCE_LEVEL) -> StratifiedDifference:
    """MH difference ``p1 − p2`` from ``{stratum: (events1, n1, events2, n2)}``.

    Raises:
        AnalysisError: counts that are not whole numbers with ``0 ≤ events ≤ n``, or no stratum
            with patients in both groups.
    """
    kept, dropped = [], []
    for name, counts in tables.items():
        x1, n1, x2, n2 = (int(c) for c in counts)
        if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
            raise AnalysisError(f"Mantel–Haenszel: stratum {name!r} has counts {counts}; expected "
                                "(events1, n1, events2, n2) with 0 ≤ events ≤ n")
        (kept if n1 and n2 else dropped).append((x1, n1, x2, n2) if n1 and n2 else name)
    if not kept:
        raise AnalysisError("Mantel–Haenszel: no stratum has patients in both groups")
    x1, n1, x2, n2 = (np.array(c, float) for c in zip(*kept))
    total = n1 + n2
    weight = n1 * n2 / total
    difference = float((weight * (x1 / n1 - x2 / n2)).sum() / weight.sum())
    # Sato (1989): Var = (RD · ΣP + ΣQ) / (Σw)²
    P = (n1 ** 2 * x2 - n2 ** 2 * x1 + n1 * n2 * (n2 - n1) / 2) / total ** 2
    Q = (x1 * (n2 - x2) + x2 * (n1 - x1)) / (2 * total)
    variance = (difference * P.sum() + Q.sum()) / weight.sum() ** 2
    se = float(np.sqrt(max(variance, 0.0)))
    z = float(ndtri(0.5 + level / 2))
    statistic = p_value = None
    informative = [np.array([[a, b - a], [c, d - c]]) for a, b, c, d in kept
                   if 0 < a + c < b + d]
    if informative:
        test = StratifiedTable(informative).test_null_odds(correction=False)
        statistic, p_value = float(test.statistic), float(test.pvalue)
    return StratifiedDifference(difference=difference, se=se, lower=difference - z * se,
                                upper=difference + z * se, level=level,
                                cmh_statistic=statistic, p_value=p_value, strata=len(kept),
                                strata_dropped=tuple(dropped))
