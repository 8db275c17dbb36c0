//! View models: `Serialize` structs with every number already formatted and every
//! label translated, built from the indicator tables (and, for titles, counts and
//! distributions, from a few warehouse tables). Templates only lay them out.
//!
//! In: [`ReportData`] (frames keyed by table name, the manifest) and [`RenderOptions`]
//! (language, small-cell threshold, alpha, the settings the methodology cites).
//! Out: [`AnnualView`] for `index.html` and one [`ClassView`] per class.
//! Guarantees: a missing table or column turns its section into a translated
//! "not available" note instead of an error; a suppressed cell prints "—" and never
//! enters a chart or a ranking; per-person tables appear only as groups of at
//! least `min_cell` people; output order is deterministic.

mod class_page;
mod compliance;
pub mod format;
pub mod glossary;
mod headline;
mod learning;
mod limitations;
mod methods;
mod needs;
mod quality;
mod raters;
mod reaction;
mod results;
mod transfer;
mod trends;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::DataFrame;
use rustc_hash::FxHashSet;
use serde::Serialize;

pub(crate) use class_page::ClassPages;
pub use class_page::{ClassView, Fact};
pub use headline::{Card, HeadlineView};

use super::charts::bar_ci::BarItem;
use super::charts::histogram::{self, HistogramSpec};
use super::charts::{Chart, ChartSpec};
use super::columns::table;
use super::frame::{Table, Withheld};
use super::i18n::{self, Catalogue, Lang};
use super::paths;
use crate::config::{ComplianceSettings, Job, ScorecardSettings};
use crate::schema::{col, CATEGORIES, METHODS};
use crate::validate::coverage::{missing_inputs_named, MissingInput};
use crate::warehouse::manifest::Manifest;

/// Everything a report is built from.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// The reporting period (from the manifest).
    pub period: String,
    /// Indicator tables by name (`learning_by_class`, …).
    pub indicators: BTreeMap<String, DataFrame>,
    /// Warehouse tables by name: `classes`, `courses`, `enrollments`, `trainee_outcomes`.
    pub warehouse: BTreeMap<String, DataFrame>,
    pub manifest: Option<Manifest>,
}

/// Settings that shape the report.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub lang: Lang,
    pub min_cell: usize,
    /// Distributions are drawn only for groups of at least this many people.
    pub min_distribution_n: usize,
    /// Methods taught in fewer classes are not tested.
    pub min_classes: usize,
    pub alpha: f64,
    pub follow_up_lag_days: i64,
    /// Years before the period in which a class disqualifies a control.
    pub washout_years: u32,
    pub title: Option<String>,
    pub institution: Option<String>,
    pub class_pages: bool,
    /// The indicators stage writes `indicators.xlsx` (the full per-class tables the
    /// annual report points to).
    pub workbook: bool,
    /// The scale whose pre/post scores are the learning outcome.
    pub outcome_scale: String,
    pub compliance: ComplianceSettings,
    pub scorecard: ScorecardSettings,
}

impl RenderOptions {
    /// The report settings of a job, in `lang`.
    pub fn from_job(job: &Job, lang: Lang) -> RenderOptions {
        let s = &job.settings;
        RenderOptions {
            lang,
            min_cell: s.indicators.min_cell,
            min_distribution_n: s.report.min_distribution_n,
            min_classes: s.methods.min_classes,
            alpha: s.indicators.alpha,
            follow_up_lag_days: s.indicators.follow_up_lag_days,
            washout_years: s.transfer.washout_years,
            title: s.report.title.clone(),
            institution: s.report.institution.clone(),
            class_pages: s.report.class_pages,
            workbook: s.indicators.xlsx,
            outcome_scale: s.instrument.outcome_scale.clone(),
            compliance: s.compliance.clone(),
            scorecard: s.scorecard.clone(),
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            lang: Lang::Zh,
            min_cell: 5,
            min_distribution_n: 10,
            min_classes: 2,
            alpha: 0.05,
            follow_up_lag_days: 90,
            washout_years: 1,
            title: None,
            institution: None,
            class_pages: true,
            workbook: false,
            outcome_scale: "competence".into(),
            compliance: ComplianceSettings::default(),
            scorecard: ScorecardSettings::default(),
        }
    }
}

/// A section that may lack its data.
#[derive(Debug, Clone, Serialize)]
pub struct Section<T> {
    pub available: bool,
    /// Why the section is empty (translated), when it is.
    pub missing: Option<String>,
    pub data: Option<T>,
}

impl<T> From<Result<T, Na>> for Section<T> {
    fn from(r: Result<T, Na>) -> Self {
        match r {
            Ok(data) => Section { available: true, missing: None, data: Some(data) },
            Err(Na(msg)) => Section { available: false, missing: Some(msg), data: None },
        }
    }
}

impl<T> Section<T> {
    pub fn data(&self) -> Option<&T> {
        self.data.as_ref()
    }
}

/// "Not available", with the translated reason.
#[derive(Debug, Clone)]
pub struct Na(pub String);

