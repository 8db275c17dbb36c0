"""benches/distributed_learning.sql — learning_by_class as a distributed aggregation over
the hive-partitioned warehouse — gives traineval's numbers, in DuckDB and (when the
`datafusion` package is installed) in DataFusion, reading the warehouse as it is.

Two warehouses: the sample run's `out/` (written by `tests/python/run.sh`, or
TRAINEVAL_OUT; see conftest.py), and the hand-made input set of the Rust tests
(`tests/data/handmade`, which has a class of 3 trainees that is withheld, and one
withheld with it by complementary suppression), built here
into a temporary directory with the release binary.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet", reason="python tests need pyarrow: pip install -r notebooks/requirements.txt")

from conftest import ROOT, traineval_bin  # noqa: E402

SQL = (ROOT / "benches" / "distributed_learning.sql").read_text(encoding="utf-8")
CHECKED = ["pre_mean", "post_mean", "mean_diff", "sd_diff", "t", "df", "d_z", "hake_g", "share_improved"]


@pytest.fixture(scope="module")
def handmade_out(tmp_path_factory) -> Path:
    binary = traineval_bin()
    if binary is None:
        pytest.fail("traineval binary not found: build it (`cargo build --release`) or set TRAINEVAL_BIN")
    out = tmp_path_factory.mktemp("handmade") / "out"
    for stage in ["build", "indicators"]:
        subprocess.run([binary, "-q", stage, str(ROOT / "tests" / "data" / "handmade"), "--out", str(out)], check=True)
    return out


@pytest.fixture(params=["sample", "handmade"])
def run_out(request) -> Path:
    return request.getfixturevalue("out" if request.param == "sample" else "handmade_out")


def expected(out: Path) -> list[dict]:
    return pq.read_table(
        out / "indicators" / "learning_by_class.parquet",
        columns=["class_id", "n_pairs", *CHECKED, "suppression", "suppressed"],
    ).to_pylist()


def assert_same(got: list[dict], want: list[dict]) -> None:
    """Equal rows, but for traineval's complementary suppression (decided over the margins
    after the aggregation): such a row is published by the plain query, with ≥ 5 pairs."""
    assert [r["class_id"] for r in got] == [r["class_id"] for r in want], "one row per class, in class order"
    for g, w in zip(got, want):
        if w["suppression"] == "secondary":
            assert not g["suppressed"] and g["n_pairs"] >= 5, g["class_id"]
            continue
        assert g["n_pairs"] == w["n_pairs"], g["class_id"]
        assert bool(g["suppressed"]) == bool(w["suppressed"]), g["class_id"]
        for c in CHECKED:
            a, b = g[c], w[c]
            if b is None:
                assert a is None, (g["class_id"], c, a)
            else:
                assert a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (g["class_id"], c, a, b)


def test_the_inputs_have_published_and_suppressed_classes(run_out):
    rows = expected(run_out)
    assert any(not r["suppressed"] for r in rows)
    if "handmade" in run_out.parent.name:
        # K10 (3 trainees), and C04, the smallest other class of its method, with it.
        assert [(r["class_id"], r["suppression"]) for r in rows if r["suppressed"]] == [
            ("C04", "secondary"),
            ("K10", "primary"),
        ]


def test_duckdb_on_the_partitioned_warehouse(run_out):
    duckdb = pytest.importorskip("duckdb")
    wh = run_out / "warehouse"
    con = duckdb.connect()
    for table in ["scale_scores", "classes"]:
        files = str(wh / table / "*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}', hive_partitioning = true)")
    got = con.sql(SQL).to_arrow_table().to_pylist()
    assert_same(got, expected(run_out))


def test_datafusion_on_the_partitioned_warehouse(run_out):
    datafusion = pytest.importorskip("datafusion")
    import pyarrow as pa

    wh = run_out / "warehouse"
    ctx = datafusion.SessionContext()
    for table in ["scale_scores", "classes"]:
        ctx.register_parquet(table, str(wh / table) + "/", table_partition_cols=[("year", pa.int32())])
    got = ctx.sql(SQL).to_arrow_table().to_pylist()
    assert_same(got, expected(run_out))


def test_the_query_uses_no_engine_specific_syntax():
    body = "\n".join(line.split("--", 1)[0] for line in SQL.splitlines())
    for pattern in [r"read_parquet", r"::", r"\bQUALIFY\b", r"GROUP BY ALL", r"\bEXCLUDE\b", r"\bPIVOT\b", r"\bLIMIT\b"]:
        assert not re.search(pattern, body, re.IGNORECASE), pattern
