# Reference values for the class-level inference of src/stats (issues 24, 25):
# classical OLS / WLS ANCOVA on class means, clubSandwich CR2 coefficient
# tests and HTZ Wald tests, the clustered (CR2) mean and difference of means,
# the one-way ICC, and the CR2 event-study / DiD regressions.
#
#   Rscript class_inference.R > class_inference.out     (from tests/data/r/)
#
# Every value is printed as `key value` with %.17g; the Rust tests carry
# them as literals (CI has no R).

suppressMessages(library(clubSandwich))
options(warn = 1)

out <- function(key, x) {
  x <- as.numeric(x)
  if (length(x) == 1) {
    cat(sprintf("%s %s\n", key, sprintf("%.17g", x)))
  } else {
    cat(sprintf("%s %s\n", key, paste(sprintf("%.17g", x), collapse = " ")))
  }
}

read_trainees <- function(file) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  if (!"category" %in% names(d)) d$category <- "A"
  lv <- c("centralized", sort(setdiff(unique(d$method), "centralized")))
  d$method <- factor(d$method, levels = lv)
  d$category <- factor(d$category)
  d
}

class_means <- function(d) {
  cm <- aggregate(cbind(pre, post) ~ class_id + method, data = d, FUN = mean)
  cm$size <- as.vector(table(d$class_id)[cm$class_id])
  cm$share_b <- as.vector(tapply(d$category == "B", d$class_id, mean)[cm$class_id])
  cm[order(cm$class_id), ]
}

# ---------------------------------------------------------------------------
# 1. Classical OLS ANCOVA on class means: post ~ pre + method (+ share_b),
#    optional weights = class size.
# ---------------------------------------------------------------------------
ols_block <- function(tag, cm, covariate = FALSE, weights = NULL) {
  f1 <- if (covariate) post ~ pre + method + share_b else post ~ pre + method
  f0 <- if (covariate) post ~ pre + share_b else post ~ pre
  m1 <- if (is.null(weights)) lm(f1, data = cm) else lm(f1, data = cm, weights = cm[[weights]])
  m0 <- if (is.null(weights)) lm(f0, data = cm) else lm(f0, data = cm, weights = cm[[weights]])
  s <- summary(m1)
  co <- coef(s)
  out(paste0(tag, ".coef"), co[, 1])
  out(paste0(tag, ".se"), co[, 2])
  out(paste0(tag, ".t"), co[, 3])
  out(paste0(tag, ".p"), co[, 4])
  out(paste0(tag, ".df"), m1$df.residual)
  out(paste0(tag, ".sigma"), s$sigma)
  ci <- confint(m1, level = 0.95)
  out(paste0(tag, ".ci_low"), ci[, 1])
  out(paste0(tag, ".ci_high"), ci[, 2])
  a <- anova(m0, m1)
  out(paste0(tag, ".F"), c(a$F[2], a$Df[2], a$Res.Df[2], a$`Pr(>F)`[2]))
  out(paste0(tag, ".partial_eta2"), a$`Sum of Sq`[2] / (a$`Sum of Sq`[2] + a$RSS[2]))
  # Pairwise method contrasts from vcov: level j - level i, i < j.
  V <- vcov(m1)
  b <- coef(m1)
  lv <- levels(cm$method)
  col <- function(l) if (l == 1) NA else paste0("method", lv[l])
  est <- se <- tt <- pp <- lo <- hi <- c()
  for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
    cvec <- setNames(rep(0, length(b)), names(b))
    if (!is.na(col(j))) cvec[col(j)] <- cvec[col(j)] + 1
    if (!is.na(col(i))) cvec[col(i)] <- cvec[col(i)] - 1
    e <- sum(cvec * b); s_ <- sqrt(drop(t(cvec) %*% V %*% cvec))
    q <- qt(0.975, m1$df.residual)
    est <- c(est, e); se <- c(se, s_); tt <- c(tt, e / s_)
    pp <- c(pp, 2 * pt(-abs(e / s_), m1$df.residual))
    lo <- c(lo, e - q * s_); hi <- c(hi, e + q * s_)
  }
  out(paste0(tag, ".pair_est"), est)
  out(paste0(tag, ".pair_se"), se)
  out(paste0(tag, ".pair_t"), tt)
  out(paste0(tag, ".pair_p"), pp)
  out(paste0(tag, ".pair_ci_low"), lo)
  out(paste0(tag, ".pair_ci_high"), hi)
  out(paste0(tag, ".pair_holm"), p.adjust(pp, "holm"))
  out(paste0(tag, ".pair_bh"), p.adjust(pp, "BH"))
}

