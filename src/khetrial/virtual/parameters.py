"""Named parameters of the virtual trial's true courses.

Rates per arm come from the publication through :mod:`khetrial.simulate.parameters` (each
cites its sentence there); the shapes of the daily courses, which the publication does not
describe, are chosen here and say so. "Pub." quotes ``shared/trial/publication.txt``.
"""

from __future__ import annotations

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP
from khetrial.simulate import parameters as P

# --- Study days simulated -----------------------------------------------------------------------
FIRST_DAY = -14  # SAP baseline lab window "days −14…0"
LAST_DAY = 790  # SAP month-24 window "days 670…790"

# --- Platelets ---------------------------------------------------------------------------------
# Probability of a first day ≥ 100 ×10⁹/L in week k = 1..4 (cumulative), after week 4, never:
# Pub. "35 of 37 ... compared with 24 of 36" (week 4), "from 9 (24.3%) to 31 (83.8%) ... and
# from 4 (11.1%) to 20 (55.6%)" (weeks 1 and 3); week 2 and the late responders as in
# khetrial.simulate.parameters (chosen there).
N_PER_ARM = P.N_PER_ARM
CUMULATIVE_RESPONSE = {arm: tuple(n / N_PER_ARM[arm] for n in P.CUMULATIVE_RESPONDERS[arm])
                       for arm in (SP, S)}
EVER_RESPONSE = {arm: (P.CUMULATIVE_RESPONDERS[arm][-1] + P.LATE_RESPONDERS[arm]) / N_PER_ARM[arm]
                 for arm in (SP, S)}
LATE_RESPONSE_DAYS = P.LATE_RESPONSE_DAYS  # chosen (simulate.parameters)
NEVER_RECOVERY_DAYS = (150, 300)  # chosen: a non-responder's KMP resolves late, off the endpoint
BASELINE_PLATELETS_LOG_MEAN, BASELINE_PLATELETS_LOG_SD = 2.9, 0.6  # chosen: median ~18 (Pub. Fig. 2)
BASELINE_PLATELETS_RANGE = (3, 80)  # chosen: KMP is "<100 × 10⁹/L" (Pub.)
PRE_RESPONSE_LEVEL = (45, 85)  # chosen: the count the day before the response
RESPONSE_LEVEL = (115, 170)  # chosen: the count on the first day of the response
PLATELET_PLATEAU = P.PLATELET_PLATEAU  # chosen (simulate.parameters)
PLATEAU_AFTER_DAYS = 30  # chosen: the plateau is reached a month after the response
# A clear margin around the 100 ×10⁹/L threshold keeps "the day the response began" a fact of
# the course, not of the noise (chosen).
BELOW_RESPONSE_MAX, ABOVE_RESPONSE_MIN = 90, 110
PLATELET_DAILY_NOISE_SD = 0.06  # chosen: day-to-day variation on the log scale
REBOUND = {arm: P.REBOUND[arm] / N_PER_ARM[arm] for arm in (SP, S)}  # Pub. "(5.4% vs 16.7%)"
REBOUND_DAYS = P.REBOUND_DAYS  # chosen (simulate.parameters)
REBOUND_LENGTH_DAYS = (3, 8)  # chosen: a dip lasting a few days (an infection)
REBOUND_NADIR = P.REBOUND_NADIR

# --- Fibrinogen (Pub. "27 (73.0%) and 16 (44.4%) patients") -------------------------------------
FIBRINOGEN_STABILIZED = {arm: P.FIBRINOGEN_STABILIZED[arm] / N_PER_ARM[arm] for arm in (SP, S)}
FIBRINOGEN_BASELINE = P.FIBRINOGEN_BASELINE
FIBRINOGEN_STABLE_FROM_DAYS = P.FIBRINOGEN_STABLE_FROM_DAYS
FIBRINOGEN_LATE_FROM_DAYS = P.FIBRINOGEN_LATE_FROM_DAYS
FIBRINOGEN_LOW_CEILING = P.FIBRINOGEN_LOW_CEILING  # chosen margin below 1.6 g/L
FIBRINOGEN_STABLE_FLOOR = P.FIBRINOGEN_STABLE_FLOOR  # chosen margin above 1.6 g/L
FIBRINOGEN_TARGET = (2.0, 3.4)  # chosen: normal range

