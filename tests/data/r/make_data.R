# Generates the CSV inputs of the reference scripts in this directory.
# Fixed seeds; values rounded to 1 decimal so that R and Rust read the same
# doubles from the same text. Rerun only to change the data sets (and then
# rerun the reference scripts and update the baked numbers in src/stats).
#
#   Rscript make_data.R        (from tests/data/r/)

methods4 <- c("centralized", "case", "online", "scenario")
effect <- c(centralized = 0, case = 4, online = -2, scenario = 3)
cats <- c("A", "B", "C")
cat_eff <- c(A = 0, B = 2.5, C = -1.5)

# One class of `m` trainees: pre ~ N(60, 10), post = 18 + 0.72 pre + method +
# class + category + noise.
trainees <- function(class_id, method, m, class_sd = 4, noise_sd = 6) {
  u <- rnorm(1, 0, class_sd)
  pre <- round(rnorm(m, 60, 10), 1)
  category <- sample(cats, m, replace = TRUE)
  post <- round(18 + 0.72 * pre + effect[[method]] + u + cat_eff[category] +
                  rnorm(m, 0, noise_sd), 1)
  data.frame(class_id = class_id, method = method,
             trainee_id = sprintf("%s-%02d", class_id, seq_len(m)),
             category = category, pre = pre, post = post)
}

build <- function(plan) {
  rows <- list()
  for (i in seq_len(nrow(plan))) {
    rows[[i]] <- trainees(plan$class_id[i], plan$method[i], plan$size[i])
  }
  do.call(rbind, rows)
}

# (a) balanced: 4 methods x 4 classes x 12 trainees.
set.seed(20240601)
plan <- data.frame(method = rep(methods4, each = 4))
plan$class_id <- sprintf("B%02d", seq_len(nrow(plan)))
plan$size <- 12
write.csv(build(plan), "balanced.csv", row.names = FALSE, quote = FALSE)

# (b) a method with exactly 2 classes: centralized 4, case 3, online 2.
set.seed(20240602)
plan <- data.frame(method = c(rep("centralized", 4), rep("case", 3), rep("online", 2)))
plan$class_id <- sprintf("T%02d", seq_len(nrow(plan)))
plan$size <- sample(6:15, nrow(plan), replace = TRUE)
write.csv(build(plan), "two_classes.csv", row.names = FALSE, quote = FALSE)

# (c) unbalanced: methods with 2, 3, 5 and 7 classes, class sizes 3..40
# (both ends present).
set.seed(20240603)
plan <- data.frame(method = c(rep("centralized", 5), rep("case", 3),
                              rep("online", 7), rep("scenario", 2)))
plan$class_id <- sprintf("U%02d", seq_len(nrow(plan)))
plan$size <- sample(3:40, nrow(plan), replace = TRUE)
plan$size[c(2, 9)] <- c(3, 40)
write.csv(build(plan), "unbalanced.csv", row.names = FALSE, quote = FALSE)

# (d) event study / DiD: persons observed at reviews rel = -3..2 relative to
# their class (controls at the same dates), clustered by class (trained) or
# by control pool; one cluster of exactly 200 rows, two of a single row,
# clusters that hold trained and control persons alike.
set.seed(20240604)
clusters <- data.frame(
  cluster = sprintf("E%02d", 1:10),
  persons = c(40, 1, 5, 9, 14, 11, 8, 1, 6, 12),
  share_treated = c(1, 1, 1, 0.6, 0.5, 0, 0, 0, 0.4, 1))
rows <- list()
for (i in seq_len(nrow(clusters))) {
  u <- rnorm(1, 0, 3)
  for (p in seq_len(clusters$persons[i])) {
    treated <- as.integer(p <= round(clusters$persons[i] * clusters$share_treated[i]))
    a <- rnorm(1, 50, 6)
    rel <- -3:2
    keep <- runif(6) > 0.12
    y <- a + u + 1.2 * rel + treated * (2 + 3 * (rel >= 0)) + rnorm(6, 0, 2)
    rows[[length(rows) + 1]] <- data.frame(
      cluster = clusters$cluster[i],
      person = sprintf("%s-%02d", clusters$cluster[i], p),
      treated = treated, rel = rel, y = round(y, 1))[keep, ]
  }
}
ev <- do.call(rbind, rows)
# Exactly 200 rows in E01, one row in E02 and E08.
e1 <- which(ev$cluster == "E01")
ev <- ev[-e1[seq_len(length(e1) - 200)], ]
for (one in c("E02", "E08")) {
  w <- which(ev$cluster == one)
  if (length(w) > 1) ev <- ev[-w[-1], ]
}
write.csv(ev, "event.csv", row.names = FALSE, quote = FALSE)

# (e) raters: 30 targets x 5 raters, for the ICC intervals.
set.seed(20240605)
target <- rnorm(30, 0, 1.2)
rater <- c(0, 0.4, -0.3, 0.8, 0.1)
ratings <- round(outer(target, rater, "+") + 5 + matrix(rnorm(150, 0, 0.9), 30), 1)
colnames(ratings) <- sprintf("r%d", 1:5)
write.csv(ratings, "raters.csv", row.names = FALSE, quote = FALSE)

# (f) items: 120 respondents x 6 items of a one-factor scale (1..5), for
# alpha, its interval and omega.
set.seed(20240606)
f <- rnorm(120)
lambda <- c(0.8, 0.7, 0.75, 0.6, 0.5, 0.65)
items <- sapply(lambda, function(l) {
  z <- l * f + sqrt(1 - l^2) * rnorm(120)
  as.integer(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))
})
colnames(items) <- sprintf("i%d", 1:6)
write.csv(items, "items.csv", row.names = FALSE, quote = FALSE)
