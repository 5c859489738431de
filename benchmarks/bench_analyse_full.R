# The core of `khetrial analyse` in R, from a bundle folder's CSV files, for the side-by-side
# figure of benchmarks/bench_analyse.py (issue 13: "no slower than the same analysis in R").
#
# What it does, all vectorised (no loop over patients):
# - reads patients.csv, labs.csv, medications.csv, disposition.csv, transfusions.csv and
#   adverse_events.csv (data.table::fread when the data.table package is installed, as a
#   practised R analyst would; else read.csv; `Rscript bench_analyse_full.R FOLDER base` forces
#   read.csv);
# - study days; the censoring day (discontinued, other KHE therapy, rescue prednisolone in arm S,
#   prednisolone reintroduction after a gap > 7 days in arm SP);
# - platelets: measurements (last row of a date), runs >= 100 with gaps <= 14 days, durable when
#   >= 28 days, durable response at weeks 1-4 (before censoring); fibrinogen > 1.6 stabilization
#   at week 4; KMP rebound (days 0-730);
# - platelet week values (baseline: last on days -14..0; week w: closest to 7w within +-3 days,
#   tie to the earlier day) and the mixed model of the change at weeks 1-4 (lme4::lmer, REML,
#   arm * week + baseline + (1 | patient)), the SP - S difference at week 4 with its Wald SE;
# - Fisher's exact test of each of those 6 binary endpoints; transfusions on days 0-365 and
#   treatment-emergent adverse events per patient compared by wilcox.test; Fisher's test per
#   adverse-event term (any grade, grade >= 3).
#
# What it does not do, and khetrial analyse does (so khetrial does strictly more work): check
# the bundle against every rule of the format (every cell, code list, range, cross-file and
# edit check) before analysing; read mri.csv, qol.csv, sequelae.csv and derive the lesion,
# quality-of-life, sequelae and lack-of-efficacy endpoints; Newcombe intervals; the baseline
# table, weekly quartiles, per-protocol analysis, the DMC's monitoring analyses and the
# provenance checksums of every table; writing results.json.
#
# Prints "R check: ..." (primary-endpoint events per arm, the mixed-model difference and SE) so
# that the benchmark can confirm both programs found the same answer.
# Run: Rscript benchmarks/bench_analyse_full.R FOLDER [base]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
use_fread <- !identical(args[2], "base") && requireNamespace("data.table", quietly = TRUE)

read_table <- function(name) {
  path <- file.path(folder, paste0(name, ".csv"))
  if (use_fread) {
    return(as.data.frame(data.table::fread(path, colClasses = "character", na.strings = "",
                                           encoding = "UTF-8", showProgress = FALSE)))
  }
  read.csv(path, colClasses = "character", na.strings = "", encoding = "UTF-8")
}
as_day <- function(x) as.numeric(as.Date(x, format = "%Y-%m-%d"))

patients <- read_table("patients")
labs <- read_table("labs")
meds <- read_table("medications")
disposition <- read_table("disposition")
transfusions <- read_table("transfusions")
aes <- read_table("adverse_events")

ids <- patients$patient_id
arm <- patients$arm
sp <- arm == "SP"
day0 <- as_day(patients$randomization_date)
study_day <- function(pid, date) { p <- match(pid, ids); as_day(date) - day0[p] }

