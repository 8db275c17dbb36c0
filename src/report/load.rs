//! Reading what the report is built from: the indicator tables under
//! `OUT/indicators/`, a few warehouse tables and the manifest under `OUT/warehouse/`.
//! Reads only; nothing here computes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::columns::table;
use super::view::ReportData;
use crate::error::{ReportError, WarehouseError};
use crate::layout::{INDICATORS_DIR, MANIFEST_FILE, WAREHOUSE_DIR};
use crate::schema::{col::YEAR, table_def};
use crate::warehouse::manifest::Manifest;
use crate::warehouse::read;

/// Warehouse tables the report reads besides the indicators.
const WAREHOUSE_TABLES: &[&str] = &["classes", "courses", "enrollments", "units", table::TRAINEE_OUTCOMES];

/// Load the indicator tables, the warehouse tables the report uses and the manifest.
/// `period` is used when the manifest has none.
pub fn load(out: &Path, period: Option<&str>) -> Result<ReportData, ReportError> {
    let wh = out.join(WAREHOUSE_DIR);
    let manifest = Manifest::read(&wh.join(MANIFEST_FILE))?;
    let indicators = read_indicators(&out.join(INDICATORS_DIR))?;
    let mut warehouse = BTreeMap::new();
    for name in WAREHOUSE_TABLES {
        if let Some(df) = read_warehouse_table(&wh, name)? {
            warehouse.insert(name.to_string(), df);
        }
    }
    let period = if manifest.period.is_empty() { period.unwrap_or("all").to_string() } else { manifest.period.clone() };
    scope_to_period(&mut warehouse, &period)?;
    Ok(ReportData { period, indicators, warehouse, manifest: Some(manifest) })
}

/// Keep the rows of the period's year of every warehouse table with a `year` column,
/// when the period is a year the classes hold: the report for one year of a warehouse
/// holding several describes that year's classes (the indicator tables are scoped the
/// same way; only the trends and the compliance windows look across years).
fn scope_to_period(warehouse: &mut BTreeMap<String, DataFrame>, period: &str) -> Result<(), ReportError> {
    let Ok(year) = period.trim().parse::<i64>() else { return Ok(()) };
    let years = |df: &DataFrame| -> Option<Vec<Option<i64>>> {
        let c = df.column(YEAR).ok()?.cast(&DataType::Int64).ok()?;
        Some(c.i64().ok()?.iter().collect())
    };
    let held = warehouse.get("classes").and_then(years).is_some_and(|y| y.contains(&Some(year)));
    if !held {
        return Ok(());
    }
    for (name, df) in warehouse.iter_mut() {
        let Some(ys) = years(df) else { continue };
        if ys.iter().all(|y| *y == Some(year)) {
            continue;
        }
        let keep: BooleanChunked = ys.iter().map(|y| y.is_none_or(|y| y == year)).collect();
        *df = df.filter(&keep).map_err(|e| WarehouseError::frame(format!("reading {name}"), e))?;
    }
    Ok(())
}

/// Every `<table>.parquet` under `dir`, keyed by file stem.
pub fn read_indicators(dir: &Path) -> Result<BTreeMap<String, DataFrame>, ReportError> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReportError::Render {
            what: "indicators".into(),
            message: format!("{}: no indicator tables here; run `traineval indicators` first", dir.display()),
        },
        _ => WarehouseError::io(dir, e).into(),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    paths.sort();
    let mut out = BTreeMap::new();
    for p in paths {
        let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else { continue };
        out.insert(stem.to_string(), read_parquet(&p)?);
    }
    Ok(out)
}

/// One Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame, ReportError> {
    let file = std::fs::File::open(path).map_err(|e| WarehouseError::io(path, e))?;
    ParquetReader::new(file).finish().map_err(|e| WarehouseError::frame(path.display().to_string(), e).into())
}

/// A warehouse table, or `None` when it was not written. Tables the warehouse schema
/// does not declare (`trainee_outcomes`, written by the indicators stage) are read
/// as `<name>.parquet` or a directory of Parquet parts.
fn read_warehouse_table(wh: &Path, name: &str) -> Result<Option<DataFrame>, ReportError> {
    if table_def(name).is_some() {
        return Ok(Some(read::read(wh, name)?));
    }
    let file = wh.join(format!("{name}.parquet"));
    if file.is_file() {
        return read_parquet(&file).map(Some);
    }
    let dir = wh.join(name);
    if !dir.is_dir() {
        return Ok(None);
    }
    let path = PlRefPath::try_from_path(&dir).map_err(|e| WarehouseError::frame(dir.display().to_string(), e))?;
    let df = LazyFrame::scan_parquet(path, ScanArgsParquet::default())
        .and_then(|lf| lf.collect())
        .map_err(|e| WarehouseError::frame(format!("reading {}", dir.display()), e))?;
    Ok(Some(df))
}
