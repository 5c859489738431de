"""export_standard: every format from a small bundle with most files empty (khetrial.standards.export)."""

from __future__ import annotations

import pytest

from khetrial.errors import ConfigurationError
from khetrial.standards import FORMATS, export_standard, read_odm

from .conftest import CREATED
from .test_sdtm import small_bundle

EXPECTED = {  # file names per format: the datasets of the metadata modules, lower case
    "sdtm": {"dm.xpt", "suppdm.xpt", "ds.xpt", "ex.xpt", "cm.xpt", "lb.xpt", "pc.xpt", "ae.xpt",
             "pr.xpt", "qs.xpt", "tr.xpt", "ce.xpt", "sv.xpt", "ts.xpt", "define.xml"},
    "adam": {"adsl.xpt", "adlb.xpt", "adae.xpt", "adtte.xpt", "adrs.xpt", "define.xml"},
    "odm": {"khetrial-odm.xml"},
    "spss": {"adsl.sav", "adlb.sav", "adae.sav", "adtte.sav", "adrs.sav"},
    "stata": {"adsl.dta", "adlb.dta", "adae.dta", "adtte.dta", "adrs.dta"},
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_written_for_a_bundle_with_empty_files(fmt, tmp_path):
    files = export_standard(small_bundle(), tmp_path / fmt, fmt, CREATED)
    assert EXPECTED[fmt] <= {f.name for f in files}
    assert all(f.exists() for f in files)


def test_odm_export_reads_back_to_the_same_bundle(tmp_path):
    bundle = small_bundle()
    [path] = export_standard(bundle, tmp_path, "odm", CREATED)
    assert read_odm(path).equals(bundle)


def test_an_unknown_format_is_refused_with_the_allowed_ones(tmp_path):
    with pytest.raises(ConfigurationError, match="got 'sas'; expected one of sdtm, adam, odm, spss, stata"):
        export_standard(small_bundle(), tmp_path, "sas")
