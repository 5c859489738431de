"""The label source (bundle/labels.py): every file, column and code of the format has a label
a clinician reads, without the format's internal spelling."""

from __future__ import annotations

from khetrial.bundle.format import TABLE_SPECS
from khetrial.bundle.labels import (CODE_LABELS, TABLE_LABELS, all_labels, codebook_rows,
                                    column_label, code_label)
from khetrial.constants import ARM_LABELS


def test_every_file_column_and_code_has_a_label():
    assert set(TABLE_LABELS) == set(TABLE_SPECS)
    for table in TABLE_SPECS.values():
        for col in table.columns:
            label = column_label(table.name, col.name)
            assert label != col.name and "_" not in label, (table.name, col.name)
            for code in col.codes:
                assert code in CODE_LABELS[col.name], (col.name, code)
                assert "_" not in code_label(col.name, code), (col.name, code)


def test_no_label_spells_a_name_the_format_way():
    assert [label for label in all_labels() if "_" in label] == []


def test_the_arm_labels_are_the_publications():
    assert CODE_LABELS["arm"] == ARM_LABELS


def test_the_codebook_lists_every_column_and_code():
    rows = codebook_rows()
    columns = {(r["file"], r["column"]) for r in rows}
    assert columns >= {(t.file, c.name) for t in TABLE_SPECS.values() for c in t.columns}
    tiw = [r for r in rows if r["code"] == "tiw_bid"]
    assert tiw == [{"file": "medications.csv", "column": "frequency", "label": "Frequency",
                    "unit": "", "code": "tiw_bid",
                    "code_label": "three times a week, twice a day"}]
    platelets = [r for r in rows if r["column"] == "value" and r["code"] == "platelets"]
    assert platelets[0]["unit"] == "×10⁹/L"  # spec: labs.csv platelets 0–2000 ×10⁹/L
