"""The web report: rendered from the stored results of the database's data.

The analysis runs once per state of the data: its results are stored (:class:`StoredResults`)
under the SHA-256 over the exported bundle's file checksums, the same checksums results.json's
provenance holds. The report page reads them back; a changed record changes the checksum, and
the next report runs the analysis again (older stored results are then dropped).
"""

from __future__ import annotations

from django.db import transaction

from khetrial.bundle.model import Bundle
from khetrial.edc.web.models import StoredResults
from khetrial.report import build_report
from khetrial.sap import Results, analyse_or_describe, bundle_checksums, data_checksum

REPORT_SOURCE = "khetrial web application (database export)"


def stored_results(bundle: Bundle) -> Results:
    """The results of ``bundle``: the stored ones when the data are unchanged, otherwise
    :func:`khetrial.sap.analyse_or_describe`'s, stored for the next time."""
    key = data_checksum(bundle_checksums(bundle))
    row = StoredResults.objects.filter(data_sha256=key).first()
    if row is not None:
        return Results.from_json(row.results_json)
    results = analyse_or_describe(bundle)
    with transaction.atomic():
        StoredResults.objects.exclude(data_sha256=key).delete()
        StoredResults.objects.update_or_create(data_sha256=key, defaults={"results_json": results.to_json()})
    return results


def report_html(bundle: Bundle) -> str:
    """The trial report (:func:`khetrial.report.build_report`) of the database's bundle, from
    its stored results."""
    return build_report(bundle, stored_results(bundle), source=REPORT_SOURCE)
