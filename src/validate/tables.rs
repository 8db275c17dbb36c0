//! The declared rules of each input table (types, not-null, keys, relationships,
//! accepted values, ranges) and the driver that applies them row by row.
//!
//! Per-row costs matter here (10⁷ rows at 10⁶ cadres), so the driver reads every row
//! into one reused record, resolves column positions once per file ([`Layout`]),
//! counts rows locally, keeps duplicate keys as interned integers grouped by class,
//! course or cadre ([`Seen`]), and sums the person-level rating scores of accepted
//! rows as it goes (`super::stats`), so that `trainee_outcomes` never re-reads the long
//! rating tables. None of this changes which rows are accepted or how rejects read.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::cells::{parse_date, parse_f64, parse_gender, parse_i64, CellRef, RowCheck, Value};
use super::headers::{header_problems, Columns};
use super::registry::{CadreSet, ClassInfo, IdKey, Registry};
use super::stats::{RatingContribution, RatingStats};
use super::survey;
use super::{Reason, Reject, TableCounts, ValidationReport};
use crate::config::{InputFormat, InputSpec, Job, ResolvedInput};
use crate::error::{Error, IngestError, WarehouseError};
use crate::ingest::platform::CourseRatingAdapter;
use crate::ingest::{self, Pass, Row, RowInfo, Shape};
use crate::schema::{col, TableKind, Wave, CATEGORIES, GRADES, ITEM_KINDS, METHODS, RATER_ROLES, UNIT_KINDS};

/// Where accepted rows go: the warehouse writer when building, a counter when validating.
pub trait RowSink {
    /// Accept one row of warehouse table `table` (columns in `schema::TABLES` order).
    fn push(&mut self, table: &'static str, year: Option<i32>, row: &[Value]) -> Result<(), WarehouseError>;

    /// [`RowSink::push`] of a row of borrowed cells.
    fn push_cells(&mut self, table: &'static str, year: Option<i32>, row: &[CellRef<'_>])
        -> Result<(), WarehouseError>;

    /// Accept `n` rows of `table` given column by column, one [`ColumnRun`] per column: the
    /// long rows of one melted source row, which share every cell but a name and a
    /// score. The same rows as `n` calls of [`RowSink::push`].
    fn push_rows(
        &mut self,
        table: &'static str,
        year: Option<i32>,
        n: usize,
        runs: &[ColumnRun<'_>],
    ) -> Result<(), WarehouseError>;
}

/// The cells of one column over the rows of [`RowSink::push_rows`].
#[derive(Debug, Clone, Copy)]
pub enum ColumnRun<'a> {
    /// The same cell in every row.
    Same(CellRef<'a>),
    /// One name from a fixed vocabulary per row.
    Syms(&'a [&'static str]),
    /// One number per row.
    Floats(&'a [f64]),
}

impl ColumnRun<'_> {
    /// The rows the run gives a cell to; `None` for any number.
    pub fn rows(&self) -> Option<usize> {
        match self {
            ColumnRun::Same(_) => None,
            ColumnRun::Syms(s) => Some(s.len()),
            ColumnRun::Floats(x) => Some(x.len()),
        }
    }
}

/// One source file as read, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
    pub table: String,
    /// Source data rows read (blank rows excluded).
    pub rows: u64,
    pub encoding: String,
}

/// What validating one input produced.
#[derive(Debug, Default)]
pub struct InputOutcome {
    pub files: Vec<InputFile>,
    /// Ids accepted by this input, for reference checks of later inputs
    /// (apply with [`Registry::apply`] once the input is done).
    pub updates: RegistryUpdates,
    /// Person-level sums of the accepted rating rows (see the `stats` module).
    pub ratings: RatingStats,
}

/// Registry additions made by one input. No table references itself, so they are
/// applied after the input is done, which lets independent inputs run in parallel.
#[derive(Debug, Default, Clone)]
pub struct RegistryUpdates {
    /// Units, classes, courses, enrollments and items accepted, in input order.
    accepted: Vec<Accept>,
    /// The cadres accepted, with their index (only the `cadres` input fills it).
    cadres: CadreSet,
}

/// Canonical column → source column index, with the input's value maps.
///
/// Columns are resolved once per file: each canonical column has a slot with its
/// source index and value map, found per cell by a short linear scan (a handful of
/// columns per table; the names are mostly the same `&'static str` constants, so the
/// pointer comparison tried first usually finds the slot without comparing bytes).
/// Hot loops over many columns (survey items) resolve their [`Slot`]s up front.
pub(super) struct Layout<'s> {
    slots: Vec<(&'s str, Slot<'s>)>,
    values: &'s BTreeMap<String, BTreeMap<String, String>>,
    /// The slot after the one last found: a row's rules read its columns mostly in the
    /// order they are listed (a rating row's ids, then its scores), so this is mostly
    /// the next one asked for, found without the scan.
    next: std::cell::Cell<usize>,
}

/// Where a canonical column's cells are: the source column (absent: every cell is
/// blank) and the input's value map for the column.
#[derive(Clone, Copy)]
pub(super) struct Slot<'s> {
    index: Option<usize>,
    map: Option<&'s BTreeMap<String, String>>,
}

impl<'s> Layout<'s> {
    /// Map `required` and `optional` canonical columns to source headers (through
    /// `spec.columns`). Every header problem of the file — a mapped header it lacks, a
    /// mapping key that is not a column, a required column missing or one doubled — is an
    /// error, all of them together (see `super::headers`).
    pub fn new(
        job: &Job,
        input: &str,
        path: &Path,
        headers: &[String],
        spec: &'s InputSpec,
        required: &[&'s str],
        optional: &[&'s str],
    ) -> Result<Layout<'s>, IngestError> {
        let cols = Columns { required, optional, complete: true };
        if let Some(e) = IngestError::headers(header_problems(job, input, path, headers, spec, &cols)) {
            return Err(e);
        }
        let mut slots = Vec::with_capacity(required.len() + optional.len());
        for want in required.iter().chain(optional) {
            let source_name = spec.columns.get(*want).map(String::as_str).unwrap_or(want);
            // Headers are unique among the columns used (checked above).
            let index = headers.iter().position(|h| h.as_str() == source_name);
            // A column listed twice keeps its first slot.
            if !slots.iter().any(|(name, _)| name == want) {
                slots.push((*want, Slot { index, map: spec.values.get(*want) }));
            }
        }
        Ok(Layout { slots, values: &spec.values, next: std::cell::Cell::new(0) })
    }

    pub fn has(&self, column: &str) -> bool {
        self.find(column).is_some_and(|s| s.index.is_some())
    }

    fn find(&self, column: &str) -> Option<&Slot<'s>> {
        let hint = self.next.get();
        if let Some((name, slot)) = self.slots.get(hint) {
            if std::ptr::eq(*name, column) {
                self.next.set(hint + 1);
                return Some(slot);
            }
        }
        let by_ptr = self.slots.iter().position(|(name, _)| std::ptr::eq(*name, column));
        let at = by_ptr.or_else(|| self.slots.iter().position(|(name, _)| *name == column))?;
        self.next.set(at + 1);
        self.slots.get(at).map(|(_, slot)| slot)
    }

    /// The slot of `column` (a column not in the layout has only its value map).
    pub fn slot(&self, column: &str) -> Slot<'s> {
        self.find(column).copied().unwrap_or_else(|| Slot { index: None, map: self.values.get(column) })
    }

    /// The slot of `column`, which the caller says is at place `at` of the layout's
    /// columns: read from there when it is, searched for when not.
    #[inline]
    pub fn slot_at(&self, at: usize, column: &str) -> Slot<'s> {
        match self.slots.get(at) {
            Some((name, slot)) if std::ptr::eq(*name, column) => *slot,
            _ => self.slot_not_at(at, column),
        }
    }

    /// [`Layout::slot_at`] when the place does not hold the same `&str`: kept out of line
    /// so that the read by index stays small enough to inline into every rule.
    #[cold]
    #[inline(never)]
    fn slot_not_at(&self, at: usize, column: &str) -> Slot<'s> {
        match self.slots.get(at) {
            Some((name, slot)) if *name == column => *slot,
            _ => self.slot(column),
        }
    }

    /// The cell at `slot`, trimmed and passed through the value map; "" when absent.
    #[inline]
    pub fn cell<'r>(row: &'r Row, slot: &Slot<'_>) -> Cow<'r, str> {
        let raw = slot.index.and_then(|i| row.get(i)).map(super::cells::trim).unwrap_or("");
        match slot.map.and_then(|m| m.get(raw)) {
            Some(mapped) => Cow::Owned(mapped.clone()),
            None => Cow::Borrowed(raw),
        }
    }
}

