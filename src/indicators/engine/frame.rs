//! Small helpers shared by the indicator families: typed column access, grouping
//! row indices once by a key, and building an output frame column by column.
//!
//! Grouping is done once per table with an ordered map from key to row indices, so
//! groups come out sorted by key (deterministic output, no hash order) and each group
//! is then computed independently — in parallel where it pays (`rayon`).

use std::collections::BTreeMap;

use polars::prelude::*;
use polars_arrow::array::{Array, BooleanArray, MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::bitmap::MutableBitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::types::NativeType;

use crate::error::IndicatorError;

/// A polars error inside indicator `name`.
pub(crate) fn perr(name: &str) -> impl Fn(PolarsError) -> IndicatorError + '_ {
    move |e| IndicatorError::Compute { indicator: name.to_string(), message: e.to_string() }
}

/// A statistics-core misuse inside indicator `name` (a bug, reported not panicked).
pub(crate) fn serr(name: &str) -> impl Fn(crate::stats::StatsError) -> IndicatorError + '_ {
    move |e| IndicatorError::Compute { indicator: name.to_string(), message: e.to_string() }
}

pub(crate) fn column<'a>(df: &'a DataFrame, name: &str, table: &str) -> Result<&'a Column, IndicatorError> {
    df.column(name).map_err(|_| IndicatorError::Compute {
        indicator: table.to_string(),
        message: format!("input has no column `{name}`"),
    })
}

/// A string column as borrowed values.
pub(crate) fn strs<'a>(df: &'a DataFrame, name: &str, table: &str) -> Result<Vec<Option<&'a str>>, IndicatorError> {
    let ca = column(df, name, table)?.str().map_err(perr(table))?;
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend(arr.values_iter().map(Some)),
            Some(valid) => out.extend(arr.values_iter().zip(valid.iter()).map(|(v, ok)| ok.then_some(v))),
        }
    }
    Ok(out)
}

/// The values of a numeric column, array by array: a column without nulls is copied
/// without a validity test per value (the chunked iterator's per-value cost was most
/// of reading 10⁶-row columns).
fn natives<T: PolarsNumericType>(ca: &ChunkedArray<T>) -> Vec<Option<T::Native>> {
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend(arr.values().iter().map(|&v| Some(v))),
            Some(valid) => out.extend(arr.values().iter().zip(valid.iter()).map(|(&v, ok)| ok.then_some(v))),
        }
    }
    out
}

/// A numeric column as f64 (NaN counts as missing).
pub(crate) fn f64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<f64>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Float64).map_err(perr(table))?;
    let mut out = natives(c.f64().map_err(perr(table))?);
    for v in &mut out {
        if v.is_some_and(f64::is_nan) {
            *v = None;
        }
    }
    Ok(out)
}

/// An integer column as i64.
pub(crate) fn i64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i64>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Int64).map_err(perr(table))?;
    Ok(natives(c.i64().map_err(perr(table))?))
}

/// An integer column that may be absent (older warehouses): all nulls then.
pub(crate) fn optional_i64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i64>>, IndicatorError> {
    if df.column(name).is_ok() {
        i64s(df, name, table)
    } else {
        Ok(vec![None; df.height()])
    }
}

