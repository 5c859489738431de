"""PedsQL item by item: one row per item, unanswered items kept, the item-missing rule."""

from __future__ import annotations

from khetrial.protocol.pedsql import items

FORM = "generic_core_2_4"  # 21 items (PedsQL 4.0 toddler parent report: 8 + 5 + 5 + 3)


def test_questionnaire_saves_every_item_and_reports_the_total(trial, login):
    from khetrial.edc.trial.models import QolResponse

    c = login("inv_a")
    assert c.get(f"/patients/A-01/qol/questionnaire/?instrument={FORM}").status_code == 200
    data = {"instrument": FORM, "date": "2019-03-07"}
    all_items = [item for _, item in items(FORM)]
    for item in all_items[:11]:
        data[item] = "1"  # answer 1 scores 75 (Pub.: "1 = 75")
    r = c.post("/patients/A-01/qol/questionnaire/", data, follow=True)
    rows = QolResponse.objects.filter(patient__patient_id="A-01", date="2019-03-07")
    assert rows.count() == 21 and rows.filter(response__isnull=True).count() == 10
    # 10 of 21 unanswered is not more than half: total = mean of 11 answered items = 75
    assert "total 75.0" in r.content.decode()


def test_more_than_half_unanswered_gives_a_missing_total(trial, login):
    c = login("inv_a")
    data = {"instrument": FORM, "date": "2019-03-08"}
    for _, item in items(FORM)[:10]:
        data[item] = "0"
    r = c.post("/patients/A-01/qol/questionnaire/", data, follow=True)
    # 11 of 21 unanswered > 21/2 (SAP: "missing when more than half ... unanswered")
    assert "total missing" in r.content.decode()


def test_response_outside_0_to_4_is_refused(trial, login):
    c = login("inv_a")
    item = items(FORM)[0][1]
    r = c.post("/patients/A-01/qol/questionnaire/", {"instrument": FORM, "date": "2019-03-08",
                                                      item: "5"})
    assert r.status_code == 200 and item in r.context["form"].errors
