"""Named parameters of the trial simulator, each calibrated to a sentence of the publication.

"Pub." quotes the trial publication (Ji et al., Blood 2022, ``shared/trial/publication.txt``).
The published *counts* below are what the ``--match-publication`` cohort reproduces exactly; the
random simulator draws each patient's profile with the probabilities these counts imply, so a
large random trial looks like the published one on average. Values the publication does not give
are marked "chosen" with the reason.
"""

from __future__ import annotations

from datetime import date

from khetrial.constants import ARM_CONTROL as S
from khetrial.constants import ARM_EXPERIMENTAL as SP

# --- Cohort -----------------------------------------------------------------------------------
N_PER_ARM = {SP: 37, S: 36}  # Pub.: "sirolimus plus prednisolone (n = 37) or sirolimus monotherapy (n = 36)"
N_SCREENED = 78  # Pub.: "Of the 78 patients screened for this study"
ENROLMENT_START, ENROLMENT_END = date(2017, 7, 1), date(2019, 6, 30)  # Pub.: "between July 2017 and June 2019"
SITES = ("C1", "C2", "C3", "C4", "C5")  # Pub.: "5 tertiary referral centers"
SITE_WEIGHTS = (0.44, 0.16, 0.14, 0.14, 0.12)  # chosen: the principal site (C1) enrols most
N_FEMALE = 35  # Pub.: "In total, 35 patients were female"
MEAN_AGE_MONTHS = 4.1  # Pub.: "the mean age at baseline was 4.1 months (range, 0.3-25.0 months)"
AGE_RANGE_MONTHS = (0.3, 25.0)
MEAN_KMP_DURATION_MONTHS = 2.1  # Pub.: "the mean duration of KMP was 2.1 months (range, 0.0-17.5 months)"
KMP_DURATION_RANGE_MONTHS = (0.0, 17.5)
KMP_ONSET_AGE_MAX_MONTHS = 22.0  # Pub.: "The age at the onset of KMP ranged from the first day of life to 22.0 months"
N_RETROPERITONEAL_OR_INTRATHORACIC = 5  # Pub.: "Retroperitoneal and intrathoracic lesions were detected in 6.8% of patients" (5/73)
N_PREVIOUS_THERAPY = 24  # Pub.: "Twenty-four (32.9%) patients had been treated previously with at least 1 therapy"
N_BIOPSY = 39  # Pub.: "Biopsies were available for 39 patients before enrollment"
DAYS_PER_MONTH = 365.25 / 12
LESION_DEPTH_WEIGHTS = {"superficial": 0.15, "mixed": 0.55, "deep": 0.30}  # chosen (Table 1 not in the text)
LESION_SITE_WEIGHTS = {"head_neck": 0.30, "trunk": 0.30, "extremity": 0.40}  # chosen; + 6.8% deep sites above
# Screen failures (Pub.: "The reasons for ineligibility are shown in Figure 1"; the figure is
# not in the text, so the reasons are chosen): 78 - 73 = 5.
SCREEN_FAILURE_REASONS = ("no_kmp", "no_kmp", "prior_mtor_inhibitor", "consent_declined", "active_infection")

# --- Platelet response (Pub. "Efficacy outcomes"; week 2 chosen) --------------------------------
# Cumulative durable responders by week k = 1..4: Pub. "35 of 37 patients given sirolimus and
# prednisolone compared with 24 of 36" (week 4); "ranged from 9 (24.3%) to 31 (83.8%) in the
# combination treatment group and from 4 (11.1%) to 20 (55.6%) in the sirolimus monotherapy group"
# (weeks 1 and 3). Week 2 is not published: chosen 22 vs 12, between weeks 1 and 3.
CUMULATIVE_RESPONDERS = {SP: (9, 22, 31, 35), S: (4, 12, 20, 24)}
# Pub.: "A total of 67 patients achieved a durable platelet response during treatment":
# 67 - 59 = 8 respond after week 4 (chosen split 1 vs 7; the rest never respond).
LATE_RESPONDERS = {SP: 1, S: 7}
# Pub.: "lack of efficacy (2.7% in the combination treatment group vs 13.9% in the monotherapy
# group" = 1/37 vs 5/36; these patients never respond and stop for good.
LACK_OF_EFFICACY = {SP: 1, S: 5}
# Pub.: "Sixty-six patients completed the 12-month treatment period": 73 - 66 - 6 = 1 more stop
# (chosen: a parent request in the combination arm).
PARENT_REQUEST = {SP: 1, S: 0}
RESCUE_STEROIDS = {SP: 0, S: 2}  # chosen: late responders of the monotherapy arm given prednisolone
RESPONSE_DAYS = {1: (2, 6), 2: (8, 14), 3: (16, 20), 4: (22, 28)}  # first day ≥100 (days of the every-2-day counts)
LATE_RESPONSE_DAYS = (32, 70)  # chosen: "platelet count increases could be seen within 1 to 2 weeks"
LACK_OF_EFFICACY_STOP_DAYS = (42, 90)  # chosen: stopped after 6-13 weeks without response
PARENT_REQUEST_STOP_DAYS = (180, 240)  # chosen
RESCUE_STEROID_DAYS = (30, 36)  # chosen: rescue after the week-4 assessment

