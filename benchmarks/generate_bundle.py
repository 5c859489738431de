"""Write a large synthetic bundle (seeded, plausible values) for benchmarks.

    .venv/bin/python benchmarks/generate_bundle.py OUT [--patients 10000] [--labs-per-patient 200] [--seed 1]

Values are random but inside the bundle format's ranges and code lists, numbers rounded to
one decimal (as a laboratory writes them); it is test data for speed, not a simulation of
the trial (``khetrial simulate`` is that).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from khetrial.bundle.format import (ARMS, DRUGS, LAB_RANGES, LAB_TESTS, LESION_DEPTHS,
                                    LESION_SITES, SEXES)

DEFAULT_PATIENTS = 10_000
DEFAULT_LABS_PER_PATIENT = 200
SITES = ("BJ", "CD", "GZ", "SH", "WH")
FOLLOW_UP_DAYS = 730
MRI_DAYS = (-7, 180, 365, 730)
TROUGHS_PER_PATIENT = 12
QOL_ITEMS = 8  # items per questionnaire (two questionnaires: baseline, month 12)
START = np.datetime64("2017-06-01")
KMP_ONSET_DAYS = 60  # the KMP onset lies 1-59 days before randomization


def make_tables(n_patients: int = DEFAULT_PATIENTS,
                labs_per_patient: int = DEFAULT_LABS_PER_PATIENT,
                seed: int = 1) -> dict[str, pd.DataFrame]:
    """The bundle's tables as plain DataFrames (text and ISO dates as written in a CSV)."""
    rng = np.random.default_rng(seed)
    n = n_patients
    ids = np.array([f"P{i:06d}" for i in range(1, n + 1)], dtype=object)
    rand = START + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    # born before the KMP onset (up to 59 days before randomization) and the screening (3 days)
    age_days = rng.integers(KMP_ONSET_DAYS, 14 * 365, n).astype("timedelta64[D]")
    arm = rng.choice(ARMS, n)
    patients = pd.DataFrame({
        "patient_id": ids,
        "site_id": rng.choice(SITES, n),
        "sex": rng.choice(SEXES, n),
        "birth_date": _iso(rand - age_days),
        "randomization_date": _iso(rand),
        "arm": arm,
        "weight_kg": np.round(rng.uniform(3, 40, n), 1),
        "height_cm": np.round(rng.uniform(50, 150, n), 1),
        "lesion_depth": rng.choice(LESION_DEPTHS, n),
        "lesion_site": rng.choice(LESION_SITES, n),
        "kmp_onset_date": _iso(rand - rng.integers(1, KMP_ONSET_DAYS, n).astype("timedelta64[D]")),
        "biopsy": rng.integers(0, 2, n),
    })
    return {
        "patients": patients,
        "labs": _labs(rng, ids, rand, labs_per_patient),
        "drug_levels": _per_patient(rng, ids, rand, TROUGHS_PER_PATIENT, {
            "sirolimus_trough_ng_ml": lambda m: np.round(rng.uniform(2, 25, m), 1)}),
        "medications": _medications(rng, ids, rand, arm),
        "mri": _per_patient(rng, ids, rand, len(MRI_DAYS), {
            "lesion_volume_ml": lambda m: np.round(rng.uniform(1, 300, m), 2)},
            days=np.tile(MRI_DAYS, n)),
        "qol": _qol(rng, ids, rand),
        "disposition": pd.DataFrame({"patient_id": ids, "date": _iso(rand + FOLLOW_UP_DAYS),
                                     "status": "completed", "reason": None}),
        "screening": pd.DataFrame({
            "screening_id": [f"S{i:06d}" for i in range(1, n + 1)],
            "site_id": patients["site_id"], "date": _iso(rand - 3), "eligible": 1,
            "reason": None, "patient_id": ids}),
    }


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def _labs(rng, ids, rand, per_patient: int) -> pd.DataFrame:
    n = len(ids)
    m = n * per_patient
    day = np.sort(rng.integers(-14, FOLLOW_UP_DAYS, (n, per_patient)), axis=1).ravel()
    test_index = rng.integers(0, len(LAB_TESTS), m)
    low = np.array([LAB_RANGES[t].low for t in LAB_TESTS])[test_index]
    high = np.array([min(LAB_RANGES[t].high, 600) for t in LAB_TESTS])[test_index]
    return pd.DataFrame({
        "patient_id": np.repeat(ids, per_patient),
        "date": _iso(np.repeat(rand, per_patient) + day.astype("timedelta64[D]")),
        "test": np.array(LAB_TESTS, dtype=object)[test_index],
        "value": np.round(rng.uniform(low, high), 1),
    })


