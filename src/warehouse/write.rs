//! Streaming, partitioned Parquet writers for warehouse tables.
//!
//! Rows arrive as typed [`Value`]s in `schema::TABLES` column order; each table buffers
//! up to [`ROW_GROUP_ROWS`] rows per `year=` partition and writes them as a row group
//! as soon as they fill it, reusing the buffers for the next one, so a writer holds at
//! most one row group per partition however large the input. Files are written under
//! the build's temporary directory; the atomic swap into place is the job of
//! `warehouse::atomic::Staging::commit`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::*;

use crate::error::WarehouseError;
use crate::schema::{DType, TableDef};
use crate::validate::{CellRef, ColumnRun, Value};

/// Rows per row group of the tables written whole ([`write_documented`]).
pub const CHUNK_ROWS: usize = 1 << 20;

/// Rows buffered per partition of a streamed warehouse table before they are written
/// as a row group (DuckDB writes 122 880). A writer holds one such group per `year=`
/// partition, and `reviews` fills seven partitions at once, so the group size times
/// the partitions is what the writer holds; the buffers are reused from group to group
/// rather than grown again.
pub const ROW_GROUP_ROWS: usize = 1 << 17;

/// Typed column buffers for one row group of one table, built as Arrow arrays
/// directly: the row group is written from them without a `DataFrame` in between.
enum ColBuf {
    /// Text, dictionary-encoded as it arrives (see [`TextCol`]); boxed because its
    /// dictionary state is several times the size of the other buffers.
    Str(Box<TextCol>),
    Int(Prim<i64>),
    Float(Prim<f64>),
    Bool(Prim<bool>),
    Date(Prim<i32>),
    Datetime(Prim<i64>),
}

impl ColBuf {
    fn new(d: DType) -> Self {
        match d {
            DType::Str => ColBuf::Str(Box::default()),
            DType::Int => ColBuf::Int(Prim::default()),
            DType::Float => ColBuf::Float(Prim::default()),
            DType::Bool => ColBuf::Bool(Prim::default()),
            DType::Date => ColBuf::Date(Prim::default()),
            DType::Datetime => ColBuf::Datetime(Prim::default()),
        }
    }

    fn push(&mut self, v: CellRef<'_>) -> bool {
        self.push_n(v, 1)
    }

    /// Push `v` `n` times (the cells of a melted row that its long rows share).
    fn push_n(&mut self, v: CellRef<'_>, n: usize) -> bool {
        match (self, v) {
            (ColBuf::Str(b), CellRef::Str(s)) => b.push_n(s, n),
            (ColBuf::Str(b), CellRef::Sym(s)) => b.push_sym_n(s, n),
            (ColBuf::Str(b), CellRef::Null) => (0..n).for_each(|_| b.push_null()),
            (ColBuf::Int(b), CellRef::Int(x)) => b.push_n(Some(x), n),
            (ColBuf::Int(b), CellRef::Null) => b.push_n(None, n),
            (ColBuf::Float(b), CellRef::Float(x)) => b.push_n(Some(x), n),
            (ColBuf::Float(b), CellRef::Int(x)) => b.push_n(Some(x as f64), n),
            (ColBuf::Float(b), CellRef::Null) => b.push_n(None, n),
            (ColBuf::Bool(b), CellRef::Bool(x)) => b.push_n(Some(x), n),
            (ColBuf::Bool(b), CellRef::Null) => b.push_n(None, n),
            (ColBuf::Date(b), CellRef::Date(x)) => b.push_n(Some(x), n),
            (ColBuf::Date(b), CellRef::Null) => b.push_n(None, n),
            (ColBuf::Datetime(b), CellRef::Datetime(x)) => b.push_n(Some(x), n),
            (ColBuf::Datetime(b), CellRef::Null) => b.push_n(None, n),
            _ => return false,
        }
        true
    }

    /// Push a run of cells that differ from row to row.
    fn push_run(&mut self, run: &ColumnRun<'_>, from: usize, to: usize) -> bool {
        match (self, run) {
            (b, ColumnRun::Same(v)) => b.push_n(*v, to - from),
            (ColBuf::Str(b), ColumnRun::Syms(names)) => {
                names[from..to].iter().for_each(|s| b.push_sym(s));
                true
            }
            (ColBuf::Float(b), ColumnRun::Floats(xs)) => {
                b.extend(&xs[from..to]);
                true
            }
            _ => false,
        }
    }

    /// The buffered values as an Arrow array of `dtype` with its encoding when decided
    /// here (text), `None` when [`encoded_as`] decides; the buffers start empty again.
    fn take(&mut self, dtype: &ArrowDataType) -> PolarsResult<Prepared> {
        use polars_arrow::array::BooleanArray;
        Ok(match self {
            ColBuf::Str(b) => {
                let (array, encoding) = b.take()?;
                Prepared::Ready(array, vec![encoding])
            }
            ColBuf::Int(b) => Prepared::Decide(b.take_primitive(dtype)),
            ColBuf::Float(b) => Prepared::Decide(b.take_primitive(dtype)),
            ColBuf::Date(b) => Prepared::Decide(b.take_primitive(dtype)),
            ColBuf::Datetime(b) => Prepared::Decide(b.take_primitive(dtype)),
            ColBuf::Bool(b) => {
                let (values, validity) = b.take();
                let values: polars_arrow::bitmap::Bitmap = values.into_iter().collect();
                Prepared::Decide(BooleanArray::new(dtype.clone(), values, validity).boxed())
            }
        })
    }
}

/// A column's array, its encoding decided or to be decided by [`encoded_as`].
enum Prepared {
    Decide(ArrayRef),
    Ready(ArrayRef, Vec<polars_parquet::write::Encoding>),
}

type ArrayRef = polars_arrow::array::ArrayRef;
use polars_arrow::datatypes::ArrowDataType;

/// Fixed-width values with a validity bitmap made at the first null.
struct Prim<T> {
    values: Vec<T>,
    validity: Option<polars_arrow::bitmap::MutableBitmap>,
}

impl<T> Default for Prim<T> {
    fn default() -> Self {
        Prim { values: Vec::new(), validity: None }
    }
}

impl<T: Default + Copy> Prim<T> {
    /// Push `v` `n` times.
    fn push_n(&mut self, v: Option<T>, n: usize) {
        match v {
            Some(x) => {
                if let Some(b) = &mut self.validity {
                    b.extend_constant(n, true);
                }
                self.values.extend(std::iter::repeat_n(x, n));
            }
            None => {
                let len = self.values.len();
                let b = self.validity.get_or_insert_with(|| {
                    let mut b = polars_arrow::bitmap::MutableBitmap::with_capacity(len + n);
                    b.extend_constant(len, true);
                    b
                });
                b.extend_constant(n, false);
                self.values.extend(std::iter::repeat_n(T::default(), n));
            }
        }
    }

    /// Push every value of `xs` (none null).
    fn extend(&mut self, xs: &[T]) {
        if let Some(b) = &mut self.validity {
            b.extend_constant(xs.len(), true);
        }
        self.values.extend_from_slice(xs);
    }

    /// The values and validity so far; the next group gets buffers of the same size.
    fn take(&mut self) -> (Vec<T>, Option<polars_arrow::bitmap::Bitmap>) {
        let cap = self.values.len();
        let values = std::mem::replace(&mut self.values, Vec::with_capacity(cap));
        (values, self.validity.take().map(Into::into))
    }
}

impl<T: Default + Copy + polars_arrow::types::NativeType> Prim<T> {
    fn take_primitive(&mut self, dtype: &ArrowDataType) -> ArrayRef {
        use polars_arrow::array::PrimitiveArray;
        let (values, validity) = self.take();
        PrimitiveArray::<T>::new(dtype.clone(), values.into(), validity).boxed()
    }
}

/// Rows of a text column after which a dictionary is given up once it holds more
/// than half this many distinct values (ids), as [`dictionary_of_text`] does.
const TEXT_DICT_PROBE: usize = 4096;

