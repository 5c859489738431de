"""A bundle as one CDISC ODM 1.3.2 document: study metadata and clinical data.

The metadata is the bundle format itself (:data:`khetrial.bundle.format.TABLE_SPECS`): one
``FormDef`` and one repeating ``ItemGroupDef`` per bundle file, one ``ItemDef`` per column
(kind → ODM data type, plausible range → ``RangeCheck``), one ``CodeList`` per closed code
list; extra columns of the bundle become text items, so nothing is lost. The clinical data
has one ``SubjectData`` per patient (``SubjectKey`` = ``patient_id``) with one study event;
each bundle row is an ``ItemGroupData`` whose ``ItemGroupRepeatKey`` is its row number in the
file, and each non-empty cell an ``ItemData``. Screening rows of people never randomized sit
under a subject keyed by their ``screening_id``.

Written with lxml (odmlib's object model builds every element as a Python object, too slow for
the ~100,000 cells of a trial); read back by :mod:`khetrial.standards.odm_read`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from lxml import etree

from khetrial.bundle.format import CODE, DATE, FLAG, FLAG_CODES, INTEGER, NUMBER, TABLE_SPECS, ColumnSpec
from khetrial.standards.define import ODM_NS, XML_LANG
from khetrial.standards.terminology import STUDY_ID

ODM_FILE = "khetrial-odm.xml"
STUDY_EVENT = "SE.TRIAL"
METADATA_VERSION = "MDV.BUNDLE.1"
DATA_TYPES = {NUMBER: "float", INTEGER: "integer", FLAG: "integer", DATE: "date"}  # else text
SUBJECT_TABLE = "patients"  # whose rows make the subjects
EXTRA_DESCRIPTION = "extra column of the bundle (kept, not analysed)"


def _odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def form_oid(table: str) -> str:
    return f"F.{table.upper()}"


def group_oid(table: str) -> str:
    return f"IG.{table.upper()}"


def item_oid(table: str, column: str) -> str:
    return f"IT.{table.upper()}.{column.upper()}"


def codelist_oid(table: str, column: str) -> str:
    return f"CL.{table.upper()}.{column.upper()}"


def carries_subject(table: str) -> bool:
    """Whether ``patient_id`` is the subject key of this table's rows (not an item)."""
    return table != "screening"


def item_columns(table: str, frame: pd.DataFrame | None = None) -> list[ColumnSpec]:
    """The columns of ``table`` stored as items: the spec's (without the subject's patient_id),
    then the extra columns of ``frame`` as text."""
    spec = TABLE_SPECS[table]
    columns = [c for c in spec.columns if not (c.name == "patient_id" and carries_subject(table))]
    if frame is not None:
        columns += [ColumnSpec(name, "text", required=False) for name in frame.columns
                    if name not in spec.column_names]
    return columns


def _text(parent, tag: str, text: str):
    element = etree.SubElement(parent, _odm(tag))
    translated = etree.SubElement(element, _odm("TranslatedText"))
    translated.set(XML_LANG, "en")
    translated.text = text
    return element


def _metadata(study, bundle) -> None:
    mdv = etree.SubElement(study, _odm("MetaDataVersion"), OID=METADATA_VERSION,
                           Name="khetrial bundle format",
                           Description="docs/bundle-format.md as ODM study metadata")
    protocol = etree.SubElement(mdv, _odm("Protocol"))
    etree.SubElement(protocol, _odm("StudyEventRef"), StudyEventOID=STUDY_EVENT, OrderNumber="1",
                     Mandatory="Yes")
    event = etree.SubElement(mdv, _odm("StudyEventDef"), OID=STUDY_EVENT, Name="Trial",
                             Repeating="No", Type="Common")
    for order, spec in enumerate(TABLE_SPECS.values(), start=1):
        etree.SubElement(event, _odm("FormRef"), FormOID=form_oid(spec.name), OrderNumber=str(order),
                         Mandatory="Yes" if spec.required else "No")
    for spec in TABLE_SPECS.values():
        form = etree.SubElement(mdv, _odm("FormDef"), OID=form_oid(spec.name), Name=spec.file,
                                Repeating="No")
        etree.SubElement(form, _odm("ItemGroupRef"), ItemGroupOID=group_oid(spec.name),
                         Mandatory="Yes" if spec.required else "No")
    columns = {name: item_columns(name, getattr(bundle, name)) for name in TABLE_SPECS}
    for name, cols in columns.items():
        group = etree.SubElement(mdv, _odm("ItemGroupDef"), OID=group_oid(name), Name=name,
                                 Repeating="Yes")
        for order, col in enumerate(cols, start=1):
            etree.SubElement(group, _odm("ItemRef"), ItemOID=item_oid(name, col.name),
                             OrderNumber=str(order), Mandatory="Yes" if col.required else "No")
    for name, cols in columns.items():
        for col in cols:
            _item_def(mdv, name, col, extra=col.name not in TABLE_SPECS[name].column_names)
    for name, cols in columns.items():
        for col in cols:
            if col.kind in (CODE, FLAG):
                _code_list(mdv, name, col)


