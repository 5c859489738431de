"""``khetrial serve`` starts the application (migrating a fresh database) behind waitress or,
with several workers, gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answer(port: int):
    for _ in range(120):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail("the server did not answer within a minute")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_migrates_and_answers_with_security_headers(tmp_path, workers):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "khetrial", "serve", "--db",
                             str(tmp_path / "k.sqlite3"), "--port", str(port), "--workers", workers],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = _answer(port)
        assert response.status == 200
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/patients", timeout=5)
        assert refused.value.code == 401
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode()
    assert ("with 2 processes" in output and "gunicorn" in output) == (workers == "2"), output


def test_sqlite_runs_in_wal_mode_so_server_processes_share_the_file(tmp_path):
    database = tmp_path / "k.sqlite3"
    code = ("from khetrial.edc.db import setup; setup(); from django.db import connection; "
            "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); "
            "print(cursor.fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "KHETRIAL_DATABASE_URL": f"sqlite:///{database}"})
    assert out.stdout.strip() == "wal"
