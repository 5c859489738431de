"""khetrial.simulate.pedsql: forms, item ids and answers that reach a total."""

from __future__ import annotations

import numpy as np
import pytest

from khetrial.simulate.pedsql import FORMS, answers_for_total, form_for_age, items, total_score


@pytest.mark.parametrize("form", sorted(FORMS))
def test_item_ids_are_unique_within_a_form(form):
    ids = [item for _, item in items(form)]
    assert len(ids) == len(set(ids))


def test_form_sizes_follow_the_pedsql_forms():
    # PedsQL 4.0: Infant Scales 1-12 months 36 items, 13-24 months 45 items; Toddler 2-4 years 21 items
    assert {f: len(items(f)) for f in FORMS} == {"infant_1_12": 36, "infant_13_24": 45, "generic_core_2_4": 21}


def test_form_by_age():
    assert (form_for_age(3), form_for_age(13), form_for_age(30)) == ("infant_1_12", "infant_13_24", "generic_core_2_4")


@pytest.mark.parametrize("target", [40.0, 62.5, 81.0, 100.0])
def test_answers_reach_the_target_within_one_step(target):
    answers = answers_for_total("infant_1_12", target, np.random.default_rng(1), missing=1)
    assert len(answers) == 36 and answers.count(None) == 1
    # one answer step moves the mean of 35 items by 25/35 = 0.71 points
    assert abs(total_score(answers) - target) <= 25 / 35
