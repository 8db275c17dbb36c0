//! The Parquet warehouse: canonical schemas, streaming partitioned writes, the
//! manifest, `_rejects/`, and the atomic swap of a finished build into place.
//!
//! Layout under `OUT/warehouse/`: one directory per table (`<table>/part-<input>.parquet`,
//! or `<table>/year=YYYY/part-<input>.parquet` when the table has a date; one file per input
//! that feeds the table, so inputs are written in parallel), `_manifest.json`
//! and `_rejects/rejects.parquet` (+ `.csv`). Readable by polars, pyarrow, DuckDB and
//! Spark as plain hive-partitioned Parquet.
//! Guarantees: a build is written into a temporary directory under OUT and swapped in
//! with one atomic rename, so readers (and a killed build) see the old or the new
//! warehouse, never a mix; every byte except `run_at` is a function of the inputs.

pub mod dictionary;
pub mod join;
pub mod manifest;
pub mod pseudonym;
pub mod read;
pub mod schema;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::WarehouseError;
use crate::validate::{Reject, RowSink, Value};
use schema::table_def;
use write::TableWriter;

/// Directory name of the warehouse under OUT.
pub const WAREHOUSE_DIR: &str = "warehouse";
/// Directory name of the rejects under the warehouse.
pub const REJECTS_DIR: &str = "_rejects";
/// File name of the manifest.
pub const MANIFEST_FILE: &str = "_manifest.json";

/// A [`RowSink`] that writes every accepted row into the warehouse being built.
pub struct WarehouseSink {
    root: PathBuf,
    part: String,
    /// A handful of tables: a vector looked up by pointer first beats a map per row.
    writers: Vec<(&'static str, TableWriter)>,
}

impl WarehouseSink {
    /// A sink writing files named `part-<part>.parquet` under `root`.
    pub fn new(root: &Path, part: &str) -> Self {
        WarehouseSink { root: root.to_path_buf(), part: part.to_string(), writers: Vec::new() }
    }
}

/// A sink that is closed once its input is done.
pub trait FinishSink: RowSink + Send {
    /// Close every file; rows written per warehouse table.
    fn finish(self: Box<Self>) -> Result<BTreeMap<String, u64>, WarehouseError>;
}

impl FinishSink for WarehouseSink {
    fn finish(self: Box<Self>) -> Result<BTreeMap<String, u64>, WarehouseError> {
        let mut out = BTreeMap::new();
        for (name, w) in self.writers {
            *out.entry(name.to_string()).or_default() += w.finish()?;
        }
        Ok(out)
    }
}

impl FinishSink for CountingSink {
    fn finish(self: Box<Self>) -> Result<BTreeMap<String, u64>, WarehouseError> {
        Ok(self.rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

/// Give every unpartitioned table that received no row an empty file, so that readers
/// always find its schema.
pub fn write_empty_tables(root: &Path) -> Result<(), WarehouseError> {
    for def in schema::TABLES.iter().filter(|t| t.partition.is_none()) {
        if !root.join(def.name).exists() {
            TableWriter::new(def, root, "empty").finish()?;
        }
    }
    Ok(())
}

impl RowSink for WarehouseSink {
    fn push(&mut self, table: &'static str, year: Option<i32>, row: &[Value]) -> Result<(), WarehouseError> {
        let pos = self
            .writers
            .iter()
            .position(|(n, _)| std::ptr::eq(*n, table))
            .or_else(|| self.writers.iter().position(|(n, _)| *n == table));
        let i = match pos {
            Some(i) => i,
            None => {
                let def = table_def(table).ok_or_else(|| WarehouseError::frame(table, "not a warehouse table"))?;
                self.writers.push((table, TableWriter::new(def, &self.root, &self.part)));
                self.writers.len() - 1
            }
        };
        self.writers[i].1.push(year, row)
    }
}

/// A sink that only counts (used by `validate`, which writes nothing).
#[derive(Default)]
pub struct CountingSink {
    pub rows: BTreeMap<&'static str, u64>,
}

impl RowSink for CountingSink {
    fn push(&mut self, table: &'static str, _year: Option<i32>, _row: &[Value]) -> Result<(), WarehouseError> {
        *self.rows.entry(table).or_default() += 1;
        Ok(())
    }
}

/// Write `_rejects/rejects.parquet` and a formula-guarded `rejects.csv`.
pub fn write_rejects(root: &Path, rejects: &[Reject]) -> Result<(), WarehouseError> {
    let dir = root.join(REJECTS_DIR);
    let s = |f: fn(&Reject) -> String| rejects.iter().map(f).collect::<Vec<String>>();
    let mut df = DataFrame::new(
        rejects.len(),
        vec![
            Column::new(schema::col::TABLE.into(), s(|r| r.table.clone())),
            Column::new(schema::col::FILE.into(), s(|r| r.file.clone())),
            Column::new(schema::col::ROW.into(), rejects.iter().map(|r| r.row).collect::<Vec<u64>>()),
            Column::new(schema::col::COLUMN.into(), s(|r| r.column.clone())),
            Column::new(schema::col::VALUE.into(), s(|r| r.value.clone())),
            Column::new(schema::col::REASON.into(), s(|r| r.reason.code().to_string())),
            Column::new(schema::col::MESSAGE.into(), s(|r| r.message.clone())),
        ],
    )
    .map_err(|e| WarehouseError::frame("rejects", e))?;
    write::write_frame(&mut df, &dir.join("rejects.parquet"))?;
    crate::export::write_csv(&df, &dir.join("rejects.csv"))
}

/// Where builds write before the swap.
pub fn temp_dir(out: &Path) -> PathBuf {
    out.join(format!(".warehouse.tmp-{}", std::process::id()))
}

/// Where `indicators` writes before the swap.
pub fn indicators_temp_dir(out: &Path) -> PathBuf {
    out.join(format!(".indicators.tmp-{}", std::process::id()))
}

/// Remove temporary directories left by killed builds.
pub fn clean_stale(out: &Path) {
    if let Ok(rd) = std::fs::read_dir(out) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let stale = [".warehouse.tmp-", ".warehouse.old-", ".indicators.tmp-"];
            if stale.iter().any(|p| name.starts_with(p)) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Atomically replace `final_dir` by `new_dir` (both under the same parent).
///
/// On Linux the two directories are exchanged with `renameat2(RENAME_EXCHANGE)` and the
/// old one is then deleted: at every instant `final_dir` is a complete warehouse.
/// Where that call is unavailable, the old directory is renamed aside first (a reader
/// may then briefly find no warehouse, but never a partial one).
pub fn swap_into_place(new_dir: &Path, final_dir: &Path) -> Result<(), WarehouseError> {
    if !final_dir.exists() {
        return std::fs::rename(new_dir, final_dir).map_err(|e| WarehouseError::io(final_dir, e));
    }
    if exchange(new_dir, final_dir) {
        return std::fs::remove_dir_all(new_dir).map_err(|e| WarehouseError::io(new_dir, e));
    }
    let old = final_dir.with_file_name(format!(".warehouse.old-{}", std::process::id()));
    std::fs::rename(final_dir, &old).map_err(|e| WarehouseError::io(final_dir, e))?;
    std::fs::rename(new_dir, final_dir).map_err(|e| WarehouseError::io(final_dir, e))?;
    std::fs::remove_dir_all(&old).map_err(|e| WarehouseError::io(&old, e))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(ca), Ok(cb)) = (CString::new(a.as_os_str().as_bytes()), CString::new(b.as_os_str().as_bytes())) else {
        return false;
    };
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    rc == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}
