//! Streaming the two long warehouse tables (`course_ratings`, `survey_responses`, each
//! ≈ 2·10⁷ rows at 10⁶ cadres) into integer-keyed Rust structures.
//!
//! In: a [`Source`] — the Parquet files of a warehouse table, read one row group at a
//! time, or an in-memory frame (tests). Out: chunks of at most one row group, handed
//! to a callback, and [`Interner`]s that turn the string ids of those chunks into
//! dense `u32`s.
//!
//! Why: grouping 2·10⁷ rows by three string keys in polars (row-encoding the keys,
//! sorting by strings) was two thirds of the indicators stage and most of its memory.
//! Here every id string is hashed once per run of equal values (rows of one rater or
//! respondent are adjacent) and then only integers are grouped and sorted. Ids are
//! renumbered in byte order of their strings ([`Interner::finish`]), so sorting by the
//! integers is sorting by the strings: rows reach the statistics core in the same
//! order as the string-sorted plan gave them, and the results are bit-identical.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};
use rustc_hash::FxHashMap;

use super::frame::perr;
use crate::error::{IndicatorError, WarehouseError};

/// Where a long table's rows come from.
pub enum Source {
    /// The Parquet files of a warehouse table (sorted by path) and the columns to read.
    Files { table: &'static str, files: Vec<PathBuf>, columns: Vec<PlSmallStr> },
    /// A frame already in memory (tests, small inputs).
    Frame(DataFrame),
}

impl From<DataFrame> for Source {
    fn from(df: DataFrame) -> Self {
        Source::Frame(df)
    }
}

impl Source {
    /// The Parquet files of warehouse table `table`, reading `columns`.
    pub fn warehouse(warehouse: &Path, table: &'static str, columns: &[&str]) -> Result<Source, WarehouseError> {
        let mut files = Vec::new();
        collect_parquet(&warehouse.join(table), &mut files)
            .map_err(|e| WarehouseError::frame(format!("listing {table}"), e.to_string()))?;
        files.sort();
        Ok(Source::Files { table, files, columns: columns.iter().map(|c| (*c).into()).collect() })
    }

    /// Call `f` with every chunk of rows in file order: one row group at a time, so the
    /// memory held is two row groups' columns, not the table's. Every column of a chunk
    /// is one array ([`StrCol`] relies on it). The next row group is decoded while `f`
    /// works on the current one, on another core when one is free (`rayon::join`).
    pub fn for_each_chunk(
        &self,
        mut f: impl FnMut(&DataFrame) -> Result<(), IndicatorError> + Send,
    ) -> Result<(), IndicatorError> {
        match self {
            Source::Frame(df) => f(df.clone().rechunk_mut_par()),
            Source::Files { table, files, columns } => {
                let err = perr(table);
                let mut groups: Vec<(&PathBuf, usize, usize)> = Vec::new();
                for path in files {
                    let reader = File::open(path).map_err(|e| io(table, path, e))?;
                    let mut offset = 0;
                    for g in ParquetReader::new(reader).get_metadata().map_err(&err)?.row_groups.iter() {
                        groups.push((path, offset, g.num_rows()));
                        offset += g.num_rows();
                    }
                }
                let read = |k: usize| -> Result<Option<DataFrame>, IndicatorError> {
                    let Some(&(path, offset, n)) = groups.get(k) else { return Ok(None) };
                    let mut df = ParquetReader::new(File::open(path).map_err(|e| io(table, path, e))?)
                        .with_columns(Some(columns.iter().map(|c| c.to_string()).collect()))
                        .with_slice(Some((offset, n)))
                        .read_parallel(ParallelStrategy::None)
                        .finish()
                        .map_err(&err)?;
                    df.rechunk_mut_par();
                    Ok(Some(df))
                };
                let clock = std::time::Instant::now();
                let mut used = 0.0;
                let mut next = read(0)?;
                let mut k = 0;
                while let Some(df) = next.take() {
                    k += 1;
                    let (ahead, done) = rayon::join(
                        || read(k),
                        || {
                            let t = std::time::Instant::now();
                            let r = f(&df);
                            (r, t.elapsed().as_secs_f64())
                        },
                    );
                    used += done.1;
                    done.0?;
                    next = ahead?;
                }
                let total = clock.elapsed().as_secs_f64();
                tracing::debug!("{table}: {total:.2} s, of which {used:.2} s in the callback");
                Ok(())
            }
        }
    }
}

fn io(table: &str, path: &Path, e: std::io::Error) -> IndicatorError {
    IndicatorError::Compute { indicator: table.to_string(), message: format!("{}: {e}", path.display()) }
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_parquet(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
        }
    }
    Ok(())
}