# --- censoring -------------------------------------------------------------------------------
meds$p <- match(meds$patient_id, ids)
meds$start <- as_day(meds$start_date) - day0[meds$p]
meds$end <- as_day(meds$end_date) - day0[meds$p]
disposition$day <- study_day(disposition$patient_id, disposition$date)
stopped <- disposition[disposition$status == "discontinued", ]
ev_p <- c(match(stopped$patient_id, ids))
ev_day <- c(stopped$day)
ev_rank <- rep(1, nrow(stopped))
other <- meds[meds$drug == "other_khe_therapy" & meds$start >= 1, ]
rescue <- meds[meds$drug == "prednisolone" & !sp[meds$p] & meds$start >= 1, ]
pred <- meds[meds$drug == "prednisolone" & sp[meds$p], ]
pred <- pred[order(pred$p, pred$start), ]
pred_end <- ifelse(is.na(pred$end), Inf, pred$end)
running <- ave(pred_end, pred$p, FUN = cummax)
same <- c(FALSE, pred$p[-1] == pred$p[-nrow(pred)])
earlier <- c(NA, running[-nrow(pred)])
earlier[!same] <- NA
# courses starting the same day share the latest end of the courses strictly before them
first_of_start <- !(same & c(FALSE, pred$start[-1] == pred$start[-nrow(pred)]))
earlier <- earlier[which(first_of_start)[cumsum(first_of_start)]]
reintro <- pred[!is.na(earlier) & pred$start >= 1 & pred$start - earlier > 7, ]
ev_p <- c(ev_p, other$p, rescue$p, reintro$p)
ev_day <- c(ev_day, other$start, rescue$start, reintro$start)
ev_rank <- c(ev_rank, rep(2, nrow(other)), rep(3, nrow(rescue)), rep(4, nrow(reintro)))
keep <- !is.na(ev_day)
ev <- data.frame(p = ev_p[keep], day = ev_day[keep], rank = ev_rank[keep])
ev <- ev[order(ev$p, ev$day, ev$rank), ]
ev <- ev[!duplicated(ev$p), ]
censor <- rep(Inf, length(ids))
censor[ev$p] <- ev$day

# --- laboratory measurements -----------------------------------------------------------------
measurements <- function(test) {
  rows <- labs[labs$test == test & !is.na(labs$value), c("patient_id", "date", "value")]
  rows <- rows[!duplicated(rows[, c("patient_id", "date")], fromLast = TRUE), ]
  p <- match(rows$patient_id, ids)
  data.frame(p = p, day = as_day(rows$date) - day0[p], value = as.numeric(rows$value))
}
durable_start <- function(m, ok) {
  o <- order(m$p, m$day)
  p <- m$p[o]; day <- m$day[o]; ok <- ok[o]
  n <- length(p)
  continues <- c(FALSE, ok[-1] & ok[-n] & p[-1] == p[-n] & diff(day) <= 14)
  starts <- which(ok & !continues)
  ends <- which(ok & c(!continues[-1], TRUE))
  durable <- starts[day[ends] - day[starts] >= 28]
  first <- durable[!duplicated(p[durable])]
  out <- rep(NA_real_, length(ids))
  out[p[first]] <- day[first]
  list(start = out, p = p, day = day, ok = ok)
}
platelets <- measurements("platelets")
fibrinogen <- measurements("fibrinogen")
efficacy <- function(m) m[!is.na(m$day) & m$day >= 0 & m$day < censor[m$p], ]
plt <- efficacy(platelets)
platelet_start <- durable_start(plt, round(plt$value, 10) >= 100)$start
fib <- efficacy(fibrinogen)
fibrinogen_start <- durable_start(fib, round(fib$value, 10) > 1.6)$start
all_plt <- platelets[!is.na(platelets$day) & platelets$day >= 0 & platelets$day <= 730, ]
run <- durable_start(all_plt, round(all_plt$value, 10) >= 100)
rebound <- rep(FALSE, length(ids))
rebound[unique(run$p[!run$ok & run$day > run$start[run$p] & !is.na(run$start[run$p])])] <- TRUE
endpoints <- list(
  durable_platelet_response_wk1 = !is.na(platelet_start) & platelet_start <= 7,
  durable_platelet_response_wk2 = !is.na(platelet_start) & platelet_start <= 14,
  durable_platelet_response_wk3 = !is.na(platelet_start) & platelet_start <= 21,
  durable_platelet_response_wk4 = !is.na(platelet_start) & platelet_start <= 28,
  fibrinogen_stabilization_wk4 = !is.na(fibrinogen_start) & fibrinogen_start <= 28,
  kmp_rebound = rebound)

