//! Writing tables as XLSX workbooks (CSV is written by [`crate::cells`]): every text
//! cell is guarded against formula injection — a cell a spreadsheet could read as a
//! formula is written as a string cell.
//!
//! Two audiences, two forms. CSV (and the Parquet and JSON lines files beside them)
//! are for tools: canonical column names and codes, numbers in full. The workbooks
//! are for people: [`workbook`] turns a frame into the office's words ([`labels`]:
//! the office's headers and labels from the pipeline's maps, plain headers elsewhere),
//! with number formats and a legend sheet; the cell values stay numbers. [`manifest`]
//! keeps `OUT/exports/` from outliving the warehouse it was made from.

pub mod assessment;
pub mod cadre_file;
pub mod cadre_page;
pub mod indicators;
pub mod labels;
pub mod manifest;
pub mod workbook;

use std::path::Path;

use polars::prelude::*;

use crate::cells::{cell_text, guard_csv};
use crate::error::WarehouseError;

/// Write frames as one XLSX workbook, one sheet per frame, headed by the column names
/// (a plain [`Sheet`] each; see [`write_workbook`]).
pub fn write_xlsx(sheets: &[(&str, &DataFrame)], path: &Path) -> Result<(), WarehouseError> {
    let sheets: Vec<Sheet<'_>> = sheets.iter().map(|(name, df)| Sheet::plain(name, df)).collect();
    write_workbook(&sheets, None, path)
}

/// One sheet of a workbook: a frame's columns under `headers`, numbers with an Excel
/// number format each (the cell keeps the full value; the format decides what is shown).
#[derive(Debug, Clone)]
pub struct Sheet<'a> {
    pub name: String,
    pub frame: &'a DataFrame,
    /// One per column.
    pub headers: Vec<String>,
    /// Excel number format of each column (`""`: General).
    pub formats: Vec<&'static str>,
    /// Column widths in characters; empty: from the header and the first rows.
    pub widths: Vec<f64>,
    /// Also give text that could read as a formula a leading `'`, as the CSV does: for a
    /// workbook an import may turn back into text (the assessment export).
    pub quote_formulas: bool,
}

impl<'a> Sheet<'a> {
    /// A sheet headed by the column names, numbers unformatted.
    pub fn plain(name: &str, frame: &'a DataFrame) -> Sheet<'a> {
        Sheet {
            name: name.to_string(),
            frame,
            headers: frame.get_column_names().iter().map(|c| c.to_string()).collect(),
            formats: vec![""; frame.width()],
            widths: Vec::new(),
            quote_formulas: false,
        }
    }
}

/// Widest column before text wraps, in characters.
const WRAP_WIDTH: f64 = 60.0;

/// Write sheets as one XLSX workbook. Sheet names are cut to Excel's 31 characters; a
/// frame longer than a sheet continues on `name_2`, `name_3`, … Text cells are string
/// cells — never formulas, whatever they start with (App. C.23); numbers are number
/// cells with the sheet's format, booleans boolean cells, nulls empty. The header row is
/// bold, frozen and filtered; long text wraps. The document's creation time is fixed, so
/// the bytes depend only on the sheets.
pub fn write_workbook(sheets: &[Sheet<'_>], title: Option<&str>, path: &Path) -> Result<(), WarehouseError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| WarehouseError::frame(format!("writing {}", path.display()), e);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    let mut props = DocProperties::new().set_creation_datetime(&fixed);
    if let Some(t) = title {
        props = props.set_title(t);
    }
    book.set_properties(&props);
    let bold = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for sheet in sheets {
        let df = sheet.frame;
        let formats: Vec<Option<Format>> = (0..df.width())
            .map(|j| sheet.formats.get(j).filter(|f| !f.is_empty()).map(|f| Format::new().set_num_format(*f)))
            .collect();
        let widths = if sheet.widths.len() == df.width() { sheet.widths.clone() } else { auto_widths(sheet) };
        let columns = df.columns();
        let parts = df.height().div_ceil(XLSX_MAX_ROWS).max(1);
        for part in 0..parts {
            let ws = book.add_worksheet_with_constant_memory().map_err(err)?;
            let suffix = if part == 0 { String::new() } else { format!("_{}", part + 1) };
            let short: String = sheet.name.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
            ws.set_name(short).map_err(err)?;
            for (j, w) in widths.iter().enumerate() {
                ws.set_column_width(j as u16, *w).map_err(err)?;
            }
            for (j, h) in sheet.headers.iter().enumerate().take(df.width()) {
                ws.write_string_with_format(0, j as u16, h, &bold).map_err(err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(err)?;
            // Constant-memory sheets must be written row by row.
            let first = part * XLSX_MAX_ROWS;
            let last = df.height().min(first + XLSX_MAX_ROWS);
            for i in first..last {
                let row = (i - first) as u32 + 1;
                for (j, c) in columns.iter().enumerate() {
                    let v = c.get(i).map_err(|e| WarehouseError::frame("xlsx", e))?;
                    let j16 = j as u16;
                    let text = |s: &str| if sheet.quote_formulas { guard_csv(s).into_owned() } else { s.to_string() };
                    match v {
                        AnyValue::Null => {}
                        AnyValue::Boolean(b) => {
                            ws.write_boolean(row, j16, b).map_err(err)?;
                        }
                        AnyValue::String(s) if widths[j] >= WRAP_WIDTH => {
                            ws.write_string_with_format(row, j16, text(s), &wrap).map_err(err)?;
                        }
                        AnyValue::String(s) => {
                            ws.write_string(row, j16, text(s)).map_err(err)?;
                        }
                        AnyValue::StringOwned(ref s) => {
                            ws.write_string(row, j16, text(s.as_str())).map_err(err)?;
                        }
                        ref v => match v.extract::<f64>() {
                            Some(x) if x.is_finite() && v.dtype().is_primitive_numeric() => match &formats[j] {
                                Some(f) => {
                                    ws.write_number_with_format(row, j16, x, f).map_err(err)?;
                                }
                                None => {
                                    ws.write_number(row, j16, x).map_err(err)?;
                                }
                            },
                            Some(_) if v.dtype().is_primitive_numeric() => {}
                            _ => {
                                ws.write_string(row, j16, text(&cell_text(v))).map_err(err)?;
                            }
                        },
                    }
                }
            }
            if last > first && df.width() > 0 {
                ws.autofilter(0, 0, (last - first) as u32, (df.width() - 1) as u16).map_err(err)?;
            }
        }
    }
    book.save(path).map_err(err)
}

/// Column widths from the header and the first rows: wide enough for the text (a CJK
/// character counts two), at least 8, numbers 10, capped; long text wraps at [`WRAP_WIDTH`].
fn auto_widths(sheet: &Sheet<'_>) -> Vec<f64> {
    const SAMPLE: usize = 500;
    let shown = |s: &str| s.chars().map(|c| if c as u32 >= 0x2E80 { 2.0 } else { 1.0 }).sum::<f64>();
    sheet
        .frame
        .columns()
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let head = sheet.headers.get(j).map_or(8.0, |h| shown(h));
            let body = match c.str() {
                Ok(ca) => ca.iter().take(SAMPLE).flatten().map(shown).fold(0.0, f64::max),
                Err(_) => 10.0,
            };
            let w = head.max(body) + 2.0;
            if w > 50.0 {
                WRAP_WIDTH
            } else {
                w.max(8.0)
            }
        })
        .collect()
}

/// Data rows per XLSX sheet (Excel's 1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;
