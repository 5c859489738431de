"""Pure generation of a stratified permuted-block allocation list.

Pub.: "We used a computer-generated random sequence to allocate patients (1:1)". Each site is
a stratum; each stratum is a run of blocks whose size is drawn from :data:`BLOCK_SIZES`, each
block holding equal numbers of both arms in random order. The same seed gives the same list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from khetrial.errors import ConfigurationError
from khetrial.constants import ARM_CONTROL, ARM_EXPERIMENTAL

# Randomly varying block sizes, each even for 1:1 allocation (project choice). No block of 2:
# in a block of 2 the second child gets the other arm, so one legitimate emergency unblinding
# would reveal its block partner's arm too (issue 16); in blocks of 4 and 6 it does not.
BLOCK_SIZES = (4, 6)
ALLOCATION_RATIO_ARMS = (ARM_EXPERIMENTAL, ARM_CONTROL)  # Pub.: "(1:1)"


@dataclass(frozen=True)
class Slot:
    """One list entry: stratum, 1-based position within it, arm, block number and size."""

    site_code: str
    position: int
    arm: str
    block: int
    block_size: int


def generate_allocation_list(site_codes, per_site: int, seed: str,
                             block_sizes=BLOCK_SIZES) -> list[Slot]:
    """At least ``per_site`` slots per site (whole blocks), reproducible from ``seed``."""
    sites = sorted({str(s).strip() for s in site_codes if str(s).strip()})
    if not sites:
        raise ConfigurationError("the allocation list needs at least one site; add sites first")
    if per_site < 1:
        raise ConfigurationError(f"entries per site: got {per_site}; expected at least 1")
    if any(b <= 0 or b % len(ALLOCATION_RATIO_ARMS) for b in block_sizes):
        raise ConfigurationError(f"block sizes {block_sizes}: each must be a positive even number")
    slots: list[Slot] = []
    for site in sites:
        rng = random.Random(f"{seed}|{site}")
        position, block = 0, 0
        while position < per_site:
            block += 1
            size = rng.choice(tuple(block_sizes))
            arms = list(ALLOCATION_RATIO_ARMS) * (size // len(ALLOCATION_RATIO_ARMS))
            rng.shuffle(arms)
            for arm in arms:
                position += 1
                slots.append(Slot(site, position, arm, block, size))
    return slots
