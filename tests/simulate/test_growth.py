"""Simulated body sizes (khetrial.simulate.growth): the child keeps its centile, is measured at
the scheduled visits up to its last lab date, and the rows are valid body_size.csv rows."""

from __future__ import annotations

from datetime import date

import pandas as pd

from khetrial.constants import VISIT_WEEKS
from khetrial.simulate import simulate_tables
from khetrial.simulate.growth import draw_body_size, grown


def test_a_child_keeps_its_centile():
    # born 2017-01-01; day 0 2017-07-03 = 183 days = 6.0123 months (365.25/12 days a month);
    # a year later 548 days = 18.0041 months. Medians (cohort.growth_median): weight
    # 3.4 + 0.65 × 6.0123 = 7.3080 → 7.3 + 0.22 × 12.0041 = 9.9409 kg; length
    # 50 + 2.9 × 6.0123 = 67.4357 → 67.4 + 1.2 × 12.0041 = 81.8049 cm.
    # 7.0 kg × 9.9409 / 7.3080 = 9.522 → 9.5 kg; 66 cm × 81.8049 / 67.4357 = 80.063 → 80.1 cm
    assert grown(7.0, 66.0, date(2017, 1, 1), date(2017, 7, 3), date(2018, 7, 3)) == (9.5, 80.1)
    assert grown(7.0, 66.0, date(2017, 1, 1), date(2017, 7, 3), date(2017, 7, 3)) == (7.0, 66.0)


def test_measured_at_the_visits_after_day_0_up_to_the_last_lab():
    patients = pd.DataFrame({"patient_id": ["P1"], "birth_date": ["2017-01-01"],
                             "randomization_date": ["2017-07-03"], "weight_kg": [7.0],
                             "height_cm": [66.0]})
    labs = pd.DataFrame({"patient_id": ["P1", "P1"], "date": ["2017-07-03", "2017-08-28"]})
    rows = draw_body_size(patients, labs)
    # VISIT_WEEKS 1, 2, 4, 8: days 7, 14, 28, 56 (2017-08-28 is day 56, the last lab)
    assert VISIT_WEEKS[1:5] == (1, 2, 4, 8)
    assert rows["date"].tolist() == ["2017-07-10", "2017-07-17", "2017-07-31", "2017-08-28"]


def test_the_simulated_rows_grow_and_stay_in_the_formats_ranges():
    tables = simulate_tables(seed=7, n_patients=12)
    sizes = tables["body_size"]
    assert len(sizes) > 0 and set(sizes["patient_id"]) <= set(tables["patients"]["patient_id"])
    assert sizes["weight_kg"].between(0.5, 80).all() and sizes["height_cm"].between(30, 180).all()
    first = tables["patients"].set_index("patient_id")["weight_kg"]
    last = sizes.groupby("patient_id")["weight_kg"].last()
    assert (last >= first.loc[last.index]).all()