# --- platelet week values and the mixed model ------------------------------------------------
before <- platelets[!is.na(platelets$day) & platelets$day < censor[platelets$p], ]
base_rows <- before[before$day >= -14 & before$day <= 0, ]
base_rows <- base_rows[order(base_rows$p, -base_rows$day), ]
base_rows <- base_rows[!duplicated(base_rows$p), ]
baseline <- rep(NA_real_, length(ids))
baseline[base_rows$p] <- base_rows$value
weeks <- lapply(1:4, function(w) {
  rows <- before[abs(before$day - 7 * w) <= 3, ]
  rows <- rows[order(rows$p, abs(rows$day - 7 * w), rows$day), ]
  rows <- rows[!duplicated(rows$p), ]
  data.frame(p = rows$p, week = w, value = rows$value)
})
mixed <- do.call(rbind, weeks)
mixed <- mixed[!is.na(baseline[mixed$p]), ]
mixed$baseline <- baseline[mixed$p]
mixed$change <- mixed$value - mixed$baseline
mixed$arm <- relevel(factor(arm[mixed$p]), "S")
mixed$patient_id <- factor(mixed$p)
model <- lmer(change ~ arm * factor(week) + baseline + (1 | patient_id), data = mixed, REML = TRUE)
beta <- fixef(model)
contrast <- setNames(rep(0, length(beta)), names(beta))
contrast[c("armSP", "armSP:factor(week)4")] <- 1
difference <- sum(contrast * beta)
se <- sqrt(drop(contrast %*% as.matrix(vcov(model)) %*% contrast))

# --- tests -----------------------------------------------------------------------------------
fisher <- function(events_sp, events_s) {
  fisher.test(matrix(c(events_sp, sum(sp) - events_sp, events_s, sum(!sp) - events_s), 2))$p.value
}
for (endpoint in names(endpoints)) {
  e <- endpoints[[endpoint]]
  invisible(fisher(sum(e[sp]), sum(e[!sp])))
}
transfusions$day <- study_day(transfusions$patient_id, transfusions$date)
inside <- transfusions[!is.na(transfusions$day) & transfusions$day >= 0 & transfusions$day <= 365, ]
transfused <- tabulate(match(inside$patient_id, ids), length(ids))
invisible(suppressWarnings(wilcox.test(transfused[sp], transfused[!sp])$p.value))
sirolimus <- meds[meds$drug == "sirolimus", ]
last_day <- rep(0, length(ids))
last_end <- tapply(ifelse(is.na(sirolimus$end), Inf, sirolimus$end), sirolimus$p, max)
last_day[as.integer(names(last_end))] <- last_end
aes$p <- match(aes$patient_id, ids)
aes$day <- as_day(aes$onset_date) - day0[aes$p]
emergent <- aes[!is.na(aes$day) & aes$day >= 0 & aes$day <= last_day[aes$p] + 30, ]
per_patient <- tabulate(emergent$p, length(ids))
invisible(suppressWarnings(wilcox.test(per_patient[sp], per_patient[!sp])$p.value))
severe <- as.integer(emergent$grade) >= 3
for (term in sort(unique(emergent$term))) {
  of_term <- emergent$term == term
  any_p <- unique(emergent$p[of_term])
  severe_p <- unique(emergent$p[of_term & severe])
  invisible(fisher(sum(sp[any_p]), sum(!sp[any_p])))
  invisible(fisher(sum(sp[severe_p]), sum(!sp[severe_p])))
}
primary <- endpoints$durable_platelet_response_wk4
cat(sprintf("R check: primary SP %d S %d difference %.6f se %.6f reader %s\n", sum(primary[sp]),
            sum(primary[!sp]), difference, se, if (use_fread) "fread" else "read.csv"))