/// A text column of one row group, kept as a dictionary while it has few distinct
/// values: each cell is a key into the distinct values in first-seen order. The long
/// tables repeat the same few texts (class, course and rater ids of a melted rating
/// row, wave and item names), so a cell is mostly the previous one again (compared,
/// not hashed) or a name already met; the text is stored once per value, and the row
/// group is written from the keys without a second pass to find the dictionary.
/// A column turns into plain text as soon as, past its first [`TEXT_DICT_PROBE`] rows,
/// it has more than half that many distinct values (ids); at the end a dictionary
/// with more than a quarter as many values as rows is written plain. These are the
/// rules of [`dictionary_of_text`], so a column is encoded as before.
#[derive(Default)]
struct TextCol {
    len: usize,
    validity: Option<polars_arrow::bitmap::MutableBitmap>,
    /// `Some` once the column is plain text.
    plain: Option<polars_arrow::array::MutableBinaryViewArray<str>>,
    keys: Vec<u32>,
    /// The distinct values, back to back; value `k` ends at `ends[k]`.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    index: hashbrown::HashTable<u32>,
    /// `&'static str` values by address and length, each with its key, in first-seen
    /// order: no hashing of their text.
    sym_seq: Vec<((usize, usize), u32)>,
    /// Where each of them is in `sym_seq`.
    syms: rustc_hash::FxHashMap<(usize, usize), u32>,
    /// The place in `sym_seq` of the last of them. A constant column (the wave) is
    /// that one again, and the names of a melted row come in the same order on every
    /// row, so the next name is mostly the one after it: neither needs the map.
    sym_at: usize,
}

impl TextCol {
    fn bytes_of(&self, k: u32) -> &[u8] {
        let k = k as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.bytes[start..self.ends[k]]
    }

    /// The distinct values back to back as text, checked once for all of them.
    fn text(&self) -> &str {
        // The bytes were pushed as whole `str`s.
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// Value `k` of [`TextCol::text`]: every value starts and ends on a char boundary.
    fn value_in<'t>(text: &'t str, ends: &[usize], k: u32) -> &'t str {
        let k = k as usize;
        let start = if k == 0 { 0 } else { ends[k - 1] };
        text.get(start..ends[k]).unwrap_or_default()
    }

    /// `n` more valid cells.
    fn valid_n(&mut self, n: usize) {
        if let Some(b) = &mut self.validity {
            b.extend_constant(n, true);
        }
        self.len += n;
    }

    fn valid(&mut self, ok: bool) {
        match &mut self.validity {
            Some(b) => b.push(ok),
            None if ok => {}
            None => {
                let mut b = polars_arrow::bitmap::MutableBitmap::with_capacity(self.len + 1);
                b.extend_constant(self.len, true);
                b.push(false);
                self.validity = Some(b);
            }
        }
        self.len += 1;
    }

    fn push_null(&mut self) {
        match &mut self.plain {
            Some(p) => p.push_null(),
            None => self.keys.push(0),
        }
        self.valid(false);
    }

    fn push(&mut self, s: &str) {
        if let Some(p) = &mut self.plain {
            p.push_value(s);
            self.valid(true);
            return;
        }
        // The previous cell again: no hashing.
        if let Some(&k) = self.keys.last() {
            if self.validity.as_ref().is_none_or(|b| b.get(self.len - 1)) && self.bytes_of(k) == s.as_bytes() {
                self.keys.push(k);
                self.valid(true);
                return;
            }
        }
        let k = self.key_of(s);
        self.keys.push(k);
        self.valid(true);
        self.check_distinct();
    }

    /// [`TextCol::push`] `n` times: the rows after the first are the previous cell again.
    fn push_n(&mut self, s: &str, n: usize) {
        if n == 0 {
            return;
        }
        self.push(s);
        // As `push` of the previous cell again: no check of the distinct values.
        self.repeat_last(s, n - 1);
    }

    /// The cell just pushed, `s`, `rest` times more.
    fn repeat_last(&mut self, s: &str, rest: usize) {
        match &mut self.plain {
            Some(p) => (0..rest).for_each(|_| p.push_value(s)),
            None => {
                let k = self.keys.last().copied().unwrap_or_default();
                self.keys.extend(std::iter::repeat_n(k, rest));
            }
        }
        self.valid_n(rest);
    }

    /// [`TextCol::push_sym`] `n` times.
    fn push_sym_n(&mut self, s: &'static str, n: usize) {
        if n == 0 {
            return;
        }
        self.push_sym(s);
        let rest = n - 1;
        if rest == 0 {
            return;
        }
        self.repeat_last(s, rest);
        // `push_sym` checks after every cell; the distinct values do not change over the
        // run and the check only grows more likely with the rows, so one check at its end
        // decides as the checks after each cell would.
        if self.plain.is_none() {
            self.check_distinct();
        }
    }

    fn push_sym(&mut self, s: &'static str) {
        if self.plain.is_some() {
            self.push(s);
            return;
        }
        let tag = (s.as_ptr() as usize, s.len());
        let k = match self.sym_key(tag) {
            Some(k) => k,
            None => {
                let k = self.key_of(s);
                self.sym_at = self.sym_seq.len();
                self.syms.insert(tag, self.sym_at as u32);
                self.sym_seq.push((tag, k));
                k
            }
        };
        self.keys.push(k);
        self.valid(true);
        self.check_distinct();
    }

    /// The key of the `&'static str` at `tag` when met before: the last one, the one
    /// after it, else from the map.
    fn sym_key(&mut self, tag: (usize, usize)) -> Option<u32> {
        let n = self.sym_seq.len();
        for step in [0, 1] {
            let i = (self.sym_at + step) % n.max(1);
            if let Some(&(t, k)) = self.sym_seq.get(i) {
                if t == tag {
                    self.sym_at = i;
                    return Some(k);
                }
            }
        }
        let i = *self.syms.get(&tag)? as usize;
        let &(_, k) = self.sym_seq.get(i)?;
        self.sym_at = i;
        Some(k)
    }

    fn hash_bytes(b: &[u8]) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(b)
    }

    /// The key of `s`, added to the dictionary when new.
    fn key_of(&mut self, s: &str) -> u32 {
        let h = Self::hash_bytes(s.as_bytes());
        let (bytes, ends) = (&self.bytes, &self.ends);
        let eq = |&k: &u32| {
            let k = k as usize;
            let start = if k == 0 { 0 } else { ends[k - 1] };
            &bytes[start..ends[k]] == s.as_bytes()
        };
        if let Some(&k) = self.index.find(h, eq) {
            return k;
        }
        let k = self.ends.len() as u32;
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len());
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.index.insert_unique(h, k, |&j| {
            let j = j as usize;
            let start = if j == 0 { 0 } else { ends[j - 1] };
            Self::hash_bytes(&bytes[start..ends[j]])
        });
        k
    }

    /// Give the dictionary up when it can no longer be used: more values than a
    /// quarter of a full row group, or the probe's limit passed. Inlined: it runs after
    /// every dictionary cell and is two comparisons, where a call cost more than them.
    #[inline]
    fn check_distinct(&mut self) {
        let distinct = self.ends.len();
        if distinct > ROW_GROUP_ROWS / 4 || (self.len >= TEXT_DICT_PROBE && distinct > TEXT_DICT_PROBE / 2) {
            self.make_plain();
        }
    }

    /// The cells so far as plain text; later cells are appended as such (at most once
    /// per column and row group, so kept out of line of the cells' pushes).
    #[cold]
    #[inline(never)]
    fn make_plain(&mut self) {
        let mut p = polars_arrow::array::MutableBinaryViewArray::<str>::with_capacity(ROW_GROUP_ROWS);
        let text = self.text();
        for (i, &k) in self.keys.iter().enumerate() {
            if self.validity.as_ref().is_none_or(|b| b.get(i)) {
                p.push_value(Self::value_in(text, &self.ends, k));
            } else {
                p.push_null();
            }
        }
        self.plain = Some(p);
        self.clear_dictionary();
    }

    fn clear_dictionary(&mut self) {
        self.keys.clear();
        self.bytes.clear();
        self.ends.clear();
        self.index.clear();
        self.sym_seq.clear();
        self.syms.clear();
        self.sym_at = 0;
    }

    /// The column as an array, a dictionary when it has at most a quarter as many
    /// distinct values as rows (and 64 rows or more); the column starts empty again.
    fn take(&mut self) -> PolarsResult<(ArrayRef, polars_parquet::write::Encoding)> {
        use polars_arrow::array::{DictionaryArray, PrimitiveArray, Utf8ViewArray};
        use polars_arrow::datatypes::IntegerType;
        use polars_parquet::write::Encoding;
        let validity: Option<polars_arrow::bitmap::Bitmap> = self.validity.take().map(Into::into);
        let len = std::mem::take(&mut self.len);
        if let Some(p) = self.plain.take() {
            let array: Utf8ViewArray = p.into();
            return Ok((array.with_validity(validity).boxed(), Encoding::Plain));
        }
        let distinct = self.ends.len();
        let dictionary = len >= 64 && distinct > 0 && distinct <= len / 4;
        let out = if dictionary {
            let text = self.text();
            let values: Vec<&str> = (0..distinct as u32).map(|k| Self::value_in(text, &self.ends, k)).collect();
            let values = Utf8ViewArray::from_slice_values(values).boxed();
            let keys = std::mem::replace(&mut self.keys, Vec::with_capacity(len));
            let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), validity);
            let dtype = ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(ArrowDataType::Utf8View), false);
            (DictionaryArray::try_new(dtype, keys, values)?.boxed(), Encoding::RleDictionary)
        } else {
            let mut p = polars_arrow::array::MutableBinaryViewArray::<str>::with_capacity(len);
            let text = self.text();
            for (i, &k) in self.keys.iter().enumerate() {
                if validity.as_ref().is_none_or(|b| b.get_bit(i)) {
                    p.push_value(Self::value_in(text, &self.ends, k));
                } else {
                    p.push_null();
                }
            }
            let array: Utf8ViewArray = p.into();
            (array.boxed(), Encoding::Plain)
        };
        self.clear_dictionary();
        Ok(out)
    }
}

