"""Public commands are documented: each has help text and appears in the README
(as datasette's and sqlite-utils' test_docs.py check)."""

from pathlib import Path

import pytest
import typer.main

from khetrial.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "khetrial"):
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            yield from _commands(command, path)
        else:
            yield path, command


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_cli_has_the_commands_the_readme_tours():
    names = {path for path, _ in COMMANDS}
    for expected in ("khetrial validate", "khetrial import", "khetrial export",
                     "khetrial analyse", "khetrial stats diff", "khetrial demo"):
        assert expected in names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_every_command_appears_in_the_readme(path):
    assert path in README, f"README.md does not mention `{path}`"


@pytest.mark.parametrize("path,command", COMMANDS)
def test_every_command_and_option_has_help(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (param.help or "").strip(), f"{path} option {param.opts} has no help text"
