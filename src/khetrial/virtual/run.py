"""The whole virtual trial: conduct it through the web application, analyse the database as
``khetrial analyse --db`` does, compare with the truth, write the files.

Import after Django is set up on the trial's database (:func:`khetrial.edc.db.setup`).
"""

from __future__ import annotations

import json
from pathlib import Path

from khetrial.bundle import write_bundle
from khetrial.edc.store import export_bundle
from khetrial.sap import analyse
from khetrial.virtual.agreement import PRIMARY, agreement
from khetrial.virtual.conduct import conduct_trial

AGREEMENT_FILE = "agreement.json"
RESULTS_FILE = "results.json"
RECORDED_BUNDLE, TRUE_BUNDLE = "recorded-bundle", "true-bundle"


def run_virtual_trial(n_patients: int, seed: int, out: Path | None = None,
                      missed_visit_rate: float = 0.0, late_entry_rate: float = 0.0,
                      progress=None) -> dict:
    """Conduct, analyse, compare. With ``out``: writes ``agreement.json`` (the returned object),
    ``results.json`` (the analysis of the database) and both bundles (recorded and true)."""
    conduct = conduct_trial(n_patients, seed, missed_visit_rate, late_entry_rate, progress)
    recorded = export_bundle()
    results = analyse(recorded)
    comparison, truth = agreement(recorded, conduct.enrolled)
    report = {"patients": n_patients, "seed": seed, "missed_visit_rate": missed_visit_rate,
              "late_entry_rate": late_entry_rate, "conduct": conduct.to_dict(),
              "primary_analysis": results.to_dict()["binary"][PRIMARY],
              **comparison}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / AGREEMENT_FILE).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        (out / RESULTS_FILE).write_text(results.to_json() + "\n", encoding="utf-8")
        write_bundle(recorded, out / RECORDED_BUNDLE)
        write_bundle(truth, out / TRUE_BUNDLE)
    return report
