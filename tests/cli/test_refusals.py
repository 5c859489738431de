"""The command line refuses bad input clearly (issue 15, CLI errors): ``--db`` values, dates,
exit codes, tables at 80 columns, progress, ``report --results-out``."""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from khetrial.cli import app
from khetrial.cli.analysis import summary_table
from khetrial.sap.results import ArmProportion, BinaryResult, Provenance, Results
from khetrial.stats import diff_proportions

ROOT = Path(__file__).resolve().parents[2]
SRC = str(ROOT / "src")
runner = CliRunner()


def _flat(text: str) -> str:
    """Output with Rich's panel borders and line breaks taken out, for matching a message."""
    return " ".join(text.replace("│", " ").split())


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KHETRIAL_DATABASE_URL", raising=False)
    return tmp_path


# --- --db ------------------------------------------------------------------------------------

READING = [
    ["export", "out"], ["analyse"], ["derive"], ["report"], ["audit", "verify"],
    ["backup", "copy.backup"], ["user", "list"],
]
CREATING = [
    ["import", "BUNDLE"], ["restore", "copy.backup"], ["serve"],
    ["user", "add", "ann", "--role", "monitor", "--password-stdin"],
    ["allocation", "create", "--seed", "1"],
]


@pytest.mark.parametrize("command", READING + CREATING, ids=lambda c: " ".join(c[:2]))
def test_a_db_value_that_is_not_a_url_is_refused_and_creates_nothing(here, command, example_bundle_dir):
    # Issue 15: "`--db notaurl` silently creates a SQLite file named `notaurl`".
    (here / "copy.backup").write_bytes(b"SQLite format 3\x00")
    args = [str(example_bundle_dir) if a == "BUNDLE" else a for a in command]
    result = runner.invoke(app, [*args, "--db", "notaurl"], input="long-password-123\n")
    assert result.exit_code == 2, result.output
    assert ("--db: got 'notaurl', which is neither a database URL nor an existing file; expected "
            "sqlite:///path/file.sqlite3, postgresql://user@host:5432/dbname, or the path of an "
            "existing SQLite file") in _flat(result.output)
    assert not (here / "notaurl").exists()