/// The polars dtype of a logical column type.
pub fn polars_dtype(d: DType) -> DataType {
    match d {
        DType::Str => DataType::String,
        DType::Int => DataType::Int64,
        DType::Float => DataType::Float64,
        DType::Bool => DataType::Boolean,
        DType::Date => DataType::Date,
        DType::Datetime => DataType::Datetime(TimeUnit::Milliseconds, None),
    }
}

/// The polars schema of a warehouse table.
pub fn polars_schema(def: &TableDef) -> Schema {
    def.columns.iter().map(|c| Field::new(c.name.into(), polars_dtype(c.dtype))).collect()
}

struct Part {
    cols: Vec<ColBuf>,
    len: usize,
    writer: Option<BatchedWriter<BufWriter<File>>>,
    path: PathBuf,
}

/// Writer of one warehouse table (all its partitions).
pub struct TableWriter {
    def: &'static TableDef,
    dir: PathBuf,
    /// File name of this writer's parts (`part-<input>.parquet`): inputs that feed the
    /// same table (survey waves) write side by side, in parallel.
    file: String,
    /// Partitions in the order first met, with their `year=` key.
    parts: Vec<(Option<i32>, Part)>,
    /// The partition of the last row: rows come class by class, so mostly the same.
    last: usize,
    /// Arrow types of the columns, in order.
    dtypes: Vec<ArrowDataType>,
    written: u64,
}

impl TableWriter {
    pub fn new(def: &'static TableDef, root: &Path, part: &str) -> Self {
        TableWriter {
            def,
            dir: root.join(def.name),
            file: format!("part-{part}.parquet"),
            parts: Vec::new(),
            last: 0,
            dtypes: def.columns.iter().map(|c| polars_dtype(c.dtype).to_arrow(CompatLevel::newest())).collect(),
            written: 0,
        }
    }

    fn new_part(&self, key: Option<i32>) -> Part {
        Part {
            cols: self.def.columns.iter().map(|c| ColBuf::new(c.dtype)).collect(),
            len: 0,
            writer: None,
            path: match key {
                Some(y) => self.dir.join(format!("year={y}")).join(&self.file),
                None => self.dir.join(&self.file),
            },
        }
    }

    /// The partition of `year` (made when new), remembered as the last one.
    fn part_of(&mut self, year: Option<i32>) -> usize {
        let key = if self.def.partition.is_some() { year } else { None };
        let i = match self.parts.get(self.last) {
            Some((k, _)) if *k == key => self.last,
            _ => match self.parts.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    let part = self.new_part(key);
                    self.parts.push((key, part));
                    self.parts.len() - 1
                }
            },
        };
        self.last = i;
        i
    }

    /// Add one row; `year` selects the partition (ignored for unpartitioned tables).
    pub fn push(&mut self, year: Option<i32>, row: &[Value]) -> Result<(), WarehouseError> {
        self.push_each(year, row.len(), row.iter().map(Value::cell))
    }

    /// [`TableWriter::push`] of a row of borrowed cells.
    pub fn push_cells(&mut self, year: Option<i32>, row: &[CellRef<'_>]) -> Result<(), WarehouseError> {
        self.push_each(year, row.len(), row.iter().copied())
    }

    fn push_each<'c>(
        &mut self,
        year: Option<i32>,
        len: usize,
        row: impl Iterator<Item = CellRef<'c>>,
    ) -> Result<(), WarehouseError> {
        let def = self.def;
        let i = self.part_of(year);
        let part = &mut self.parts[i].1;
        if len != part.cols.len() {
            return Err(WarehouseError::frame(
                def.name,
                format!("row has {} values, table has {} columns", len, part.cols.len()),
            ));
        }
        for (i, v) in row.enumerate() {
            if !part.cols[i].push(v) {
                return Err(WarehouseError::frame(
                    def.name,
                    format!("wrong value type for column `{}`", def.columns[i].name),
                ));
            }
        }
        part.len += 1;
        self.written += 1;
        if part.len >= ROW_GROUP_ROWS {
            flush(def, &self.dtypes, part)?;
        }
        Ok(())
    }

    /// Add `n` rows given column by column (see [`ColumnRun`]); the same rows as `n` calls of
    /// [`TableWriter::push`], in the same row groups.
    pub fn push_rows(&mut self, year: Option<i32>, n: usize, runs: &[ColumnRun<'_>]) -> Result<(), WarehouseError> {
        let def = self.def;
        if runs.len() != def.columns.len() {
            return Err(WarehouseError::frame(
                def.name,
                format!("rows have {} columns, table has {}", runs.len(), def.columns.len()),
            ));
        }
        if runs.iter().any(|r| r.rows().is_some_and(|len| len != n)) {
            return Err(WarehouseError::frame(def.name, format!("a column of {n} rows has another length")));
        }
        if n == 0 {
            return Ok(());
        }
        let i = self.part_of(year);
        let part = &mut self.parts[i].1;
        let mut done = 0;
        while done < n {
            // A run is cut where a row group fills up, as row-by-row pushes would be.
            let to = n.min(done + ROW_GROUP_ROWS - part.len);
            for (k, (col, run)) in part.cols.iter_mut().zip(runs).enumerate() {
                if !col.push_run(run, done, to) {
                    return Err(WarehouseError::frame(
                        def.name,
                        format!("wrong value type for column `{}`", def.columns[k].name),
                    ));
                }
            }
            part.len += to - done;
            self.written += (to - done) as u64;
            done = to;
            if part.len >= ROW_GROUP_ROWS {
                flush(def, &self.dtypes, part)?;
            }
        }
        Ok(())
    }

    /// Write what is buffered and close every file. Returns the rows written.
    /// A table with no rows at all still gets one empty file (unpartitioned) so that
    /// readers see its schema.
    pub fn finish(mut self) -> Result<u64, WarehouseError> {
        if self.parts.is_empty() && self.def.partition.is_none() {
            let part = self.new_part(None);
            self.parts.push((None, part));
        }
        for (_, part) in &mut self.parts {
            flush(self.def, &self.dtypes, part)?;
            if let Some(w) = part.writer.take() {
                w.finish()
                    .map_err(|e| WarehouseError::frame(format!("{}: closing parquet", part.path.display()), e))?;
            }
        }
        Ok(self.written)
    }

    /// Throw away every row pushed: the files written so far are closed unfinished and
    /// removed (see [`crate::warehouse::FinishSink::abandon`]).
    pub fn abandon(mut self) -> Result<(), WarehouseError> {
        for (_, part) in &mut self.parts {
            // A file exists once its writer has been made (at the first row group).
            if let Some(w) = part.writer.take() {
                drop(w);
                std::fs::remove_file(&part.path).map_err(|e| WarehouseError::io(&part.path, e))?;
            }
        }
        Ok(())
    }
}

