"""The statistical analysis plan (``docs/analysis-plan.md``): a :class:`Bundle` in,
typed :class:`Results` out.

- :mod:`khetrial.sap.plan`: :func:`analyse`, :func:`describe`, :func:`analyse_or_describe`.
- :mod:`khetrial.sap.results`: the frozen result dataclasses and their results.json form.
- :mod:`khetrial.sap.summaries`: the descriptive tables (weekly platelets, baseline).
- :mod:`khetrial.sap.provenance`: version, bundle checksums, time of the run.
"""

from khetrial.sap.plan import adsl_for_csv, analyse, analyse_or_describe, describe
from khetrial.sap.provenance import bundle_checksums, data_checksum, provenance
from khetrial.sap.results import MIXED_MODEL_KEY, NOT_ESTIMABLE_KEY, PRIMARY_ENDPOINT, Results

__all__ = ["analyse", "describe", "analyse_or_describe", "adsl_for_csv", "Results", "provenance",
           "bundle_checksums", "data_checksum", "MIXED_MODEL_KEY", "PRIMARY_ENDPOINT", "NOT_ESTIMABLE_KEY"]