/// Per-row checking helpers bound to a row, a layout and the failure collector.
pub(super) struct Cells<'a> {
    pub layout: &'a Layout<'a>,
    pub row: &'a Row,
    pub rc: RowCheck,
    pub date_format: Option<&'a str>,
}

/// A column as a rule names it: by name alone (found in the layout per cell), or as
/// [`At`], by name and its place in the layout, read without the search.
pub(super) trait Column: Copy {
    fn name(&self) -> &str;
    fn slot<'s>(&self, layout: &Layout<'s>) -> Slot<'s>;
}

impl Column for &str {
    fn name(&self) -> &str {
        self
    }

    fn slot<'s>(&self, layout: &Layout<'s>) -> Slot<'s> {
        layout.slot(self)
    }
}

/// Column `.1` at place `.0` of the layout's columns (required then optional, as
/// [`input_columns`] lists them). The large tables' rules name their columns this way,
/// so that a cell is read by index rather than looked for by name; a place that does
/// not hold the name (a configured column listed twice) falls back to the search.
#[derive(Debug, Clone, Copy)]
pub(super) struct At(pub usize, pub &'static str);

impl Column for At {
    fn name(&self) -> &str {
        self.1
    }

    #[inline(always)]
    fn slot<'s>(&self, layout: &Layout<'s>) -> Slot<'s> {
        layout.slot_at(self.0, self.1)
    }
}

impl<'a> Cells<'a> {
    #[inline]
    pub fn raw(&self, column: impl Column) -> Cow<'a, str> {
        Layout::cell(self.row, &column.slot(self.layout))
    }

    /// Text; `required` blank → missing_value.
    pub fn text(&mut self, column: impl Column, required: bool) -> Option<String> {
        self.text_ref(column, required).map(Cow::into_owned)
    }

    /// [`Cells::text`], borrowed from the row unless a value map replaced it.
    #[inline]
    pub fn text_ref(&mut self, column: impl Column, required: bool) -> Option<Cow<'a, str>> {
        let v = self.raw(column);
        if v.is_empty() {
            if required {
                let name = column.name();
                self.rc.fail(Reason::MissingValue, name, "", || format!("`{name}` is required"));
            }
            return None;
        }
        Some(v)
    }

    /// One of `vocab`.
    pub fn choice(&mut self, column: impl Column, vocab: &[&str], required: bool) -> Option<String> {
        let v = self.text(column, required)?;
        if vocab.contains(&v.as_str()) {
            Some(v)
        } else {
            self.not_in(column.name(), &v, vocab);
            None
        }
    }

    /// Record that `v`, the value of `name`, is none of `vocab`.
    fn not_in(&mut self, name: &str, v: &str, vocab: &[&str]) {
        self.rc.fail(Reason::BadValue, name, v, || {
            format!(
                "`{name}` = \"{v}\" is not one of: {} (map it under [inputs.<table>.values.{name}])",
                vocab.join(", ")
            )
        });
    }

    /// [`Cells::choice`] as the entry of `vocab` (no `String` of its own).
    pub fn choice_sym(&mut self, column: impl Column, vocab: &[&'static str], required: bool) -> Option<&'static str> {
        let v = self.text_ref(column, required)?;
        match vocab.iter().find(|x| **x == v) {
            Some(x) => Some(x),
            None => {
                self.not_in(column.name(), &v, vocab);
                None
            }
        }
    }

    /// Parse a cell with `parse`; blank → `missing_value` when `required`; a parse error
    /// → its reason with `what` in the message; a value outside `range` → `out_of_range`.
    fn typed<T: PartialOrd + std::fmt::Display>(
        &mut self,
        column: impl Column,
        required: bool,
        parse: impl FnOnce(&str) -> Result<Option<T>, Reason>,
        range: Option<(T, T)>,
        what: impl FnOnce() -> String,
    ) -> Option<T> {
        let raw = self.raw(column);
        let name = column.name();
        match parse(&raw) {
            Ok(None) => {
                if required {
                    self.rc.fail(Reason::MissingValue, name, "", || format!("`{name}` is required"));
                }
                None
            }
            Ok(Some(x)) => match range {
                Some((lo, hi)) if x < lo || x > hi => {
                    self.rc.fail(Reason::OutOfRange, name, &raw, || format!("`{name}` = {x} is outside [{lo}, {hi}]"));
                    None
                }
                _ => Some(x),
            },
            Err(r) => {
                self.rc.fail(r, name, &raw, || format!("`{name}` = \"{raw}\" is not {}", what()));
                None
            }
        }
    }

    /// A number within `[lo, hi]`.
    pub fn number(&mut self, column: impl Column, lo: f64, hi: f64, required: bool) -> Option<f64> {
        self.typed(column, required, parse_f64, Some((lo, hi)), || "a number".into())
    }

    /// A whole number within `[lo, hi]`.
    pub fn integer(&mut self, column: impl Column, lo: i64, hi: i64, required: bool) -> Option<i64> {
        self.typed(column, required, parse_i64, Some((lo, hi)), || "a whole number".into())
    }

    /// A boolean (true/false, 1/0, 是/否, Y/N).
    pub fn boolean(&mut self, column: impl Column, required: bool) -> Option<bool> {
        self.typed(column, required, super::cells::parse_bool, None, || "a boolean (true/false, 1/0, 是/否)".into())
    }

    /// A calendar date in the input's date format (default YYYY-MM-DD).
    pub fn date(&mut self, column: impl Column, required: bool) -> Option<i32> {
        let fmt = self.date_format;
        self.typed(
            column,
            required,
            |s| parse_date(s, fmt),
            None,
            || format!("a calendar date in {}", fmt.unwrap_or("YYYY-MM-DD")),
        )
    }

    /// A reference resolved to its interned index (`find`), or an `unknown_id` failure.
    pub fn lookup(
        &mut self,
        column: impl Column,
        what: &str,
        find: impl FnOnce(&str) -> Option<u32>,
    ) -> Option<(Cow<'a, str>, u32)> {
        let v = self.text_ref(column, true)?;
        match find(&v) {
            Some(i) => Some((v, i)),
            None => {
                self.rc.fail(Reason::UnknownId, column.name(), &v, || format!("unknown {what} `{v}`"));
                None
            }
        }
    }

    /// A reference that must exist (`exists`).
    pub fn reference(&mut self, column: impl Column, what: &str, exists: impl FnOnce(&str) -> bool) -> Option<String> {
        let v = self.text(column, true)?;
        if exists(&v) {
            Some(v)
        } else {
            self.rc.fail(Reason::UnknownId, column.name(), &v, || format!("unknown {what} `{v}`"));
            None
        }
    }
}

fn opt_s(v: Option<String>) -> Value {
    v.map(Value::Str).unwrap_or(Value::Null)
}
fn opt_f(v: Option<f64>) -> Value {
    v.map(Value::Float).unwrap_or(Value::Null)
}

/// A checked row: the warehouse rows it becomes and its duplicate key.
struct Checked<'a> {
    rows: Emit<'a>,
    key: Key,
    on_accept: Option<Accept>,
    /// What the row adds to the person-level rating statistics once accepted.
    rating: Option<RatingContribution>,
}

