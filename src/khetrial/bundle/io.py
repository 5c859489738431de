"""Reading a bundle folder into a :class:`Bundle` and writing one back.

The layers below it: :mod:`khetrial.bundle.folder` reads the files as text tables,
:mod:`khetrial.bundle.validate` checks them; this module only chooses between the two.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from khetrial.bundle.coerce import format_columns
from khetrial.bundle.csvfile import write_rows
from khetrial.bundle.folder import bundle_from_raw, read_raw_tables
from khetrial.bundle.format import TABLE_SPECS, has_file
from khetrial.bundle.model import Bundle
from khetrial.bundle.validate import validate_bundle
from khetrial.errors import BundleError, Problem


def read_bundle(path: str | Path, *, validate: bool = True,
                today: datetime.date | None = None) -> Bundle:
    """Read the bundle folder ``path``.

    With ``validate=True`` (the default) every rule of the format is checked first and one
    :class:`BundleError` lists every problem found in every file (``today``: refuse dates
    after it, see :func:`~khetrial.bundle.validate.validate_bundle`). With ``validate=False``
    the folder is read as far as it can be: values that cannot be read become missing, rows
    with a wrong number of cells are skipped, unreadable files are empty; only a missing
    folder raises.
    """
    path = Path(path)
    if validate:
        return validate_bundle(path, today=today)
    raws, _ = read_raw_tables(path)
    return bundle_from_raw(raws, path)


def write_bundle(bundle: Bundle, path: str | Path) -> None:
    """Write every table of ``bundle`` as ``<name>.csv`` into the folder ``path`` (created
    with its parents if needed; existing bundle files are overwritten). Every file is
    written, also empty optional ones, so that reading it back gives the same bundle; only
    an extension table without rows or extra columns has no file
    (:func:`~khetrial.bundle.format.has_file`; an old one is removed)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise BundleError([Problem(str(path), None, None, None,
                                   "exists and is not a folder; give a folder to write the bundle into")],
                          source=str(path))
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in bundle.tables.items():
        if not has_file(name, frame):
            (path / TABLE_SPECS[name].file).unlink(missing_ok=True)
            continue
        header, columns = format_columns(frame)
        write_rows(path / TABLE_SPECS[name].file, header, zip(*columns))
