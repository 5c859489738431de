"""The trial's numbers, each once, each citing where it comes from.

"Pub." quotes the trial publication (Ji et al., Blood 2022, NCT03188068,
``shared/trial/publication.txt``); "SAP" quotes ``docs/analysis-plan.md``, which wins
where the two differ. Units are in the names or the comments: platelets ×10⁹/L, fibrinogen g/L,
D-dimer µg/mL, hemoglobin g/L, sirolimus trough ng/mL, days since randomization (day 0).
"""

from __future__ import annotations

from fractions import Fraction

# --- Arms -------------------------------------------------------------------------------------
ARM_EXPERIMENTAL = "SP"  # bundle format: "SP sirolimus + prednisolone"
ARM_CONTROL = "S"  # bundle format: "S sirolimus alone"
ARMS = (ARM_EXPERIMENTAL, ARM_CONTROL)
ARM_LABELS = {ARM_EXPERIMENTAL: "Sirolimus + prednisolone", ARM_CONTROL: "Sirolimus"}

# --- Definitions (Pub. "Definitions" and "Study patients") -----------------------------------
KMP_PLATELET_THRESHOLD = 100  # "KMP was defined as a platelet count <100 × 10⁹/L"
HYPOFIBRINOGENEMIA_THRESHOLD = Fraction("1.6")  # "fibrinogen level <1.6 g/L"
D_DIMER_ELEVATED_THRESHOLD = Fraction("0.5")  # "elevated D-dimer level (>0.5 μg/mL)"
SEVERE_ANEMIA_HEMOGLOBIN = 60  # "hemoglobin concentration <60 g/L"
ROM_EXTENSION_LOSS_DEGREES = 10  # "Decreased ROM ... ≥10° of extension loss"
ROM_FLEXION_MIN_DEGREES = 120  # "... flexion <120°, or both"
CHRONIC_PAIN_MIN_MONTHS = 3  # "daily pain for at least 3 months"
ELIGIBLE_AGE_MIN_YEARS = 0  # "between 0 and 14 years of age"
ELIGIBLE_AGE_MAX_YEARS = 14

# --- Efficacy endpoints (SAP) -----------------------------------------------------------------
PLATELET_RESPONSE_THRESHOLD = 100  # SAP: run of measurements "all ≥ 100 ×10⁹/L"
FIBRINOGEN_STABLE_THRESHOLD = Fraction("1.6")  # SAP: "fibrinogen > 1.6 g/L (strictly greater)"
DURABLE_RUN_MIN_DAYS = 28  # SAP: "durable when its last day − its first day ≥ 28"
RUN_MAX_GAP_DAYS = 14  # SAP: "no two consecutive measurements are more than 14 days apart"
RESPONSE_WEEKS = (1, 2, 3, 4)  # SAP: "week k (k = 1, 2, 3, 4; k = 4 is the primary outcome)"
PRIMARY_WEEK = 4
DAYS_PER_WEEK = 7  # bundle format: "Week k ends on day 7k"
BASELINE_LAB_WINDOW = (-14, 0)  # SAP: "last measurement on days −14…0"
WEEK_WINDOW_HALF_WIDTH = 3  # SAP: "closest to day 7w within ±3 days"
MONTH12_TARGET_DAY, MONTH12_WINDOW = 365, (335, 395)  # SAP: "closest to day 365 within 335…395"
MONTH24_TARGET_DAY, MONTH24_WINDOW = 730, (670, 790)  # SAP: "closest to day 730 within 670…790"
REBOUND_LAST_DAY = 730  # SAP: "all platelet measurements on days 0…730"
BASELINE_MRI_WINDOW = (-30, 0)  # SAP: "last MRI on days −30…0"
BASELINE_QOL_WINDOW = (-30, 0)  # SAP: "questionnaire on days −30…0 closest to day 0"
PREDNISOLONE_REINTRODUCTION_GAP_DAYS = 7  # SAP: "more than 7 days after the latest end"
LESION_GROWTH_PCT = 20  # SAP / Pub.: "further growth (increase ≥20%)"
LESION_PARTIAL_PCT = -20  # "partial involution (decrease ≥20% and <75%)"
LESION_NEARLY_COMPLETE_PCT = -75  # "nearly complete involution (decrease ≥75% and <100%)"
LESION_OVERALL_RESPONSE = ("partial", "nearly_complete", "complete")  # SAP
LESION_GOOD_RESPONSE = ("nearly_complete", "complete")  # SAP
PEDSQL_ITEM_SCORE = {0: 100, 1: 75, 2: 50, 3: 25, 4: 0}  # Pub.: "0 = 100, 1 = 75, ..., 4 = 0"
PEDSQL_MAX_MISSING_FRACTION = Fraction(1, 2)  # SAP: "missing when more than half ... unanswered"
QOL_IMPROVEMENT_MIN_POINTS = Fraction("4.5")  # Pub.: "total score increase ≥4.5 points"
TRANSFUSION_WINDOW = (0, 365)  # SAP: "rows on days 0…365"
SEQUELAE_WINDOW = MONTH24_WINDOW  # SAP: "dated on days 670…790"
AE_FOLLOW_UP_DAYS = 30  # SAP / Pub.: "up to 30 days after treatment"
THRESHOLD_DECIMALS = 10  # SAP: "round the change to 10 decimals before comparing"
CONFIDENCE_LEVEL = 0.95  # Pub.: "95% CI"; "2-sided α of 0.05"
ALPHA = 0.05
WALD_Z_975 = 1.959964  # SAP: "normal quantile 1.959964, as lme4's confint(method = "Wald")"

