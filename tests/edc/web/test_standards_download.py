"""The statistician downloads CDISC SDTM/ADaM, ODM, SPSS and Stata from the web application;
no other role can (each file carries the allocation)."""

import io
import zipfile

import pytest

from khetrial.edc.audit.models import AuditEntry
from khetrial.standards.export import FORMATS

pytestmark = pytest.mark.db


def test_the_downloads_page_offers_every_standard(trial, login):
    page = login("stat").get("/downloads/").content.decode()
    for fmt in FORMATS:
        assert f"/downloads/standard/{fmt}.zip" in page


@pytest.mark.parametrize("fmt,expected", [("sdtm", "sdtm/define.xml"), ("adam", "adam/define.xml"),
                                          ("odm", ".xml"), ("spss", ".sav"), ("stata", ".dta")])
def test_the_statistician_gets_a_zip_of_the_format_and_the_export_is_audited(trial, login, fmt, expected):
    response = login("stat").get(f"/downloads/standard/{fmt}.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(name.endswith(expected) for name in names), names
    assert AuditEntry.objects.filter(action="export", detail__startswith=f"{fmt} download").exists()


@pytest.mark.parametrize("username", ["inv_a", "assessor_a", "assessor_all", "mon", "adm"])
def test_no_other_role_gets_a_standard_export(trial, login, username):
    assert login(username).get("/downloads/standard/sdtm.zip").status_code == 403


def test_an_unknown_format_is_not_found(trial, login):
    assert login("stat").get("/downloads/standard/sas9.zip").status_code == 404