/// A boolean column.
pub(crate) fn bools(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<bool>>, IndicatorError> {
    Ok(column(df, name, table)?.bool().map_err(perr(table))?.iter().collect())
}

/// A date column as days since 1970-01-01.
pub(crate) fn days(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i32>>, IndicatorError> {
    let c = column(df, name, table)?.cast(&DataType::Int32).map_err(perr(table))?;
    Ok(natives(c.i32().map_err(perr(table))?))
}

/// A column's values read in place, row by row across its chunks: for the long tables,
/// where the vectors of [`strs`] and [`f64s`] (16 bytes a row, written once and read a
/// few times) cost more than the lookups.
pub(crate) struct InPlace<'a, A> {
    arrays: Vec<&'a A>,
    /// The row each array starts at.
    starts: Vec<usize>,
}

impl<'a, A: Array> InPlace<'a, A> {
    fn new(arrays: impl Iterator<Item = &'a A>) -> Self {
        let (mut all, mut starts, mut at) = (Vec::new(), Vec::new(), 0);
        for a in arrays {
            starts.push(at);
            at += a.len();
            all.push(a);
        }
        InPlace { arrays: all, starts }
    }

    /// The array holding row `i` and the row's place in it, when the value is valid.
    fn at(&self, i: usize) -> Option<(&'a A, usize)> {
        let k = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        let (a, j) = (self.arrays[k], i - self.starts[k]);
        (j < a.len() && a.is_valid(j)).then_some((a, j))
    }
}

impl<'a> InPlace<'a, Utf8ViewArray> {
    /// The text of row `i`, as [`strs`] gives it.
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        self.at(i).map(|(a, j)| a.value(j))
    }
}

impl<T: NativeType> InPlace<'_, PrimitiveArray<T>> {
    /// The value of row `i`.
    pub(crate) fn get(&self, i: usize) -> Option<T> {
        self.at(i).map(|(a, j)| a.value(j))
    }
}

/// A string column read in place.
pub(crate) fn str_view<'a>(
    df: &'a DataFrame,
    name: &str,
    table: &str,
) -> Result<InPlace<'a, Utf8ViewArray>, IndicatorError> {
    Ok(InPlace::new(column(df, name, table)?.str().map_err(perr(table))?.downcast_iter()))
}

/// A Float64 column read in place (NaN is a value here: test it where it means missing).
pub(crate) fn f64_view<'a>(
    df: &'a DataFrame,
    name: &str,
    table: &str,
) -> Result<InPlace<'a, PrimitiveArray<f64>>, IndicatorError> {
    Ok(InPlace::new(column(df, name, table)?.f64().map_err(perr(table))?.downcast_iter()))
}

/// A Date column read in place, as days since 1970-01-01 (as [`days`] gives them).
pub(crate) fn day_view<'a>(
    df: &'a DataFrame,
    name: &str,
    table: &str,
) -> Result<InPlace<'a, PrimitiveArray<i32>>, IndicatorError> {
    Ok(InPlace::new(column(df, name, table)?.date().map_err(perr(table))?.physical().downcast_iter()))
}

/// Row indices grouped by key, groups in key order, rows in input order. Rows are
/// grouped by hash (a run of rows with one key, as in a table sorted by class, costs
/// one comparison a row), and only the distinct keys are then put in order.
pub(crate) fn group_by<K: Ord + std::hash::Hash + Clone>(
    n: usize,
    key: impl FnMut(usize) -> Option<K>,
) -> BTreeMap<K, Vec<usize>> {
    hashed_groups(n, key).into_iter().collect()
}

/// Row indices grouped by key, rows in input order, for lookups only (no key order).
pub(crate) fn index_by<K: Eq + std::hash::Hash + Clone>(
    n: usize,
    key: impl FnMut(usize) -> Option<K>,
) -> rustc_hash::FxHashMap<K, Vec<usize>> {
    hashed_groups(n, key).into_iter().collect()
}

/// The groups of [`group_by`] in first-seen order.
fn hashed_groups<K: Eq + std::hash::Hash + Clone>(
    n: usize,
    mut key: impl FnMut(usize) -> Option<K>,
) -> Vec<(K, Vec<usize>)> {
    let mut at: rustc_hash::FxHashMap<K, usize> = Default::default();
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    let mut last: Option<(K, usize)> = None;
    for i in 0..n {
        let Some(k) = key(i) else { continue };
        let g = match &last {
            Some((prev, g)) if *prev == k => *g,
            _ => {
                let g = *at.entry(k.clone()).or_insert_with(|| {
                    groups.push((k.clone(), Vec::new()));
                    groups.len() - 1
                });
                last = Some((k, g));
                g
            }
        };
        groups[g].1.push(i);
    }
    groups
}

