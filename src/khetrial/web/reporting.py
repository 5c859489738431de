"""The one call into the report package (owned elsewhere): bundle -> HTML text."""

from __future__ import annotations

from khetrial.errors import ConfigurationError


def report_html(bundle) -> str:
    """The trial report as one HTML document, built by :mod:`khetrial.report`."""
    try:
        from khetrial import report
    except ImportError as exc:
        raise ConfigurationError("the report module is not installed") from exc
    for name in ("report_html", "render_report", "build_report_html", "build_report"):
        fn = getattr(report, name, None)
        if callable(fn):
            result = fn(bundle)
            return result if isinstance(result, str) else str(result)
    raise ConfigurationError("khetrial.report offers no report function this page knows")
