"""The web report: computed in the background, rendered from the stored results of the data.

The analysis runs once per state of the data: its results are stored (:class:`StoredResults`)
under the SHA-256 over the exported bundle's file checksums, the same checksums results.json's
provenance holds; a changed record changes the checksum, and the next report runs the analysis
again (older stored results are then dropped).

The report page does not compute in the request: it asks for a :class:`ReportJob` of the
current data version (the id of the last data-changing audit entry, one indexed query) and
serves its stored HTML when the job is done; otherwise the page shows the job's progress and
reloads. A job runs in a background thread of the server process that created it
(``settings.REPORT_IN_BACKGROUND``; in the request when false).

The closed DMC report (:func:`closed_dmc_report_html`, the ``dmc`` role's only page) is rendered
in the request from the same stored results: arm level, arms coded A/B by :func:`dmc_key`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import random
import re
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from khetrial.bundle.model import Bundle
from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.store import export_bundle
from khetrial.edc.web.models import ReportJob, StoredResults
from khetrial.errors import KhetrialError
from khetrial.report import build_report
from khetrial.report.dmc import build_closed_report, draw_key
from khetrial.sap import Results, analyse_or_describe, bundle_checksums, data_checksum
from khetrial.simulate import is_simulated

REPORT_SOURCE = "khetrial web application (database export)"
DATA_ACTIONS = ("create", "change", "void", "randomize")
"""Audit actions that change the trial data (an import records "create" entries)."""
JOB_ABANDONED_AFTER = timedelta(minutes=30)
"""Project choice: a job still queued or running after this long is taken as lost (its server
process stopped) and the next request starts a new one."""
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DMC_KEY_LABEL = b"khetrial: arm key of the closed DMC report"
GZIP_LEVEL = 6
"""zlib's default level: the 6.4 MB report of 5,000 patients in 0.16 s to 1.7 MB (level 9:
0.65 s for 2 % less)."""
SCRIPT = re.compile(r"<script(?:\s[^>]*)?>(.*?)</script>", re.S)


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


def dmc_key() -> dict[str, str]:
    """The A/B coding of the web application's closed DMC report (project choice): drawn from
    the HMAC-SHA-256 of a fixed label under the deployment's secret key, so it is the same on
    every view and server process, is stored nowhere beside the data, and cannot be derived
    without the secret key. (``khetrial report --dmc closed`` draws its own key and writes it to
    a separate file.)"""
    digest = hmac.new(settings.SECRET_KEY.encode("utf-8"), DMC_KEY_LABEL, hashlib.sha256).digest()
    return draw_key(random.Random(digest))


def closed_dmc_report_html() -> str:
    """The closed DMC report (:func:`khetrial.report.build_closed_report`) of the database's
    data, from their stored results, coded by :func:`dmc_key`."""
    bundle = export_bundle()
    return build_closed_report(stored_results(bundle), dmc_key(), simulated=is_simulated(bundle.source))


def inline_script_policy(html: str) -> str:
    """The Content-Security-Policy for a generated page: the application's, with the page's own
    inline scripts (plotly's figures) allowed by their SHA-256 and nothing else."""
    hashes = sorted({base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
                     for body in SCRIPT.findall(html)})
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return settings.CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {allowed}".rstrip())


def data_version() -> int:
    """The id of the last audit entry that changed the trial data (0 for none)."""
    return (AuditEntry.objects.filter(action__in=DATA_ACTIONS).order_by("-id")
            .values_list("id", flat=True).first()) or 0


def report_job(requested_by: str, *, retry: bool = False) -> ReportJob:
    """The report job of the current data, started when there is none (or, with ``retry``,
    when the last one failed, or when it was abandoned); jobs of older data are dropped."""
    version = data_version()
    with transaction.atomic():
        job = ReportJob.objects.filter(data_version=version).defer("html", "html_gzip").first()
        if job is not None and not _restart(job, retry):
            return job
        ReportJob.objects.all().delete()
        job = ReportJob.objects.create(data_version=version, requested_by=requested_by,
                                       progress="waiting to start")
    if settings.REPORT_IN_BACKGROUND:
        threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"report-job-{job.pk}",
                         daemon=True).start()
    else:
        run_report_job(job.pk)
    job.refresh_from_db()
    return job


def _restart(job: ReportJob, retry: bool) -> bool:
    if job.status == FAILED:
        return retry
    return job.status in (QUEUED, RUNNING) and timezone.now() - job.created_at > JOB_ABANDONED_AFTER


def run_report_job(job_id: int) -> None:
    """Export the data, analyse them (or read their stored results) and render the report,
    recording each step on the job; a khetrial error fails the job with its message."""
    job = ReportJob.objects.get(pk=job_id)
    job.status = RUNNING
    try:
        _step(job, 1, "exporting the database to a bundle")
        bundle = export_bundle()
        _step(job, 2, "analysing the data (analysis plan)")
        results = stored_results(bundle)
        _step(job, 3, "writing the report")
        job.html = build_report(bundle, results, source=REPORT_SOURCE)
        job.html_gzip = compress(job.html)
        job.status, job.progress = DONE, "done"
    except KhetrialError as error:
        job.status, job.error = FAILED, str(error)
    job.finished_at = timezone.now()
    job.save()


def compress(html: str) -> bytes:
    """The report's gzip body (no time stamp inside: the same report, the same bytes)."""
    return gzip.compress(html.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)


_compressed: dict[tuple, bytes] = {}  # this server process's copy of the one current report


def compressed_report(job: ReportJob) -> bytes:
    """The gzip body of a done job: kept in this process after the first read (one report at
    a time; a new job replaces it); a job done before bodies were stored is compressed now,
    once, and stored."""
    key = (job.pk, job.finished_at)
    body = _compressed.get(key)
    if body is None:
        stored = ReportJob.objects.filter(pk=job.pk).values_list("html_gzip", flat=True).first()
        body = bytes(stored or b"")
        if not body:
            body = compress(ReportJob.objects.filter(pk=job.pk).values_list("html", flat=True).first() or "")
            ReportJob.objects.filter(pk=job.pk).update(html_gzip=body)
        _compressed.clear()
        _compressed[key] = body
    return body


def _step(job: ReportJob, step: int, progress: str) -> None:
    job.step, job.progress = step, progress
    job.save(update_fields=["status", "step", "progress"])


def _run_in_thread(job_id: int) -> None:
    """:func:`run_report_job` in its own thread and database connection; any failure is
    recorded on the job, so that the page never waits for a job that died."""
    try:
        run_report_job(job_id)
    except Exception as error:  # noqa: BLE001  the thread's boundary: record, never lose it
        ReportJob.objects.filter(pk=job_id).update(
            status=FAILED, error=f"the report could not be computed: {error!r}",
            finished_at=timezone.now())
    finally:
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()  # the worker thread's own connections (never the caller's)