/// One string column of a chunk (a single array), read value by value with each
/// value's *view*: 16 bytes that hold a value of ≤ 12 bytes whole, or its length and
/// place in the array's buffers. Equal views in one array are equal strings, so a run
/// of one id is recognised by comparing two integers.
pub struct StrCol<'a> {
    arr: &'a Utf8ViewArray,
    /// Distinguishes this array from every other (views compare only within one).
    serial: u64,
}

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl<'a> StrCol<'a> {
    pub fn new(df: &'a DataFrame, name: &str, table: &str) -> Result<StrCol<'a>, IndicatorError> {
        let ca = df
            .column(name)
            .map_err(|_| IndicatorError::Compute { indicator: table.to_string(), message: format!("no column `{name}`") })?
            .str()
            .map_err(perr(table))?;
        match ca.downcast_iter().collect::<Vec<_>>().as_slice() {
            [arr] => Ok(StrCol { arr, serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) }),
            _ => Err(IndicatorError::Compute {
                indicator: table.to_string(),
                message: format!("column `{name}` is not one array"),
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.arr.len()
    }

    /// The view of row `i`, `None` when null.
    #[inline]
    pub fn view(&self, i: usize) -> Option<View> {
        self.arr.is_valid(i).then(|| View { serial: self.serial, bits: self.arr.views()[i].as_u128() })
    }

    /// The string of row `i` (empty when null).
    #[inline]
    pub fn str(&self, i: usize) -> &'a str {
        self.arr.value(i)
    }
}

/// A value's identity within one array (see [`StrCol`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct View {
    serial: u64,
    bits: u128,
}

/// A function of a string column's values, remembered per distinct view of the
/// current array: for columns with few distinct values (indicator names, item ids,
/// waves) most rows cost a hash of 16 bytes instead of string comparisons.
pub struct ViewMemo<T> {
    serial: u64,
    memo: FxHashMap<u128, T>,
}

impl<T: Copy> Default for ViewMemo<T> {
    fn default() -> Self {
        ViewMemo { serial: u64::MAX, memo: FxHashMap::default() }
    }
}

impl<T: Copy> ViewMemo<T> {
    /// `f` of row `i` of `c` (`None` when null).
    #[inline]
    pub fn get(&mut self, c: &StrCol<'_>, i: usize, f: impl FnOnce(&str) -> T) -> Option<T> {
        let v = c.view(i)?;
        if v.serial != self.serial || self.memo.len() > 4096 {
            self.serial = v.serial;
            self.memo.clear();
        }
        Some(*self.memo.entry(v.bits).or_insert_with(|| f(c.str(i))))
    }
}

/// A numeric column of a chunk as f64.
pub fn f64_col(df: &DataFrame, name: &str, table: &str) -> Result<Float64Chunked, IndicatorError> {
    let c = df
        .column(name)
        .map_err(|_| IndicatorError::Compute { indicator: table.to_string(), message: format!("no column `{name}`") })?
        .cast(&DataType::Float64)
        .map_err(perr(table))?;
    Ok(c.f64().map_err(perr(table))?.clone())
}

/// Strings → dense `u32` ids in first-seen order. A repeat of the previous string
/// costs one comparison, not a hash.
#[derive(Default)]
pub struct Interner {
    map: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    last: Option<u32>,
    last_view: Option<(View, u32)>,
}

impl Interner {
    /// The id of row `i` of `c` (`None` when null); a repeat of the previous row's
    /// view costs one comparison.
    #[inline]
    pub fn id_at(&mut self, c: &StrCol<'_>, i: usize) -> Option<u32> {
        let v = c.view(i)?;
        if let Some((lv, id)) = self.last_view {
            if lv == v {
                return Some(id);
            }
        }
        let id = self.id(c.str(i));
        self.last_view = Some((v, id));
        Some(id)
    }

    /// The id of `s`, assigned on first sight.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(l) = self.last {
            if &*self.names[l as usize] == s {
                return l;
            }
        }
        let id = match self.map.get(s) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(s.into());
                self.map.insert(s.into(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// Renumber the ids in byte order of their strings: the sorted dictionary and, for
    /// every first-seen id, its new id.
    pub fn finish(self) -> (Dict, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut map = self.map;
        for v in map.values_mut() {
            *v = remap[*v as usize];
        }
        (Dict { map }, remap)
    }
}

/// Ids of a second key within a first (a rater or course within a class): one small
/// [`Interner`] per first key, so a lookup touches a table of tens of entries that
/// stays in cache instead of a 10⁶-entry one that misses on every new value.
#[derive(Default)]
pub struct Scoped {
    inner: Vec<Interner>,
}

impl Scoped {
    /// The id, within `outer`, of row `i` of `c` (`None` when null).
    #[inline]
    pub fn id_at(&mut self, outer: u32, c: &StrCol<'_>, i: usize) -> Option<u32> {
        let o = outer as usize;
        if o >= self.inner.len() {
            self.inner.resize_with(o + 1, Interner::default);
        }
        self.inner[o].id_at(c, i)
    }

    /// [`Interner::finish`] of every outer key, placed at the outer key's new id
    /// (`outer_remap` from the outer interner's `finish`).
    pub fn finish(self, outer_remap: &[u32]) -> Vec<(Dict, Vec<u32>)> {
        let mut out: Vec<(Dict, Vec<u32>)> = (0..outer_remap.len()).map(|_| Default::default()).collect();
        for (old, inner) in self.inner.into_iter().enumerate() {
            if let Some(&new) = outer_remap.get(old) {
                out[new as usize] = inner.finish();
            }
        }
        out
    }
}

/// Ids numbered in byte order of their strings.
#[derive(Default)]
pub struct Dict {
    map: FxHashMap<Box<str>, u32>,
}

impl Dict {
    /// The id of `s`, if it was seen.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }
}

/// Contiguous runs of equal keys in a sorted sequence: key → its index range.
pub fn runs<K: Eq + std::hash::Hash + Copy>(n: usize, key: impl Fn(usize) -> K) -> FxHashMap<K, std::ops::Range<usize>> {
    let mut out = FxHashMap::default();
    let mut start = 0;
    while start < n {
        let k = key(start);
        let mut end = start + 1;
        while end < n && key(end) == k {
            end += 1;
        }
        out.insert(k, start..end);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_ids_sort_like_their_strings() {
        let mut i = Interner::default();
        let ids: Vec<u32> = ["b", "b", "a", "c", "a", "b10", "b"].iter().map(|s| i.id(s)).collect();
        assert_eq!(ids, vec![0, 0, 1, 2, 1, 3, 0]);
        let (dict, remap) = i.finish();
        // a < b < b10 < c
        assert_eq!(remap, vec![1, 0, 3, 2]);
        assert_eq!((dict.get("a"), dict.get("b10"), dict.get("zz")), (Some(0), Some(2), None));
        assert_eq!(dict.get("c"), Some(3));
    }

    #[test]
    fn scoped_ids_sort_like_their_strings_within_each_outer_key() {
        let df = df!("k" => ["r2", "r1", "r2", "r9", "r1"]).unwrap();
        let c = StrCol::new(&df, "k", "t").unwrap();
        let mut s = Scoped::default();
        // Outer keys 1, 0, 1, 0, 1 (first-seen ids of some outer interner).
        let ids: Vec<u32> = [1, 0, 1, 0, 1].iter().enumerate().map(|(i, &o)| s.id_at(o, &c, i).unwrap()).collect();
        assert_eq!(ids, vec![0, 0, 0, 1, 1]);
        // The outer interner renumbered 0 -> 1 and 1 -> 0.
        let done = s.finish(&[1, 0]);
        // New outer 0 (old 1) saw r2, r2, r1: r1 < r2.
        assert_eq!(done[0].1, vec![1, 0]);
        assert_eq!((done[0].0.get("r1"), done[0].0.get("r9")), (Some(0), None));
        // New outer 1 (old 0) saw r1, r9.
        assert_eq!(done[1].1, vec![0, 1]);
    }

    #[test]
    fn runs_cover_every_row_once() {
        let keys = [1, 1, 2, 3, 3, 3];
        let r = runs(keys.len(), |i| keys[i]);
        assert_eq!((r[&1].clone(), r[&2].clone(), r[&3].clone()), (0..2, 2..3, 3..6));
        assert!(runs(0, |i| keys[i]).is_empty());
    }
}
