"""The command line: every command has help text."""

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from khetrial.cli import app
from khetrial.cli.app import err_console, fail
from khetrial.errors import KhetrialError

runner = CliRunner()


def test_every_command_has_a_one_line_help():
    # Issue 2: "`khetrial --help` lists every command with a one-line description": the first
    # paragraph of each help text is one line short enough for an 80-column listing.
    import typer.main

    group = typer.main.get_command(app)
    assert group.commands, "khetrial has no commands"
    for name, command in group.commands.items():
        first = (command.help or "").strip().split("\n\n")[0]
        assert first, f"khetrial {name} has no help text"
        assert "\n" not in first and len(first) <= 64, f"khetrial {name}: {first!r} is not one short line"


def test_version_prints_the_package_version():
    from khetrial import __version__

    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_an_error_message_stays_on_one_line_on_a_narrow_terminal(tmp_path, monkeypatch):
    # A message naming a file must survive copy and search: no line break inside it, whatever
    # the terminal's width.
    monkeypatch.setattr(err_console, "width", 40)
    missing = tmp_path / "a-rather-long-folder-name" / "none.toml"
    result = CliRunner().invoke(app, ["design", "simulate", str(missing)])
    assert result.exit_code == 2
    assert f"scenario file {missing} does not exist" in result.output


def test_an_error_message_keeps_square_brackets(capsys):
    # Rich markup must not eat part of a message such as "allowed: [ae]".
    with pytest.raises(typer.Exit):
        fail(KhetrialError("allowed: [ae] or [bold]"))
    assert "allowed: [ae] or [bold]" in capsys.readouterr().err


HEAVY_MODULES = ("numpy", "pandas", "scipy", "statsmodels", "django", "khetrial.stats")


def test_loading_the_command_line_imports_no_heavy_module():
    # `khetrial --help` must stay under 0.25 s (issue 13): numpy, pandas, scipy and Django are
    # imported by the commands that need them, never when the app is built.
    code = ("import sys, khetrial.cli; "
            f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