# --- Treatment (Pub. "Study intervention") ----------------------------------------------------
SIROLIMUS_START_DOSE_MG_M2 = Fraction("0.8")  # "starting dose of sirolimus was 0.8 mg/m2 ... twice daily"
SIROLIMUS_TROUGH_TARGET_NG_ML = (10, 15)  # "titrated to achieve trough levels of 10 to 15 ng/mL"
SIROLIMUS_SOLUTION_MG_PER_ML = 1  # oral solution 1 mg/mL (Rapamune label)
PREDNISOLONE_DOSE_MG_KG = 2  # "prednisolone was administered at 2 mg/kg orally once daily"
PREDNISOLONE_TAPER_PLATELETS = 100  # "platelet count ≥100 × 10⁹/L for at least 1 week"
PREDNISOLONE_TAPER_TRIGGER_DAYS = 7
PREDNISOLONE_TAPER_WEEKS = (4, 6)  # "tapering and discontinuing prednisolone ... within 4 to 6 weeks"
TMP_SMX_DOSE_MG_KG = 10  # "trimethoprim-sulfamethoxazole, 10 mg/kg twice daily, 3 times per week"
TMP_SMX_MIN_MONTHS = 6  # "required for all patients at least during the first 6 months"
MIN_TREATMENT_MONTHS = 12  # "Treatment was continued for at least 12 months"
FOLLOW_UP_YEARS = 2  # "Patients were followed for a total of 2 years"
NO_IMPROVEMENT_OBSERVATION_WEEKS = 12  # "no further improvement ... after month 12 (for 12 weeks)"
# Trough checks: "weekly for 2 weeks, then every other week for 2 weeks, then monthly for
# 2 months, and then every 3 months thereafter"
TROUGH_SCHEDULE = ((7, 2), (14, 1), (30, 2), (91, None))  # (interval days, how many; None = on)

# --- Supportive care (Pub. "Study intervention") ----------------------------------------------
PLASMA_PLATELET_THRESHOLD = 10  # "(2) platelet count <10 × 10⁹/L"
PLASMA_FIBRINOGEN_THRESHOLD = Fraction("0.5")  # "(3) fibrinogen <0.5 g/L"
RED_CELLS_HEMOGLOBIN_THRESHOLD = 60  # "hemoglobin concentrations <60 g/L"

# --- Schedules (Pub. "Study outcomes") ---------------------------------------------------------
VISIT_WEEKS = (0, 1, 2, 4, 8, 12, 24, 36, 48, 60, 72, 84, 104)  # "baseline; at 1, 2, 4, ... 84 weeks; and 2 years"
PLATELET_MONITORING_INTERVAL_DAYS = 2  # "blood counts every 2 days until the stabilization"
MRI_MONTHS = (6, 12, 24)  # "MRI was performed at months 6 and 12 and every 12 months thereafter"
PEDSQL_MONTHS = (0, 12)  # "completed by parents at baseline and at 12 months"
# The outcome assessor's windows (protocol.assessments): months 12 and 24 are the SAP's windows;
# month 6 has none in the SAP nor the publication. Project choice: ±30 days around the date
# (about a month, the spacing of the neighbouring visits' windows at weeks 24 and 36).
MONTH6_MRI_WINDOW_HALF_DAYS = 30
# The study days in which each PedsQL counts for the analysis (SAP: baseline "days −30…0",
# month 12 "within 335…395"): a parents' questionnaire (ePRO) link is offered in them.
PEDSQL_WINDOWS = {0: BASELINE_QOL_WINDOW, 12: MONTH12_WINDOW}
DAYS_PER_MONTH = 365.25 / 12  # mean Gregorian month, for ages in months