/// A row's unique key: interned indices where the table is large, text otherwise.
/// Each input has its own set of keys, so `Ids(group, rest)` means:
/// - enrollments: (class, [cadre, 0, 0]);
/// - course ratings: (course, [rater, 0, 0]);
/// - reviews: (cadre, [review date, kind, 0]);
/// - trainee ratings: (class, [cadre, rater role, rater]), the rater being a cadre
///   index for peer and self raters and a [`Memo::key_id`] otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Text(String),
    /// A cadre id, kept in [`Seen::cadres`].
    Cadre(IdKey),
    Ids(u32, [u32; 3]),
    Mixed(u32, u32, String),
}

/// The keys seen so far in one input.
///
/// Integer keys are kept per group (class, course or cadre), each group a small set.
/// Source files list the rows of a group together, so a row's check touches a set
/// that is already in cache; one flat set of 10⁶–10⁷ keys cost a cache and TLB miss
/// per row, a sixth of the validation time of a rating input.
#[derive(Default)]
struct Seen {
    groups: rustc_hash::FxHashMap<u32, rustc_hash::FxHashSet<[u32; 3]>>,
    text: rustc_hash::FxHashSet<Key>,
    /// The accepted cadres, in order: what the registry's cadre index is made of.
    cadres: CadreSet,
}

impl Seen {
    /// Add `key`; false when it was seen before.
    fn insert(&mut self, key: Key) -> bool {
        match key {
            Key::Ids(group, rest) => self.groups.entry(group).or_default().insert(rest),
            Key::Cadre(id) => self.cadres.insert(id),
            text => self.text.insert(text),
        }
    }
}

/// Per-input memory of the row checks.
#[derive(Debug, Default)]
struct Memo {
    /// Ids for the free-text parts of keys (teacher and class-manager rater ids, review
    /// kinds): a few thousand distinct values per input.
    key_parts: rustc_hash::FxHashMap<String, u32>,
    /// The last cadre found by [`Memo::cadre`].
    last_cadre: Option<(String, u32)>,
}

impl Memo {
    fn key_id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.key_parts.get(s) {
            return i;
        }
        let i = self.key_parts.len() as u32;
        self.key_parts.insert(s.to_string(), i);
        i
    }

    /// [`Registry::cadre`], remembering the last cadre found: rating and review rows
    /// repeat a cadre on consecutive rows (a rater's courses, a trainee's raters, a
    /// cadre's reviews), and each look-up in a table of 10⁶ cadres is a cache miss.
    fn cadre(&mut self, reg: &Registry, id: &str) -> Option<u32> {
        if let Some((last, i)) = &self.last_cadre {
            if last == id {
                return Some(*i);
            }
        }
        let i = reg.cadre(id)?;
        match &mut self.last_cadre {
            Some((last, j)) => {
                last.clear();
                last.push_str(id);
                *j = i;
            }
            None => self.last_cadre = Some((id.to_string(), i)),
        }
        Some(i)
    }
}