fn flush(def: &TableDef, dtypes: &[ArrowDataType], part: &mut Part) -> Result<(), WarehouseError> {
    let ctx = || format!("writing {}", part.path.display());
    let rows = std::mem::take(&mut part.len);
    let mut cols = Vec::with_capacity(def.columns.len());
    for (b, dtype) in part.cols.iter_mut().zip(dtypes) {
        cols.push(b.take(dtype).map_err(|e| WarehouseError::frame(ctx(), e))?);
    }
    if part.writer.is_none() {
        if let Some(parent) = part.path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
        }
        let file = File::create(&part.path).map_err(|e| WarehouseError::io(&part.path, e))?;
        // Its pages are encoded by `write_row_group`; the writer adds the footer.
        let writer = ParquetWriter::new(BufWriter::new(file))
            .with_compression(warehouse_compression())
            .with_key_value_metadata(Some(column_docs(def)))
            .batched(&polars_schema(def))
            .map_err(|e| WarehouseError::frame(ctx(), e))?;
        part.writer = Some(writer);
    }
    if rows > 0 {
        let when = if PAGES_ON_POOL.with(std::cell::Cell::get) { Pages::Ahead } else { Pages::AsTaken };
        if let Some(w) = part.writer.as_mut() {
            let group = encode_group(w, cols, warehouse_compression(), Encodings::Decided, when)
                .map_err(|e| WarehouseError::frame(ctx(), e))?;
            w.write_row_groups(vec![group]).map_err(|e| WarehouseError::frame(ctx(), e))?;
        }
    }
    Ok(())
}

thread_local! {
    /// Whether row groups flushed on this thread are encoded on the thread pool.
    static PAGES_ON_POOL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While alive, the row groups that this thread's writers flush are encoded column by
/// column in parallel on the thread pool, which must be idle then: master data is
/// validated one input after another while the pool waits, and its tables (10⁶ cadres)
/// were encoded on one core. Elsewhere each pool worker runs an input of its own and
/// encodes on its own thread (a worker busy with its input would never take the jobs).
pub struct PagesOnPool {
    previous: bool,
}

impl PagesOnPool {
    pub fn new() -> PagesOnPool {
        PagesOnPool { previous: PAGES_ON_POOL.with(|c| c.replace(true)) }
    }
}

impl Default for PagesOnPool {
    fn default() -> Self {
        PagesOnPool::new()
    }
}

impl Drop for PagesOnPool {
    fn drop(&mut self) {
        PAGES_ON_POOL.with(|c| c.set(self.previous));
    }
}

/// Compression of the warehouse tables (those written row group by row group, and the
/// joined `trainee_outcomes`): LZ4 (the `LZ4_RAW` codec, which pyarrow, polars and
/// DuckDB read; the Python tests read the warehouse with each). These tables are written
/// once and decoded by every later stage;
/// LZ4 costs fewer instructions both ways than zstd at its fastest level, for files about
/// half as large again (the measurements are in `benches/results/history.md`).
fn warehouse_compression() -> ParquetCompression {
    ParquetCompression::Lz4Raw
}

/// Compression of the indicator tables: level 1, written once per run and small except
/// the per-person tables, which it writes ~10 % faster than the default level for ~1 %
/// more bytes.
fn documented_compression() -> ParquetCompression {
    ParquetCompression::Zstd(polars_parquet::write::ZstdLevel::try_new(1).ok())
}

/// Who decides how a column is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encodings {
    /// Floats with few distinct values are dictionary-encoded here; every other column
    /// as polars decides (for text and the remaining floats it estimates the
    /// cardinality and may build a dictionary).
    #[cfg(test)]
    Warehouse,
    /// Every float and text column is decided here: a dictionary when it has few
    /// distinct values ([`dictionary_of_floats`], [`dictionary_of_text`]), else plain.
    /// polars' cardinality estimate and its cast to a dictionary hashed every value of
    /// every text column again: ~11 % of `build`'s CPU time at 10⁶ cadres, when the
    /// warehouse tables were written so.
    Decided,
}

/// Write `df` as a row group the way polars' `write_batch` does, except that a float
/// column with few distinct values (answers on a 1–5 scale, scores 0–20) is
/// dictionary-encoded: polars writes floats plain, 8 bytes a value, which every
/// reader then decompresses (at 10⁶ cadres ~70 % of the bytes `indicators` inflated
/// from `survey_responses` and `course_ratings`); and with [`Encodings::Decided`]
/// text columns too. Readers see the same columns.
///
/// With [`Pages::Ahead`] the columns are encoded and compressed in parallel before
/// the writer takes their pages in order (the same bytes).
fn write_row_group(
    w: &mut BatchedWriter<BufWriter<File>>,
    df: &DataFrame,
    compression: ParquetCompression,
    encodings: Encodings,
    when: Pages,
) -> PolarsResult<()> {
    let mut groups = Vec::new();
    for batch in df.iter_chunks(CompatLevel::newest(), false) {
        let columns = batch.into_arrays().into_iter().map(Prepared::Decide).collect();
        groups.push(encode_group(w, columns, compression, encodings, when)?);
    }
    w.write_row_groups(groups)
}

/// The pages of one row group of `w`'s schema from its columns' arrays, each encoded
/// as decided beforehand or by [`encoded_as`] (on the encoding thread).
fn encode_group(
    w: &mut BatchedWriter<BufWriter<File>>,
    columns: Vec<Prepared>,
    compression: ParquetCompression,
    encodings: Encodings,
    when: Pages,
) -> PolarsResult<polars_parquet::write::RowGroupIterColumns<'static, PolarsError>> {
    use polars_parquet::write::{
        compress, Compressor, DynIter, DynStreamingIterator, FallibleStreamingIterator, StatisticsOptions, Version,
        WriteOptions,
    };
    use rayon::prelude::*;
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        compression: compression.into(),
        version: Version::V1,
        data_page_size: None,
    };
    let decide = |column: Prepared| match column {
        Prepared::Decide(array) => encoded_as(&array, encodings),
        Prepared::Ready(array, encodings) => (array, encodings),
    };
    let fields = w.parquet_schema().fields().to_vec();
    let mut out = Vec::with_capacity(fields.len());
    if when == Pages::Ahead {
        let encoded = columns
            .into_par_iter()
            .zip(fields.par_iter())
            .map(|(column, field)| -> PolarsResult<Vec<Vec<_>>> {
                let (array, encodings) = decide(column);
                polars_parquet::write::array_to_columns(array, field.clone(), options, &encodings)?
                    .into_iter()
                    .map(|pages| {
                        pages
                            .map(|page| Ok(compress(page?, Vec::new(), options.compression)?))
                            .collect::<PolarsResult<Vec<_>>>()
                    })
                    .collect()
            })
            .collect::<PolarsResult<Vec<_>>>()?;
        for pages in encoded.into_iter().flatten() {
            out.push(Ok(DynStreamingIterator::new(Compressed { pages: pages.into_iter(), current: None })));
        }
    } else {
        for (column, field) in columns.into_iter().zip(&fields) {
            let (array, encodings) = decide(column);
            for pages in polars_parquet::write::array_to_columns(array, field.clone(), options, &encodings)? {
                let pages = pages.map(|page| {
                    page.map_err(|e| polars_parquet::read::ParquetError::FeatureNotSupported(e.to_string()))
                });
                let compressed = Compressor::new_from_vec(pages, options.compression, Vec::new());
                out.push(Ok(DynStreamingIterator::new(compressed.map_err(PolarsError::from))));
            }
        }
    }
    Ok(DynIter::new(out.into_iter()))
}

