"""The DuckDB peer of `traineval build`: every CSV input converted to Parquet, the way
an analyst would turn a folder of exports into Parquet with DuckDB.

    python3 benches/peers/duckdb_convert.py DATA_DIR OUT_DIR

For every `*.csv` in DATA_DIR (sorted by name), one after another in one process and
one connection: `COPY (SELECT * FROM read_csv_auto(...)) TO 'OUT_DIR/<stem>.parquet'
(FORMAT parquet)`, DuckDB's defaults otherwise (type sniffing, snappy, its own threads).
It does what `build` does not have to (type inference) and none of what it does
(validation, rejects, ids, the wide→long melt of surveys and ratings, partitions, the
joined table), so it is a floor for reading and writing the same bytes, not a like-for-like
build.

Prints one line per file (`<name> <rows> <seconds>`) and, last, one JSON line:
{"import_s": …, "convert_s": …, "files": …, "rows": …}.
"""

from __future__ import annotations

import json
import os
import sys
import time

T0 = time.perf_counter()
import duckdb  # noqa: E402


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    csvs = sorted(f for f in os.listdir(data) if f.endswith(".csv"))
    con = duckdb.connect()
    imported = time.perf_counter()
    total_rows = 0
    converting = 0.0
    for name in csvs:
        start = time.perf_counter()
        src = os.path.join(data, name)
        dst = os.path.join(out, name[: -len(".csv")] + ".parquet")
        con.execute(f"COPY (SELECT * FROM read_csv_auto({sql_str(src)})) TO {sql_str(dst)} (FORMAT parquet)")
        took = time.perf_counter() - start
        # The footer's row count, read after the clock stopped.
        n = con.execute(f"SELECT num_rows FROM parquet_file_metadata({sql_str(dst)})").fetchone()[0]
        total_rows += n
        converting += took
        print(f"{name} {n} {took:.2f}", flush=True)
    print(
        json.dumps(
            {
                "import_s": round(imported - T0, 3),
                "convert_s": round(converting, 3),
                "files": len(csvs),
                "rows": total_rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
