//! Streaming the two long warehouse tables (`course_ratings`, `survey_responses`, each
//! ≈ 2·10⁷ rows at 10⁶ cadres) into integer-keyed Rust structures.
//!
//! In: a [`LongTable`] — the Parquet files of a warehouse table, read one row group at a
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
use std::hash::BuildHasher;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use hashbrown::HashTable;
use polars::prelude::*;
use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field, IntegerType, Metadata, DTYPE_CATEGORICAL_NEW};
use polars_parquet::read::{
    column_iter_to_arrays, infer_schema, read_metadata, BasicDecompressor, FileMetadata, PageReader,
};
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::frame::perr;
use crate::error::{IndicatorError, WarehouseError};

/// Where a long table's rows come from.
pub enum LongTable {
    /// The Parquet files of a warehouse table (sorted by path) and the columns to read.
    Files { table: &'static str, files: Vec<PathBuf>, columns: Vec<PlSmallStr> },
    /// A frame already in memory (tests, small inputs).
    Frame(DataFrame),
}

impl From<DataFrame> for LongTable {
    fn from(df: DataFrame) -> Self {
        LongTable::Frame(df)
    }
}

/// The rows of one row group (or of an in-memory frame): one Arrow array per column.
/// A string column that the file stores dictionary-encoded arrives as its dictionary
/// keys and the row group's dictionary ([`StrCol`] reads both kinds).
pub(super) struct Chunk {
    columns: Vec<(PlSmallStr, Box<dyn Array>)>,
}

impl Chunk {
    fn column(&self, name: &str, table: &str) -> Result<&dyn Array, IndicatorError> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a.as_ref())
            .ok_or_else(|| compute_err(table, format!("no column `{name}`")))
    }

    /// String column `name`.
    pub fn str(&self, name: &str, table: &str) -> Result<StrCol<'_>, IndicatorError> {
        let arr = self.column(name, table)?;
        let any = arr.as_any();
        let kind = if let Some(a) = any.downcast_ref::<Utf8ViewArray>() {
            Kind::Views(a)
        } else if let Some(d) = any.downcast_ref::<DictionaryArray<u32>>() {
            match d.values().as_any().downcast_ref::<Utf8ViewArray>() {
                Some(values) => Kind::Keys { keys: d.keys(), values },
                None => return Err(compute_err(table, format!("column `{name}` is not text"))),
            }
        } else {
            return Err(compute_err(table, format!("column `{name}` is not text ({:?})", arr.dtype())));
        };
        Ok(StrCol { kind, serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) })
    }

    /// Numeric column `name` as f64 (nulls stay null).
    pub fn f64(&self, name: &str, table: &str) -> Result<PrimitiveArray<f64>, IndicatorError> {
        let arr = self.column(name, table)?;
        if let Some(a) = arr.as_any().downcast_ref::<PrimitiveArray<f64>>() {
            return Ok(a.clone());
        }
        let cast = polars::polars_compute::cast::cast(arr, &ArrowDataType::Float64, Default::default())
            .map_err(|e| compute_err(table, format!("column `{name}`: {e}")))?;
        cast.as_any()
            .downcast_ref::<PrimitiveArray<f64>>()
            .cloned()
            .ok_or_else(|| compute_err(table, format!("column `{name}` is not numeric")))
    }

    /// The columns of `df` (rechunked to one array each; text as string views).
    fn of_frame(df: &DataFrame) -> Chunk {
        let columns = df
            .columns()
            .iter()
            .map(|c| {
                let s = c.as_materialized_series().rechunk();
                (c.name().clone(), s.to_arrow(0, CompatLevel::newest()))
            })
            .collect();
        Chunk { columns }
    }
}

fn compute_err(table: &str, message: String) -> IndicatorError {
    IndicatorError::Compute { indicator: table.to_string(), message }
}

/// One Parquet file of a [`LongTable`]: its metadata and Arrow schema, read once.
struct ParquetFile<'a> {
    path: &'a Path,
    meta: FileMetadata,
    schema: ArrowSchema,
}