/// A table as the templates draw it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct TableView {
    pub caption: String,
    pub headers: Vec<Header>,
    pub rows: Vec<TableRow>,
    /// True when a row or cell is withheld (the template adds the footnote).
    pub has_suppressed: bool,
    /// The footnote marks its "—" cells use, in order (the template explains each).
    pub marks: Vec<&'static str>,
    /// A note under the table (abbreviations, emphasis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub text: String,
    pub num: bool,
    /// The glossary entry that explains this column (its anchor is `g-<id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gloss: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct TableRow {
    pub cells: Vec<Cell>,
    #[serde(skip_serializing_if = "is_false")]
    pub suppressed: bool,
    /// A total or summary row.
    #[serde(skip_serializing_if = "is_false")]
    pub total: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Cell {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The footnote mark of a "—" (why the value is not there), set by [`TableView::push`]
    /// unless the builder named the reason with [`Cell::why`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<&'static str>,
    /// A file path or other literal: printed as code, exempt from the code-name check.
    #[serde(skip_serializing_if = "is_false")]
    pub code: bool,
    /// Right-aligned, tabular figures.
    #[serde(skip_serializing_if = "is_false")]
    pub num: bool,
    /// Emphasised (e.g. significant).
    #[serde(skip_serializing_if = "is_false")]
    pub strong: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), ..Cell::default() }
    }
    pub fn num(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), num: true, ..Cell::default() }
    }
    pub fn link(s: impl Into<String>, href: Option<String>) -> Cell {
        Cell { text: s.into(), href, ..Cell::default() }
    }
    pub fn strong(mut self, yes: bool) -> Cell {
        self.strong = yes;
        self
    }
    /// A literal (a file path): printed as code.
    pub fn code(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), code: true, ..Cell::default() }
    }
    /// Name why this cell may print "—" (the default is "withheld" in a withheld row,
    /// else "not computable").
    pub fn why(mut self, why: Why) -> Cell {
        if self.text.contains(format::DASH) {
            self.mark = Some(why.mark());
        }
        self
    }
}

/// Why a value prints "—": each reason has its own footnote mark, explained under the
/// table (and under a headline card) in the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// Withheld: fewer than `min_cell` people, or withheld to protect such a row.
    Withheld,
    /// Not computable: too few people for the statistic, no variation, nothing to compare.
    NotComputable,
    /// Not collected: the input (or the value in it) is absent.
    NotCollected,
}

impl Why {
    pub const ALL: [Why; 3] = [Why::Withheld, Why::NotComputable, Why::NotCollected];

    /// The footnote mark.
    pub fn mark(self) -> &'static str {
        match self {
            Why::Withheld => "a",
            Why::NotComputable => "b",
            Why::NotCollected => "c",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Why::Withheld => "fn.withheld",
            Why::NotComputable => "fn.not_computable",
            Why::NotCollected => "fn.not_collected",
        }
    }
}

/// The footnote of each mark, for the templates: mark → sentence.
pub(crate) fn footnotes(cat: &Catalogue, min_cell: usize) -> BTreeMap<&'static str, String> {
    Why::ALL.iter().map(|w| (w.mark(), cat.fmt(w.key(), &[("min_cell", &min_cell)]))).collect()
}

impl TableView {
    pub fn new(caption: String, headers: &[(&str, bool)], cat: &Catalogue) -> TableView {
        TableView {
            caption,
            headers: headers
                .iter()
                .map(|(k, num)| Header { text: cat.get(k), num: *num, gloss: glossary::of_column(k) })
                .collect(),
            rows: Vec::new(),
            has_suppressed: false,
            marks: Vec::new(),
            note: None,
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>, suppressed: bool) {
        self.has_suppressed |= suppressed;
        self.push_row(TableRow { cells, suppressed, total: false });
    }

    /// Add a row, giving every "—" its footnote mark: the reason the builder named, else
    /// "withheld" in a withheld row and "not computable" elsewhere.
    pub fn push_row(&mut self, mut row: TableRow) {
        for cell in &mut row.cells {
            let dash = cell.text == format::DASH || (cell.num && cell.text.contains(format::DASH));
            if dash && cell.mark.is_none() {
                cell.mark = Some(if row.suppressed { Why::Withheld } else { Why::NotComputable }.mark());
            }
            if let Some(m) = cell.mark {
                if !self.marks.contains(&m) {
                    self.marks.push(m);
                    self.marks.sort_unstable();
                }
            }
        }
        self.rows.push(row);
    }

    /// The glossary entries its columns link to, in column order.
    pub fn glosses(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.headers.iter().filter_map(|h| h.gloss)
    }
}

/// One piece of a section, in reading order.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Chart(Chart),
    Table(TableView),
    /// A paragraph in the flow (e.g. a caution under a table).
    Para {
        text: String,
    },
}

/// The body of a section: what it measures, what the figures say (plain-language
/// findings, shown first), then charts, tables and notes in reading order.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Body {
    pub intro: Vec<String>,
    pub findings: Vec<String>,
    pub blocks: Vec<Block>,
    /// Glossary entries the section's words rely on (linked under the intro).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<glossary::Term>,
}

impl Body {
    pub fn new(intro: String) -> Body {
        Body { intro: vec![intro], ..Body::default() }
    }
    pub fn finding(&mut self, text: String) {
        self.findings.push(text);
    }
    pub fn para(&mut self, text: String) {
        self.blocks.push(Block::Para { text });
    }
    pub fn chart(&mut self, c: Chart) {
        self.blocks.push(Block::Chart(c));
    }
    pub fn table(&mut self, t: TableView) {
        self.blocks.push(Block::Table(t));
    }
    pub fn charts(&self) -> impl Iterator<Item = &Chart> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
    }
}

