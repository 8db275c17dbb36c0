"""The warehouse and the indicator tables read the same in pyarrow, DuckDB and polars.

For every table of the sample run: the three readers agree on the columns, the row count and
every value; types are what the data dictionary says (dates as DATE, `submitted_at` as a
timestamp, ids and categories as strings or dictionary-encoded strings); the manifest's row
counts equal the Parquet row counts; every warehouse column carries its `traineval:doc:<column>`
in the Parquet key-value metadata, equal to `traineval schema --format json`, and every
indicator column carries one too.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="python tests need pyarrow: pip install -r notebooks/requirements.txt")
ds = pytest.importorskip("pyarrow.dataset")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb", reason="python tests need duckdb: pip install -r notebooks/requirements.txt")
pl = pytest.importorskip("polars", reason="python tests need polars: pip install -r notebooks/requirements.txt")

from conftest import out_dir  # noqa: E402

# SPEC Appendix B: indicator tables and their columns, a public interface (every table also
# has `suppressed`). Tables may carry more columns; these must be there, in this order.
APPENDIX_B = {
    "learning_by_class": "class_id method target_category n_pairs pre_mean post_mean mean_diff sd_diff t df p_value "
    "ci_low ci_high d_z g_z d_av wilcoxon_v wilcoxon_p hake_g mean_individual_gain share_improved",
    "reaction_by_course": "class_id course_id teacher_id n_raters relevance theory information delivery manner "
    "total_mean total_sd ci_low ci_high share_excellent rank_in_class rank_in_year",
    "rater_agreement": "class_id n_courses n_raters icc1 icc2k leniency_sd",
    "reliability": "scale wave n k_items alpha",
    "transfer_by_class": "class_id n_trained n_followed attrition before_mean after_mean mean_delta t df p_value "
    "ci_low ci_high d_z control_n control_delta did did_ci_low did_ci_high",
    "method_summary": "method n_classes n_trainees mean_gain sd_gain ci_low ci_high",
    "method_tests": "test statistic df1 df2 p_value effect n",
    "method_pairwise": "method_a method_b diff se t p_raw p_holm p_bh",
    "compliance": "cadre_id year category rule days_trained hours_trained days_required shortfall_days "
    "makeup_required rotation_overdue repeated_topics attendance_rate leave_over_limit discipline_flags",
    "needs_match": "class_id n_respondents topics_requested topics_taught coverage unmet_topics",
    "unit_results": "unit_id period metric share_trained value_before value_after change",
    "cadre_scorecard": "cadre_id period category learning_z assessment_z transfer_z compliance_score index "
    "percentile_in_category band",
}

# Columns whose types the issue names explicitly, checked even if the dictionary drifted.
DATE_COLUMNS = {
    "cadres": ["join_date", "promoted_on"],
    "classes": ["start_date", "end_date"],
    "reviews": ["review_date"],
}
TIMESTAMP_COLUMNS = {"survey_responses": ["submitted_at"]}

OUT = out_dir()
WAREHOUSE_DIRS = sorted(p.name for p in (OUT / "warehouse").iterdir() if p.is_dir() and not p.name.startswith("_")) \
    if (OUT / "warehouse").is_dir() else []
PARTITIONED = [n for n in WAREHOUSE_DIRS if any(p.name.startswith("year=") for p in (OUT / "warehouse" / n).iterdir())]
INDICATOR_FILES = sorted(p.stem for p in (OUT / "indicators").glob("*.parquet")) \
    if (OUT / "indicators").is_dir() else []


# ---------------------------------------------------------------- the three readers

def source(out: Path, kind: str, name: str) -> Path:
    return out / "warehouse" / name if kind == "warehouse" else out / "indicators" / f"{name}.parquet"


def glob_of(path: Path) -> str:
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)


def read_pyarrow(path: Path) -> pa.Table:
    return ds.dataset(str(path), format="parquet", partitioning="hive").to_table()


def read_duckdb(path: Path):
    con = duckdb.connect()
    try:
        rel = con.sql(f"SELECT * FROM read_parquet('{glob_of(path).replace(chr(39), chr(39) * 2)}', hive_partitioning = true)")
        return list(rel.columns), [str(t) for t in rel.types], rel.fetchall()
    finally:
        con.close()


def read_polars(path: Path) -> pl.DataFrame:
    return pl.scan_parquet(glob_of(path), hive_partitioning=True).collect()


def canonical(value):
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def sorted_rows(rows):
    rows = [tuple(canonical(v) for v in r) for r in rows]
    return sorted(rows, key=lambda r: tuple((1, 0) if v is None else (0, v) for v in r))


@pytest.fixture(scope="module")
def read_all():
    """(kind, name) -> the table through the three readers, rows in one column order."""
    cache = {}

    def get(out: Path, kind: str, name: str):
        if (kind, name) not in cache:
            path = source(out, kind, name)
            table = read_pyarrow(path)
            columns = table.column_names
            d_cols, d_types, d_rows = read_duckdb(path)
            frame = read_polars(path)
            assert sorted(d_cols) == sorted(columns), f"{name}: DuckDB columns {d_cols} vs pyarrow {columns}"
            assert sorted(frame.columns) == sorted(columns), f"{name}: polars columns {frame.columns} vs pyarrow {columns}"
            d_index = [d_cols.index(c) for c in columns]
            cache[(kind, name)] = {
                "columns": columns,
                "pyarrow": table,
                "duckdb_types": dict(zip(d_cols, d_types)),
                "polars": frame,
                "rows": {
                    "pyarrow": list(zip(*[table.column(c).to_pylist() for c in columns])) if columns else [],
                    "duckdb": [tuple(r[i] for i in d_index) for r in d_rows],
                    "polars": frame.select(columns).rows(),
                },
            }
        return cache[(kind, name)]

    return get


# ---------------------------------------------------------------- type predicates

def pa_is(dtype: str, t: pa.DataType) -> bool:
    if dtype == "str":
        if pa.types.is_dictionary(t):
            t = t.value_type
        return pa.types.is_string(t) or pa.types.is_large_string(t) or (
            hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t))
    if dtype == "int":
        return t == pa.int64()
    if dtype == "float":
        return t == pa.float64()
    if dtype == "bool":
        return t == pa.bool_()
    if dtype == "date":
        return t == pa.date32()
    if dtype == "datetime":
        return pa.types.is_timestamp(t) and t.unit == "ms" and t.tz is None
    raise AssertionError(f"unknown dictionary type {dtype!r}")


def duckdb_is(dtype: str, t: str) -> bool:
    return {
        "str": t == "VARCHAR" or t.startswith("ENUM"),
        "int": t == "BIGINT",
        "float": t == "DOUBLE",
        "bool": t == "BOOLEAN",
        "date": t == "DATE",
        "datetime": t in ("TIMESTAMP", "TIMESTAMP_MS"),
    }[dtype]


def polars_is(dtype: str, t) -> bool:
    return {
        "str": t in (pl.String, pl.Categorical) or isinstance(t, (pl.Categorical, pl.Enum)),
        "int": t == pl.Int64,
        "float": t == pl.Float64,
        "bool": t == pl.Boolean,
        "date": t == pl.Date,
        "datetime": isinstance(t, pl.Datetime) and t.time_zone is None,
    }[dtype]


def check_types(entry: dict, name: str, dtypes: dict[str, str]) -> None:
    schema = entry["pyarrow"].schema
    for column, dtype in dtypes.items():
        assert pa_is(dtype, schema.field(column).type), f"{name}.{column}: pyarrow {schema.field(column).type}, want {dtype}"
        assert duckdb_is(dtype, entry["duckdb_types"][column]), \
            f"{name}.{column}: DuckDB {entry['duckdb_types'][column]}, want {dtype}"
        assert polars_is(dtype, entry["polars"].schema[column]), \
            f"{name}.{column}: polars {entry['polars'].schema[column]}, want {dtype}"


# ---------------------------------------------------------------- warehouse

def test_every_dictionary_table_is_in_the_warehouse(out, schema):
    tables = set(schema["warehouse"])
    on_disk = set(WAREHOUSE_DIRS)
    assert tables - on_disk == set(), f"tables of the dictionary missing from {out / 'warehouse'}"
    assert on_disk - tables == set(), f"directories of {out / 'warehouse'} that the dictionary does not describe"


@pytest.mark.parametrize("name", WAREHOUSE_DIRS)
def test_warehouse_table_reads_the_same_everywhere(out, schema, manifest, read_all, name):
    entry = read_all(out, "warehouse", name)
    definition = schema["warehouse"][name]
    expected = [c["name"] for c in definition["columns"]] + (["year"] if definition.get("partition") else [])
    assert sorted(entry["columns"]) == sorted(expected), f"{name}: columns {entry['columns']}, dictionary {expected}"

    rows = entry["rows"]
    n = entry["pyarrow"].num_rows
    assert len(rows["duckdb"]) == n and entry["polars"].height == n, \
        f"{name}: rows pyarrow {n}, DuckDB {len(rows['duckdb'])}, polars {entry['polars'].height}"
    assert n > 0, f"{name}: the sample run wrote no rows"
    reference = sorted_rows(rows["pyarrow"])
    assert sorted_rows(rows["duckdb"]) == reference, f"{name}: DuckDB values differ from pyarrow"
    assert sorted_rows(rows["polars"]) == reference, f"{name}: polars values differ from pyarrow"

    counts = manifest.get("warehouse", {})
    if name in counts:
        assert counts[name] == n, f"{name}: _manifest.json says {counts[name]} rows, the Parquet files hold {n}"
    else:
        assert name == "trainee_outcomes", f"{name}: no row count in _manifest.json `warehouse`"

    check_types(entry, name, {c["name"]: c["dtype"] for c in definition["columns"]})
    if definition.get("partition"):
        for reader, t in [("pyarrow", str(entry["pyarrow"].schema.field("year").type)),
                          ("duckdb", entry["duckdb_types"]["year"]), ("polars", str(entry["polars"].schema["year"]))]:
            assert "int" in t.lower(), f"{name}.year (hive partition) read by {reader} as {t}, want an integer"


@pytest.mark.parametrize("name", WAREHOUSE_DIRS)
def test_dates_timestamps_and_ids(out, read_all, name):
    entry = read_all(out, "warehouse", name)
    explicit = {c: "date" for c in DATE_COLUMNS.get(name, [])}
    explicit |= {c: "datetime" for c in TIMESTAMP_COLUMNS.get(name, [])}
    explicit |= {c: "str" for c in entry["columns"] if c.endswith("_id")}
    check_types(entry, name, explicit)
    for column in DATE_COLUMNS.get(name, []):
        values = [v for v in entry["pyarrow"].column(column).to_pylist() if v is not None]
        assert all(type(v) is dt.date for v in values), f"{name}.{column}: not datetime.date values"
        assert all(1900 <= v.year <= 2100 for v in values), f"{name}.{column}: implausible dates"


@pytest.mark.parametrize("name", PARTITIONED)
def test_partitions_match_the_dates(out, read_all, name):
    """`year=` of every row is the year of its own date or of its class's start date."""
    frame = read_all(out, "warehouse", name)["polars"]
    if name == "classes":
        bad = frame.filter(pl.col("year") != pl.col("start_date").dt.year())
    elif name == "reviews":
        bad = frame.filter(pl.col("year") != pl.col("review_date").dt.year())
    else:
        starts = read_all(out, "warehouse", "classes")["polars"].select("class_id", start=pl.col("start_date").dt.year())
        bad = frame.join(starts, on="class_id", how="left").filter(pl.col("year") != pl.col("start"))
    assert bad.height == 0, f"{name}: {bad.height} rows in the wrong year= partition"