# --- Protocol rules as code (khetrial.protocol; literature and project choices) ---------------
# Eligibility washouts. Pub.: "KHE therapies within 1 week before enrollment"; "major surgery
# within 2 weeks before enrollment". Project choice: "within" is inclusive (day −7 excludes).
PRIOR_KHE_THERAPY_WASHOUT_DAYS = 7
MAJOR_SURGERY_WASHOUT_DAYS = 14
# Body-surface area. Mosteller RD, N Engl J Med 1987;317:1098: BSA = sqrt(height cm × weight kg / 3600).
MOSTELLER_DIVISOR = 3600
# Haycock GB et al., J Pediatr 1978;93:62-66: BSA = 0.024265 × W^0.5378 × H^0.3964.
HAYCOCK_COEFFICIENTS = (0.024265, 0.5378, 0.3964)
# Du Bois D, Du Bois EF, Arch Intern Med 1916;17:863-871: BSA = 0.007184 × W^0.425 × H^0.725.
DU_BOIS_COEFFICIENTS = (0.007184, 0.425, 0.725)
BSA_DECIMALS = 4  # m², as reported (0.2894 m²)
# Oral syringes for the 1 mg/mL solution (project assumption): a 1 mL syringe graduated in
# 0.01 mL for volumes < 1 mL, a 3-5 mL syringe graduated in 0.1 mL from 1 mL on.
SYRINGE_SMALL_MAX_ML = Fraction(1)
SYRINGE_SMALL_STEP_ML = Fraction("0.01")
SYRINGE_LARGE_STEP_ML = Fraction("0.1")
# Titration. Rapamune label §2.1: "new Rapamune dose = current dose × (target concentration/
# current concentration)"; target = middle of Pub.'s "10 to 15 ng/mL".
SIROLIMUS_TROUGH_AIM_NG_ML = Fraction(25, 2)
# Project choice (bounded step): at most ×2 or ×½ per adjustment — the label warns "dose
# adjustments based on non-steady-state sirolimus concentrations can lead to overdosing or
# underdosing", and clearance still matures in infants (Mizuno et al., Pediatr Blood Cancer 2017).
SIROLIMUS_MAX_STEP_FACTOR = Fraction(2)
# Rapamune label §2.1: "continue on the new maintenance dose for at least 7 to 14 days before
# further dosage adjustment with concentration monitoring".
SIROLIMUS_RECHECK_AFTER_CHANGE_DAYS = (7, 14)
DOSE_MG_DECIMALS = 2  # sirolimus mg shown to 0.01 mg (= 0.01 mL of 1 mg/mL)
PREDNISOLONE_MG_DECIMALS = 1  # prednisolone mg to 0.1 mg (0.1 mL of a 1 mg/mL solution)
TMP_SMX_MG_DECIMALS = 1  # TMP-SMX mg per dose to 0.1 mg
# Body size accepted by the dose calculator = the bundle format's plausible ranges.
DOSING_WEIGHT_RANGE_KG = (Fraction("0.5"), Fraction(80))  # bundle: "weight_kg | number 0.5–80"
DOSING_HEIGHT_RANGE_CM = (Fraction(30), Fraction(180))  # bundle: "height_cm | number 30–180"
PLATELETS_MAX = 2000  # bundle: "platelets | ×10⁹/L | 0–2000"
FIBRINOGEN_MAX = 10  # bundle: "fibrinogen | g/L | 0–10"
SIROLIMUS_TROUGH_MAX_NG_ML = 200  # bundle: "sirolimus_trough_ng_ml (0–200)"
JOINT_ANGLE_MAX_DEGREES = 180  # a joint angle is at most a straight angle
# Prednisolone taper (project choice within Pub.'s "within 4 to 6 weeks"): weekly equal steps,
# week i of n at (n + 1 − i)/(n + 1) of the full daily dose, then stop; default n = 4.
PREDNISOLONE_TAPER_DEFAULT_WEEKS = 4
# Visit windows in days around the target day (project choices, see protocol/schedule.py):
# weeks 1–4 ±3 (SAP "within ±3 days"), weeks 8–12 ±7, weeks 24–84 ±14, year 2 = SAP month 24.
BASELINE_VISIT_WINDOW = BASELINE_LAB_WINDOW  # SAP "last measurement on days −14…0"
VISIT_WINDOW_HALF_WIDTHS = ((4, 3), (12, 7), (84, 14))  # (up to week, ± days)
YEAR2_VISIT_TARGET_DAY, YEAR2_VISIT_WINDOW = MONTH24_TARGET_DAY, MONTH24_WINDOW
# Safety: SAP "events and patients of grade ≥ 3" (CTCAE v4.0 grades 1–5).
AE_SEVERE_GRADE = 3
AE_MAX_GRADE = 5
# A trough is overdue when none was measured from 3 days before its scheduled date and it is
# more than 3 days late (project choice, the SAP's "±3 days" week window).
TROUGH_CHECK_TOLERANCE_DAYS = WEEK_WINDOW_HALF_WIDTH

