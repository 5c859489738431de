"""Provenance: the checksums of a bundle are those of its files, whether it was read from a
folder or is held in memory (a database export), computed without writing a folder."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from khetrial.bundle import Bundle, read_bundle, write_bundle
from khetrial.bundle.csvfile import write_rows
from khetrial.sap.provenance import bundle_checksums, data_checksum, table_csv_bytes, utc_stamp

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"


def sha256_of_files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


@pytest.mark.parametrize("rows", [[], [["a", ""]], [["with, comma", 'with "quote"'], ["line\nbreak", "é"]]])
def test_in_memory_csv_bytes_are_the_bytes_the_bundle_writer_writes(rows, tmp_path):
    write_rows(tmp_path / "t.csv", ["x", "y"], rows)
    assert table_csv_bytes(["x", "y"], rows) == (tmp_path / "t.csv").read_bytes()


def test_a_bundle_in_memory_has_the_checksums_of_its_written_files(tmp_path, monkeypatch):
    in_memory = Bundle.from_tables(**read_bundle(EXAMPLE).tables)
    assert in_memory.source is None
    write_bundle(in_memory, tmp_path)

    def no_folder(*args, **kwargs):
        raise AssertionError("a temporary folder was made")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    assert bundle_checksums(in_memory) == sha256_of_files(tmp_path)


def test_a_bundle_read_from_a_folder_has_the_checksums_of_the_files_as_they_lie():
    assert bundle_checksums(read_bundle(EXAMPLE)) == sha256_of_files(EXAMPLE)


def test_the_data_checksum_changes_with_any_file():
    files = {"labs.csv": "a" * 64, "patients.csv": "b" * 64}
    # sha256 of the lines "labs.csv:aaa…\npatients.csv:bbb…\n" (name order, whatever the dict order)
    expected = hashlib.sha256(f"labs.csv:{'a' * 64}\npatients.csv:{'b' * 64}\n".encode()).hexdigest()
    assert data_checksum(dict(reversed(files.items()))) == expected
    assert data_checksum({**files, "labs.csv": "c" * 64}) != expected


def test_the_run_time_is_written_in_utc():
    # 2026-01-02 05:04:05 at UTC+2 is 03:04:05 UTC
    assert utc_stamp(datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))) == "2026-01-02T03:04:05Z"
