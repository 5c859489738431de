"""Statistician's downloads and the database lock; the admin's sites page (accounts:
:mod:`khetrial.edc.web.views.accounts`)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags
from django.utils.translation import gettext

from khetrial.bundle.labels import codebook_rows
from khetrial.edc.web.forms import ReasonForm, SiteForm
from khetrial.edc.web.permissions import ADMIN, STATISTICIAN, allow
from khetrial.edc.web.views.standards import FORMAT_TITLES


@allow(STATISTICIAN, ADMIN)
def lock_page(request):
    from khetrial.edc.audit.models import LockEvent
    from khetrial.edc.audit.trail import is_locked, set_lock

    locked = is_locked()
    role = request.disclosure.role
    may_change = (role == STATISTICIAN and not locked) or (role == ADMIN and locked)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(gettext("a statistician locks; an administrator unlocks"))
        if form.is_valid():
            set_lock(not locked, actor=request.user.username, role=role,
                     reason=form.cleaned_data["reason"])
            return redirect("lock")
    return render(request, "web/lock.html", {"locked": locked, "form": form,
                                             "may_change": may_change,
                                             "history": LockEvent.objects.all()[:50]})


CODEBOOK_COLUMNS = ("file", "column", "label", "unit", "code", "code_label")


def codebook_csv() -> str:
    """The bundle's labels as a codebook (one row per column and per code; English, from
    :mod:`khetrial.bundle.labels`), the label file beside the CSV files of a download."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CODEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(codebook_rows())
    return out.getvalue()


def _bundle_zip() -> bytes:
    from khetrial.edc.store import export_bundle_to

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        export_bundle_to(folder)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(folder.glob("*.csv")):
                zf.write(f, f"bundle/{f.name}")
            zf.writestr("codebook.csv", codebook_csv())  # beside the bundle folder, not in it
        return buf.getvalue()


@allow(STATISTICIAN)
def downloads(request):
    return render(request, "web/downloads.html", {"standards": FORMAT_TITLES.items()})


@allow(STATISTICIAN)
def download_bundle(request):
    from khetrial.edc.audit.trail import record_event

    data = _bundle_zip()
    record_event("export", actor=request.user.username, role=STATISTICIAN,
                 detail="bundle download (all sites)")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="khetrial-bundle.zip"'
    return response


REPORT_REFRESH_SECONDS = 2


@allow(STATISTICIAN)
def download_report(request):
    """The trial report as a download once its background job is done; until then a page with
    the job's progress that reloads itself (``?retry=1`` restarts a failed job).

    The report is the job's stored HTML, gzip-compressed once (several megabytes, plotly.js
    inlined) and sent compressed to a browser that accepts gzip; its ETag and Last-Modified
    name the job, so a client that has it already gets a 304."""
    from khetrial.edc.audit.trail import record_event
    from khetrial.edc.web.reporting import DONE, FAILED, compressed_report, report_job

    job = report_job(request.user.username, retry=request.GET.get("retry") == "1")
    if job.status != DONE:
        response = render(request, "web/report_progress.html",
                          {"job": job, "refresh_seconds": REPORT_REFRESH_SECONDS},
                          status=200 if job.status == FAILED else 202)
        if job.status != FAILED:
            response["Refresh"] = str(REPORT_REFRESH_SECONDS)
        return response
    finished = job.finished_at or job.created_at
    etag = f'"report-{job.pk}-{job.data_version}-{int(finished.timestamp())}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        record_event("export", actor=request.user.username, role=STATISTICIAN,
                     detail="report download")
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(compressed_report(job), content_type="text/html; charset=utf-8")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(job.html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="khetrial-report.html"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(finished.timestamp())
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


@allow(ADMIN)
def sites(request):
    """Sites (centres); a site added after set-up gets its allocation stratum at once."""
    from khetrial.edc.randomization.services import add_stratum
    from khetrial.edc.trial.models import Site

    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if Site.objects.filter(code=code).exists():
            form.add_error("code", gettext("site %(code)s exists already") % {"code": code})
        else:
            Site.objects.create(code=code, name=form.cleaned_data["name"])
            add_stratum(code, actor=request.user.username)
            messages.success(request, gettext("site %(code)s added") % {"code": code})
            return redirect("sites")
    return render(request, "web/sites.html", {"sites": Site.objects.order_by("code"),
                                              "form": form})