/// The values of `v` at `idx`, missing ones as NaN (the statistics core ignores
/// non-finite values, and drops a pair whole when either side is).
pub(crate) fn pick(v: &[Option<f64>], idx: &[usize]) -> Vec<f64> {
    idx.iter().map(|&i| v[i].unwrap_or(f64::NAN)).collect()
}

/// A nullable number column filled row by row straight into its Arrow buffers: values
/// and a validity bitmap, no `Option` per value and no second copy (a 10⁶-row table's
/// columns are written once, not gathered and then collected).
pub(crate) struct Nums<T: NativeType> {
    values: Vec<T>,
    valid: MutableBitmap,
}

impl<T: NativeType> Nums<T> {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Nums { values: Vec::with_capacity(n), valid: MutableBitmap::with_capacity(n) }
    }

    #[inline]
    pub(crate) fn push(&mut self, v: Option<T>) {
        self.values.push(v.unwrap_or_default());
        self.valid.push(v.is_some());
    }

    fn array(self) -> PrimitiveArray<T> {
        PrimitiveArray::new(ArrowDataType::from(T::PRIMITIVE), self.values.into(), self.valid.into())
    }
}

/// A nullable boolean column filled row by row (see [`Nums`]).
pub(crate) struct Bools {
    values: MutableBitmap,
    valid: MutableBitmap,
}

impl Bools {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Bools { values: MutableBitmap::with_capacity(n), valid: MutableBitmap::with_capacity(n) }
    }

    #[inline]
    pub(crate) fn push(&mut self, v: Option<bool>) {
        self.values.push(v.unwrap_or(false));
        self.valid.push(v.is_some());
    }
}

