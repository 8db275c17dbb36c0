"""The DuckDB peer: learning_by_class and reaction_by_course from the canonical CSVs,
written the way an analyst would in DuckDB SQL (read_csv, UNPIVOT, a join of pre and
post, GROUP BY), with the p-value of the paired t from scipy.

    python3 benches/peers/duckdb_peer.py DATA_DIR OUT_DIR

Rules followed (SPEC §4, App. A, App. C.3, C.5, C.8, C.9):
- latest `submitted_at` per (class, cadre) and wave wins;
- a scale score is 100 · mean of (x' − min)/(max − min) over the answered items of the
  outcome scale, x' = min + max − x for reverse-coded items; a respondent who answered
  fewer than half of the scale's items has no score;
- a pair = scored at pre and at post in the same class; differences post − pre;
  "improved" and "excellent" are judged on values rounded to 9 decimals;
- a course rating counts when all five indicators are scored; total = their sum.
The inputs are taken as clean (the benchmark generates them with `--dirty 0`): the
peer does not re-implement validation, which is `traineval build`'s work.
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()
import duckdb  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def scores_sql(data: str, wave: str) -> str:
    """One row per respondent of `survey_<wave>.csv`: class_id, cadre_id, score."""
    path = sql_str(os.path.join(data, f"survey_{wave}.csv"))
    w = sql_str(wave)
    return f"""
    WITH wave_items AS (
        SELECT * FROM items
        WHERE scale = {sql_str(common.OUTCOME_SCALE)} AND (wave IS NULL OR wave = {w})
    ),
    latest AS (
        SELECT * FROM read_csv({path}, header = true,
                               types = {{'class_id': 'VARCHAR', 'cadre_id': 'VARCHAR'}})
        QUALIFY row_number() OVER (PARTITION BY class_id, cadre_id
                                   ORDER BY submitted_at DESC) = 1
    ),
    answers AS (
        UNPIVOT latest
        ON COLUMNS(* EXCLUDE (class_id, cadre_id, submitted_at, duration_s))
        INTO NAME item_id VALUE value
    ),
    unit AS (
        SELECT a.class_id, a.cadre_id,
               ((CASE WHEN i.reverse THEN i.lo + i.hi - a.value ELSE a.value END) - i.lo)
                   / (i.hi - i.lo) AS u
        FROM answers a JOIN wave_items i USING (item_id)
    )
    SELECT class_id, cadre_id,
           CASE WHEN 2 * count(u) >= (SELECT count(*) FROM wave_items) AND count(u) > 0
                THEN 100 * avg(u) END AS score
    FROM unit
    GROUP BY class_id, cadre_id
    """


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    t_imported = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        CREATE TEMP TABLE items AS
        SELECT item_id, scale, NULLIF(wave, '') AS wave,
               CAST("min" AS DOUBLE) AS lo, CAST("max" AS DOUBLE) AS hi,
               CAST(reverse AS BOOLEAN) AS reverse
        FROM read_csv({sql_str(os.path.join(data, 'items.csv'))}, header = true, all_varchar = true)
        WHERE kind <> 'topics'
    """)
    con.execute(f"CREATE TEMP TABLE pre AS {scores_sql(data, 'pre')}")
    con.execute(f"CREATE TEMP TABLE post AS {scores_sql(data, 'post')}")
    learning = con.sql(f"""
        WITH pairs AS (
            SELECT class_id, p.score AS pre, q.score AS post, q.score - p.score AS d
            FROM pre p JOIN post q USING (class_id, cadre_id)
            WHERE p.score IS NOT NULL AND q.score IS NOT NULL
        ),
        g AS (
            SELECT class_id, count(*) AS n_pairs, avg(pre) AS pre_mean, avg(post) AS post_mean,
                   avg(d) AS mean_diff, stddev_samp(d) AS sd_diff,
                   avg(CASE WHEN round(d, 9) > 0 THEN 1.0 ELSE 0.0 END) AS share_improved
            FROM pairs GROUP BY class_id
        )
        SELECT class_id, n_pairs, pre_mean, post_mean, mean_diff, sd_diff,
               CASE WHEN sd_diff > 0 THEN mean_diff / (sd_diff / sqrt(n_pairs)) END AS t,
               CASE WHEN n_pairs > 1 THEN CAST(n_pairs - 1 AS DOUBLE) END AS df,
               CASE WHEN sd_diff > 0 THEN mean_diff / sd_diff END AS d_z,
               CASE WHEN round(pre_mean, 9) < {common.SCORE_MAX}
                    THEN (post_mean - pre_mean) / ({common.SCORE_MAX} - pre_mean) END AS hake_g,
               share_improved
        FROM g ORDER BY class_id
    """).to_arrow_table()
    common.write(common.finish_learning(learning), os.path.join(out, "learning_by_class.parquet"))

    ind = common.INDICATORS
    complete = " AND ".join(f"{c} IS NOT NULL" for c in ind)
    reaction = con.sql(f"""
        WITH r AS (
            SELECT class_id, course_id, {', '.join(ind)}, {' + '.join(ind)} AS total
            FROM read_csv({sql_str(os.path.join(data, 'course_ratings.csv'))}, header = true,
                          types = {{'class_id': 'VARCHAR', 'course_id': 'VARCHAR',
                                   'rater_id': 'VARCHAR'}})
            WHERE {complete}
        )
        SELECT class_id, course_id, count(*) AS n_raters,
               {', '.join(f'avg({c}) AS {c}' for c in ind)},
               avg(total) AS total_mean, stddev_samp(total) AS total_sd,
               avg(CASE WHEN round(total, 9) >= {common.EXCELLENT} THEN 1.0 ELSE 0.0 END)
                   AS share_excellent
        FROM r GROUP BY class_id, course_id ORDER BY class_id, course_id
    """).to_arrow_table()
    common.write(reaction.select(common.REACTION_COLUMNS), os.path.join(out, "reaction_by_course.parquet"))
    common.report(T0, t_imported, time.perf_counter(), engine="duckdb", version=duckdb.__version__)


if __name__ == "__main__":
    main()
