"""Read a CDISC ODM 1.3.2 document written by :mod:`khetrial.standards.odm` back into a bundle.

Item groups map to bundle files and items to columns by the *names* in the document's own
metadata (``ItemGroupDef/@Name``, ``ItemDef/@Name``), so an ODM exported by another EDC whose
forms follow the bundle format reads as well. Rows are put back in ``ItemGroupRepeatKey``
order; the result goes through the bundle's full validation (:func:`khetrial.bundle.read_bundle`),
so an ODM file is accepted exactly when the same data as CSV would be.
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from pathlib import Path

from lxml import etree

from khetrial.bundle import read_bundle
from khetrial.bundle.format import TABLE_SPECS
from khetrial.bundle.model import Bundle
from khetrial.errors import BundleError, Problem
from khetrial.standards.define import ODM_NS
from khetrial.standards.odm import carries_subject

NS = {"odm": ODM_NS}


def _problem(path: Path, message: str, value: str | None = None) -> BundleError:
    return BundleError([Problem(path.name, None, None, value, message)], source=str(path))


def _parse(path: Path) -> etree._Element:
    try:
        root = etree.parse(str(path), etree.XMLParser(huge_tree=True, resolve_entities=False)).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise _problem(path, f"cannot read the ODM file ({error}); expected a CDISC ODM 1.3.2 XML "
                             "document such as `khetrial export OUT --format odm` writes") from None
    if root.tag != f"{{{ODM_NS}}}ODM":
        raise _problem(path, f"expected the root element ODM in namespace {ODM_NS}", root.tag)
    return root


def _names(root: etree._Element, tag: str) -> dict[str, str]:
    return {e.get("OID"): e.get("Name") for e in root.iterfind(f".//odm:{tag}", NS)}


def read_odm_tables(path: str | Path) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Per bundle file found in the ODM document: its column names and its rows (text cells)."""
    path = Path(path)
    root = _parse(path)
    groups, items = _names(root, "ItemGroupDef"), _names(root, "ItemDef")
    columns: dict[str, list[str]] = {}
    for group in root.iterfind(".//odm:ItemGroupDef", NS):
        table = group.get("Name")
        if table not in TABLE_SPECS:
            raise _problem(path, f"item group {group.get('OID')} names no bundle file; expected "
                                 f"one of {', '.join(TABLE_SPECS)}", table)
        names = [items[ref.get("ItemOID")] for ref in group.iterfind("odm:ItemRef", NS)]
        lead = ["patient_id"] if carries_subject(table) else []
        columns[table] = lead + [n for n in names if n not in lead]
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {name: [] for name in columns}
    for subject in root.iterfind(".//odm:ClinicalData/odm:SubjectData", NS):
        key = subject.get("SubjectKey")
        for data in subject.iterfind(".//odm:ItemGroupData", NS):
            table = groups.get(data.get("ItemGroupOID"))
            if table not in rows:
                raise _problem(path, f"subject {key}: data of an undefined item group; "
                                     "expected one defined in the study metadata",
                               data.get("ItemGroupOID"))
            cells = {items[i.get("ItemOID")]: i.get("Value") for i in data.iterfind("odm:ItemData", NS)}
            if carries_subject(table):
                cells["patient_id"] = key
            rows[table].append((int(data.get("ItemGroupRepeatKey") or 0), cells))
    return {name: (columns[name], [cells for _, cells in sorted(rows[name], key=lambda r: r[0])])
            for name in columns}


def read_odm(path: str | Path) -> Bundle:
    """The bundle held in an ODM document (validated; raises :class:`BundleError` listing every
    problem, with the file names of the equivalent CSV bundle)."""
    tables = read_odm_tables(path)
    with tempfile.TemporaryDirectory(prefix="khetrial-odm-") as folder:
        for name, (columns, rows) in tables.items():
            with open(Path(folder) / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        try:
            bundle = read_bundle(folder, validate=True)
        except BundleError as error:
            raise BundleError(error.problems, source=f"{path} (ODM)") from None
    return dataclasses.replace(bundle, source=None)
