"""How long ``khetrial analyse`` takes for 73, 1,000 and 10,000 patients, side by side with the
same analysis in R (prints the figures).

Bundles come from a simple seeded generator below (plausible shapes, not a trial model): every
patient has platelet and fibrinogen counts every 2 days for 8 weeks then monthly to 2 years,
sirolimus and (arm SP) prednisolone courses, MRIs, PedsQL questionnaires, adverse events,
transfusions, sequelae and a disposition row (10,000 patients: 1.06 million rows of labs.csv).
Run: ``.venv/bin/python benchmarks/bench_analyse.py`` (``--demo`` for the demo figure only).

First, the demo figure: ``analyse`` on the demo bundle (the publication-matched 73-patient cohort
of ``khetrial demo``, read once), the median of :data:`DEMO_RUNS` runs after one warm-up run, so
neither the interpreter's start, the imports nor reading the CSV files count. Budget:
:data:`DEMO_BUDGET_SECONDS` of computation (issue 13: "at 73 patients ≤ 1 s of computation").

Then the whole command against R (issue 13: "no slower than the same analysis in R"): for each
size the bundle is written once, then ``khetrial analyse FOLDER`` and ``Rscript
bench_analyse_full.R FOLDER`` (reading the CSV files, deriving the platelet endpoints and the
mixed model's data, lmer, fisher.test, wilcox.test; see its header: khetrial does strictly more)
run as fresh processes under ``/usr/bin/time -v``, alternating, :data:`RUNS` times each. Printed:
median wall time and CPU time (user + system), the largest maximum RSS, and the ratio khetrial / R
of the median wall times (the budget's figure; budgets :data:`RATIO_BUDGET` and
:data:`RSS_BUDGET_MB`, 10,000 patients); beside it the ratio of the fastest runs and of the median
CPU times, steadier figures when other work shares the machine. Each R run's primary-endpoint counts and mixed-model difference are checked against
khetrial's results.json, so both programs are seen to compute the same answer. Without
``Rscript`` (with lme4) the R rows are left out. With :data:`BEFORE_VARIABLE` set, an earlier
khetrial is timed in the same turns.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics as stats_module
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from khetrial.bundle import Bundle, read_bundle, write_bundle
from khetrial.sap.plan import analyse
from khetrial.simulate import simulate_bundle

SIZES = (73, 1_000, 10_000)
PEDSQL_ITEMS = 23  # PedsQL 4.0 Generic Core: 23 items
AE_TERMS = ("upper_respiratory_infection", "mucositis_oral", "nausea", "vomiting", "pneumonia",
            "alanine_aminotransferase_increased", "fever", "diarrhea")
R_SCRIPT = Path(__file__).with_name("bench_analyse_full.R")
DEMO_RUNS = 7
DEMO_BUDGET_SECONDS = 1.0  # issue 13: "at 73 patients ≤ 1 s of computation"
RUNS = 5  # fresh processes of each program per size (alternating); the median is compared
RATIO_BUDGET = 1.0  # issue 13: khetrial / R ≤ 1.0 at 10,000 patients
RSS_BUDGET_MB = 600  # issue 13: maximum RSS ≤ 600 MB at 10,000 patients
#: An environment variable naming the ``src`` folder of an earlier khetrial to time as well
#: ("before"), e.g. from ``git archive COMMIT src | tar -x -C /tmp/before``.
BEFORE_VARIABLE = "KHETRIAL_BENCH_BEFORE"
LAB_DAYS = np.r_[-2, np.arange(0, 57, 2), np.arange(84, 731, 30)]


def _dates(day0: np.ndarray, days: np.ndarray) -> np.ndarray:
    return (day0 + days.astype("timedelta64[D]")).astype("datetime64[ns]")


def generate(n: int, seed: int = 1) -> Bundle:
    """A :class:`Bundle` with ``n`` patients."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:05d}" for i in range(n)])
    arm = np.where(rng.random(n) < 0.5, "SP", "S")
    day0 = np.datetime64("2017-06-01") + rng.integers(0, 900, n).astype("timedelta64[D]")
    age = rng.integers(10, 2000, n)  # days at randomization; the KMP began after birth
    patients = pd.DataFrame({
        "patient_id": pd.array(ids, dtype="string"), "site_id": pd.array(rng.choice(["C1", "C2", "C3"], n), dtype="string"),
        "sex": pd.array(rng.choice(["F", "M"], n), dtype="string"),
        "birth_date": _dates(day0, -age),
        "randomization_date": day0.astype("datetime64[ns]"),
        "arm": pd.array(arm, dtype="string"), "weight_kg": rng.uniform(3, 20, n), "height_cm": rng.uniform(50, 110, n),
        "lesion_depth": pd.array(rng.choice(["superficial", "mixed", "deep"], n), dtype="string"),
        "lesion_site": pd.array(rng.choice(["head_neck", "trunk", "extremity", "retroperitoneal"], n), dtype="string"),
        "kmp_onset_date": _dates(day0, -np.minimum(rng.integers(1, 90, n), age)), "biopsy": pd.array(rng.integers(0, 2, n), dtype="Int64"),
    })
    # Platelets rise from ~20 to ~250 on a patient's response day (earlier with prednisolone).
    response_day = np.where(arm == "SP", rng.gamma(3, 4, n), rng.gamma(3, 7, n))
    rebound_day = np.where(rng.random(n) < 0.1, rng.uniform(60, 700, n), np.inf)
    pid = np.repeat(np.arange(n), len(LAB_DAYS))
    day = np.tile(LAB_DAYS, n)
    up = (day >= response_day[pid]) & (day < rebound_day[pid])
    platelets = np.round(np.where(up, rng.normal(250, 60, len(day)), rng.normal(25, 12, len(day))).clip(1, 1500))
    fibrinogen = np.round(np.where(up, rng.normal(2.4, 0.4, len(day)), rng.normal(0.9, 0.3, len(day))).clip(0.1, 9), 2)
    base = np.arange(n)
    labs = pd.concat([
        pd.DataFrame({"p": pid, "day": day, "test": "platelets", "value": platelets}),
        pd.DataFrame({"p": pid, "day": day, "test": "fibrinogen", "value": fibrinogen}),
        pd.DataFrame({"p": base, "day": -1, "test": "d_dimer", "value": np.round(rng.uniform(0.5, 20, n), 2)}),
        pd.DataFrame({"p": base, "day": -1, "test": "hemoglobin", "value": np.round(rng.uniform(60, 130, n))}),
    ]).sort_values(["p", "day"], kind="stable")
    labs = _frame(labs, ids, day0, test=True)
    prednisolone = arm == "SP"
    rescue = (~prednisolone) & (rng.random(n) < 0.15)
    medications = pd.concat([
        pd.DataFrame({"p": base, "drug": "sirolimus", "start": 0, "end": rng.integers(365, 700, n).astype(float)}),
        pd.DataFrame({"p": base[prednisolone], "drug": "prednisolone", "start": 0, "end": 35.0}),
        pd.DataFrame({"p": base[rescue], "drug": "prednisolone", "start": rng.integers(5, 60, rescue.sum()), "end": np.nan}),
        pd.DataFrame({"p": base, "drug": "tmp_smx", "start": 0, "end": 183.0}),
    ]).sort_values("p", kind="stable")
    meds = pd.DataFrame({"patient_id": pd.array(ids[medications["p"]], dtype="string"),
                         "drug": pd.array(medications["drug"], dtype="string"),
                         "start_date": _dates(day0[medications["p"]], medications["start"].to_numpy()),
                         "end_date": pd.to_datetime(pd.Series(day0[medications["p"]]).to_numpy().astype("datetime64[ns]")
                                                    + pd.to_timedelta(medications["end"].to_numpy(), unit="D"))})
    v0 = np.round(rng.lognormal(4, 1, n), 1)
    mri = _frame(pd.concat([pd.DataFrame({"p": base, "day": -3, "lesion_volume_ml": v0}),
                            pd.DataFrame({"p": base, "day": rng.integers(340, 390, n),
                                          "lesion_volume_ml": np.round(v0 * rng.uniform(0, 1.3, n), 1)})])
                 .sort_values("p", kind="stable"), ids, day0)
    q = np.repeat(np.arange(2 * n), PEDSQL_ITEMS)
    qpatient = q % n
    qday = np.where(q < n, -2, 360)[...]
    response = rng.integers(0, 5, len(q)).astype(float)
    response[rng.random(len(q)) < 0.05] = np.nan
    qol = _frame(pd.DataFrame({"p": qpatient, "day": qday, "instrument": "generic_core_2_4", "scale": "physical",
                               "item": np.tile([f"i{k}" for k in range(PEDSQL_ITEMS)], 2 * n),
                               "response": pd.array(response, dtype="Int64")}).sort_values(["p", "day"], kind="stable"), ids, day0)
    n_ae = rng.poisson(3.5, n)
    ae_p = np.repeat(base, n_ae)
    adverse_events = _frame(pd.DataFrame({"p": ae_p, "day": rng.integers(0, 600, len(ae_p)),
                                          "term": rng.choice(AE_TERMS, len(ae_p)),
                                          "grade": pd.array(rng.choice([1, 2, 3, 4], len(ae_p), p=[.6, .3, .08, .02]), dtype="Int64"),
                                          "serious": pd.array((rng.random(len(ae_p)) < 0.05).astype(int), dtype="Int64"),
                                          "related": pd.array((rng.random(len(ae_p)) < 0.4).astype(int), dtype="Int64"),
                                          "action": rng.choice(["none", "dose_reduced", "interrupted"], len(ae_p), p=[.85, .1, .05])}),
                            ids, day0, date="onset_date")
    n_tx = rng.poisson(np.where(arm == "SP", 1.4, 2.5))
    tx_p = np.repeat(base, n_tx)
    transfusions = _frame(pd.DataFrame({"p": tx_p, "day": rng.integers(0, 120, len(tx_p)),
                                        "product": rng.choice(["ffp", "red_cells"], len(tx_p))}), ids, day0)
    sequelae = _frame(pd.DataFrame({"p": base, "day": 730, "sequela": "lymphedema",
                                    "present": pd.array((rng.random(n) < 0.2).astype(int), dtype="Int64")}), ids, day0)
    disposition = _frame(pd.DataFrame({"p": base, "day": 730, "status": "completed", "reason": None}), ids, day0)
    return Bundle.from_tables(patients=patients, labs=labs, medications=meds, mri=mri, qol=qol,
                              adverse_events=adverse_events, transfusions=transfusions, sequelae=sequelae,
                              disposition=disposition)


