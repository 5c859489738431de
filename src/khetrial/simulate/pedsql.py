"""Item-level PedsQL answers (qol.csv) that reach a chosen total score.

Forms and their subscale sizes follow the PedsQL 4.0 user's guide: Infant Scales 1-12 months
(36 items) and 13-24 months (45 items); Generic Core Toddler 2-4 years (21 items). Answers are
0-4 (0 = never a problem); an item scores 100 - 25 × answer; the total is the mean over answered
items (Pub.: "linearly transformed to a 0 to 100 scale (0 = 100, 1 = 75, 2 = 50, 3 = 25, 4 = 0)").
"""

from __future__ import annotations

import numpy as np

FORMS = {
    "infant_1_12": {"physical_functioning": 6, "physical_symptoms": 10, "emotional_functioning": 12,
                    "social_functioning": 4, "cognitive_functioning": 4},
    "infant_13_24": {"physical_functioning": 9, "physical_symptoms": 10, "emotional_functioning": 12,
                     "social_functioning": 5, "cognitive_functioning": 9},
    "generic_core_2_4": {"physical_functioning": 8, "emotional_functioning": 5,
                         "social_functioning": 5, "school_functioning": 3},
}


SCALE_CODES = {"physical_functioning": "pf", "physical_symptoms": "ps", "emotional_functioning": "ef",
               "social_functioning": "sf", "cognitive_functioning": "cf", "school_functioning": "scf"}


def form_for_age(age_months: float) -> str:
    """The parent-report form for a child of this age."""
    if age_months < 13:
        return "infant_1_12"
    if age_months < 24:
        return "infant_13_24"
    return "generic_core_2_4"


def items(form: str) -> list[tuple[str, str]]:
    """(scale, item id) pairs of a form, in questionnaire order."""
    out = []
    for scale, n in FORMS[form].items():
        out += [(scale, f"{SCALE_CODES[scale]}_{k + 1:02d}") for k in range(n)]
    return out


def total_score(responses: list[int | None]) -> float:
    answered = [100 - 25 * r for r in responses if r is not None]
    return sum(answered) / len(answered)


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
