"""khetrial: run and analyse randomized trials in kaposiform hemangioendothelioma with KMP."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("khetrial")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
