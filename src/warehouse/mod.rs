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

pub mod atomic;
pub mod dictionary;
pub mod join;
pub mod manifest;
pub mod read;
pub mod write;
pub mod years;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::WarehouseError;
use crate::schema::{self, table_def};
use crate::validate::{CellRef, ColumnRun, Reject, RowSink, Value};
use write::TableWriter;

/// Directory name of the rejects under the warehouse.
pub const REJECTS_DIR: &str = "_rejects";

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

    /// Throw away every row pushed: remove the files written so far. The directories
    /// made for them stay (other sinks may be writing into them):
    /// [`remove_empty_dirs`] removes the empty ones once every sink is done.
    fn abandon(self: Box<Self>) -> Result<(), WarehouseError>;
}

impl FinishSink for WarehouseSink {
    fn finish(self: Box<Self>) -> Result<BTreeMap<String, u64>, WarehouseError> {
        let mut out = BTreeMap::new();
        for (name, w) in self.writers {
            *out.entry(name.to_string()).or_default() += w.finish()?;
        }
        Ok(out)
    }

    fn abandon(self: Box<Self>) -> Result<(), WarehouseError> {
        self.writers.into_iter().try_for_each(|(_, w)| w.abandon())
    }
}

impl FinishSink for CountingSink {
    fn finish(self: Box<Self>) -> Result<BTreeMap<String, u64>, WarehouseError> {
        Ok(self.rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn abandon(self: Box<Self>) -> Result<(), WarehouseError> {
        Ok(())
    }
}

/// Remove every empty directory under `root` (not `root` itself), deepest first. A
/// build makes a directory only to write a file into it, so none is empty but where an
/// abandoned sink ([`FinishSink::abandon`]) removed its files; call it when no sink is
/// writing.
pub fn remove_empty_dirs(root: &Path) -> Result<(), WarehouseError> {
    fn sweep(dir: &Path) -> Result<bool, WarehouseError> {
        let mut empty = true;
        for entry in std::fs::read_dir(dir).map_err(|e| WarehouseError::io(dir, e))? {
            let entry = entry.map_err(|e| WarehouseError::io(dir, e))?;
            let path = entry.path();
            let is_dir = entry.file_type().map_err(|e| WarehouseError::io(&path, e))?.is_dir();
            if is_dir && sweep(&path)? {
                std::fs::remove_dir(&path).map_err(|e| WarehouseError::io(&path, e))?;
            } else {
                empty = false;
            }
        }
        Ok(empty)
    }
    sweep(root).map(|_| ())
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

impl WarehouseSink {
    /// The writer of `table`, made at its first row.
    fn writer(&mut self, table: &'static str) -> Result<&mut TableWriter, WarehouseError> {
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
        Ok(&mut self.writers[i].1)
    }
}

impl RowSink for WarehouseSink {
    fn push(&mut self, table: &'static str, year: Option<i32>, row: &[Value]) -> Result<(), WarehouseError> {
        self.writer(table)?.push(year, row)
    }

    fn push_cells(
        &mut self,
        table: &'static str,
        year: Option<i32>,
        row: &[CellRef<'_>],
    ) -> Result<(), WarehouseError> {
        self.writer(table)?.push_cells(year, row)
    }

    fn push_rows(
        &mut self,
        table: &'static str,
        year: Option<i32>,
        n: usize,
        runs: &[ColumnRun<'_>],
    ) -> Result<(), WarehouseError> {
        if n == 0 {
            return Ok(());
        }
        self.writer(table)?.push_rows(year, n, runs)
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

    fn push_cells(
        &mut self,
        table: &'static str,
        _year: Option<i32>,
        _row: &[CellRef<'_>],
    ) -> Result<(), WarehouseError> {
        *self.rows.entry(table).or_default() += 1;
        Ok(())
    }

    fn push_rows(
        &mut self,
        table: &'static str,
        _: Option<i32>,
        n: usize,
        _: &[ColumnRun<'_>],
    ) -> Result<(), WarehouseError> {
        if n > 0 {
            *self.rows.entry(table).or_default() += n as u64;
        }
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
    crate::cells::write_csv(&df, &dir.join("rejects.csv"))
}

pub use atomic::{clean_stale, swap_into_place};
