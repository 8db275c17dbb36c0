//! Spreadsheet sources (XLSX/XLSM/XLS) through `calamine`. The first non-blank row
//! is the header; row numbers are the sheet's own (1-based) row numbers.
//!
//! A sheet has no delimiters, so a row's width is up to its last non-blank cell: trailing
//! blank cells are blank cells, and a row is [`Shape::Fields`] only when it has a value
//! beyond the header's last named column. Rows keep the header's columns only.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader, Sheets};

use super::{clean_header, is_blank, read_bytes, sha256_hex, MemoryRows, RowInfo, Shape, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path, sheet: Option<&str>) -> Result<Source, IngestError> {
    let sha256 = sha256_hex(&read_bytes(path)?);
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let name = sheet_name(&wb, sheet).map_err(err)?;
    let range = wb.worksheet_range(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i + 1, r.iter().map(cell_text).collect::<Vec<String>>()))
        .filter(|(_, cells)| !is_blank(cells.iter().map(String::as_str)));
    let mut headers: Vec<String> = match rows.next() {
        Some((_, h)) => h.iter().map(|c| clean_header(c)).collect(),
        None => return Err(err(format!("sheet `{name}` is empty: no header row"))),
    };
    let width = named_width(&headers);
    headers.truncate(width);
    let data: Vec<_> = rows
        .map(|(line, mut cells)| {
            let used = named_width(&cells);
            let shape = if used > width { Shape::Fields { fields: used, header: width } } else { Shape::Fits };
            cells.truncate(width);
            (RowInfo { line, shape }, cells)
        })
        .collect();
    Ok(Source { headers, rows: Box::new(MemoryRows(data.into_iter())), sha256, encoding: "spreadsheet".into() })
}

/// The header of a sheet. For XLSX only the sheet's first rows are parsed (a roster of
/// 10⁶ cadres is not read twice); other workbook formats are read whole.
pub(super) fn read_headers(path: &Path, sheet: Option<&str>) -> Result<Vec<String>, IngestError> {
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let name = sheet_name(&wb, sheet).map_err(err)?;
    let Sheets::Xlsx(xlsx) = &mut wb else {
        return open(path, sheet).map(|s| s.headers);
    };
    let mut cells = xlsx.worksheet_cells_reader(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
    // Cells come row by row; the header is the first row with a non-blank cell.
    let mut header: Vec<(u32, String)> = Vec::new();
    let mut header_row = None;
    while let Some(cell) = cells.next_cell().map_err(|e| err(format!("sheet `{name}`: {e}")))? {
        let (row, col) = cell.get_position();
        if header_row.is_some_and(|r| r != row) {
            break;
        }
        let text = clean_header(&cell_text(&Data::from(cell.get_value().clone())));
        if !text.is_empty() {
            header_row = Some(row);
            header.push((col, text));
        }
    }
    if header.is_empty() {
        return Err(err(format!("sheet `{name}` is empty: no header row")));
    }
    // Blank cells between named ones keep their place, as in `open`.
    let first = header.iter().map(|(c, _)| *c).min().unwrap_or(0);
    let mut out = vec![String::new(); header.iter().map(|(c, _)| (c - first) as usize + 1).max().unwrap_or(0)];
    for (c, text) in header {
        out[(c - first) as usize] = text;
    }
    Ok(out)
}

/// The sheet to read: the one named, else the first.
fn sheet_name<RS: std::io::Read + std::io::Seek>(wb: &Sheets<RS>, sheet: Option<&str>) -> Result<String, String> {
    let names = wb.sheet_names();
    match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| format!("no sheet named `{s}` (sheets: {})", names.join(", "))),
        None => names.first().cloned().ok_or_else(|| "the workbook has no sheets".into()),
    }
}

/// Cells up to the last non-blank one.
fn named_width(cells: &[String]) -> usize {
    cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1)
}

/// A cell as the text a CSV export would hold: integers without `.0`, dates ISO.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _ms) = dt.to_ymd_hms_milli();
            if hh == 0 && mm == 0 && ss == 0 && dt.as_f64().fract() == 0.0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
