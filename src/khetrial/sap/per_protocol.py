"""The per-protocol sensitivity analysis: the plan's durable platelet response (weeks 1…4, week 4
the primary) on the per-protocol set of :mod:`khetrial.endpoints.populations`.

Only the platelet endpoints of weeks 1…4 are repeated: the set's follow-up rule (a platelet count
on day ≥ 56, or a response or a failure before) settles exactly these; the month-12 and month-24
endpoints would need their own follow-up rule. The ITT results are untouched.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from khetrial.bundle.model import Bundle
from khetrial.constants import ARMS, RESPONSE_WEEKS
from khetrial.endpoints.adsl import AnalysisTables
from khetrial.endpoints.populations import PER_PROTOCOL_REASONS, derive_per_protocol
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.sap.results import BinaryResult, PerProtocol

PER_PROTOCOL_ENDPOINTS = tuple(f"durable_platelet_response_wk{k}" for k in RESPONSE_WEEKS)
"""The endpoints analysed on the per-protocol set (see the module docstring)."""

EMPTY_ARM = "no child of arm {arm} is in the per-protocol set; the arms cannot be compared on it"


def per_protocol_result(bundle: Bundle, tables: AnalysisTables,
                        binary_result: Callable[[pd.DataFrame, str, dict[str, int]], BinaryResult],
                        platelets: pd.DataFrame | None = None) -> PerProtocol:
    """The per-protocol set's N and exclusions per arm, and :data:`PER_PROTOCOL_ENDPOINTS` on it
    computed by ``binary_result`` (the plan's :func:`khetrial.sap.plan.binary_result`: the same
    Newcombe interval and Fisher test as ITT, the set's N as denominator). ``platelets``:
    :func:`derive_lab_measurements` of the bundle's platelets, when already derived."""
    if platelets is None:
        platelets = derive_lab_measurements(bundle.labs, bundle.patients, "platelets")
    population = derive_per_protocol(tables.adsl, bundle.patients, bundle.medications, bundle.disposition,
                                     platelets)
    included = population["per_protocol"].to_numpy()
    arm = population["arm"]
    n = {a: int(((arm == a).fillna(False).to_numpy() & included).sum()) for a in ARMS}
    excluded = {a: {r: int(((arm == a) & (population["pp_exclusion"] == r)).fillna(False).sum())
                    for r in PER_PROTOCOL_REASONS} for a in ARMS}
    empty = [a for a in ARMS if n[a] == 0]
    if empty:
        return PerProtocol(n=n, excluded=excluded, note=EMPTY_ARM.format(arm=" and ".join(empty)))
    adsl = tables.adsl[included]
    return PerProtocol(n=n, excluded=excluded,
                       binary={e: binary_result(adsl, e, n) for e in PER_PROTOCOL_ENDPOINTS})


__all__ = ["PER_PROTOCOL_ENDPOINTS", "per_protocol_result"]
