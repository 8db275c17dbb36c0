//! A frame as people read it in a workbook.
//!
//! In: a frame with canonical columns and codes, the export's [`Labels`], and the input
//! table the frame's columns come from (when one does). Out: the frame with every code
//! column in words and booleans as yes/no ([`present`]), and its [`Sheet`]: headers in
//! the office's words, number formats by column ([`sheet`]); [`text_frame`] builds the
//! legend sheets.
//! Guarantees: rows, their order and every number are unchanged (numbers stay numbers;
//! only their format is set); text that is not a code is written as it is (and guarded
//! by the writer); a code with no label is kept as the code.

use std::collections::HashMap;

use polars::prelude::*;

use super::labels::{number_format, Labels};
use super::Sheet;
use crate::error::WarehouseError;
use crate::schema::col;

/// `df` with its code columns in words and its booleans as yes/no.
pub fn present(df: &DataFrame, labels: &Labels, table: Option<&str>) -> Result<DataFrame, WarehouseError> {
    let err = |e: PolarsError| WarehouseError::frame("preparing a workbook sheet", e);
    let mut columns = Vec::with_capacity(df.width());
    for c in df.columns() {
        let name = c.name().as_str();
        let relabel = labels.is_code_column(table, name) || name == col::CLASS_ID;
        let out = match c.dtype() {
            DataType::String if relabel => {
                // Per-person tables repeat a handful of codes over 10⁶ rows: each is
                // looked up once.
                let mut seen: HashMap<&str, String> = HashMap::new();
                let ca = c.str().map_err(err)?;
                let words: StringChunked = ca
                    .iter()
                    .map(|v| {
                        v.map(|code| {
                            if name == col::CLASS_ID && code != "all" {
                                return code.to_string();
                            }
                            seen.entry(code).or_insert_with(|| labels.value(table, name, code)).clone()
                        })
                    })
                    .collect();
                words.with_name(c.name().clone()).into_column()
            }
            DataType::Boolean => {
                let (yes, no) = (labels.yes_no(true), labels.yes_no(false));
                let ca = c.bool().map_err(err)?;
                let words: StringChunked =
                    ca.iter().map(|v| v.map(|b| if b { yes.as_str() } else { no.as_str() })).collect();
                words.with_name(c.name().clone()).into_column()
            }
            _ => c.clone(),
        };
        columns.push(out);
    }
    DataFrame::new(df.height(), columns).map_err(err)
}

/// The sheet of a [`present`]ed frame: headers in the office's words and number formats,
/// both by the canonical column names.
pub fn sheet<'a>(name: &str, frame: &'a DataFrame, labels: &Labels, table: Option<&str>) -> Sheet<'a> {
    let names = frame.get_column_names();
    let formats = frame
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::Float64 | DataType::Float32 => number_format(c.name().as_str(), false),
            d if d.is_integer() => number_format(c.name().as_str(), true),
            _ => "",
        })
        .collect();
    Sheet {
        name: name.to_string(),
        frame,
        headers: names.iter().map(|n| labels.header(table, n.as_str())).collect(),
        formats,
        widths: Vec::new(),
        quote_formulas: false,
    }
}

/// A frame of text columns (a legend): `(name, values)` each, all of one length.
pub fn text_frame(columns: Vec<(&str, Vec<String>)>) -> Result<DataFrame, WarehouseError> {
    let height = columns.first().map_or(0, |c| c.1.len());
    let columns = columns.into_iter().map(|(name, values)| Column::new(name.into(), values)).collect();
    DataFrame::new(height, columns).map_err(|e| WarehouseError::frame("a legend sheet", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Lang;

    #[test]
    fn codes_become_words_and_numbers_stay_numbers() {
        let df = df!(
            "class_id" => ["all", "K1", "K2"],
            "category" => [Some("middle_level"), None, Some("astronauts")],
            "p_value" => [Some(0.0004), Some(0.5), None],
            "n" => [3i64, 4, 5],
            "suppressed" => [false, true, false],
            "unmet_topics" => ["=1+1", "x", "y"]
        )
        .unwrap();
        let labels = Labels::plain(Lang::Zh);
        let p = present(&df, &labels, None).unwrap();
        let text =
            |c: &str| p.column(c).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect::<Vec<_>>();
        assert_eq!(text("class_id"), [Some("全部".to_string()), Some("K1".into()), Some("K2".into())]);
        assert_eq!(text("category"), [Some("中层干部".to_string()), None, Some("astronauts".into())]);
        assert_eq!(text("suppressed"), [Some("否".to_string()), Some("是".into()), Some("否".into())]);
        assert_eq!(text("unmet_topics")[0].as_deref(), Some("=1+1"), "not a code column: as it is");
        assert!(p.column("p_value").unwrap().equals_missing(df.column("p_value").unwrap()));
        let s = sheet("t", &p, &labels, None);
        assert_eq!(s.headers, ["班次编号", "干部类别", "p 值", "人数", "不予公布", "未覆盖的需求主题"]);
        assert_eq!(s.formats, ["", "", "[<0.001]\"<0.001\";0.000", "0", "", ""]);
    }
}
