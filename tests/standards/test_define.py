"""Define-XML 2.0 validates against the CDISC schema and describes what was written."""

from __future__ import annotations

import pytest
from lxml import etree

from khetrial.standards.adam_metadata import ADAM_DATASETS
from khetrial.standards.define import ODM_NS, build_define
from khetrial.standards.metadata import SDTM_DATASETS

from .conftest import CREATED, DEFINE_SCHEMA

NS = {"odm": ODM_NS}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(DEFINE_SCHEMA)))


@pytest.mark.parametrize(("which", "standard"), [("sdtm", "SDTM"), ("adam", "ADaM")])
def test_define_xml_is_valid_against_the_define_2_0_schema(which, standard, schema, request):
    datasets = SDTM_DATASETS if which == "sdtm" else ADAM_DATASETS
    data = request.getfixturevalue(f"demo_{which}")
    doc = build_define(datasets, data, standard, CREATED)
    assert schema.validate(doc), schema.error_log
    groups = doc.getroot().findall(".//odm:ItemGroupDef", NS)
    assert [g.get("Name") for g in groups] == [d.name for d in datasets]


def test_text_lengths_cover_the_longest_value(demo_sdtm):
    doc = build_define(SDTM_DATASETS, demo_sdtm, "SDTM", CREATED)
    item = doc.getroot().find(".//odm:ItemDef[@OID='IT.LB.LBTESTCD']", NS)
    assert item.get("Length") == "7"  # FIBRINO, the longest LB test code
    lengths = {i.get("OID"): int(i.get("Length")) for i in doc.getroot().iterfind(".//odm:ItemDef", NS)
               if i.get("DataType") == "text"}
    assert max(lengths.values()) <= 200


def test_sex_code_list_has_cdisc_terms_and_nci_code(demo_sdtm):
    doc = build_define(SDTM_DATASETS, demo_sdtm, "SDTM", CREATED)
    code_list = doc.getroot().find(".//odm:CodeList[@OID='CL.SEX']", NS)
    assert [i.get("CodedValue") for i in code_list.iterfind("odm:CodeListItem", NS)] == ["F", "M"]
    assert code_list.find("odm:Alias", NS).get("Name") == "C66731"  # NCI code of SEX
