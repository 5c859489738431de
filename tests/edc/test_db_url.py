"""Which ``--db`` values khetrial accepts (issue 15, CLI errors): a URL or an existing SQLite
file; a command that only reads never creates a database."""

from __future__ import annotations

import sqlite3

import pytest

from khetrial.edc.db import URL_ENV, checked_url
from khetrial.errors import ConfigurationError


@pytest.fixture(autouse=True)
def _no_env(monkeypatch, tmp_path):
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def _sqlite_file(path):
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x)")
    return path


@pytest.mark.parametrize("create", [False, True])
def test_a_value_that_is_neither_url_nor_file_is_refused_and_no_file_appears(tmp_path, create):
    # Issue 15: "`--db notaurl` silently creates a SQLite file named `notaurl`".
    with pytest.raises(ConfigurationError, match=r"--db: got 'notaurl', which is neither a database "
                                                 r"URL nor an existing file; expected sqlite:///"):
        checked_url("notaurl", create=create)
    assert not (tmp_path / "notaurl").exists()


def test_an_unsupported_scheme_is_refused():
    with pytest.raises(ConfigurationError, match=r"got 'mysql://u@h/db'; expected sqlite:///.*postgresql://"):
        checked_url("mysql://u@h/db", create=True)


def test_a_password_is_not_repeated_in_the_message():
    with pytest.raises(ConfigurationError) as caught:
        checked_url("mysql://u:secret@h/db", create=True)
    assert "secret" not in str(caught.value)


def test_an_existing_file_that_is_not_sqlite_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ConfigurationError, match="which is not an SQLite database file"):
        checked_url(str(text), create=True)


def test_reading_refuses_an_sqlite_url_whose_file_does_not_exist(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(ConfigurationError, match=r"missing.sqlite3 does not exist; a command that only "
                                                 r"reads never creates a database"):
        checked_url(f"sqlite:///{missing}", create=False)
    assert not missing.exists()


def test_reading_refuses_a_missing_default_database_and_says_what_to_do(tmp_path):
    with pytest.raises(ConfigurationError, match=r"the default database: got .*khetrial.sqlite3.* "
                                                 r"does not exist; import a bundle first"):
        checked_url(None, create=False)


def test_the_environment_variable_is_checked_like_the_option(monkeypatch):
    monkeypatch.setenv(URL_ENV, "notaurl")
    with pytest.raises(ConfigurationError, match=r"^\$KHETRIAL_DATABASE_URL: got 'notaurl'"):
        checked_url(None, create=True)


def test_an_existing_sqlite_file_is_accepted_by_path_and_by_url(tmp_path):
    path = _sqlite_file(tmp_path / "trial.db3")
    assert checked_url(str(path), create=False) == f"sqlite:///{path}"
    assert checked_url(f"sqlite:///{path}", create=False) == f"sqlite:///{path}"


def test_an_empty_file_is_an_sqlite_database(tmp_path):
    # SQLite opens an empty file as an empty database (what `touch` or a killed first run leaves).
    path = tmp_path / "empty"
    path.touch()
    assert checked_url(str(path), create=False) == f"sqlite:///{path}"


@pytest.mark.parametrize("name", ["new.sqlite3", "new.sqlite", "new.db"])
def test_a_creating_command_takes_a_new_path_with_an_sqlite_ending(tmp_path, name):
    assert checked_url(name, create=True) == f"sqlite:///{tmp_path / name}"
    with pytest.raises(ConfigurationError):
        checked_url(name, create=False)


def test_a_creating_command_takes_a_new_sqlite_url_and_a_postgresql_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert checked_url(url, create=True) == url
    assert checked_url("postgresql://app@db.example:5432/khe", create=False) == "postgresql://app@db.example:5432/khe"


def test_a_postgresql_connection_is_kept_between_requests_and_checked_before_reuse():
    from khetrial.edc.db import PERSISTENT_CONNECTION_SECONDS, database_config

    pg = database_config("postgresql://u@db.example:5432/trial")
    assert pg["CONN_MAX_AGE"] == PERSISTENT_CONNECTION_SECONDS > 0 and pg["CONN_HEALTH_CHECKS"]
    assert not database_config("sqlite:////tmp/k.sqlite3").get("CONN_MAX_AGE")
