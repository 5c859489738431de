"""Separation of duties (issue 16 item 12: one admin created a clinical account for themselves
and then completed an emergency unblinding alone)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from khetrial.edc.accounts.services import (add_user, approve_user, list_users, propose_user,
                                            set_role)
from khetrial.edc.audit.models import AuditEntry
from khetrial.errors import PermissionDenied
from tests.conftest import pass_second_factor
from tests.edc.accounts.conftest import PASSWORD


@pytest.fixture
def admins(site_a):
    add_user("adm1", "admin", PASSWORD, person="ann@example.org")
    add_user("adm2", "admin", PASSWORD, person="ben@example.org")


def _logged_in(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    pass_second_factor(c, username)  # administrators need one (issue 15)
    return c


def test_one_person_cannot_hold_admin_and_clinical_accounts(admins):
    with pytest.raises(PermissionDenied, match="separation of duties"):
        add_user("ann_inv", "investigator", PASSWORD, "A", person="ANN@example.org ")
    with pytest.raises(PermissionDenied, match="separation of duties"):
        propose_user("ann_as", "assessor", PASSWORD, by="adm2", person="ann@example.org")
    assert not get_user_model().objects.filter(username__startswith="ann_").exists()


def test_one_person_cannot_be_assessor_and_investigator(site_a):
    add_user("cara_as", "assessor", PASSWORD, "A", person="cara")
    with pytest.raises(PermissionDenied, match="cannot also be investigator"):
        add_user("cara_inv", "investigator", PASSWORD, "A", person="cara")


def test_a_role_change_cannot_join_two_roles_in_one_person(site_a):
    add_user("dan_mon", "monitor", PASSWORD, person="dan")
    add_user("dan_mon2", "monitor", PASSWORD, person="dan")  # same role twice: allowed
    with pytest.raises(PermissionDenied):
        set_role("dan_mon2", "admin")


def test_a_granted_account_cannot_log_in_until_a_second_admin_approves(admins):
    account = propose_user("eve", "investigator", PASSWORD, "A", by="adm1", person="eve")
    assert account.pending and not account.active
    assert not Client().login(username="eve", password=PASSWORD)
    with pytest.raises(PermissionDenied, match="different administrator"):
        approve_user("eve", by="adm1")
    assert approve_user("eve", by="adm2").active
    assert Client().login(username="eve", password=PASSWORD)
    details = list(AuditEntry.objects.filter(action="role_change", record_id="eve").order_by("id")
                   .values_list("actor", "detail"))
    assert details[0][0] == "adm1" and "waiting for a second administrator" in details[0][1]
    assert details[1] == ("adm2", "eve: investigator account approved by adm2 (granted by adm1)")


def test_an_admin_cannot_grant_an_account_to_themselves(admins):
    with pytest.raises(PermissionDenied, match="themselves"):
        propose_user("ann2", "admin", PASSWORD, by="adm1", person="ann@example.org")


def test_the_users_page_grants_and_a_second_admin_approves(admins):
    first, second = _logged_in("adm1"), _logged_in("adm2")
    r = first.post("/users/", {"username": "fay", "person": "fay@example.org",
                               "role": "monitor", "site": "", "password": PASSWORD})
    assert r.status_code == 302
    assert [a.pending for a in list_users() if a.username == "fay"] == [True]
    assert first.post("/users/fay/approve/").status_code == 403  # the granting admin
    assert second.post("/users/fay/approve/").status_code == 302
    assert Client().login(username="fay", password=PASSWORD)


@pytest.mark.parametrize("username", ["a/b", "../x", "x y", "", "é" * 3, "a" * 65])
def test_user_names_outside_the_pattern_are_refused_by_form_and_service(admins, username):
    from khetrial.errors import ConfigurationError

    r = _logged_in("adm1").post("/users/", {"username": username, "person": "p",
                                            "role": "monitor", "password": PASSWORD})
    assert r.status_code == 200 and not get_user_model().objects.filter(
        username=username).exists()
    with pytest.raises(ConfigurationError, match="not allowed"):
        add_user(username, "monitor", PASSWORD)


def test_a_stored_name_with_a_slash_does_not_break_the_users_page(admins):
    get_user_model().objects.create_user(username="old/name", password=PASSWORD)
    r = _logged_in("adm1").get("/users/")
    assert r.status_code == 200 and b"old/name" in r.content


def test_only_an_active_administrator_approves(admins):
    add_user("mo", "monitor", PASSWORD)
    propose_user("gus", "monitor", PASSWORD, by="adm1", person="gus")
    with pytest.raises(PermissionDenied, match="not an active administrator"):
        approve_user("gus", by="mo")
    assert [a.pending for a in list_users() if a.username == "gus"] == [True]
