//! `traineval export --for assessment`: the cadre scorecard in the layout an
//! assessment system imports — one row per cadre and period, keyed by `cadre_id`,
//! with a `category` column — as XLSX and CSV under `OUT/exports/`.
//!
//! Guarantees: rows sorted by cadre_id (then period); a bold header row with frozen
//! panes and an autofilter; numbers as numbers with two decimals; every text cell
//! written as a string, and text that a spreadsheet could read as a formula (starting
//! with `=`, `+`, `-`, `@`, tab or CR) carries a leading `'` (SPEC App. C.23), in
//! the XLSX as in the CSV; same inputs, same bytes (fixed document dates).

use std::path::{Path, PathBuf};

use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::columns::{self as c, table};
use super::load::{read_parquet, INDICATORS_DIR};
use crate::error::{ReportError, WarehouseError};
use crate::export::{guard_csv, write_csv};
use crate::warehouse::schema::col;

/// Directory of the exports under OUT.
pub const EXPORTS_DIR: &str = "exports";
/// Rows per worksheet before the next one starts (Excel's limit is 1,048,576 with the header).
const SHEET_ROWS: usize = 1_000_000;

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub xlsx: PathBuf,
    pub csv: PathBuf,
    pub rows: usize,
}

/// Write `OUT/exports/assessment.xlsx` and `assessment.csv` from
/// `OUT/indicators/cadre_scorecard.parquet`.
pub fn export_assessment(out: &Path) -> Result<ExportSummary, ReportError> {
    let src = out.join(INDICATORS_DIR).join(format!("{}.parquet", table::CADRE_SCORECARD));
    if !src.is_file() {
        return Err(ReportError::Render {
            what: "export".into(),
            message: format!("{}: no cadre scorecard; run `traineval indicators` first", src.display()),
        });
    }
    let df = sorted(read_parquet(&src)?)?;
    let dir = out.join(EXPORTS_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| WarehouseError::io(&dir, e))?;
    let csv = dir.join("assessment.csv");
    let xlsx = dir.join("assessment.xlsx");
    write_csv(&df, &csv)?;
    write_xlsx(&df, &xlsx)?;
    Ok(ExportSummary { xlsx, csv, rows: df.height() })
}

/// Rows by cadre_id, then period (columns kept as the indicators stage wrote them).
fn sorted(df: DataFrame) -> Result<DataFrame, ReportError> {
    let keys: Vec<&str> = [col::CADRE_ID, col::PERIOD].into_iter().filter(|k| df.column(k).is_ok()).collect();
    if keys.is_empty() {
        return Err(ReportError::Render {
            what: "export".into(),
            message: "cadre_scorecard has no cadre_id column".into(),
        });
    }
    df.sort(keys, SortMultipleOptions::default().with_maintain_order(true))
        .map_err(|e| WarehouseError::frame("sorting the scorecard", e).into())
}

/// Write a frame as one or more worksheets named `scorecard`, `scorecard_2`, ….
pub fn write_xlsx(df: &DataFrame, path: &Path) -> Result<(), ReportError> {
    let err = |e: XlsxError| ReportError::Render { what: format!("XLSX {}", path.display()), message: e.to_string() };
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_title("traineval cadre scorecard"));
    let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Center);
    let number = Format::new().set_num_format("0.00");
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let columns = df.columns();
    let chunks = df.height().div_ceil(SHEET_ROWS).max(1);
    for chunk in 0..chunks {
        let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
        ws.set_name(if chunk == 0 { "scorecard".to_string() } else { format!("scorecard_{}", chunk + 1) })
            .map_err(err)?;
        for (j, name) in names.iter().enumerate() {
            let width = if name == col::CADRE_ID { 20.0 } else { (name.len() as f64 + 2.0).max(10.0) };
            ws.set_column_width(j as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (j, name) in names.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, name, &header).map_err(err)?;
        }
        let start = chunk * SHEET_ROWS;
        let end = (start + SHEET_ROWS).min(df.height());
        for i in start..end {
            let row = (i - start + 1) as u32;
            for (j, column) in columns.iter().enumerate() {
                let v = column.get(i).map_err(|e| WarehouseError::frame("xlsx", e))?;
                let j = j as u16;
                match v {
                    AnyValue::Null => {}
                    AnyValue::Boolean(b) => {
                        ws.write_boolean(row, j, b).map_err(err)?;
                    }
                    AnyValue::String(s) => {
                        ws.write_string(row, j, guard_csv(s)).map_err(err)?;
                    }
                    AnyValue::StringOwned(ref s) => {
                        ws.write_string(row, j, guard_csv(s.as_str())).map_err(err)?;
                    }
                    ref other if other.dtype().is_primitive_numeric() => {
                        if let Some(x) = other.extract::<f64>().filter(|x| x.is_finite()) {
                            ws.write_number_with_format(row, j, x, &number).map_err(err)?;
                        }
                    }
                    other => {
                        let text = crate::export::cell_text(&other);
                        ws.write_string(row, j, guard_csv(&text)).map_err(err)?;
                    }
                }
            }
        }
        if end > start {
            ws.autofilter(0, 0, (end - start) as u32, names.len().saturating_sub(1) as u16).map_err(err)?;
        }
    }
    wb.save(path).map_err(err)
}

/// Columns of the scorecard an assessment system expects (SPEC Appendix B).
pub const SCORECARD_COLUMNS: &[&str] = &[
    col::CADRE_ID,
    col::PERIOD,
    col::CATEGORY,
    c::LEARNING_Z,
    c::ASSESSMENT_Z,
    c::TRANSFER_Z,
    c::COMPLIANCE_SCORE,
    c::INDEX,
    c::PERCENTILE_IN_CATEGORY,
    c::BAND,
];
