"""khetrial: run and analyse randomized trials in kaposiform hemangioendothelioma with KMP."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package's metadata when first asked for
    (:mod:`importlib.metadata` costs a fifth of ``khetrial --help``'s start-up)."""
    if name != "__version__":
        raise AttributeError(f"module 'khetrial' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("khetrial")
    except PackageNotFoundError:  # running from a source tree that was not installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value
