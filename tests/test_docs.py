"""Public commands are documented: each has help text and appears in the README
(as datasette's and sqlite-utils' test_docs.py check)."""

import re
from pathlib import Path

import pytest
import typer.main

from khetrial.bundle.format import LAB_RANGES, TABLE_SPECS
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


ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DOC = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(TABLE_SPECS))
def test_the_bundle_format_page_describes_every_file_column_and_code(table):
    spec = TABLE_SPECS[table]
    assert f"{table}.csv" in BUNDLE_DOC
    for column in spec.columns:
        assert f"`{column.name}`" in BUNDLE_DOC or column.name in BUNDLE_DOC, f"{table}.{column.name}"
        for code in column.codes:
            assert f"`{code}`" in BUNDLE_DOC, f"{table}.{column.name} code {code!r} is not documented"
    for test in (LAB_RANGES if table == "labs" else {}):
        assert f"`{test}`" in BUNDLE_DOC


def test_every_local_link_of_the_readme_and_docs_exists_in_the_repository():
    pages = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{page.name} points outside the repository"
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which is not in the repository"