/// The annual report.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualView {
    pub lang: &'static str,
    pub title: String,
    pub subtitle: String,
    pub period: String,
    pub institution: Option<String>,
    pub generated_by: String,
    pub pseudonymised: bool,
    pub min_cell: usize,
    pub suppressed_note: String,
    /// The sentence of each footnote mark ("—" cells), by mark.
    pub footnotes: BTreeMap<&'static str, String>,
    /// Inputs this year's data lack, each with the parts of the report it leaves empty,
    /// in words (shown before the headline figures).
    pub missing_inputs: Vec<String>,
    pub headline: Section<HeadlineView>,
    pub reaction: Section<Body>,
    pub learning: Section<Body>,
    pub methods: Section<Body>,
    pub transfer: Section<Body>,
    pub results: Section<Body>,
    pub raters: Section<Body>,
    pub compliance: Section<Body>,
    pub needs: Section<Body>,
    pub trends: Section<Body>,
    pub classes: Section<Body>,
    pub methodology: quality::MethodologyView,
    pub quality: Section<Body>,
    /// What the data cannot support (generated from the checks).
    pub limitations: Section<Body>,
    /// Every term of art in plain words; the sections link here.
    pub glossary: Vec<glossary::GlossItem>,
}

impl AnnualView {
    /// The sections drawn from a [`Body`], with their anchors, in page order.
    fn bodies(&self) -> [(&'static str, &Section<Body>); 12] {
        [
            ("reaction", &self.reaction),
            ("learning", &self.learning),
            ("methods", &self.methods),
            ("transfer", &self.transfer),
            ("results", &self.results),
            ("raters", &self.raters),
            ("compliance", &self.compliance),
            ("needs", &self.needs),
            ("trends", &self.trends),
            ("classes", &self.classes),
            ("quality", &self.quality),
            ("limitations", &self.limitations),
        ]
    }

    /// Every chart of the page, for rendering.
    pub fn charts(&self) -> Vec<&Chart> {
        self.bodies().into_iter().filter_map(|(_, s)| s.data()).flat_map(|b| b.charts()).collect()
    }
}

/// Shared state of one build: converted tables, formatting, look-ups.
pub(crate) struct Ctx<'a> {
    pub cat: Catalogue,
    pub params: &'a RenderOptions,
    pub period: String,
    pub level: String,
    /// Indicator tables by name and warehouse tables as `warehouse.<name>`.
    tables: Cow<'a, Tables>,
    pub classes: BTreeMap<String, ClassFacts>,
    pub courses: BTreeMap<String, String>,
    /// Unit names by id (empty unless the warehouse's `units` table was loaded).
    pub units: BTreeMap<String, String>,
    /// Classes that get a page (none when class pages are off).
    pub pages: BTreeSet<String>,
    pub manifest: Option<&'a Manifest>,
    /// Inputs the warehouse was built without, and what each leaves empty.
    pub missing: Vec<MissingInput>,
}

/// What the report needs to know about a class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassFacts {
    pub id: String,
    pub title: String,
    pub category: String,
    pub method: String,
    pub institution: String,
    pub start: String,
    pub end: String,
    pub days: Option<f64>,
    pub hours: Option<f64>,
}

/// Warehouse columns the report reads from `enrollments` (the loader reads no others).
pub(crate) const ENROLLMENT_COLUMNS: &[&str] = &[col::CLASS_ID, col::CADRE_ID, col::COMPLETED];

/// Warehouse columns the report reads from `trainee_outcomes` (the loader reads no others).
pub(crate) const OUTCOME_COLUMNS: &[&str] = &[
    col::CLASS_ID,
    col::CADRE_ID,
    col::CATEGORY,
    col::PRE_SCORE,
    col::POST_SCORE,
    col::FOLLOW_3M,
    col::FOLLOW_6M,
    col::FOLLOW_12M,
];

/// How a warehouse table is named among a report's [`Tables`] (indicator tables go by
/// their own names).
const WAREHOUSE_PREFIX: &str = "warehouse.";

/// The name of warehouse table `name` among a report's [`Tables`].
pub(crate) fn warehouse_key(name: &str) -> String {
    format!("{WAREHOUSE_PREFIX}{name}")
}

/// The tables of a report, converted once from the frames of a [`ReportData`]: indicator
/// tables by name, warehouse tables as `warehouse.<name>` (of the per-person ones only
/// the columns the report reads). Every language's pages read the same `Tables`.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    by_name: BTreeMap<String, Table>,
}

impl Tables {
    /// Convert every frame of `data` (which keeps its frames).
    pub fn convert(data: &ReportData) -> Tables {
        let frames: Vec<(String, &DataFrame)> = data
            .indicators
            .iter()
            .map(|(k, df)| (k.clone(), df))
            .chain(data.warehouse.iter().map(|(k, df)| (warehouse_key(k), df)))
            .collect();
        Tables::from_frames(frames)
    }

    /// Convert every frame of `data` and drop each frame once converted: the polars
    /// frames and their converted tables are then never all held at once (the
    /// per-person tables are the largest part of the report's memory at 10⁶ cadres).
    pub fn take(data: &mut ReportData) -> Tables {
        let frames: Vec<(String, DataFrame)> = std::mem::take(&mut data.indicators)
            .into_iter()
            .chain(std::mem::take(&mut data.warehouse).into_iter().map(|(k, df)| (warehouse_key(&k), df)))
            .collect();
        Tables::from_frames(frames)
    }

    /// Add converted tables (by name, as [`Tables::convert`] names them).
    pub fn extend(&mut self, tables: impl IntoIterator<Item = (String, Table)>) {
        self.by_name.extend(tables);
    }

