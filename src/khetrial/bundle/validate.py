"""Validation of a bundle folder (being written)."""

from __future__ import annotations

from pathlib import Path

from khetrial.bundle.io import bundle_from_raw, read_raw_tables
from khetrial.errors import BundleError


def validate_bundle(path):
    path = Path(path)
    raws, problems = read_raw_tables(path)
    if problems:
        raise BundleError(problems, source=str(path))
    return bundle_from_raw(raws, path)
