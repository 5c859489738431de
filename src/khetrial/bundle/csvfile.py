"""Reading one bundle CSV file as text cells with spreadsheet line numbers, and writing one.

A file is decoded as UTF-8 (a leading byte-order mark is allowed) and parsed with the
:mod:`csv` module, so quoted fields may hold commas, quotes and newlines. The line number of
a record is the line on which it starts, as a spreadsheet or text editor shows it (the
header is line 1); a record with a quoted newline spans several lines. Completely blank
lines are skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from khetrial.errors import Problem

LINE_TERMINATOR = "\r\n"  # RFC 4180; also makes the csv module quote cells holding \r or \n
#: A text cell starting with one of these is a formula to a spreadsheet (OWASP "CSV
#: injection"): ``=``, ``+``, ``-``, ``@``, tab, carriage return.
FORMULA_STARTS = "=+-@\t\r"
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
#: Reading limits (project choice): room for a 10,000-patient trial. Its labs.csv, with 200
#: laboratory rows per child (a count every 2 days for 8 weeks, then monthly, of several tests),
#: has 2 million rows and 64 MB; these limits are twice that. A bigger file is refused before
#: it is read, so the memory of reading stays bounded.
MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_ROWS = 4_000_000
#: Rows with a wrong number of cells reported at most per file; reading stops after them.
MAX_ROW_PROBLEMS = 1000


@dataclass
class RawTable:
    """A CSV file as text: ``frame`` holds ``str`` cells (``None`` when empty), ``lines`` the
    line number of each row, ``header`` the column names in file order. ``distinct``: for a
    file read by pandas' C reader, each column as ``(codes, cells)``, its distinct cells and
    each row's index into them (``frame[name]`` is ``cells[codes]``), so that a column is
    parsed once per distinct cell; empty for a file read by the :mod:`csv` module."""

    file: str
    header: list[str]
    frame: pd.DataFrame
    lines: list[int]
    problems: list[Problem] = field(default_factory=list)
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def escape_formula(cell: str) -> str:
    """A text cell as written to a CSV file: one ``'`` added in front of a cell that starts
    with a formula character (OWASP), or with quotes ``'`` followed by one, so that
    :func:`unescape_formula` gives the cell back exactly (``=1+1`` -> ``'=1+1``,
    ``'=x`` -> ``''=x``; anything else unchanged)."""
    return "'" + cell if _NEEDS_ESCAPE.match(cell) else cell


def unescape_formula(cell: str) -> str:
    """The inverse of :func:`escape_formula` (a cell read from a bundle file)."""
    return cell[1:] if _ESCAPED.match(cell) else cell


def spreadsheet_cell(value):
    """A value for a CSV download opened in a spreadsheet: text escaped with
    :func:`escape_formula`; numbers, dates and ``None`` as they are."""
    return escape_formula(value) if isinstance(value, str) else value


def read_raw(path: Path) -> RawTable:
    """Read ``path`` into a :class:`RawTable`; every problem with the file itself (unreadable,
    not UTF-8, no header, duplicate column names, rows with a wrong number of cells) is in
    ``problems`` and such rows are left out."""
    file = path.name
    empty = RawTable(file, [], pd.DataFrame(), [])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            empty.problems.append(Problem(
                file, None, None, None,
                f"the file has {size:,} bytes; a bundle file may have at most {MAX_FILE_BYTES:,} "
                "bytes (reading limit); split the trial's data or check the file"))
            return empty
        data = path.read_bytes()
    except OSError as error:
        empty.problems.append(Problem(file, None, None, None,
                                      f"cannot read the file ({error.strerror or error}); check "
                                      "that it is a readable file"))
        return empty
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start:error.end].hex(" ")
        empty.problems.append(Problem(file, line, None, f"bytes {bad}",
                                      "the file is not UTF-8 text; save it as CSV UTF-8"))
        return empty
    del data  # the text holds it; the bytes are not kept while the text is parsed
    return parse_text(file, text)


def parse_text(file: str, text: str) -> RawTable:
    """Parse CSV ``text`` of the file named ``file`` (see :func:`read_raw`)."""
    simple = _parse_simple(file, text)
    if simple is not None:
        return simple
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not record:
                continue  # blank line
            if header is None:
                header = record
                problems.extend(_header_problems(file, header, start))
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(file, start, None, None,
                                        f"the file has more than {MAX_ROWS:,} rows (reading "
                                        "limit); reading stopped here"))
                break
            if len(record) != len(header):
                if len(problems) >= MAX_ROW_PROBLEMS:
                    problems.append(Problem(file, start, None, None,
                                            f"more than {MAX_ROW_PROBLEMS:,} rows with a wrong "
                                            "number of cells; reading stopped here"))
                    break
                problems.append(Problem(
                    file, start, None, None,
                    f"the row has {len(record)} cells but the header has {len(header)}; "
                    "every row needs one cell per column (quote cells that contain commas)"))
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as error:
        problems.append(Problem(file, reader.line_num, None, None,
                                f"the file is not valid CSV ({error}); check the quoting"))
    if header is None:
        if not problems:
            problems.append(Problem(file, 1, None, None,
                                    "the file is empty; expected a header row with the column names"))
        return RawTable(file, [], pd.DataFrame(), [], problems)
    columns = _unique(header)
    return RawTable(file, columns, _text_frame(columns, rows), lines, problems)


