//! Tolerant, typed access to the columns of a frame.
//!
//! In: a polars `DataFrame` (an indicator or warehouse table). Out: [`Table`],
//! whose columns are converted once to plain vectors (`f64`, text, bool).
//! Guarantees: a missing column is reported by [`Table::require`] instead of
//! failing later; a cell that is null, NaN or of an unexpected type reads as
//! `None`, so a report never crashes on a table written by a newer stage.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use polars::prelude::*;

/// One converted column.
#[derive(Debug, Clone)]
enum Col {
    Num(Vec<Option<f64>>),
    Text(Texts),
    Flag(Vec<Option<bool>>),
}

/// A text column packed into one buffer: a per-person table holds 10⁶ ids, which as a
/// `String` each would cost an allocation and its header per cell.
#[derive(Debug, Clone, Default)]
struct Texts {
    buf: String,
    /// Where each cell ends in `buf` (it starts where the previous one ended).
    ends: Vec<usize>,
    null: Vec<bool>,
}

impl Texts {
    fn nulls(n: usize) -> Texts {
        Texts { buf: String::new(), ends: vec![0; n], null: vec![true; n] }
    }

    fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        if self.null[row] {
            return None;
        }
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        self.buf.get(start..end)
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Texts {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Texts {
        let mut t = Texts::default();
        for cell in iter {
            if let Some(s) = &cell {
                t.buf.push_str(s.as_ref());
            }
            t.ends.push(t.buf.len());
            t.null.push(cell.is_none());
        }
        t
    }
}

/// A frame converted to plain vectors, column by column.
#[derive(Debug, Clone, Default)]
pub struct Table {
    height: usize,
    /// Columns by name, in the frame's order: a table has a few dozen, and a scan (whose
    /// string comparison rejects a name of another length at once) finds one without
    /// the comparisons of a tree walk (every cell a page reads looks its column up by
    /// name).
    cols: Vec<(String, Col)>,
    /// The [`name_key`] of each column, in the order of `cols`: a look-up compares these
    /// words and the whole name only of the column they match, not every name of the
    /// same length.
    keys: Vec<u64>,
    /// `class_id` → its rows, built on the first [`Table::rows_of_class`]: the class pages
    /// look up every class in the same tables, which must not cost classes × rows. Fx, not
    /// SipHash: the ids are the project's own, and every page hashes one per table.
    class_rows: OnceLock<FxHashMap<String, Vec<usize>>>,
}

impl Table {
    /// Convert every column of `df`.
    pub fn from_frame(df: &DataFrame) -> Table {
        let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        Table::select(df, &refs)
    }

    /// Convert only the named columns of `df` (absent ones are skipped).
    pub fn select(df: &DataFrame, names: &[&str]) -> Table {
        let mut cols: Vec<(String, Col)> = Vec::new();
        for name in names {
            if let Ok(c) = df.column(name) {
                // A name given twice keeps one column, as a map would.
                if !cols.iter().any(|(n, _)| n == name) {
                    cols.push(((*name).to_string(), convert(c)));
                }
            }
        }
        let keys = cols.iter().map(|(n, _)| name_key(n)).collect();
        Table { height: df.height(), cols, keys, class_rows: OnceLock::new() }
    }

    /// Rows whose `class_id` is `id`, in row order, borrowed from the index: a page asks
    /// each table for its class's rows and most only read them.
    pub fn rows_of_class(&self, id: &str) -> &[usize] {
        self.class_index().get(id).map_or(&[], Vec::as_slice)
    }

    /// Every `class_id` the table holds (unordered; none without the column).
    pub fn class_ids(&self) -> impl Iterator<Item = &str> {
        self.class_index().keys().map(String::as_str)
    }

    fn class_index(&self) -> &FxHashMap<String, Vec<usize>> {
        self.class_rows.get_or_init(|| {
            let mut index: FxHashMap<String, Vec<usize>> = FxHashMap::default();
            let class = self.column(crate::schema::col::CLASS_ID);
            for i in 0..self.height {
                if let Some(c) = class.text_ref(i) {
                    match index.get_mut(c.as_ref()) {
                        Some(rows) => rows.push(i),
                        None => {
                            index.insert(c.into_owned(), vec![i]);
                        }
                    }
                }
            }
            index
        })
    }

