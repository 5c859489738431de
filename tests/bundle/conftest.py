"""Fixtures of the bundle tests: a private copy of the example bundle and a cell editor."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest


@pytest.fixture
def bundle_copy(tmp_path, example_bundle_dir) -> Path:
    """A copy of examples/bundle that a test may change."""
    target = tmp_path / "bundle"
    shutil.copytree(example_bundle_dir, target)
    return target


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


@pytest.fixture
def edit_cell(bundle_copy):
    """``edit_cell(file, line, column, value)``: set one cell of the copied bundle, where
    ``line`` is the line number as a spreadsheet shows it (the files have no quoted newlines,
    so record k is line k + 1) and returns the value it replaced."""
    def edit(file: str, line: int, column: str, value: str) -> str:
        path = bundle_copy / file
        rows = _rows(path)
        index = rows[0].index(column)
        old = rows[line - 1][index]
        rows[line - 1][index] = value
        _write(path, rows)
        return old
    return edit


@pytest.fixture
def drop_column(bundle_copy):
    """``drop_column(file, column)``: remove a column from a file of the copied bundle."""
    def drop(file: str, column: str) -> None:
        path = bundle_copy / file
        rows = _rows(path)
        index = rows[0].index(column)
        _write(path, [row[:index] + row[index + 1:] for row in rows])
    return drop
