"""Provenance of a results object: khetrial's version, the SHA-256 of each bundle file and the
UTC time of the run.

A bundle read from a folder (``Bundle.source``) is hashed file by file as it lies on disk; a
bundle without a folder (loaded from a database, built in memory) is hashed as the bundle
writer would write it (:func:`khetrial.bundle.write_bundle`: canonical cells, RFC 4180 CSV,
UTF-8; no file for an extension table without rows), computed in memory, so the same data give
the same checksums either way.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime, timezone

from khetrial import __version__
from khetrial.bundle.coerce import format_table
from khetrial.bundle.csvfile import LINE_TERMINATOR
from khetrial.bundle.format import TABLE_SPECS, has_file
from khetrial.bundle.model import Bundle
from khetrial.sap.results import Provenance


def table_csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """The bytes :func:`khetrial.bundle.csvfile.write_rows` writes for ``header`` and ``rows``."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def bundle_checksums(bundle: Bundle) -> dict[str, str]:
    """SHA-256 of each bundle file, by file name in name order: of the ``*.csv`` files in the
    bundle's source folder when it has one, otherwise of the files the bundle writer would write."""
    if bundle.source is not None and bundle.source.is_dir():
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(bundle.source.glob("*.csv"))}
    digests = {TABLE_SPECS[name].file: hashlib.sha256(table_csv_bytes(*format_table(frame))).hexdigest()
               for name, frame in bundle.tables.items()
               if has_file(name, frame)}  # the files the writer writes
    return dict(sorted(digests.items()))


def data_checksum(files: dict[str, str]) -> str:
    """One SHA-256 over the per-file checksums (``name:digest`` lines in name order): one value
    that changes whenever any bundle file changes."""
    text = "".join(f"{name}:{digest}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def utc_stamp(when: datetime | None = None) -> str:
    """``when`` (default: now) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def provenance(bundle: Bundle, run_at: datetime | None = None) -> Provenance:
    """khetrial's version, each bundle file's SHA-256 and the UTC time of the run."""
    return Provenance(khetrial_version=__version__, bundle_sha256=bundle_checksums(bundle),
                      run_at_utc=utc_stamp(run_at))
