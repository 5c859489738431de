"""body_size.csv (khetrial's extension of the bundle format): weight and length at the visits.

Each child grows along the median curve of :func:`khetrial.simulate.cohort.growth_median`,
keeping the centile it had at randomization (chosen), and is weighed and measured at every
scheduled visit after day 0 (Pub.: "at 1, 2, 4, 8, 12, 24, 36, 48, 60, 72 and 84 weeks; and 2
years", ``constants.VISIT_WEEKS``) while it is followed: up to its last laboratory date. No
random draws, so every other table of a seed stays as it was.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from khetrial.constants import DAYS_PER_WEEK, VISIT_WEEKS
from khetrial.simulate import parameters as P
from khetrial.simulate.cohort import growth_median

BODY_SIZE_COLUMNS = ["patient_id", "date", "weight_kg", "height_cm"]


def grown(weight_kg: float, height_cm: float, birth: date, day0: date, on: date) -> tuple[float, float]:
    """Weight and length on ``on`` of a child of ``weight_kg``/``height_cm`` at ``day0``, on
    its centile of the median curve, rounded as a scale (0.1 kg) and a length board (0.1 cm)."""
    then = growth_median((day0 - birth).days / P.DAYS_PER_MONTH)
    now = growth_median((on - birth).days / P.DAYS_PER_MONTH)
    return round(weight_kg * now[0] / then[0], 1), round(height_cm * now[1] / then[1], 1)


def draw_body_size(patients: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """body_size.csv: one row per visit after day 0 up to the patient's last lab date."""
    last_lab = labs.groupby("patient_id")["date"].max().to_dict()  # ISO dates sort as text
    rows = []
    for p in patients.itertuples(index=False):
        if p.patient_id not in last_lab:
            continue
        birth, day0 = date.fromisoformat(p.birth_date), date.fromisoformat(p.randomization_date)
        last = date.fromisoformat(last_lab[p.patient_id])
        for week in VISIT_WEEKS[1:]:
            on = day0 + timedelta(days=week * DAYS_PER_WEEK)
            if on > last:
                break
            rows.append((p.patient_id, on.isoformat(), *grown(p.weight_kg, p.height_cm, birth, day0, on)))
    return pd.DataFrame(rows, columns=BODY_SIZE_COLUMNS)
