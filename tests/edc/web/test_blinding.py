"""The blinded assessor receives no arm, no treatment drug name and no dose — anywhere.

The assessor walks every page and API route its role may open (generated from the URL
configuration), every CSV export, the audit view and its CSV, error pages, and a refused form,
on a database where both arms are populated, a patient was just randomized, a medication was
corrected and a lab voided. Each response is searched with the test's own list of forbidden
words (independent of the application's guard), and none may have been replaced by the guard
(a 500 would mean the first line, the disclosure policy, leaked).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from khetrial.bundle.format import ARMS, DRUGS, DOSE_UNITS
from khetrial.constants import ARM_LABELS
from tests.edc.web.conftest import ROLE_USERS
from tests.edc.web.routes import api_routes, page_routes

# Bundle format: arm codes "SP"/"S"; drugs "sirolimus", "prednisolone", "tmp_smx"; dose units.
WORDS = ["sirolimus", "prednisolone", "tmp_smx", "dose", "trough", "rapamycin",
         *DOSE_UNITS, *[label.lower() for label in ARM_LABELS.values()]]
FORBIDDEN = re.compile(r"(?i:(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in WORDS)
                       + r")(?![a-z0-9]))|(?i:\barms?\b)|"
                       + "|".join(rf"[\"'>,]\s*{code}\s*[\"'<,\n]" for code in ARMS))
assert set(DRUGS) >= {"sirolimus", "prednisolone"}


def _busy_trial():
    """Events that put arm and treatment values into the audit trail."""
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.randomization.services import randomize_patient
    from khetrial.edc.trial.models import LabResult, MedicationCourse, Screening

    screening = Screening.objects.get(screening_id="SCR-A1")
    randomize_patient({"patient_id": "A-03", "sex": "M", "birth_date": dt.date(2018, 1, 2),
                       "weight_kg": 5.0, "height_cm": 58.0, "lesion_depth": "mixed",
                       "lesion_site": "extremity", "kmp_onset_date": None, "biopsy": False},
                      site_code="A", actor="inv_a", role="investigator", screening=screening)
    course = MedicationCourse.objects.filter(patient__patient_id="A-01").first()
    with audit_context(actor="inv_a", role="investigator", reason="dose typo", form="medications"):
        course.dose = 0.9
        course.save()
    lab = LabResult.objects.filter(patient__patient_id="A-01").first()
    with audit_context(actor="inv_a", role="investigator", reason="wrong tube", form="labs"):
        lab.voided, lab.void_reason = True, "wrong tube"
        lab.save()


def _check(response, where, problems):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    if response.status_code >= 500:
        problems.append(f"{where}: {response.status_code} (the guard had to step in)")
    match = FORBIDDEN.search(text)
    if match:
        start = max(0, match.start() - 60)
        problems.append(f"{where}: {match.group(0)!r} in …{text[start:match.end() + 60]}…")


@pytest.mark.parametrize("username", ["assessor_a", "assessor_all"])
def test_assessor_receives_no_allocation_anywhere(walkable, login, token_for, username):
    from khetrial.edc.web.tables import ALL_TABLES

    _busy_trial()
    c = login(username)
    site = ROLE_USERS[username][1]
    problems: list[str] = []
    seen_ok = 0
    for route in page_routes(site, username):
        if route.name == "plotly_js":
            continue  # the plotting library itself (no trial data), not drawn for assessors
        if route.name == "unblinding_reveal":
            continue  # the one sanctioned disclosure: test_emergency_unblinding_... below
        if "assessor" in route.roles or "public" in route.roles:
            response = c.get(route.url)
            _check(response, route.url, problems)
            seen_ok += response.status_code == 200
    for table in ALL_TABLES:
        _check(c.get(f"/export/{table}.csv"), f"export {table}", problems)
    for url in ("/audit/", "/audit.csv", "/audit/?patient_id=A-01", "/audit/?form=randomization",
                "/patients/A-01/", "/patients/A-03/", "/patients/no-such-patient/",
                "/downloads/", "/lock/", "/api/openapi.json", "/screening/", "/nowhere/",
                "/patients/A-01/labs/add/", "/patients/A-01/medications/add/"):
        _check(c.get(url), url, problems)
    _check(c.post("/patients/A-01/mri/add/", {"date": "2018-09-01", "lesion_volume_ml": "-4"}),
           "refused MRI form", problems)
    headers = {"Authorization": f"Bearer {token_for(username)}"}
    for route in api_routes(site, username):
        response = c.generic(route.method, route.url, data="{}", content_type="application/json",
                             headers=headers)
        _check(response, route.name, problems)
    for table in ALL_TABLES:
        _check(c.get(f"/api/patients/A-01/{table}", headers=headers), f"API {table}", problems)
    assert not problems, "\n".join(problems)
    assert seen_ok >= 8  # the walk really opened the assessor's pages


def test_the_same_walk_shows_the_allocation_to_an_investigator(walkable, login):
    """Control: the forbidden words are there for an unblinded role, so the check can see them."""
    _busy_trial()
    c = login("inv_a")
    page = c.get("/patients/A-01/").content.decode()
    assert FORBIDDEN.search(page)
    assert "prednisolone" in c.get("/export/medications.csv").content.decode()


def test_guard_replaces_a_leaking_response_for_a_blinded_user(walkable, rf):
    """Defence in depth: even a view that forgot the policy cannot leak to an assessor."""
    from django.contrib.auth import get_user_model
    from django.http import HttpResponse

    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.web.middleware import BlindingGuardMiddleware

    leaking = BlindingGuardMiddleware(lambda r: HttpResponse("<td>prednisolone 2 mg/kg</td>"))
    request = rf.get("/somewhere/")
    request.user = get_user_model().objects.get(username="assessor_a")
    response = leaking(request)
    assert response.status_code == 500
    assert b"prednisolone" not in response.content
    assert AuditEntry.objects.filter(action="blinding_guard", actor="assessor_a").exists()
    request.user = get_user_model().objects.get(username="inv_a")
    assert leaking(request).status_code == 200


@pytest.mark.parametrize("text", ['{"arm": "SP"}', "<td>S</td>", "id,arm\n1,S\n",
                                  "Sirolimus + prednisolone", "dose_unit", "mg_kg"])
def test_guard_pattern_catches_arm_codes_labels_and_dose_words(text):
    from khetrial.edc.web.blinding import leaks

    assert leaks(text) is not None


@pytest.mark.parametrize("text", ['{"sex": "F", "site": "A"}', "<td>Sequelae</td>",
                                  "alarm", "SPECIAL", "<td>SPX</td>"])
def test_guard_pattern_leaves_ordinary_text(text):
    from khetrial.edc.web.blinding import leaks

    assert leaks(text) is None


def test_emergency_unblinding_needs_a_second_person_and_reveals_one_patient(walkable, login):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.web.models import UnblindingRequest

    c = login("assessor_a")
    r = c.post("/patients/A-02/unblind/", {"reason": "severe adverse event, treating team asks"})
    assert r.status_code == 302
    req = UnblindingRequest.objects.get(patient_id="A-02", requested_by="assessor_a")
    assert c.get(f"/unblinding/{req.pk}/reveal/").status_code == 404  # not approved yet
    assert c.post(f"/unblinding/{req.pk}/approve/").status_code == 403  # not its role
    c = login("inv_a")
    assert c.post(f"/unblinding/{req.pk}/approve/").status_code == 302
    c = login("assessor_a")
    page = c.get(f"/unblinding/{req.pk}/reveal/")
    assert page.status_code == 200
    assert ARM_LABELS["S"] in page.content.decode()  # A-02 is in arm S (fixture)
    # only that patient: lists and the API still carry no arm
    assert not FORBIDDEN.search(c.get("/patients/").content.decode())
    assert not FORBIDDEN.search(c.get("/patients/A-02/").content.decode())
    actions = set(AuditEntry.objects.filter(patient_id="A-02").values_list("action", flat=True))
    assert {"unblind_request", "unblind_approve", "unblind_reveal"} <= actions


def test_free_text_naming_a_treatment_is_withheld_not_leaked(walkable, login):
    """A colleague's reason or query text may mention a drug: the assessor's pages still open
    (no guard 500) and show the text as withheld."""
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.trial.models import MriScan
    from khetrial.edc.web.blinding import WITHHELD
    from khetrial.edc.web.models import DataQuery

    mri = MriScan.objects.get(patient__patient_id="A-01")
    with audit_context(actor="inv_a", role="investigator", reason="re-read after prednisolone"):
        mri.lesion_volume_ml = 41.0
        mri.save()
    DataQuery.objects.create(patient_id="A-01", site_code="A", table="mri", raised_by="mon",
                             text="volume while on sirolimus 0.8 mg/m2?")
    c = login("assessor_a")
    for url in ("/audit/", "/queries/", "/patients/A-01/", "/audit.csv", "/api/audit"):
        r = c.get(url)
        text = r.content.decode()
        assert r.status_code == 200, url
        assert not FORBIDDEN.search(text), url
    assert WITHHELD in c.get("/audit/").content.decode()