    fn from_frames<F: std::borrow::Borrow<DataFrame> + Send>(frames: Vec<(String, F)>) -> Tables {
        use rayon::prelude::*;
        // Converted before any page is built: the pages are built on several workers, and
        // converting on first use there would need a lock held across polars calls, which
        // run on their own thread pool.
        let by_name = frames
            .into_par_iter()
            .map(|(name, df)| {
                let t = Tables::table(&name, df.borrow());
                (name, t)
            })
            .collect();
        Tables { by_name }
    }

    /// Frame `df` of table `name` (as [`Tables::convert`] names it) converted: of the
    /// per-person tables only the columns the report reads, every column of the others.
    pub(crate) fn table(name: &str, df: &DataFrame) -> Table {
        let cols = match name.strip_prefix(WAREHOUSE_PREFIX) {
            Some(table::TRAINEE_OUTCOMES) => Some(OUTCOME_COLUMNS),
            Some(crate::schema::wh::ENROLLMENTS) => Some(ENROLLMENT_COLUMNS),
            Some(_) => None,
            None if name == table::COMPLIANCE => Some(compliance::COMPLIANCE_COLUMNS),
            None => None,
        };
        match cols {
            Some(cols) => Table::select(df, cols),
            None => Table::from_frame(df),
        }
    }
}