/// When a row group's pages are encoded and compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pages {
    /// As the writer takes them, column after column on the writing thread: the
    /// warehouse's row groups, written while `build` keeps both cores busy parsing.
    AsTaken,
    /// Every column in parallel before the writer takes them: the tables written
    /// whole at the end of `indicators`, where the per-person tables (10⁶ rows) kept
    /// one core busy while the other waited.
    Ahead,
}

/// A column's pages, compressed beforehand, handed to the writer one by one.
struct Compressed {
    pages: std::vec::IntoIter<polars_parquet::write::CompressedPage>,
    current: Option<polars_parquet::write::CompressedPage>,
}

impl polars_parquet::write::FallibleStreamingIterator for Compressed {
    type Item = polars_parquet::write::CompressedPage;
    type Error = PolarsError;

    fn advance(&mut self) -> PolarsResult<()> {
        self.current = self.pages.next();
        Ok(())
    }

    fn get(&self) -> Option<&Self::Item> {
        self.current.as_ref()
    }
}

/// How a column of a row group is encoded: as a dictionary when
/// [`dictionary_of_floats`] (or, with [`Encodings::Decided`], [`dictionary_of_text`])
/// finds few distinct values; else plain when decided here, or as polars decides.
fn encoded_as(
    array: &polars_arrow::array::ArrayRef,
    encodings: Encodings,
) -> (polars_arrow::array::ArrayRef, Vec<polars_parquet::write::Encoding>) {
    use polars_arrow::datatypes::ArrowDataType;
    use polars_parquet::write::{get_dtype_encoding, Encoding};
    let decided = encodings == Encodings::Decided;
    let dict = match dictionary_of_floats(array.as_ref()) {
        None if decided => dictionary_of_text(array.as_ref()),
        found => found,
    };
    match dict {
        Some(dict) => (dict, vec![Encoding::RleDictionary]),
        None if decided && matches!(array.dtype(), ArrowDataType::Float64 | ArrowDataType::Utf8View) => {
            (array.clone(), vec![Encoding::Plain])
        }
        None => (array.clone(), get_dtype_encoding(array.dtype())),
    }
}

/// Most distinct values a float column may have to be dictionary-encoded.
const MAX_FLOAT_DICTIONARY: usize = 1 << 12;

/// `array` as a dictionary (u32 keys into its distinct values, in first-seen order)
/// when it is a float column with at most [`MAX_FLOAT_DICTIONARY`] distinct values,
/// fewer than a quarter of its length; `None` otherwise. Values are told apart by their
/// bits (−0.0 and 0.0 stay distinct; nulls keep their validity).
fn dictionary_of_floats(array: &dyn polars_arrow::array::Array) -> Option<Box<dyn polars_arrow::array::Array>> {
    use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray};
    use polars_arrow::datatypes::{ArrowDataType, IntegerType};
    let floats = array.as_any().downcast_ref::<PrimitiveArray<f64>>()?;
    if floats.dtype() != &ArrowDataType::Float64 || floats.len() < 64 {
        return None;
    }
    let limit = MAX_FLOAT_DICTIONARY.min(floats.len() / 4);
    let mut index: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    let mut recent = RecentKeys::new();
    let mut values: Vec<f64> = Vec::new();
    let mut keys: Vec<u32> = Vec::with_capacity(floats.len());
    for (i, &x) in floats.values().iter().enumerate() {
        if !floats.is_valid(i) {
            keys.push(0);
            continue;
        }
        let bits = x.to_bits();
        if let Some(k) = recent.get(bits) {
            keys.push(k);
            continue;
        }
        let k = *index.entry(bits).or_insert_with(|| {
            values.push(x);
            (values.len() - 1) as u32
        });
        if values.len() > limit {
            return None;
        }
        recent.put(bits, k);
        keys.push(k);
    }
    if values.is_empty() {
        return None;
    }
    let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), floats.validity().cloned());
    let dtype = ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(ArrowDataType::Float64), false);
    let values = PrimitiveArray::new(ArrowDataType::Float64, values.into(), None).boxed();
    DictionaryArray::try_new(dtype, keys, values).ok().map(|d| d.boxed())
}

/// The dictionary keys of recently met values, direct-mapped by a tag of the value:
/// in a column of few distinct values most rows are found here without hashing.
struct RecentKeys {
    /// (tag, key); key `u32::MAX` is an empty slot.
    slots: [(u64, u32); 256],
}

impl RecentKeys {
    fn new() -> RecentKeys {
        RecentKeys { slots: [(0, u32::MAX); 256] }
    }

    fn slot(tag: u64) -> usize {
        (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
    }

    /// The key last put under `tag` (the caller checks it when tags can collide).
    fn get(&self, tag: u64) -> Option<u32> {
        let (t, k) = self.slots[Self::slot(tag)];
        (k != u32::MAX && t == tag).then_some(k)
    }

    fn put(&mut self, tag: u64, key: u32) {
        self.slots[Self::slot(tag)] = (tag, key);
    }
}

/// Rows of a text column read before giving up on a dictionary when most are distinct.
const TEXT_PROBE: usize = 4096;

/// `array` as a dictionary (u32 keys into its distinct values, in first-seen order)
/// when it is a text column with at most a quarter as many distinct values as rows;
/// `None` otherwise, decided after [`TEXT_PROBE`] rows when more than half of those
/// are distinct (ids). Nulls keep their validity.
fn dictionary_of_text(array: &dyn polars_arrow::array::Array) -> Option<Box<dyn polars_arrow::array::Array>> {
    use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
    use polars_arrow::datatypes::{ArrowDataType, IntegerType};
    let text = array.as_any().downcast_ref::<Utf8ViewArray>()?;
    if text.len() < 64 {
        return None;
    }
    let limit = text.len() / 4;
    let views = text.views();
    let mut index: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    let mut recent = RecentKeys::new();
    let mut values: Vec<&str> = Vec::new();
    let mut keys: Vec<u32> = Vec::with_capacity(text.len());
    for i in 0..text.len() {
        if !text.is_valid(i) {
            keys.push(0);
            continue;
        }
        // Equal views are equal strings (a short one is held whole in its view).
        if let (Some(&k), true) = (keys.last(), i > 0 && text.is_valid(i - 1) && views[i] == views[i - 1]) {
            keys.push(k);
            continue;
        }
        let s = text.value(i);
        // The view's length and first four bytes: equal for equal strings.
        let tag = views[i].as_u128() as u64;
        if let Some(k) = recent.get(tag).filter(|&k| values[k as usize] == s) {
            keys.push(k);
            continue;
        }
        let k = *index.entry(s).or_insert_with(|| {
            values.push(s);
            (values.len() - 1) as u32
        });
        if values.len() > limit || (i >= TEXT_PROBE && values.len() > TEXT_PROBE / 2) {
            return None;
        }
        recent.put(tag, k);
        keys.push(k);
    }
    if values.is_empty() {
        return None;
    }
    let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), text.validity().cloned());
    let dtype = ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(ArrowDataType::Utf8View), false);
    DictionaryArray::try_new(dtype, keys, Utf8ViewArray::from_slice_values(values).boxed()).ok().map(|d| d.boxed())
}

/// Parquet key-value metadata: the table's grain and every column's meaning.
fn column_docs(def: &TableDef) -> polars::io::parquet::write::KeyValueMetadata {
    let mut kv = vec![
        ("traineval:table".to_string(), def.name.to_string()),
        ("traineval:grain".to_string(), def.grain.to_string()),
    ];
    kv.extend(def.columns.iter().map(|c| (format!("traineval:doc:{}", c.name), c.doc.to_string())));
    polars::io::parquet::write::KeyValueMetadata::from_static(kv)
}

/// Write a whole DataFrame as one unpartitioned Parquet file (indicator tables, rejects).
pub fn write_frame(df: &mut DataFrame, path: &Path) -> Result<(), WarehouseError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let file = File::create(path).map_err(|e| WarehouseError::io(path, e))?;
    ParquetWriter::new(BufWriter::new(file))
        .with_compression(ParquetCompression::Zstd(None))
        .set_parallel(false)
        .finish(df)
        .map_err(|e| WarehouseError::frame(format!("writing {}", path.display()), e))?;
    Ok(())
}

