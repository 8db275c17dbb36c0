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
    let cols = df.columns();
    for i in 0..df.height() {
        let mut rec: Vec<String> = Vec::with_capacity(cols.len());
        for c in cols {
            let v = c.get(i).map_err(|e| WarehouseError::frame("csv", e))?;
            let is_text = matches!(v, AnyValue::String(_) | AnyValue::StringOwned(_));
            let t = cell_text(&v);
            rec.push(if is_text { guard_csv(&t).into_owned() } else { t });
        }
        w.write_record(&rec).map_err(err)?;
    }
    w.flush().map_err(|e| WarehouseError::io(path, e))
}

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