@pytest.mark.parametrize("name", WAREHOUSE_DIRS)
def test_column_docs_in_parquet_metadata(out, schema, name):
    definition = schema["warehouse"][name]
    docs = {c["name"]: c["doc"] for c in definition["columns"]}
    files = sorted((out / "warehouse" / name).rglob("*.parquet"))
    assert files, f"{name}: no Parquet files"
    for f in files:
        meta = {k.decode(): v.decode() for k, v in (pq.read_metadata(f).metadata or {}).items()}
        assert meta.get("traineval:table") == name, f"{f}: traineval:table = {meta.get('traineval:table')!r}"
        assert meta.get("traineval:grain") == definition["grain"], f"{f}: traineval:grain differs from the dictionary"
        found = {k.removeprefix("traineval:doc:"): v for k, v in meta.items() if k.startswith("traineval:doc:")}
        assert found == docs, f"{f}: traineval:doc:* differ from `traineval schema` " \
                              f"(missing {sorted(set(docs) - set(found))}, extra {sorted(set(found) - set(docs))})"
    # The other readers see the same metadata.
    con = duckdb.connect()
    try:
        kv = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
              for k, v in con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [str(files[0])]).fetchall()}
    finally:
        con.close()
    assert all(kv.get(f"traineval:doc:{c}") == d for c, d in docs.items()), f"{files[0]}: DuckDB sees other docs"
    if hasattr(pl, "read_parquet_metadata"):
        meta = pl.read_parquet_metadata(files[0])
        assert all(meta.get(f"traineval:doc:{c}") == d for c, d in docs.items()), f"{files[0]}: polars sees other docs"


