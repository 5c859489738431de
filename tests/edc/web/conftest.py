"""A small trial for the web tests: five sites, one user per role, both arms populated."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import pass_second_factor

PASSWORD = "correct-horse-battery-7"
SITES = ("A", "B", "C", "D", "E")
ROLE_USERS = {  # username -> (role, site)
    "inv_a": ("investigator", "A"),
    "inv_b": ("investigator", "B"),
    "assessor_a": ("assessor", "A"),
    "assessor_all": ("assessor", ""),
    "stat": ("statistician", ""),
    "mon": ("monitor", ""),
    "adm": ("admin", ""),
}


def make_trial():
    """Sites, accounts, the allocation list, and patients of both arms with every kind of data."""
    from khetrial.edc.accounts.services import add_user
    from khetrial.edc.audit.trail import audit_context
    from khetrial.edc.randomization.services import create_allocation_list
    from khetrial.edc.trial import models as m

    for code in SITES:
        m.Site.objects.create(code=code, name=f"Centre {code}")
    for username, (role, site) in ROLE_USERS.items():
        add_user(username, role, PASSWORD, site or None)
    create_allocation_list(SITES, seed="web-tests", per_site=12)
    day0 = dt.date(2018, 3, 7)
    with audit_context(actor="fixture", form="fixture"):
        for pid, site, arm in (("A-01", "A", "SP"), ("A-02", "A", "S"), ("B-01", "B", "SP"),
                               ("B-02", "B", "S")):
            p = m.Patient.objects.create(
                patient_id=pid, site=m.Site.objects.get(code=site), sex="F",
                birth_date=dt.date(2017, 12, 1), randomization_date=day0, arm=arm,
                weight_kg=6.0, height_cm=62.0, lesion_depth="deep", lesion_site="trunk",
                biopsy=True, extra={"note": "sirolimus started"})
            for day, plt in ((0, 21.0), (7, 60.0), (14, 120.0)):
                m.LabResult.objects.create(patient=p, date=day0 + dt.timedelta(days=day),
                                           test="platelets", value=plt)
            m.LabResult.objects.create(patient=p, date=day0, test="fibrinogen", value=0.9)
            m.DrugLevel.objects.create(patient=p, date=day0 + dt.timedelta(days=7),
                                       sirolimus_trough_ng_ml=11.0)
            m.MedicationCourse.objects.create(patient=p, drug="sirolimus", start_date=day0,
                                              dose=0.8, dose_unit="mg_m2", frequency="bid")
            if arm == "SP":
                m.MedicationCourse.objects.create(patient=p, drug="prednisolone",
                                                  start_date=day0, dose=2.0, dose_unit="mg_kg",
                                                  frequency="qd")
            m.MriScan.objects.create(patient=p, date=day0 + dt.timedelta(days=180),
                                     lesion_volume_ml=40.0)
            m.QolResponse.objects.create(patient=p, date=day0, instrument="infant_1_12",
                                         scale="physical", item="p1", response=2)
            m.AdverseEvent.objects.create(patient=p, term="mucositis_oral", onset_date=day0,
                                          grade=2, serious=False, related=True,
                                          action="dose_reduced")
            m.Transfusion.objects.create(patient=p, date=day0, product="platelets")
            m.SequelaAssessment.objects.create(patient=p, date=day0 + dt.timedelta(days=700),
                                               sequela="lymphedema", present=False)
            m.Disposition.objects.create(patient=p, date=day0 + dt.timedelta(days=730),
                                         status="completed")
        for site in ("A", "B"):
            m.Screening.objects.create(screening_id=f"SCR-{site}1", date=day0, eligible=True,
                                       site=m.Site.objects.get(code=site))


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Web tests log in often: a fast hasher here (argon2 itself: tests/accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def report_in_the_request(settings):
    """The report job runs in the request here (its background thread: test_reporting)."""
    settings.REPORT_IN_BACKGROUND = False


@pytest.fixture
def trial(db):
    make_trial()


@pytest.fixture
def login(client):
    """``login("inv_a")`` logs the test client in as that user, second factor passed
    (administrators and the unblinding pages require one; ``client.login`` alone does not)."""
    def _login(username):
        client.logout()
        assert client.login(username=username, password=PASSWORD), username
        pass_second_factor(client, username)
        return client
    return _login


@pytest.fixture
def walkable(trial):
    """The trial plus one data query and two unblinding requests (one approved) per site A/B,
    so every route has an object to open."""
    from django.utils import timezone

    from khetrial.edc.web.models import DataQuery, UnblindingRequest

    for pid, site in (("A-01", "A"), ("B-01", "B")):
        DataQuery.objects.create(patient_id=pid, site_code=site, table="mri", text="check?",
                                 raised_by="mon")
        for assessor in ("assessor_a", "assessor_all"):
            UnblindingRequest.objects.create(patient_id=pid, site_code=site,
                                             requested_by=assessor, reason="emergency")
            UnblindingRequest.objects.create(patient_id=pid, site_code=site,
                                             requested_by=assessor, reason="emergency",
                                             approved_by=f"inv_{site.lower()}",
                                             approved_at=timezone.now())


@pytest.fixture
def token_for(db):
    """``token_for("inv_a")`` -> a fresh API token of that user."""
    def _token(username):
        from django.contrib.auth import get_user_model

        from khetrial.edc.accounts.models import ApiToken

        return ApiToken.issue(get_user_model().objects.get(username=username))[1]
    return _token


def randomize_confirmed(client, url: str, data: dict):
    """Post the randomization form at ``url``, then confirm its summary (issue 15: the form
    alone allocates nothing). Returns the last response (the summary when the form was refused)."""
    summary = client.post(url, data)
    if summary.status_code != 200 or "token" not in (summary.context or {}):
        return summary
    return client.post(url, {"confirmation": summary.context["token"], "confirm": ""})
