# Reference values for the interval estimates of src/stats: the noncentral t
# (pt with ncp) and the d_z interval it gives, ICC intervals (McGraw & Wong
# 1996, as psych::ICC), Cronbach's alpha interval (Feldt 1965, as
# psych::alpha.ci) and McDonald's omega (one factor, psych::fa minres).
#
#   Rscript effect_sizes.R > effect_sizes.out       (from tests/data/r/)

suppressMessages(library(psych))
options(warn = 1)

out <- function(key, x) {
  x <- as.numeric(x)
  cat(sprintf("%s %s\n", key, paste(sprintf("%.17g", x), collapse = " ")))
}

# ---------------------------------------------------------------------------
# 5. Noncentral t: R's pt(q, df, ncp) (AS 243), and the d_z interval of a
#    paired t: ncp_lo, ncp_hi with pt(t, df, ncp) = 1 - a/2 and a/2, over
#    sqrt(n); g_z bounds scaled by J = 1 - 3/(4 df - 1).
# ---------------------------------------------------------------------------
grid <- rbind(c(1.5, 9, 0.7), c(4.062127683382037, 9, 2.1), c(-2, 4.5, -1.2),
              c(-2, 20, 1.5), c(0.3, 1, 3), c(10, 30, 8.5), c(30, 12, 36),
              c(2, 50, -0.5), c(5, 3, 4), c(42, 12, 39), c(-1, 7, 45))
for (i in seq_len(nrow(grid))) {
  g <- grid[i, ]
  out(sprintf("pnt.%d", i), c(g, pt(g[1], g[2], g[3])))
}
ncp_ci <- function(t, df, alpha = 0.05) {
  f <- function(ncp, p) pt(t, df, ncp) - p
  lo <- uniroot(f, c(t - 2, t + 2), p = 1 - alpha / 2, tol = 1e-13, extendInt = "downX", maxiter = 5000)$root
  hi <- uniroot(f, c(t - 2, t + 2), p = alpha / 2, tol = 1e-13, extendInt = "downX", maxiter = 5000)$root
  c(lo, hi)
}
dz_cases <- rbind(c(4.062127683382037, 10), c(-2.5, 25), c(0.3, 6), c(0, 15),
                  c(3, 2), c(1.2, 200), c(45, 12))
for (i in seq_len(nrow(dz_cases))) {
  t <- dz_cases[i, 1]; n <- dz_cases[i, 2]; df <- n - 1
  ci <- ncp_ci(t, df)
  j <- 1 - 3 / (4 * df - 1)
  out(sprintf("dz.%d", i), c(t, n, ci, ci / sqrt(n), j * ci / sqrt(n)))
}

# ---------------------------------------------------------------------------
# 6. ICC intervals, McGraw & Wong (1996) F intervals as psych::ICC
#    (lmer = FALSE: the ANOVA mean squares), rows ICC1, ICC2, ICC3, ICC1k,
#    ICC2k, ICC3k: estimate, lower, upper.
# ---------------------------------------------------------------------------
sf <- matrix(c(9,2,5,8, 6,1,3,2, 8,4,6,8, 7,1,2,6, 10,5,6,9, 6,2,4,7), ncol = 4, byrow = TRUE)
raters <- as.matrix(read.csv("raters.csv"))
for (set in list(list("sf", sf), list("raters", raters))) {
  for (a in c(0.05, 0.1)) {
    r <- psych::ICC(set[[2]], lmer = FALSE, alpha = a)$results
    for (i in 1:6) {
      out(sprintf("icc.%s.%g.%s", set[[1]], a, r$type[i]), c(r$ICC[i], r$`lower bound`[i], r$`upper bound`[i]))
    }
  }
}

# ---------------------------------------------------------------------------
# 7. Cronbach's alpha with Feldt's interval (psych::alpha.ci):
#    lower = 1 - (1 - a) qf(1 - p/2, n - 1, (n - 1)(k - 1)),
#    upper = 1 - (1 - a) qf(p/2, ...).
# ---------------------------------------------------------------------------
oracle_items <- matrix(c(4,5,4,3, 3,3,2,3, 5,5,5,4, 2,3,2,2, 4,4,5,4, 3,2,3,3,
                         5,4,4,5, 1,2,1,2, 4,4,3,4, 3,4,3,2), ncol = 4, byrow = TRUE)
items <- as.matrix(read.csv("items.csv"))
for (set in list(list("oracle", oracle_items), list("items", items))) {
  x <- set[[2]]
  a <- suppressWarnings(psych::alpha(x, warnings = FALSE))$total$raw_alpha
  for (p in c(0.05, 0.1)) {
    ci <- psych::alpha.ci(a, nrow(x), ncol(x), p.val = p)
    out(sprintf("feldt.%s.%g", set[[1]], p), c(a, ci$lower.ci, ci$upper.ci))
  }
}

# ---------------------------------------------------------------------------
# 8. McDonald's omega_total of one factor, (sum l)^2 / ((sum l)^2 + sum psi),
#    from psych::fa(x, 1, fm = "minres") (optimiser precision) and from
#    principal-axis iteration to a 1e-14 fixed point (the same ULS
#    solution, exactly); also psych::omega's omega.tot (1 - sum psi /
#    sum(R), a different denominator) for the record.
# ---------------------------------------------------------------------------
paf1 <- function(R) {
  h2 <- 1 - 1 / diag(solve(R))
  for (it in 1:100000) {
    Rr <- R; diag(Rr) <- h2
    e <- eigen(Rr, symmetric = TRUE)
    l <- e$vectors[, 1] * sqrt(e$values[1])
    new <- l^2
    if (max(abs(new - h2)) < 1e-14) break
    h2 <- new
  }
  if (sum(l) < 0) l <- -l
  list(loadings = l, psi = 1 - l^2, iterations = it)
}
for (set in list(list("oracle", oracle_items), list("items", items))) {
  R <- cor(set[[2]])
  f <- psych::fa(R, nfactors = 1, fm = "minres", n.obs = nrow(set[[2]]))
  l <- as.vector(f$loadings); if (sum(l) < 0) l <- -l
  psi <- as.vector(f$uniquenesses)
  out(sprintf("omega.%s.fa_loadings", set[[1]]), l)
  out(sprintf("omega.%s.fa_omega", set[[1]]), sum(l)^2 / (sum(l)^2 + sum(psi)))
  p <- paf1(R)
  out(sprintf("omega.%s.paf_loadings", set[[1]]), p$loadings)
  out(sprintf("omega.%s.paf_omega", set[[1]]), sum(p$loadings)^2 / (sum(p$loadings)^2 + sum(p$psi)))
  om <- suppressWarnings(suppressMessages(psych::omega(set[[2]], nfactors = 1, plot = FALSE)))
  out(sprintf("omega.%s.psych_omega_tot", set[[1]]), om$omega.tot)
}