def _frame(rows: pd.DataFrame, ids, day0, date: str = "date", test: bool = False) -> pd.DataFrame:
    p = rows["p"].to_numpy()
    out = pd.DataFrame({"patient_id": pd.array(ids[p], dtype="string"),
                        date: _dates(day0[p], rows["day"].to_numpy())})
    for column in rows.columns.drop(["p", "day"]):
        values = rows[column].to_numpy() if not isinstance(rows[column].dtype, pd.api.extensions.ExtensionDtype) else rows[column].array
        out[column] = pd.array(values, dtype="string") if rows[column].dtype == object else values
    return out.reset_index(drop=True)


def timed(command: list[str], env: dict | None = None) -> dict:
    """Run ``command`` under ``/usr/bin/time -v``: wall and CPU seconds, maximum RSS (MB), stdout."""
    run = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False,
                         env=env)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {run.stderr.strip()[-600:]}")

    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", run.stderr).group(1).strip()

    clock = [float(part) for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(value * 60 ** power for power, value in enumerate(reversed(clock)))
    return {"wall": wall, "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
            "rss": int(field("Maximum resident set size (kbytes)")) / 1024, "stdout": run.stdout}


def r_agrees(r_stdout: str, results: dict) -> str:
    """"same" when R's primary-endpoint counts and mixed-model difference (bench_analyse_full.R's
    "R check" line) are khetrial's, else what differs."""
    check = re.search(r"R check: primary SP (\d+) S (\d+) difference (\S+) se (\S+)", r_stdout)
    primary = results["binary"]["durable_platelet_response_wk4"]
    mixed = results["platelets_mixed_model_wk4"]
    ours = (primary["SP"]["events"], primary["S"]["events"], mixed["difference"], mixed["se"])
    theirs = (int(check.group(1)), int(check.group(2)), float(check.group(3)), float(check.group(4)))
    same = ours[:2] == theirs[:2] and all(abs(a - b) <= 1e-4 * max(1.0, abs(a)) for a, b in zip(ours[2:], theirs[2:]))
    return "same" if same else f"DIFFERENT: khetrial {ours}, R {theirs}"


def programs(folder: str, out: Path) -> dict[str, tuple[list[str], dict | None]]:
    """The commands compared: khetrial (this checkout), optionally an earlier khetrial (its
    ``src`` folder in :data:`BEFORE_VARIABLE`) and R when ``Rscript`` is installed."""
    analyse_command = [sys.executable, "-m", "khetrial", "analyse", folder, "--out", str(out)]
    out_programs = {"khetrial": (analyse_command, None)}
    before = os.environ.get(BEFORE_VARIABLE)
    if before:
        env = dict(os.environ, PYTHONPATH=before)
        out_programs["before"] = (analyse_command[:-1] + [str(out.with_name("before.json"))], env)
    if shutil.which("Rscript") is not None:
        out_programs["R"] = (["Rscript", str(R_SCRIPT), folder], None)
    return out_programs


def side_by_side(folder: str, runs: int = RUNS) -> tuple[dict[str, list[dict]], str]:
    """``runs`` fresh runs of each of :func:`programs` on ``folder``, in turn; and whether R
    found khetrial's answer."""
    out = Path(folder).parent / "results.json"
    commands = programs(folder, out)
    times: dict[str, list[dict]] = {name: [] for name in commands}
    agreement = "-"
    for _ in range(runs):
        for name, (command, env) in commands.items():
            times[name].append(timed(command, env))
        if "R" in times:
            agreement = r_agrees(times["R"][-1]["stdout"], json.loads(out.read_text(encoding="utf-8")))
    return times, agreement


def bench_demo(runs: int = DEMO_RUNS) -> float:
    """Median seconds of ``analyse`` on the demo bundle (see the module docstring); prints it.

    Both clocks are printed: wall time (``perf_counter``) and this process's CPU time
    (``process_time``). On a shared machine the wall time includes waiting for a core, so the
    CPU time is the computation's own figure; the budget is checked on it."""
    bundle = simulate_bundle(match_publication=True)
    analyse(bundle)  # warm up: imports, first calls of scipy/statsmodels/lifelines
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        analyse(bundle)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = stats_module.median(cpu)
    verdict = "within" if median < DEMO_BUDGET_SECONDS else "OVER"
    print(f"demo bundle ({len(bundle.patients)} patients, publication-matched), analyse over {runs} runs: "
          f"CPU median {median:.3f} s (min {min(cpu):.3f}, max {max(cpu):.3f}); wall median "
          f"{stats_module.median(wall):.3f} s (min {min(wall):.3f}, max {max(wall):.3f}); {verdict} the "
          f"{DEMO_BUDGET_SECONDS:g} s budget", flush=True)
    return median


def computation_73() -> float:
    """CPU seconds of reading (with every check) and analysing a 73-patient generated bundle in
    this process, the median of :data:`DEMO_RUNS` runs after a warm-up (no interpreter start or
    imports)."""
    with tempfile.TemporaryDirectory(prefix="khetrial-bench-") as folder:
        write_bundle(generate(73), folder)
        analyse(read_bundle(folder))
        cpu = []
        for _ in range(DEMO_RUNS):
            start = time.process_time()
            analyse(read_bundle(folder))
            cpu.append(time.process_time() - start)
    return stats_module.median(cpu)


def main() -> None:
    seconds = computation_73()
    verdict = "within" if seconds <= DEMO_BUDGET_SECONDS else "OVER"
    print(f"73 generated patients, read with every check + analyse in one process: CPU median {seconds:.3f} s; "
          f"{verdict} the {DEMO_BUDGET_SECONDS:g} s budget", flush=True)
    print(f"khetrial analyse FOLDER vs Rscript {R_SCRIPT.name} FOLDER: fresh processes, {RUNS} runs each, "
          "in turn; wall and CPU (user + system) s: medians; RSS MB: the largest; ratio: median wall / R's")
    print(f"{'patients':>9} {'rows':>10} {'program':>9} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} {'ratio':>6} "
          f"{'min wall s':>10} {'ratio':>6} {'cpu ratio':>9}")
    for n in SIZES:
        generated = generate(n)
        rows = sum(generated.counts().values())
        with tempfile.TemporaryDirectory(prefix="khetrial-bench-") as parent:
            folder = os.path.join(parent, "bundle")
            write_bundle(generated, folder)
            times, agreement = side_by_side(folder)
        r_wall = stats_module.median(r["wall"] for r in times["R"]) if "R" in times else None
        r_min = min(r["wall"] for r in times["R"]) if "R" in times else None
        r_cpu = stats_module.median(r["cpu"] for r in times["R"]) if "R" in times else None
        for name, runs in times.items():
            wall = stats_module.median(r["wall"] for r in runs)
            cpu = stats_module.median(r["cpu"] for r in runs)
            rss = max(r["rss"] for r in runs)
            fastest = min(r["wall"] for r in runs)
            ratio = (f"{wall / r_wall:>6.2f} {fastest:>10.2f} {fastest / r_min:>6.2f} {cpu / r_cpu:>9.2f}" if r_wall
                     else f"{'-':>6} {fastest:>10.2f} {'-':>6} {'-':>9}")
            note = ""
            if name == "khetrial" and n == SIZES[-1]:
                ok = (r_wall is None or wall / r_wall <= RATIO_BUDGET) and rss <= RSS_BUDGET_MB
                note = f"  {'within' if ok else 'OVER'} the budget (ratio ≤ {RATIO_BUDGET:g}, RSS ≤ {RSS_BUDGET_MB} MB)"
            if name == "R":
                note = f"  R's answer: {agreement}"
            print(f"{n:>9,} {rows:>10,} {name:>9} {wall:>7.2f} {cpu:>6.2f} {rss:>7.0f} {ratio}{note}", flush=True)


def bench_kernels(n_patients: int = 730_000, per_patient: int = 30) -> None:
    """The run-detection kernels on one simulated design batch (10,000 trials × 73 patients)."""
    from khetrial.endpoints.response import compute_durable_run_start, compute_platelet_ok, compute_rebound

    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(n_patients), per_patient)
    days = np.tile(np.arange(0, 2 * per_patient, 2), n_patients).astype(float)
    values = np.round(rng.normal(120, 50, len(codes)))
    start = time.perf_counter()
    ok = compute_platelet_ok(values)
    first = compute_durable_run_start(codes, days, ok, n_patients)
    compute_rebound(codes, days, ok, n_patients)
    seconds = time.perf_counter() - start
    print(f"kernels: {n_patients:,} patients × {per_patient} measurements: threshold + durable run "
          f"+ rebound in {seconds:.2f} s ({np.isfinite(first).mean():.0%} with a durable run)")


if __name__ == "__main__":
    bench_demo()
    if "--demo" not in sys.argv[1:]:
        bench_kernels()
        sys.exit(main())
