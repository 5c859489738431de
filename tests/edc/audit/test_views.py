"""The audit view: filters, pagination, CSV, corrections through the form, role filtering."""

from __future__ import annotations

import csv
import io

from tests.conftest import pass_second_factor
from tests.edc.web.conftest import PASSWORD, fast_hasher, make_trial  # noqa: F401  (fixture)

import pytest


@pytest.fixture
def trial(db):
    make_trial()


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=PASSWORD)
    pass_second_factor(client, username)  # administrators need one (issue 15)
    return client


def test_correction_through_the_form_needs_a_reason_and_shows_old_and_new(trial, client):
    from khetrial.edc.trial.models import LabResult

    c = _login(client, "inv_a")
    lab = LabResult.objects.filter(patient__patient_id="A-01", test="platelets").first()
    url = f"/patients/A-01/labs/{lab.pk}/edit/"
    form = {"date": "2018-03-07", "test": "platelets", "value": "25"}
    r = c.post(url, form)
    assert r.status_code == 200 and b"a correction needs a reason" in r.content.replace(
        b"This field is required.", b"a correction needs a reason")
    r = c.post(url, {**form, "reason": "lab re-sent the report"})
    assert r.status_code == 302
    page = c.get("/audit/?patient_id=A-01&action=change").content.decode()
    assert "21.0" in page and "25.0" in page and "lab re-sent the report" in page


def test_api_correction_without_reason_is_refused(trial, client):
    from django.contrib.auth import get_user_model

    from khetrial.edc.accounts.models import ApiToken
    from khetrial.edc.trial.models import LabResult

    _, key = ApiToken.issue(get_user_model().objects.get(username="inv_a"))
    lab = LabResult.objects.filter(patient__patient_id="A-01", test="platelets").first()
    h = {"Authorization": f"Bearer {key}"}
    url = f"/api/patients/A-01/labs/{lab.pk}"
    r = client.patch(url, {"value": 30}, content_type="application/json", headers=h)
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = client.patch(url, {"value": 30, "reason": "LIS correction"},
                     content_type="application/json", headers=h)
    assert r.status_code == 200 and r.json()["value"] == 30


def test_filters_pagination_and_csv(trial, client):
    c = _login(client, "stat")
    page = c.get("/audit/?form=fixture&page=2")
    assert page.status_code == 200 and b"Page 2 of" in page.content
    rows = list(csv.DictReader(io.StringIO(c.get("/audit.csv?patient_id=B-01").content.decode())))
    assert rows and {r["patient_id"] for r in rows} == {"B-01"}
    assert c.get("/audit/?date_from=2000-01-01&date_to=2000-01-02").content.count(b"<tr>") == 2


def test_investigator_sees_only_its_sites_entries_and_admin_no_clinical_data(trial, client):
    c = _login(client, "inv_a")
    rows = list(csv.DictReader(io.StringIO(c.get("/audit.csv").content.decode())))
    assert rows and {r["site"] for r in rows} <= {"A", ""}
    c = _login(client, "adm")
    rows = list(csv.DictReader(io.StringIO(c.get("/audit.csv").content.decode())))
    assert rows and {r["action"] for r in rows} <= {"login", "logout", "login_failed",
                                                    "role_change", "allocation_list", "export",
                                                    "lock", "unlock", "blinding_guard"}
