"""The results the report shows: the analysis plan's, or its descriptive parts when the plan
cannot compare the arms.

:func:`report_results` runs :func:`khetrial.analysis.analyse`. When the analysis refuses the
bundle (an arm without patients — a trial that has just started, one centre's extract), the
report still shows what can be described: the flow, the baseline table per arm, the weekly
platelet quartiles and the trajectories, with every comparison marked "not estimable" and the
reason (``results["not_estimable"]``) printed at the top of the page.
"""

from __future__ import annotations

from khetrial.constants import ARMS, PRIMARY_WEEK

NOT_ESTIMABLE = "not_estimable"
"""Key of the reason why the arms are not compared (only in descriptive results)."""

NO_PATIENTS = "no patient has been randomized yet (patients.csv has no rows)"


def report_results(bundle) -> dict:
    """``analyse(bundle)``; or, when it raises :class:`AnalysisError`, the descriptive results."""
    from khetrial.analysis import analyse
    from khetrial.errors import AnalysisError

    if len(bundle.patients) == 0:
        return descriptive_results(bundle, NO_PATIENTS)
    try:
        return analyse(bundle)
    except AnalysisError as error:
        return descriptive_results(bundle, str(error))


def descriptive_results(bundle, reason: str) -> dict:
    """A results object with the analysis's keys: patients per arm, baseline table and weekly
    platelet quartiles filled in; every comparison empty; ``not_estimable`` = ``reason``."""
    from khetrial.analysis import provenance

    arms = bundle.patients["arm"].astype("string")
    results = {
        "n": {arm: int((arms == arm).fillna(False).sum()) for arm in ARMS},
        "binary": {}, "transfusions_m12": {}, f"platelets_mixed_model_wk{PRIMARY_WEEK}": {},
        "adverse_events": {}, "platelets_weekly": {}, "lesion_categories_m12": {}, "baseline": {},
        NOT_ESTIMABLE: reason,
    }
    if len(bundle.patients):
        from khetrial.analysis_tables import summarise_baseline, summarise_platelet_weeks
        from khetrial.endpoints.adsl import derive_analysis_tables
        from khetrial.endpoints.baseline import derive_baseline_characteristics

        results["platelets_weekly"] = summarise_platelet_weeks(derive_analysis_tables(bundle).platelet_weeks)
        results["baseline"] = summarise_baseline(
            derive_baseline_characteristics(bundle.patients, bundle.labs, bundle.medications))
    results["provenance"] = provenance(bundle)
    return results


__all__ = ["report_results", "descriptive_results", "NOT_ESTIMABLE"]
