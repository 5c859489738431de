"""Generated from the URL configuration: every page and API route, every role, anonymous.

A role listed by a route's ``@allow``/``@api_allow`` gets its page (200, a redirect that is
not to the login page, or 405 for a POST-only route); every other role gets 403; anonymous
users are sent to the login page (pages) or get 401 (API). A new route without declared roles
fails :func:`routes.page_routes` itself.
"""

from __future__ import annotations

import pytest

from tests.edc.web.conftest import ROLE_USERS
from tests.edc.web.routes import api_routes, page_routes

ALLOWED = {200, 302, 405}


def _site(username):
    return ROLE_USERS[username][1]


@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_every_page_allows_exactly_its_roles(walkable, client, login, username):
    role = ROLE_USERS[username][0]
    c = login(username)
    problems = []
    for route in page_routes(_site(username), username):
        response = c.get(route.url)
        allowed = role in route.roles or "public" in route.roles
        to_login = response.status_code == 302 and "/login/" in response["Location"]
        if allowed and (response.status_code not in ALLOWED or to_login):
            problems.append(f"{route.name} {route.url}: {response.status_code} for {role}")
        if not allowed and response.status_code != 403:
            problems.append(f"{route.name} {route.url}: {response.status_code}, expected 403")
    assert not problems, "\n".join(problems)


def test_anonymous_is_sent_to_login_everywhere_but_login(walkable, client):
    problems = []
    for route in page_routes(""):
        response = client.get(route.url)
        if "public" in route.roles:
            ok = response.status_code == 200
        else:
            ok = response.status_code == 302 and response["Location"].startswith("/login/")
        if not ok:
            problems.append(f"{route.url}: {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_every_api_route_allows_exactly_its_roles(walkable, client, token_for, username):
    role = ROLE_USERS[username][0]
    headers = {"Authorization": f"Bearer {token_for(username)}"}
    problems = []
    for route in api_routes(_site(username), username):
        response = client.generic(route.method, route.url, data="{}",
                                  content_type="application/json", headers=headers)
        allowed = role in route.roles
        # allowed writes with an empty body are refused by validation (422), not by role
        if allowed and response.status_code not in {200, 422}:
            problems.append(f"{route.name}: {response.status_code} for {role}")
        if not allowed and response.status_code != 403:
            problems.append(f"{route.name}: {response.status_code}, expected 403 for {role}")
    assert not problems, "\n".join(problems)


def test_anonymous_and_bad_tokens_get_401_from_the_api(walkable, client):
    for route in api_routes(""):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.generic(route.method, route.url, data="{}",
                                      content_type="application/json", headers=headers)
            assert response.status_code == 401, (route.name, headers, response.status_code)


def test_a_site_user_never_sees_another_sites_patient(walkable, login):
    c = login("inv_a")
    assert c.get("/patients/B-01/").status_code == 404
    assert b"B-01" not in c.get("/patients/").content
    assert b"B-01" not in c.get("/export/patients.csv").content
    assert b"B-01" not in c.get("/audit/").content
    c = login("assessor_a")
    assert c.get("/patients/B-01/").status_code == 404
    assert c.get("/patients/B-01/mri/add/").status_code == 404
