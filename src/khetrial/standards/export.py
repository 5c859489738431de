"""Write a bundle in a data standard: ``sdtm``, ``adam``, ``odm``, ``spss`` or ``stata``.

:func:`export_standard` is what ``khetrial export --format`` and the download page call: it
derives the datasets, writes them into a folder and returns the files written.

- ``sdtm``: SDTM domains as SAS transport v5 and CSV, with ``define.xml`` (Define-XML 2.0);
- ``adam``: ADaM datasets as SAS transport v5 and CSV, with ``define.xml``;
- ``odm``: one CDISC ODM 1.3.2 file ``khetrial-odm.xml`` (study metadata and clinical data);
- ``spss`` / ``stata``: the ADaM datasets with variable and value labels (``.sav`` / ``.dta``).

Every format carries the allocation (arm): a blinded role must be offered none of them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from khetrial.errors import ConfigurationError
from khetrial.standards.adam import derive_adam
from khetrial.standards.adam_metadata import ADAM_DATASETS
from khetrial.standards.define import write_define
from khetrial.standards.labelled import write_labelled
from khetrial.standards.metadata import SDTM_DATASETS
from khetrial.standards.odm import ODM_FILE, write_odm
from khetrial.standards.sdtm import derive_sdtm
from khetrial.standards.xport import write_datasets

FORMATS = ("sdtm", "adam", "odm", "spss", "stata")


def export_standard(bundle, out: str | Path, fmt: str, created: datetime | None = None) -> list[Path]:
    """Write ``bundle`` as ``fmt`` into the folder ``out`` (created if needed); returns the files.
    ``created`` is the time stamped into Define-XML/ODM (default: now, UTC)."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"export format: got {fmt!r}; expected one of {', '.join(FORMATS)}")
    created = (created or datetime.now(timezone.utc)).replace(microsecond=0)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "odm":
        return [write_odm(bundle, out / ODM_FILE, created)]
    if fmt == "sdtm":
        datasets, data, standard = SDTM_DATASETS, derive_sdtm(bundle), "SDTM"
    else:
        datasets, data, standard = ADAM_DATASETS, derive_adam(bundle), "ADaM"
    if fmt in ("spss", "stata"):
        return write_labelled(datasets, data, out, fmt)
    files = write_datasets(datasets, data, out)
    return [*files, write_define(datasets, data, standard, out, created)]