/// Write a whole DataFrame as one Parquet file carrying `def`'s table and column docs
/// (indicator tables). Columns must already be in `def`'s order and types.
pub fn write_documented(def: &TableDef, df: &DataFrame, path: &Path) -> Result<(), WarehouseError> {
    write_documented_as(def, df, path, documented_compression())
}

/// [`write_documented`] with the given compression.
fn write_documented_as(
    def: &TableDef,
    df: &DataFrame,
    path: &Path,
    compression: ParquetCompression,
) -> Result<(), WarehouseError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let file = File::create(path).map_err(|e| WarehouseError::io(path, e))?;
    let err = |e| WarehouseError::frame(format!("writing {}", path.display()), e);
    let mut w = ParquetWriter::new(BufWriter::new(file))
        .with_compression(compression)
        .with_key_value_metadata(Some(column_docs(def)))
        .batched(df.schema())
        .map_err(err)?;
    let mut offset = 0;
    while offset < df.height() {
        let rows = df.slice(offset as i64, CHUNK_ROWS);
        write_row_group(&mut w, &rows, compression, Encodings::Decided, Pages::Ahead).map_err(err)?;
        offset += CHUNK_ROWS;
    }
    w.finish().map_err(err)?;
    Ok(())
}

/// The columns of `df` named and typed as `def` declares, in its order (extra columns
/// dropped). A missing column is an error naming it.
pub fn conform(def: &TableDef, df: &DataFrame) -> Result<DataFrame, WarehouseError> {
    let mut cols = Vec::with_capacity(def.columns.len());
    for c in def.columns {
        let col = df
            .column(c.name)
            .map_err(|_| WarehouseError::frame(def.name, format!("column `{}` is missing", c.name)))?;
        let want = polars_dtype(c.dtype);
        let col = if col.dtype() == &want {
            col.clone()
        } else {
            col.cast(&want).map_err(|e| WarehouseError::frame(format!("{}.{}", def.name, c.name), e))?
        };
        cols.push(col);
    }
    DataFrame::new(df.height(), cols).map_err(|e| WarehouseError::frame(def.name, e))
}