    /// Whether the cell reads as `value` (as [`Table::text`] would give it), without
    /// copying a text cell: per-class look-ups compare many cells.
    pub fn text_is(&self, name: &str, row: usize, value: &str) -> bool {
        self.column(name).text_is(row, value)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.height
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.height == 0
    }

    /// Whether the table has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.col(name).is_some()
    }

    /// `Ok` when every column in `names` exists; else the missing ones.
    pub fn require(&self, names: &[&str]) -> Result<(), Vec<String>> {
        let missing: Vec<String> = names.iter().filter(|n| !self.has(n)).map(|n| n.to_string()).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing)
        }
    }

    /// Column `name`, resolved once for a loop over many rows (a missing column reads
    /// as null in every row): the by-name accessors look the name up per cell.
    pub fn column(&self, name: &str) -> ColRef<'_> {
        ColRef(self.col(name))
    }

    fn col(&self, name: &str) -> Option<&Col> {
        let key = name_key(name);
        self.keys.iter().zip(&self.cols).find(|(k, (n, _))| **k == key && n == name).map(|(_, (_, c))| c)
    }

    /// A finite number, or `None` (null, NaN, missing column, text).
    pub fn num(&self, name: &str, row: usize) -> Option<f64> {
        self.column(name).num(row)
    }

    /// A non-negative whole count, or `None`.
    pub fn count(&self, name: &str, row: usize) -> Option<u64> {
        self.column(name).count(row)
    }

    /// Text of a cell (numbers and flags rendered), or `None` for null.
    pub fn text(&self, name: &str, row: usize) -> Option<String> {
        self.column(name).text(row)
    }

    /// Text of a cell as [`Table::text`] gives it, borrowed when the column is text:
    /// whole-table tallies (10⁶ enrolments) need not copy every cell.
    pub fn text_ref(&self, name: &str, row: usize) -> Option<Cow<'_, str>> {
        self.column(name).text_ref(row)
    }

    /// Text of a cell, empty when null.
    pub fn text_or_empty(&self, name: &str, row: usize) -> String {
        self.text(name, row).unwrap_or_default()
    }

    /// A boolean cell; null and missing read as `false`.
    pub fn flag(&self, name: &str, row: usize) -> bool {
        self.column(name).flag(row)
    }

    /// Why row `row` is withheld, from the `suppression` column (a table written
    /// before that column existed reads every suppressed row as primary).
    pub fn withheld(&self, row: usize) -> Option<Withheld> {
        if !self.suppressed(row) {
            return None;
        }
        Some(match self.text(super::columns::SUPPRESSION, row).as_deref() {
            Some("secondary") => Withheld::Secondary,
            _ => Withheld::Small,
        })
    }

    /// Whether row `row` is suppressed (the `suppressed` column of every indicator table).
    pub fn suppressed(&self, row: usize) -> bool {
        self.flag(super::columns::SUPPRESSED, row)
    }
}

/// A word that differs for most pairs of different column names: the length and the
/// first up to 7 bytes. Equal names have equal words.
fn name_key(name: &str) -> u64 {
    let mut word = [0u8; 8];
    let head = &name.as_bytes()[..name.len().min(7)];
    word[..head.len()].copy_from_slice(head);
    word[7] = name.len().min(255) as u8;
    u64::from_le_bytes(word)
}

/// One column of a [`Table`], looked up once (see [`Table::column`]); its accessors
/// read a cell as the by-name accessors of the table do.
#[derive(Debug, Clone, Copy)]
pub struct ColRef<'t>(Option<&'t Col>);

impl<'t> ColRef<'t> {
    /// Whether the table has the column.
    pub fn exists(&self) -> bool {
        self.0.is_some()
    }

    /// A finite number, or `None` (null, NaN, missing column, text).
    pub fn num(&self, row: usize) -> Option<f64> {
        match self.0? {
            Col::Num(v) => v.get(row).copied().flatten().filter(|x| x.is_finite()),
            Col::Flag(v) => v.get(row).copied().flatten().map(|b| if b { 1.0 } else { 0.0 }),
            Col::Text(v) => v.get(row)?.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        }
    }