def _item_def(mdv, table: str, col: ColumnSpec, extra: bool) -> None:
    item = etree.SubElement(mdv, _odm("ItemDef"), OID=item_oid(table, col.name), Name=col.name,
                            DataType=DATA_TYPES.get(col.kind, "text"))
    _text(item, "Description", EXTRA_DESCRIPTION if extra else col.allowed())
    for comparator, bound in (("GE", col.low), ("LE", col.high)):
        if bound is not None:
            check = etree.SubElement(item, _odm("RangeCheck"), Comparator=comparator, SoftHard="Hard")
            etree.SubElement(check, _odm("CheckValue")).text = f"{bound:g}"
    if col.kind in (CODE, FLAG):
        etree.SubElement(item, _odm("CodeListRef"), CodeListOID=codelist_oid(table, col.name))


def _code_list(mdv, table: str, col: ColumnSpec) -> None:
    codes = FLAG_CODES if col.kind == FLAG else col.codes
    element = etree.SubElement(mdv, _odm("CodeList"), OID=codelist_oid(table, col.name),
                               Name=f"{table}.{col.name}",
                               DataType="integer" if col.kind == FLAG else "text")
    decodes = {"0": "No", "1": "Yes"} if col.kind == FLAG else {}
    for code in codes:
        item = etree.SubElement(element, _odm("CodeListItem"), CodedValue=code)
        _text(item, "Decode", decodes.get(code, code.replace("_", " ")))


def cell_text(value, kind: str) -> str | None:
    """A cell as ODM writes it (as the bundle's CSV does); ``None`` for a missing value."""
    if value is None or pd.isna(value):
        return None
    if kind == DATE:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == NUMBER:
        return repr(float(value)).removesuffix(".0")
    if kind in (INTEGER, FLAG):
        return str(int(value))
    return str(value)


def _subject_keys(bundle) -> dict[str, list[str]]:
    """Per table, the subject key of each row."""
    keys = {}
    for name, frame in bundle.tables.items():
        if carries_subject(name):
            keys[name] = frame["patient_id"].astype(str).tolist()
        else:
            ids = frame["patient_id"].astype(object)
            keys[name] = [str(p) if pd.notna(p) else str(s)
                          for p, s in zip(ids, frame["screening_id"].astype(object))]
    return keys


def _clinical_data(root, bundle) -> None:
    data = etree.SubElement(root, _odm("ClinicalData"), StudyOID=f"ST.{STUDY_ID}",
                            MetaDataVersionOID=METADATA_VERSION)
    keys = _subject_keys(bundle)
    order = list(dict.fromkeys(k for name in TABLE_SPECS for k in keys[name]))
    forms: dict[str, dict[str, etree._Element]] = {}
    events = {}
    for key in order:
        subject = etree.SubElement(data, _odm("SubjectData"), SubjectKey=key)
        events[key] = etree.SubElement(subject, _odm("StudyEventData"), StudyEventOID=STUDY_EVENT)
        forms[key] = {}
    for name, frame in bundle.tables.items():
        cols = item_columns(name, frame)
        for row, (key, values) in enumerate(zip(keys[name], frame[[c.name for c in cols]].itertuples(
                index=False, name=None)), start=1):
            if name not in forms[key]:
                forms[key][name] = etree.SubElement(events[key], _odm("FormData"), FormOID=form_oid(name))
            group = etree.SubElement(forms[key][name], _odm("ItemGroupData"),
                                     ItemGroupOID=group_oid(name), ItemGroupRepeatKey=str(row))
            for col, value in zip(cols, values):
                text = cell_text(value, col.kind)
                if text is not None:
                    etree.SubElement(group, _odm("ItemData"), ItemOID=item_oid(name, col.name),
                                     Value=text)


def build_odm(bundle, created: datetime) -> etree._ElementTree:
    """The ODM 1.3.2 document of ``bundle``; ``created`` is its ``CreationDateTime``."""
    root = etree.Element(_odm("ODM"), nsmap={None: ODM_NS})
    root.attrib.update({"FileType": "Snapshot", "FileOID": f"ODM.{STUDY_ID}",
                        "CreationDateTime": created.isoformat(timespec="seconds"),
                        "ODMVersion": "1.3.2", "Granularity": "All", "Originator": "khetrial"})
    study = etree.SubElement(root, _odm("Study"), OID=f"ST.{STUDY_ID}")
    variables = etree.SubElement(study, _odm("GlobalVariables"))
    for tag in ("StudyName", "StudyDescription", "ProtocolName"):
        etree.SubElement(variables, _odm(tag)).text = STUDY_ID
    _metadata(study, bundle)
    _clinical_data(root, bundle)
    return etree.ElementTree(root)


def write_odm(bundle, path: str | Path, created: datetime) -> Path:
    """Write the ODM document of ``bundle`` to ``path``; returns the path."""
    path = Path(path)
    build_odm(bundle, created).write(str(path), xml_declaration=True, encoding="UTF-8",
                                     pretty_print=True)
    return path
