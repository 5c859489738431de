"""The installation's secret key: generated once, kept in a file readable only by its owner.

Where (first that applies): ``$KHETRIAL_SECRET_KEY_FILE``; beside a SQLite database
(``khetrial.sqlite3`` -> ``khetrial.sqlite3.secret-key``); else
``$XDG_CONFIG_HOME/khetrial/secret-key`` (``~/.config/khetrial/secret-key``).
``$KHETRIAL_SECRET_KEY`` overrides the file. Without either, the public :data:`DEVELOPMENT_KEY` is used, which
``khetrial serve`` refuses on any address but loopback.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from khetrial.errors import ConfigurationError

DEVELOPMENT_KEY = "khetrial-development-key-set-KHETRIAL_SECRET_KEY-in-production"
KEY_BYTES = 50
KEY_FILE_MODE = 0o600
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def secret_key_path(sqlite_file: str | None, environ=os.environ) -> Path:
    """The key file of an installation whose SQLite file is ``sqlite_file`` (None: not SQLite)."""
    if environ.get("KHETRIAL_SECRET_KEY_FILE"):
        return Path(environ["KHETRIAL_SECRET_KEY_FILE"])
    if sqlite_file and sqlite_file != ":memory:" and not sqlite_file.startswith("file:"):
        return Path(f"{sqlite_file}.secret-key")
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "khetrial" / "secret-key"


def read_secret_key(path: Path, environ=os.environ) -> str:
    """``$KHETRIAL_SECRET_KEY``, else the key in ``path``, else the development key."""
    if environ.get("KHETRIAL_SECRET_KEY"):
        return environ["KHETRIAL_SECRET_KEY"]
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError:
        return DEVELOPMENT_KEY
    return key or DEVELOPMENT_KEY


def ensure_secret_key(path: Path) -> Path:
    """Create ``path`` with a new random key (mode 0600) unless it exists; returns ``path``."""
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        return path  # written meanwhile by another process
    except OSError as exc:
        raise ConfigurationError(f"cannot write the secret key file {path}: {exc}; "
                                 "set KHETRIAL_SECRET_KEY_FILE to a writable place") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
    return path


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to listen on) is only reachable from this machine."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_key_for_host(key: str, host: str) -> None:
    """Refuse to serve beyond loopback with the public development key."""
    if key == DEVELOPMENT_KEY and not is_loopback(host):
        raise ConfigurationError(
            f"refusing to listen on {host} with the public development SECRET_KEY; remove "
            "KHETRIAL_SECRET_KEY=<development key> or set KHETRIAL_SECRET_KEY_FILE to a "
            "writable file (khetrial serve creates the key there)")
