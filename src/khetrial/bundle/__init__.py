"""Trial data bundles: a folder of CSV files (``docs/bundle-format.md``) as DataFrames.

::

    from khetrial.bundle import Bundle, read_bundle, write_bundle, validate_bundle, TABLE_NAMES

    bundle = read_bundle("examples/bundle")          # BundleError listing every problem if invalid
    bundle.labs                                        # one DataFrame per file
    write_bundle(bundle.replace(labs=new_labs), "out") # read -> write -> read is lossless

Canonical dtypes (the same for every reader, writer and derivation):

- free text (``patient_id``, ``site_id``, ``screening_id``, ``instrument``, ``scale``, ``item``,
  AE ``term``, screening ``reason``) -> pandas ``"string"``;
- closed code lists (``sex``, ``arm``, ``lesion_depth``, ``lesion_site``, labs ``test``,
  ``drug``, ``dose_unit``, ``frequency``, ``product``, ``sequela``, ``status``, disposition
  ``reason``, AE ``action``) -> unordered ``category`` whose categories are the spec's code
  list in spec order (not the codes present in the data);
- dates -> ``datetime64[ns]`` (NaT when empty);
- numbers -> ``float64`` (NaN when empty);
- integers (``grade``, ``response``) and 0/1 flags (``biopsy``, ``serious``, ``related``,
  ``present``, ``eligible``) -> ``"Int64"`` (<NA> when empty).

Rows are in file order with a fresh RangeIndex; columns are the spec columns in spec order,
then extra (non-spec) columns as ``"string"`` in file order. An absent optional file is an
empty table with every spec column. Written files hold floats in the shortest text that reads
back to the same float, ISO dates, an empty cell for a missing value, RFC 4180 quoting.

The columns, kinds, code lists and ranges are data in :mod:`khetrial.bundle.format`
(:data:`TABLE_SPECS`, :data:`LAB_RANGES`).
"""

from khetrial.bundle.format import LAB_RANGES, TABLE_NAMES, TABLE_SPECS, ColumnSpec, TableSpec
from khetrial.bundle.io import read_bundle, write_bundle
from khetrial.bundle.model import Bundle
from khetrial.bundle.validate import validate_bundle


__all__ = ["Bundle", "ColumnSpec", "LAB_RANGES", "TABLE_NAMES", "TABLE_SPECS", "TableSpec",
           "read_bundle", "validate_bundle", "write_bundle"]
