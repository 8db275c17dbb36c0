//! Reading the warehouse back, lazily, as `indicators` and the tests do.

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::write::polars_schema;
use crate::error::WarehouseError;
use crate::schema::{table_def, TableDef};

/// A lazy scan of a warehouse table (hive `year=` partitions become a `year` column
/// for partitioned tables). A table with no files yields an empty frame of its schema.
pub fn scan(warehouse: &Path, table: &str) -> Result<LazyFrame, WarehouseError> {
    let def = table_def(table).ok_or_else(|| WarehouseError::frame(table, "not a warehouse table"))?;
    let dir = warehouse.join(def.name);
    if !has_parquet(&dir) {
        return Ok(empty(def));
    }
    let mut args = ScanArgsParquet::default();
    if def.partition.is_some() {
        args.hive_options = HiveOptions {
            enabled: Some(true),
            hive_start_idx: 0,
            schema: Some(Arc::new(Schema::from_iter([Field::new("year".into(), DataType::Int32)]))),
            try_parse_dates: false,
        };
    } else {
        args.hive_options.enabled = Some(false);
    }
    let path = PlRefPath::try_from_path(&dir).map_err(|e| WarehouseError::frame(dir.display().to_string(), e))?;
    LazyFrame::scan_parquet(path, args).map_err(|e| WarehouseError::frame(format!("scanning {}", dir.display()), e))
}

/// Collect a whole table.
pub fn read(warehouse: &Path, table: &str) -> Result<DataFrame, WarehouseError> {
    scan(warehouse, table)?.collect().map_err(|e| WarehouseError::frame(format!("reading {table}"), e))
}

fn empty(def: &TableDef) -> LazyFrame {
    let mut schema = polars_schema(def);
    if def.partition.is_some() {
        schema.with_column("year".into(), DataType::Int32);
    }
    DataFrame::empty_with_schema(&schema).lazy()
}

fn has_parquet(dir: &Path) -> bool {
    fn walk(d: &Path) -> bool {
        std::fs::read_dir(d).is_ok_and(|rd| {
            rd.flatten().any(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk(&p)
                } else {
                    p.extension().is_some_and(|x| x == "parquet")
                }
            })
        })
    }
    walk(dir)
}
