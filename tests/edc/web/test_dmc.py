"""The ``dmc`` role (issue 12: "a ``dmc`` role that sees only the closed report"): a DMC member
logs in and sees the closed DMC report — arm level, arms coded A/B, from the stored results — and
nothing else; no other role sees the closed report. (The generated test_permissions.py walks every
route for every role, the dmc user included; this file names each URL group.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from khetrial.edc.accounts.roles import DMC, ROLES, STAFF_ROLES
from khetrial.report.dmc import CODES
from tests.edc.web.conftest import ROLE_USERS

# One URL per group of the application, as the DMC member would type it (fixture's patient A-01).
FORBIDDEN_PAGES = {
    "patients": "/patients/",
    "patient page": "/patients/A-01/",
    "patient edit": "/patients/A-01/edit/",
    "data entry": "/patients/A-01/mri/add/",
    "PedsQL entry": "/patients/A-01/qol/questionnaire/",
    "query": "/patients/A-01/query/",
    "unblinding request": "/patients/A-01/unblind/",
    "table export": "/export/patients.csv",
    "screening": "/screening/",
    "screening entry": "/screening/new/",
    "queries": "/queries/",
    "unblinding": "/unblinding/",
    "bedside dashboard": "/dashboard/",
    "audit trail": "/audit/",
    "audit CSV": "/audit.csv",
    "database lock": "/lock/",
    "downloads": "/downloads/",
    "bundle download": "/downloads/bundle.zip",
    "full report download": "/downloads/report.html",
    "standards download": "/downloads/standard/odm.zip",
    "users": "/users/",
    "sites": "/sites/",
    "API schema": "/api/openapi.json",
    "API docs": "/api/docs",
}
FORBIDDEN_API = ("/api/me", "/api/patients", "/api/patients/A-01/mri", "/api/audit")
DMC_PAGES = ("/dmc/", "/dmc/closed-report.html")
ARM_NAMES = ("Sirolimus + prednisolone", "Sirolimus alone", "Arm SP", "Arm S ")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dmc_is_a_role_but_not_staff():
    assert DMC == "dmc" and DMC in ROLES and DMC not in STAFF_ROLES


def test_a_dmc_member_lands_on_the_dmc_page(trial, login):
    c = login("dmc")
    home = c.get("/")
    assert home.status_code == 302 and home["Location"] == "/dmc/"
    page = c.get("/dmc/")
    assert page.status_code == 200
    nav = re.search(r"<nav>(.*?)</nav>", page.content.decode()).group(1)
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/dmc/"]  # home and the DMC report: no audit trail
    assert 'href="/dmc/closed-report.html"' in page.content.decode()


def test_the_closed_report_is_arm_level_coded_and_names_no_arm(trial, login):
    response = login("dmc").get("/dmc/closed-report.html")
    assert response.status_code == 200
    html = response.content.decode()
    shown = visible_text(html)
    assert "DMC closed report" in shown
    assert all(f"Arm {code}" in shown for code in CODES)
    assert not [name for name in ARM_NAMES if name in shown]
    assert not [pid for pid in ("A-01", "A-02", "B-01", "B-02") if pid in shown]  # no patient


def test_the_closed_report_allows_its_own_scripts_only(trial, login):
    response = login("dmc").get("/dmc/closed-report.html")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'sha256-" in script_src  # the Kaplan–Meier figure's plotly scripts, by hash
    assert "frame-ancestors 'none'" in policy


def test_viewing_the_closed_report_is_audited(trial, login):
    from khetrial.edc.audit.models import AuditEntry

    login("dmc").get("/dmc/closed-report.html")
    entry = AuditEntry.objects.filter(action="export").order_by("-id").first()
    assert (entry.actor, entry.role, entry.detail) == ("dmc", "dmc", "closed DMC report")


@pytest.mark.parametrize("group", sorted(FORBIDDEN_PAGES))
def test_every_other_page_refuses_the_dmc(trial, login, group):
    assert login("dmc").get(FORBIDDEN_PAGES[group]).status_code == 403, group


@pytest.mark.parametrize("url", FORBIDDEN_API)
def test_every_api_route_refuses_the_dmc(trial, client, token_for, url):
    response = client.get(url, headers={"Authorization": f"Bearer {token_for('dmc')}"})
    assert response.status_code == 403, url


@pytest.mark.parametrize("username", sorted(u for u, (role, _) in ROLE_USERS.items() if role != DMC))
def test_no_other_role_sees_the_closed_report(trial, login, username):
    # statistician and monitor read unblinded data, but the closed DMC report is the DMC's
    c = login(username)
    for url in DMC_PAGES:
        assert c.get(url).status_code == 403, (username, url)


def test_the_audit_disclosure_gives_the_dmc_nothing(trial):
    from django.contrib.auth import get_user_model

    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.web.blinding import disclosure_for

    d = disclosure_for(get_user_model().objects.get(username="dmc"))
    assert not d.clinical and d.tables() == [] and d.patients().count() == 0
    assert AuditEntry.objects.exists() and d.audit_entries(AuditEntry.objects.all()).count() == 0


def test_the_arm_key_is_stable_and_codes_both_arms(settings):
    from khetrial.edc.web.reporting import dmc_key

    settings.SECRET_KEY = "a-test-secret-key-of-enough-length-0123456789"
    key = dmc_key()
    assert key == dmc_key()  # the same on every view
    assert sorted(key) == ["A", "B"] and sorted(key.values()) == ["S", "SP"]


@pytest.mark.slow
def test_user_add_accepts_the_dmc_role(tmp_path):
    db = str(tmp_path / "k.sqlite3")

    def add(name, *extra):
        return subprocess.run([sys.executable, "-m", "khetrial", "user", "add", name, "--role", "dmc", *extra,
                               "--password-stdin", "--db", db, "--json"], input="long-password-123\n",
                              capture_output=True, text=True, timeout=120)

    done = add("carol")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["role"] == "dmc"
    with_site = add("dave", "--site", "A")
    assert with_site.returncode != 0 and "sees all sites" in with_site.stderr  # as the other all-site roles