impl ParquetFile<'_> {
    fn open<'a>(path: &'a Path, table: &str) -> Result<ParquetFile<'a>, IndicatorError> {
        let mut file = File::open(path).map_err(|e| io(table, path, e))?;
        let meta = read_metadata(&mut file).map_err(perr(table))?;
        let schema = infer_schema(&meta).map_err(perr(table))?;
        Ok(ParquetFile { path, meta, schema })
    }

    /// Row group `g`'s `columns`: each column chunk read from disk, decompressed and
    /// decoded with polars' Parquet decoders. A text column whose pages are all
    /// dictionary-encoded (what `build` writes for ids with repeats) is decoded to its
    /// keys, which costs a fraction of materialising a string view per row.
    fn read_group(&self, g: usize, columns: &[PlSmallStr], table: &str) -> Result<Chunk, IndicatorError> {
        let mut file = File::open(self.path).map_err(|e| io(table, self.path, e))?;
        let out = columns
            .iter()
            .map(|name| self.read_column(&mut file, g, name, TextAs::Keys, table).map(|a| (name.clone(), a)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Chunk { columns: out })
    }

    /// Column `name` of row group `g`, read from disk, decompressed and decoded with
    /// polars' Parquet decoders; text as `text` asks (keys when every page is
    /// dictionary-encoded, else views).
    fn read_column(
        &self,
        file: &mut File,
        g: usize,
        name: &PlSmallStr,
        text: TextAs,
        table: &str,
    ) -> Result<Box<dyn Array>, IndicatorError> {
        let rg = &self.meta.row_groups[g];
        let missing = || compute_err(table, format!("{}: no column `{name}`", self.path.display()));
        let meta = rg.columns_under_root_iter(name).and_then(|mut c| c.next()).ok_or_else(missing)?;
        let field = self.schema.get(name).ok_or_else(missing)?;
        let range = meta.byte_range();
        let mut bytes = vec![0u8; (range.end - range.start) as usize];
        file.seek(SeekFrom::Start(range.start))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| io(table, self.path, e))?;
        let bytes: polars_buffer::Buffer<u8> = bytes.into();
        let decode = |field: Field| -> PolarsResult<Box<dyn Array>> {
            let pages = PageReader::new(Cursor::new(bytes.clone()), meta, vec![], usize::MAX);
            let ptype = &meta.descriptor().descriptor.primitive_type;
            let (arrays, _) =
                column_iter_to_arrays(vec![BasicDecompressor::new(pages, vec![])], vec![ptype], field, None)?;
            match arrays.as_slice() {
                [one] => Ok(one.clone()),
                many => {
                    let refs: Vec<&dyn Array> = many.iter().map(|a| a.as_ref()).collect();
                    polars_arrow::compute::concatenate::concatenate(&refs)
                }
            }
        };
        let array = if is_text(field.dtype()) && text == TextAs::Views {
            decode(Field::new(name.clone(), ArrowDataType::Utf8View, true))
        } else if is_text(field.dtype()) {
            let views = Field::new(name.clone(), ArrowDataType::Utf8View, true);
            let mut marker = Metadata::new();
            marker.insert(DTYPE_CATEGORICAL_NEW.into(), PlSmallStr::EMPTY);
            let keys = views
                .clone()
                .with_dtype(ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(ArrowDataType::Utf8View), false))
                .with_metadata(marker);
            // Pages that are not all dictionary-encoded are decoded to views.
            decode(keys).or_else(|_| decode(views))
        } else {
            decode(field.clone())
        }
        .map_err(|e| compute_err(table, format!("{}: column `{name}`: {e}", self.path.display())))?;
        if array.len() != rg.num_rows() {
            return Err(compute_err(
                table,
                format!(
                    "{}: column `{name}` has {} rows, its row group {}",
                    self.path.display(),
                    array.len(),
                    rg.num_rows()
                ),
            ));
        }
        Ok(array)
    }
}

