"""The web report renders from stored results, recomputed only when the data change."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.store import export_bundle
from khetrial.edc.web import reporting
from khetrial.edc.web.models import ReportJob, StoredResults
from khetrial.errors import DatabaseError
from khetrial.sap import analyse_or_describe, bundle_checksums, data_checksum


def test_the_first_report_stores_the_results_and_the_next_reads_them_back(trial, monkeypatch):
    bundle = export_bundle()
    first = reporting.stored_results(bundle)
    row = StoredResults.objects.get()
    assert row.data_sha256 == data_checksum(bundle_checksums(bundle))
    assert row.results_json == first.to_json()

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis ran again on unchanged data")

    monkeypatch.setattr(reporting, "analyse_or_describe", refuse)
    assert reporting.stored_results(export_bundle()) == first


def test_changed_data_are_analysed_again_and_replace_the_stored_results(trial):
    from khetrial.edc.trial.models import Patient

    reporting.stored_results(export_bundle())
    Patient.objects.filter(patient_id="A-01").update(sex="M")  # one changed value
    bundle = export_bundle()
    results = reporting.stored_results(bundle)
    assert StoredResults.objects.count() == 1
    assert StoredResults.objects.get().data_sha256 == data_checksum(bundle_checksums(bundle))
    assert results.to_dict() | {"provenance": None} == analyse_or_describe(bundle).to_dict() | {"provenance": None}


@pytest.mark.parametrize("user", ["stat"])
def test_the_report_page_renders_from_the_stored_results(trial, login, user, monkeypatch):
    reporting.stored_results(export_bundle())

    def refuse(*args, **kwargs):
        raise AssertionError("the report page ran the analysis")

    monkeypatch.setattr(reporting, "analyse_or_describe", refuse)
    r = login(user).get("/downloads/report.html")
    assert r.status_code == 200 and b"Table 3. Efficacy outcomes" in r.content


def test_the_report_is_sent_gzip_compressed_and_not_again_to_a_client_that_has_it(trial, login):
    import gzip

    client = login("stat")
    plain = client.get("/downloads/report.html")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    packed = client.get("/downloads/report.html", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert bytes(ReportJob.objects.get().html_gzip) == packed.content  # stored with the job
    assert packed["ETag"] == plain["ETag"] and packed["Last-Modified"]
    downloads = AuditEntry.objects.filter(action="export", detail="report download").count()
    again = client.get("/downloads/report.html", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304 and not again.content
    assert AuditEntry.objects.filter(action="export", detail="report download").count() == downloads
    assert client.get("/downloads/report.html", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_report_done_before_compressed_bodies_were_stored_is_compressed_once(trial, login):
    import gzip

    client = login("stat")
    html = client.get("/downloads/report.html").content
    ReportJob.objects.update(html_gzip=b"")
    reporting._compressed.clear()
    packed = client.get("/downloads/report.html", HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(packed.content) == html
    assert bytes(ReportJob.objects.get().html_gzip) == packed.content


@pytest.fixture
def background(settings, monkeypatch):
    """Background mode with the thread not started: the test runs the job when it wants."""
    settings.REPORT_IN_BACKGROUND = True
    started = []
    monkeypatch.setattr(reporting.threading, "Thread",
                        lambda target, args, **kwargs: SimpleNamespace(start=lambda: started.append(args)))
    return started


@pytest.mark.parametrize("user", ["stat"])
def test_the_report_page_shows_progress_until_its_background_job_is_done(trial, login, user, background):
    client = login(user)
    waiting = client.get("/downloads/report.html")
    assert waiting.status_code == 202 and waiting["Refresh"] == "2"
    assert b"step 0 of 3" in waiting.content and b"being computed in the background" in waiting.content
    assert len(background) == 1  # one job started, not one per request
    assert client.get("/downloads/report.html").status_code == 202 and len(background) == 1
    reporting.run_report_job(*background[0])
    done = client.get("/downloads/report.html")
    assert done.status_code == 200 and b"Table 3. Efficacy outcomes" in done.content
    assert done["Content-Disposition"].endswith('report.html"') and len(background) == 1


def test_changed_data_start_a_new_report_job_and_drop_the_old_one(trial, background):
    first = reporting.report_job("stat")
    AuditEntry.objects.create(actor="inv_a", action="change", form="patients", patient_id="A-01",
                              field="sex", old="F", new="M")
    second = reporting.report_job("stat")
    assert second.pk != first.pk and second.data_version > first.data_version
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [second.pk]


def test_a_failed_job_shows_its_error_and_runs_again_only_when_asked(trial, login, background, monkeypatch):
    def broken():
        raise DatabaseError("the export failed: got no connection; expected a database")

    monkeypatch.setattr(reporting, "export_bundle", broken)
    job = reporting.report_job("stat")
    reporting.run_report_job(job.pk)
    client = login("stat")
    failed = client.get("/downloads/report.html")
    assert failed.status_code == 200 and b"the export failed" in failed.content
    assert len(background) == 1
    assert client.get("/downloads/report.html?retry=1").status_code == 202 and len(background) == 2


def test_a_job_that_died_in_the_thread_is_recorded_as_failed(trial, monkeypatch):
    job = ReportJob.objects.create(data_version=reporting.data_version())

    def crash(job_id):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(reporting, "run_report_job", crash)
    reporting._run_in_thread(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "worker killed" in job.error
