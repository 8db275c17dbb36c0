#!/usr/bin/env bash
# Why `ancova_cr2_htz` leaves the cadre category out of the trainee-level model.
#
#   bash benches/htz_category.sh [SETS] [WORK]      (default 60 sets in a temp dir)
#
# Generates SETS years of 1,500 cadres under the planted null (`--null-methods`: every
# method the same true gain), builds each, and fits with R's clubSandwich (an
# independent implementation) the trainee-level OLS post ~ pre + method with and
# without category dummies, CR2 by class, HTZ Wald test of the method terms (methods in
# >= 2 classes). Prints the share of sets rejecting at alpha = 0.05 for each model.
# Needs the release binary (CARGO_TARGET_DIR or target/) and R with clubSandwich
# (apt-get install r-base-core r-cran-clubsandwich). A benchmark, not a test.
set -euo pipefail
sets="${1:-60}"
work="${2:-$(mktemp -d)}"
bin="${TRAINEVAL_BIN:-${CARGO_TARGET_DIR:-target}/release/traineval}"
py="${PYTHON:-python3}"
mkdir -p "$work"
for s in $(seq 1 "$sets"); do
  [ -f "$work/p$s.csv" ] && continue
  "$bin" generate --out "$work/g$s" --cadres 1500 --seed "$s" --null-methods -q
  "$bin" build "$work/g$s" --out "$work/o$s" -q
  "$py" - "$work" "$s" <<'PY'
import sys, polars as pl
work, s = sys.argv[1], sys.argv[2]
o = pl.read_parquet(f"{work}/o{s}/warehouse/trainee_outcomes/*/*.parquet")
o = o.filter(pl.col("pre_score").is_not_null() & pl.col("post_score").is_not_null())
o.select("class_id", "method", "category", "pre_score", "post_score").write_csv(f"{work}/p{s}.csv")
PY
  rm -rf "$work/g$s" "$work/o$s"
done
Rscript - "$work" "$sets" <<'R'
suppressPackageStartupMessages(library(clubSandwich))
args <- commandArgs(trailingOnly = TRUE)
work <- args[1]; sets <- as.integer(args[2])
htz <- function(fit, d) {
  i <- grep("^method", names(coef(fit))); i <- i[!is.na(coef(fit)[i])]
  tryCatch(Wald_test(fit, constraints = constrain_zero(i), vcov = "CR2",
                     cluster = d$class_id, test = "HTZ")$p_val, error = function(e) NA)
}
res <- t(sapply(seq_len(sets), function(s) {
  d <- read.csv(file.path(work, sprintf("p%d.csv", s)))
  k <- table(unique(d[, c("class_id", "method")])$method)
  d <- d[d$method %in% names(k)[k >= 2], ]
  d$method <- factor(d$method); d$category <- factor(d$category)
  c(htz(lm(post_score ~ pre_score + method + category, data = d), d),
    htz(lm(post_score ~ pre_score + method, data = d), d))
}))
for (j in 1:2) {
  p <- res[, j]
  cat(sprintf("%-18s rejects %d of %d defined sets (%.1f %%) at alpha = 0.05\n",
              c("with category", "without category")[j], sum(p < 0.05, na.rm = TRUE),
              sum(!is.na(p)), 100 * mean(p < 0.05, na.rm = TRUE)))
}
R
