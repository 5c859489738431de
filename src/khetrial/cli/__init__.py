"""Command line of khetrial. Each module registers its commands on the shared app."""

from khetrial.cli.app import app, run
from khetrial.cli import audit, data, database, stats, analysis, protocol, demo, design, web  # noqa: F401  (registration)


def main() -> None:
    run()


__all__ = ["app", "main"]