# Weekly platelet medians (×10⁹/L) per arm at weeks 0..4, with quartiles. Pub.: "29.0 × 10⁹/L vs
# 22.0 × 10⁹/L at week 1 and 270.0 × 10⁹/L vs 208.0 × 10⁹/L at week 4". Weeks 0, 2, 3 and the
# quartiles are chosen to fit Figure 2's shape and the weekly responder counts.
PLATELET_QUANTILES = {  # (min, q1, median, q3, max) per week 0..4
    SP: ((3, 9, 17, 28, 62), (6, 18, 29, 80, 200), (10, 60, 128, 190, 300),
         (18, 120, 196, 250, 360), (40, 195, 270, 322, 445)),
    S: ((3, 10, 18, 30, 64), (5, 14, 22, 52, 170), (8, 40, 70, 150, 280),
        (12, 60, 126, 210, 360), (20, 80, 208, 310, 520)),
}
# With these, the plan's mixed model gives about 43 (1 to 85) ×10⁹/L at week 4 for the default
# seed; Pub.: "difference, 38.0 × 10⁹/L; 95% CI, 6.1-69.8" (close in the estimate, the simulated
# interval is wider).
PLATELET_PLATEAU = (220, 450)  # chosen: counts settle in the normal range after month 3
NON_RESPONSE_CEILING = 88  # chosen margin below the 100 ×10⁹/L threshold
RESPONSE_FLOOR = 112  # chosen margin above it
REBOUND = {SP: 2, S: 6}  # Pub.: "(5.4% vs 16.7%)" = 2/37 vs 6/36
REBOUND_DAYS = (84, 252)  # chosen: a visit at weeks 12-36 (sirolimus taper, infection)
REBOUND_NADIR = (35, 80)

# --- Fibrinogen (Pub.: "27 (73.0%) and 16 (44.4%) patients") -----------------------------------
FIBRINOGEN_STABILIZED = {SP: 27, S: 16}
FIBRINOGEN_BASELINE = (0.3, 1.3)  # g/L, chosen (hypofibrinogenemia <1.6 at entry)
FIBRINOGEN_STABLE_FROM_DAYS = (8, 26)  # chosen
FIBRINOGEN_LATE_FROM_DAYS = (34, 70)  # chosen: non-stabilizers normalise after week 4
FIBRINOGEN_LOW_CEILING = 1.45  # chosen margin below 1.6
FIBRINOGEN_STABLE_FLOOR = 1.8  # chosen margin above 1.6

# --- Lesion response at month 12 (Pub.: "91.9% ... 80.6%"; "81.1% vs 58.3%") ------------------
# Counts per category among the patients not censored before month 12; overall = partial +
# nearly complete + complete = 34 vs 29; good = 30 vs 21. The split of "good" into complete and
# nearly complete, and of non-responders into no change / growth, is chosen.
LESION_CATEGORIES = {
    SP: {"no_change": 1, "partial": 4, "nearly_complete": 18, "complete": 12},
    S: {"partial": 8, "nearly_complete": 13, "complete": 8},
}
LESION_CHANGE_PCT = {  # chosen ranges, well away from the category limits
    "growth": (30, 60), "no_change": (-12, 12), "partial": (-65, -30),
    "nearly_complete": (-96, -80), "complete": (-100, -100),
}
LESION_BASELINE_ML = (2.0, 600.0)  # chosen, log-uniform
# --- Quality of life (Pub.: "33 (89.2%) ... 28 (77.8%)") -------------------------------------
QOL_IMPROVED = {SP: 33, S: 28}
QOL_BASELINE_TOTAL = (45, 75)  # chosen
QOL_GAIN_IMPROVED = (9, 25)  # chosen, well above 4.5 points
QOL_GAIN_NOT_IMPROVED = (-8, 1)  # chosen, well below 4.5 points
# --- Month 24 (Pub.: "68 patients (35 ... and 33 ...) had follow-up data"; "17 ... and 12 ...
# had completed treatment"; sequelae "33.3% vs 10.8%" = 12/36 vs 4/37) -------------------------
ASSESSED_M24 = {SP: 35, S: 33}
COMPLETED_TREATMENT = {SP: 17, S: 12}
SEQUELAE = {SP: 4, S: 12}
# Pub.: "lymphedema (7 patients), decreased ROM (5 patients), daily pain at the involved site (3
# patients), scoliosis (3 patients), and leg-length discrepancy (2 patients)" in 16 patients.
SEQUELA_COUNTS = {"lymphedema": 7, "decreased_rom": 5, "chronic_pain": 3, "scoliosis": 3,
                  "leg_length_discrepancy": 2}
