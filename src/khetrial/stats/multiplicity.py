"""Multiplicity across the secondary endpoints: Holm's step-down adjustment.

The publication tests nine secondary binary endpoints at 2-sided α = 0.05 each without
adjustment. The report keeps those p-values (they are the publication's) and adds Holm-adjusted
ones in an extra, labelled column (Holm 1979; statsmodels' ``multipletests(method="holm")``, as
R's ``p.adjust(p, "holm")``).
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

from khetrial.errors import AnalysisError


def holm(p_values: dict[str, float | None]) -> dict[str, float | None]:
    """Holm-adjusted p-values for a family ``{endpoint: p}``; a missing p stays missing and is
    not part of the family."""
    present = {name: float(p) for name, p in p_values.items() if p is not None and np.isfinite(p)}
    if any(not 0.0 <= p <= 1.0 for p in present.values()):
        raise AnalysisError(f"Holm adjustment: got p-values outside 0…1: {present}")
    adjusted = dict.fromkeys(p_values)
    if present:
        _, corrected, _, _ = multipletests(list(present.values()), method="holm")
        adjusted.update(zip(present, (float(p) for p in corrected)))
    return adjusted
