# Reference values for the transfer family (issue 25), computed from the raw rows
# of three generated sets with an implementation of SPEC §7.2 written apart from
# the Rust one: review histories, controls (target category, no class in the
# period's year or the washout year, no class of their own between the two
# reviews compared), the stacked event study with CR2 (clubSandwich), the
# pre-trend HTZ test, and per class the DiD with Welch's interval, Hedges' g of
# the before reviews and the BH-adjusted p-values.
#
#   Rscript transfer_event.R > transfer_event.out     (from tests/data/r/)
#
# The sets (transfer/<set>/{classes,enrollments,cadres,reviews}.csv) are
# columns of `traineval generate` output:
#   clean          --cadres 400 --seed 7
#   pretrend       --cadres 400 --seed 8 --plant pretrend
#   contamination  --cadres 500 --seed 9 --plant contamination
# with reviews.csv reduced to cadre_id, review_date, kind, total (the mean of
# the five dimensions). Period 2025, lag 90 days, washout 1 year.

suppressMessages(library(clubSandwich))
options(warn = 1)

out <- function(key, x) {
  x <- as.numeric(x)
  cat(sprintf("%s %s\n", key, paste(sprintf("%.17g", x), collapse = " ")))
}

Y <- 2025
LAG <- 90
WASHOUT <- 1
PERIODS <- c(-3, -2, 0, 1, 2)

# One person's changes from its -1 review around a class (start s, threshold
# thr), leaving out a comparison when one of `classes` (rows of s, e) lies
# strictly between the two review days.
changes <- function(h, s, thr, classes) {
  res <- list(before = NA, after = NA, contaminated = FALSE, y = rep(NA_real_, 5))
  b <- max(c(0, which(h$day < s)))
  if (b == 0) return(res)
  a <- which(h$day >= thr)
  a <- if (length(a) > 0 && a[1] > b) a[1] else NA
  tb <- h$day[b]
  between <- function(t) {
    if (nrow(classes) == 0) return(FALSE)
    any(classes$e > min(t, tb) & classes$s < max(t, tb))
  }
  for (p in seq_along(PERIODS)) {
    r <- PERIODS[p]
    at <- if (r < 0) b + (r + 1) else if (is.na(a)) NA else a + r
    if (!is.na(at) && at >= 1 && at <= nrow(h) && !between(h$day[at])) {
      res$y[p] <- h$total[at] - h$total[b]
    }
  }
  res$before <- h$total[b]
  if (!is.na(a)) {
    res$contaminated <- between(h$day[a])
    if (!res$contaminated) res$after <- h$total[a]
  }
  res
}

