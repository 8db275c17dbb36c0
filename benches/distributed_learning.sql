-- learning_by_class (SPEC App. B) from the warehouse, as a distributed aggregation.
--
-- Plain SQL that runs unchanged in DuckDB, DataFusion and Spark SQL. It expects two
-- tables (views) over the hive-partitioned warehouse, read as it is:
--   scale_scores  = OUT/warehouse/scale_scores/   (year=YYYY/part-*.parquet)
--   classes       = OUT/warehouse/classes/        (year=YYYY/part-*.parquet)
-- e.g. DuckDB:  CREATE VIEW scale_scores AS SELECT * FROM read_parquet(
--                 'OUT/warehouse/scale_scores/*/*.parquet', hive_partitioning = true);
--      Spark:   spark.read.parquet("OUT/warehouse/scale_scores")
--                 .createOrReplaceTempView("scale_scores")
-- (docs/scale.md has the wrappers; tests/python/test_distributed.py runs this file.)
--
-- Columns: class_id, n_pairs, pre_mean, post_mean, mean_diff, sd_diff, t, df, d_z,
-- hake_g, share_improved, suppressed — equal to traineval's learning_by_class on every
-- row but those traineval withholds by complementary suppression: that rule decides
-- over the margins (a method's classes, the year's classes), so it runs after the
-- aggregation on the small per-class result, as traineval's own final step does.
-- p_value, ci_low and ci_high are per-row functions of (t, df) or (mean_diff, sd_diff,
-- n): plain SQL has no t distribution, so a finishing step (a UDF, scipy, or
-- traineval's stats) applies them to the result. Wilcoxon is not here: it is not a
-- function of these sums (docs/scale.md says what it needs).
--
-- Rows: the classes of the period, as in learning_by_class; here the latest year held
-- (the default period: for another, put its year in the last WHERE).
--
-- Outcome scale 'competence', score maximum 100, small-cell threshold 5 (the
-- defaults of `[instrument] outcome_scale`, Hake max, `[indicators] min_cell`).

WITH scores AS (
    SELECT year, class_id, cadre_id, wave, score
    FROM scale_scores
    WHERE scale = 'competence'
      AND wave IN ('pre', 'post')
      AND score IS NOT NULL
),

-- A pair: the same cadre scored at pre and at post in the same class. Both rows sit
-- in the same year= partition (the class's start year), so the join never crosses
-- partitions.
pairs AS (
    SELECT b.year,
           b.class_id,
           b.score AS pre_score,
           a.score AS post_score,
           a.score - b.score AS diff
    FROM scores b
    JOIN scores a
      ON a.year = b.year
     AND a.class_id = b.class_id
     AND a.cadre_id = b.cadre_id
    WHERE b.wave = 'pre'
      AND a.wave = 'post'
),

-- Map: sufficient statistics of each group within each partition. An engine may
-- compute these on any split of the rows (per file, per task); they add up.
partials AS (
    SELECT year,
           class_id,
           COUNT(*) AS n,
           SUM(pre_score) AS s_pre,
           SUM(post_score) AS s_post,
           SUM(diff) AS s_d,
           SUM(diff * diff) AS ss_d,
           SUM(CASE WHEN ROUND(diff, 9) > 0 THEN 1 ELSE 0 END) AS n_improved
    FROM pairs
    GROUP BY year, class_id
),

-- Reduce: merge the partials of a group by adding them.
merged AS (
    SELECT class_id,
           SUM(n) AS n,
           SUM(s_pre) AS s_pre,
           SUM(s_post) AS s_post,
           SUM(s_d) AS s_d,
           SUM(ss_d) AS ss_d,
           SUM(n_improved) AS n_improved
    FROM partials
    GROUP BY class_id
),

-- Finish: every statistic is a function of the merged sums.
moments AS (
    SELECT class_id,
           n,
           s_pre / n AS pre_mean,
           s_post / n AS post_mean,
           s_d / n AS mean_diff,
           CASE WHEN n > 1
                THEN SQRT(GREATEST(ss_d - s_d * s_d / n, 0.0) / (n - 1))
           END AS sd_diff,
           CAST(n_improved AS DOUBLE) / n AS share_improved
    FROM merged
),

finished AS (
    SELECT class_id,
           n,
           pre_mean,
           post_mean,
           mean_diff,
           sd_diff,
           CASE WHEN sd_diff > 0 THEN mean_diff / (sd_diff / SQRT(n)) END AS t,
           CASE WHEN n > 1 THEN CAST(n - 1 AS DOUBLE) END AS df,
           CASE WHEN sd_diff > 0 THEN mean_diff / sd_diff END AS d_z,
           CASE WHEN ROUND(pre_mean, 9) < 100
                THEN (post_mean - pre_mean) / (100 - pre_mean)
           END AS hake_g,
           share_improved
    FROM moments
)

-- Every class gets a row; cells of fewer than 5 pairs keep their key and withhold
-- every statistic and the count.
SELECT c.class_id,
       CASE WHEN f.n >= 5 THEN f.n END AS n_pairs,
       CASE WHEN f.n >= 5 THEN f.pre_mean END AS pre_mean,
       CASE WHEN f.n >= 5 THEN f.post_mean END AS post_mean,
       CASE WHEN f.n >= 5 THEN f.mean_diff END AS mean_diff,
       CASE WHEN f.n >= 5 THEN f.sd_diff END AS sd_diff,
       CASE WHEN f.n >= 5 THEN f.t END AS t,
       CASE WHEN f.n >= 5 THEN f.df END AS df,
       CASE WHEN f.n >= 5 THEN f.d_z END AS d_z,
       CASE WHEN f.n >= 5 THEN f.hake_g END AS hake_g,
       CASE WHEN f.n >= 5 THEN f.share_improved END AS share_improved,
       COALESCE(f.n, 0) < 5 AS suppressed
FROM classes c
LEFT JOIN finished f
  ON f.class_id = c.class_id
WHERE c.year = (SELECT MAX(year) FROM classes)
ORDER BY c.class_id
