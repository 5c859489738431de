"""Choices for the models, read from the bundle format's code lists (never retyped)."""

from __future__ import annotations

from khetrial.bundle.format import TABLE_SPECS
from khetrial.constants import ARM_LABELS


def choices(table: str, column: str) -> list[tuple]:
    """Django ``choices`` for one bundle column: its code list, or its whole-number range."""
    spec = TABLE_SPECS[table].column(column)
    if spec.codes:
        if column == "arm":
            return [(code, f"{code}: {ARM_LABELS[code]}") for code in spec.codes]
        return [(code, code.replace("_", " ")) for code in spec.codes]
    if spec.low is not None and spec.high is not None:
        return [(i, str(i)) for i in range(int(spec.low), int(spec.high) + 1)]
    raise KeyError(f"{table}.{column} has no code list or range")
