# Reference values for the method tables as traineval publishes them
# (`indicators::methods::method_tables`, tests/it/indicators.rs): for each data set
# the three tests of method_tests and the pairwise contrasts of method_pairwise.
#
#   class_ancova    lm(class mean post ~ class mean pre + method [+ hours]) on the
#                   classes of the methods taught in >= 2 classes; F of the method
#                   terms (anova of nested models), partial eta^2, contrasts from vcov
#   class_kruskal   kruskal.test(class mean gain ~ method)
#   ancova_cr2_htz  lm(post ~ pre + method) over the trainees, clubSandwich
#                   Wald_test(vcov = "CR2", cluster = class, test = "HTZ") (the category
#                   is left out: see docs/indicators.md, "the HTZ test and the category")
#
# Run from this directory: Rscript method_tables.R > method_tables.out
# Data: the CSVs of make_data.R and ../oracles/ancova.csv; `hours` of a class is
# 20 + 3 * (its number mod 7) (the same rule as the Rust test).

suppressPackageStartupMessages(library(clubSandwich))

out <- function(key, values) {
  cat(key, paste(sprintf("%.17g", values), collapse = " "), "\n")
}

read_trainees <- function(file) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  if ("cadre_id" %in% names(d)) names(d)[names(d) == "cadre_id"] <- "trainee_id"
  if (!"category" %in% names(d)) d$category <- "A"
  d
}

hours_of <- function(class_id) 20 + 3 * (as.integer(gsub("[^0-9]", "", class_id)) %% 7)

block <- function(tag, d, covariate = FALSE, min_classes = 2) {
  cm <- aggregate(cbind(pre, post) ~ class_id + method, data = d, FUN = mean)
  cm$hours <- hours_of(cm$class_id)
  k_classes <- table(cm$method)
  keep <- names(k_classes)[k_classes >= min_classes]
  lv <- c(intersect("centralized", keep), sort(setdiff(keep, "centralized")))
  cm <- cm[cm$method %in% lv, ]
  cm$method <- factor(cm$method, levels = lv)
  cm <- cm[order(cm$class_id), ]
  f1 <- if (covariate) post ~ pre + method + hours else post ~ pre + method
  f0 <- if (covariate) post ~ pre + hours else post ~ pre
  m1 <- lm(f1, data = cm)
  m0 <- lm(f0, data = cm)
  a <- anova(m0, m1)
  out(paste0(tag, ".ancova"), c(a$F[2], a$Df[2], a$Res.Df[2], a$`Pr(>F)`[2],
                                a$`Sum of Sq`[2] / (a$`Sum of Sq`[2] + a$RSS[2]), nrow(cm)))
  V <- vcov(m1)
  b <- coef(m1)
  col <- function(l) if (l == 1) NA else paste0("method", lv[l])
  est <- se <- pp <- lo <- hi <- c()
  for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
    cvec <- setNames(rep(0, length(b)), names(b))
    if (!is.na(col(j))) cvec[col(j)] <- cvec[col(j)] + 1
    if (!is.na(col(i))) cvec[col(i)] <- cvec[col(i)] - 1
    e <- sum(cvec * b); s_ <- sqrt(drop(t(cvec) %*% V %*% cvec))
    q <- qt(0.975, m1$df.residual)
    est <- c(est, e); se <- c(se, s_); pp <- c(pp, 2 * pt(-abs(e / s_), m1$df.residual))
    lo <- c(lo, e - q * s_); hi <- c(hi, e + q * s_)
  }
  out(paste0(tag, ".pair_est"), est)
  out(paste0(tag, ".pair_se"), se)
  out(paste0(tag, ".pair_p"), pp)
  out(paste0(tag, ".pair_ci_low"), lo)
  out(paste0(tag, ".pair_ci_high"), hi)
  out(paste0(tag, ".pair_holm"), p.adjust(pp, "holm"))
  out(paste0(tag, ".pair_bh"), p.adjust(pp, "BH"))
  kw <- kruskal.test(post - pre ~ method, data = cm)
  out(paste0(tag, ".kruskal"), c(kw$statistic, kw$parameter, kw$p.value))
  dt <- d[d$method %in% lv, ]
  dt$method <- factor(dt$method, levels = lv)
  fit <- lm(post ~ pre + method, data = dt)
  idx <- grep("^method", names(coef(fit)))
  w <- Wald_test(fit, constraints = constrain_zero(idx), vcov = "CR2", cluster = dt$class_id, test = "HTZ")
  out(paste0(tag, ".htz"), c(w$Fstat, w$df_num, w$df_denom, w$p_val, nrow(dt)))
}

block("oracle", read_trainees("../oracles/ancova.csv"))
block("balanced", read_trainees("balanced.csv"))
block("two", read_trainees("two_classes.csv"))
block("unbal", read_trainees("unbalanced.csv"))
block("unbal_hours", read_trainees("unbalanced.csv"), covariate = TRUE)
# With min_classes = 3 the method of two classes leaves the tests.
block("two_gate3", read_trainees("two_classes.csv"), min_classes = 3)
