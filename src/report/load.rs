//! Reading what the report is built from: the indicator tables under
//! `OUT/indicators/`, a few warehouse tables and the manifest under `OUT/warehouse/`.
//! Reads only; nothing here computes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::columns::table;
use super::frame::Table;
use super::view::{ReportData, Tables, ENROLLMENT_COLUMNS, OUTCOME_COLUMNS};
use crate::error::{ReportError, WarehouseError};
use crate::layout::{INDICATORS_DIR, MANIFEST_FILE, WAREHOUSE_DIR};
use crate::schema::col::YEAR;
use crate::warehouse::manifest::Manifest;
use crate::warehouse::read;

/// Warehouse tables the report reads besides the indicators.
const WAREHOUSE_TABLES: &[&str] = &[
    crate::schema::wh::CLASSES,
    crate::schema::wh::COURSES,
    crate::schema::wh::ENROLLMENTS,
    crate::schema::wh::UNITS,
    table::TRAINEE_OUTCOMES,
];

/// Indicator tables no report section reads: per-person tables of 10⁶ rows at national
/// scale, which would only cost memory (the scorecard goes out through `export`).
const UNREAD_INDICATORS: &[&str] = &[table::CADRE_SCORECARD];

/// The columns the report reads of a per-person warehouse table (every column of the
/// others), plus `year` for scoping to the period.
fn warehouse_columns(name: &str) -> Option<&'static [&'static str]> {
    match name {
        crate::schema::wh::ENROLLMENTS => Some(ENROLLMENT_COLUMNS),
        table::TRAINEE_OUTCOMES => Some(OUTCOME_COLUMNS),
        _ => None,
    }
}

/// Load the indicator tables, the warehouse tables the report uses and the manifest.
/// `period` is used when the manifest has none.
pub fn load(out: &Path, period: Option<&str>) -> Result<ReportData, ReportError> {
    let wh = out.join(WAREHOUSE_DIR);
    let manifest = Manifest::read(&wh.join(MANIFEST_FILE))?;
    let indicators = read_indicators(&out.join(INDICATORS_DIR))?;
    let (warehouse, period) = read_period_tables(&wh, &manifest, period)?;
    Ok(ReportData { period, indicators, warehouse, manifest: Some(manifest) })
}

/// [`load`] with every table converted for the views: each indicator table is converted
/// as soon as it is read and its frame dropped, so the indicator frames are never all
/// held at once (nor beside their converted tables); the warehouse tables are converted
/// after they are scoped to the period. The returned data keep the period and the
/// manifest, no frame.
pub fn load_tables(out: &Path, period: Option<&str>) -> Result<(ReportData, Tables), ReportError> {
    use rayon::prelude::*;
    let wh = out.join(WAREHOUSE_DIR);
    let manifest = Manifest::read(&wh.join(MANIFEST_FILE))?;
    let indicators: Vec<(String, Table)> = indicator_paths(&out.join(INDICATORS_DIR))?
        .into_par_iter()
        .map(|(stem, p)| {
            let t = Tables::table(&stem, &read_parquet(&p)?);
            Ok((stem, t))
        })
        .collect::<Result<_, ReportError>>()?;
    let (warehouse, period) = read_period_tables(&wh, &manifest, period)?;
    let mut data = ReportData { period, indicators: BTreeMap::new(), warehouse, manifest: Some(manifest) };
    let mut tables = Tables::take(&mut data);
    tables.extend(indicators);
    Ok((data, tables))
}

/// The warehouse tables the report uses, scoped to the report's period: the manifest's,
/// else `period`, else "all".
fn read_period_tables(
    wh: &Path,
    manifest: &Manifest,
    period: Option<&str>,
) -> Result<(BTreeMap<String, DataFrame>, String), ReportError> {
    let mut warehouse = BTreeMap::new();
    for name in WAREHOUSE_TABLES {
        warehouse.insert(name.to_string(), read_warehouse_table(wh, name)?);
    }
    let period = if manifest.period.is_empty() { period.unwrap_or("all").to_string() } else { manifest.period.clone() };
    scope_to_period(&mut warehouse, &period)?;
    Ok((warehouse, period))
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
    let held = warehouse.get(crate::schema::wh::CLASSES).and_then(years).is_some_and(|y| y.contains(&Some(year)));
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

/// Every `<table>.parquet` under `dir` that the report reads, keyed by file stem.
pub fn read_indicators(dir: &Path) -> Result<BTreeMap<String, DataFrame>, ReportError> {
    let mut out = BTreeMap::new();
    for (stem, p) in indicator_paths(dir)? {
        out.insert(stem, read_parquet(&p)?);
    }
    Ok(out)
}

/// Every `<table>.parquet` under `dir` that the report reads, as (file stem, path), in
/// path order.
fn indicator_paths(dir: &Path) -> Result<Vec<(String, PathBuf)>, ReportError> {
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
    Ok(paths
        .into_iter()
        .filter_map(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str())?.to_string();
            (!UNREAD_INDICATORS.contains(&stem.as_str())).then_some((stem, p))
        })
        .collect())
}

/// One Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame, ReportError> {
    let file = std::fs::File::open(path).map_err(|e| WarehouseError::io(path, e))?;
    ParquetReader::new(file).finish().map_err(|e| WarehouseError::frame(path.display().to_string(), e).into())
}

/// A warehouse table (empty when it was not written); of a per-person table only the
/// columns the report reads ([`warehouse_columns`]).
fn read_warehouse_table(wh: &Path, name: &str) -> Result<DataFrame, ReportError> {
    Ok(match warehouse_columns(name) {
        Some(wanted) => {
            let present = read::column_names(wh, name)?;
            let cols: Vec<&str> = wanted
                .iter()
                .chain(std::iter::once(&YEAR))
                .copied()
                .filter(|c| present.iter().any(|p| p == c))
                .collect();
            read::read_columns(wh, name, &cols)?
        }
        None => read::read(wh, name)?,
    })
}
