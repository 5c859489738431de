"""Queries on a specific value (issue 15): picked from the page that shows the value, refused
when the form, record or field does not exist, listed with status, age and history."""

from __future__ import annotations

import datetime as dt
import re

import pytest


def _lab(pid="A-01", day=0):
    from khetrial.edc.trial.models import LabResult

    return LabResult.objects.get(patient__patient_id=pid, test="platelets",
                                 date=dt.date(2018, 3, 7) + dt.timedelta(days=day))


def test_every_value_on_the_patient_page_links_to_a_prefilled_query(trial, login):
    html = login("mon").get("/patients/A-01/").content.decode()
    lab = _lab()
    link = f"/patients/A-01/query/?table=labs&amp;record_id={lab.pk}&amp;field=value"
    assert link in html
    assert len(re.findall(r'class="raise-query"', html)) > 20  # one per value shown
    assert 'class="raise-query"' not in login("inv_a").get("/patients/A-01/").content.decode()


def test_the_prefilled_form_shows_the_value_and_its_choices_are_picked(trial, login):
    lab = _lab()
    r = login("mon").get(f"/patients/A-01/query/?table=labs&record_id={lab.pk}&field=value")
    html = r.content.decode()
    # the fixture's day-0 platelet count is 21 ×10⁹/L
    assert re.search(r'id="query-target".*Laboratory results.*field <b>value</b> = <b>21.0</b>',
                     html)
    assert re.search(rf'<option value="labs:{lab.pk}" selected>', html)
    assert '<option value="labs:value" selected>' in html
    assert '<select name="table"' in html and '<input type="text" name="table"' not in html


def test_a_query_raised_on_a_value_keeps_its_form_record_and_field(trial, login):
    from khetrial.edc.audit.models import AuditEntry
    from khetrial.edc.web.models import DataQuery

    lab = _lab()
    r = login("mon").post("/patients/A-01/query/", {
        "table": "labs", "record": f"labs:{lab.pk}", "field": "labs:value",
        "text": "21 on day 0: please check the source"}, follow=True)
    q = DataQuery.objects.get()
    assert (q.table, q.record_id, q.field, q.site_code) == ("labs", str(lab.pk), "value", "A")
    assert f"Query #{q.pk} raised" in r.content.decode()
    assert AuditEntry.objects.filter(action="query", detail__contains=f"#{q.pk} raised").exists()


@pytest.mark.parametrize("post, field, words", [
    ({"table": "nonsense"}, "table", "is not a form of this patient"),
    ({"table": "labs", "record": "labs:999999"}, "record", "is not a row of Laboratory results"),
    ({"table": "labs", "field": "labs:nonsense"}, "field", "is not a field of Laboratory results"),
    ({"table": "labs", "field": "mri:lesion_volume_ml"}, "field", "belongs to MRI lesion volumes"),
    ({"table": ""}, "table", "required"),
])
def test_unknown_forms_records_and_fields_are_refused_with_a_message(trial, login, post, field,
                                                                     words):
    from khetrial.edc.web.models import DataQuery

    r = login("mon").post("/patients/A-01/query/", {"text": "?", **post})
    assert r.status_code == 200 and not DataQuery.objects.exists()
    assert words in " ".join(r.context["form"].errors[field])


def test_a_record_of_another_patient_is_refused(trial, login):
    from khetrial.edc.web.models import DataQuery

    other = _lab("A-02")
    r = login("mon").post("/patients/A-01/query/", {"table": "labs",
                                                    "record": f"labs:{other.pk}", "text": "?"})
    assert "record" in r.context["form"].errors and not DataQuery.objects.exists()


def test_the_list_shows_status_age_and_history(trial, login, settings):
    from django.utils import timezone

    from khetrial.edc.web.models import DataQuery

    lab = _lab()
    login("mon").post("/patients/A-01/query/", {"table": "labs", "record": f"labs:{lab.pk}",
                                                "field": "labs:value", "text": "check"})
    q = DataQuery.objects.get()
    q.raised_at = timezone.now() - dt.timedelta(days=9)
    q.save()
    login("inv_a").post(f"/queries/{q.pk}/answer/", {"answer": "source says 21"})
    login("mon").post(f"/queries/{q.pk}/close/")
    q.refresh_from_db()
    assert (q.status, q.closed_by) == ("closed", "mon") and q.closed_at is not None
    r = login("mon").get("/queries/?status=closed")
    row = r.context["queries"][0]
    assert row["age"] == 9  # raised 9 days before it was closed today
    html = r.content.decode()
    assert "raised by mon on" in html and "answered by inv_a on" in html
    assert "closed by mon on" in html
