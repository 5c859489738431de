"""Web-side records: emergency unblinding requests, monitors' data queries, stored report
results and jobs, users' language preferences, and the table of the shared cache."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class UnblindingRequest(models.Model):
    """A blinded user's request to learn one patient's arm; a different person approves."""

    patient_id = models.CharField(max_length=64, db_index=True)
    site_code = models.CharField(max_length=64)
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    approved_by = models.CharField(max_length=150, blank=True, default="")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]


QUERY_STATUSES = ("open", "answered", "closed")


class DataQuery(models.Model):
    """A monitor's question about one value (``table``, ``record_id``, ``field``); the site
    answers, the monitor closes it. Who did each step and when is its history."""

    patient_id = models.CharField(max_length=64, db_index=True)
    site_code = models.CharField(max_length=64, db_index=True)
    table = models.CharField(max_length=40)
    record_id = models.CharField(max_length=40, blank=True, default="")
    field = models.CharField(max_length=60, blank=True, default="")
    text = models.TextField()
    raised_by = models.CharField(max_length=150)
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, default="open",
                              choices=[(s, s) for s in QUERY_STATUSES])
    answer = models.TextField(blank=True, default="")
    answered_by = models.CharField(max_length=150, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]


class StoredResults(models.Model):
    """The analysis plan's results (results.json text) of one state of the data, keyed by the
    SHA-256 over the bundle's file checksums: the report page renders from it and the analysis
    runs again only when the data changed (:mod:`khetrial.edc.web.reporting`)."""

    data_sha256 = models.CharField(max_length=64, unique=True)
    results_json = models.TextField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at"]


REPORT_JOB_STATUSES = ("queued", "running", "done", "failed")


class ReportJob(models.Model):
    """One computation of the trial report, run in the background (:mod:`khetrial.edc.web.reporting`).

    ``data_version`` is the id of the last data-changing audit entry when the job was asked for;
    a done job serves its ``html`` until the data change. ``step`` of ``steps`` and ``progress``
    say how far a running job is.
    """

    data_version = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=10, default="queued",
                              choices=[(s, s) for s in REPORT_JOB_STATUSES])
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=3)
    progress = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    html = models.TextField(blank=True, default="")
    html_gzip = models.BinaryField(blank=True, default=b"")
    """``html`` gzip-compressed when the job is done: what the report download sends to a browser
    that accepts gzip (the report is several megabytes: plotly.js is inlined)."""
    requested_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class LanguagePreference(models.Model):
    """The language a user chose with the switch in the page header (issue 15): the pages
    follow it on any browser the user logs in from (:mod:`khetrial.edc.web.language`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="language_preference")
    language = models.CharField(max_length=10)


class EproLink(models.Model):
    """A one-time, expiring link by which a parent answers one PedsQL questionnaire without
    an account (:mod:`khetrial.edc.web.epro`). Only the SHA-256 of its key is stored; the link
    is dead once ``used_at`` or ``revoked_at`` is set or ``expires_at`` has passed."""

    patient_id = models.CharField(max_length=64, db_index=True)
    site_code = models.CharField(max_length=64)
    instrument = models.CharField(max_length=40)
    month = models.PositiveSmallIntegerField(help_text="PedsQL assessment: 0 = baseline, 12")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def actor(self) -> str:
        """Who the audit trail names for the answers given through this link."""
        return f"epro:{self.pk}"


class CacheEntry(models.Model):
    """A row of the cache that every server process shares (``settings.CACHES["advice"]``,
    :class:`khetrial.edc.web.cache.DatabaseCache`): Django's database cache table (the columns
    ``createcachetable`` makes), declared here so that the migrations create it and
    ``khetrial demo``, ``serve`` and the tests need no extra step."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "khetrial_cache"
