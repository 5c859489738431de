"""Safer randomization (issue 15): no pre-selected clinical answer, a confirmation page that
summarises the child before the irreversible step, a stale or altered confirmation refused,
screen failure as its own action."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model

from tests.edc.web.conftest import randomize_confirmed

FORM = {"patient_id": "A-11", "sex": "M", "birth_date": "2018-01-01", "weight_kg": "6",
        "height_cm": "60", "lesion_depth": "deep", "lesion_site": "head_neck", "biopsy": "0"}


@pytest.fixture
def url(trial):
    from khetrial.edc.trial.models import Screening

    return f"/screening/{Screening.objects.get(screening_id='SCR-A1').pk}/randomize/"


def _allocated():
    from khetrial.edc.randomization.models import AllocationEntry
    from khetrial.edc.trial.models import Patient

    return Patient.objects.count(), AllocationEntry.objects.exclude(patient_id="").count()


def test_no_clinical_answer_is_pre_selected(url, login):
    html = login("inv_a").get(url).content.decode()
    for name in ("sex", "lesion_depth", "lesion_site", "biopsy"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        # "—" is the selection (the screening recorded no sex here)
        assert re.findall(r'<option value="([^"]*)" selected>', select) == [""], name
    r = login("inv_a").post(url, {**FORM, "sex": "", "biopsy": ""})
    assert {"sex", "biopsy"} <= set(r.context["form"].errors)  # "—" is not an answer


def test_the_form_alone_allocates_nothing_and_shows_the_summary_in_words(url, login):
    before = _allocated()
    r = login("inv_a").post(url, FORM)
    assert r.status_code == 200 and _allocated() == before
    summary = dict(r.context["summary"])
    # labels from the label source (bundle/labels.py), the unit from the format
    assert summary["Lesion site"] == "Head and neck" and summary["Biopsy performed"] == "no"
    assert summary["Weight (kg)"] == "6"
    assert summary["Onset of Kasabach-Merritt phenomenon"] == "not given"
    html = r.content.decode()
    assert "Confirm and randomize" in html and "Go back and change" in html


def test_confirming_randomizes_once(url, login):
    before = _allocated()
    r = randomize_confirmed(login("inv_a"), url, FORM)
    assert r.status_code == 302 and r["Location"].endswith("/patients/A-11/")
    assert _allocated() == (before[0] + 1, before[1] + 1)


def test_going_back_shows_the_values_again_and_allocates_nothing(url, login):
    c = login("inv_a")
    token = c.post(url, FORM).context["token"]
    r = c.post(url, {"confirmation": token, "back": ""})
    assert r.status_code == 200 and r.context["form"].data["lesion_site"] == "head_neck"
    assert "token" not in r.context and _allocated()[0] == 4


def _tamper(token: str) -> str:
    body, sep, signature = token.rpartition(":")
    return body + sep + ("A" if signature[0] != "A" else "B") + signature[1:]


@pytest.mark.parametrize("change", ["altered", "other values", "empty"])
def test_an_altered_confirmation_is_refused(url, login, change):
    from django.core import signing

    c = login("inv_a")
    token = c.post(url, FORM).context["token"]
    forged = {"altered": _tamper(token), "empty": "",
              # values signed with another key (not the server's) for a different child
              "other values": signing.dumps({"screening": 0, "user": "inv_a", "values": FORM},
                                            key="not-the-secret", salt="x")}[change]
    r = c.post(url, {"confirmation": forged, "confirm": ""})
    assert r.status_code == 400 and _allocated()[0] == 4
    assert "nothing was randomized" in r.content.decode()


def test_another_users_or_screenings_confirmation_is_refused(url, login):
    from khetrial.edc.accounts.services import add_user
    from khetrial.edc.trial.models import Screening, Site
    from khetrial.edc.web import confirmation

    add_user("inv_a2", "investigator", "correct-horse-battery-7", "A")
    token = login("inv_a").post(url, FORM).context["token"]
    c = login("inv_a2")
    assert c.post(url, {"confirmation": token, "confirm": ""}).status_code == 400
    other = Screening.objects.create(screening_id="SCR-A2", site=Site.objects.get(code="A"),
                                     date=Screening.objects.get(screening_id="SCR-A1").date,
                                     eligible=True)
    token = confirmation.sign(other.pk, "inv_a", FORM)
    c = login("inv_a")
    assert c.post(url, {"confirmation": token, "confirm": ""}).status_code == 400
    assert _allocated()[0] == 4


def test_a_stale_confirmation_is_refused(url, login):
    from khetrial.edc.web.confirmation import CONFIRMATION_MAX_AGE_SECONDS

    c = login("inv_a")
    token = c.post(url, FORM).context["token"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=CONFIRMATION_MAX_AGE_SECONDS + 5)
    with time_machine.travel(later):
        c.force_login(get_user_model().objects.get(username="inv_a"))  # the session expired
        r = c.post(url, {"confirmation": token, "confirm": ""})
    assert r.status_code == 400 and "minutes old" in r.content.decode()
    assert _allocated()[0] == 4


BASE = {"screening_id": "SCR-A9", "date": "2018-04-01", "birth_date": "2018-02-01",
        "diagnosis_basis": ["clinical"], "platelets": "25", "fibrinogen": "0.8", "d_dimer": "6",
        "liver_function_adequate": "on", "renal_function_adequate": "on",
        "marrow_function_adequate": "on"}


def test_screen_failure_is_an_explicit_action_on_the_screening_page(trial, login, settings):
    from khetrial.edc.trial.models import Screening

    settings.KHETRIAL_TODAY = dt.date(2018, 4, 1)
    c = login("inv_a")
    assert 'name="screen_failure"' in c.get("/screening/new/").content.decode()  # before a check
    # an eligible child is not a screen failure
    r = c.post("/screening/new/", {**BASE, "screen_failure": ""})
    assert r.status_code == 200 and not Screening.objects.filter(screening_id="SCR-A9").exists()
    # Pub.: "active infection" excludes: recorded with its criterion, at once
    r = c.post("/screening/new/", {**BASE, "active_infection": "on", "screen_failure": ""},
               follow=True)
    row = Screening.objects.get(screening_id="SCR-A9")
    assert row.eligible is False and "inclusion_no_active_infection" in row.reason
    assert "Screen failure SCR-A9 recorded." in r.content.decode()
