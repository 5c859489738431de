"""The web report renders from stored results, recomputed only when the data change."""

from __future__ import annotations

import pytest

from khetrial.edc.store import export_bundle
from khetrial.edc.web import reporting
from khetrial.edc.web.models import StoredResults
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
