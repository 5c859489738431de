"""Every module of the package imports (a stale import after a move fails here, not in a user's
hands)."""

import importlib
import pkgutil

import pytest

import khetrial

MODULES = sorted(m.name for m in pkgutil.walk_packages(khetrial.__path__, "khetrial.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports(name):
    importlib.import_module(name)
