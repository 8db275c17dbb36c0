//! Small-cell suppression (SPEC §4, App. C.7), one function for every published table.
//!
//! In: a computed indicator table, which of its rows describe fewer than `min_cell`
//! people, and the columns that stay visible (keys, labels and counts).
//! Out: the same rows in the same order, every other column nulled on the small rows,
//! and `suppressed` (bool) appended as the last column. Rows are never dropped.
//! Per-person tables (`compliance`, `cadre_scorecard`) go through [`not_suppressed`]:
//! they are never published below the cell size, so they carry `suppressed = false`.

use polars::prelude::*;

use super::frame::perr;
use crate::error::IndicatorError;
use crate::warehouse::schema::col;

/// Rows whose count is below `min_cell` (a missing count counts as 0).
pub fn below(counts: &[Option<i64>], min_cell: usize) -> Vec<bool> {
    counts.iter().map(|n| n.unwrap_or(0) < min_cell as i64).collect()
}

/// Null every column of `df` except `keep` on the rows where `small` is true, and
/// append `suppressed = small`.
pub fn suppress(mut df: DataFrame, small: &[bool], keep: &[&str], table: &str) -> Result<DataFrame, IndicatorError> {
    let err = perr(table);
    if small.len() != df.height() {
        return Err(IndicatorError::Compute {
            indicator: table.to_string(),
            message: format!("suppression mask has {} rows, table has {}", small.len(), df.height()),
        });
    }
    let visible: BooleanChunked = small.iter().map(|s| !s).collect();
    let names: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
    if small.iter().any(|s| *s) {
        for name in names {
            if keep.contains(&name.as_str()) {
                continue;
            }
            let c = df.column(name.as_str()).map_err(&err)?;
            let nulls = Column::full_null(name.clone(), c.len(), c.dtype());
            let masked = c.zip_with(&visible, &nulls).map_err(&err)?;
            df.with_column(masked).map_err(&err)?;
        }
    }
    df.with_column(Column::new(col::SUPPRESSED.into(), small.to_vec())).map_err(&err)?;
    Ok(df)
}

/// Append `suppressed = false` to a per-person table.
pub fn not_suppressed(mut df: DataFrame, table: &str) -> Result<DataFrame, IndicatorError> {
    let n = df.height();
    df.with_column(Column::new(col::SUPPRESSED.into(), vec![false; n])).map_err(perr(table))?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rows_keep_keys_and_counts_only() {
        let df = DataFrame::new(
            3,
            vec![
                Column::new("class_id".into(), ["A", "B", "C"]),
                Column::new("n_pairs".into(), [10i64, 3, 0]),
                Column::new("mean".into(), [Some(1.5), Some(2.5), None]),
                Column::new("label".into(), ["x", "y", "z"]),
            ],
        )
        .unwrap();
        let small = below(&[Some(10), Some(3), Some(0)], 5);
        let out = suppress(df, &small, &["class_id", "n_pairs"], "t").unwrap();
        assert_eq!(out.get_column_names().last().unwrap().as_str(), "suppressed");
        assert_eq!(out.height(), 3);
        let mean: Vec<Option<f64>> = out.column("mean").unwrap().f64().unwrap().iter().collect();
        assert_eq!(mean, vec![Some(1.5), None, None]);
        let label: Vec<Option<&str>> = out.column("label").unwrap().str().unwrap().iter().collect();
        assert_eq!(label, vec![Some("x"), None, None]);
        let n: Vec<Option<i64>> = out.column("n_pairs").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, vec![Some(10), Some(3), Some(0)]);
        let s: Vec<Option<bool>> = out.column("suppressed").unwrap().bool().unwrap().iter().collect();
        assert_eq!(s, vec![Some(false), Some(true), Some(true)]);
    }
}
