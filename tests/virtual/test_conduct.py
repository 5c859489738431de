"""The conduct's own rules: protocol-breaking rates and the arrival of children."""

from __future__ import annotations

import numpy as np
import pytest

from khetrial.errors import ProtocolError
from khetrial.virtual.conduct import ENROLMENT_DAYS, arrival_days, check_rate


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.999])
def test_a_rate_is_a_probability_below_1(rate):
    assert check_rate(rate, "--missed-visit-rate") == rate


@pytest.mark.parametrize("rate", [-0.01, 1.0, 1.5])
def test_a_rate_outside_0_to_below_1_is_refused_with_the_option_named(rate):
    with pytest.raises(ProtocolError, match=r"--late-entry-rate: got .*expected a probability"):
        check_rate(rate, "--late-entry-rate")


def test_children_arrive_over_the_two_years_of_enrolment_in_order():
    days = arrival_days(500, np.random.Generator(np.random.PCG64(2)))
    assert len(days) == 500 and days == sorted(days)
    # Pub.: enrolment "between July 2017 and June 2019": two years, 730 days
    assert 0 <= days[0] and days[-1] < ENROLMENT_DAYS == 730
