"""``khetrial import --format odm`` and ``khetrial export --format sdtm|adam|odm|spss|stata``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from khetrial.bundle import read_bundle
from khetrial.cli import app
from khetrial.cli.database import EXPORT_FORMATS
from khetrial.standards import FORMATS
from khetrial.standards.odm import write_odm

from .conftest import CREATED

runner = CliRunner()


def test_import_odm_then_export_every_standard(db, example_bundle_dir, tmp_path):
    bundle = read_bundle(example_bundle_dir)
    odm = write_odm(bundle, tmp_path / "in.xml", CREATED)
    result = runner.invoke(app, ["import", str(odm), "--format", "odm"])
    assert result.exit_code == 0, result.output
    for fmt in FORMATS:
        result = runner.invoke(app, ["export", str(tmp_path / fmt), "--format", fmt, "--json"])
        assert result.exit_code == 0, result.output
        assert f'"format": "{fmt}"' in result.stdout
    assert (tmp_path / "sdtm" / "define.xml").exists() and (tmp_path / "adam" / "adsl.xpt").exists()
    assert (tmp_path / "spss" / "adsl.sav").exists() and (tmp_path / "stata" / "adsl.dta").exists()
    result = runner.invoke(app, ["export", str(tmp_path / "bundle"), "--format", "bundle"])
    assert result.exit_code == 0, result.output
    assert read_bundle(tmp_path / "bundle").equals(bundle)


@pytest.mark.parametrize(("command", "message"), [
    (["export", "out", "--format", "xml"], "--format: got 'xml'; expected one of bundle, sdtm"),
    (["import", "in.xml", "--format", "sdtm"], "--format: got 'sdtm'; expected one of bundle, odm"),
])
def test_an_unknown_format_is_refused(command, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    assert message in result.output


def test_the_cli_offers_every_format_the_package_writes():
    assert EXPORT_FORMATS == ("bundle", *FORMATS)
