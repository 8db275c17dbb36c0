"""What both peers share: the finishing formulas that an analyst takes from scipy, and
the output files the benchmark compares against traineval.

A peer is run as `python3 PEER.py DATA_DIR OUT_DIR`: it reads the canonical CSVs in
DATA_DIR (SPEC App. A), writes OUT_DIR/learning_by_class.parquet and
OUT_DIR/reaction_by_course.parquet, and prints one JSON line with its own timings
(`import_s`, `compute_s`) so the benchmark can tell interpreter start-up from work.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

# Columns the benchmark checks (SPEC App. B), in the order the peers write them.
LEARNING_COLUMNS = [
    "class_id", "n_pairs", "pre_mean", "post_mean", "mean_diff", "sd_diff", "t", "df",
    "p_value", "d_z", "hake_g", "share_improved",
]
REACTION_COLUMNS = [
    "class_id", "course_id", "n_raters", "relevance", "theory", "information", "delivery",
    "manner", "total_mean", "total_sd", "share_excellent",
]
INDICATORS = ["relevance", "theory", "information", "delivery", "manner"]
OUTCOME_SCALE = "competence"
SCORE_MAX = 100.0
EXCELLENT = 90.0  # 90 % of 5 × 20 points


def finish_learning(table: pa.Table) -> pa.Table:
    """Add the paired-t p-value (two-sided, scipy's t distribution) to a table that
    already has n_pairs, t and df, and put the columns in the checked order."""
    t = table.column("t").to_numpy(zero_copy_only=False).astype(float)
    df = table.column("df").to_numpy(zero_copy_only=False).astype(float)
    with np.errstate(invalid="ignore"):
        p = 2.0 * stats.t.sf(np.abs(t), df)
    p_arr = pa.array(p, mask=np.isnan(p), type=pa.float64())
    table = table.append_column("p_value", p_arr)
    return table.select(LEARNING_COLUMNS)


def write(table: pa.Table, path: str) -> None:
    pq.write_table(table, path, compression="zstd")


def report(t_start: float, t_imported: float, t_done: float, **extra) -> None:
    print(json.dumps({"import_s": t_imported - t_start, "compute_s": t_done - t_imported, **extra}))
    sys.stdout.flush()


def now() -> float:
    return time.perf_counter()
