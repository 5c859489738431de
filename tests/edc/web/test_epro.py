"""Parents' questionnaires (issue 15): an investigator issues a one-time, expiring link for the
PedsQL due; a parent answers without an account; the answers are recorded and audited under
the link; the link then is dead, and it never opened anything else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from khetrial.edc.audit.models import AuditEntry
from khetrial.edc.trial.models import QolResponse
from khetrial.edc.web import epro
from khetrial.edc.web.models import EproLink

# The fixture's patients: randomized 2018-03-07, born 2017-12-01, a baseline PedsQL answered
# on 2018-03-07. 2019-03-01 is study day 359, inside the month-12 window (SAP: days 335…395);
# the child is 15 months old, so the form is the Infant Scales 13-24 months, 45 items (PedsQL
# 4.0 user's guide: 9 + 10 + 12 + 5 + 9).
TODAY = dt.date(2019, 3, 1)
INFANT_13_24_ITEMS = 45


@pytest.fixture
def month_12(settings):
    settings.KHETRIAL_TODAY = TODAY


def _issue(login, pid="A-01", username="inv_a"):
    page = login(username).post(f"/patients/{pid}/epro/")
    assert page.status_code == 200
    url = re.search(r'id="epro-url">([^<]+)<', page.content.decode()).group(1)
    return url.replace("http://testserver", ""), page


def _answers(page_html: str, value: str = "1") -> dict:
    names = sorted(set(re.findall(r'type="radio" name="([a-z]+_\d+)"', page_html)))
    return {name: value for name in names}


def test_an_investigator_issues_a_link_shown_once_with_a_qr_code_and_audited(trial, login,
                                                                             month_12):
    path, page = _issue(login)
    assert path.startswith("/q/") and b'id="epro-qr" src="data:image/svg+xml;base64,' in page.content
    link = EproLink.objects.get()
    assert (link.patient_id, link.instrument, link.month) == ("A-01", "infant_13_24", 12)
    assert link.expires_at - link.created_at == dt.timedelta(days=epro.EPRO_LINK_DAYS)
    key = path.split("/")[2]
    assert link.key_hash == epro.hash_key(key) and key not in str(link.__dict__)
    entry = AuditEntry.objects.get(action="role_change", record_id=link.actor)
    assert (entry.actor, entry.patient_id, entry.site_code) == ("inv_a", "A-01", "A")
    assert key not in login("inv_a").get("/patients/A-01/epro/").content.decode()  # once


def test_a_parent_answers_without_an_account_and_the_answers_are_audited_to_the_link(
        trial, login, month_12):
    path, _page = _issue(login)
    parent = Client()
    form = parent.get(path)
    html = form.content.decode()
    assert form.status_code == 200 and 'name="viewport"' in html
    assert "A-01" not in html and "<nav>" not in html  # nothing about the child, no navigation
    answers = _answers(html)
    assert len(answers) == INFANT_13_24_ITEMS
    answers["pf_01"], answers["pf_02"] = "4", ""  # one "almost always", one left out
    done = parent.post(path, answers)
    assert done.status_code == 200 and b"44 of 45" in done.content
    rows = QolResponse.objects.filter(patient__patient_id="A-01", date=TODAY)
    assert rows.count() == INFANT_13_24_ITEMS
    assert rows.get(item="pf_01").response == 4 and rows.get(item="pf_02").response is None
    link = EproLink.objects.get()
    entries = AuditEntry.objects.filter(action="create", actor=f"epro:{link.pk}")
    assert entries.count() == INFANT_13_24_ITEMS
    assert set(entries.values_list("role", "form", "patient_id")) == {("parent", "epro", "A-01")}
    assert link.used_at is not None


def test_a_used_link_is_refused_on_a_second_open_and_a_second_submit(trial, login, month_12):
    path, _page = _issue(login)
    parent = Client()
    answers = _answers(parent.get(path).content.decode())
    assert parent.post(path, answers).status_code == 200
    again = Client()
    assert again.get(path).status_code == 410
    assert again.post(path, answers).status_code == 410
    assert QolResponse.objects.filter(date=TODAY).count() == INFANT_13_24_ITEMS  # not twice


def test_a_link_works_until_the_instant_it_expires_and_not_after(trial, login, month_12):
    path, _page = _issue(login)
    key, link = path.split("/")[2], EproLink.objects.get()
    just_before = link.expires_at - dt.timedelta(microseconds=1)
    assert epro.open_link(key, now=just_before) == link
    with pytest.raises(epro.LinkRefused) as refused:
        epro.open_link(key, now=link.expires_at)
    assert refused.value.reason == "expired"
    EproLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    parent = Client()
    r = parent.get(path)
    assert r.status_code == 410 and b"expired" in r.content
    assert parent.post(path, {"pf_01": "1"}).status_code == 410
    assert not QolResponse.objects.filter(date=TODAY).exists()


def test_the_link_reaches_nothing_else(trial, login, month_12):
    path, _page = _issue(login)
    key = path.split("/")[2]
    parent = Client()
    assert parent.get(path).status_code == 200
    assert "_auth_user_id" not in parent.session  # opening the link signs nobody in
    for url in ("/", "/patients/", "/patients/A-01/", "/patients/A-01/qol/add/",
                "/patients/A-01/epro/", "/audit/", f"/patients/A-01/?key={key}"):
        r = parent.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    headers = {"Authorization": f"Bearer {key}"}
    assert parent.get("/api/me", headers=headers).status_code == 401
    assert parent.get("/api/patients", headers=headers).status_code == 401
    assert Client().get("/q/not-a-key/").status_code == 404


def test_a_revoked_link_is_refused(trial, login, month_12):
    path, _page = _issue(login)
    link = EproLink.objects.get()
    assert login("inv_a").post("/patients/A-01/epro/", {"revoke": link.pk}).status_code == 302
    assert Client().get(path).status_code == 410
    assert AuditEntry.objects.filter(record_id=link.actor, detail__endswith="revoked").exists()


def test_only_an_investigator_of_the_patients_site_issues_links(trial, login, month_12):
    assert login("inv_b").post("/patients/A-01/epro/").status_code == 404
    for username in ("assessor_a", "stat", "mon", "adm"):
        assert login(username).post("/patients/A-01/epro/").status_code == 403, username
    assert not EproLink.objects.exists()


def test_no_link_when_no_pedsql_is_due(trial, login, settings):
    settings.KHETRIAL_TODAY = dt.date(2018, 9, 1)  # day 178: between the two windows
    page = login("inv_a").post("/patients/A-01/epro/", follow=True)
    assert b"no PedsQL is due today" in page.content and not EproLink.objects.exists()


def test_the_licensed_item_wording_is_shown_when_installed(trial, login, month_12, settings,
                                                          tmp_path):
    texts = tmp_path / "pedsql.json"
    texts.write_text('{"en": {"infant_13_24": {"pf_01": "Wording of item one (licensed)"}}}',
                     encoding="utf-8")
    settings.PEDSQL_TEXTS_FILE = str(texts)
    path, _page = _issue(login)
    html = Client().get(path).content.decode()
    assert "Wording of item one (licensed)" in html and "Question 2" in html
    settings.PEDSQL_TEXTS_FILE = ""
    assert "Wording of item one" not in Client().get(path).content.decode()


def test_answers_refused_by_a_locked_database_leave_the_link_open(trial, login, month_12):
    from khetrial.edc.audit.trail import set_lock

    path, _page = _issue(login)
    parent = Client()
    answers = _answers(parent.get(path).content.decode())
    set_lock(True, actor="stat", reason="final analysis")
    assert parent.post(path, answers).status_code == 503
    assert EproLink.objects.get().used_at is None and not QolResponse.objects.filter(
        date=TODAY).exists()
    set_lock(False, actor="adm", reason="late questionnaire")
    assert parent.post(path, answers).status_code == 200
