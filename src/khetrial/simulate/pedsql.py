"""Item-level PedsQL answers (qol.csv) drawn to reach a chosen total score.

The instrument itself (forms, items, scoring) is :mod:`khetrial.protocol.pedsql`; this module
only draws answers.
"""

from __future__ import annotations

import numpy as np

from khetrial.protocol.pedsql import items


def answers_for_total(form: str, target: float, rng: np.random.Generator,
                      missing: int = 0) -> list[int | None]:
    """Answers whose total score is as close to ``target`` as the form allows."""
    n = len(items(form))
    answered = n - missing
    # mean answer a = (100 - target) / 25, spread over two neighbouring levels
    a = min(max((100 - target) / 25, 0), 4)
    low = int(np.floor(a))
    n_high = int(round((a - low) * answered)) if low < 4 else 0
    values = [min(low + 1, 4)] * n_high + [low] * (answered - n_high)
    # a little realistic spread that keeps the sum: move one step up and one down
    for _ in range(answered // 4):
        i, j = rng.choice(answered, size=2, replace=False)
        if 0 < values[i] and values[j] < 4:
            values[i] -= 1
            values[j] += 1
    rng.shuffle(values)
    out: list[int | None] = list(values)
    for k in sorted(rng.choice(n, size=missing, replace=False)) if missing else []:
        out.insert(int(k), None)
    return out[:n] if missing else out
