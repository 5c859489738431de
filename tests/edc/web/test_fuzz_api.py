"""API fuzzing: schemathesis generates requests from /api/openapi.json; none may give a 500.

In process, through Django's test client (so each test keeps its transaction), as an
investigator (writes) and the blinded assessor; a bounded number of examples per operation
keeps the run short. Issue 16 found ``"date": 5`` -> 500 (now 422) by hand.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

EXAMPLES = 12  # per operation and user: enough to vary every parameter, short enough to run
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))


def _send(client, case, token: str):
    path = case.formatted_path
    query = case.query or {}
    headers = {"Authorization": f"Bearer {token}"}
    body = case.body
    data = b"" if body is None or isinstance(body, NotSet) else json.dumps(body)
    return client.generic(case.method, "/api" + path if not path.startswith("/api") else path,
                          data=data, content_type="application/json", headers=headers,
                          QUERY_STRING=urlencode(query, doseq=True))


@pytest.fixture
def api_schema(walkable, client, login):
    raw = login("stat").get("/api/openapi.json").json()
    client.logout()
    return schemathesis.openapi.from_dict(raw)


@pytest.mark.slow
@pytest.mark.parametrize("username", ["inv_a", "assessor_a"])
def test_no_generated_api_request_gives_a_server_error(api_schema, client, token_for, username):
    token = token_for(username)
    client.raise_request_exception = False  # a server error is counted, not raised
    errors: list[str] = []
    sent = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def fuzz(case):
            nonlocal sent
            response = _send(client, case, token)
            sent += 1
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}"
                              f" -> {response.status_code}")

        fuzz()
    assert sent >= EXAMPLES  # the schema really had operations to fuzz
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("value", [5, 5.5, "abc", None, "2018-02-30", True, [], {}])
def test_a_malformed_date_in_the_api_is_refused_not_a_server_error(walkable, client, token_for,
                                                                   value):
    # Issue 16 (low): '"date": 5' -> 500.
    r = client.post("/api/patients/A-01/mri", data=json.dumps({"date": value,
                                                               "lesion_volume_ml": 3.0}),
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    assert r.status_code in (400, 422), r.content


# JSON values of every type, for the fields the pages' forms know (the schema's body is an
# open object, so schemathesis rarely names a real field).
JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=40), st.lists(st.integers(), max_size=2),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=1))
WRITES = {"inv_a": ("labs", ("date", "test", "value")),
          "assessor_a": ("mri", ("date", "lesion_volume_ml"))}


@pytest.mark.slow
@pytest.mark.parametrize("username", sorted(WRITES))
def test_no_json_value_in_a_write_gives_a_server_error(walkable, client, token_for, username):
    table, fields = WRITES[username]
    headers = {"Authorization": f"Bearer {token_for(username)}"}
    statuses: list[int] = []
    client.raise_request_exception = False

    @FUZZ_SETTINGS
    @given(body=st.fixed_dictionaries({f: JSON_VALUES for f in fields},
                                      optional={"reason": JSON_VALUES}))
    def fuzz(body):
        r = client.post(f"/api/patients/A-01/{table}", data=json.dumps(body),
                        content_type="application/json", headers=headers)
        statuses.append(r.status_code)

    fuzz()
    assert len(statuses) >= EXAMPLES
    assert max(statuses) < 500, statuses


def test_a_nul_in_the_audit_filter_is_refused_not_a_server_error(walkable, client, token_for):
    # Found by the fuzzer above on PostgreSQL (text cannot hold NUL): /api/audit?patient_id=%00
    r = client.get("/api/audit?patient_id=%00",
                   headers={"Authorization": f"Bearer {token_for('inv_a')}"})
    assert r.status_code == 422
