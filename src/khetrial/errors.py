"""The project's errors: one root, a few kinds.

::

    KhetrialError                 every error khetrial raises on purpose
    ├── BundleError               a bundle cannot be read or is invalid (lists every problem)
    ├── DatabaseError             the database refuses an operation (existing patients, lock, ...)
    ├── ProtocolError             an input outside what the protocol's rules accept
    ├── AnalysisError             the analysis cannot be run on these data
    ├── PermissionDenied          a role may not do or see this
    └── ConfigurationError        a setting, URL or option is wrong

Messages say what was got, what was expected, and what to do about it. The CLI prints the
message and exits non-zero (2 for invalid input); the web application renders one error page
(HTML) or one JSON object (API) from them.
"""

from __future__ import annotations

from dataclasses import dataclass


class KhetrialError(Exception):
    """Root of every error khetrial raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem found in a bundle: where it is and what is allowed there.

    ``line`` is the line number as a spreadsheet shows it (the header is line 1), or ``None``
    when the problem concerns a whole file or column.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        got = f": got {self.value!r}" if self.value is not None else ""
        return f"{where}{got}; {self.message}"


class BundleError(KhetrialError):
    """A bundle is unreadable or invalid. ``problems`` lists every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str = "bundle"):
        self.problems = tuple(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: {n} problem{'s' if n != 1 else ''} found"
        body = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {n - 50} more" if n > 50 else ""
        super().__init__(f"{head}\n{body}{more}")


class DatabaseError(KhetrialError):
    """The database refuses an operation (patients already present, trial locked, ...)."""

    exit_code = 2


class ProtocolError(KhetrialError, ValueError):
    """An input the protocol's rules cannot accept (a negative weight, an unknown unit...)."""

    exit_code = 2


class AnalysisError(KhetrialError):
    """The analysis cannot be carried out on the data given (invalid data for the plan: exit 2,
    as the README promises for invalid data)."""

    exit_code = 2


class PermissionDenied(KhetrialError):
    """A role may not do or see this."""

    exit_code = 3


class ConfigurationError(KhetrialError):
    """A setting, database URL or command-line option is wrong."""

    exit_code = 2