# --- Bedside safety limits (issue 10; each names its source) ----------------------------------
# Blood counts "every 2 days until the stabilization of platelet counts was reached" (Pub.).
# Stabilization = a durable run as the SAP defines it (DURABLE_RUN_MIN_DAYS, RUN_MAX_GAP_DAYS,
# PLATELET_RESPONSE_THRESHOLD). Without data the plan runs every 2 days to day 56: a run that
# starts by day 28 (week 4, the primary endpoint) is confirmed durable by day 28 + 28.
BLOOD_COUNT_MAXIMAL_PLAN_DAY = PRIMARY_WEEK * DAYS_PER_WEEK + DURABLE_RUN_MIN_DAYS
# Until stabilization a count is also due on day 7k (k = 1…4), the last day a run may start to
# count for week k (SAP "a durable run has its first day ≤ 7k"): counts every 2 days fall on even
# days only, so a run starting on day 7 or 21 would be seen a day late and lose the week-1 or
# week-3 response (project choice; the virtual trial lost 12 of 142 week-3 responders without it).
RESPONSE_WEEK_LAST_START_DAYS = tuple(week * DAYS_PER_WEEK for week in RESPONSE_WEEKS)
# Prednisolone cap (project choice): 60 mg/day, the usual paediatric maximum daily dose of oral
# prednisolone (as in BNF for Children's prednisolone monograph for most indications; the
# publication gives no cap). 2 mg/kg reaches it above 30 kg.
PREDNISOLONE_MAX_MG_DAY = 60
# TMP-SMX. Reading of Pub.'s "10 mg/kg" (project choice): mg of the combined product
# (trimethoprim + sulfamethoxazole in the fixed 1:5 ratio of every formulation) per dose, i.e.
# trimethoprim 10/6 mg/kg and sulfamethoxazole 50/6 mg/kg per dose.
TMP_SMX_RATIO = (1, 5)  # Bactrim label: trimethoprim 80 mg / sulfamethoxazole 400 mg per tablet
# Bactrim label, PJP prophylaxis in children: "The total daily dose should not exceed 1600 mg
# sulfamethoxazole and 320 mg trimethoprim"; given twice daily, so per dose:
TMP_MAX_MG_PER_DOSE = 160
SMX_MAX_MG_PER_DOSE = 800
# Bactrim label, Contraindications: "pediatric patients less than 2 months of age".
TMP_SMX_MIN_AGE_MONTHS = 2
# Sirolimus hold (project choice): above 30 ng/mL = 2 × the target's upper end, even the largest
# allowed step (×½) cannot bring the predicted trough (label: proportional) into 10–15 ng/mL,
# so doses are held, the trough repeated after 3 days, and sirolimus restarted at half the
# dose once the trough is ≤ 15 ng/mL.
SIROLIMUS_HOLD_ABOVE_NG_ML = 30
SIROLIMUS_REPEAT_TROUGH_DAYS = 3
# Rapamune label §2: "The maximum Rapamune dose administered on any day should not exceed
# 40 mg" -> 20 mg per dose twice daily.
SIROLIMUS_MAX_MG_DAY = 40
SIROLIMUS_DOSES_PER_DAY = 2  # Pub.: "administered orally twice daily"
# An undetectable trough (0 ng/mL) is repeated within 3 days, dose unchanged (project choice).
# Stale body size (project choice): doses computed from a weight or height measured more than
# 30 days before today carry a "check with a clinician" note to re-measure — an infant's BSA
# grows ~50 % in a year (issue 10), and the publication's visits are 4 weeks apart from week 4
# to week 12 ("at 1, 2, 4, 8, 12 ... weeks"), so a monthly measurement is there to be taken.
# 30 days old is still current; 31 days old is stale.
BODY_SIZE_MAX_AGE_DAYS = 30

# --- Design (Pub. "Statistical analysis") ------------------------------------------------------
DESIGN_CONTROL_RESPONSE = 0.55  # "primary outcome of 70% vs 55% for sirolimus monotherapy"
DESIGN_EXPERIMENTAL_RESPONSE = 0.70
DESIGN_N_PER_ARM = 32  # "With ∼32 patients per treatment group"
DESIGN_STATED_POWER = 0.80  # "this study had ∼80% power"

# --- Publication's reported results (for comparison tables and tests) ---------------------------
PUBLISHED_N = {ARM_EXPERIMENTAL: 37, ARM_CONTROL: 36}  # "sirolimus plus prednisolone (n = 37) or sirolimus monotherapy (n = 36)"
PUBLISHED_SCREENED = 78  # "Of the 78 patients screened"
