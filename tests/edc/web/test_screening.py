"""Screening shows the failed criteria; only an eligible child is randomized; monitor queries."""

from __future__ import annotations

from tests.edc.web.conftest import randomize_confirmed

BASE = {"screening_id": "SCR-A9", "date": "2018-05-02", "birth_date": "2018-02-01",
        "diagnosis_basis": ["clinical", "mri"], "platelets": "25", "fibrinogen": "0.8",
        "d_dimer": "6", "liver_function_adequate": "on", "renal_function_adequate": "on",
        "marrow_function_adequate": "on"}


def test_failing_criterion_is_shown_then_fixed_then_randomized(trial, login):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.trial.models import Patient, Screening

    c = login("inv_a")
    # Pub.: KMP = "platelet count <100 × 10⁹/L": 150 fails the inclusion criterion
    r = c.post("/screening/new/", {**BASE, "platelets": "150"})
    assert r.status_code == 200
    assert b'data-code="inclusion_kmp"' in r.content
    assert not Screening.objects.filter(screening_id="SCR-A9").exists()
    r = c.post("/screening/new/", BASE)
    assert r.status_code == 302 and "/randomize/" in r["Location"]
    r = randomize_confirmed(c, r["Location"], {"patient_id": "A-09", "sex": "M", "birth_date": "2018-02-01",
                               "weight_kg": "4.5", "height_cm": "55", "lesion_depth": "deep",
                               "lesion_site": "trunk", "biopsy": "0"})
    assert r.status_code == 302
    patient = Patient.objects.get(patient_id="A-09")
    assert patient.arm in ("SP", "S") and patient.site.code == "A"
    assert Screening.objects.get(screening_id="SCR-A9").patient == patient
    assert AuditEntry.objects.filter(action="randomize", patient_id="A-09").exists()


def test_screen_failure_can_be_recorded_and_cannot_be_randomized(trial, login):
    from khetrial.edc.trial.models import Screening

    c = login("inv_a")
    r = c.post("/screening/new/", {**BASE, "active_infection": "on", "screen_failure": ""})
    assert r.status_code == 302
    row = Screening.objects.get(screening_id="SCR-A9")
    assert row.eligible is False and "inclusion_no_active_infection" in row.reason
    assert row.seq == 1  # after the fixture's screenings (seq 0): the record service's rule
    r = c.post(f"/screening/{row.pk}/randomize/", {"patient_id": "A-10"})
    assert r.status_code == 302 and r["Location"].endswith("/screening/")


def test_monitor_raises_site_answers_monitor_closes(trial, login):
    from khetrial.edc.web.models import DataQuery

    c = login("mon")
    assert c.post("/patients/A-01/query/", {"table": "labs", "field": "value",
                                            "text": "platelets 21 on day 0?"}).status_code == 302
    q = DataQuery.objects.get()
    c = login("inv_b")
    assert c.post(f"/queries/{q.pk}/answer/", {"answer": "x"}).status_code == 404  # other site
    c = login("inv_a")
    assert b"platelets 21 on day 0?" in c.get("/patients/A-01/").content
    assert c.post(f"/queries/{q.pk}/answer/", {"answer": "confirmed"}).status_code == 302
    c = login("mon")
    assert c.post(f"/queries/{q.pk}/close/").status_code == 302
    q.refresh_from_db()
    assert (q.status, q.answer, q.answered_by) == ("closed", "confirmed", "inv_a")


def test_statistician_locks_admin_unlocks(trial, login):
    from khetrial.edc.audit.trail import is_locked

    c = login("stat")
    assert c.post("/lock/", {"reason": "final analysis"}).status_code == 302
    assert is_locked()
    assert c.post("/lock/", {"reason": "again"}).status_code == 403
    c = login("adm")
    assert c.post("/lock/", {"reason": "late data"}).status_code == 302
    assert not is_locked()


def test_statistician_downloads_the_bundle(trial, login):
    import io
    import zipfile

    c = login("stat")
    r = c.get("/downloads/bundle.zip")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "bundle/patients.csv" in names


def test_statistician_downloads_the_report_and_it_is_recorded(trial, login):
    from khetrial.edc.audit.models import AuditEntry

    c = login("stat")
    r = c.get("/downloads/report.html")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('report.html"')
    assert b"<html" in r.content[:2000].lower()
    assert AuditEntry.objects.filter(action="export", detail="report download").exists()


def test_admin_adds_a_site_and_it_can_randomize(trial, login):
    from khetrial.edc.randomization.models import Stratum

    c = login("adm")
    assert c.post("/sites/", {"code": "F", "name": "Centre F"}).status_code == 302
    assert Stratum.objects.filter(site_code="F").exists()
    assert c.post("/sites/", {"code": "F"}).status_code == 200  # exists already


def test_randomization_form_checks_baseline_ranges(trial, login):
    c = login("inv_a")
    from khetrial.edc.trial.models import Screening

    pk = Screening.objects.get(screening_id="SCR-A1").pk
    r = c.post(f"/screening/{pk}/randomize/", {"patient_id": "A-11", "sex": "F",
                                               "birth_date": "2018-01-01", "weight_kg": "81",
                                               "height_cm": "29", "lesion_depth": "deep",
                                               "lesion_site": "trunk", "biopsy": "1"})
    # bundle format: weight_kg 0.5–80, height_cm 30–180
    assert r.status_code == 200
    assert {"weight_kg", "height_cm"} <= set(r.context["form"].errors)


def test_a_second_submit_for_a_randomized_screening_goes_to_the_first_patient(trial, login):
    """Issue 16 (High 1): a resubmitted form never randomizes the child a second time."""
    from khetrial.edc.trial.models import Patient, Screening

    c = login("inv_a")
    pk = Screening.objects.get(screening_id="SCR-A1").pk
    form = {"sex": "F", "birth_date": "2018-01-01", "weight_kg": "6", "height_cm": "60",
            "lesion_depth": "deep", "lesion_site": "trunk", "biopsy": "1"}
    first = randomize_confirmed(c, f"/screening/{pk}/randomize/", {"patient_id": "A-11", **form})
    assert first.status_code == 302 and first["Location"].endswith("/A-11/")
    n = Patient.objects.count()
    again = randomize_confirmed(c, f"/screening/{pk}/randomize/", {"patient_id": "A-12", **form})
    assert again.status_code == 302 and Patient.objects.count() == n
    assert not Patient.objects.filter(patient_id="A-12").exists()
