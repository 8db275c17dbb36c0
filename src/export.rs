//! Writing tables as CSV and XLSX for people: every text cell is guarded against
//! formula injection (SPEC App. C.23) — a cell starting with `=`, `+`, `-`, `@`, tab
//! or CR gets a leading `'` in CSV and is written as a string cell in XLSX.

use std::path::Path;

use polars::prelude::*;

use crate::error::WarehouseError;

/// True when a spreadsheet program could read `s` as a formula.
pub fn needs_guard(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The CSV form of a text cell.
pub fn guard_csv(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// One cell of a frame as text (numbers in shortest round-trip form, null empty).
pub fn cell_text(v: &AnyValue<'_>) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Float64(x) => format_f64(*x),
        AnyValue::Float32(x) => format_f64(*x as f64),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// Shortest representation that round-trips; integers without a decimal point.
pub fn format_f64(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    format!("{x}")
}

/// Write a frame as UTF-8 CSV (with BOM so Excel opens Chinese text correctly), guarding
/// text cells; numbers are written as numbers.
pub fn write_csv(df: &DataFrame, path: &Path) -> Result<(), WarehouseError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let file = std::fs::File::create(path).map_err(|e| WarehouseError::io(path, e))?;
    let mut buf = std::io::BufWriter::new(file);
    std::io::Write::write_all(&mut buf, "\u{feff}".as_bytes()).map_err(|e| WarehouseError::io(path, e))?;
    let mut w = csv::Writer::from_writer(buf);
    let err = |e: csv::Error| WarehouseError::frame(format!("writing {}", path.display()), e);
    w.write_record(df.get_column_names().iter().map(|s| s.as_str())).map_err(err)?;
    // Columns viewed by type once; each cell is formatted into one reused buffer.
    enum Cells<'a> {
        Text(&'a StringChunked),
        Float(&'a Float64Chunked),
        Int(&'a Int64Chunked),
        Bool(&'a BooleanChunked),
        Other(&'a Column),
    }
    let cells: Vec<Cells> = df
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::String => c.str().map(Cells::Text),
            DataType::Float64 => c.f64().map(Cells::Float),
            DataType::Int64 => c.i64().map(Cells::Int),
            DataType::Boolean => c.bool().map(Cells::Bool),
            _ => Ok(Cells::Other(c)),
        })
        .collect::<PolarsResult<_>>()
        .map_err(|e| WarehouseError::frame("csv", e))?;
    let mut text = String::new();
    for i in 0..df.height() {
        for c in &cells {
            use std::fmt::Write as _;
            text.clear();
            // Writing into a String cannot fail.
            let _ = match c {
                Cells::Text(ca) => {
                    text.push_str(&guard_csv(ca.get(i).unwrap_or_default()));
                    Ok(())
                }
                Cells::Float(ca) => match ca.get(i) {
                    Some(x) if !x.is_nan() => write!(text, "{x}"),
                    _ => Ok(()),
                },
                Cells::Int(ca) => ca.get(i).map_or(Ok(()), |x| write!(text, "{x}")),
                Cells::Bool(ca) => ca.get(i).map_or(Ok(()), |x| write!(text, "{x}")),
                Cells::Other(col) => {
                    let v = col.get(i).map_err(|e| WarehouseError::frame("csv", e))?;
                    let is_text = matches!(v, AnyValue::String(_) | AnyValue::StringOwned(_));
                    let t = cell_text(&v);
                    if is_text {
                        text.push_str(&guard_csv(&t));
                    } else {
                        text.push_str(&t);
                    }
                    Ok(())
                }
            };
            w.write_field(&text).map_err(err)?;
        }
        w.write_record(None::<&[u8]>).map_err(err)?;
    }
    w.flush().map_err(|e| WarehouseError::io(path, e))
}

/// Write frames as one XLSX workbook, one sheet per frame (sheet names are cut to
/// Excel's 31 characters). Text cells are string cells — never formulas, whatever
/// they start with (App. C.23); numbers are number cells, booleans boolean cells,
/// nulls empty. The header row is bold and frozen. The document's creation time is
/// fixed, so the bytes depend only on the frames.
pub fn write_xlsx(sheets: &[(&str, &DataFrame)], path: &Path) -> Result<(), WarehouseError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| WarehouseError::frame(format!("writing {}", path.display()), e);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    let bold = Format::new().set_bold();
    for (name, df) in sheets {
        // A table longer than a sheet continues on `name_2`, `name_3`, …
        let parts = df.height().div_ceil(XLSX_MAX_ROWS).max(1);
        for part in 0..parts {
            let sheet = book.add_worksheet_with_constant_memory().map_err(err)?;
            let suffix = if part == 0 { String::new() } else { format!("_{}", part + 1) };
            let short: String = name.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
            sheet.set_name(short).map_err(err)?;
            for (j, c) in df.get_column_names().iter().enumerate() {
                sheet.write_string_with_format(0, j as u16, c.as_str(), &bold).map_err(err)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(err)?;
            // Constant-memory sheets must be written row by row.
            let first = part * XLSX_MAX_ROWS;
            for i in first..df.height().min(first + XLSX_MAX_ROWS) {
                let row = (i - first) as u32 + 1;
                for (j, c) in df.columns().iter().enumerate() {
                    let j = j as u16;
                    match c.get(i).map_err(|e| WarehouseError::frame("xlsx", e))? {
                        AnyValue::Null => {}
                        AnyValue::Boolean(b) => {
                            sheet.write_boolean(row, j, b).map_err(err)?;
                        }
                        AnyValue::String(s) => {
                            sheet.write_string(row, j, s).map_err(err)?;
                        }
                        AnyValue::StringOwned(s) => {
                            sheet.write_string(row, j, s.as_str()).map_err(err)?;
                        }
                        v => match v.extract::<f64>() {
                            Some(x) if x.is_finite() => {
                                sheet.write_number(row, j, x).map_err(err)?;
                            }
                            Some(_) => {}
                            None => {
                                sheet.write_string(row, j, cell_text(&v)).map_err(err)?;
                            }
                        },
                    }
                }
            }
        }
    }
    book.save(path).map_err(err)
}

/// Data rows per XLSX sheet (Excel's 1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_formula_starts() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_guard(s), "{s:?}");
            assert!(guard_csv(s).starts_with('\''));
        }
        assert_eq!(guard_csv("学员"), "学员");
        assert_eq!(guard_csv(""), "");
    }
}
