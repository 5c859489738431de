# The statistics of the analysis plan in R, on the tables khetrial derived (benchmarks/bench_analyse.py
# writes them): the platelet mixed model (lme4, Wald interval of SP - S at week 4), Fisher's exact
# test per binary endpoint, and Wilcoxon-Mann-Whitney tests of transfusions and adverse events per
# patient. Prints "R seconds: <elapsed>" (reading the CSVs included) and the mixed-model contrast.
# Run: Rscript benchmarks/bench_analyse_r.R FOLDER ENDPOINT1,ENDPOINT2,...
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
endpoints <- strsplit(args[2], ",")[[1]]
start <- proc.time()[["elapsed"]]
mixed <- read.csv(file.path(folder, "mixed.csv"))
adsl <- read.csv(file.path(folder, "adsl.csv"))
mixed$arm <- relevel(factor(mixed$arm), "S")
model <- lmer(change ~ arm * factor(week) + baseline + (1 | patient_id), data = mixed, REML = TRUE)
beta <- fixef(model)
contrast <- setNames(rep(0, length(beta)), names(beta))
contrast[c("armSP", "armSP:factor(week)4")] <- 1
difference <- sum(contrast * beta)
se <- sqrt(drop(contrast %*% as.matrix(vcov(model)) %*% contrast))
sp <- adsl$arm == "SP"
for (endpoint in endpoints) {
  events <- as.logical(adsl[[endpoint]])
  table <- matrix(c(sum(events[sp], na.rm = TRUE), sum(!events[sp], na.rm = TRUE),
                    sum(events[!sp], na.rm = TRUE), sum(!events[!sp], na.rm = TRUE)), 2)
  invisible(fisher.test(table)$p.value)
}
invisible(suppressWarnings(wilcox.test(adsl$transfusions_m12[sp], adsl$transfusions_m12[!sp])$p.value))
invisible(suppressWarnings(wilcox.test(adsl$ae_events[sp], adsl$ae_events[!sp])$p.value))
elapsed <- proc.time()[["elapsed"]] - start
cat(sprintf("R seconds: %.3f\nR difference: %.10f se: %.10f\n", elapsed, difference, se))
