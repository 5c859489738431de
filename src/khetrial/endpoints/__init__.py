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

Choices where the analysis plan is silent (a trial statistician's reading, kept in one place):

1. Duplicates of a date: empty-value rows are dropped first, so an empty last row does not
   erase an earlier measurement of that date; then the last row in file order wins.
2. Censoring applies before choosing: a window's "closest" value is chosen among the values
   before the censoring day (SAP: such measurements "are not used"). It also applies to the
   baselines of efficacy endpoints (this matters only for a discontinuation on or before day 0);
   the baseline table uses uncensored baselines.
3. SP reintroduction: the "courses that started before it" are those with a strictly earlier
   start date; an earlier course without end date is still running, so there is no gap.
   Two censoring events on one day report the reason listed first in :mod:`censoring`.
4. KMP rebound: any durable run on days 0…730 counts (not only one that starts by week 4), and a
   later measurement < 100 is one after that run's first day (hence after its end).
5. PedsQL: a questionnaire's items are the distinct item ids in its rows; a repeated item keeps
   its last answered row; a questionnaire whose total is missing is still the one chosen for its
   date (no fall-back to another date), so the value is missing.
6. Adverse events: a patient without any sirolimus course on record is taken as treated on day 0
   only (window days 0…30); an event without onset date is not counted.
7. Sequelae "assessed": at least one row on days 670…790 with a non-empty ``present``.
8. Baseline table: ages and durations in months = days / 30.4375; previous KHE therapy = a
   sirolimus, prednisolone or other KHE therapy course that started before day 0.
"""

from khetrial.endpoints.adsl import ADSL_COLUMNS, BINARY_ENDPOINTS, derive_adsl, derive_analysis_tables
from khetrial.endpoints.response import compute_durable_run_start, compute_rebound

__all__ = ["ADSL_COLUMNS", "BINARY_ENDPOINTS", "compute_durable_run_start", "compute_rebound",
           "derive_adsl", "derive_analysis_tables"]
