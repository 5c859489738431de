"""Endpoint derivations: bundle tables in, per-patient tables out (SAP, exact).

One concept per module, admiral naming: ``derive_<thing>(table, ...) -> table`` returns a new
table and never mutates or re-sorts its input; ``compute_<x>`` does arithmetic on arrays.

- :mod:`~khetrial.endpoints.windows` — study day, baseline, week / month windows, duplicates
- :mod:`~khetrial.endpoints.censoring` — intercurrent events, the censoring day
- :mod:`~khetrial.endpoints.response` — durable runs (numpy kernels), fibrinogen, KMP rebound
- :mod:`~khetrial.endpoints.lesion` — month-12 lesion category
- :mod:`~khetrial.endpoints.pedsql` — PedsQL totals and improvement
- :mod:`~khetrial.endpoints.transfusions`, :mod:`~khetrial.endpoints.sequelae`,
  :mod:`~khetrial.endpoints.disposition`, :mod:`~khetrial.endpoints.adverse_events`
- :mod:`~khetrial.endpoints.baseline` — baseline characteristics per patient
- :mod:`~khetrial.endpoints.adsl` — the per-patient analysis dataset
"""

from khetrial.endpoints.adsl import ADSL_COLUMNS, BINARY_ENDPOINTS, derive_adsl, derive_analysis_tables
from khetrial.endpoints.response import compute_durable_run_start, compute_rebound

__all__ = ["ADSL_COLUMNS", "BINARY_ENDPOINTS", "compute_durable_run_start", "compute_rebound",
           "derive_adsl", "derive_analysis_tables"]
