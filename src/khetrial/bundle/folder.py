"""A bundle folder's files as raw text tables, and the canonical :class:`Bundle` made from them.

The lowest layer of reading: :mod:`khetrial.bundle.validate` checks these raw tables,
:mod:`khetrial.bundle.io` reads a folder with or without the checks.
"""

from __future__ import annotations

from pathlib import Path

from khetrial.bundle.coerce import empty_table, parsed_table
from khetrial.bundle.csvfile import RawTable, read_raw
from khetrial.bundle.format import TABLE_NAMES, TABLE_SPECS
from khetrial.bundle.model import Bundle
from khetrial.bundle.parse import ParsedColumn, parse_cells
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


def parse_raw(name: str, raw: RawTable) -> dict[str, ParsedColumn]:
    """Every spec column present in the file ``raw`` of table ``name``, parsed once (once per
    distinct cell when the file has them, :attr:`RawTable.distinct`)."""
    out = {}
    for col in TABLE_SPECS[name].columns:
        if col.name not in raw.header:
            continue
        if col.name in raw.distinct:
            codes, cells = raw.distinct[col.name]
            out[col.name] = parse_cells(cells, col).take(codes)
        else:
            out[col.name] = parse_cells(raw.frame[col.name], col)
    return out


def parse_raw_tables(raws: dict[str, RawTable | None]) -> dict[str, dict[str, ParsedColumn]]:
    """:func:`parse_raw` of every file read that has a header."""
    return {name: parse_raw(name, raw) for name, raw in raws.items()
            if raw is not None and raw.header}


def bundle_from_raw(raws: dict[str, RawTable | None], source: Path | None,
                    parsed: dict[str, dict[str, ParsedColumn]] | None = None) -> Bundle:
    """The canonical bundle of raw text tables (``parsed``: their columns already parsed by
    :func:`parse_raw_tables`, reused instead of parsing again)."""
    parsed = parse_raw_tables(raws) if parsed is None else parsed
    tables = {}
    for name, raw in raws.items():
        if name in parsed:
            columns = {column: p.values for column, p in parsed[name].items()}
            tables[name] = parsed_table(name, columns, raw.frame)
        else:
            tables[name] = empty_table(name)
    return Bundle(source=source, **tables)