def _text_frame(columns: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """Rows of cells as a frame of ``str`` cells, ``None`` for an empty one (column by column)."""
    data = {}
    for index, name in enumerate(columns):
        data[name] = shared_cells(np.array([row[index] for row in rows], dtype=object))
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)), dtype=object)


def _parse_simple(file: str, text: str) -> RawTable | None:
    """The common file read by pandas' C reader: no quotes, no lone carriage return, no NUL,
    no byte-order mark left, at least two columns, every non-blank line with the header's
    number of cells and no more than :data:`MAX_ROWS` rows. Then each line is one record, the same the :mod:`csv` reader
    gives; ``None`` (read with :mod:`csv`) for any other file."""
    if ('"' in text or "\0" in text or "\ufeff" in text  # pandas may drop a BOM
            or text.count("\r") != text.count("\r\n")):
        return None
    encoded = text.encode("utf-8")
    records = _record_lines(text, encoded)
    if len(records) < 2 or len(records) - 1 > MAX_ROWS:
        return None
    commas = text.count(",")
    # Read as categoricals: the C reader makes one ``str`` per distinct cell of a column, not
    # one per cell (no NUL in the text, checked above, so its C string table reads every cell
    # whole).
    try:
        frame = pd.read_csv(io.BytesIO(encoded), header=None, dtype="category", na_filter=False,
                            skip_blank_lines=True, engine="c", encoding="utf-8")
    except pd.errors.ParserError:  # a row with more cells than the first
        return None
    except pd.errors.EmptyDataError:  # only lines of spaces (the csv module reads those)
        return None
    del encoded
    # No row has more cells than the first (the C reader refuses it) and every comma separates
    # two cells, so these many commas mean every row has the first's cells (the C reader would
    # pad a shorter one); as many rows as non-blank lines (it skips lines of spaces).
    cells = frame.shape[1]
    if cells < 2 or len(frame) != len(records) or commas != (cells - 1) * len(records):
        return None
    header = [str(frame[index].iat[0]) for index in range(frame.shape[1])]
    columns = _unique(header)
    body, distinct = {}, {}
    for index, name in enumerate(columns):
        column = frame[index].array
        uniques = np.asarray(column.categories, dtype=object)
        uniques[uniques == ""] = None
        codes = column.codes[1:]
        distinct[name] = (codes, uniques)
        body[name] = uniques.take(codes)
    del frame
    return RawTable(file, columns, pd.DataFrame(body, index=pd.RangeIndex(len(records) - 1),
                                                dtype=object, copy=False),
                    (records[1:] + 1).tolist(), _header_problems(file, header, int(records[0]) + 1),
                    distinct)


def _record_lines(text: str, encoded: bytes) -> np.ndarray:
    """The 0-based line index of every non-blank line of ``text`` (``encoded``: its UTF-8
    bytes; line ends ``\n`` or ``\r\n``): counted when no line is blank, else located."""
    if text and not text.startswith(("\n", "\r\n")) and "\n\n" not in text and "\n\r\n" not in text:
        return np.arange(text.count("\n") + (not text.endswith("\n")))
    data = np.frombuffer(encoded, dtype=np.uint8)
    breaks = np.flatnonzero(data == ord("\n"))
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(data)]
    length = ends - starts
    length[length > 0] -= data[ends[length > 0] - 1] == ord("\r")
    return np.flatnonzero(length > 0)  # blank lines are skipped


def shared_cells(cells: np.ndarray) -> np.ndarray:
    """Text cells with ``None`` for an empty one, equal cells sharing one ``str`` (a column
    repeats its ids, dates and codes: one object each instead of one per cell). A dict, not
    ``pandas.factorize``, whose C string table would take ``"a\\0b"`` for ``"a"``."""
    first: dict[str, str] = {}
    return np.fromiter((first.setdefault(v, v) if v else None for v in cells), object, len(cells))


def _header_problems(file: str, header: list[str], line: int) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.append(Problem(file, line, None, None,
                                    "a column has an empty name; every column needs a name"))
        elif name in seen:
            problems.append(Problem(file, line, name, name,
                                    "the column name appears twice; every column name must be unique"))
        seen.add(name)
    return problems


def _unique(header: list[str]) -> list[str]:
    """Column names made unique (duplicates and empty names get a suffix) so that a frame can
    hold them; the problem is already reported."""
    out: list[str] = []
    for i, name in enumerate(header):
        candidate = name or f"_unnamed_{i + 1}"
        while candidate in out:
            candidate += f"_{i + 1}"
        out.append(candidate)
    return out


def write_rows(path: Path, header: list[str], rows: Iterable[Sequence[str]]) -> None:
    """Write ``header`` and ``rows`` (text cells, ``""`` = empty) as UTF-8 RFC 4180 CSV."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
