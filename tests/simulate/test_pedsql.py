"""khetrial.simulate.pedsql: drawn answers that reach a total."""

from __future__ import annotations

import numpy as np
import pytest

from khetrial.protocol.pedsql import total_score
from khetrial.simulate.pedsql import answers_for_total


@pytest.mark.parametrize("target", [40.0, 62.5, 81.0, 100.0])
def test_answers_reach_the_target_within_one_step(target):
    answers = answers_for_total("infant_1_12", target, np.random.default_rng(1), missing=1)
    assert len(answers) == 36 and answers.count(None) == 1
    # one answer step moves the mean of 35 items by 25/35 = 0.71 points
    assert abs(total_score(answers) - target) <= 25 / 35
