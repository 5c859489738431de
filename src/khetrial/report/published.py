"""What the publication printed, for the report's "publication" columns.

Every value quotes Ji et al., Blood 2022 (``shared/trial/publication.txt``), "Efficacy outcomes"
and "Safety outcomes". Differences are printed as the publication does (combination − monotherapy
for response endpoints, monotherapy − combination for rebound, sequelae and lack of efficacy); the
report converts them to the analysis plan's experimental − control direction (``sign``).
Week 2 is not published (``None``).
"""

from __future__ import annotations

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.constants import PUBLISHED_N, PUBLISHED_SCREENED
from khetrial.i18n import gettext_noop
from khetrial.sap.results import Results

# id -> (events SP, events S, difference %, (CI low %, CI high %), sign, sentence)
# sign = -1: the publication printed control − experimental.
PUBLISHED_BINARY = {
    "durable_platelet_response_wk1": (9, 4, None, None, 1,
        "ranged from 9 (24.3%) to 31 (83.8%) ... and from 4 (11.1%) to 20 (55.6%)"),
    "durable_platelet_response_wk2": (None, None, None, None, 1, "not published (Table 3 only)"),
    "durable_platelet_response_wk3": (31, 20, None, None, 1,
        "ranged from 9 (24.3%) to 31 (83.8%) ... and from 4 (11.1%) to 20 (55.6%)"),
    "durable_platelet_response_wk4": (35, 24, 27.9, (10.0, 44.7), 1,
        "35 of 37 ... compared with 24 of 36 ... (difference 27.9%; 95% confidence interval, 10.0-44.7)"),
    "fibrinogen_stabilization_wk4": (27, 16, 28.5, (6.0, 47.4), 1,
        "27 (73.0%) and 16 (44.4%) ... (difference, 28.5%; 95% CI, 6.0-47.4)"),
    "lesion_overall_response_m12": (34, 29, 11.3, (-5.0, 27.8), 1,
        "91.9% ... and 80.6% ... (difference, 11.3%; 95% CI, −5.0 to 27.8)"),
    "lesion_good_response_m12": (30, 21, 22.8, (1.7, 41.4), 1,
        "(81.1% vs 58.3%; difference, 22.8%; 95% CI, 1.7-41.4)"),
    "qol_improvement_m12": (33, 28, 11.4, (-6.0, 28.6), 1,
        "33 (89.2%) ... 28 (77.8%) ... (difference, 11.4%; 95% CI, −6.0 to 28.6)"),
    "kmp_rebound": (2, 6, 11.3, (-3.9, 27.0), -1,
        "(5.4% vs 16.7%) ... (difference, 11.3%; 95% CI, −3.9 to 27.0)"),
    "sequelae_m24": (4, 12, 22.5, (3.4, 40.1), -1,
        "(33.3% vs 10.8%; difference, 22.5%; 95% CI, 3.4-40.1)"),
    "discontinued_lack_of_efficacy": (1, 5, 11.2, (-2.4, 26.1), -1,
        "(2.7% in the combination treatment group vs 13.9% ...; difference, 11.2%; 95% CI, −2.4 to 26.1)"),
}

ENDPOINT_LABELS = {
    "durable_platelet_response_wk1": gettext_noop("Durable platelet response, week 1"),
    "durable_platelet_response_wk2": gettext_noop("Durable platelet response, week 2"),
    "durable_platelet_response_wk3": gettext_noop("Durable platelet response, week 3"),
    "durable_platelet_response_wk4": gettext_noop("Durable platelet response, week 4 (primary)"),
    "fibrinogen_stabilization_wk4": gettext_noop("Fibrinogen stabilization, week 4"),
    "lesion_overall_response_m12": gettext_noop("Overall lesion response, month 12"),
    "lesion_good_response_m12": gettext_noop("Good lesion response, month 12"),
    "qol_improvement_m12": gettext_noop("QOL improvement, month 12"),
    "kmp_rebound": gettext_noop("KMP rebound"),
    "sequelae_m24": gettext_noop("Disease sequelae, month 24"),
    "discontinued_lack_of_efficacy": gettext_noop("Discontinued for lack of efficacy"),
}

PUBLISHED_TRANSFUSIONS = {SP: 1.4, S: 2.5, "p_value": 0.003}  # "(2.5 vs 1.4; P = .003)"
PUBLISHED_MIXED_MODEL = (38.0, (6.1, 69.8))  # "difference, 38.0 × 10⁹/L; 95% CI, 6.1-69.8"
PUBLISHED_WEEKLY_MEDIANS = {1: {SP: 29.0, S: 22.0}, 4: {SP: 270.0, S: 208.0}}  # "29.0 ... vs 22.0 ... at week 1 and 270.0 ... vs 208.0 ... at week 4"
PUBLISHED_AE_PER_PATIENT = {SP: 3.6, S: 3.4, "p_value": 0.981}  # "3.6 events per patient ... vs 3.4 ..., P = .981"
PUBLISHED_GRADE3_EVENTS = 21  # "In total, 21 grade 3-4 adverse events occurred"
PUBLISHED_BASELINE = {  # "35 patients were female, and the mean age at baseline was 4.1 months (range, 0.3-25.0 months)"
    "female": 35, "age_mean_months": 4.1, "age_range_months": (0.3, 25.0),
    "kmp_duration_mean_months": 2.1,  # "the mean duration of KMP was 2.1 months (range, 0.0-17.5 months)"
    "previous_therapy": 24,  # "Twenty-four (32.9%) patients had been treated previously"
}

__all__ = ["PUBLISHED_BINARY", "PUBLISHED_N", "PUBLISHED_SCREENED", "ENDPOINT_LABELS",
           "PUBLISHED_TRANSFUSIONS", "PUBLISHED_MIXED_MODEL", "PUBLISHED_WEEKLY_MEDIANS",
           "PUBLISHED_AE_PER_PATIENT", "PUBLISHED_GRADE3_EVENTS", "PUBLISHED_BASELINE"]


def matches_publication(results: Results) -> bool:
    """Whether the results are the publication's cohort: same arm sizes and every published count."""
    if results.n != dict(PUBLISHED_N):
        return False
    for endpoint, (sp, s, *_rest) in PUBLISHED_BINARY.items():
        got = results.binary.get(endpoint)
        if sp is None or got is None:
            continue
        if (got.arms[SP].events, got.arms[S].events) != (sp, s):
            return False
    return True
