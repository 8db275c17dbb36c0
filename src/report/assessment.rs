//! `traineval export --for assessment`: the cadre scorecard in the layout an
//! assessment system imports — one row per cadre and period, keyed by `cadre_id`,
//! with a `category` column — as XLSX and CSV under `OUT/exports/`.
//!
//! Guarantees: rows sorted by cadre_id (then period); a bold header row with frozen
//! panes and an autofilter; numbers as numbers with two decimals; every text cell
//! written as a string, and text that a spreadsheet could read as a formula (starting
//! with `=`, `+`, `-`, `@`, tab or CR) carries a leading `'` (SPEC App. C.23), in
//! the XLSX as in the CSV; same inputs, same bytes (fixed document dates).
//!
//! The weights and components travel with the scores: a second sheet `weights` (and
//! `assessment_weights.csv`) lists each component, its configured weight, what it
//! measures and how its reliability is judged, the band cut-offs and the reliability
//! below which a band is withheld — an assessment panel reading a band should not
//! need the pipeline file to know what it rests on.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::columns::{self as c, table};
use super::load::{read_parquet, INDICATORS_DIR};
use crate::error::{ReportError, WarehouseError};
use crate::config::ScorecardSettings;
use crate::export::{guard_csv, write_csv};
use crate::indicators::scorecard::MIN_BAND_RELIABILITY;
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
    pub weights_csv: PathBuf,
    pub rows: usize,
}

/// The `weights` sheet: one row per component, then the band rules.
pub fn weights_frame(s: &ScorecardSettings) -> Result<DataFrame, ReportError> {
    let w = &s.weights;
    let total = w.learning + w.assessment + w.transfer + w.compliance;
    let rows: [(&str, Option<f64>, String); 6] = [
        (
            "learning",
            Some(w.learning),
            "residual gain: mean post score regressed on mean pre score within the category, \
             shrunk toward 0 by its reliability, standardised; reliability from the outcome \
             scale's Cronbach's alpha at pre and post"
                .into(),
        ),
        (
            "assessment",
            Some(w.assessment),
            "mean score received from class managers, teachers and peers, standardised within \
             the category; reliability from the spread of the scores and their number"
                .into(),
        ),
        (
            "transfer",
            Some(w.transfer),
            "performance review after training minus the one before, standardised; reliability \
             of a difference of two reviews from the review score's Cronbach's alpha"
                .into(),
        ),
        (
            "compliance",
            Some(w.compliance),
            "share of the training-hours requirement met (0-1), standardised; an administrative \
             count, taken as error-free"
                .into(),
        ),
        (
            "bands",
            None,
            format!(
                "index = weighted mean of the components the cadre has (weights renormalised); \
                 bands A, B, C, ... at percentiles {} within the category",
                s.bands.iter().map(|b| format!("{b}")).collect::<Vec<_>>().join(", ")
            ),
        ),
        (
            "band_withheld",
            Some(MIN_BAND_RELIABILITY),
            "band left empty (band_reason) when the index rests on fewer than 2 components, a \
             component's reliability is unknown, or the index reliability is below this value"
                .into(),
        ),
    ];
    let share = |x: Option<f64>, i: usize| if i < 4 && total > 0.0 { x.map(|x| x / total) } else { None };
    df!(
        "component" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "weight" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "weight_share" => rows.iter().enumerate().map(|(i, r)| share(r.1, i)).collect::<Vec<_>>(),
        "definition" => rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>()
    )
    .map_err(|e| WarehouseError::frame("the weights sheet", e).into())
}

/// Write `OUT/exports/assessment.xlsx` (sheets `scorecard` and `weights`),
/// `assessment.csv` and `assessment_weights.csv` from
/// `OUT/indicators/cadre_scorecard.parquet` and the `[scorecard]` settings.
pub fn export_assessment(out: &Path, settings: &ScorecardSettings) -> Result<ExportSummary, ReportError> {
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
    let weights_csv = dir.join("assessment_weights.csv");
    let weights = weights_frame(settings)?;
    write_csv(&df, &csv)?;
    write_csv(&weights, &weights_csv)?;
    write_xlsx(&df, Some(&weights), &xlsx)?;
    Ok(ExportSummary { xlsx, csv, weights_csv, rows: df.height() })
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

/// Write a frame as one or more worksheets named `scorecard`, `scorecard_2`, …,
/// then `weights` when given.
pub fn write_xlsx(df: &DataFrame, weights: Option<&DataFrame>, path: &Path) -> Result<(), ReportError> {
    let err = |e: XlsxError| ReportError::Render { what: format!("XLSX {}", path.display()), message: e.to_string() };
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_title("traineval cadre scorecard"));
    let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Center);
    let number = Format::new().set_num_format("0.00");
    let chunks = df.height().div_ceil(SHEET_ROWS).max(1);
    let mut sheets: Vec<(String, &DataFrame, usize, usize)> = (0..chunks)
        .map(|chunk| {
            let name = if chunk == 0 { "scorecard".to_string() } else { format!("scorecard_{}", chunk + 1) };
            let start = chunk * SHEET_ROWS;
            (name, df, start, (start + SHEET_ROWS).min(df.height()))
        })
        .collect();
    if let Some(w) = weights {
        sheets.push(("weights".into(), w, 0, w.height()));
    }
    for (sheet, df, start, end) in sheets {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        let columns = df.columns();
        let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
        ws.set_name(&sheet).map_err(err)?;
        for (j, name) in names.iter().enumerate() {
            let width = match name.as_str() {
                col::CADRE_ID => 20.0,
                "definition" => 100.0,
                _ => (name.len() as f64 + 2.0).max(10.0),
            };
            ws.set_column_width(j as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (j, name) in names.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, name, &header).map_err(err)?;
        }
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
