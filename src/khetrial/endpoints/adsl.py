"""The per-patient analysis dataset (ADSL) and the long tables the analysis needs.

``adsl.csv`` (SAP "Machine-readable results") has one row per patient, in patients.csv order,
with the columns of :data:`ADSL_COLUMNS` first, then extras (:data:`ADSL_EXTRA_COLUMNS`). Each
column holds what its endpoint uses, after censoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from khetrial.bundle.model import Bundle
from khetrial.endpoints._frames import patient_frame, require_columns
from khetrial.endpoints.adverse_events import derive_ae_counts, derive_ae_terms, derive_ae_window, derive_treatment_emergent_aes
from khetrial.endpoints.censoring import derive_censoring
from khetrial.endpoints.disposition import derive_lack_of_efficacy
from khetrial.endpoints.lesion import derive_lesion_response
from khetrial.endpoints.pedsql import derive_qol_response
from khetrial.endpoints.response import (
    derive_fibrinogen_stabilization,
    derive_kmp_rebound,
    derive_lab_measurements,
    derive_platelet_response,
)
from khetrial.endpoints.sequelae import derive_sequelae
from khetrial.endpoints.transfusions import derive_transfusion_count
from khetrial.endpoints.windows import derive_before_censoring, derive_week_values
from khetrial.constants import PRIMARY_WEEK, RESPONSE_WEEKS

PRIMARY_ENDPOINT = f"durable_platelet_response_wk{PRIMARY_WEEK}"
"""The primary endpoint's id (SAP "Primary endpoint": durable platelet response at week 4)."""

BINARY_ENDPOINTS = (
    *(f"durable_platelet_response_wk{k}" for k in RESPONSE_WEEKS),
    f"fibrinogen_stabilization_wk{PRIMARY_WEEK}",
    "lesion_overall_response_m12",
    "lesion_good_response_m12",
    "qol_improvement_m12",
    "kmp_rebound",
    "sequelae_m24",
    "discontinued_lack_of_efficacy",
)
"""The binary endpoint ids of the SAP's table "Binary endpoints: what is reported", in order."""

ADSL_COLUMNS = ("patient_id", "arm", "censoring_day", *BINARY_ENDPOINTS, "lesion_category_m12",
                "qol_total_baseline", "qol_total_m12", "transfusions_m12")
"""The columns the SAP requires in ``adsl.csv``, in its order."""

WEEK_COLUMNS = tuple(f"platelets_wk{w}" for w in (0, *RESPONSE_WEEKS))
ADSL_EXTRA_COLUMNS = (
    "censoring_reason", "platelet_durable_start_day", "fibrinogen_stable_start_day", *WEEK_COLUMNS,
    "lesion_volume_baseline", "lesion_volume_m12", "lesion_change_pct", "qol_change",
    "sequelae_assessed_m24", "discontinued", "last_treatment_day", "ae_events", "ae_grade3plus_events",
)
"""Extra columns after the required ones (welcome by the SAP)."""

_DAY_COLUMNS = ("censoring_day", "platelet_durable_start_day", "fibrinogen_stable_start_day",
                "last_treatment_day")


@dataclass(frozen=True)
class AnalysisTables:
    """Everything the analysis reads, derived once from a bundle.

    Attributes:
        adsl: one row per patient (:data:`ADSL_COLUMNS` + :data:`ADSL_EXTRA_COLUMNS`).
        platelet_weeks: long ``patient_id, arm, week, day, value`` of the platelet week values
            0…4 before censoring (week 0 = baseline).
        adverse_events: the treatment-emergent adverse_events.csv rows (with ``day``, ``severe``).
        ae_terms: one row per (patient, term) with an event: ``any_grade``, ``grade3plus``.
        measurements: the platelet and fibrinogen measurements by test
            (:func:`~khetrial.endpoints.response.derive_lab_measurements`), for the analyses
            that read them again.
    """

    adsl: pd.DataFrame
    platelet_weeks: pd.DataFrame
    adverse_events: pd.DataFrame
    ae_terms: pd.DataFrame
    measurements: dict[str, pd.DataFrame] = field(default_factory=dict)


def derive_analysis_tables(bundle: Bundle) -> AnalysisTables:
    """Derive the ADSL, the platelet week values and the adverse events from ``bundle``."""
    patients = require_columns(bundle.patients, "patients.csv", ["patient_id", "arm", "randomization_date"])
    labs = require_columns(bundle.labs, "labs.csv", ["patient_id", "date", "test", "value"])
    medications = bundle.medications
    censoring = derive_censoring(patients, medications, bundle.disposition)
    platelets = derive_lab_measurements(labs, patients, "platelets")
    fibrinogen = derive_lab_measurements(labs, patients, "fibrinogen")

    weeks = derive_week_values(derive_before_censoring(platelets, censoring))
    arms = patient_frame(patients).set_index("patient_id")["arm"]
    weeks.insert(1, "arm", weeks["patient_id"].astype("string").map(arms).to_numpy())
    wide = weeks.pivot(index="patient_id", columns="week", values="value")
    wide = wide.reindex(columns=range(len(WEEK_COLUMNS)))
    wide.columns = list(WEEK_COLUMNS)

    ae_window = derive_ae_window(medications, patients)
    events = derive_treatment_emergent_aes(bundle.adverse_events, medications, patients, ae_window)
    parts = [
        derive_platelet_response(platelets, patients, censoring),
        derive_fibrinogen_stabilization(fibrinogen, patients, censoring),
        derive_lesion_response(bundle.mri, patients, censoring),
        derive_qol_response(bundle.qol, patients, censoring),
        derive_kmp_rebound(platelets, patients),
        derive_sequelae(bundle.sequelae, patients),
        derive_lack_of_efficacy(bundle.disposition, patients),
        derive_transfusion_count(bundle.transfusions, patients),
        ae_window[["patient_id", "last_treatment_day"]],
        derive_ae_counts(events, patients),
        wide.rename_axis("patient_id").reset_index(),
    ]
    adsl = patient_frame(patients).merge(censoring, on="patient_id", how="left")
    for part in parts:
        adsl = adsl.merge(part, on="patient_id", how="left")
    adsl["last_treatment_day"] = adsl["last_treatment_day"].replace(np.inf, np.nan)  # ongoing: empty
    for column in _DAY_COLUMNS:
        adsl[column] = adsl[column].round().astype("Int64")
    adsl = adsl[list(ADSL_COLUMNS) + list(ADSL_EXTRA_COLUMNS)]
    return AnalysisTables(adsl=adsl, platelet_weeks=weeks, adverse_events=events,
                          ae_terms=derive_ae_terms(events),
                          measurements={"platelets": platelets, "fibrinogen": fibrinogen})


def derive_adsl(bundle: Bundle) -> pd.DataFrame:
    """The per-patient analysis dataset: one row per patient, the SAP's columns first."""
    return derive_analysis_tables(bundle).adsl