def test_manifest_counts(out, manifest):
    tables = manifest["tables"]
    for name, t in tables.items():
        assert t["read"] == t["accepted"] + t["rejected"] + t["superseded"], f"_manifest.json tables.{name}: read ≠ sum"
    path = out / "warehouse" / "_rejects" / "rejects.parquet"
    n_pa = pq.read_table(path).num_rows
    con = duckdb.connect()
    try:
        n_duck = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()[0][0]
    finally:
        con.close()
    n_pl = pl.scan_parquet(str(path)).select(pl.len()).collect().item()
    assert n_pa == n_duck == n_pl == sum(t["rejected"] for t in tables.values()), \
        "rejects.parquet rows differ between readers or from the manifest's rejected counts"


# ---------------------------------------------------------------- indicators

def test_indicator_tables_exist(out):
    if not (out / "indicators").is_dir():
        pytest.skip(f"{out / 'indicators'} not written (the sample run had no indicators stage)")
    missing = sorted(set(APPENDIX_B) - set(INDICATOR_FILES))
    assert not missing, f"Appendix B tables missing from {out / 'indicators'}: {missing}"


@pytest.mark.parametrize("name", INDICATOR_FILES)
def test_indicator_table_reads_the_same_everywhere(out, schema, read_all, name):
    entry = read_all(out, "indicators", name)
    rows = entry["rows"]
    n = entry["pyarrow"].num_rows
    assert len(rows["duckdb"]) == n and entry["polars"].height == n, \
        f"{name}: rows pyarrow {n}, DuckDB {len(rows['duckdb'])}, polars {entry['polars'].height}"
    reference = sorted_rows(rows["pyarrow"])
    assert sorted_rows(rows["duckdb"]) == reference, f"{name}: DuckDB values differ from pyarrow"
    assert sorted_rows(rows["polars"]) == reference, f"{name}: polars values differ from pyarrow"

    columns = entry["columns"]
    if name in APPENDIX_B:
        wanted = APPENDIX_B[name].split() + ["suppressed"]
        missing = [c for c in wanted if c not in columns]
        assert not missing, f"{name}: Appendix B columns missing: {missing}"
        present = [c for c in columns if c in wanted]
        assert present == wanted, f"{name}: Appendix B columns out of order: {present}"
    assert "suppressed" in columns, f"{name}: no `suppressed` column"
    explicit = {"suppressed": "bool"} | {c: "str" for c in columns if c.endswith("_id") or c in ("method", "category")}
    definition = schema["indicators"].get(name)
    if definition:
        assert columns == [c["name"] for c in definition["columns"]], f"{name}: columns differ from `traineval schema`"
        explicit |= {c["name"]: c["dtype"] for c in definition["columns"]}
    check_types(entry, name, explicit)


