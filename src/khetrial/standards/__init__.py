"""Data standards out and in: CDISC SDTM and ADaM (SAS transport v5 + CSV + Define-XML 2.0),
CDISC ODM 1.3.2, SPSS and Stata files with labels.

::

    from khetrial.standards import export_standard, read_odm

    export_standard(bundle, "out/sdtm", "sdtm")      # dm.xpt, dm.csv, ..., define.xml
    export_standard(bundle, "out/odm", "odm")        # khetrial-odm.xml
    bundle = read_odm("out/odm/khetrial-odm.xml")     # the same bundle back (validated)

Map of the package (core layer beside ``report``; no Django):

- :mod:`~khetrial.standards.terminology` CDISC controlled terminology keyed by the bundle's codes
- :mod:`~khetrial.standards.metadata` SDTM datasets and variables; :mod:`~.adam_metadata` ADaM's
- :mod:`~khetrial.standards.sdtm`, :mod:`~.sdtm_findings` SDTM domains of a bundle
- :mod:`~khetrial.standards.adam` ADaM datasets from khetrial's endpoint derivations
  (the analysis plan is imported only in :mod:`~khetrial.standards.plan`)
- :mod:`~khetrial.standards.xport` SAS transport v5 + CSV; :mod:`~.define` Define-XML 2.0
- :mod:`~khetrial.standards.odm`, :mod:`~.odm_read` ODM 1.3.2 out and in
- :mod:`~khetrial.standards.labelled` SPSS / Stata with variable and value labels
- :mod:`~khetrial.standards.export` the one entry point per format
"""

from khetrial.standards.export import FORMATS, export_standard
from khetrial.standards.odm_read import read_odm

__all__ = ["FORMATS", "export_standard", "read_odm"]
