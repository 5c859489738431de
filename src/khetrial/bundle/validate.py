"""Checking a bundle folder against every rule of the format, reporting every problem at once.

Each file is read once as text (:mod:`khetrial.bundle.csvfile`) and each column parsed once
(:mod:`khetrial.bundle.parse`); the rules run as vectorised passes over those parsed columns,
which then make the returned :class:`Bundle`. Four layers, all run before anything is raised:

1. the files themselves (:mod:`khetrial.bundle.csvfile`): required files present, readable,
   UTF-8, a header row, unique column names, one cell per column in every row;
2. per-column rules (:mod:`khetrial.bundle.rules`, from
   :data:`~khetrial.bundle.format.TABLE_SPECS`): required columns and non-empty cells, ISO
   dates, numbers, whole numbers, code lists, plausible ranges (laboratory values by test);
3. rules across rows and files (:mod:`khetrial.bundle.crosscheck`): one row per patient,
   known ``patient_id``\\ s, end dates not before start dates, unique ``screening_id``,
   disposition reason against status, a dose unit for every dose;
4. the edit checks of each row (:mod:`khetrial.bundle.checks`, run on whole tables by
   :mod:`khetrial.bundle.tablechecks`), the same the EDC's forms and API apply: identifiers,
   plausible dates (none after ``today`` when it is given), no date before the birth date,
   study data before randomization only in the plan's windows, dose maxima by unit.

Reading is bounded (:data:`~khetrial.bundle.csvfile.MAX_FILE_BYTES`,
:data:`~khetrial.bundle.csvfile.MAX_ROWS`), and at most :data:`MAX_PROBLEMS` problems are
listed, followed by the count of the rest.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from khetrial.bundle.crosscheck import cross_file_problems
from khetrial.bundle.csvfile import RawTable
from khetrial.bundle.folder import bundle_from_raw, parse_raw_tables, read_raw_tables
from khetrial.bundle.format import TABLE_NAMES, TABLE_SPECS
from khetrial.bundle.model import Bundle
from khetrial.bundle.rules import column_problems
from khetrial.bundle.tablechecks import edit_check_problems
from khetrial.errors import BundleError, Problem


#: Problems listed at most; the rest are counted in one closing line (issue 16: a 74 MB
#: invalid file must not take minutes and gigabytes to report).
MAX_PROBLEMS = 1000


def validate_bundle(path: str | Path, *, today: datetime.date | None = None) -> Bundle:
    """Read the bundle folder ``path`` after checking every rule of the format.

    ``today`` (given by the caller; the CLI gives the real date) refuses dates after it;
    without it only dates that can never be stored (after 2262-04-11) are refused.

    Raises one :class:`BundleError` whose ``problems`` list every problem found in every file,
    in file order (:data:`TABLE_NAMES`), then line, then column (at most
    :data:`MAX_PROBLEMS`, then a line counting the rest).
    """
    path = Path(path)
    raws, problems = read_raw_tables(path)
    parsed = parse_raw_tables(raws)
    for name, columns in parsed.items():
        problems.extend(column_problems(TABLE_SPECS[name], raws[name], columns, MAX_PROBLEMS))
    bundle = bundle_from_raw(raws, path, parsed)
    problems.extend(cross_file_problems(bundle, raws))
    problems.extend(edit_check_problems(bundle, raws, parsed, today))
    if problems:
        raise BundleError(capped(sort_problems(problems, raws)), source=str(path))
    return bundle


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems, then one line counting the rest."""
    if len(problems) <= limit:
        return problems
    rest = len(problems) - limit
    return problems[:limit] + [Problem("bundle", None, None, None,
                                       f"{rest:,} more problems not listed (listing stops after "
                                       f"{limit:,}); correct these and validate again")]


def sort_problems(problems: list[Problem], raws: dict[str, RawTable | None]) -> list[Problem]:
    """Problems in file order, then line (file-level first), then column order of the file."""
    file_rank = {TABLE_SPECS[n].file: i for i, n in enumerate(TABLE_NAMES)}

    def key(p: Problem):
        name = p.file.removesuffix(".csv")
        raw = raws.get(name)
        header = raw.header if raw is not None else []
        col = header.index(p.column) if p.column in header else len(header)
        return (file_rank.get(p.file, len(file_rank)), p.line or 0, col)

    return sorted(problems, key=key)