@pytest.mark.parametrize("command", READING, ids=lambda c: " ".join(c[:2]))
def test_a_reading_command_never_creates_a_database(here, command):
    # Issue 15: "`export`, `report` and `analyse` with a SQLite path that does not exist create
    # an empty database and succeed".
    missing = here / "missing.sqlite3"
    result = runner.invoke(app, [*command, "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2, result.output
    assert "missing.sqlite3 does not exist; a command that only reads never creates a database" in _flat(result.output)
    assert not missing.exists()


@pytest.mark.slow
def test_a_reading_command_without_db_refuses_a_missing_default_database(tmp_path):
    # In a fresh process: the test process's Django is up on an in-memory database.
    env = {**{k: v for k, v in os.environ.items() if k != "KHETRIAL_DATABASE_URL"}, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-m", "khetrial", "export", "out"], capture_output=True,
                          text=True, env=env, timeout=300, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "does not exist; import a bundle first (khetrial import BUNDLE) or give --db" in _flat(done.stderr)
    assert not (tmp_path / "khetrial.sqlite3").exists()


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["dose", "--weight-kg", "10", "--height-cm", "80", "--trough", "3", "--date", "2026-02-30"],
    ["dose", "--weight-kg", "10", "--height-cm", "80", "--measured-on", "2026-02-30"],
    ["schedule", "--randomized", "2026-02-30"],
    ["schedule", "--randomized", "2026-03-02", "--today", "2026-02-30"],
], ids=["dose --date", "dose --measured-on", "schedule --randomized", "schedule --today"])
def test_every_date_option_answers_in_words(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    option = next(a for a in args if a.startswith("--") and args[args.index(a) + 1] == "2026-02-30")
    assert (f"Invalid value for '{option}': got 2026-02-30, which is not a calendar date; "
            "expected YYYY-MM-DD") in _flat(result.output)
    assert "%Y" not in result.output


def test_a_date_option_shows_its_format_in_help():
    result = runner.invoke(app, ["dose", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"--date\s+YYYY-MM-DD", result.output), result.output


# --- exit codes --------------------------------------------------------------------------------

@pytest.mark.slow
def test_analyse_on_an_empty_database_exits_2(tmp_path):
    # Issue 15 / README: "exit status 2 for invalid data or options"; it was 1.
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    env = {**{k: v for k, v in os.environ.items() if k != "KHETRIAL_DATABASE_URL"}, "PYTHONPATH": SRC}
    subprocess.run([sys.executable, "-c", f"from khetrial.edc.db import setup; setup({url!r})"],
                   check=True, env=env, timeout=300)
    done = subprocess.run([sys.executable, "-m", "khetrial", "analyse", "--db", url, "--out",
                           str(tmp_path / "r.json")], capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "no patient in arm SP and S" in done.stderr
    assert not (tmp_path / "r.json").exists()


# --- tables at 80 columns ------------------------------------------------------------------------

def test_the_analyse_table_wraps_names_and_never_truncates_numbers_at_80_columns():
    # Issue 15: "at 80 columns the analyse table truncates numbers ("234/10…")". Counts of a
    # 2000-patient simulated trial (simulate --patients 2000 --seed 3 gave 237/1000 vs 117/1000).
    d = diff_proportions(234, 1000, 117, 1000)
    arms = {"SP": ArmProportion(234, 1000, 0.234, 23.4), "S": ArmProportion(117, 1000, 0.117, 11.7)}
    results = Results(n={"SP": 1000, "S": 1000}, provenance=Provenance("0", {}, "2026-01-01T00:00:00Z"),
                      binary={name: BinaryResult(arms, d.difference, (d.lower, d.upper), d.p_value)
                              for name in ("durable_platelet_response_wk1", "discontinued_lack_of_efficacy")})
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(summary_table(results))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text
    assert text.count("234/1000") == 2 and text.count("117/1000") == 2
    assert "11.7" in text  # 23.4 % − 11.7 % = 11.7 percentage points


# --- progress ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["validate", "BUNDLE"], "Validating"),
    (["analyse", "BUNDLE", "--out", "r.json"], "Running the analysis plan"),
    (["derive", "BUNDLE", "--out", "adsl.csv"], "deriving the endpoints"),
    (["report", "BUNDLE", "--out", "r.html"], "writing the report"),
    (["simulate", "sim", "--patients", "8"], "Simulating 8 patients"),
], ids=lambda v: v[0] if isinstance(v, list) else None)
def test_long_commands_show_progress_in_a_terminal(here, monkeypatch, example_bundle_dir, args, message):
    # Issue 15: "Long commands are silent".
    out = io.StringIO()
    monkeypatch.setattr(importlib.import_module("khetrial.cli.app"), "err_console",
                        Console(file=out, force_terminal=True, width=100))
    args = [str(example_bundle_dir) if a == "BUNDLE" else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert message in out.getvalue()


# --- report --results-out ----------------------------------------------------------------------

def test_report_writes_results_with_results_out_and_keeps_results_as_a_hidden_alias(here, example_bundle_dir):
    # Issue 15: "`--results` reads like an input but is an output".
    result = runner.invoke(app, ["report", str(example_bundle_dir), "--out", "r.html",
                                 "--results-out", "results.json"])
    assert result.exit_code == 0, result.output
    assert '"binary"' in (here / "results.json").read_text(encoding="utf-8")
    help_text = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "200"}).output
    assert "--results-out" in help_text and not re.search(r"--results\b(?!-)", help_text)


# --- make demo ---------------------------------------------------------------------------------

def test_make_demo_says_what_it_does_before_the_long_install():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    announce = recipe.index('@echo "Installing khetrial and its dependencies')
    assert announce < recipe.index("pip install --progress-bar on -e '.[dev]'")
    assert "--quiet -e '.[dev]'" not in recipe
