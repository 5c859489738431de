"""Form fuzzing: hypothesis strings into every form of the pages each role opens; no 500.

Every page a role may open (read from the URL configuration, as the permission tests do) is
fetched; each ``<form>`` on it (POST or GET, logout left out) is sent with generated text in
each of its fields, as that role. Values mix random text with the ones that broke pages in
issue 16 (a "/" in an id, "SP", dates far outside the trial, 1e308, a formula, a NUL byte,
"?date_from=abc"). A bounded number of examples per form keeps the run short.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from khetrial.edc.web.tables import CLINICAL_TABLES
from tests.edc.web.conftest import ROLE_USERS
from tests.edc.web.routes import SITE_PATIENT, page_routes

EXAMPLES = 5  # per form and role
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
ATTR = re.compile(r"(\w+)=\"([^\"]*)\"")
TRICKY = ("", "0", "-1", "1e308", "-0.0", "nan", "9999-12-31", "0001-01-01", "2018-02-30",
          "abc", "A-01/../x", "SP", "S", "=HYPERLINK(\"http://x\")", "<script>x</script>",
          "' OR 1=1 --", "a\x00b", "x" * 300, "２０１８-０３-０７")
VALUES = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
# The pages that hold forms (downloads, exports and the dashboard hold none and are slow).
FORM_PAGES = {"login", "home", "patient", "patient_edit", "pedsql", "record_add", "record_edit",
              "record_void", "query_new", "unblinding_request", "screening_new", "randomize",
              "query_answer", "query_close", "audit", "lock", "users", "sites", "user_disable",
              "unblinding_approve", "epro_links", "epro_form", "password_change", "otp_verify",
              "otp_enrol"}


def _forms(html: str, page: str) -> list[tuple[str, str, list[str]]]:
    """``(method, action, field names)`` of each form of a page, logout left out."""
    out = []
    for attrs, body in FORM.findall(html):
        a = dict(ATTR.findall(attrs))
        action = unescape(a.get("action", "")) or page
        if action.startswith("/logout"):
            continue
        names = [n for n in dict.fromkeys(FIELD.findall(body)) if n != "csrfmiddlewaretoken"]
        out.append((a.get("method", "get").lower(), action, names))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_no_generated_form_value_gives_a_server_error(walkable, login, username):
    c = login(username)
    c.raise_request_exception = False  # a server error is counted, not raised
    site = ROLE_USERS[username][1]
    forms = []
    for route in page_routes(site, username):
        if route.name not in FORM_PAGES or not (set(route.roles) & {ROLE_USERS[username][0],
                                                                      "public"}):
            continue
        page = c.get(route.url)
        if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
            forms += [f for f in _forms(page.content.decode(), route.url) if f[2]]
    for table in CLINICAL_TABLES:  # the record form of every table, not only the sample's
        page = c.get(f"/patients/{SITE_PATIENT[site]}/{table}/add/")
        if page.status_code == 200:
            forms += [f for f in _forms(page.content.decode(), page.request["PATH_INFO"])
                      if f[2]]
    forms = list(dict.fromkeys((m, a, tuple(n)) for m, a, n in forms))
    errors: list[str] = []
    sent = 0

    for method, action, names in forms:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=(Phase.explicit, Phase.generate),
                  suppress_health_check=list(HealthCheck))
        @given(values=st.fixed_dictionaries({n: VALUES for n in names}))
        def fuzz(values):
            nonlocal sent
            if method == "post":
                r = c.post(action, values)
            else:
                r = c.get(action.split("?")[0] + "?" + urlencode(values))
            sent += 1
            if r.status_code >= 500:
                errors.append(f"{username} {method.upper()} {action} {values!r} -> "
                              f"{r.status_code}")

        fuzz()
        c = login(username)
        c.raise_request_exception = False  # a form may have ended the session (a password change, a lock)
    assert forms, f"{username} opened no page with a form"
    assert sent >= len(forms)
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("query", ["date_from=abc", "date_to=2018-02-30", "date_from=%00",
                                   "date_from=2018-03-07&date_to=x", "page=-1", "page=abc"])
def test_a_malformed_audit_filter_is_the_users_error_not_a_server_error(walkable, login,
                                                                        query):
    # Issue 16 (low): /audit/?date_from=abc -> 500.
    c = login("stat")
    assert c.get(f"/audit/?{query}").status_code in (200, 400)
    assert c.get(f"/audit.csv?{query}").status_code in (200, 400)
