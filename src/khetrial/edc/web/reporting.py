"""The one call into the report package: bundle -> the report page as HTML text."""

from __future__ import annotations


def report_html(bundle) -> str:
    """The trial report (:func:`khetrial.report.build_report`) of the database's bundle."""
    from khetrial.report import build_report

    return build_report(bundle, source="khetrial web application (database export)")
