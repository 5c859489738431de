"""The demo (publication-matched) bundle and its SDTM/ADaM datasets, built once per session."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from khetrial.simulate import simulate_bundle
from khetrial.standards.adam import derive_adam
from khetrial.standards.sdtm import derive_sdtm

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ODM_SCHEMA = SCHEMAS / "cdisc-odm-1.3.2" / "ODM1-3-2.xsd"
DEFINE_SCHEMA = SCHEMAS / "cdisc-define-2.0" / "define2-0-0.xsd"
CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def demo_bundle():
    """The 73-patient cohort whose analysis gives the publication's counts."""
    return simulate_bundle(match_publication=True)


@pytest.fixture(scope="session")
def demo_sdtm(demo_bundle):
    return derive_sdtm(demo_bundle)


@pytest.fixture(scope="session")
def demo_adam(demo_bundle):
    return derive_adam(demo_bundle)