run <- function(set) {
  dir <- file.path("transfer", set)
  cl <- read.csv(file.path(dir, "classes.csv"), stringsAsFactors = FALSE)
  en <- read.csv(file.path(dir, "enrollments.csv"), stringsAsFactors = FALSE)
  ca <- read.csv(file.path(dir, "cadres.csv"), stringsAsFactors = FALSE)
  rv <- read.csv(file.path(dir, "reviews.csv"), stringsAsFactors = FALSE)
  rv$day <- as.numeric(as.Date(rv$review_date))
  rv <- rv[order(rv$cadre_id, rv$day, rv$kind), ]
  hist <- split(rv[, c("day", "total")], rv$cadre_id)
  empty_h <- data.frame(day = numeric(0), total = numeric(0))
  h_of <- function(id) if (is.null(hist[[id]])) empty_h else hist[[id]]
  cl$s <- as.numeric(as.Date(cl$start_date))
  cl$e <- as.numeric(as.Date(cl$end_date))
  cl$year <- as.integer(substr(cl$start_date, 1, 4))
  en <- merge(en, cl[, c("class_id", "s", "e", "year")], by = "class_id")
  period <- cl[cl$year == Y, ]
  period <- period[order(period$class_id), ]
  ineligible <- unique(en$cadre_id[en$year >= Y - WASHOUT & en$year <= Y])

  rows <- list()
  per_class <- list()
  for (k in seq_len(nrow(period))) {
    c <- period[k, ]
    thr <- c$e + LAG
    tr <- en[en$class_id == c$class_id, ]
    tb <- ta <- c()
    for (id in tr$cadre_id) {
      ch <- changes(h_of(id), c$s, thr, data.frame(s = numeric(0), e = numeric(0)))
      for (p in seq_along(PERIODS)) if (!is.na(ch$y[p]))
        rows[[length(rows) + 1]] <- data.frame(cluster = paste0("class:", c$class_id), rel = PERIODS[p], treated = 1, y = ch$y[p])
      if (!is.na(ch$before) && !is.na(ch$after)) { tb <- c(tb, ch$before); ta <- c(ta, ch$after) }
    }
    pool <- ca$cadre_id[ca$category == c$target_category & !(ca$cadre_id %in% ineligible)]
    cb <- cafter <- c()
    for (id in pool) {
      own <- en[en$cadre_id == id, c("s", "e")]
      ch <- changes(h_of(id), c$s, thr, own)
      if (ch$contaminated) next
      for (p in seq_along(PERIODS)) if (!is.na(ch$y[p]))
        rows[[length(rows) + 1]] <- data.frame(cluster = paste0("cadre:", id), rel = PERIODS[p], treated = 0, y = ch$y[p])
      if (!is.na(ch$before) && !is.na(ch$after)) { cb <- c(cb, ch$before); cafter <- c(cafter, ch$after) }
    }
    per_class[[k]] <- list(id = c$class_id, tb = tb, ta = ta, cb = cb, ca = cafter)
  }
  d <- do.call(rbind, rows)
  d$rel <- factor(d$rel, levels = PERIODS)
  fit <- lm(y ~ 0 + rel + rel:treated, data = d)
  ct <- coef_test(fit, vcov = "CR2", cluster = d$cluster, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = "CR2", cluster = d$cluster, test = "Satterthwaite", level = 0.95)
  inter <- grep(":treated$", names(coef(fit)))
  tag <- paste0(set, ".event")
  out(paste0(tag, ".estimate"), ct$beta[inter])
  out(paste0(tag, ".se"), ct$SE[inter])
  out(paste0(tag, ".df"), ct$df_Satt[inter])
  out(paste0(tag, ".p"), ct$p_Satt[inter])
  out(paste0(tag, ".ci_low"), ci$CI_L[inter])
  out(paste0(tag, ".ci_high"), ci$CI_U[inter])
  out(paste0(tag, ".n_trained"), as.vector(table(d$rel[d$treated == 1])))
  out(paste0(tag, ".n_control"), as.vector(table(d$rel[d$treated == 0])))
  w <- Wald_test(fit, constraints = constrain_zero(names(coef(fit))[inter[1:2]]), vcov = "CR2",
                 cluster = d$cluster, test = "HTZ")
  out(paste0(tag, ".pretrend"), c(w$Fstat, w$df_num, w$df_denom, w$p_val))

  # Per class: paired t before/after, Welch DiD, Hedges' g (WWC correction), BH.
  hedges <- function(a, b) {
    na <- length(a); nb <- length(b)
    sp <- sqrt(((na - 1) * var(a) + (nb - 1) * var(b)) / (na + nb - 2))
    (mean(a) - mean(b)) / sp * (1 - 3 / (4 * (na + nb) - 9))
  }
  ids <- sapply(per_class, function(x) x$id)
  ctl_n <- sapply(per_class, function(x) length(x$cb))
  did <- did_lo <- did_hi <- did_p <- g <- p <- c()
  for (x in per_class) {
    tt <- t.test(x$ta, x$tb, paired = TRUE)
    p <- c(p, tt$p.value)
    w <- t.test(x$ta - x$tb, x$ca - x$cb)
    did <- c(did, mean(x$ta - x$tb) - mean(x$ca - x$cb))
    did_lo <- c(did_lo, w$conf.int[1]); did_hi <- c(did_hi, w$conf.int[2]); did_p <- c(did_p, w$p.value)
    g <- c(g, hedges(x$tb, x$cb))
  }
  tag <- paste0(set, ".class")
  cat(sprintf("%s.ids %s\n", tag, paste(ids, collapse = " ")))
  out(paste0(tag, ".control_n"), ctl_n)
  out(paste0(tag, ".did"), did)
  out(paste0(tag, ".did_ci_low"), did_lo)
  out(paste0(tag, ".did_ci_high"), did_hi)
  out(paste0(tag, ".did_p"), did_p)
  out(paste0(tag, ".baseline_g"), g)
  out(paste0(tag, ".p_bh"), p.adjust(p, "BH"))
  out(paste0(tag, ".did_p_bh"), p.adjust(did_p, "BH"))
}

for (set in c("clean", "pretrend", "contamination")) run(set)
