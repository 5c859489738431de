"""khetrial.protocol.pedsql: the PedsQL instrument's forms, items and scoring."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.pedsql import (FORMS, due_questionnaire, form_for_age, item_score, items,
                                      total_is_missing, total_score)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_item_ids_are_unique_within_a_form(form):
    ids = [item for _, item in items(form)]
    assert len(ids) == len(set(ids))


def test_form_sizes_follow_the_pedsql_forms():
    # PedsQL 4.0: Infant Scales 1-12 months 36 items, 13-24 months 45 items; Toddler 2-4 years 21 items
    assert {f: len(items(f)) for f in FORMS} == {"infant_1_12": 36, "infant_13_24": 45, "generic_core_2_4": 21}


def test_items_start_with_the_physical_functioning_scale():
    # PedsQL 4.0 Toddler form: physical functioning (8 items) comes first, school (3) last
    assert items("generic_core_2_4")[0] == ("physical_functioning", "pf_01")
    assert items("generic_core_2_4")[-1] == ("school_functioning", "scf_03")


@pytest.mark.parametrize("age, form", [(3, "infant_1_12"), (12.99, "infant_1_12"), (13, "infant_13_24"),
                                       (23.99, "infant_13_24"), (24, "generic_core_2_4"), (30, "generic_core_2_4")])
def test_form_by_age_on_both_sides_of_13_and_24_months(age, form):
    # PedsQL 4.0 user's guide: Infant Scales 1-12 and 13-24 months, Toddler 2-4 years
    assert form_for_age(age) == form


def test_unknown_form_is_refused_with_the_allowed_forms():
    with pytest.raises(ProtocolError, match="got 'adult'; expected one of infant_1_12"):
        items("adult")


@pytest.mark.parametrize("answer, score", [(0, 100), (1, 75), (2, 50), (3, 25), (4, 0)])
def test_item_score_follows_the_publication(answer, score):
    # Pub.: "0 = 100, 1 = 75, 2 = 50, 3 = 25, 4 = 0"
    assert item_score(answer) == score


@pytest.mark.parametrize("answer", [5, -1, True, "2"])
def test_answers_outside_0_to_4_are_refused(answer):
    with pytest.raises(ProtocolError, match="expected an integer 0–4"):
        item_score(answer)


def test_total_is_the_mean_of_the_answered_items():
    # hand computation: answers 0, 1, 4 -> scores 100, 75, 0 -> mean 175/3; one unanswered of 4
    assert total_score([0, 1, None, 4]) == pytest.approx(175 / 3)


@pytest.mark.parametrize("n_items, answered, missing", [(4, 2, False), (4, 1, True), (5, 3, False), (5, 2, True)])
def test_total_missing_when_more_than_half_unanswered(n_items, answered, missing):
    # SAP: missing "when more than half of its items are unanswered"; exactly half is scored
    assert total_is_missing(n_items, answered) is missing
    responses = [2] * answered + [None] * (n_items - answered)
    assert (total_score(responses) is None) is missing


def test_no_answer_at_all_has_no_total():
    assert total_score([None, None]) is None


# SAP "Quality of life": baseline questionnaire on days −30…0, month 12 within days 335…395.
# Randomized 2018-03-07: day −30 = 2018-02-05, day 0 = 2018-03-07, day 335 = 2019-02-05,
# day 395 = 2019-04-06 (counted with `date(2018, 3, 7) + timedelta(days=n)`).
RANDOMIZED, BIRTH = dt.date(2018, 3, 7), dt.date(2017, 12, 1)


@pytest.mark.parametrize("today,month", [
    (dt.date(2018, 2, 4), None), (dt.date(2018, 2, 5), 0), (dt.date(2018, 3, 7), 0),
    (dt.date(2018, 3, 8), None), (dt.date(2019, 2, 4), None), (dt.date(2019, 2, 5), 12),
    (dt.date(2019, 4, 6), 12), (dt.date(2019, 4, 7), None)])
def test_a_pedsql_is_due_on_the_days_of_its_window_only(today, month):
    due = due_questionnaire(RANDOMIZED, BIRTH, today)
    assert (due.month if due else None) == month


def test_a_pedsql_answered_in_its_window_is_no_longer_due():
    assert due_questionnaire(RANDOMIZED, BIRTH, dt.date(2019, 3, 1),
                             answered=[dt.date(2018, 3, 7), dt.date(2019, 2, 20)]) is None
    # an answer of the baseline window does not count for month 12
    assert due_questionnaire(RANDOMIZED, BIRTH, dt.date(2019, 3, 1),
                             answered=[dt.date(2018, 3, 7)]).month == 12


def test_the_due_form_fits_the_childs_age_that_day():
    # born 2017-12-01: 3.2 months at baseline (infant 1-12), 15.6 at 2019-03-20 (infant 13-24)
    assert due_questionnaire(RANDOMIZED, BIRTH, RANDOMIZED).form == "infant_1_12"
    assert due_questionnaire(RANDOMIZED, BIRTH, dt.date(2019, 3, 20)).form == "infant_13_24"