def _per_patient(rng, ids, rand, per_patient: int, values: dict, days=None) -> pd.DataFrame:
    n = len(ids)
    m = n * per_patient
    if days is None:
        days = np.sort(rng.integers(1, FOLLOW_UP_DAYS, (n, per_patient)), axis=1).ravel()
    frame = pd.DataFrame({"patient_id": np.repeat(ids, per_patient),
                          "date": _iso(np.repeat(rand, per_patient)
                                       + np.asarray(days).astype("timedelta64[D]"))})
    for name, make in values.items():
        frame[name] = make(m)
    return frame


def _medications(rng, ids, rand, arm) -> pd.DataFrame:
    sirolimus, prednisolone, _, tmp_smx = DRUGS
    n = len(ids)
    frames = [
        pd.DataFrame({"patient_id": ids, "drug": sirolimus, "start_date": _iso(rand),
                      "end_date": _iso(rand + 365), "dose": 0.8, "dose_unit": "mg_m2",
                      "frequency": "bid"}),
        pd.DataFrame({"patient_id": ids, "drug": tmp_smx, "start_date": _iso(rand),
                      "end_date": _iso(rand + 182), "dose": 10.0, "dose_unit": "mg_kg",
                      "frequency": "tiw_bid"}),
    ]
    sp = arm == ARMS[0]
    frames.append(pd.DataFrame({
        "patient_id": ids[sp], "drug": prednisolone, "start_date": _iso(rand[sp]),
        "end_date": _iso(rand[sp] + rng.integers(28, 43, int(sp.sum())).astype("timedelta64[D]")),
        "dose": 2.0, "dose_unit": "mg_kg", "frequency": "qd"}))
    order = np.argsort(np.concatenate([np.arange(n), np.arange(n), np.flatnonzero(sp)]),
                       kind="stable")
    return pd.concat(frames, ignore_index=True).iloc[order].reset_index(drop=True)


def _qol(rng, ids, rand) -> pd.DataFrame:
    n = len(ids)
    per_patient = 2 * QOL_ITEMS
    visit = np.tile(np.repeat([0, 365], QOL_ITEMS), n)
    response = rng.integers(0, 5, n * per_patient).astype(float)
    response[rng.random(n * per_patient) < 0.03] = np.nan
    return pd.DataFrame({
        "patient_id": np.repeat(ids, per_patient),
        "date": _iso(np.repeat(rand, per_patient) + visit.astype("timedelta64[D]")),
        "instrument": "generic_core_2_4",
        "scale": "physical",
        "item": np.tile([f"p{i}" for i in range(1, QOL_ITEMS + 1)], 2 * n),
        "response": pd.array(response, dtype="Float64").astype("Int64"),
    })


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> None:
    """Write the tables as a bundle folder of CSV files (pandas' fast writer)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="bundle folder to write")
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS, help="number of patients")
    parser.add_argument("--labs-per-patient", type=int, default=DEFAULT_LABS_PER_PATIENT,
                        help="laboratory rows per patient")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tables = make_tables(args.patients, args.labs_per_patient, args.seed)
    write_tables(tables, args.out)
    rows = sum(len(t) for t in tables.values())
    print(f"wrote {args.out}: {args.patients} patients, {rows} rows "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
