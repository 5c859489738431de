"""Reading a bundle folder into a :class:`Bundle` and writing one back."""

from __future__ import annotations

import datetime
from pathlib import Path

from khetrial.bundle.coerce import empty_table, format_table, parse_table
from khetrial.bundle.csvfile import RawTable, read_raw, write_rows
from khetrial.bundle.format import TABLE_NAMES, TABLE_SPECS
from khetrial.bundle.model import Bundle
from khetrial.errors import BundleError, Problem


def read_raw_tables(path: Path) -> tuple[dict[str, RawTable | None], list[Problem]]:
    """Every bundle file of the folder ``path`` as text cells (``None`` for an absent file),
    and the problems of the folder and files themselves (missing folder or required file,
    unreadable file, bad CSV)."""
    path = Path(path)
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a folder"
        raise BundleError([Problem(str(path), None, None, None,
                                   f"the bundle folder {what}; give the folder that holds "
                                   "patients.csv, labs.csv, medications.csv ...")], source=str(path))
    raws: dict[str, RawTable | None] = {}
    problems: list[Problem] = []
    for name in TABLE_NAMES:
        spec = TABLE_SPECS[name]
        file = path / spec.file
        if not file.exists():
            raws[name] = None
            if spec.required:
                problems.append(Problem(spec.file, None, None, None,
                                        "required file missing; every bundle needs "
                                        "patients.csv, labs.csv and medications.csv"))
            continue
        raw = read_raw(file)
        raws[name] = raw
        problems.extend(raw.problems)
    return raws, problems


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
        from khetrial.bundle.validate import validate_bundle

        return validate_bundle(path, today=today)
    raws, _ = read_raw_tables(path)
    return bundle_from_raw(raws, path)


def bundle_from_raw(raws: dict[str, RawTable | None], source: Path | None) -> Bundle:
    """The canonical bundle of raw text tables."""
    tables = {name: (parse_table(name, raw.frame) if raw is not None and raw.header
                     else empty_table(name)) for name, raw in raws.items()}
    return Bundle(source=source, **tables)


def write_bundle(bundle: Bundle, path: str | Path) -> None:
    """Write every table of ``bundle`` as ``<name>.csv`` into the folder ``path`` (created
    with its parents if needed; existing bundle files are overwritten). Every file is
    written, also empty optional ones, so that reading it back gives the same bundle."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise BundleError([Problem(str(path), None, None, None,
                                   "exists and is not a folder; give a folder to write the bundle into")],
                          source=str(path))
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in bundle.tables.items():
        header, rows = format_table(frame)
        write_rows(path / TABLE_SPECS[name].file, header, rows)
