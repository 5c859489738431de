"""Missing-data sensitivity of a binary endpoint: observed cases and a tipping-point grid.

The plan imputes a missing outcome as a non-response. A reviewer asks two things: what the
comparison is among the patients actually observed (observed-case analysis), and how many of the
imputed patients would have to have responded, in which arm, before the conclusion changes
(tipping point; Yan, Lee & Li, *J Biopharm Stat* 2009). For ``m1`` imputed patients of the
experimental arm and ``m2`` of the control arm, the grid holds, for every ``i ≤ m1`` and ``j ≤ m2``
imputed responders, the difference and Fisher's p of ``(x1 + i)/n1`` vs ``(x2 + j)/n2``; a
*tipping point* is a cell where p ≥ α although the plan's analysis (``i = j = 0``) has p < α.
"""

from __future__ import annotations

from dataclasses import dataclass

from khetrial.constants import ALPHA
from khetrial.errors import AnalysisError
from khetrial.stats.significance import fisher_exact


@dataclass(frozen=True)
class TippingPoint:
    """The observed-case comparison and the tipping-point grid of one binary endpoint.

    Attributes:
        observed_difference, observed_p: among patients not imputed (``x/(n − m)``); ``None``
            when an arm has no observed patient.
        missing: imputed patients per arm (experimental, control).
        grid: ``grid[i][j] = (difference, p)`` with ``i`` and ``j`` imputed responders.
        tipping: the cells ``(i, j)`` where the conclusion at ``alpha`` changes.
    """

    observed_difference: float | None
    observed_p: float | None
    missing: tuple[int, int]
    grid: tuple[tuple[tuple[float, float], ...], ...]
    tipping: tuple[tuple[int, int], ...]
    alpha: float

    def to_dict(self) -> dict:
        return {"observed_difference": self.observed_difference, "observed_p": self.observed_p,
                "missing": list(self.missing), "alpha": self.alpha,
                "grid": [[{"difference": d, "p_value": p} for d, p in row] for row in self.grid],
                "tipping": [list(cell) for cell in self.tipping]}


def tipping_point(events1: int, n1: int, missing1: int, events2: int, n2: int, missing2: int,
                  alpha: float = ALPHA) -> TippingPoint:
    """Observed-case analysis and tipping-point grid; ``missing`` counts are among the non-events.

    Raises:
        AnalysisError: more imputed patients than non-events in an arm, or impossible counts.
    """
    for arm, (x, n, m) in {"experimental": (events1, n1, missing1), "control": (events2, n2, missing2)}.items():
        if not (0 <= x <= n and 0 <= m <= n - x):
            raise AnalysisError(f"tipping point: the {arm} arm has {x} events of {n} with {m} imputed; "
                                "the imputed patients must be among the n − events non-responders")
    observed_difference = observed_p = None
    if n1 > missing1 and n2 > missing2:
        observed_difference = events1 / (n1 - missing1) - events2 / (n2 - missing2)
        observed_p = fisher_exact(events1, n1 - missing1, events2, n2 - missing2)
    grid = tuple(tuple(((events1 + i) / n1 - (events2 + j) / n2, fisher_exact(events1 + i, n1, events2 + j, n2))
                       for j in range(missing2 + 1)) for i in range(missing1 + 1))
    significant = grid[0][0][1] < alpha
    tipping = tuple((i, j) for i, row in enumerate(grid) for j, (_, p) in enumerate(row)
                    if (p < alpha) != significant)
    return TippingPoint(observed_difference=observed_difference, observed_p=observed_p,
                        missing=(missing1, missing2), grid=grid, tipping=tipping, alpha=alpha)
