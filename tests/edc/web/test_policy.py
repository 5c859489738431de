"""The edit policy (khetrial.edc.web.policy) and the web tables derived from the bundle format."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from khetrial.bundle.format import TABLE_NAMES
from khetrial.edc.web import policy
from khetrial.edc.web.blinding import BLINDED_ALLOWED
from khetrial.edc.web.tables import ALL_TABLES, CLINICAL_TABLES

VIEWS = Path(policy.__file__).parent / "views"


@pytest.mark.parametrize("role, tables", [
    # project choice: investigators enter every clinical table, the blinded assessor only the
    # assessments it makes (MRI volumes, sequelae); other roles enter nothing
    ("investigator", tuple(CLINICAL_TABLES)),
    ("assessor", ("mri", "sequelae")),
    ("statistician", ()),
    ("monitor", ()),
    ("admin", ()),
])
def test_who_may_edit_which_table(role, tables):
    assert tuple(t for t in TABLE_NAMES if policy.may_edit(role, t)) == tables


def test_patients_and_screening_are_not_edited_through_record_forms():
    assert not policy.may_edit("investigator", "patients")
    assert not policy.may_edit("investigator", "screening")


def test_the_patient_views_no_longer_import_the_entry_views():
    tree = ast.parse((VIEWS / "patients.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "khetrial.edc.web.views.entry" not in imported


# The column order of bundle-format.md, key columns shown as their objects (site, patient)
@pytest.mark.parametrize("table, fields, date_field", [
    ("patients", ("patient_id", "site", "sex", "birth_date", "randomization_date", "arm",
                  "weight_kg", "height_cm", "lesion_depth", "lesion_site", "kmp_onset_date",
                  "biopsy"), "randomization_date"),
    ("screening", ("screening_id", "site", "date", "eligible", "reason", "patient"), "date"),
    ("medications", ("drug", "start_date", "end_date", "dose", "dose_unit", "frequency"),
     "start_date"),
    ("adverse_events", ("term", "onset_date", "end_date", "grade", "serious", "related",
                        "action"), "onset_date"),
    ("labs", ("date", "test", "value"), "date"),
])
def test_web_tables_follow_the_bundle_format(table, fields, date_field):
    t = ALL_TABLES[table]
    assert (t.fields, t.date_field) == (fields, date_field)
    model = t.model_class()
    assert all(model._meta.get_field(f) for f in fields)


def test_the_web_shows_every_bundle_table():
    assert tuple(ALL_TABLES) == TABLE_NAMES


def test_the_policies_name_only_real_tables_and_fields():
    for table, fields in BLINDED_ALLOWED.items():
        assert set(fields) <= set(ALL_TABLES[table].fields), table
    assert set(policy.EDITORS) <= set(CLINICAL_TABLES)
