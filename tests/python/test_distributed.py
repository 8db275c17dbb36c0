"""benches/distributed_learning.sql — learning_by_class as a distributed aggregation over
the hive-partitioned warehouse — gives traineval's numbers, in DuckDB and (when the
`datafusion` package is installed) in DataFusion, reading the warehouse as it is.

The warehouse and indicators are those of the sample run
(`traineval build pipelines/sample.toml && traineval indicators pipelines/sample.toml`),
written to a temporary directory instead of `out/`, and of the hand-made input set of
the Rust tests (`tests/data/handmade`, which has a suppressed class). The binary is `$TRAINEVAL_BIN`,
else `cargo build --release`'s (honouring CARGO_TARGET_DIR).

    python3 -m pytest tests/python
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL = (ROOT / "benches" / "distributed_learning.sql").read_text()
CHECKED = ["pre_mean", "post_mean", "mean_diff", "sd_diff", "t", "df", "d_z", "hake_g", "share_improved"]


def binary() -> Path:
    if os.environ.get("TRAINEVAL_BIN"):
        return Path(os.environ["TRAINEVAL_BIN"])
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, check=True, capture_output=True
        ).stdout
    )
    return Path(meta["target_directory"]) / "release" / "traineval"


# The sample run, and the hand-made warehouse of the Rust tests, which has a class of 3
# trainees (K10) that learning_by_class suppresses.
INPUTS = {"sample": "pipelines/sample.toml", "handmade": "tests/data/handmade"}


@pytest.fixture(scope="module", params=sorted(INPUTS))
def sample_out(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "out"
    exe = str(binary())
    pipeline = str(ROOT / INPUTS[request.param])
    for stage in ["build", "indicators"]:
        subprocess.run([exe, "-q", stage, pipeline, "--out", str(out)], check=True)
    return out


def expected(out: Path) -> list[dict]:
    return pq.read_table(
        out / "indicators" / "learning_by_class.parquet", columns=["class_id", "n_pairs", *CHECKED, "suppressed"]
    ).to_pylist()


def assert_same(got: list[dict], want: list[dict]) -> None:
    assert [r["class_id"] for r in got] == [r["class_id"] for r in want], "one row per class, in class order"
    for g, w in zip(got, want):
        assert g["n_pairs"] == w["n_pairs"], g["class_id"]
        assert bool(g["suppressed"]) == bool(w["suppressed"]), g["class_id"]
        for c in CHECKED:
            a, b = g[c], w[c]
            if b is None:
                assert a is None, (g["class_id"], c, a)
            else:
                assert a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (g["class_id"], c, a, b)


def test_the_inputs_have_published_and_suppressed_classes(sample_out):
    rows = expected(sample_out)
    assert any(not r["suppressed"] for r in rows)
    if sample_out.parent.name.startswith("handmade"):
        assert [r["class_id"] for r in rows if r["suppressed"]] == ["K10"]


def test_duckdb_on_the_partitioned_warehouse(sample_out):
    duckdb = pytest.importorskip("duckdb")
    wh = sample_out / "warehouse"
    con = duckdb.connect()
    for table in ["scale_scores", "classes"]:
        files = str(wh / table / "*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}', hive_partitioning = true)")
    got = con.sql(SQL).to_arrow_table().to_pylist()
    assert_same(got, expected(sample_out))


def test_datafusion_on_the_partitioned_warehouse(sample_out):
    datafusion = pytest.importorskip("datafusion")
    import pyarrow as pa

    wh = sample_out / "warehouse"
    ctx = datafusion.SessionContext()
    for table in ["scale_scores", "classes"]:
        ctx.register_parquet(table, str(wh / table) + "/", table_partition_cols=[("year", pa.int32())])
    got = ctx.sql(SQL).to_arrow_table().to_pylist()
    assert_same(got, expected(sample_out))


def test_the_query_uses_no_engine_specific_syntax():
    body = "\n".join(line.split("--", 1)[0] for line in SQL.splitlines())
    for pattern in [r"read_parquet", r"::", r"\bQUALIFY\b", r"GROUP BY ALL", r"\bEXCLUDE\b", r"\bPIVOT\b", r"\bLIMIT\b"]:
        assert not re.search(pattern, body, re.IGNORECASE), pattern
