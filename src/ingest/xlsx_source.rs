//! Spreadsheet sources (XLSX/XLSM/XLS) through `calamine`. The first non-blank row
//! is the header; row numbers are the sheet's own (1-based) row numbers.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::{clean_header, is_blank, read_bytes, sha256_hex, MemoryRows, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path, sheet: Option<&str>) -> Result<Source, IngestError> {
    let sha256 = sha256_hex(&read_bytes(path)?);
    let err = |message: String| IngestError::Spreadsheet { path: path.to_path_buf(), message };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| err(format!("no sheet named `{s}` (sheets: {})", names.join(", "))))?,
        None => names.first().cloned().ok_or_else(|| err("the workbook has no sheets".into()))?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| err(format!("sheet `{name}`: {e}")))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i + 1, r.iter().map(cell_text).collect::<Vec<String>>()))
        .filter(|(_, cells)| !is_blank(cells.iter().map(String::as_str)));
    let headers = match rows.next() {
        Some((_, h)) => h.iter().map(|c| clean_header(c)).collect(),
        None => return Err(err(format!("sheet `{name}` is empty: no header row"))),
    };
    let data: Vec<_> = rows.collect();
    Ok(Source { headers, rows: Box::new(MemoryRows(data.into_iter())), sha256, encoding: "spreadsheet".into() })
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
