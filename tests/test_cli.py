"""The command line: every command has help text."""

from typer.testing import CliRunner

from khetrial.cli import app

runner = CliRunner()


def test_every_command_has_a_one_line_help():
    import typer.main

    group = typer.main.get_command(app)
    assert group.commands, "khetrial has no commands"
    for name, command in group.commands.items():
        assert (command.help or "").strip(), f"khetrial {name} has no help text"


def test_version_prints_the_package_version():
    from khetrial import __version__

    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert __version__ in result.output