/// Write a frame of a partitioned warehouse table built outside the row sink (the
/// joined `trainee_outcomes`): one `year=YYYY/part-<table>.parquet` per value of the
/// `year` column, rows in the frame's order, columns as `def` declares them (the
/// partition column lives in the path, as for every other table), compressed as the
/// other warehouse tables. Returns the rows written.
pub fn write_partitioned(def: &TableDef, df: &DataFrame, root: &Path) -> Result<u64, WarehouseError> {
    let ctx = |what: &str| format!("{}: {what}", def.name);
    let dir = root.join(def.name);
    if df.height() == 0 {
        return Ok(0);
    }
    // One year (the common case) is the frame itself when its columns are whole (the
    // writer needs row groups cut alike in every column): partitioning would copy it
    // whole at the build's peak of memory.
    let years =
        df.column("year").and_then(|c| c.cast(&DataType::Int64)).map_err(|e| WarehouseError::frame(ctx("year"), e))?;
    let years = years.i64().map_err(|e| WarehouseError::frame(ctx("year"), e))?;
    let whole = df.columns().iter().all(|c| c.n_chunks() <= 1);
    let parts = if whole && years.null_count() == 0 && years.min() == years.max() {
        vec![df.clone()]
    } else {
        df.partition_by_stable(["year"], true).map_err(|e| WarehouseError::frame(ctx("partitioning"), e))?
    };
    let mut written = 0u64;
    for part in parts {
        let year = part
            .column("year")
            .and_then(|c| c.cast(&DataType::Int64))
            .map_err(|e| WarehouseError::frame(ctx("year"), e))?
            .i64()
            .map_err(|e| WarehouseError::frame(ctx("year"), e))?
            .get(0);
        let Some(year) = year else {
            return Err(WarehouseError::frame(ctx("year"), "rows without a year cannot be partitioned"));
        };
        let out = conform(def, &part)?;
        written += out.height() as u64;
        let path = dir.join(format!("year={year}")).join(format!("part-{}.parquet", def.name));
        write_documented_as(def, &out, &path, warehouse_compression())?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(df: &DataFrame, name: &str) -> Vec<Option<u64>> {
        df.column(name).unwrap().f64().unwrap().iter().map(|x| x.map(f64::to_bits)).collect()
    }

    use crate::schema::ColumnDef;

    static STREAMED: TableDef = TableDef {
        name: "streamed",
        grain: "test rows",
        partition: Some("year"),
        columns: &[
            ColumnDef { name: "class", dtype: DType::Str, doc: "" },
            ColumnDef { name: "id", dtype: DType::Str, doc: "" },
            ColumnDef { name: "item", dtype: DType::Str, doc: "" },
            ColumnDef { name: "score", dtype: DType::Float, doc: "" },
            ColumnDef { name: "n", dtype: DType::Int, doc: "" },
            ColumnDef { name: "ok", dtype: DType::Bool, doc: "" },
            ColumnDef { name: "day", dtype: DType::Date, doc: "" },
            ColumnDef { name: "at", dtype: DType::Datetime, doc: "" },
        ],
    };

    const ITEMS: [&str; 3] = ["q1", "q2", "a rather longer item name"];

    /// Row `i` of the streamed test table: a class id repeated over runs of rows, an id
    /// distinct per row, item names from a fixed vocabulary, and nulls in every column.
    fn streamed_row(i: usize) -> Vec<Value> {
        let null_every = |k: usize| i.is_multiple_of(k);
        vec![
            if null_every(97) { Value::Null } else { Value::Str(format!("class-{:04}", i / 400)) },
            if null_every(89) { Value::Null } else { Value::Str(format!("C{i:08}")) },
            if null_every(83) { Value::Null } else { Value::Sym(ITEMS[i % 3]) },
            if null_every(79) { Value::Null } else { Value::Float((i % 5) as f64) },
            if null_every(73) { Value::Null } else { Value::Int(i as i64) },
            if null_every(71) { Value::Null } else { Value::Bool(i.is_multiple_of(2)) },
            if null_every(67) { Value::Null } else { Value::Date(19_000 + (i % 300) as i32) },
            if null_every(61) { Value::Null } else { Value::Datetime(1_700_000_000_000 + i as i64 * 1000) },
        ]
    }

    /// An abandoned writer leaves no file; the directories it made are left empty, and
    /// are removed by `remove_empty_dirs`, which keeps every file of another writer (and
    /// its directories) as it was.
    #[test]
    fn abandoned_writers_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut kept = TableWriter::new(&STREAMED, dir.path(), "kept");
        for i in 0..10 {
            kept.push(Some(2020), &streamed_row(i)).unwrap();
        }
        kept.finish().unwrap();
        let before = std::fs::read(dir.path().join("streamed/year=2020/part-kept.parquet")).unwrap();
        let mut w = TableWriter::new(&STREAMED, dir.path(), "t");
        // A full row group of 2021 and 2020 each, written to files; 2019's rows only buffered.
        for i in 0..ROW_GROUP_ROWS {
            w.push(Some(2021), &streamed_row(i)).unwrap();
            w.push(Some(2020), &streamed_row(i)).unwrap();
        }
        w.push(Some(2019), &streamed_row(0)).unwrap();
        let year = |y: i32| dir.path().join(format!("streamed/year={y}"));
        assert!(year(2021).join("part-t.parquet").exists() && year(2020).join("part-t.parquet").exists());
        w.abandon().unwrap();
        assert!(!year(2021).join("part-t.parquet").exists() && !year(2020).join("part-t.parquet").exists());
        assert!(year(2021).exists() && !year(2019).exists());
        crate::warehouse::remove_empty_dirs(dir.path()).unwrap();
        assert!(!year(2021).exists());
        assert_eq!(std::fs::read(year(2020).join("part-kept.parquet")).unwrap(), before);
        let left: Vec<_> = std::fs::read_dir(year(2020)).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["part-kept.parquet"]);
        // Nothing but empty directories: all go, the root stays.
        std::fs::create_dir_all(dir.path().join("a/b/c")).unwrap();
        std::fs::remove_dir_all(dir.path().join("streamed")).unwrap();
        crate::warehouse::remove_empty_dirs(dir.path()).unwrap();
        assert!(dir.path().exists() && std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }

    /// A streamed table of more than one row group per partition reads back value for
    /// value, in row order; its repeated texts are dictionary-encoded and its ids plain.
    #[test]
    fn streamed_rows_read_back_with_text_dictionaries_where_they_pay() {
        let n = ROW_GROUP_ROWS + 5000;
        let dir = tempfile::tempdir().unwrap();
        let mut w = TableWriter::new(&STREAMED, dir.path(), "t");
        let year = |i: usize| Some(2020 + (i % 2) as i32);
        for i in 0..2 * n {
            w.push(year(i), &streamed_row(i)).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 2 * n as u64);
        for y in [2020, 2021] {
            let path = dir.path().join("streamed").join(format!("year={y}")).join("part-t.parquet");
            let back = ParquetReader::new(File::open(&path).unwrap()).finish().unwrap();
            assert_eq!(back.height(), n);
            let rows: Vec<usize> = (0..2 * n).filter(|&i| year(i) == Some(y)).collect();
            let text = |name: &str| -> Vec<Option<String>> {
                back.column(name).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
            };
            let want_text = |k: usize| -> Vec<Option<String>> {
                rows.iter()
                    .map(|&i| match &streamed_row(i)[k] {
                        Value::Str(s) => Some(s.clone()),
                        Value::Sym(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect()
            };
            for (k, name) in ["class", "id", "item"].iter().enumerate() {
                assert_eq!(text(name), want_text(k), "{name}");
            }
            let score: Vec<Option<f64>> = back.column("score").unwrap().f64().unwrap().iter().collect();
            let want: Vec<Option<f64>> = rows
                .iter()
                .map(|&i| match streamed_row(i)[3] {
                    Value::Float(x) => Some(x),
                    _ => None,
                })
                .collect();
            assert_eq!(score, want);
            let ints: Vec<Option<i64>> = back.column("n").unwrap().i64().unwrap().iter().collect();
            assert_eq!(ints, rows.iter().map(|&i| (i % 73 != 0).then_some(i as i64)).collect::<Vec<_>>());
            let oks: Vec<Option<bool>> = back.column("ok").unwrap().bool().unwrap().iter().collect();
            assert_eq!(oks, rows.iter().map(|&i| (i % 71 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>());
            let days = back.column("day").unwrap().cast(&DataType::Int32).unwrap();
            let days: Vec<Option<i32>> = days.i32().unwrap().iter().collect();
            assert_eq!(
                days,
                rows.iter().map(|&i| (i % 67 != 0).then_some(19_000 + (i % 300) as i32)).collect::<Vec<_>>()
            );
            let at = back.column("at").unwrap().cast(&DataType::Int64).unwrap();
            let at: Vec<Option<i64>> = at.i64().unwrap().iter().collect();
            let want_at: Vec<Option<i64>> =
                rows.iter().map(|&i| (i % 61 != 0).then_some(1_700_000_000_000 + i as i64 * 1000)).collect();
            assert_eq!(at, want_at);
            assert_eq!(back.schema(), &std::sync::Arc::new(polars_schema(&STREAMED)));
            let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
            assert_eq!(meta.row_groups.len(), 2);
            for rg in &meta.row_groups {
                let column = |name: &str| rg.columns_under_root_iter(name).and_then(|mut c| c.next()).unwrap();
                for (name, dictionary) in [("class", true), ("item", true), ("id", false), ("score", true)] {
                    assert_eq!(column(name).dictionary_page_offset().is_some(), dictionary, "{name}");
                }
            }
        }
    }

    /// Rows given as runs (`push_rows`: shared cells, names and scores per row, runs cut
    /// by row-group boundaries, empty runs) write the same bytes as the same rows pushed
    /// one by one.
    #[test]
    fn runs_of_rows_write_the_bytes_of_rows_pushed_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let (by_row, by_run) = (dir.path().join("row"), dir.path().join("run"));
        let mut rows = TableWriter::new(&STREAMED, &by_row, "t");
        let mut runs = TableWriter::new(&STREAMED, &by_run, "t");
        // Borrowed cells, the names as text rather than symbols: the same bytes.
        let by_cells = dir.path().join("cells");
        let mut cells_w = TableWriter::new(&STREAMED, &by_cells, "t");
        let (mut total, mut b) = (0usize, 0usize);
        while total < ROW_GROUP_ROWS + 40_000 {
            let m = b % 9;
            let year = Some(2020 + (b % 7 == 0) as i32);
            let class = format!("class-{:04}", b / 50);
            let id = format!("C{b:08}");
            let names: Vec<&'static str> = (0..m).map(|j| ITEMS[(b + j) % 3]).collect();
            let scores: Vec<f64> = (0..m).map(|j| ((b + j) % 5) as f64).collect();
            let null = b % 13 == 0;
            let fixed = |v: Value| if null { Value::Null } else { v };
            let (cl, ok, day, at) = (
                fixed(Value::Str(class.clone())),
                fixed(Value::Bool(b % 2 == 0)),
                fixed(Value::Date(19_000 + (b % 300) as i32)),
                fixed(Value::Datetime(1_700_000_000_000 + b as i64)),
            );
            for j in 0..m {
                let row = [
                    cl.clone(),
                    Value::Str(id.clone()),
                    Value::Sym(names[j]),
                    Value::Float(scores[j]),
                    Value::Int(b as i64),
                    ok.clone(),
                    day.clone(),
                    at.clone(),
                ];
                rows.push(year, &row).unwrap();
                let mut cells: Vec<CellRef<'_>> = row.iter().map(Value::cell).collect();
                cells[2] = CellRef::Str(names[j]);
                cells_w.push_cells(year, &cells).unwrap();
            }
            let cells = [
                ColumnRun::Same(cl.cell()),
                ColumnRun::Same(CellRef::Str(&id)),
                ColumnRun::Syms(&names),
                ColumnRun::Floats(&scores),
                ColumnRun::Same(CellRef::Int(b as i64)),
                ColumnRun::Same(ok.cell()),
                ColumnRun::Same(day.cell()),
                ColumnRun::Same(at.cell()),
            ];
            runs.push_rows(year, m, &cells).unwrap();
            total += m;
            b += 1;
        }
        assert_eq!(rows.finish().unwrap(), total as u64);
        assert_eq!(runs.finish().unwrap(), total as u64);
        assert_eq!(cells_w.finish().unwrap(), total as u64);
        for y in [2020, 2021] {
            let file =
                |root: &Path| std::fs::read(root.join("streamed").join(format!("year={y}")).join("part-t.parquet"));
            assert_eq!(file(&by_run).unwrap(), file(&by_row).unwrap(), "year {y}");
            assert_eq!(file(&by_cells).unwrap(), file(&by_row).unwrap(), "year {y}");
        }
        // A run of the wrong type or length is refused.
        let mut w = TableWriter::new(&STREAMED, &by_run, "u");
        let bad = [ColumnRun::Same(CellRef::Int(1)); 8];
        assert!(w.push_rows(None, 2, &bad).is_err());
        let short = [ColumnRun::Floats(&[1.0]); 8];
        assert!(w.push_rows(None, 2, &short).is_err());
        assert!(w.push_cells(None, &[CellRef::Null; 7]).is_err());
    }

    /// A text column turns plain when its distinct values pass a quarter of its rows,
    /// also when that is only known at the end, and keeps every value and null.
    #[test]
    fn text_columns_fall_back_to_plain_text() {
        use polars_arrow::array::Utf8ViewArray;
        use polars_parquet::write::Encoding;
        let values = |col: &mut TextCol, n: usize, distinct: usize| -> Vec<Option<String>> {
            let want: Vec<Option<String>> =
                (0..n).map(|i| (i % 7 != 3).then(|| format!("v{}", i % distinct))).collect();
            for v in &want {
                match v {
                    Some(s) => col.push(s),
                    None => col.push_null(),
                }
            }
            want
        };
        let read = |array: &ArrayRef| -> Vec<Option<String>> {
            match array.as_any().downcast_ref::<Utf8ViewArray>() {
                Some(a) => a.iter().map(|s| s.map(str::to_string)).collect(),
                None => {
                    let d = array.as_any().downcast_ref::<polars_arrow::array::DictionaryArray<u32>>().unwrap();
                    let v = d.values().as_any().downcast_ref::<Utf8ViewArray>().unwrap();
                    d.keys_iter().map(|k| k.map(|k| v.value(k).to_string())).collect()
                }
            }
        };
        let mut col = TextCol::default();
        // (rows, distinct values, dictionary?): few values; too many for the row count
        // (decided at the end); mostly distinct (given up after the probe); tiny.
        for (n, distinct, dictionary) in [(1000, 10, true), (1000, 600, false), (20_000, 20_000, false), (10, 1, false)]
        {
            let want = values(&mut col, n, distinct);
            let (array, encoding) = col.take().unwrap();
            assert_eq!(encoding == Encoding::RleDictionary, dictionary, "{n} rows, {distinct} values");
            assert_eq!(read(&array), want, "{n} rows, {distinct} values");
        }
    }

    /// Tables written whole: text and float columns with few distinct values (short and
    /// long texts, nulls, runs and scattered values) are dictionary-encoded, ids and
    /// many-valued floats written plain, and every value reads back as it was.
    #[test]
    fn documented_tables_decide_their_dictionaries_and_read_back_exactly() {
        let n = 10_000;
        let kinds = ["a", "department_level", "rural_secretary_of_the_village"];
        let kind: Vec<Option<&str>> = (0..n).map(|i| (i % 11 != 0).then(|| kinds[(i / 3 + i % 5) % 3])).collect();
        let id: Vec<String> = (0..n).map(|i| format!("C{i:07}")).collect();
        let many: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64 / 7.0)).collect();
        let few: Vec<Option<f64>> = (0..n).map(|i| (i % 13 != 0).then_some((i % 4) as f64 - 0.5)).collect();
        let df = df!("kind" => kind, "id" => id, "many" => many, "few" => few).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let def = crate::schema::table_def("units").unwrap();
        write_documented(def, &df, &path).unwrap();
        let back = ParquetReader::new(File::open(&path).unwrap()).finish().unwrap();
        assert_eq!(back.schema(), df.schema());
        assert!(back.equals_missing(&df));
        let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
        assert_eq!(meta.row_groups.len(), 1);
        let column = |name: &str| meta.row_groups[0].columns_under_root_iter(name).and_then(|mut c| c.next()).unwrap();
        for (name, dictionary) in [("kind", true), ("few", true), ("id", false), ("many", false)] {
            assert_eq!(column(name).dictionary_page_offset().is_some(), dictionary, "{name}");
        }
    }

    /// Pages compressed ahead, in parallel, are the bytes of pages compressed as the
    /// writer takes them, for both ways of choosing encodings and several row groups.
    #[test]
    fn pages_compressed_ahead_are_the_same_bytes() {
        let n = 5000;
        let df = df!(
            "id" => (0..n).map(|i| format!("C{i:07}")).collect::<Vec<_>>(),
            "kind" => (0..n).map(|i| (i % 9 != 0).then_some(["a", "bb", "a long kind of text"][i % 3])).collect::<Vec<_>>(),
            "few" => (0..n).map(|i| (i % 13 != 0).then_some((i % 4) as f64)).collect::<Vec<_>>(),
            "many" => (0..n).map(|i| i as f64 / 7.0).collect::<Vec<_>>(),
            "count" => (0..n as i64).collect::<Vec<_>>(),
            "flag" => (0..n).map(|i| (i % 5 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let write = |encodings: Encodings, when: Pages| {
            let path = dir.path().join(format!("{encodings:?}-{when:?}.parquet"));
            let mut w = ParquetWriter::new(BufWriter::new(File::create(&path).unwrap()))
                .with_compression(documented_compression())
                .batched(df.schema())
                .unwrap();
            for (from, len) in [(0, 3000), (3000, 2000)] {
                write_row_group(&mut w, &df.slice(from, len), documented_compression(), encodings, when).unwrap();
            }
            w.finish().unwrap();
            std::fs::read(&path).unwrap()
        };
        for encodings in [Encodings::Warehouse, Encodings::Decided] {
            let taken = write(encodings, Pages::AsTaken);
            assert_eq!(write(encodings, Pages::Ahead), taken, "{encodings:?}");
            let back = ParquetReader::new(std::io::Cursor::new(taken)).finish().unwrap();
            assert!(back.equals_missing(&df));
        }
    }

    /// A float column with few distinct values is dictionary-encoded, one with many is
    /// written plain, and both read back bit for bit (nulls, −0.0, NaN), in several
    /// row groups.
    #[test]
    fn few_distinct_floats_are_dictionary_encoded_and_read_back_exactly() {
        let n = 1000;
        let scale: Vec<Option<f64>> = (0..n)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some(-0.0),
                2 => Some(f64::NAN),
                k => Some(k as f64),
            })
            .collect();
        let distinct: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64 / 3.0)).collect();
        let ids: Vec<String> = (0..n).map(|i| format!("c{}", i % 10)).collect();
        let df = df!("scale" => scale, "distinct" => distinct, "id" => ids).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut w = ParquetWriter::new(BufWriter::new(File::create(&path).unwrap()))
            .set_parallel(false)
            .batched(df.schema())
            .unwrap();
        write_row_group(&mut w, &df.slice(0, 600), warehouse_compression(), Encodings::Warehouse, Pages::AsTaken)
            .unwrap();
        write_row_group(&mut w, &df.slice(600, 400), warehouse_compression(), Encodings::Warehouse, Pages::AsTaken)
            .unwrap();
        w.finish().unwrap();
        let back = ParquetReader::new(File::open(&path).unwrap()).finish().unwrap();
        assert_eq!(back.schema(), df.schema());
        for name in ["scale", "distinct"] {
            assert_eq!(bits(&back, name), bits(&df, name), "{name}");
        }
        assert!(back.column("id").unwrap().equals(df.column("id").unwrap()));
        let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
        assert_eq!(meta.row_groups.len(), 2);
        for rg in &meta.row_groups {
            let column = |name: &str| rg.columns_under_root_iter(name).and_then(|mut c| c.next()).unwrap();
            assert!(column("scale").dictionary_page_offset().is_some());
            assert!(column("distinct").dictionary_page_offset().is_none());
        }
    }

    static PARTED: TableDef = TableDef {
        name: "parted",
        grain: "test rows",
        partition: Some("year"),
        columns: &[
            ColumnDef { name: "id", dtype: DType::Str, doc: "" },
            ColumnDef { name: "score", dtype: DType::Float, doc: "" },
        ],
    };

    /// A frame of one year whose columns come in pieces (as the join's do) is written
    /// as the same bytes as the frame made whole, and two years still make two files.
    #[test]
    fn one_year_in_pieces_writes_as_the_whole_frame() {
        let frame = |ids: &[&str], scores: &[f64], year: i32| {
            df!["id" => ids, "score" => scores, "year" => vec![year; ids.len()]].unwrap()
        };
        let mut pieces = frame(&["a", "b"], &[1.0, 2.0], 2025);
        pieces.vstack_mut(&frame(&["c"], &[3.5], 2025)).unwrap();
        assert!(pieces.columns().iter().all(|c| c.n_chunks() == 2));
        let mut whole = pieces.clone();
        whole.rechunk_mut();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        assert_eq!(write_partitioned(&PARTED, &pieces, a.path()).unwrap(), 3);
        assert_eq!(write_partitioned(&PARTED, &whole, b.path()).unwrap(), 3);
        let file = |d: &Path| std::fs::read(d.join("parted/year=2025/part-parted.parquet")).unwrap();
        assert_eq!(file(a.path()), file(b.path()));

        let mut two = frame(&["a"], &[1.0], 2024);
        two.vstack_mut(&frame(&["b"], &[2.0], 2025)).unwrap();
        let c = tempfile::tempdir().unwrap();
        assert_eq!(write_partitioned(&PARTED, &two, c.path()).unwrap(), 2);
        assert!(c.path().join("parted/year=2024/part-parted.parquet").exists());
        assert!(c.path().join("parted/year=2025/part-parted.parquet").exists());
    }
}
