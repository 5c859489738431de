"""The allocation list: permuted blocks of 4/6 (no 2), 1:1 within each block, per site, seeded."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ConfigurationError
from khetrial.edc.randomization.lists import BLOCK_SIZES, generate_allocation_list


@given(seed=st.text(min_size=1, max_size=12), per_site=st.integers(1, 80))
@settings(max_examples=40, deadline=None)
def test_every_block_is_balanced_and_of_an_allowed_size(seed, per_site):
    slots = generate_allocation_list(["A", "B"], per_site, seed)
    blocks = defaultdict(list)
    for s in slots:
        blocks[(s.site_code, s.block)].append(s)
    for members in blocks.values():
        assert len(members) == members[0].block_size in BLOCK_SIZES
        assert Counter(m.arm for m in members) == {"SP": len(members) // 2,
                                                   "S": len(members) // 2}  # 1:1 (Pub.)
    for site in ("A", "B"):
        positions = [s.position for s in slots if s.site_code == site]
        assert positions == list(range(1, len(positions) + 1))  # no gap
        assert per_site <= len(positions) < per_site + max(BLOCK_SIZES)


def test_same_seed_same_list_other_seed_other_list():
    a = generate_allocation_list(["A", "B", "C"], 40, "trial-seed")
    assert a == generate_allocation_list(["C", "B", "A"], 40, "trial-seed")
    assert a != generate_allocation_list(["A", "B", "C"], 40, "another-seed")


def test_block_sizes_vary_between_4_and_6_and_never_2():
    # issue 16: a block of 2 lets one emergency unblinding reveal its partner's arm
    sizes = {s.block_size for s in generate_allocation_list(["A"], 200, "vary")}
    assert sizes == {4, 6}


@pytest.mark.parametrize("sites, n", [([], 10), (["A"], 0)])
def test_bad_inputs_are_refused(sites, n):
    with pytest.raises(ConfigurationError):
        generate_allocation_list(sites, n, "s")
