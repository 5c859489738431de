"""The analysis plan as :mod:`khetrial.standards` uses it, imported in this one module.

The plan's code is moving (``khetrial.analysis`` → ``khetrial.sap``); when it moves, only the
imports below change. The endpoint derivations stay in :mod:`khetrial.endpoints`.
"""

from __future__ import annotations

from khetrial.analysis import analyse
from khetrial.endpoints.adsl import (
    ADSL_COLUMNS,
    ADSL_EXTRA_COLUMNS,
    BINARY_ENDPOINTS,
    AnalysisTables,
    derive_analysis_tables,
)

__all__ = ["ADSL_COLUMNS", "ADSL_EXTRA_COLUMNS", "BINARY_ENDPOINTS", "AnalysisTables", "analyse",
           "derive_analysis_tables"]