    /// A non-negative whole count, or `None`.
    pub fn count(&self, row: usize) -> Option<u64> {
        self.num(row).filter(|x| *x >= 0.0).map(|x| x.round() as u64)
    }

    /// Text of a cell (numbers and flags rendered), or `None` for null.
    pub fn text(&self, row: usize) -> Option<String> {
        match self.0? {
            Col::Text(v) => v.get(row).map(str::to_string),
            Col::Num(v) => v.get(row).copied().flatten().map(crate::cells::format_f64),
            Col::Flag(v) => v.get(row).copied().flatten().map(|b| b.to_string()),
        }
    }

    /// How many distinct texts the first `n` cells read as (nulls left out): the size of
    /// the set of their [`ColRef::text_ref`]s, which [`ColRef::distinct_texts_plain`]
    /// builds. A text column's cells are borrowed, Fx-hashed and the set sized once: the
    /// annual page counts the distinct cadres of every enrolment, a set as large as the
    /// data, which a SipHash set of `Cow`s grown by doubling makes the page's largest
    /// cost at scale.
    pub fn distinct_texts(&self, n: usize) -> usize {
        match self.0 {
            Some(Col::Text(v)) => {
                let n = n.min(v.ends.len());
                let mut seen: FxHashSet<&str> = FxHashSet::with_capacity_and_hasher(n, Default::default());
                seen.extend((0..n).filter_map(|i| v.get(i)));
                seen.len()
            }
            _ => self.distinct_texts_plain(n),
        }
    }

    /// The definition of [`ColRef::distinct_texts`].
    pub fn distinct_texts_plain(&self, n: usize) -> usize {
        (0..n).filter_map(|i| self.text_ref(i)).collect::<std::collections::HashSet<Cow<'_, str>>>().len()
    }

    /// Text of a cell, borrowed when the column is text.
    pub fn text_ref(&self, row: usize) -> Option<Cow<'t, str>> {
        match self.0? {
            Col::Text(v) => v.get(row).map(Cow::Borrowed),
            _ => self.text(row).map(Cow::Owned),
        }
    }

    /// Whether the cell reads as `value` (as [`ColRef::text`] gives it), without copying
    /// a text cell.
    pub fn text_is(&self, row: usize, value: &str) -> bool {
        match self.0 {
            Some(Col::Text(v)) => v.get(row) == Some(value),
            Some(_) => self.text(row).as_deref() == Some(value),
            None => false,
        }
    }

    /// A boolean cell; null and missing read as `false`.
    pub fn flag(&self, row: usize) -> bool {
        match self.0 {
            Some(Col::Flag(v)) => v.get(row).copied().flatten().unwrap_or(false),
            Some(Col::Num(v)) => v.get(row).copied().flatten().is_some_and(|x| x != 0.0),
            Some(Col::Text(v)) => v.get(row).is_some_and(|s| matches!(s, "true" | "1" | "是" | "TRUE" | "Y")),
            None => false,
        }
    }
}

