//! Spreadsheet sources (XLSX/XLSM/XLS) through `calamine`. The header is the row the
//! input's `header_row` names, else the first non-blank row (rows above it — a title,
//! notes — are not read); row numbers are the sheet's own (1-based) row numbers.
//!
//! A sheet has no delimiters, so a row's width is up to its last non-blank cell: trailing
//! blank cells are blank cells, and a row is [`Shape::Fields`] only when it has a value
//! beyond the header's last named column. Rows keep the header's columns only.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader, Sheets};

use super::{clean_header, is_blank, read_bytes, sha256_hex, MemoryRows, RowInfo, Shape, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path, sheet: Option<&str>, header_row: Option<usize>) -> Result<Source, IngestError> {
    let sha256 = sha256_hex(&read_bytes(path)?);
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let name = sheet_name(path, &wb, sheet)?;
    let range = wb.worksheet_range(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i + 1, r.iter().map(cell_text).collect::<Vec<String>>()))
        .filter(|(line, _)| header_row.is_none_or(|h| *line >= h))
        .filter(|(_, cells)| !is_blank(cells.iter().map(String::as_str)));
    let mut headers: Vec<String> = match (rows.next(), header_row) {
        (Some((line, _)), Some(h)) if line != h => return Err(blank_header(path, &name, h)),
        (Some((_, h)), _) => h.iter().map(|c| clean_header(c)).collect(),
        (None, Some(h)) => return Err(blank_header(path, &name, h)),
        (None, None) => return Err(err(format!("sheet `{name}` is empty: no header row"))),
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
    Ok(Source {
        headers,
        rows: Box::new(MemoryRows(data.into_iter())),
        sha256: Some(sha256),
        encoding: "spreadsheet".into(),
    })
}

/// The header of a sheet. For XLSX only the sheet's first rows are parsed (a roster of
/// 10⁶ cadres is not read twice); other workbook formats are read whole.
pub(super) fn read_headers(
    path: &Path,
    sheet: Option<&str>,
    header_row: Option<usize>,
) -> Result<Vec<String>, IngestError> {
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let name = sheet_name(path, &wb, sheet)?;
    let Sheets::Xlsx(xlsx) = &mut wb else {
        return open(path, sheet, header_row).map(|s| s.headers);
    };
    let mut cells = xlsx.worksheet_cells_reader(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
    // Cells come row by row; the header is the configured row, else the first row with
    // a non-blank cell. (`get_position` rows are 0-based.)
    let wanted = header_row.map(|h| h.saturating_sub(1) as u32);
    let mut header: Vec<(u32, String)> = Vec::new();
    let mut found = None;
    while let Some(cell) = cells.next_cell().map_err(|e| err(format!("sheet `{name}`: {e}")))? {
        let (row, col) = cell.get_position();
        if wanted.is_some_and(|w| row < w) {
            continue;
        }
        if found.is_some_and(|r| r != row) || wanted.is_some_and(|w| row > w) {
            break;
        }
        let text = clean_header(&cell_text(&Data::from(cell.get_value().clone())));
        if !text.is_empty() {
            found = Some(row);
            header.push((col, text));
        }
    }
    if header.is_empty() {
        return Err(match header_row {
            Some(h) => blank_header(path, &name, h),
            None => err(format!("sheet `{name}` is empty: no header row")),
        });
    }
    // Blank cells between named ones keep their place, as in `open`.
    let first = header.iter().map(|(c, _)| *c).min().unwrap_or(0);
    let mut out = vec![String::new(); header.iter().map(|(c, _)| (c - first) as usize + 1).max().unwrap_or(0)];
    for (c, text) in header {
        out[(c - first) as usize] = text;
    }
    Ok(out)
}

fn blank_header(path: &Path, sheet: &str, row: usize) -> IngestError {
    IngestError::Format {
        path: path.to_path_buf(),
        message: format!("sheet `{sheet}`: header_row = {row}, but row {row} is blank"),
    }
}

/// The sheet to read: the one named (compared without surrounding spaces), else the first.
fn sheet_name<RS: std::io::Read + std::io::Seek>(
    path: &Path,
    wb: &Sheets<RS>,
    sheet: Option<&str>,
) -> Result<String, IngestError> {
    let names = wb.sheet_names();
    match sheet {
        Some(s) => names.iter().find(|n| n.trim() == s.trim()).cloned().ok_or_else(|| IngestError::NoSheet {
            path: path.to_path_buf(),
            sheet: s.to_string(),
            sheets: names.join(", "),
        }),
        None => names.first().cloned().ok_or_else(|| IngestError::Spreadsheet {
            path: path.to_path_buf(),
            message: "the workbook has no sheets".into(),
        }),
    }
}

/// The names of a workbook's sheets, in order.
pub(super) fn sheet_names(path: &Path) -> Result<Vec<String>, IngestError> {
    let wb = open_workbook_auto(path)
        .map_err(|e| IngestError::Spreadsheet { path: path.to_path_buf(), message: e.to_string() })?;
    Ok(wb.sheet_names())
}

/// The first `n` non-blank rows of a sheet: (sheet row number, cells as text), the cells
/// counted from the leftmost column any of these rows uses (as `open` counts them from
/// the sheet's leftmost used column). For XLSX only those rows are parsed.
pub(super) fn first_rows(path: &Path, sheet: &str, n: usize) -> Result<Vec<(usize, Vec<String>)>, IngestError> {
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let name = sheet_name(path, &wb, Some(sheet))?;
    let mut rows: Vec<(usize, Vec<(usize, String)>)> = Vec::new();
    if let Sheets::Xlsx(xlsx) = &mut wb {
        let mut cells = xlsx.worksheet_cells_reader(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
        while let Some(cell) = cells.next_cell().map_err(|e| err(format!("sheet `{name}`: {e}")))? {
            let (row, col) = cell.get_position();
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if text.trim().is_empty() {
                continue;
            }
            let line = row as usize + 1;
            if rows.last().is_none_or(|(l, _)| *l != line) {
                if rows.len() == n {
                    break;
                }
                rows.push((line, Vec::new()));
            }
            if let Some((_, cells)) = rows.last_mut() {
                cells.push((col as usize, text));
            }
        }
    } else {
        let range = wb.worksheet_range(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
        let (first_row, first_col) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        for (i, r) in range.rows().enumerate() {
            let cells: Vec<(usize, String)> = r
                .iter()
                .enumerate()
                .map(|(j, d)| (first_col + j, cell_text(d)))
                .filter(|(_, t)| !t.trim().is_empty())
                .collect();
            if !cells.is_empty() {
                rows.push((first_row + i + 1, cells));
            }
            if rows.len() == n {
                break;
            }
        }
    }
    let left = rows.iter().flat_map(|(_, c)| c.iter().map(|(j, _)| *j)).min().unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|(line, cells)| {
            let width = cells.iter().map(|(j, _)| j - left + 1).max().unwrap_or(0);
            let mut out = vec![String::new(); width];
            for (j, t) in cells {
                out[j - left] = t;
            }
            (line, out)
        })
        .collect())
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
