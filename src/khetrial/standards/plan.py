"""The analysis plan as :mod:`khetrial.standards` uses it, imported in this one module.

The plan is :mod:`khetrial.sap`; the endpoint derivations are :mod:`khetrial.endpoints`.
"""

from __future__ import annotations

from khetrial.endpoints.adsl import (
    ADSL_COLUMNS,
    ADSL_EXTRA_COLUMNS,
    BINARY_ENDPOINTS,
    AnalysisTables,
    derive_analysis_tables,
)
from khetrial.sap import analyse

__all__ = ["ADSL_COLUMNS", "ADSL_EXTRA_COLUMNS", "BINARY_ENDPOINTS", "AnalysisTables", "analyse",
           "derive_analysis_tables"]
