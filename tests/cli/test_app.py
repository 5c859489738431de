"""The shared pieces of the command line: the date type, the progress spinner (issue 15)."""

from __future__ import annotations

import importlib
import io
from datetime import date

import pytest
import typer
from rich.console import Console

from khetrial.cli.app import parse_date, working

# the module (the package's attribute `app` is the Typer application)
cli_app = importlib.import_module("khetrial.cli.app")


def test_a_date_is_read_from_yyyy_mm_dd():
    assert parse_date("2026-03-09") == date(2026, 3, 9)
    assert parse_date(" 2024-02-29 ") == date(2024, 2, 29)  # 2024 is a leap year


def test_a_date_that_is_not_on_the_calendar_is_refused_in_words():
    # Issue 15: "`dose --date 2026-02-30` answers with a strptime format string".
    with pytest.raises(typer.BadParameter) as caught:
        parse_date("2026-02-30")
    assert str(caught.value) == "got 2026-02-30, which is not a calendar date; expected YYYY-MM-DD"


@pytest.mark.parametrize("text", ["2026-3-9", "09/03/2026", "2026-03-09T10:00", "today", ""])
def test_a_date_written_otherwise_is_refused_with_an_example(text):
    with pytest.raises(typer.BadParameter, match=r"which is not written YYYY-MM-DD; expected "
                                                 r"YYYY-MM-DD, e.g. 2026-03-09"):
        parse_date(text)


def _terminal(monkeypatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(cli_app, "err_console", Console(file=out, force_terminal=True, width=80))
    return out


def test_working_shows_a_spinner_with_the_message_in_a_terminal(monkeypatch):
    out = _terminal(monkeypatch)
    with working("Validating big/"):
        pass
    assert "Validating big/" in out.getvalue()


def test_working_is_silent_with_json_and_off_a_terminal(monkeypatch):
    out = _terminal(monkeypatch)
    with working("Validating big/", quiet=True):
        pass
    assert out.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr(cli_app, "err_console", Console(file=piped, width=80))
    with working("Validating big/"):
        pass
    assert piped.getvalue() == ""