oracle <- read_trainees("../oracles/ancova.csv")
names(oracle)[names(oracle) == "cadre_id"] <- "trainee_id"
balanced <- read_trainees("balanced.csv")
two <- read_trainees("two_classes.csv")
unbal <- read_trainees("unbalanced.csv")

ols_block("ols.oracle", class_means(oracle))
ols_block("ols.balanced", class_means(balanced))
ols_block("ols.two", class_means(two))
ols_block("ols.unbal", class_means(unbal), covariate = TRUE)
ols_block("wls.unbal", class_means(unbal), weights = "size")

# ---------------------------------------------------------------------------
# 3. Clustered mean (intercept-only CR2, Satterthwaite) of the gains, and the
#    clustered difference of two means (y ~ 1 + group).
# ---------------------------------------------------------------------------
cr2_coef <- function(tag, fit, cluster, which) {
  ct <- coef_test(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite", level = 0.95)
  out(paste0(tag, ".est"), ct$beta[which])
  out(paste0(tag, ".se"), ct$SE[which])
  out(paste0(tag, ".t"), ct$tstat[which])
  out(paste0(tag, ".df"), ct$df_Satt[which])
  out(paste0(tag, ".p"), ct$p_Satt[which])
  out(paste0(tag, ".ci"), c(ci$CI_L[which], ci$CI_U[which]))
}
for (set in list(list("balanced", balanced), list("two", two), list("unbal", unbal))) {
  d <- set[[2]]
  d$gain <- d$post - d$pre
  cr2_coef(paste0("cmean.", set[[1]]), lm(gain ~ 1, data = d), d$class_id, 1)
}
d <- unbal
d$gain <- d$post - d$pre
d$grp <- as.integer(d$category == "B")
cr2_coef("cdiff.mixed", lm(gain ~ 1 + grp, data = d), d$class_id, 2)
d$grp <- as.integer(d$method == "online")
cr2_coef("cdiff.by_class", lm(gain ~ 1 + grp, data = d), d$class_id, 2)

# ---------------------------------------------------------------------------
# 4. One-way ICC(1) of the gains by class, ANOVA estimator with
#    n0 = (N - sum(m^2)/N)/(G - 1); psych::ICC(ICC1) on the balanced set.
# ---------------------------------------------------------------------------
icc1 <- function(y, g) {
  g <- factor(g)
  a <- anova(lm(y ~ g))
  msb <- a$`Mean Sq`[1]; msw <- a$`Mean Sq`[2]
  m <- as.vector(table(g)); N <- sum(m); G <- length(m)
  n0 <- (N - sum(m^2) / N) / (G - 1)
  c(msb, msw, n0, (msb - msw) / (msb + (n0 - 1) * msw))
}
for (set in list(list("balanced", balanced), list("two", two), list("unbal", unbal))) {
  d <- set[[2]]
  out(paste0("icc1.", set[[1]]), icc1(d$post - d$pre, d$class_id))
}
gm <- matrix((balanced$post - balanced$pre), nrow = 16, byrow = TRUE)
out("icc1.balanced_psych", psych::ICC(gm, lmer = FALSE)$results$ICC[1])

# ---------------------------------------------------------------------------
# 2. Trainee-level ANCOVA post ~ pre + method (+ category) with CR2 by class:
#    Satterthwaite df of every coefficient and the HTZ Wald test of the
#    method terms (working model: identity, clubSandwich's default for lm).
# ---------------------------------------------------------------------------
htz_block <- function(tag, d, category = TRUE) {
  f <- if (category) post ~ pre + method + category else post ~ pre + method
  fit <- lm(f, data = d)
  ct <- coef_test(fit, vcov = "CR2", cluster = d$class_id, test = "Satterthwaite")
  out(paste0(tag, ".coef"), ct$beta)
  out(paste0(tag, ".se"), ct$SE)
  out(paste0(tag, ".df"), ct$df_Satt)
  out(paste0(tag, ".p"), ct$p_Satt)
  terms <- grep("^method", names(coef(fit)), value = TRUE)
  w <- Wald_test(fit, constraints = constrain_zero(terms), vcov = "CR2",
                 cluster = d$class_id, test = c("HTZ", "Naive-F"))
  h <- w[w$test == "HTZ", ]
  out(paste0(tag, ".htz"), c(h$Fstat, h$delta, h$df_num, h$df_denom, h$p_val))
  nf <- w[w$test == "Naive-F", ]
  out(paste0(tag, ".naive"), c(nf$Fstat, nf$df_num, nf$df_denom, nf$p_val))
  # A single contrast (second method minus first non-reference) through Wald
  # HTZ with q = 1: F = t^2, df2 = Satterthwaite df.
  cm <- matrix(0, 1, length(coef(fit)))
  cm[1, match(terms[1], names(coef(fit)))] <- -1
  cm[1, match(terms[2], names(coef(fit)))] <- 1
  w1 <- Wald_test(fit, constraints = cm, vcov = "CR2", cluster = d$class_id, test = "HTZ")
  out(paste0(tag, ".htz_contrast"), c(w1$Fstat, w1$df_denom, w1$p_val))
}
htz_block("htz.oracle", oracle, category = FALSE)
htz_block("htz.balanced", balanced)
htz_block("htz.two", two)
htz_block("htz.unbal", unbal)

# ---------------------------------------------------------------------------
# 10. Event study and DiD on event.csv, CR2 by cluster (one cluster of 200
#     rows, two of a single row): y ~ treated * post, and y ~ treated + rel
#     dummies + treated x rel dummies (reference rel = -1) with the joint
#     pre-trend HTZ test of treated x rel in {-3, -2}.
# ---------------------------------------------------------------------------
ev <- read.csv("event.csv")
ev$post <- as.integer(ev$rel >= 0)
fit <- lm(y ~ treated * post, data = ev)
ct <- coef_test(fit, vcov = "CR2", cluster = ev$cluster, test = "Satterthwaite")
out("did.coef", ct$beta); out("did.se", ct$SE); out("did.df", ct$df_Satt); out("did.p", ct$p_Satt)
rels <- c(-3, -2, 0, 1, 2)
nm <- c("m3", "m2", "p0", "p1", "p2")
for (i in seq_along(rels)) {
  ev[[paste0("r_", nm[i])]] <- as.integer(ev$rel == rels[i])
  ev[[paste0("t_", nm[i])]] <- ev$treated * as.integer(ev$rel == rels[i])
}
fes <- as.formula(paste("y ~ treated +", paste(paste0("r_", nm), collapse = " + "), "+",
                        paste(paste0("t_", nm), collapse = " + ")))
fit <- lm(fes, data = ev)
ct <- coef_test(fit, vcov = "CR2", cluster = ev$cluster, test = "Satterthwaite")
out("event.coef", ct$beta); out("event.se", ct$SE); out("event.df", ct$df_Satt); out("event.p", ct$p_Satt)
w <- Wald_test(fit, constraints = constrain_zero(c("t_m3", "t_m2")), vcov = "CR2",
               cluster = ev$cluster, test = "HTZ")
out("event.pretrend", c(w$Fstat, w$delta, w$df_num, w$df_denom, w$p_val))
