"""Define-XML 2.0 of a set of datasets, from the same metadata the datasets were written with.

:func:`build_define` returns the XML document (lxml); :func:`write_define` writes
``define.xml``. One ``ItemGroupDef`` per dataset (with its ``def:leaf`` to the transport file),
one ``ItemDef`` per variable (length = the longest value written, ``def:Origin`` with where
khetrial takes it from), one ``CodeList`` per code list used (NCI codes as ``Alias``).
Validated against the CDISC Define-XML 2.0 schema by the tests.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from lxml import etree

from khetrial.standards.metadata import DATE, FLOAT, INTEGER, Dataset, Variable
from khetrial.standards.terminology import STUDY_ID, CodeList

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STANDARDS = {"SDTM": ("SDTM-IG", "3.2", "Tabulation"), "ADaM": ("ADaM-IG", "1.1", "Analysis")}
DATA_TYPES = {INTEGER: "integer", FLOAT: "float", DATE: "date"}  # everything else: text


def _odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def _def(tag: str) -> str:
    return f"{{{DEF_NS}}}{tag}"


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    translated = etree.SubElement(element, _odm("TranslatedText"))
    translated.set(XML_LANG, "en")
    translated.text = text
    return element


def item_oid(dataset: Dataset, variable: Variable) -> str:
    return f"IT.{dataset.name}.{variable.name}"


def text_length(values: pd.Series) -> int:
    """The longest value in bytes (at least 1): the ``Length`` of a text variable."""
    if values.empty:
        return 1
    return max(1, int(values.astype(str).map(lambda v: len(v.encode("utf-8"))).max()))


def build_define(datasets: tuple[Dataset, ...], data: dict[str, pd.DataFrame], standard: str,
                 created: datetime) -> etree._ElementTree:
    """The Define-XML 2.0 document of ``datasets`` (``standard`` ``"SDTM"`` or ``"ADaM"``)."""
    name, version, purpose = STANDARDS[standard]
    root = etree.Element(_odm("ODM"), nsmap={None: ODM_NS, "def": DEF_NS, "xlink": XLINK_NS})
    root.attrib.update({"FileType": "Snapshot", "FileOID": f"DEF.{STUDY_ID}.{standard}",
                        "ODMVersion": "1.3.2", "Originator": "khetrial",
                        "CreationDateTime": created.isoformat(timespec="seconds")})
    study = etree.SubElement(root, _odm("Study"), OID=f"STDY.{STUDY_ID}")
    variables = etree.SubElement(study, _odm("GlobalVariables"))
    for tag in ("StudyName", "StudyDescription", "ProtocolName"):
        etree.SubElement(variables, _odm(tag)).text = STUDY_ID
    mdv = etree.SubElement(study, _odm("MetaDataVersion"), OID=f"MDV.{STUDY_ID}.{standard}",
                           Name=f"{STUDY_ID} {standard}")
    mdv.set(_def("DefineVersion"), "2.0.0")
    mdv.set(_def("StandardName"), name)
    mdv.set(_def("StandardVersion"), version)
    code_lists: dict[str, CodeList] = {}
    for dataset in datasets:
        _item_group(mdv, dataset, purpose)
    for dataset in datasets:
        for variable in dataset.variables:
            _item_def(mdv, dataset, variable, data[dataset.name][variable.name])
            if variable.codelist is not None:
                code_lists[variable.codelist.oid] = variable.codelist
    for code_list in code_lists.values():
        _code_list(mdv, code_list)
    return etree.ElementTree(root)


def _item_group(mdv: etree._Element, dataset: Dataset, purpose: str) -> None:
    group = etree.SubElement(mdv, _odm("ItemGroupDef"), OID=f"IG.{dataset.name}",
                             Name=dataset.name, Repeating="No" if dataset.name in ("DM", "ADSL") else "Yes",
                             IsReferenceData="Yes" if dataset.name == "TS" else "No",
                             SASDatasetName=dataset.name, Purpose=purpose)
    if dataset.standard == "SDTM" and not dataset.name.startswith("SUPP"):
        group.set("Domain", dataset.name)
    group.set(_def("Structure"), dataset.structure)
    group.set(_def("Class"), dataset.klass)
    group.set(_def("ArchiveLocationID"), f"LF.{dataset.name}")
    _text(group, _odm("Description"), dataset.label)
    for order, variable in enumerate(dataset.variables, start=1):
        ref = etree.SubElement(group, _odm("ItemRef"), ItemOID=item_oid(dataset, variable),
                               OrderNumber=str(order),
                               Mandatory="Yes" if variable.name in dataset.keys else "No")
        if variable.name in dataset.keys:
            ref.set("KeySequence", str(dataset.keys.index(variable.name) + 1))
    leaf = etree.SubElement(group, _def("leaf"), ID=f"LF.{dataset.name}")
    leaf.set(f"{{{XLINK_NS}}}href", f"{dataset.name.lower()}.xpt")
    etree.SubElement(leaf, _def("title")).text = f"{dataset.name.lower()}.xpt"


def _item_def(mdv: etree._Element, dataset: Dataset, variable: Variable, values: pd.Series) -> None:
    item = etree.SubElement(mdv, _odm("ItemDef"), OID=item_oid(dataset, variable),
                            Name=variable.name, DataType=DATA_TYPES.get(variable.kind, "text"))
    if variable.numeric:
        item.set("Length", "8")
    elif variable.kind != DATE:  # ISO dates: no Length in Define-XML
        item.set("Length", str(text_length(values)))
    item.set("SASFieldName", variable.name)
    _text(item, _odm("Description"), variable.label)
    if variable.codelist is not None:
        etree.SubElement(item, _odm("CodeListRef"), CodeListOID=variable.codelist.oid)
    origin = etree.SubElement(item, _def("Origin"), Type=variable.origin)
    if variable.source:
        _text(origin, _odm("Description"), variable.source)


def _code_list(mdv: etree._Element, code_list: CodeList) -> None:
    element = etree.SubElement(mdv, _odm("CodeList"), OID=code_list.oid, Name=code_list.name,
                               DataType=code_list.data_type)
    for rank, value in enumerate(code_list.values, start=1):
        if code_list.decodes:  # a list with decodes: every item decoded (ODM: no mixing)
            item = etree.SubElement(element, _odm("CodeListItem"), CodedValue=value,
                                    OrderNumber=str(rank))
            _text(item, _odm("Decode"), code_list.decodes.get(value, value))
        else:
            etree.SubElement(element, _odm("EnumeratedItem"), CodedValue=value, OrderNumber=str(rank))
    if code_list.nci:
        etree.SubElement(element, _odm("Alias"), Context="nci:ExtCodeID", Name=code_list.nci)


def write_define(datasets: tuple[Dataset, ...], data: dict[str, pd.DataFrame], standard: str,
                 folder: str | Path, created: datetime) -> Path:
    """Write ``define.xml`` into ``folder``; returns its path."""
    path = Path(folder) / "define.xml"
    build_define(datasets, data, standard, created).write(
        str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return path