# --- Sirolimus exposure (chosen) --------------------------------------------------------------
# Trough (ng/mL) per mg given twice daily, set so that Pub.'s "starting dose of sirolimus was
# 0.8 mg/m2" gives a median trough of 11 ng/mL with a wide spread (a third outside 10-15), and
# falling as clearance matures in infancy (Mizuno et al., Pediatr Blood Cancer 2017).
TROUGH_AT_START_DOSE_MEDIAN = 11.0
TROUGH_EXPOSURE_LOG_SD = 0.35
TROUGH_MATURATION_PER_YEAR = 0.5  # exposure / (1 + 0.5 × years on study)
TROUGH_ASSAY_LOG_SD = 0.10
TROUGH_HALF_LIFE_DAYS = 2.5  # chosen: sirolimus half-life in children, 1-3 days (Rapamune label)

# --- Lesion volume at month 12 (Pub.: "91.9% ... 80.6%"; "81.1% vs 58.3%") ---------------------
# Categories per arm: simulate.parameters' counts among the patients assessed, plus (chosen)
# no_change / growth for the rest of the arm, so that the overall response is 34/37 vs 29/36.
LESION_CATEGORY_COUNTS = {
    SP: {**P.LESION_CATEGORIES[SP], "no_change": P.LESION_CATEGORIES[SP]["no_change"] + 2},
    S: {**P.LESION_CATEGORIES[S], "no_change": 5, "growth": 2},
}
LESION_CHANGE_PCT = P.LESION_CHANGE_PCT
LESION_BASELINE_ML = P.LESION_BASELINE_ML

# --- PedsQL (Pub.: "33 (89.2%) ... 28 (77.8%)") -----------------------------------------------
QOL_IMPROVED = {arm: P.QOL_IMPROVED[arm] / N_PER_ARM[arm] for arm in (SP, S)}
QOL_BASELINE_TOTAL = P.QOL_BASELINE_TOTAL
QOL_GAIN_IMPROVED = P.QOL_GAIN_IMPROVED
QOL_GAIN_NOT_IMPROVED = P.QOL_GAIN_NOT_IMPROVED

# --- Sequelae at month 24 (Pub.: "33.3% vs 10.8%") ---------------------------------------------
SEQUELAE = {arm: P.SEQUELAE[arm] / P.N_PER_ARM[arm] for arm in (SP, S)}
SEQUELA_WEIGHTS = P.SEQUELA_COUNTS

# --- The children at screening -----------------------------------------------------------------
FEMALE = P.N_FEMALE / sum(N_PER_ARM.values())  # Pub.: "In total, 35 patients were female"
AGE_MONTHS_LOG_MEAN, AGE_MONTHS_LOG_SD = 1.0, 0.9  # chosen: Pub. "mean age ... 4.1 months"
AGE_RANGE_MONTHS = P.AGE_RANGE_MONTHS  # Pub.: "(range, 0.3-25.0 months)"
KMP_DURATION_MEAN_MONTHS = P.MEAN_KMP_DURATION_MONTHS  # Pub.: "mean duration of KMP was 2.1 months"
BIOPSY = P.N_BIOPSY / sum(N_PER_ARM.values())  # Pub.: "Biopsies were available for 39 patients"
LESION_DEPTH_WEIGHTS = P.LESION_DEPTH_WEIGHTS
LESION_SITE_WEIGHTS = P.LESION_SITE_WEIGHTS
SCREEN_FAILURE = (P.N_SCREENED - sum(N_PER_ARM.values())) / P.N_SCREENED  # Pub.: 78 screened, 73 enrolled
BODY_SIZE_NOISE_SD = 0.08  # chosen: ±8 % around the growth curve below
