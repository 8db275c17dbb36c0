//! Small helpers shared by the indicator families: typed column access, grouping
//! row indices once by a key, and building an output frame column by column.
//!
//! Grouping is done once per table with an ordered map from key to row indices, so
//! groups come out sorted by key (deterministic output, no hash order) and each group
//! is then computed independently — in parallel where it pays (`rayon`).

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::IndicatorError;

/// A polars error inside indicator `name`.
pub(crate) fn perr(name: &str) -> impl Fn(PolarsError) -> IndicatorError + '_ {
    move |e| IndicatorError::Compute { indicator: name.to_string(), message: e.to_string() }
}

/// A statistics-core misuse inside indicator `name` (a bug, reported not panicked).
pub(crate) fn serr(name: &str) -> impl Fn(crate::stats::StatsError) -> IndicatorError + '_ {
    move |e| IndicatorError::Compute { indicator: name.to_string(), message: e.to_string() }
}

fn column<'a>(df: &'a DataFrame, name: &str, table: &str) -> Result<&'a Column, IndicatorError> {
    df.column(name).map_err(|_| IndicatorError::Compute {
        indicator: table.to_string(),
        message: format!("input has no column `{name}`"),
    })
}

/// A string column as borrowed values.
pub(crate) fn strs<'a>(df: &'a DataFrame, name: &str, table: &str) -> Result<Vec<Option<&'a str>>, IndicatorError> {
    Ok(column(df, name, table)?.str().map_err(perr(table))?.iter().collect())
}

/// A numeric column as f64 (NaN counts as missing).
pub(crate) fn f64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<f64>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Float64).map_err(perr(table))?;
    let out = c.f64().map_err(perr(table))?.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
    Ok(out)
}

/// An integer column as i64.
pub(crate) fn i64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i64>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Int64).map_err(perr(table))?;
    let out = c.i64().map_err(perr(table))?.iter().collect();
    Ok(out)
}

/// A boolean column.
pub(crate) fn bools(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<bool>>, IndicatorError> {
    Ok(column(df, name, table)?.bool().map_err(perr(table))?.iter().collect())
}

/// A date column as days since 1970-01-01.
pub(crate) fn days(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i32>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Int32).map_err(perr(table))?;
    let out = c.i32().map_err(perr(table))?.iter().collect();
    Ok(out)
}

/// Row indices grouped by key, groups in key order, rows in input order.
pub(crate) fn group_by<K: Ord>(n: usize, mut key: impl FnMut(usize) -> Option<K>) -> BTreeMap<K, Vec<usize>> {
    let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        if let Some(k) = key(i) {
            groups.entry(k).or_default().push(i);
        }
    }
    groups
}

/// Row indices grouped by key, rows in input order, for lookups only (no key order):
/// a hash of the key instead of a string comparison per tree level.
pub(crate) fn index_by<K: Eq + std::hash::Hash>(
    n: usize,
    mut key: impl FnMut(usize) -> Option<K>,
) -> rustc_hash::FxHashMap<K, Vec<usize>> {
    let mut groups: rustc_hash::FxHashMap<K, Vec<usize>> = Default::default();
    for i in 0..n {
        if let Some(k) = key(i) {
            groups.entry(k).or_default().push(i);
        }
    }
    groups
}

/// The values of `v` at `idx`, missing ones as NaN (the statistics core ignores
/// non-finite values, and drops a pair whole when either side is).
pub(crate) fn pick(v: &[Option<f64>], idx: &[usize]) -> Vec<f64> {
    idx.iter().map(|&i| v[i].unwrap_or(f64::NAN)).collect()
}

/// An output frame built column by column.
pub(crate) struct Out {
    height: usize,
    cols: Vec<Column>,
}

impl Out {
    pub(crate) fn new(height: usize) -> Self {
        Out { height, cols: Vec::new() }
    }

    pub(crate) fn str<S: AsRef<str>>(mut self, name: &str, v: impl IntoIterator<Item = Option<S>>) -> Self {
        // Straight into the Arrow string array: no `String` per value.
        let ca: StringChunked = v.into_iter().collect();
        self.cols.push(ca.with_name(name.into()).into_column());
        self
    }

    pub(crate) fn f64(mut self, name: &str, v: impl IntoIterator<Item = Option<f64>>) -> Self {
        // A non-finite statistic is never published: it becomes null.
        let ca: Float64Chunked = v.into_iter().map(|x| x.filter(|x| x.is_finite())).collect();
        self.cols.push(ca.with_name(name.into()).into_column());
        self
    }

    pub(crate) fn int(mut self, name: &str, v: impl IntoIterator<Item = Option<i64>>) -> Self {
        let ca: Int64Chunked = v.into_iter().collect();
        self.cols.push(ca.with_name(name.into()).into_column());
        self
    }

    pub(crate) fn bool(mut self, name: &str, v: impl IntoIterator<Item = Option<bool>>) -> Self {
        let ca: BooleanChunked = v.into_iter().collect();
        self.cols.push(ca.with_name(name.into()).into_column());
        self
    }

    pub(crate) fn finish(self, table: &str) -> Result<DataFrame, IndicatorError> {
        DataFrame::new(self.height, self.cols).map_err(perr(table))
    }
}
