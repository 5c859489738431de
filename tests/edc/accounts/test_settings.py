"""Deployment settings of issue 16: HTTPS behind a TLS proxy, the installation's secret key."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from khetrial.edc.accounts.secret_key import (DEVELOPMENT_KEY, check_key_for_host,
                                              ensure_secret_key, is_loopback, read_secret_key,
                                              secret_key_path)
from khetrial.errors import ConfigurationError

PRINT_SETTINGS = ("import json; from khetrial.edc import settings as s; print(json.dumps("
                  "[s.SECURE_SSL_REDIRECT, getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
                  "s.SECRET_KEY == %r]))" % DEVELOPMENT_KEY)


def _settings(tmp_path, **env) -> list:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KHETRIAL_")}
    environ.update(KHETRIAL_DATABASE_URL=f"sqlite:///{tmp_path / 'k.sqlite3'}", **env)
    out = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], env=environ,
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_https_behind_a_proxy_trusts_only_the_named_header(tmp_path):
    assert _settings(tmp_path, KHETRIAL_HTTPS="1") == [True, None, True]
    assert _settings(tmp_path, KHETRIAL_HTTPS="1", KHETRIAL_PROXY_SSL_HEADER="X-Forwarded-Proto"
                     ) == [True, ["HTTP_X_FORWARDED_PROTO", "https"], True]


def test_a_proxied_https_request_is_not_redirected(db, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    r = client.get("/login/")  # plain http, no proxy header: redirected once, to https
    assert r.status_code == 301 and r["Location"].startswith("https://")


def test_the_settings_read_the_installations_key_file(tmp_path):
    key_file = ensure_secret_key(tmp_path / "k.sqlite3.secret-key")
    assert _settings(tmp_path)[2] is False  # not the development key
    assert read_secret_key(key_file, environ={}) == key_file.read_text().strip()
    assert read_secret_key(tmp_path / "missing", environ={}) == DEVELOPMENT_KEY
    assert read_secret_key(key_file, environ={"KHETRIAL_SECRET_KEY": "x" * 60}) == "x" * 60


def test_the_key_file_is_private_and_never_overwritten(tmp_path):
    path = ensure_secret_key(tmp_path / "conf" / "secret-key")
    first = path.read_text()
    assert (path.stat().st_mode & 0o777) == 0o600
    ensure_secret_key(path)
    assert path.read_text() == first
    assert ensure_secret_key(tmp_path / "other").read_text() != first


def test_where_the_key_file_lives():
    assert str(secret_key_path("/srv/k.sqlite3", environ={})) == "/srv/k.sqlite3.secret-key"
    assert str(secret_key_path(None, environ={"XDG_CONFIG_HOME": "/etc/x"})) == \
        "/etc/x/khetrial/secret-key"
    assert str(secret_key_path("/srv/k.sqlite3", environ={"KHETRIAL_SECRET_KEY_FILE": "/k"})) \
        == "/k"


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("example.org", False),
])
def test_the_development_key_is_refused_off_loopback(host, loopback):
    assert is_loopback(host) is loopback
    if loopback:
        check_key_for_host(DEVELOPMENT_KEY, host)
    else:
        with pytest.raises(ConfigurationError, match="development SECRET_KEY"):
            check_key_for_host(DEVELOPMENT_KEY, host)
    check_key_for_host("a-real-installation-key-" + "x" * 40, host)