/// A nullable text column filled row by row (see [`Nums`]).
pub(crate) type Texts = MutableBinaryViewArray<str>;

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

    /// [`Out::f64`] of a column filled row by row (a non-finite value becomes null).
    pub(crate) fn f64s(mut self, name: &str, mut c: Nums<f64>) -> Self {
        for (i, x) in c.values.iter().enumerate() {
            if !x.is_finite() {
                c.valid.set(i, false);
            }
        }
        self.cols.push(Float64Chunked::with_chunk(name.into(), c.array()).into_column());
        self
    }

    /// [`Out::int`] of a column filled row by row.
    pub(crate) fn ints(mut self, name: &str, c: Nums<i64>) -> Self {
        self.cols.push(Int64Chunked::with_chunk(name.into(), c.array()).into_column());
        self
    }

    /// A boolean column filled row by row.
    pub(crate) fn bools(mut self, name: &str, c: Bools) -> Self {
        let arr = BooleanArray::new(ArrowDataType::Boolean, c.values.into(), c.valid.into());
        self.cols.push(BooleanChunked::with_chunk(name.into(), arr).into_column());
        self
    }

    /// [`Out::str`] of a column filled row by row.
    pub(crate) fn texts(mut self, name: &str, c: Texts) -> Self {
        self.cols.push(StringChunked::with_chunk(name.into(), c.freeze()).into_column());
        self
    }

    pub(crate) fn finish(self, table: &str) -> Result<DataFrame, IndicatorError> {
        DataFrame::new(self.height, self.cols).map_err(perr(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups come in key order with their rows in input order, whether a key's rows
    /// are adjacent or scattered; rows without a key are left out.
    #[test]
    fn groups_are_in_key_order_with_rows_in_input_order() {
        let keys = [Some("b"), Some("b"), None, Some("a"), Some("b"), Some("c"), Some("a"), Some("a")];
        let g = group_by(keys.len(), |i| keys[i]);
        let want: Vec<(&str, Vec<usize>)> = vec![("a", vec![3, 6, 7]), ("b", vec![0, 1, 4]), ("c", vec![5])];
        assert_eq!(g.into_iter().collect::<Vec<_>>(), want);
        let h = index_by(keys.len(), |i| keys[i]);
        assert_eq!((h.len(), &h["b"], h.get("z")), (3, &vec![0, 1, 4], None));
    }

    /// Views read every row of a frame of several chunks as the vectors give it: nulls,
    /// long and short texts, dates, and NaN kept as a value; rows past the end are None.
    #[test]
    fn views_read_rows_across_chunks_as_the_vectors_do() {
        let part = |t: [Option<&str>; 3], x: [Option<f64>; 3], d: [Option<i32>; 3]| {
            let mut df = df!("t" => t, "x" => x, "d" => d).unwrap();
            let d = df.column("d").unwrap().cast(&DataType::Date).unwrap();
            df.with_column(d).unwrap();
            df
        };
        let mut df = part(
            [Some("a"), None, Some("a text longer than twelve bytes")],
            [Some(1.5), None, Some(-0.0)],
            [Some(0), Some(-3), None],
        );
        df.vstack_mut(&part(
            [None, Some("b"), Some("")],
            [Some(f64::NAN), Some(2.0), None],
            [Some(19000), None, Some(7)],
        ))
        .unwrap();
        df.vstack_mut(&part([Some("c"), Some("d"), None], [None, Some(3.0), Some(4.0)], [Some(1), Some(2), Some(3)]))
            .unwrap();
        assert_eq!(df.column("t").unwrap().n_chunks(), 3);
        let (t, x, d) =
            (str_view(&df, "t", "t").unwrap(), f64_view(&df, "x", "t").unwrap(), day_view(&df, "d", "t").unwrap());
        let (ts, xs, ds) = (strs(&df, "t", "t").unwrap(), f64s(&df, "x", "t").unwrap(), days(&df, "d", "t").unwrap());
        for i in 0..df.height() {
            assert_eq!(t.get(i), ts[i], "row {i}");
            assert_eq!(d.get(i), ds[i], "row {i}");
            // f64s reads NaN as missing; the view leaves that to its caller.
            assert_eq!(x.get(i).filter(|v| !v.is_nan()).map(f64::to_bits), xs[i].map(f64::to_bits), "row {i}");
        }
        assert!(x.get(3).is_some_and(f64::is_nan));
        assert_eq!((t.get(9), x.get(9), d.get(100)), (None, None, None));
        assert!(f64_view(&df, "t", "t").is_err() && str_view(&df, "nope", "t").is_err());
    }

    /// Columns filled row by row give the frame the iterator-built columns give:
    /// nulls, and non-finite numbers published as nulls.
    #[test]
    fn columns_filled_row_by_row_match_collected_ones() {
        let f = [Some(1.5), None, Some(f64::NAN), Some(f64::INFINITY), Some(-0.0)];
        let i = [Some(3), None, Some(-7), Some(0), None];
        let b = [Some(true), None, Some(false), Some(true), None];
        let t = [Some("甲"), None, Some("a rather long text, more than twelve bytes"), Some(""), Some("=1")];
        let (mut nf, mut ni, mut nb, mut nt) =
            (Nums::with_capacity(5), Nums::with_capacity(5), Bools::with_capacity(5), Texts::with_capacity(5));
        for k in 0..5 {
            nf.push(f[k]);
            ni.push(i[k]);
            nb.push(b[k]);
            nt.push(t[k]);
        }
        let filled = Out::new(5).f64s("f", nf).ints("i", ni).bools("b", nb).texts("t", nt).finish("t").unwrap();
        let bools: BooleanChunked = b.iter().copied().collect();
        let collected = Out::new(5)
            .f64("f", f)
            .int("i", i)
            .str("t", t)
            .finish("t")
            .unwrap()
            .hstack(&[bools.with_name("b".into()).into_column()])
            .unwrap()
            .select(["f", "i", "b", "t"])
            .unwrap();
        assert!(filled.equals_missing(&collected), "{filled}\n{collected}");
        assert_eq!(filled.column("f").unwrap().null_count(), 3);
        // No nulls: no validity bitmap at all.
        let mut all = Nums::<i64>::with_capacity(2);
        all.push(Some(1));
        all.push(Some(2));
        assert!(all.array().validity().is_none());
    }
}
