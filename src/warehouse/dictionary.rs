//! The data dictionary (`traineval schema`, `docs/warehouse.md`), generated from the
//! table definitions in `schema` so that it cannot drift from what is written.

use std::fmt::Write;

use crate::schema::{TableDef, TABLES};

/// Markdown data dictionary of every warehouse table and column.
pub fn markdown() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Warehouse data dictionary\n");
    let _ = writeln!(
        s,
        "Generated from `src/schema.rs` by `traineval schema`; do not edit by hand \
         (a test checks that this file matches the code).\n"
    );
    let _ = writeln!(
        s,
        "The warehouse is a directory of Parquet files under `OUT/warehouse/`: one directory \
         per table, hive-partitioned as `<table>/year=YYYY/part-<input>.parquet` where the table has \
         a date (readers see a `year` column), else `<table>/part-<input>.parquet`; read a table as the whole directory. Each file carries \
         the column meanings below in its key-value metadata (`traineval:doc:<column>`). \
         Beside the tables: `_manifest.json` (schema version, input files with SHA-256, rows \
         read/accepted/rejected/superseded/written per input) and `_rejects/rejects.parquet` \
         (+ `.csv`) with one row per rejected source row: table, file, row (1-based source \
         line; CSV header = 1), column, value, reason, message.\n"
    );
    let _ = writeln!(s, "Types: `str` UTF-8 string, `int` 64-bit integer, `float` 64-bit float, `bool`, `date` (Parquet DATE), `datetime` (timestamp, milliseconds, no time zone).\n");
    let _ = writeln!(
        s,
        "## Several years\n\n\
         The warehouse holds every year it is given: `build` of inputs that cover several years \
         writes them all, each as the `year=YYYY` partitions of the dated tables (classes and what \
         hangs on a class — courses, enrollments, surveys, scale scores, ratings, \
         `trainee_outcomes` — by the year the class starts; reviews by the year of the review). \
         `build --replace-year Y` adds or replaces one year and keeps the others: the inputs are \
         validated as for any build, their rows of year Y replace the `year=Y` partitions, every \
         other partition is kept file for file (same bytes), master data (`units`, `cadres`, \
         `items`) is taken from the new inputs — it describes cadres and units as they are now, so \
         the new inputs must hold every cadre and unit the kept years refer to — `unit_outcomes` \
         keeps the rows of other periods and takes the new rows of period Y, and \
         `trainee_outcomes` is joined again over all years (a kept year's review after the class \
         may be a review of year Y). `_rejects/` holds the rejects of the latest build's inputs. \
         The result is swapped in atomically like any build (a kill at any moment leaves the \
         previous warehouse or the new one, whole). `_manifest.json` records under `years` every \
         year held: `build` (the first 16 hex digits of SHA-256 over the inputs of the build that \
         wrote it: paths, tables, hashes), `how` (`full` or `replace-year`), that build's \
         `inputs` (path, sha256, table, rows) and the year's `rows` per table; its `inputs`, \
         `tables` and `warnings` are the latest build's.\n"
    );
    for t in TABLES {
        table_md(&mut s, t);
    }
    s
}

fn table_md(s: &mut String, t: &TableDef) {
    let _ = writeln!(s, "## `{}`\n", t.name);
    let _ = writeln!(s, "Grain: {}.  ", t.grain);
    let _ = writeln!(
        s,
        "Partitioned by: {}.\n",
        t.partition.map(|p| format!("`year` = {p}")).unwrap_or_else(|| "—".into())
    );
    let _ = writeln!(s, "| column | type | meaning |\n|---|---|---|");
    for c in t.columns {
        let ty = serde_json::to_value(c.dtype).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let _ = writeln!(s, "| `{}` | {} | {} |", c.name, ty, c.doc.replace('|', "\\|"));
    }
    let _ = writeln!(s);
}

/// The same dictionary as JSON.
pub fn json() -> String {
    serde_json::to_string_pretty(TABLES).unwrap_or_default()
}