# --- Transfusions (Pub.: "2.5 vs 1.4; P = .003") per patient, days 0-365 ----------------------
# Chosen per-patient counts (52/37 = 1.41 and 90/36 = 2.50), slower responders needing more.
TRANSFUSION_COUNTS = {  # {count: patients}; Mann-Whitney p = 0.0030 (scipy, asymptotic, no continuity correction)
    SP: {0: 11, 1: 10, 2: 10, 3: 4, 4: 1, 6: 1},
    S: {0: 3, 1: 9, 2: 7, 3: 8, 4: 4, 5: 3, 6: 2},
}
TRANSFUSION_PRODUCTS = ("ffp", "cryoprecipitate", "red_cells", "platelets")
TRANSFUSION_PRODUCT_WEIGHTS = (0.35, 0.35, 0.25, 0.05)
# --- Treatment (Pub. "Study intervention") ----------------------------------------------------
PREDNISOLONE_WEEKS = (6.0, 11.0)  # Pub.: "average duration of oral prednisolone treatment was 8.1 weeks (range, 6.0-11.0)"
PREDNISOLONE_MEAN_WEEKS = 8.1
SIROLIMUS_TROUGH_NG_ML = (7.0, 17.0)  # chosen spread around the 10-15 ng/mL target
COMPLETION_DAYS = (400, 700)  # chosen: sirolimus stopped after month 12 and before month 24
TMP_SMX_DAYS = 183  # Pub.: "at least during the first 6 months"
# --- Adverse events (Pub.: "3.6 events per patient ... vs 3.4 ..., P = .981"; "21 grade 3-4") ---
AE_EVENTS = {SP: 133, S: 122}  # 133/37 = 3.59, 122/36 = 3.39
# Chosen per-patient event counts {events: patients}: 7 patients per arm without events;
# Mann-Whitney p = 0.978 (scipy, asymptotic, no continuity correction), close to the published .981.
AE_COUNTS = {
    SP: {0: 7, 1: 1, 2: 2, 3: 9, 4: 8, 5: 3, 6: 2, 7: 1, 8: 2, 9: 1, 10: 1},
    S: {0: 7, 1: 2, 2: 5, 3: 3, 4: 4, 5: 9, 6: 3, 7: 2, 8: 1},
}
AE_GRADE3_EVENTS = {SP: 11, S: 10}  # 21 in total
AE_GRADE3_TERMS = ("upper_respiratory_infection",) * 7 + ("pneumonia",) * 5 + (
    "neutrophil_count_decreased", "neutrophil_count_decreased", "diarrhea", "fever",
    "anemia", "skin_infection", "vomiting", "hypertriglyceridemia",
    "mucositis_oral")  # Pub.: "grade ≥3 upper respiratory tract infections (7 events) and pneumonia (5 events)"
AE_TERM_WEIGHTS = {  # chosen; Pub.: "most common ... were upper respiratory tract infection, mucositis, and nausea/vomiting"
    "upper_respiratory_infection": 30, "mucositis_oral": 16, "vomiting": 9, "nausea": 6,
    "diarrhea": 8, "fever": 8, "hypertriglyceridemia": 6, "hypercholesterolemia": 4,
    "rash_acneiform": 5, "skin_infection": 4, "neutrophil_count_decreased": 4,
    "aspartate_aminotransferase_increased": 2, "anemia": 3, "cough": 4, "irritability": 2,
}
AE_STEROID_TERMS = {"hypertension": 3, "hyperglycemia": 2, "cushingoid": 3}  # combination arm only (chosen)
TRANSAMINASE_PATIENTS = {SP: 4, S: 2}  # Pub.: "Four patients ... and 2 patients ... increases in transaminase concentrations to twice the upper limit"
ALT_UPPER_LIMIT = 40  # U/L, chosen reference limit
AE_INTERRUPTED_PATIENTS = 15  # Pub.: "temporary discontinuation (3-28 days) ... 15 (20.5%)"
AE_DOSE_REDUCED_PATIENTS = 7  # Pub.: "a reduction in sirolimus dose ... 7 (9.6%) patients"