impl<'a> Ctx<'a> {
    /// The context of a report built from `data`'s frames (converted here).
    pub fn new(data: &'a ReportData, params: &'a RenderOptions) -> Ctx<'a> {
        Ctx::build(data, params, Cow::Owned(Tables::convert(data)))
    }

    /// The context of a report whose tables were converted already (the frames of
    /// `data` may have been dropped: only its period and manifest are read).
    pub fn with_tables(data: &'a ReportData, tables: &'a Tables, params: &'a RenderOptions) -> Ctx<'a> {
        Ctx::build(data, params, Cow::Borrowed(tables))
    }

    fn build(data: &'a ReportData, params: &'a RenderOptions, tables: Cow<'a, Tables>) -> Ctx<'a> {
        let get = |key: &str| tables.by_name.get(key);
        let mut classes = BTreeMap::new();
        if let Some(t) = get(&warehouse_key(crate::schema::wh::CLASSES)) {
            for i in 0..t.len() {
                let Some(id) = t.text(col::CLASS_ID, i) else { continue };
                classes.insert(
                    id.clone(),
                    ClassFacts {
                        title: t.text(col::TITLE, i).filter(|s| !s.is_empty()).unwrap_or_else(|| id.clone()),
                        id,
                        category: t.text_or_empty(col::TARGET_CATEGORY, i),
                        method: t.text_or_empty(col::METHOD, i),
                        institution: t.text_or_empty(col::INSTITUTION, i),
                        start: t.text_or_empty(col::START_DATE, i),
                        end: t.text_or_empty(col::END_DATE, i),
                        days: t.num(col::DAYS, i),
                        hours: t.num(col::HOURS, i),
                    },
                );
            }
        }
        let mut courses = BTreeMap::new();
        if let Some(t) = get(&warehouse_key(crate::schema::wh::COURSES)) {
            for i in 0..t.len() {
                if let (Some(id), Some(title)) = (t.text(col::COURSE_ID, i), t.text(col::TITLE, i)) {
                    courses.insert(id, title);
                }
            }
        }
        let mut units = BTreeMap::new();
        if let Some(t) = get(&warehouse_key(crate::schema::wh::UNITS)) {
            for i in 0..t.len() {
                if let (Some(id), Some(name)) = (t.text(col::UNIT_ID, i), t.text(col::NAME, i)) {
                    units.insert(id, name);
                }
            }
        }
        // A page for every class of the period (the warehouse tables are the period's)
        // and every class an indicator of the period names; the course series run over
        // every year held, so their classes of other years get no page.
        let mut pages: BTreeSet<String> = classes.keys().cloned().collect();
        if params.class_pages {
            // Every table names the same classes, mostly those of `classes`: the ids are
            // gathered once each (borrowed, hashed) and only the new ones copied into the
            // tree, not every table's every id.
            let mut named: FxHashSet<&str> = FxHashSet::default();
            for (name, t) in &tables.by_name {
                if name.starts_with(WAREHOUSE_PREFIX) || name == table::COURSE_SERIES {
                    continue;
                }
                // participant_flow's pooled rows are keyed `all`: no class of that name.
                let pooled = |id: &str| name == table::PARTICIPANT_FLOW && id == crate::indicators::transfer::ALL;
                named.extend(t.class_ids().filter(|k| !pooled(k)));
            }
            for id in named {
                if !pages.contains(id) {
                    pages.insert(id.to_string());
                }
            }
        } else {
            pages.clear();
        }
        Ctx {
            cat: Catalogue::new(params.lang),
            params,
            period: data.period.clone(),
            level: format::level(params.alpha),
            tables,
            classes,
            courses,
            units,
            pages,
            manifest: data.manifest.as_ref(),
            missing: data
                .manifest
                .as_ref()
                .map(|m| missing_inputs_named(m.tables.keys().map(String::as_str)))
                .unwrap_or_default(),
        }
    }

    /// An indicator table with the given columns, or why not.
    pub fn indicator(&self, name: &str, required: &[&str]) -> Result<&Table, Na> {
        self.table(name, name, required)
    }

    /// A warehouse table with the given columns, or why not.
    pub fn warehouse(&self, name: &str, required: &[&str]) -> Result<&Table, Na> {
        self.table(&warehouse_key(name), name, required)
    }

    fn table(&self, key: &str, shown: &str, required: &[&str]) -> Result<&Table, Na> {
        let t = self.tables.by_name.get(key).ok_or_else(|| self.not_there(shown))?;
        // The reason is worded only when it is needed: a class page asks for a dozen
        // tables, each present.
        t.require(required).map_err(|_| Na(self.cat.fmt("doc.na_columns", &[("what", &self.subject(shown))])))?;
        Ok(t)
    }

    /// Why table `name` is absent, in words: the inputs whose absence empties it, else
    /// that it has not been computed.
    fn not_there(&self, name: &str) -> Na {
        let what = self.subject(name);
        let inputs = self.inputs_emptying(name);
        if inputs.is_empty() {
            Na(self.cat.fmt("doc.na_table", &[("what", &what)]))
        } else {
            Na(self.cat.fmt("doc.na_input", &[("what", &what), ("inputs", &inputs)]))
        }
    }

    /// The inputs the data lack that leave table `name` empty, as a list of plain names;
    /// empty when none does.
    pub fn inputs_emptying(&self, name: &str) -> String {
        let sep = self.cat.get("doc.list_sep");
        self.missing
            .iter()
            .filter(|m| m.input == name || m.empties.contains(&name))
            .map(|m| self.cat.code("table", &m.input))
            .collect::<Vec<_>>()
            .join(&sep)
    }

    /// What a table holds, in words (`reaction_by_course` → "course rating results").
    pub fn subject(&self, name: &str) -> String {
        let key = format!("what.{}", name.trim_start_matches(WAREHOUSE_PREFIX));
        if i18n::has(&key) {
            self.cat.get(&key)
        } else {
            self.cat.get("what.other")
        }
    }

    /// Rows of table `name` (an indicator, or `warehouse.<table>`) that belong to class `id`.
    pub fn rows_of_class(&self, name: &str, id: &str) -> &[usize] {
        self.tables.by_name.get(name).map_or(&[], |t| t.rows_of_class(id))
    }

    /// "Nothing publishable in `table`", in words; or, when a missing input empties the
    /// table, that input.
    pub fn empty(&self, table: &str) -> Na {
        let inputs = self.inputs_emptying(table);
        let what = self.subject(table);
        if inputs.is_empty() {
            Na(self.cat.fmt("doc.na_empty", &[("what", &what), ("min_cell", &self.params.min_cell)]))
        } else {
            Na(self.cat.fmt("doc.na_input", &[("what", &what), ("inputs", &inputs)]))
        }
    }

    /// A class page's section without rows for the class, in words; or, when a missing
    /// input empties the table, that input.
    pub fn empty_class(&self, table: &str) -> Na {
        let inputs = self.inputs_emptying(table);
        if inputs.is_empty() {
            Na(self.cat.get("doc.na_class"))
        } else {
            Na(self.cat.fmt("doc.na_input_class", &[("inputs", &inputs)]))
        }
    }

    /// The title of a class (its id when unknown).
    pub fn class_title(&self, id: &str) -> String {
        self.classes.get(id).map(|c| c.title.clone()).unwrap_or_else(|| id.to_string())
    }

    /// A class title for a chart axis: without the period prefix all titles of the
    /// year share (`2025年…`), which only costs label width.
    pub fn chart_label(&self, id: &str) -> String {
        let title = self.class_title(id);
        let short = title
            .strip_prefix(&format!("{}年", self.period))
            .or_else(|| title.strip_prefix(&format!("{} ", self.period)))
            .map(str::trim_start)
            .unwrap_or(&title);
        if short.is_empty() {
            title.clone()
        } else {
            short.to_string()
        }
    }

    /// A unit's name from the warehouse's `units` table when the report has it, else its id.
    pub fn unit_name(&self, id: &str) -> String {
        self.units.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// Link from the annual report to a class page (when class pages are written).
    pub fn class_href(&self, id: &str) -> Option<String> {
        self.pages.contains(id).then(|| format!("class/{}", paths::href_segment(&paths::class_file_name(id))))
    }

    pub fn category(&self, code: &str) -> String {
        if code.is_empty() {
            format::DASH.to_string()
        } else {
            self.cat.code("category", code)
        }
    }

    pub fn method(&self, code: &str) -> String {
        if code.is_empty() {
            format::DASH.to_string()
        } else {
            self.cat.code("method", code)
        }
    }

    pub fn ci_phrase(&self, lo: Option<f64>, hi: Option<f64>) -> String {
        self.cat.fmt("hl.ci", &[("level", &self.level), ("lo", &format::signed(lo)), ("hi", &format::signed(hi))])
    }

    pub fn whiskers(&self) -> String {
        self.cat.fmt("doc.whiskers", &[("level", &self.level)])
    }

    /// The note under a chart that leaves out `k` suppressed cells.
    pub fn omitted_note(&self, k: usize) -> Option<String> {
        (k > 0).then(|| {
            self.cat.fmt("doc.chart_omitted", &[("k", &format::int(k as u64)), ("min_cell", &self.params.min_cell)])
        })
    }

    /// The note under a distribution chart that leaves out `k` groups too small to draw.
    pub fn undrawn_note(&self, k: usize) -> Option<String> {
        (k > 0).then(|| {
            self.cat
                .fmt("doc.dist_omitted", &[("k", &format::int(k as u64)), ("min_n", &self.params.min_distribution_n)])
        })
    }

    pub fn min_cell(&self) -> usize {
        self.params.min_cell
    }

    /// Whether a group of `n` people may be published.
    pub fn publishable(&self, n: u64) -> bool {
        n as usize >= self.params.min_cell
    }

    /// What a class page says of a withheld row: `small_key` (fewer than `min_cell`
    /// people) or the complementary-suppression sentence.
    pub fn withheld_class(&self, w: Withheld, small_key: &str) -> String {
        match w {
            Withheld::Small => self.cat.fmt(small_key, &[("min_cell", &self.params.min_cell)]),
            Withheld::Secondary => self.cat.get("doc.class_secondary"),
        }
    }

    /// Whether the distribution of a group of `n` people may be drawn (box plots and
    /// individual points show single people's scores in small groups).
    pub fn drawable(&self, n: u64) -> bool {
        n as usize >= self.params.min_distribution_n
    }

    /// The count in column `name` of row `i` as a table shows it: the number, or for a
    /// withheld row "< min_cell" (too small) or the mark of a complementary withholding.
    pub fn n_text(&self, t: &Table, name: &str, i: usize) -> String {
        match t.withheld(i) {
            None => format::count(t.count(name, i)),
            Some(Withheld::Small) => format!("< {}", self.params.min_cell),
            Some(Withheld::Secondary) => format::SECONDARY.to_string(),
        }
    }
}

/// A chart row from row `i` of `t`: the `value` column with its interval columns
/// `ci`, shown by `show`, followed by the n of column `n` (`+4.2 (n = 31)`).
pub(crate) fn bar_item(
    t: &Table,
    i: usize,
    label: String,
    value: &str,
    ci: (&str, &str),
    n: &str,
    show: fn(Option<f64>) -> String,
) -> BarItem {
    BarItem {
        label,
        value: t.num(value, i).unwrap_or(0.0),
        ci: t.num(ci.0, i).zip(t.num(ci.1, i)),
        text: format!("{} (n = {})", show(t.num(value, i)), format::count(t.count(n, i))),
    }
}

/// Sort key for categories and methods: the canonical vocabulary order, then others.
pub(crate) fn vocab_order(vocab: &[&str], code: &str) -> (usize, String) {
    (vocab.iter().position(|v| *v == code).unwrap_or(vocab.len()), code.to_string())
}

pub(crate) fn category_order(code: &str) -> (usize, String) {
    vocab_order(CATEGORIES, code)
}

pub(crate) fn method_order(code: &str) -> (usize, String) {
    vocab_order(METHODS, code)
}

/// Rows in each of the top and bottom lists of a per-class table in the annual report.
pub(crate) const TOP_N: usize = 10;

/// Whether a per-class table of `n` rows is summarised in the annual report (its
/// distribution and the top and bottom [`TOP_N`]) instead of listed in full: the full
/// table stays on the class pages and in the indicators workbook.
pub(crate) fn summarised(n: usize) -> bool {
    n > 2 * TOP_N
}

/// How a per-class table is summarised.
pub(crate) struct SummaryLine<'s> {
    /// Id of the histogram.
    pub id: String,
    /// The column the classes are ranked and drawn by.
    pub value: &'s str,
    /// Drawn value = value × scale (100 for shares drawn as percentages).
    pub scale: f64,
    /// The value as the finding prints it.
    pub show: fn(Option<f64>) -> String,
    /// The ranked quantity in words ("mean learning gain").
    pub noun: String,
    /// Title of the histogram's value axis, with its unit.
    pub axis: String,
    /// Bins at or below this value are drawn light (0 for gains and differences).
    pub reference: Option<f64>,
}

/// Sort `rows` of `t` by the number in `value`, largest first (a missing one as 0), ties
/// by the text in `tie`: the order `rows.sort_by` gives with those two comparisons
/// ([`sort_desc_plain`], stable), with each row's keys read once instead of in every
/// comparison (the annual page sorts every class several times, and a tie compared two
/// copies of the ids).
pub(crate) fn sort_desc(t: &Table, rows: &mut [usize], value: &str, tie: &str) {
    let (v, k) = (t.column(value), t.column(tie));
    let mut keyed: Vec<(f64, Cow<'_, str>, usize)> =
        rows.iter().map(|&i| (v.num(i).unwrap_or(0.0), k.text_ref(i).unwrap_or_default(), i)).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (slot, (_, _, i)) in rows.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// The definition of [`sort_desc`].
#[cfg(test)]
pub(crate) fn sort_desc_plain(t: &Table, rows: &mut [usize], value: &str, tie: &str) {
    rows.sort_by(|&a, &b| {
        let v = |i: usize| t.num(value, i).unwrap_or(0.0);
        v(b).total_cmp(&v(a)).then_with(|| t.text_or_empty(tie, a).cmp(&t.text_or_empty(tie, b)))
    });
}

/// Rows `rows` of a per-class table `t` summarised into `body` (see [`summarised`]): a sentence on
/// the distribution of the published classes, its histogram, the [`TOP_N`] highest and
/// lowest published classes ranked by `s.value` (both lists through `table_of`, so they
/// carry the n and the interval), and where the full table is. Withheld rows never
/// enter a list or the histogram.
pub(crate) fn summarise(
    ctx: &Ctx<'_>,
    body: &mut Body,
    t: &Table,
    rows: &[usize],
    s: SummaryLine<'_>,
    table_of: impl Fn(String, &[usize]) -> TableView,
) {
    let cat = &ctx.cat;
    let mut published: Vec<usize> =
        rows.iter().copied().filter(|&i| !t.suppressed(i) && t.num(s.value, i).is_some()).collect();
    sort_desc(t, &mut published, s.value, col::CLASS_ID);
    let n = rows.len();
    let m = published.len();
    let values: Vec<f64> = published.iter().filter_map(|&i| t.num(s.value, i)).collect();
    if m == 0 {
        body.para(cat.fmt("doc.dist_none", &[("noun", &s.noun), ("n", &format::int(n as u64))]));
    } else {
        let q = |p: f64| (s.show)(crate::stats::quantile(&values, p));
        body.finding(cat.fmt(
            "doc.dist_summary",
            &[
                ("noun", &s.noun),
                ("m", &format::int(m as u64)),
                ("median", &q(0.5)),
                ("q1", &q(0.25)),
                ("q3", &q(0.75)),
            ],
        ));
        if n > m {
            body.finding(cat.fmt("doc.dist_withheld", &[("k", &format::int((n - m) as u64))]));
        }
        let drawn: Vec<f64> = values.iter().map(|v| v * s.scale).collect();
        body.chart(Chart {
            id: s.id.clone(),
            spec: ChartSpec::Histogram(HistogramSpec {
                title: cat.fmt("doc.hist_title", &[("noun", &s.noun)]),
                subtitle: cat.fmt("doc.hist_subtitle", &[("m", &format::int(m as u64))]),
                value_label: s.axis.clone(),
                count_label: cat.get("doc.hist_count"),
                bins: histogram::bins(&drawn, 14),
                reference: s.reference,
            }),
            notes: Vec::new(),
        });
        if m <= 2 * TOP_N {
            body.table(table_of(cat.fmt("doc.rank_all", &[("noun", &s.noun), ("m", &m)]), &published));
        } else {
            body.table(table_of(cat.fmt("doc.rank_top", &[("noun", &s.noun), ("k", &TOP_N)]), &published[..TOP_N]));
            body.table(table_of(
                cat.fmt("doc.rank_bottom", &[("noun", &s.noun), ("k", &TOP_N)]),
                &published[m - TOP_N..],
            ));
        }
    }
    body.para(full_table_pointer(ctx, n));
}

/// Where the full per-class table is: the class pages and the indicators workbook (or
/// the indicator files when no workbook is written).
pub(crate) fn full_table_pointer(ctx: &Ctx<'_>, n: usize) -> String {
    let key = match (ctx.params.class_pages, ctx.params.workbook) {
        (true, true) => "doc.full_pages_book",
        (true, false) => "doc.full_pages_files",
        (false, true) => "doc.full_book",
        (false, false) => "doc.full_files",
    };
    ctx.cat.fmt(key, &[("n", &format::int(n as u64))])
}

/// Build the annual report and, when `params.class_pages`, the class pages.
pub fn build(data: &ReportData, params: &RenderOptions) -> (AnnualView, Vec<ClassView>) {
    let ctx = Ctx::new(data, params);
    let classes = if params.class_pages { class_page::build_all(&ctx) } else { Vec::new() };
    (annual_view(&ctx, data), classes)
}

/// Build the annual report.
pub fn annual(data: &ReportData, params: &RenderOptions) -> AnnualView {
    annual_view(&Ctx::new(data, params), data)
}

pub(crate) fn annual_view(ctx: &Ctx<'_>, data: &ReportData) -> AnnualView {
    let params = ctx.params;
    let cat = &ctx.cat;
    let title = params.title.clone().unwrap_or_else(|| cat.fmt("doc.title_default", &[("period", &data.period)]));
    let glossary = glossary::build(ctx);
    let mut v = AnnualView {
        lang: params.lang.html_lang(),
        title,
        subtitle: cat.get("doc.subtitle"),
        period: data.period.clone(),
        institution: params.institution.clone(),
        generated_by: cat.fmt("doc.generated_by", &[("version", &crate::VERSION)]),
        pseudonymised: data.manifest.as_ref().is_some_and(|m| m.pseudonymised),
        min_cell: params.min_cell,
        suppressed_note: cat.fmt("doc.suppressed_note", &[("min_cell", &params.min_cell)]),
        footnotes: footnotes(cat, params.min_cell),
        missing_inputs: missing_inputs(ctx),
        headline: headline::build(ctx).into(),
        reaction: reaction::build(ctx).into(),
        learning: learning::build(ctx).into(),
        methods: methods::build(ctx).into(),
        transfer: transfer::build(ctx).into(),
        results: results::build(ctx).into(),
        raters: raters::build(ctx).into(),
        compliance: compliance::build(ctx).into(),
        needs: needs::build(ctx).into(),
        trends: trends::build(ctx).into(),
        classes: class_page::class_list(ctx).into(),
        methodology: quality::methodology(ctx),
        quality: quality::build(ctx).into(),
        limitations: limitations::build(ctx).into(),
        glossary: Vec::new(),
    };
    // Each section links the glossary entries its words and columns rely on.
    for (id, section) in [
        ("reaction", &mut v.reaction),
        ("learning", &mut v.learning),
        ("methods", &mut v.methods),
        ("transfer", &mut v.transfer),
        ("results", &mut v.results),
        ("raters", &mut v.raters),
        ("compliance", &mut v.compliance),
        ("needs", &mut v.needs),
        ("trends", &mut v.trends),
        ("classes", &mut v.classes),
    ] {
        if let Some(body) = section.data.as_mut() {
            body.terms = glossary::terms_of(id, body, &glossary);
        }
    }
    if let Some(h) = v.headline.data.as_mut() {
        h.terms = glossary::terms_of("headline", &Body::default(), &glossary);
    }
    v.glossary = glossary;
    v
}

/// Each input the data lack, in words: its plain name and the parts of the report it
/// leaves empty or incomplete (never a table name).
fn missing_inputs(ctx: &Ctx<'_>) -> Vec<String> {
    let cat = &ctx.cat;
    let sep = cat.get("doc.list_sep");
    let parts = |tables: &[&str]| -> Vec<String> {
        let mut seen: Vec<&'static str> = Vec::new();
        for t in tables {
            if let Some(p) = part_of(t) {
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
        }
        seen.sort_by_key(|p| PARTS.iter().position(|q| q == p));
        seen.iter().map(|p| cat.get(&format!("part.{p}"))).collect()
    };
    ctx.missing
        .iter()
        .filter_map(|m| {
            let input = cat.code("table", &m.input);
            let all = m.empties.len() == crate::schema::INDICATOR_TABLES.len();
            if all {
                return Some(cat.fmt("doc.missing_all", &[("input", &input)]));
            }
            let empty = parts(&m.empties);
            let thin: Vec<String> = parts(&m.thins).into_iter().filter(|p| !empty.contains(p)).collect();
            match (empty.is_empty(), thin.is_empty()) {
                (true, true) => None,
                (false, true) => Some(cat.fmt("doc.missing_empty", &[("input", &input), ("parts", &empty.join(&sep))])),
                (true, false) => Some(cat.fmt("doc.missing_thin", &[("input", &input), ("parts", &thin.join(&sep))])),
                (false, false) => Some(cat.fmt(
                    "doc.missing_both",
                    &[("input", &input), ("parts", &empty.join(&sep)), ("thin", &thin.join(&sep))],
                )),
            }
        })
        .collect()
}

/// Parts of the annual report, in page order (`part.<id>` names each in words).
const PARTS: &[&str] =
    &["headline", "reaction", "learning", "methods", "transfer", "results", "raters", "compliance", "needs", "trends"];

/// The part of the report an indicator table feeds (`None` for tables it does not show,
/// such as the per-person scorecard).
fn part_of(table: &str) -> Option<&'static str> {
    use super::columns::table as t;
    Some(match table {
        t::REACTION_BY_COURSE | t::REACTION_BY_CLASS => "reaction",
        t::LEARNING_BY_CLASS
        | t::LEARNING_BY_CATEGORY
        | t::LEARNING_BY_METHOD
        | t::LEARNING_BY_YEAR
        | t::RELIABILITY => "learning",
        t::METHOD_SUMMARY | t::METHOD_TESTS | t::METHOD_PAIRWISE => "methods",
        t::TRANSFER_BY_CLASS
        | t::TRANSFER_SUMMARY
        | t::TRANSFER_EVENT_STUDY
        | t::PARTICIPANT_FLOW
        | t::FOLLOW_UP
        | t::TRAJECTORY => "transfer",
        t::UNIT_RESULTS | t::UNIT_RESULTS_FIT => "results",
        t::RATER_AGREEMENT | t::ASSESSMENT_BY_CLASS => "raters",
        t::COMPLIANCE => "compliance",
        t::NEEDS_MATCH | t::NEEDS_BY_CATEGORY => "needs",
        t::TRENDS | t::COURSE_SERIES => "trends",
        _ => return None,
    })
}

/// Build one view per class (every class of the `classes` table, plus classes that
/// only appear in the indicator tables), ordered by class id; none when class pages
/// are off.
pub fn class_views(data: &ReportData, params: &RenderOptions) -> Vec<ClassView> {
    let ctx = Ctx::new(data, params);
    class_page::build_all(&ctx)
}

/// Class ids known to the report, in order.
pub(crate) fn class_ids(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.pages.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::{sort_desc, sort_desc_plain, Table};

    #[test]
    fn sort_desc_orders_as_sort_by_does() {
        // Ties in the value (and missing values, which sort as 0), ties in the id too,
        // numeric and missing ids: the stable order must be the same.
        let n = 3_000u64;
        let value: Vec<Option<f64>> = (0..n)
            .map(|i| {
                let k = i.wrapping_mul(2_654_435_761) % 4_001;
                match k % 11 {
                    0 => None,
                    1 => Some(f64::NAN),
                    2 => Some(-0.0),
                    3 => Some(0.0),
                    _ => Some((k % 37) as f64 / 4.0 - 3.0),
                }
            })
            .collect();
        let id: Vec<Option<String>> =
            (0..n).map(|i| (i % 17 != 0).then(|| format!("K{:05}", i.wrapping_mul(40_503) % 1_500))).collect();
        let df =
            df!("v" => value, "id" => id, "num_id" => (0..n).map(|i| (i % 50) as f64).collect::<Vec<_>>()).unwrap();
        let t = Table::from_frame(&df);
        for tie in ["id", "num_id", "absent"] {
            for rows in [(0..n as usize).collect::<Vec<_>>(), (0..n as usize).rev().step_by(3).collect(), Vec::new()] {
                let (mut fast, mut plain) = (rows.clone(), rows);
                sort_desc(&t, &mut fast, "v", tie);
                sort_desc_plain(&t, &mut plain, "v", tie);
                assert_eq!(fast, plain, "{tie}");
            }
        }
    }
}
