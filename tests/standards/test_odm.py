"""CDISC ODM 1.3.2 out and in (khetrial.standards.odm, odm_read): schema, round trip, errors."""

from __future__ import annotations

import pytest
from lxml import etree
from odmlib import loader, odm_loader

from khetrial.bundle import read_bundle
from khetrial.bundle.format import TABLE_SPECS
from khetrial.errors import BundleError
from khetrial.standards.define import ODM_NS
from khetrial.standards.odm import build_odm, write_odm
from khetrial.standards.odm_read import read_odm

from .conftest import CREATED, ODM_SCHEMA

NS = {"odm": ODM_NS}


@pytest.fixture(scope="module")
def odm_file(demo_bundle, tmp_path_factory):
    return write_odm(demo_bundle, tmp_path_factory.mktemp("odm") / "trial.xml", CREATED)


def test_odm_is_valid_against_the_odm_1_3_2_schema(odm_file):
    schema = etree.XMLSchema(etree.parse(str(ODM_SCHEMA)))
    assert schema.validate(etree.parse(str(odm_file))), schema.error_log


def test_odm_metadata_has_one_form_per_bundle_file_and_the_code_lists(odm_file):
    root = etree.parse(str(odm_file)).getroot()
    forms = [f.get("Name") for f in root.iterfind(".//odm:FormDef", NS)]
    assert forms == [spec.file for spec in TABLE_SPECS.values()]
    sexes = root.find(".//odm:CodeList[@OID='CL.PATIENTS.SEX']", NS)
    assert [i.get("CodedValue") for i in sexes.iterfind("odm:CodeListItem", NS)] == ["F", "M"]
    weight = root.find(".//odm:ItemDef[@OID='IT.PATIENTS.WEIGHT_KG']", NS)
    # bundle-format.md: "weight_kg | number 0.5–80"
    assert [c.findtext("odm:CheckValue", namespaces=NS) for c in weight.iterfind("odm:RangeCheck", NS)] == ["0.5", "80"]


def test_odm_holds_every_row(demo_bundle, odm_file):
    root = etree.parse(str(odm_file)).getroot()
    rows = len(root.findall(".//odm:ItemGroupData", NS))
    assert rows == sum(demo_bundle.counts().values())
    assert len(root.findall(".//odm:SubjectData", NS)) >= len(demo_bundle.patients)


def test_round_trip_bundle_to_odm_to_bundle_loses_nothing(demo_bundle, odm_file):
    back = read_odm(odm_file)
    assert back.equals(demo_bundle)


def test_round_trip_odm_to_khetrial_to_odm_is_byte_identical(odm_file, tmp_path):
    again = write_odm(read_odm(odm_file), tmp_path / "again.xml", CREATED)
    assert again.read_bytes() == odm_file.read_bytes()


def test_extra_columns_travel_as_text_items(demo_bundle):
    assert "agent" in demo_bundle.medications.columns  # the simulator's extra column
    root = build_odm(demo_bundle, CREATED).getroot()
    assert root.find(".//odm:ItemDef[@OID='IT.MEDICATIONS.AGENT']", NS).get("DataType") == "text"


def test_an_invalid_value_in_odm_is_rejected_like_in_a_csv_bundle(odm_file, tmp_path):
    text = odm_file.read_text(encoding="utf-8")
    first = text.index('ItemOID="IT.PATIENTS.WEIGHT_KG" Value="')
    start = first + len('ItemOID="IT.PATIENTS.WEIGHT_KG" Value="')
    bad = tmp_path / "bad.xml"
    bad.write_text(text[:start] + "800" + text[text.index('"', start):], encoding="utf-8")
    with pytest.raises(BundleError, match=r"patients.csv line 2, column weight_kg: got '800'"):
        read_odm(bad)


@pytest.mark.parametrize(("content", "message"), [
    ("not xml", "cannot read the ODM file"),
    ('<?xml version="1.0"?><other/>', "expected the root element ODM"),
])
def test_a_file_that_is_not_odm_is_refused(content, message, tmp_path):
    path = tmp_path / "x.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BundleError, match=message):
        read_odm(path)


def test_odmlib_reads_the_odm_as_khetrial_wrote_it(example_bundle_dir, tmp_path):
    # odmlib (CDISC's ODM object model) as an independent reader: the same forms and rows
    bundle = read_bundle(example_bundle_dir)
    path = write_odm(bundle, tmp_path / "example.xml", CREATED)
    odm_reader = loader.ODMLoader(odm_loader.XMLODMLoader(model_package="odm_1_3_2", ns_uri=ODM_NS))
    odm_reader.open_odm_document(str(path))
    odm = odm_reader.load_odm()
    mdv = odm.Study[0].MetaDataVersion[0]
    assert [f.Name for f in mdv.FormDef] == [spec.file for spec in TABLE_SPECS.values()]
    clinical = odm.ClinicalData[0] if isinstance(odm.ClinicalData, list) else odm.ClinicalData
    rows = {spec.name: 0 for spec in TABLE_SPECS.values()}
    for subject in clinical.SubjectData:
        for event in subject.StudyEventData:
            for form in event.FormData:
                for group in form.ItemGroupData:
                    rows[group.ItemGroupOID.removeprefix("IG.").lower()] += 1
    assert rows == bundle.counts()