@pytest.mark.parametrize("name", INDICATOR_FILES)
def test_indicator_column_docs_in_parquet_metadata(out, name):
    path = out / "indicators" / f"{name}.parquet"
    meta = {k.decode(): v.decode() for k, v in (pq.read_metadata(path).metadata or {}).items()}
    columns = pq.read_schema(path).names
    assert meta.get("traineval:table") == name, f"{path}: traineval:table = {meta.get('traineval:table')!r}"
    assert meta.get("traineval:grain"), f"{path}: no traineval:grain"
    missing = [c for c in columns if not meta.get(f"traineval:doc:{c}")]
    extra = [k for k in meta if k.startswith("traineval:doc:") and k.removeprefix("traineval:doc:") not in columns]
    assert not missing and not extra, f"{path}: columns without traineval:doc {missing}, docs of no column {extra}"


# The long tables as another tool might rewrite them: ids as Arrow dictionaries
# (categoricals), as large strings, and with dictionary pages so small that the writer
# falls back to plain pages part-way through a column chunk. `indicators` streams these
# tables with its own Parquet column reading, so each variant must give the same tables.
STREAMED = ["reaction_by_course", "reaction_by_class", "rater_agreement", "reliability"]


def _rewrite(path: Path, variant: str) -> None:
    t = pq.read_table(path)
    cols = []
    for f, c in zip(t.schema, t.columns):
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            c = c.dictionary_encode() if variant == "categorical" else c.cast(pa.large_string())
        cols.append(c)
    t = pa.table(cols, names=t.column_names)
    kw = {"dictionary_pagesize_limit": 64, "data_page_size": 256} if variant == "fallback" else {}
    pq.write_table(t, path, row_group_size=max(1, t.num_rows // 3), **kw)


@pytest.mark.parametrize("variant", ["categorical", "fallback"])
def test_long_tables_rewritten_by_pyarrow_give_the_same_indicators(tmp_path, variant):
    import shutil
    import subprocess

    from conftest import traineval_bin

    binary = traineval_bin()
    if binary is None:
        pytest.skip("no traineval binary")
    src = out_dir()
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "out"
    shutil.copytree(src / "warehouse", out / "warehouse")
    rewritten = 0
    for table in ["course_ratings", "survey_responses"]:
        for f in sorted((out / "warehouse" / table).rglob("*.parquet")):
            _rewrite(f, variant)
            rewritten += 1
    assert rewritten >= 2
    r = subprocess.run([binary, "-q", "indicators", str(root / "pipelines" / "sample.toml"), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name in STREAMED:
        want = pl.read_parquet(src / "indicators" / f"{name}.parquet")
        got = pl.read_parquet(out / "indicators" / f"{name}.parquet")
        assert got.equals(want), name