fn convert(c: &Column) -> Col {
    let dtype = c.dtype();
    if dtype.is_bool() {
        if let Ok(b) = c.bool() {
            return Col::Flag(b.iter().collect());
        }
    }
    if dtype.is_primitive_numeric() {
        if let Ok(cast) = c.cast(&DataType::Float64) {
            if let Ok(f) = cast.f64() {
                return Col::Num(f.iter().collect());
            }
        }
    }
    if let DataType::List(_) = dtype {
        let v = (0..c.len())
            .map(|i| match c.get(i) {
                Ok(AnyValue::List(s)) => {
                    let s = s.cast(&DataType::String).unwrap_or(s);
                    Some(s.str().map(|t| t.iter().flatten().collect::<Vec<_>>().join(", ")).unwrap_or_default())
                }
                _ => None,
            })
            .collect();
        return Col::Text(v);
    }
    match c.cast(&DataType::String) {
        Ok(s) => match s.str() {
            Ok(t) => Col::Text(t.iter().collect()),
            Err(_) => Col::Text(Texts::nulls(c.len())),
        },
        Err(_) => Col::Text(Texts::nulls(c.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_texts_counts_as_the_set_of_text_refs_does() {
        let ids: Vec<Option<String>> = (0..5_000u64)
            .map(|i| {
                let k = i.wrapping_mul(2_654_435_761) % 1_777;
                (k % 13 != 0).then(|| if k % 7 == 0 { String::new() } else { format!("C{:07}", k % 997) })
            })
            .collect();
        let df = df!(
            "s" => ids.clone(),
            "x" => ids.iter().map(|s| s.as_ref().map(|s| s.len() as f64)).collect::<Vec<_>>(),
            "b" => ids.iter().map(|s| s.as_ref().map(|s| s.len() % 2 == 0)).collect::<Vec<_>>(),
        )
        .unwrap();
        let t = Table::from_frame(&df);
        for name in ["s", "x", "b", "absent"] {
            let c = t.column(name);
            for n in [0, 1, 2, 100, 4_999, 5_000, 6_000] {
                assert_eq!(c.distinct_texts(n), c.distinct_texts_plain(n), "{name} {n}");
            }
        }
        assert!(t.column("s").distinct_texts(5_000) > 900);
    }

    #[test]
    fn reads_numbers_text_flags_and_missing() {
        let df = df!(
            "a" => [Some(1.5), None, Some(f64::NAN)],
            "k" => [Some(3i64), Some(0), None],
            "s" => [Some("x"), None, Some("7")],
            "b" => [Some(true), Some(false), None],
        )
        .unwrap();
        let t = Table::from_frame(&df);
        assert_eq!(t.len(), 3);
        assert_eq!(t.num("a", 0), Some(1.5));
        assert_eq!(t.num("a", 1), None);
        assert_eq!(t.num("a", 2), None, "NaN reads as missing");
        assert_eq!(t.count("k", 0), Some(3));
        assert_eq!(t.text("s", 0).as_deref(), Some("x"));
        assert_eq!(t.num("s", 2), Some(7.0));
        assert!(t.flag("b", 0));
        assert!(!t.flag("b", 2));
        assert!(!t.flag("nope", 0));
        assert_eq!(t.num("nope", 0), None);
        assert_eq!(t.require(&["a", "zz", "yy"]), Err(vec!["zz".to_string(), "yy".to_string()]));
    }

    #[test]
    fn packed_text_keeps_empty_apart_from_null_and_indexes_classes() {
        let df = df!(
            "class_id" => [Some("K2"), Some(""), None, Some("K1"), Some("K2")],
            "n" => [Some(1i64), Some(2), Some(3), Some(4), Some(5)],
        )
        .unwrap();
        let t = Table::from_frame(&df);
        assert_eq!(t.text("class_id", 0).as_deref(), Some("K2"));
        assert_eq!(t.text("class_id", 1).as_deref(), Some(""), "an empty cell is not null");
        assert_eq!(t.text("class_id", 2), None);
        assert_eq!(t.text("class_id", 5), None, "past the end");
        assert_eq!(t.text_ref("class_id", 3).as_deref(), Some("K1"));
        assert_eq!(t.text_ref("n", 3).as_deref(), Some("4"), "numbers read as text are formatted");
        assert!(t.text_is("class_id", 4, "K2") && !t.text_is("class_id", 2, "") && t.text_is("n", 0, "1"));
        assert_eq!(t.rows_of_class("K2"), [0, 4]);
        assert_eq!(t.rows_of_class(""), [1]);
        let mut ids: Vec<&str> = t.class_ids().collect();
        ids.sort_unstable();
        assert_eq!(ids, ["", "K1", "K2"]);
    }

    #[test]
    fn list_columns_become_joined_text() {
        let s = Series::new("l".into(), [Series::new("".into(), ["甲", "乙"]), Series::new("".into(), ["丙"])]);
        let df = DataFrame::new(2, vec![s.into()]).unwrap();
        let t = Table::from_frame(&df);
        assert_eq!(t.text("l", 0).as_deref(), Some("甲, 乙"));
    }
}

/// Why a row of an indicator table is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// It describes fewer than `min_cell` people.
    Small,
    /// It is large enough, but withheld so that a small row cannot be recovered by
    /// subtraction from a published total.
    Secondary,
}
