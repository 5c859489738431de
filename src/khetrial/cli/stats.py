"""Commands: stats (to be filled in)."""

from khetrial.cli.app import app  # noqa: F401
