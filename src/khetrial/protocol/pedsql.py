"""The PedsQL parent-report instrument: forms by age, their items, item scores and the total.

Forms and their subscale sizes follow the PedsQL 4.0 user's guide: Infant Scales 1-12 months
(36 items) and 13-24 months (45 items); Generic Core Toddler 2-4 years (21 items). Answers are
0-4 (0 = never a problem); an item scores 100 - 25 × answer (Pub.: "linearly transformed to a
0 to 100 scale (0 = 100, 1 = 75, 2 = 50, 3 = 25, 4 = 0)"); the total is the mean over answered
items, missing when more than half of the items are unanswered (SAP "Quality of life"; exactly
half unanswered is still scored).

Pure: data entry, the simulator and the analysis read the same instrument from here. The
analysis scores whole tables with the vectorised twins in :mod:`khetrial.endpoints.pedsql`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from khetrial.constants import (DAYS_PER_MONTH, PEDSQL_ITEM_SCORE, PEDSQL_MAX_MISSING_FRACTION,
                                PEDSQL_WINDOWS)
from khetrial.errors import ProtocolError

# PedsQL 4.0 user's guide: the Infant Scales cover 1-12 and 13-24 months, the Toddler form 2-4 years.
INFANT_13_24_FROM_MONTHS = 13
TODDLER_FROM_MONTHS = 24

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

__all__ = ["FORMS", "SCALE_CODES", "DueQuestionnaire", "due_questionnaire", "form_for_age",
           "item_score", "items", "total_is_missing", "total_score"]


@dataclass(frozen=True)
class DueQuestionnaire:
    """A PedsQL assessment open today: its month (0 = baseline, 12), the window's first and
    last day, and the parent-report form for the child's age today."""

    month: int
    opens: date
    closes: date
    form: str


def due_questionnaire(randomized: date, birth: date, today: date,
                      answered: Iterable[date] = ()) -> DueQuestionnaire | None:
    """The PedsQL whose analysis window (SAP: baseline days −30…0, month 12 days 335…395)
    holds ``today`` and in which no questionnaire was answered (``answered``: the dates of
    recorded answers); ``None`` when none is due today.

    >>> due_questionnaire(date(2018, 3, 7), date(2017, 12, 1), date(2019, 3, 20)).month
    12
    """
    answered = list(answered)
    for month, (first, last) in PEDSQL_WINDOWS.items():
        opens, closes = randomized + timedelta(days=first), randomized + timedelta(days=last)
        if opens <= today <= closes and not any(opens <= d <= closes for d in answered):
            return DueQuestionnaire(month, opens, closes,
                                    form_for_age((today - birth).days / DAYS_PER_MONTH))
    return None


def form_for_age(age_months: float) -> str:
    """The parent-report form for a child of this age in months."""
    if age_months < INFANT_13_24_FROM_MONTHS:
        return "infant_1_12"
    if age_months < TODDLER_FROM_MONTHS:
        return "infant_13_24"
    return "generic_core_2_4"


def items(form: str) -> list[tuple[str, str]]:
    """(scale, item id) pairs of a form, in questionnaire order."""
    if form not in FORMS:
        raise ProtocolError(f"PedsQL form: got {form!r}; expected one of {', '.join(FORMS)}")
    out = []
    for scale, n in FORMS[form].items():
        out += [(scale, f"{SCALE_CODES[scale]}_{k + 1:02d}") for k in range(n)]
    return out


def item_score(response: int) -> int:
    """An answer 0…4 as its score 100, 75, 50, 25, 0."""
    if isinstance(response, bool) or response not in PEDSQL_ITEM_SCORE:
        raise ProtocolError(f"PedsQL answer: got {response!r}; expected an integer "
                            f"{min(PEDSQL_ITEM_SCORE)}–{max(PEDSQL_ITEM_SCORE)} or no answer")
    return PEDSQL_ITEM_SCORE[response]


def total_is_missing(n_items: int, n_answered: int) -> bool:
    """More than half of the items unanswered (exact integer arithmetic)."""
    fraction = PEDSQL_MAX_MISSING_FRACTION
    return (n_items - n_answered) * fraction.denominator > n_items * fraction.numerator


def total_score(responses: list[int | None]) -> float | None:
    """The mean score of the answered items, ``None`` when the total is missing."""
    scores = [item_score(r) for r in responses if r is not None]
    if not scores or total_is_missing(len(responses), len(scores)):
        return None
    return sum(scores) / len(scores)