/// The cadre of `column` (an `unknown_id` failure when none), looked up first among the
/// enrolled cadres of `class`; `true` when found there, i.e. enrolled in `class`.
fn cadre_of_class<'a>(
    c: &mut Cells<'a>,
    column: impl Column,
    class: Option<u32>,
    reg: &Registry,
    memo: &mut Memo,
) -> (Option<(Cow<'a, str>, u32)>, bool) {
    let mut enrolled = false;
    let found = c.lookup(column, "cadre", |x| match class.and_then(|ci| reg.enrolled_cadre(ci, x)) {
        Some(i) => {
            enrolled = true;
            Some(i)
        }
        None => memo.cadre(reg, x),
    });
    (found, enrolled)
}

/// The text cells a wide rating row's long rows share, borrowed from the row or the
/// registry (a value map may have replaced a cell: then it is owned).
const LONG_FIXED: usize = 4;

/// The fixed cells of a wide row, padded to [`LONG_FIXED`].
fn long_fixed<'a, const N: usize>(cells: [Cow<'a, str>; N]) -> ([Cow<'a, str>; LONG_FIXED], usize) {
    let mut fixed: [Cow<'a, str>; LONG_FIXED] = Default::default();
    for (slot, cell) in fixed.iter_mut().zip(cells) {
        *slot = cell;
    }
    (fixed, N.min(LONG_FIXED))
}

/// The most cells a row of [`Emit::Cells`] holds (the widest such table is `reviews`).
const ROW_CELLS: usize = 10;

/// A cell of [`Emit::Cells`]: text borrowed from the row or the registry (owned where
/// a value map or a pseudonym made it), or any other cell.
#[derive(Default)]
enum Out<'a> {
    Text(Cow<'a, str>),
    #[default]
    Null,
    Cell(CellRef<'a>),
}

impl<'a> Out<'a> {
    fn text(v: Option<Cow<'a, str>>) -> Self {
        v.map(Out::Text).unwrap_or_default()
    }

    fn cell<T>(v: Option<T>, f: impl FnOnce(T) -> CellRef<'a>) -> Self {
        v.map(|x| Out::Cell(f(x))).unwrap_or_default()
    }

    fn as_cell(&self) -> CellRef<'_> {
        match self {
            Out::Text(t) => CellRef::Str(t),
            Out::Null => CellRef::Null,
            Out::Cell(c) => *c,
        }
    }
}

/// The cells of one row in a fixed array: a row of the large tables costs no `Vec`
/// and no `String` per cell.
struct RowCells<'a> {
    cells: [Out<'a>; ROW_CELLS],
    len: usize,
}

impl<'a> RowCells<'a> {
    fn of<const N: usize>(cells: [Out<'a>; N]) -> Box<Self> {
        let mut row = Box::new(RowCells { cells: Default::default(), len: 0 });
        row.extend(cells);
        row
    }

    /// Add cells; past [`ROW_CELLS`] they are counted but not kept, so the writer
    /// refuses the row as one of the wrong width rather than the process failing.
    fn extend(&mut self, cells: impl IntoIterator<Item = Out<'a>>) {
        for cell in cells {
            if let Some(slot) = self.cells.get_mut(self.len) {
                *slot = cell;
            }
            self.len += 1;
        }
    }
}

/// The warehouse rows one source row becomes.
enum Emit<'a> {
    /// One row of `table`.
    One(&'static str, Option<i32>, Vec<Value>),
    /// One row of `table` from borrowed cells (boxed: the checked row is moved a few
    /// times on its way to the sink, and a pointer moves for less than the cells).
    Cells(&'static str, Option<i32>, Box<RowCells<'a>>),
    /// Wide → long: the first `width` of `fixed` followed by (name, score) for each
    /// non-blank score.
    Long {
        table: &'static str,
        year: Option<i32>,
        fixed: ([Cow<'a, str>; LONG_FIXED], usize),
        scores: Vec<(&'static str, f64)>,
    },
}

/// Buffers reused from row to row for the name and score columns of melted rows.
#[derive(Default)]
struct Melt {
    names: Vec<&'static str>,
    scores: Vec<f64>,
}

impl Emit<'_> {
    fn len(&self) -> usize {
        match self {
            Emit::One(..) | Emit::Cells(..) => 1,
            Emit::Long { scores, .. } => scores.len(),
        }
    }

    /// Hand the rows to `sink`; a melted row's long rows go in one call, column by column.
    fn write(self, sink: &mut dyn RowSink, melt: &mut Melt) -> Result<(), WarehouseError> {
        match self {
            Emit::One(t, year, row) => sink.push(t, year, &row),
            Emit::Cells(t, year, row) => {
                let mut cells = [CellRef::Null; ROW_CELLS];
                for (cell, out) in cells.iter_mut().zip(&row.cells) {
                    *cell = out.as_cell();
                }
                // A row wider than ROW_CELLS gives the writer fewer cells than columns.
                let n = if row.len > ROW_CELLS { ROW_CELLS - 1 } else { row.len };
                sink.push_cells(t, year, &cells[..n])
            }
            Emit::Long { table, year, fixed: (fixed, width), scores } => {
                melt.names.clear();
                melt.scores.clear();
                for (name, score) in &scores {
                    melt.names.push(name);
                    melt.scores.push(*score);
                }
                let mut runs = [ColumnRun::Same(CellRef::Null); LONG_FIXED + 2];
                for (run, cell) in runs.iter_mut().zip(&fixed[..width]) {
                    *run = ColumnRun::Same(CellRef::Str(cell));
                }
                runs[width] = ColumnRun::Syms(&melt.names);
                runs[width + 1] = ColumnRun::Floats(&melt.scores);
                sink.push_rows(table, year, scores.len(), &runs[..width + 2])
            }
        }
    }
}

/// Registry updates to apply when a row is accepted.
///
/// One is kept per accepted cadre and enrollment (10⁷ of each at the largest inputs), so
/// the rare large variants are boxed: the vector of updates is as wide as its widest
/// variant, and it is written, grown and read whole.
#[derive(Debug, Clone)]
pub(super) enum Accept {
    Unit(String),
    Class(Box<ClassInfo>),
    Course(Box<CourseAccept>),
    Enrollment(u32, u32),
    Item(Box<super::ItemDef>),
}

/// An accepted course, for [`Accept::Course`].
#[derive(Debug, Clone)]
pub(super) struct CourseAccept {
    id: String,
    class: u32,
    teacher: Option<String>,
    title: Option<String>,
}

/// Validate one input (all its files) into the sink and the report; the ids it accepts
/// come back in [`InputOutcome::updates`].
///
/// CSV files are read in one pass ([`Pass::One`]) but those in `twice`. A file that turns
/// out not to be UTF-8 after rows of it went to the sink and the report ends the input
/// with [`IngestError::ReadAgain`]: everything the input produced (the sink's rows, the
/// report, the outcome) is then to be thrown away, and the input validated again with
/// the file in `twice`.
pub fn validate_input(
    job: &Job,
    input: &ResolvedInput,
    reg: &Registry,
    report: &mut ValidationReport,
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64),
    twice: &[PathBuf],
) -> Result<InputOutcome, Error> {
    let pass = |path: &Path| if twice.iter().any(|p| p == path) { Pass::Two } else { Pass::One };
    let mut outcome = InputOutcome::default();
    let table_name = input.table.name();
    report.tables.entry(table_name.clone()).or_default();
    if let TableKind::Survey(wave) = input.table {
        // The count shown is the input's, across its files: it never steps back when
        // the next file of a glob begins.
        let mut done = 0u64;
        for path in &input.files {
            let base = done;
            let f = survey::validate_survey_file(job, input, (path, pass(path)), wave, reg, report, sink, &|n| {
                progress(base + n)
            })?;
            done += f.rows;
            outcome.files.push(f);
        }
        return Ok(outcome);
    }
    warn_missing_refs(input.table, reg, report);
    let mut seen = Seen::default();
    if input.table == TableKind::Cadres {
        // Sized from the files, so that the index of 10⁶–10⁷ ids is not grown (and every
        // id placed again) a score of times; a guess too small only means some growth.
        let bytes: u64 = input.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        seen.cadres.reserve((bytes / CADRE_ROW_BYTES).min(MAX_CADRES_RESERVED) as usize);
    }
    let mut memo = Memo::default();
    // Names of the score columns of wide rating tables, interned once per input.
    let score_names: Vec<&'static str> = match input.table {
        TableKind::CourseRatings => job.settings.instrument.course_indicators.iter().map(|n| intern(n)).collect(),
        TableKind::TraineeRatings => job.settings.instrument.trainee_dimensions.iter().map(|n| intern(n)).collect(),
        _ => Vec::new(),
    };
    let mut counts = TableCounts::default();
    let mut row = Row::new();
    let (mut mapped, mut expanded) = (Row::new(), Vec::new());
    let mut melt = Melt::default();
    let date_format = input.spec.date_format.as_deref();
    for path in &input.files {
        let display = job.display_path(path);
        let mut src = ingest::open_with(path, &input.spec, pass(path))?;
        // A course-evaluation export is read through its adapter: one canonical rating
        // row per course a trainee scored, all at the export row's line.
        let adapter = match (input.table, input.spec.format, &input.spec.platform) {
            (TableKind::CourseRatings, InputFormat::Platform, Some(cfg)) => Some(
                CourseRatingAdapter::new(&src.headers, cfg, &job.settings.instrument.course_indicators)
                    .map_err(|e| IngestError::Format { path: path.to_path_buf(), message: e.to_string() })?,
            ),
            _ => None,
        };
        let headers = adapter.as_ref().map(|a| a.canonical_headers()).unwrap_or_else(|| src.headers.clone());
        let (req, opt) = columns_of(input.table, job);
        let layout = Layout::new(job, &input.name, path, &headers, &input.spec, &req, &opt)?;
        let mut rows_read = 0u64;
        let mut check = |row: &Row, info: RowInfo| -> Result<(), Error> {
            rows_read += 1;
            if rows_read.is_multiple_of(PROGRESS_EVERY) {
                progress(counts.read + rows_read);
            }
            let mut c = Cells { layout: &layout, row, rc: RowCheck::default(), date_format };
            c.rc.shape(info);
            let checked = check_row(input.table, job, &score_names, &mut c, reg, &mut memo);
            let checked = match (c.rc.failure.take(), checked) {
                (Some(f), _) => Err(f),
                (None, Some(Checked { rows, key, on_accept, rating })) => {
                    if seen.insert(key) {
                        Ok((rows, on_accept, rating))
                    } else {
                        Err(super::cells::Failure {
                            reason: Reason::DuplicateKey,
                            column: key_column(input.table).to_string(),
                            value: key_values(input.table, &c),
                            message: format!("duplicate key ({}); the first row wins", key_column(input.table)),
                        })
                    }
                }
                // check_row returns None only with a failure recorded; should that ever
                // break, the row is rejected, never accepted unchecked.
                (None, None) => Err(super::cells::Failure {
                    reason: Reason::MissingValue,
                    column: String::new(),
                    value: String::new(),
                    message: "row could not be checked".into(),
                }),
            };
            match checked {
                Err(f) => record_reject(report, reg, &table_name, &display, info.line, f),
                Ok((rows, on_accept, rating)) => {
                    counts.accepted += 1;
                    counts.written += rows.len() as u64;
                    if let Some(a) = on_accept {
                        outcome.updates.accepted.push(a);
                    }
                    if let (Some(r), Emit::Long { scores, .. }) = (rating, &rows) {
                        outcome.ratings.add(r, scores);
                    }
                    rows.write(sink, &mut melt)?;
                }
            }
            Ok(())
        };
        while let Some(info) = src.next_row(&mut row)? {
            let Some(a) = &adapter else {
                check(&row, info)?;
                continue;
            };
            let refs: Vec<&str> = row.iter().collect();
            a.map_row(&refs, |class, course| course_in_class(reg, class, &course.label), &mut expanded);
            // A row of another shape is one reject, not one per course.
            if info.shape != Shape::Fits {
                expanded.truncate(1);
            }
            for cells in &expanded {
                mapped.clear();
                cells.iter().for_each(|x| mapped.push_field(x));
                check(&mapped, info)?;
            }
        }
        counts.read += rows_read;
        progress(counts.read);
        outcome.files.push(InputFile {
            path: display,
            sha256: src.sha256()?,
            table: table_name.clone(),
            rows: rows_read,
            encoding: src.encoding,
        });
    }
    outcome.updates.cadres = seen.cadres;
    // Read, accepted and written are counted locally (rejects count themselves).
    let total = report.tables.entry(table_name).or_default();
    total.read += counts.read;
    total.accepted += counts.accepted;
    total.written += counts.written;
    Ok(outcome)
}

/// Bytes of a `cadres` row, at least, for sizing its index from the file size: a few
/// short ids, a name, a date or two (rows of the generated data hold about 77).
const CADRE_ROW_BYTES: u64 = 64;

/// The most cadres an index is sized for ahead (the file size is only a guess).
const MAX_CADRES_RESERVED: u64 = 1 << 25;

/// Rows between progress reports: often enough for a spinner to move on a file of a few
/// thousand rows, rarely enough to cost nothing at 10⁷.
pub(super) const PROGRESS_EVERY: u64 = 4096;

/// The id of the course of `class` that a course-evaluation export names `label`
/// (a title or an id, compared by [`course_key`]); the label itself when the class has
/// no such course, so that validation rejects the rating naming it.
fn course_in_class(reg: &Registry, class: &str, label: &str) -> String {
    reg.class(class).and_then(|ci| reg.course_named(ci, label)).map_or_else(|| label.to_string(), str::to_string)
}

/// Record a rejected source row (cadre ids in the value pseudonymised with the key).
pub(super) fn record_reject(
    report: &mut ValidationReport,
    reg: &Registry,
    table: &str,
    file: &str,
    line: usize,
    f: super::cells::Failure,
) {
    let value = if is_cadre_column(&f.column) { reg.pseudonym(&f.value) } else { f.value };
    report.reject(Reject {
        table: table.to_string(),
        file: file.to_string(),
        row: line as u64,
        column: f.column,
        value,
        reason: f.reason,
        message: f.message,
    });
}

/// The key cells of a row as given, `|`-joined, for the rejects table.
fn key_values(t: TableKind, c: &Cells<'_>) -> String {
    key_column(t).split(", ").map(|k| c.raw(k).into_owned()).collect::<Vec<_>>().join("|")
}

/// Columns whose values are cadre ids (pseudonymised in rejects too).
pub(super) fn is_cadre_column(c: &str) -> bool {
    c == col::CADRE_ID || c == col::RATER_ID
}

fn key_column(t: TableKind) -> &'static str {
    match t {
        TableKind::Units => "unit_id",
        TableKind::Cadres => "cadre_id",
        TableKind::Classes => "class_id",
        TableKind::Courses => "course_id",
        TableKind::Enrollments => "class_id, cadre_id",
        TableKind::Items => "item_id, wave",
        TableKind::Survey(_) => "class_id, cadre_id",
        TableKind::CourseRatings => "class_id, course_id, rater_id",
        TableKind::TraineeRatings => "class_id, cadre_id, rater_role, rater_id",
        TableKind::Reviews => "cadre_id, review_date, kind",
        TableKind::UnitOutcomes => "unit_id, period, metric",
    }
}

/// Required and optional source columns of a (non-survey) input.
pub(super) fn columns_of(t: TableKind, job: &Job) -> (Vec<&'static str>, Vec<&'static str>) {
    input_columns(t, &job.settings.instrument)
}

/// Required and optional canonical columns of an input table laid out canonically (the
/// rating tables' score columns are the instrument's). Survey waves: `class_id`,
/// `cadre_id` required, `submitted_at`, `duration_s` optional, then one column per item
/// (known only once `items` is read, so not listed).
pub fn input_columns(
    t: TableKind,
    instrument: &crate::config::InstrumentSettings,
) -> (Vec<&'static str>, Vec<&'static str>) {
    use col::*;
    if let TableKind::Survey(_) = t {
        return (vec![CLASS_ID, CADRE_ID], vec![SUBMITTED_AT, DURATION_S]);
    }
    let (req, opt): (&[&str], &[&str]) = match t {
        TableKind::Units => (&[UNIT_ID], &[NAME, KIND, REGION]),
        // `name` is read by no rule and dropped (SPEC App. A), but a mapping may name it.
        TableKind::Cadres => {
            (&[CADRE_ID, CATEGORY], &[NAME, GENDER, BIRTH_YEAR, RANK, UNIT_ID, PARTY_MEMBER, JOIN_DATE, PROMOTED_ON])
        }
        TableKind::Classes => {
            (&[CLASS_ID, METHOD, START_DATE, END_DATE, HOURS], &[TITLE, TARGET_CATEGORY, INSTITUTION, DAYS])
        }
        TableKind::Courses => (&[COURSE_ID, CLASS_ID], &[TITLE, TEACHER_ID, METHOD, HOURS, TOPIC]),
        TableKind::Enrollments => {
            (&[CLASS_ID, CADRE_ID, COMPLETED], &[ATTENDED_HOURS, LEAVE_HOURS, DISCIPLINE_FLAGS, EXAM_SCORE])
        }
        TableKind::Items => (&[ITEM_ID, SCALE], &[MIN, MAX, WAVE, TEXT, REVERSE, KIND]),
        TableKind::Reviews => {
            (&[CADRE_ID, REVIEW_DATE, MORALITY, ABILITY, DILIGENCE, ACHIEVEMENT, INTEGRITY], &[KIND, GRADE])
        }
        TableKind::UnitOutcomes => (&[UNIT_ID, PERIOD, METRIC, VALUE], &[]),
        TableKind::CourseRatings | TableKind::TraineeRatings | TableKind::Survey(_) => (&[], &[]),
    };
    let mut req = req.to_vec();
    let opt = opt.to_vec();
    let leak = |v: &Vec<String>| -> Vec<&'static str> { v.iter().map(|s| intern(s)).collect() };
    match t {
        TableKind::CourseRatings => {
            req.extend([CLASS_ID, COURSE_ID, RATER_ID]);
            req.extend(leak(&instrument.course_indicators));
        }
        TableKind::TraineeRatings => {
            req.extend([CLASS_ID, CADRE_ID, RATER_ROLE, RATER_ID]);
            req.extend(leak(&instrument.trainee_dimensions));
        }
        _ => {}
    }
    (req, opt)
}

/// Configured column names live for the whole run; intern them as `&'static str`
/// so that they can be used like the built-in names (a handful per job).
pub(super) fn intern(s: &str) -> &'static str {
    use std::sync::{Mutex, OnceLock};
    static POOL: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(HashSet::new()));
    let mut g = match pool.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(x) = g.get(s) {
        return x;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    g.insert(leaked);
    leaked
}

fn warn_missing_refs(t: TableKind, reg: &Registry, report: &mut ValidationReport) {
    let needs: &[TableKind] = match t {
        TableKind::Cadres => &[TableKind::Units],
        TableKind::Courses => &[TableKind::Classes],
        TableKind::Enrollments => &[TableKind::Classes, TableKind::Cadres],
        TableKind::CourseRatings => &[TableKind::Courses, TableKind::Enrollments],
        TableKind::TraineeRatings => &[TableKind::Enrollments],
        TableKind::Reviews => &[TableKind::Cadres],
        TableKind::UnitOutcomes => &[TableKind::Units],
        _ => &[],
    };
    for n in needs {
        if !reg.has(*n) {
            report.warn(format!(
                "{}: no `{}` input, so its references to {} are not checked",
                t.name(),
                n.name(),
                n.name()
            ));
        }
    }
}

impl Registry {
    /// Add what an input accepted.
    pub fn apply(&mut self, updates: RegistryUpdates) {
        if !updates.cadres.is_empty() {
            self.add_cadres(updates.cadres);
        }
        let enrollments = updates.accepted.iter().filter(|a| matches!(a, Accept::Enrollment(..))).count();
        self.enrolled.reserve(enrollments);
        for a in updates.accepted {
            match a {
                Accept::Unit(u) => self.add_unit(&u),
                Accept::Class(info) => {
                    self.add_class(*info);
                }
                Accept::Course(course) => {
                    let CourseAccept { id, class, teacher, title } = *course;
                    self.add_course_titled(id, class, title.as_deref());
                    if let Some(t) = teacher {
                        self.teachers.insert(t);
                    }
                }
                Accept::Enrollment(class, cadre) => {
                    self.enrolled.insert((class, cadre));
                }
                Accept::Item(item) => self.items.push(*item),
            }
        }
        if enrollments > 0 {
            self.build_rosters();
        }
    }
}

const SEP: char = '\u{1f}';

/// The score columns of a review.
const REVIEW_DIMS: usize = crate::schema::REVIEW_DIMENSIONS.len();

/// Check one row of a non-survey table. Returns `None` only when `c.rc` holds a failure.
fn check_row<'a>(
    t: TableKind,
    job: &Job,
    names: &[&'static str],
    c: &mut Cells<'a>,
    reg: &'a Registry,
    memo: &mut Memo,
) -> Option<Checked<'a>> {
    use col::*;
    let year_max = 2100.0;
    match t {
        TableKind::Units => {
            let id = c.text(UNIT_ID, true);
            let name = c.text(NAME, false);
            let kind = c.choice(KIND, UNIT_KINDS, false);
            let region = c.text(REGION, false);
            let id = id?;
            c.rc.ok().then(|| Checked {
                key: Key::Text(id.clone()),
                rows: Emit::One(
                    crate::schema::wh::UNITS,
                    None,
                    vec![Value::Str(id.clone()), opt_s(name), opt_s(kind), opt_s(region)],
                ),
                on_accept: Some(Accept::Unit(id)),
                rating: None,
            })
        }
        TableKind::Cadres => {
            let id = c.text(At(0, CADRE_ID), true);
            let gender_raw = c.raw(At(3, GENDER));
            let gender = match parse_gender(&gender_raw) {
                Ok(g) => g,
                Err(r) => {
                    c.rc.fail(r, GENDER, &gender_raw, || {
                        format!("`gender` = \"{gender_raw}\" is not male/female, 男/女 or M/F")
                    });
                    None
                }
            };
            let birth = c.integer(At(4, BIRTH_YEAR), 1900, year_max as i64, false);
            let category = c.choice(At(1, CATEGORY), CATEGORIES, true);
            let rank = c.text(At(5, RANK), false);
            let unit = if c.layout.has(UNIT_ID) && !c.raw(At(6, UNIT_ID)).is_empty() && reg.has(TableKind::Units) {
                c.reference(At(6, UNIT_ID), "unit", |u| reg.has_unit(u))
            } else {
                c.text(At(6, UNIT_ID), false)
            };
            let party = c.boolean(At(7, PARTY_MEMBER), false);
            let join = c.date(At(8, JOIN_DATE), false);
            let promoted = c.date(At(9, PROMOTED_ON), false);
            let id = id?;
            c.rc.ok().then(|| Checked {
                key: Key::Cadre(IdKey::new(&id)),
                rows: Emit::One(
                    crate::schema::wh::CADRES,
                    None,
                    vec![
                        Value::Str(reg.pseudonym_of(id)),
                        opt_s(gender),
                        birth.map(Value::Int).unwrap_or(Value::Null),
                        opt_s(category),
                        opt_s(rank),
                        opt_s(unit),
                        party.map(Value::Bool).unwrap_or(Value::Null),
                        join.map(Value::Date).unwrap_or(Value::Null),
                        promoted.map(Value::Date).unwrap_or(Value::Null),
                    ],
                ),
                on_accept: None,
                rating: None,
            })
        }
        TableKind::Classes => {
            let id = c.text(CLASS_ID, true);
            let title = c.text(TITLE, false);
            let target = c.choice(TARGET_CATEGORY, CATEGORIES, false);
            let method = c.choice(METHOD, METHODS, true);
            let inst = c.text(INSTITUTION, false);
            let start = c.date(START_DATE, true);
            let end = c.date(END_DATE, true);
            let days = c.number(DAYS, 0.0, 3660.0, false);
            let hours = c.number(HOURS, 0.0, 100_000.0, true);
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    let raw = c.raw(END_DATE);
                    c.rc.fail(Reason::OutOfRange, END_DATE, &raw, || "`end_date` is before `start_date`".into());
                }
            }
            let (id, start, end, hours, method) = (id?, start?, end?, hours?, method?);
            let days = days.unwrap_or((end - start + 1) as f64);
            let year = crate::schema::year_of_day(start);
            c.rc.ok().then(|| Checked {
                key: Key::Text(id.clone()),
                rows: Emit::One(
                    crate::schema::wh::CLASSES,
                    Some(year),
                    vec![
                        Value::Str(id.clone()),
                        opt_s(title),
                        opt_s(target),
                        Value::Str(method.clone()),
                        opt_s(inst),
                        Value::Date(start),
                        Value::Date(end),
                        Value::Float(days),
                        Value::Float(hours),
                    ],
                ),
                on_accept: Some(Accept::Class(Box::new(ClassInfo { id, year, start, end, hours, method }))),
                rating: None,
            })
        }
        TableKind::Courses => {
            let id = c.text(COURSE_ID, true);
            let class = c.reference(CLASS_ID, "class", |x| reg.class(x).is_some());
            let title = c.text(TITLE, false);
            let teacher = c.text(TEACHER_ID, false);
            let method = c.choice(METHOD, METHODS, false);
            let hours = c.number(HOURS, 0.0, 10_000.0, false);
            let topic = c.text(TOPIC, false);
            let (id, class) = (id?, class?);
            let ci = reg.class(&class)?;
            let year = reg.class_info(ci).year;
            let title_kept = title.clone();
            c.rc.ok().then(|| Checked {
                key: Key::Text(id.clone()),
                rows: Emit::One(
                    crate::schema::wh::COURSES,
                    Some(year),
                    vec![
                        Value::Str(id.clone()),
                        Value::Str(class),
                        opt_s(title),
                        opt_s(teacher.clone()),
                        opt_s(method),
                        opt_f(hours),
                        opt_s(topic),
                    ],
                ),
                on_accept: Some(Accept::Course(Box::new(CourseAccept { id, class: ci, teacher, title: title_kept }))),
                rating: None,
            })
        }
        TableKind::Enrollments => {
            let class = c.lookup(At(0, CLASS_ID), "class", |x| reg.class(x));
            let cadre = c.lookup(At(1, CADRE_ID), "cadre", |x| reg.cadre(x));
            let max_h = class.as_ref().map(|(_, i)| reg.class_info(*i).hours).unwrap_or(f64::MAX);
            let attended = c.number(At(3, ATTENDED_HOURS), 0.0, max_h + 1e-9, false);
            let leave = c.number(At(4, LEAVE_HOURS), 0.0, max_h + 1e-9, false);
            let flags = c.integer(At(5, DISCIPLINE_FLAGS), 0, 1000, false);
            let exam = c.number(At(6, EXAM_SCORE), 0.0, 100.0, false);
            let completed = c.boolean(At(2, COMPLETED), true);
            let ((class, ci), (cadre, cj)) = (class?, cadre?);
            c.rc.ok().then(|| Checked {
                key: Key::Ids(ci, [cj, 0, 0]),
                rows: Emit::Cells(
                    crate::schema::wh::ENROLLMENTS,
                    Some(reg.class_info(ci).year),
                    RowCells::of([
                        Out::Text(class),
                        Out::Text(reg.out_id(cj, cadre)),
                        Out::cell(attended, CellRef::Float),
                        Out::cell(leave, CellRef::Float),
                        Out::cell(flags, CellRef::Int),
                        Out::cell(exam, CellRef::Float),
                        Out::cell(completed, CellRef::Bool),
                    ]),
                ),
                on_accept: Some(Accept::Enrollment(ci, cj)),
                rating: None,
            })
        }
        TableKind::Items => {
            let id = c.text(ITEM_ID, true);
            let scale = c.text(SCALE, true);
            let wave_raw = c.raw(WAVE).into_owned();
            let wave = if wave_raw.is_empty() {
                None
            } else {
                match Wave::from_name(&wave_raw) {
                    Some(w) => Some(w),
                    None => {
                        c.rc.fail(Reason::BadValue, WAVE, &wave_raw, || {
                            format!("`wave` = \"{wave_raw}\" is not one of needs, pre, post, follow_3m, follow_6m, follow_12m")
                        });
                        None
                    }
                }
            };
            let text = c.text(TEXT, false);
            let reverse = c.boolean(REVERSE, false).unwrap_or(false);
            let kind = c.choice(KIND, ITEM_KINDS, false).unwrap_or_else(|| "likert".into());
            // Multiple-choice items have no numeric range.
            let numeric = kind != "topics";
            let min = c.number(MIN, f64::MIN, f64::MAX, numeric).or((!numeric).then_some(0.0));
            let max = c.number(MAX, f64::MIN, f64::MAX, numeric).or((!numeric).then_some(0.0));
            if let (Some(lo), Some(hi)) = (min, max) {
                if hi <= lo && kind != "topics" {
                    let raw = c.raw(MAX);
                    c.rc.fail(Reason::OutOfRange, MAX, &raw, || format!("`max` ({hi}) must exceed `min` ({lo})"));
                }
            }
            let (id, scale, min, max) = (id?, scale?, min?, max?);
            c.rc.ok().then(|| Checked {
                key: Key::Text(format!("{id}{SEP}{wave_raw}")),
                rows: Emit::One(
                    crate::schema::wh::ITEMS,
                    None,
                    vec![
                        Value::Str(id.clone()),
                        Value::Str(scale.clone()),
                        if wave_raw.is_empty() { Value::Null } else { Value::Str(wave_raw.clone()) },
                        opt_s(text),
                        Value::Float(min),
                        Value::Float(max),
                        Value::Bool(reverse),
                        Value::Str(kind.clone()),
                    ],
                ),
                on_accept: Some(Accept::Item(Box::new(super::ItemDef { id, scale, wave, min, max, reverse, kind }))),
                rating: None,
            })
        }
        TableKind::CourseRatings => {
            let class = c.lookup(At(0, CLASS_ID), "class", |x| reg.class(x));
            // With a `courses` input the course is interned; without, it is free text.
            let course: Option<(Cow<'a, str>, Option<u32>)> = if reg.has(TableKind::Courses) {
                c.lookup(At(1, COURSE_ID), "course", |x| reg.course(x)).map(|(co, k)| (co, Some(k)))
            } else {
                c.text_ref(At(1, COURSE_ID), true).map(|co| (co, None))
            };
            if let (Some((cl, ci)), Some((co, Some(k)))) = (&class, &course) {
                if reg.course_class(*k) != *ci {
                    c.rc.fail(Reason::UnknownId, COURSE_ID, co, || {
                        format!("course `{co}` is not a course of class `{cl}`")
                    });
                }
            }
            let (rater, enrolled) = cadre_of_class(c, At(2, RATER_ID), class.as_ref().map(|x| x.1), reg, memo);
            if let (Some((cl, ci)), Some((r, ri))) = (&class, &rater) {
                if reg.has(TableKind::Enrollments) && !enrolled && !reg.is_enrolled(*ci, *ri) {
                    c.rc.fail(Reason::NotEnrolled, RATER_ID, r, || {
                        format!("rater `{r}` is not enrolled in class `{cl}`")
                    });
                }
            }
            let max = job.settings.instrument.course_max;
            let scores: Vec<(&'static str, Option<f64>)> =
                names.iter().enumerate().map(|(k, ind)| (*ind, c.number(At(3 + k, ind), 0.0, max, false))).collect();
            if scores.iter().all(|(_, s)| s.is_none()) && c.rc.ok() {
                c.rc.fail(Reason::MissingValue, scores[0].0, "", || "the row has no scores".into());
            }
            let ((class, ci), (course, course_idx), (rater, ri)) = (class?, course?, rater?);
            let year = Some(reg.class_info(ci).year);
            let rater_out = reg.out_id(ri, rater);
            // An interned course determines its class (checked above): (course, rater) is the key.
            let key = match course_idx {
                Some(k) => Key::Ids(k, [ri, 0, 0]),
                None => Key::Mixed(ci, ri, course.to_string()),
            };
            c.rc.ok().then(|| Checked {
                key,
                rows: Emit::Long {
                    table: crate::schema::wh::COURSE_RATINGS,
                    year,
                    fixed: long_fixed([class, course, rater_out]),
                    scores: scores.into_iter().filter_map(|(ind, s)| s.map(|s| (ind, s))).collect(),
                },
                on_accept: None,
                rating: Some(RatingContribution::Course { class: ci, rater: ri, indicators: names.len() }),
            })
        }
        TableKind::TraineeRatings => {
            let class = c.lookup(At(0, CLASS_ID), "class", |x| reg.class(x));
            let (cadre, enrolled) = cadre_of_class(c, At(1, CADRE_ID), class.as_ref().map(|x| x.1), reg, memo);
            if let (Some((cl, ci)), Some((cd, di))) = (&class, &cadre) {
                if reg.has(TableKind::Enrollments) && !enrolled && !reg.is_enrolled(*ci, *di) {
                    c.rc.fail(Reason::NotEnrolled, CADRE_ID, cd, || {
                        format!("cadre `{cd}` is not enrolled in class `{cl}`")
                    });
                }
            }
            let role = c.choice(At(2, RATER_ROLE), RATER_ROLES, true);
            let rater = c.text_ref(At(3, RATER_ID), true);
            let mut rater_out = rater.clone();
            let mut rater_cadre = None;
            if let (Some(role), Some(r)) = (&role, &rater) {
                match role.as_str() {
                    "peer" | "self" => match class
                        .as_ref()
                        .and_then(|(_, ci)| reg.enrolled_cadre(*ci, r))
                        .map(|i| (i, true))
                        .or_else(|| reg.cadre(r).map(|i| (i, false)))
                    {
                        None => {
                            c.rc.fail(Reason::UnknownId, RATER_ID, r, || format!("unknown cadre `{r}` as {role} rater"))
                        }
                        Some((ri, enrolled)) => {
                            rater_cadre = Some(ri);
                            rater_out = Some(reg.out_id(ri, r.clone()));
                            if role == "self" && cadre.as_ref().map(|c| c.0.as_ref()) != Some(r.as_ref()) {
                                c.rc.fail(Reason::BadValue, RATER_ID, r, || {
                                    "a self rating must have rater_id = cadre_id".into()
                                });
                            }
                            if role == "peer" {
                                if let Some((_, ci)) = &class {
                                    if reg.has(TableKind::Enrollments) && !enrolled && !reg.is_enrolled(*ci, ri) {
                                        c.rc.fail(Reason::NotEnrolled, RATER_ID, r, || {
                                            format!("peer rater `{r}` is not enrolled in the class")
                                        });
                                    }
                                }
                            }
                        }
                    },
                    "teacher" if reg.has(TableKind::Courses) && !reg.teachers.contains(r.as_ref()) => {
                        c.rc.fail(Reason::UnknownId, RATER_ID, r, || format!("unknown teacher `{r}`"))
                    }
                    _ => {}
                }
            }
            let scores: Vec<(&'static str, Option<f64>)> =
                names.iter().enumerate().map(|(k, d)| (*d, c.number(At(4 + k, d), 0.0, 100.0, false))).collect();
            if scores.iter().all(|(_, s)| s.is_none()) && c.rc.ok() {
                c.rc.fail(Reason::MissingValue, scores[0].0, "", || "the row has no scores".into());
            }
            let ((class, ci), (cadre, di), role, rater, rater_out) = (class?, cadre?, role?, rater?, rater_out?);
            let year = Some(reg.class_info(ci).year);
            let cadre_out = reg.out_id(di, cadre);
            let rating = Some(RatingContribution::Trainee { class: ci, cadre: di, by_self: role == "self" });
            // The role is one of RATER_ROLES (checked above) and names the rater's namespace.
            let role_at = RATER_ROLES.iter().position(|r| *r == role);
            let role_idx = role_at.unwrap_or(RATER_ROLES.len()) as u32;
            let role: Cow<'a, str> = match role_at.and_then(|i| RATER_ROLES.get(i)) {
                Some(r) => Cow::Borrowed(r),
                None => Cow::Owned(role),
            };
            let key = Key::Ids(ci, [di, role_idx, rater_cadre.unwrap_or_else(|| memo.key_id(&rater))]);
            c.rc.ok().then(|| Checked {
                key,
                rows: Emit::Long {
                    table: crate::schema::wh::TRAINEE_RATINGS,
                    year,
                    fixed: long_fixed([class, cadre_out, role, rater_out]),
                    scores: scores.into_iter().filter_map(|(dim, s)| s.map(|s| (dim, s))).collect(),
                },
                on_accept: None,
                rating,
            })
        }
        TableKind::Reviews => {
            // With a `cadres` input the cadre is interned; without, it is free text.
            let cadre: Option<(Cow<'a, str>, Option<u32>)> = if reg.has(TableKind::Cadres) {
                c.lookup(At(0, CADRE_ID), "cadre", |x| memo.cadre(reg, x)).map(|(cd, i)| (cd, Some(i)))
            } else {
                c.text_ref(At(0, CADRE_ID), true).map(|cd| (cd, None))
            };
            let date = c.date(At(1, REVIEW_DATE), true);
            let kind = c.text_ref(At(7, KIND), false);
            let mut dims = [None; REVIEW_DIMS];
            for (k, (d, name)) in dims.iter_mut().zip(crate::schema::REVIEW_DIMENSIONS).enumerate() {
                *d = c.number(At(2 + k, name), 0.0, 100.0, true);
            }
            let grade_raw = c.raw(At(8, GRADE));
            let grade = match grade_raw.as_ref() {
                "" => None,
                "优秀" => Some("excellent"),
                "称职" | "合格" => Some("competent"),
                "基本称职" | "基本合格" => Some("basically_competent"),
                "不称职" | "不合格" => Some("incompetent"),
                _ => c.choice_sym(At(8, GRADE), GRADES, false),
            };
            let ((cadre, cadre_idx), date) = (cadre?, date?);
            let mut scores = [0.0; REVIEW_DIMS];
            for (x, d) in scores.iter_mut().zip(dims) {
                *x = d?;
            }
            let total = scores.iter().sum::<f64>() / scores.len() as f64;
            let (cadre_out, key) = match cadre_idx {
                Some(i) => (
                    reg.out_id(i, cadre),
                    Key::Ids(i, [date as u32, memo.key_id(kind.as_deref().unwrap_or_default()), 0]),
                ),
                None => (
                    Cow::Owned(reg.pseudonym(&cadre)),
                    Key::Text(format!("{cadre}{SEP}{date}{SEP}{}", kind.as_deref().unwrap_or_default())),
                ),
            };
            let mut row = RowCells::of([Out::Text(cadre_out), Out::Cell(CellRef::Date(date)), Out::text(kind)]);
            row.extend(scores.iter().map(|x| Out::Cell(CellRef::Float(*x))));
            row.extend([Out::Cell(CellRef::Float(total)), Out::cell(grade, CellRef::Str)]);
            c.rc.ok().then(|| Checked {
                key,
                rows: Emit::Cells(crate::schema::wh::REVIEWS, Some(crate::schema::year_of_day(date)), row),
                on_accept: None,
                rating: None,
            })
        }
        TableKind::UnitOutcomes => {
            let unit = if reg.has(TableKind::Units) {
                c.reference(UNIT_ID, "unit", |u| reg.has_unit(u))
            } else {
                c.text(UNIT_ID, true)
            };
            let period = c.text(PERIOD, true);
            let metric = c.text(METRIC, true);
            let value = c.number(VALUE, f64::MIN, f64::MAX, true);
            let (unit, period, metric, value) = (unit?, period?, metric?, value?);
            c.rc.ok().then(|| Checked {
                key: Key::Text(format!("{unit}{SEP}{period}{SEP}{metric}")),
                rows: Emit::One(
                    crate::schema::wh::UNIT_OUTCOMES,
                    None,
                    vec![Value::Str(unit), Value::Str(period), Value::Str(metric), Value::Float(value)],
                ),
                on_accept: None,
                rating: None,
            })
        }
        TableKind::Survey(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The places the large tables' rules give their columns ([`At`]) are the places of
    /// those columns in the table's layout, so that the rules read them without the search;
    /// and a place that holds another column still gives the named column's slot.
    #[test]
    fn rule_places_are_the_layouts() {
        use col::*;
        let instrument = crate::config::InstrumentSettings::default();
        let places: [(TableKind, &[&str]); 5] = [
            (
                TableKind::Cadres,
                &[CADRE_ID, CATEGORY, NAME, GENDER, BIRTH_YEAR, RANK, UNIT_ID, PARTY_MEMBER, JOIN_DATE, PROMOTED_ON],
            ),
            (
                TableKind::Enrollments,
                &[CLASS_ID, CADRE_ID, COMPLETED, ATTENDED_HOURS, LEAVE_HOURS, DISCIPLINE_FLAGS, EXAM_SCORE],
            ),
            (TableKind::CourseRatings, &[CLASS_ID, COURSE_ID, RATER_ID]),
            (TableKind::TraineeRatings, &[CLASS_ID, CADRE_ID, RATER_ROLE, RATER_ID]),
            (
                TableKind::Reviews,
                &[CADRE_ID, REVIEW_DATE, MORALITY, ABILITY, DILIGENCE, ACHIEVEMENT, INTEGRITY, KIND, GRADE],
            ),
        ];
        for (t, names) in places {
            let (req, opt) = input_columns(t, &instrument);
            let all: Vec<&str> = req.iter().chain(&opt).copied().collect();
            assert_eq!(&all[..names.len()], names, "{t:?}");
        }
        // Scores follow the fixed columns of the rating tables, in the instrument's order.
        let (req, _) = input_columns(TableKind::CourseRatings, &instrument);
        assert_eq!(req[3..].to_vec(), instrument.course_indicators.iter().map(String::as_str).collect::<Vec<_>>());
        let (req, _) = input_columns(TableKind::TraineeRatings, &instrument);
        assert_eq!(req[4..].to_vec(), instrument.trainee_dimensions.iter().map(String::as_str).collect::<Vec<_>>());
        let (req, _) = input_columns(TableKind::Reviews, &instrument);
        assert_eq!(req[2..7].to_vec(), crate::schema::REVIEW_DIMENSIONS.to_vec());

        let values = BTreeMap::new();
        let names: Vec<&'static str> = vec!["a", "b", "c"];
        let layout = Layout {
            slots: names.iter().enumerate().map(|(i, n)| (*n, Slot { index: Some(i * 2), map: None })).collect(),
            values: &values,
            next: std::cell::Cell::new(0),
        };
        let b = String::from("b");
        for at in 0..5 {
            for c in ["a", "b", "c", "zz", b.as_str()] {
                assert_eq!(layout.slot_at(at, c).index, layout.slot(c).index, "{c} at {at}");
            }
        }
    }

    /// The slot found through the hint is the one a plain search finds, in any order of
    /// look-ups, by the same `&str` or by equal text elsewhere, present or not.
    #[test]
    fn layout_finds_what_a_plain_search_finds() {
        let values = BTreeMap::new();
        let names: Vec<&'static str> = vec!["a", "b", "c", "d", "e"];
        let layout = Layout {
            slots: names.iter().enumerate().map(|(i, n)| (*n, Slot { index: Some(i * 2), map: None })).collect(),
            values: &values,
            next: std::cell::Cell::new(0),
        };
        let plain = |c: &str| names.iter().position(|n| *n == c).map(|i| i * 2);
        let owned: Vec<String> = ["e", "zz", "a", "b"].iter().map(|s| s.to_string()).collect();
        let mut asked: Vec<&str> = Vec::new();
        for round in 0..40usize {
            asked.clear();
            asked.extend(names.iter().copied().cycle().skip(round % 5).take(3 + round % 4));
            asked.extend(owned.iter().map(String::as_str).take(round % 5));
            if round % 3 == 0 {
                asked.reverse();
            }
            for c in &asked {
                assert_eq!(layout.slot(c).index, plain(c), "column {c}, round {round}");
                assert_eq!(layout.has(c), plain(c).is_some());
            }
        }
    }
}