/// How text columns are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextAs {
    /// Dictionary keys when the pages allow (the streaming families).
    Keys,
    /// String views (frames for polars).
    Views,
}

/// `columns` of warehouse table `table` as one frame, each row group a chunk: decoded
/// here, column by column in parallel on the calling pool (polars' reader ran on its
/// own threads, whose freed pages the families' threads could not reuse, and copied
/// its row groups into one), with the hive partition `year` (Int32) taken from the
/// path when asked for. `None` when the table has no Parquet file (the caller reads the
/// empty table its own way).
pub fn read_frame(
    warehouse: &Path,
    table: &'static str,
    columns: &[&str],
) -> Result<Option<DataFrame>, IndicatorError> {
    let mut files = Vec::new();
    collect_parquet(&warehouse.join(table), &mut files).map_err(|e| compute_err(table, e.to_string()))?;
    files.sort();
    if files.is_empty() {
        return Ok(None);
    }
    let mut out: Option<DataFrame> = None;
    for path in &files {
        let f = ParquetFile::open(path, table)?;
        let year: Option<i32> =
            path.components().filter_map(|c| c.as_os_str().to_str()?.strip_prefix("year=")?.parse().ok()).next_back();
        for g in 0..f.meta.row_groups.len() {
            let rows = f.meta.row_groups[g].num_rows();
            let cols = columns
                .par_iter()
                .map(|&name| -> Result<Column, IndicatorError> {
                    if f.schema.get(name).is_none() && name == "year" {
                        return Ok(Column::new_scalar(
                            name.into(),
                            Scalar::new(DataType::Int32, year.map_or(AnyValue::Null, AnyValue::Int32)),
                            rows,
                        ));
                    }
                    let mut file = File::open(path).map_err(|e| io(table, path, e))?;
                    let array = f.read_column(&mut file, g, &name.into(), TextAs::Views, table)?;
                    let series = Series::from_arrow(name.into(), without_unused_buffers(array)).map_err(perr(table))?;
                    Ok(series.into_column())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let df = DataFrame::new(rows, cols).map_err(perr(table))?;
            match &mut out {
                Some(all) => {
                    all.vstack_mut_owned(df).map_err(perr(table))?;
                }
                None => out = Some(df),
            }
        }
    }
    Ok(out)
}

/// `array` without the data buffers of a text array whose every value is inline in
/// its view (at most 12 bytes, as the ids are): the decoder keeps the page's or the
/// dictionary's bytes all the same, a third more memory than the views themselves.
fn without_unused_buffers(array: Box<dyn Array>) -> Box<dyn Array> {
    let Some(a) = array.as_any().downcast_ref::<Utf8ViewArray>() else { return array };
    if a.data_buffers().is_empty() || !a.views().iter().all(|v| v.is_inline()) {
        return array;
    }
    // SAFETY: the views and validity are those of a valid array, unchanged, so every
    // value is still valid UTF-8 of the same length; an inline view holds its bytes
    // and refers to no buffer, so none is needed.
    let slim = unsafe {
        Utf8ViewArray::new_unchecked(
            a.dtype().clone(),
            a.views().clone(),
            Default::default(),
            a.validity().cloned(),
            Some(a.total_bytes_len()),
            0,
        )
    };
    Box::new(slim)
}

/// Text, or text stored as an Arrow dictionary (a categorical written by another tool).
fn is_text(t: &ArrowDataType) -> bool {
    match t {
        ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View => true,
        ArrowDataType::Dictionary(_, values, _) => is_text(values),
        _ => false,
    }
}

impl LongTable {
    /// The Parquet files of warehouse table `table`, reading `columns`.
    pub fn warehouse(warehouse: &Path, table: &'static str, columns: &[&str]) -> Result<LongTable, WarehouseError> {
        let mut files = Vec::new();
        collect_parquet(&warehouse.join(table), &mut files)
            .map_err(|e| WarehouseError::frame(format!("listing {table}"), e.to_string()))?;
        files.sort();
        Ok(LongTable::Files { table, files, columns: columns.iter().map(|c| (*c).into()).collect() })
    }

    /// The rows of one year only: the files of the `year=<year>` partition (a frame in
    /// memory has no partitions and is kept whole).
    pub fn in_year(&self, year: i64) -> LongTable {
        match self {
            LongTable::Frame(df) => LongTable::Frame(df.clone()),
            LongTable::Files { table, files, columns } => {
                let part = format!("year={year}");
                let files = files.iter().filter(|p| p.components().any(|c| c.as_os_str() == part.as_str())).cloned();
                LongTable::Files { table, files: files.collect(), columns: columns.clone() }
            }
        }
    }

    /// Rows in the source (from the files' metadata).
    pub(super) fn rows(&self) -> Result<usize, IndicatorError> {
        match self {
            LongTable::Frame(df) => Ok(df.height()),
            LongTable::Files { table, files, .. } => {
                files.iter().map(|p| ParquetFile::open(p, table).map(|f| f.meta.num_rows)).sum()
            }
        }
    }

    /// Call `f` with every chunk of rows in file order: one row group at a time, so the
    /// memory held is two row groups' columns, not the table's. The next row group is
    /// decoded while `f` works on the current one, on another core when one is free
    /// (`rayon::join`).
    pub(super) fn for_each_chunk(
        &self,
        mut f: impl FnMut(&Chunk) -> Result<(), IndicatorError> + Send,
    ) -> Result<(), IndicatorError> {
        match self {
            LongTable::Frame(df) => f(&Chunk::of_frame(df)),
            LongTable::Files { table, files, columns } => {
                let opened = files.iter().map(|p| ParquetFile::open(p, table)).collect::<Result<Vec<_>, _>>()?;
                let groups: Vec<(&ParquetFile, usize)> =
                    opened.iter().flat_map(|f| (0..f.meta.row_groups.len()).map(move |g| (f, g))).collect();
                let read = |k: usize| -> Result<Option<Chunk>, IndicatorError> {
                    groups.get(k).map(|&(file, g)| file.read_group(g, columns, table)).transpose()
                };
                let clock = std::time::Instant::now();
                let mut used = 0.0;
                let mut next = read(0)?;
                let mut k = 0;
                while let Some(chunk) = next.take() {
                    k += 1;
                    let (ahead, done) = rayon::join(
                        || read(k),
                        || {
                            let t = std::time::Instant::now();
                            let r = f(&chunk);
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

#[cfg(test)]
impl LongTable {
    /// `df` written as one Parquet file of `rows`-row groups (text with repeats
    /// dictionary-encoded, as `build` writes it) and read back as files: the streaming
    /// families' tests run both readings. Every text column must arrive as dictionary
    /// keys without nulls, so the by-key paths are the ones tested. The file lives as
    /// long as the returned directory.
    pub(crate) fn parquet_for_test(df: &DataFrame, rows: usize) -> (tempfile::TempDir, LongTable) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        ParquetWriter::new(File::create(&path).unwrap())
            .with_row_group_size(Some(rows))
            .finish(&mut df.clone())
            .unwrap();
        let columns: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
        let source = LongTable::Files { table: "t", files: vec![path], columns: columns.clone() };
        source
            .for_each_chunk(|c| {
                for name in columns.iter().filter(|n| df.column(n).is_ok_and(|c| c.dtype() == &DataType::String)) {
                    assert!(c.str(name, "t")?.dense_keys().is_some(), "{name} did not arrive as keys");
                }
                Ok(())
            })
            .unwrap();
        (dir, source)
    }
}

fn io(table: &str, path: &Path, e: std::io::Error) -> IndicatorError {
    compute_err(table, format!("{}: {e}", path.display()))
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

/// One string column of a chunk, read value by value with each value's identity
/// within the column: its dictionary key when the column arrived as keys, else its
/// *view* (16 bytes that hold a value of ≤ 12 bytes whole, or its length and place in
/// the array's buffers). Equal identities are equal strings (the converse need not
/// hold), so a run of one id is recognised by comparing two integers.
pub(super) struct StrCol<'a> {
    kind: Kind<'a>,
    /// Distinguishes this column from every other (identities compare only within one).
    serial: u64,
}

enum Kind<'a> {
    Views(&'a Utf8ViewArray),
    Keys { keys: &'a PrimitiveArray<u32>, values: &'a Utf8ViewArray },
}

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl<'a> StrCol<'a> {
    pub fn len(&self) -> usize {
        match self.kind {
            Kind::Views(a) => a.len(),
            Kind::Keys { keys, .. } => keys.len(),
        }
    }

    /// The identity of row `i`'s value, `None` when null.
    #[inline]
    pub fn view(&self, i: usize) -> Option<ValueId> {
        let bits = match self.kind {
            Kind::Views(a) => a.is_valid(i).then(|| a.views()[i].as_u128()),
            Kind::Keys { keys, .. } => keys.is_valid(i).then(|| keys.value(i) as u128),
        }?;
        Some(ValueId { serial: self.serial, bits })
    }

    /// The dictionary keys of every row and the dictionary's length, when the column
    /// arrived as keys without nulls: the streaming families' fast path, which compares
    /// keys and looks values up by key without a per-row null test.
    pub fn dense_keys(&self) -> Option<(&'a [u32], usize)> {
        match self.kind {
            Kind::Keys { keys, values } if keys.null_count() == 0 => Some((keys.values().as_slice(), values.len())),
            _ => None,
        }
    }

    /// The dictionary value of key `k` (empty for a column that is not keys).
    pub fn key_str(&self, k: u32) -> &'a str {
        match self.kind {
            Kind::Keys { values, .. } if (k as usize) < values.len() => values.value(k as usize),
            _ => "",
        }
    }

    /// Whether the column arrived as dictionary keys.
    #[cfg(test)]
    fn is_keys(&self) -> bool {
        matches!(self.kind, Kind::Keys { .. })
    }

    /// The string of row `i` (empty when null).
    #[inline]
    pub fn str(&self, i: usize) -> &'a str {
        match self.kind {
            Kind::Views(a) => a.value(i),
            Kind::Keys { keys, values } => {
                if keys.is_valid(i) {
                    values.value(keys.value(i) as usize)
                } else {
                    ""
                }
            }
        }
    }
}

/// A value's identity within one column (see [`StrCol`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct ValueId {
    serial: u64,
    bits: u128,
}

/// A function of a string column's values, remembered per distinct value of the
/// current column: for columns with few distinct values (indicator names, item ids,
/// waves) most rows cost an array index (dictionary keys) or a hash of 16 bytes (views)
/// instead of string comparisons.
pub(super) struct ViewMemo<T> {
    serial: u64,
    memo: FxHashMap<u128, T>,
    /// By dictionary key, when the column arrived as keys.
    by_key: Vec<Option<T>>,
}

impl<T: Copy> Default for ViewMemo<T> {
    fn default() -> Self {
        ViewMemo { serial: u64::MAX, memo: FxHashMap::default(), by_key: Vec::new() }
    }
}

impl<T: Copy> ViewMemo<T> {
    /// `f` of row `i` of `c` (`None` when null).
    #[inline]
    pub fn get(&mut self, c: &StrCol<'_>, i: usize, f: impl FnOnce(&str) -> T) -> Option<T> {
        if let Kind::Keys { keys, values } = c.kind {
            if c.serial != self.serial {
                self.serial = c.serial;
                self.by_key.clear();
                self.by_key.resize(values.len(), None);
            }
            if !keys.is_valid(i) {
                return None;
            }
            let k = keys.value(i) as usize;
            let slot = self.by_key.get_mut(k)?;
            return Some(*slot.get_or_insert_with(|| f(values.value(k))));
        }
        let v = c.view(i)?;
        if v.serial != self.serial || self.memo.len() > 4096 {
            self.serial = v.serial;
            self.memo.clear();
        }
        Some(*self.memo.entry(v.bits).or_insert_with(|| f(c.str(i))))
    }
}

/// Strings → dense `u32` ids in first-seen order. A repeat of the previous string
/// costs one comparison, not a hash. The strings are kept end to end in one buffer and
/// the table holds only ids, so a new string costs a copy, not an allocation.
#[derive(Default)]
pub(super) struct Interner {
    names: Names,
    table: HashTable<u32>,
    last: Option<u32>,
    last_view: Option<(ValueId, u32)>,
}

/// Strings end to end, each found by its id.
#[derive(Default)]
struct Names {
    text: String,
    /// Where each string ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
}

impl Names {
    fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }
}

fn hash_str(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
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

    /// The id of `s`, if it was seen.
    pub fn find(&self, s: &str) -> Option<u32> {
        self.table.find(hash_str(s), |&id| self.names.get(id) == s).copied()
    }

    /// The string of first-seen id `id` (an id this interner gave).
    #[cfg(test)]
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id)
    }

    /// The id of `s`, assigned on first sight.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(l) = self.last {
            if self.names.get(l) == s {
                return l;
            }
        }
        let Interner { names, table, .. } = self;
        let h = hash_str(s);
        let id = match table.find(h, |&id| names.get(id) == s) {
            Some(&id) => id,
            None => {
                let id = names.push(s);
                table.insert_unique(h, id, |&id| hash_str(names.get(id)));
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// For every first-seen id, its rank in byte order of the strings seen so far.
    pub fn ranks(&self) -> Vec<u32> {
        let names = &self.names;
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| names.get(a).cmp(names.get(b)));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        remap
    }

    /// Renumber the ids in byte order of their strings: the sorted dictionary and, for
    /// every first-seen id, its new id.
    pub fn finish(self) -> (Dict, Vec<u32>) {
        let remap = self.ranks();
        (Dict { names: self.names, table: self.table, remap: remap.clone() }, remap)
    }
}

/// Ids of a second key within a first (a rater or course within a class): one small
/// [`Interner`] per first key, so a lookup touches a table of tens of entries that
/// stays in cache instead of a 10⁶-entry one that misses on every new value.
/// When the column arrived as dictionary keys, the last (outer, id) met for each key
/// is remembered, so a value seen again (even after other values) costs an array index.
pub(super) struct Scoped {
    inner: Vec<Interner>,
    serial: u64,
    /// By dictionary key of the current column: (outer, id), `u32::MAX` when not met.
    by_key: Vec<(u32, u32)>,
}

impl Default for Scoped {
    fn default() -> Self {
        Scoped { inner: Vec::new(), serial: u64::MAX, by_key: Vec::new() }
    }
}

impl Scoped {
    /// The id, within `outer`, of row `i` of `c` (`None` when null).
    #[inline]
    pub fn id_at(&mut self, outer: u32, c: &StrCol<'_>, i: usize) -> Option<u32> {
        let o = outer as usize;
        if o >= self.inner.len() {
            self.inner.resize_with(o + 1, Interner::default);
        }
        if let Kind::Keys { keys, values } = c.kind {
            if c.serial != self.serial {
                self.serial = c.serial;
                self.by_key.clear();
                self.by_key.resize(values.len(), (u32::MAX, 0));
            }
            if !keys.is_valid(i) {
                return None;
            }
            let k = keys.value(i) as usize;
            if let Some(&(seen, id)) = self.by_key.get(k) {
                if seen == outer {
                    return Some(id);
                }
            }
            let id = self.inner[o].id(values.value(k));
            if let Some(slot) = self.by_key.get_mut(k) {
                *slot = (outer, id);
            }
            return Some(id);
        }
        self.inner[o].id_at(c, i)
    }

    /// The id of `s` within `outer`, if it was seen.
    pub fn find(&self, outer: u32, s: &str) -> Option<u32> {
        self.inner.get(outer as usize)?.find(s)
    }

    /// The string of first-seen id `id` within `outer` (ids this table gave).
    #[cfg(test)]
    pub fn name(&self, outer: u32, id: u32) -> &str {
        self.inner[outer as usize].name(id)
    }

    /// [`Interner::ranks`] of the ids met so far within `outer` (a first-seen outer id).
    pub fn ranks(&self, outer: u32) -> Vec<u32> {
        self.inner.get(outer as usize).map(Interner::ranks).unwrap_or_default()
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
pub(super) struct Dict {
    names: Names,
    /// First-seen ids.
    table: HashTable<u32>,
    /// First-seen id → id in byte order.
    remap: Vec<u32>,
}

impl Dict {
    /// The strings in id order (byte order).
    #[cfg(test)]
    pub fn sorted(&self) -> Vec<&str> {
        let mut out = vec![""; self.remap.len()];
        for (old, &new) in self.remap.iter().enumerate() {
            out[new as usize] = self.names.get(old as u32);
        }
        out
    }

    /// The id of `s`, if it was seen.
    pub fn get(&self, s: &str) -> Option<u32> {
        let old = self.table.find(hash_str(s), |&id| self.names.get(id) == s)?;
        Some(self.remap[*old as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partitioned table of two files and several row groups (text with and without
    /// repeats, nulls, dates, booleans, integers, floats) reads as the frames written,
    /// one after the other, with `year` from the paths.
    #[test]
    fn frames_read_as_written_with_the_partition_year() {
        let dir = tempfile::tempdir().unwrap();
        let part = |year: i32, n: usize| {
            let mut df = df!(
                "cadre_id" => (0..n).map(|i| format!("C{year}-{:03}", i / 3)).collect::<Vec<_>>(),
                "kind" => (0..n).map(|i| (i % 4 != 1).then_some(if i % 2 == 0 { "annual" } else { "key_node" })).collect::<Vec<_>>(),
                "total" => (0..n).map(|i| (i % 5 != 2).then_some(60.0 + i as f64 / 8.0)).collect::<Vec<_>>(),
                "flags" => (0..n as i64).map(|i| (i % 6 != 0).then_some(i % 3)).collect::<Vec<_>>(),
                "done" => (0..n).map(|i| (i % 7 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>(),
                "title" => (0..n).map(|i| (i % 8 != 3).then(|| format!("a title longer than a view {}", i % 5))).collect::<Vec<_>>(),
            )
            .unwrap();
            let days: Vec<Option<i32>> = (0..n).map(|i| (i % 9 != 4).then_some(19_000 + i as i32)).collect();
            df.with_column(Column::new("review_date".into(), days).cast(&DataType::Date).unwrap()).unwrap();
            let path = dir.path().join("reviews").join(format!("year={year}"));
            std::fs::create_dir_all(&path).unwrap();
            let file = File::create(path.join("part-reviews.parquet")).unwrap();
            ParquetWriter::new(file).with_row_group_size(Some(40)).finish(&mut df.clone()).unwrap();
            df.with_column(Column::new("year".into(), vec![year; n])).unwrap();
            df
        };
        let (a, b) = (part(2024, 100), part(2025, 57));
        let cols = ["cadre_id", "review_date", "kind", "total", "flags", "done", "title", "year"];
        let got = read_frame(dir.path(), "reviews", &cols).unwrap().unwrap();
        let mut want = a.select(cols).unwrap();
        want.vstack_mut(&b.select(cols).unwrap()).unwrap();
        assert_eq!(got.schema(), want.schema());
        assert!(got.equals_missing(&want));
        assert!(got.first_col_n_chunks() > 2, "row groups are kept as chunks");
        // Text that fits in its views keeps no data buffers; longer text keeps its own.
        let buffers = |name: &str| -> usize {
            got.column(name).unwrap().str().unwrap().downcast_iter().map(|a| a.data_buffers().len()).sum()
        };
        assert_eq!((buffers("cadre_id"), buffers("kind")), (0, 0));
        assert!(buffers("title") > 0);
        assert!(read_frame(dir.path(), "units", &["unit_id"]).unwrap().is_none(), "no file");
    }

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
        let chunk = Chunk::of_frame(&df!("k" => ["r2", "r1", "r2", "r9", "r1"]).unwrap());
        let c = chunk.str("k", "t").unwrap();
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

    /// Every row group of a file with a repetitive text column (dictionary-encoded), a
    /// text column of distinct values, nulls, and integer and float columns, read
    /// through [`LongTable::for_each_chunk`], gives the values polars reads.
    #[test]
    fn row_groups_read_as_polars_reads_them() {
        let n = 2000;
        let mut df = df!(
            "class" => (0..n).map(|i| format!("class-{}", i / 300)).collect::<Vec<_>>(),
            "unique" => (0..n).map(|i| (i % 7 != 3).then(|| format!("a rather long distinct value {i}"))).collect::<Vec<_>>(),
            "sparse" => (0..n).map(|i| (i % 5 == 0).then_some("x")).collect::<Vec<_>>(),
            "count" => (0..n as i64).map(|i| (i % 11 != 0).then_some(i)).collect::<Vec<_>>(),
            "score" => (0..n).map(|i| (i % 13 != 0).then_some(i as f64 / 4.0)).collect::<Vec<_>>(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        ParquetWriter::new(File::create(&path).unwrap()).with_row_group_size(Some(700)).finish(&mut df).unwrap();
        let names = ["class", "unique", "sparse", "count", "score"];
        let source =
            LongTable::Files { table: "t", files: vec![path], columns: names.iter().map(|c| (*c).into()).collect() };
        let (mut text, mut nums, mut chunks) = (vec![Vec::new(); 3], vec![Vec::new(); 2], 0);
        let (mut keyed, mut viewed) = (false, false);
        source
            .for_each_chunk(|c| {
                chunks += 1;
                for (k, name) in names[..3].iter().enumerate() {
                    let col = c.str(name, "t")?;
                    keyed |= k == 0 && col.is_keys();
                    viewed |= k == 1 && !col.is_keys();
                    text[k].extend((0..col.len()).map(|i| col.view(i).map(|_| col.str(i).to_string())));
                }
                for (k, name) in names[3..].iter().enumerate() {
                    nums[k].extend(c.f64(name, "t")?.iter().map(|x| x.copied()));
                }
                Ok(())
            })
            .unwrap();
        assert!(chunks >= 2, "{chunks} row groups");
        assert!(keyed, "the repetitive column should arrive as dictionary keys");
        assert!(viewed, "the distinct values should be stored plain and arrive as views");
        for (k, name) in names[..3].iter().enumerate() {
            let want: Vec<Option<String>> =
                df.column(name).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect();
            assert_eq!(text[k], want, "{name}");
        }
        for (k, name) in names[3..].iter().enumerate() {
            let want: Vec<Option<f64>> =
                df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect();
            assert_eq!(nums[k], want, "{name}");
        }
        // Ids and memoised values are the same whether a column arrived as keys or as
        // views (the key caches of `Scoped` and `ViewMemo` against the plain paths).
        let ids = |source: &LongTable| {
            let (mut scoped, mut memo, mut out, mut row) = (Scoped::default(), ViewMemo::default(), Vec::new(), 0u32);
            source
                .for_each_chunk(|c| {
                    let col = c.str("class", "t")?;
                    for i in 0..col.len() {
                        let outer = (row / 250) % 3;
                        row += 1;
                        out.push((scoped.id_at(outer, &col, i), memo.get(&col, i, |s| s.len())));
                    }
                    Ok(())
                })
                .unwrap();
            (out, scoped.finish(&[2, 0, 1]).into_iter().map(|(_, remap)| remap).collect::<Vec<_>>())
        };
        let (keyed_ids, viewed_ids) = (ids(&source), ids(&LongTable::Frame(df.clone())));
        assert_eq!(keyed_ids, viewed_ids);
        assert_eq!(keyed_ids.0.len(), n);

        // A column that is not there, or not text, is an error naming it.
        let err = source.for_each_chunk(|c| c.str("score", "t").map(|_| ())).unwrap_err().to_string();
        assert!(err.contains("score"), "{err}");
    }
}
