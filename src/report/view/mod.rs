//! View models: `Serialize` structs with every number already formatted and every
//! label translated, built from the indicator tables (and, for titles, counts and
//! distributions, from a few warehouse tables). Templates only lay them out.
//!
//! In: [`ReportData`] (frames keyed by table name, the manifest) and [`Params`]
//! (language, small-cell threshold, alpha, the settings the methodology cites).
//! Out: [`AnnualView`] for `index.html` and one [`ClassView`] per class.
//! Guarantees: a missing table or column turns its section into a translated
//! "not available" note instead of an error; a suppressed cell prints "—" and never
//! enters a chart or a ranking; per-person tables appear only as groups of at
//! least `min_cell` people; output order is deterministic.

mod class_page;
mod compliance;
pub mod format;
mod headline;
mod learning;
mod limitations;
mod methods;
mod needs;
mod trends;
mod quality;
mod raters;
mod reaction;
mod transfer;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::DataFrame;
use serde::Serialize;

pub use class_page::ClassView;
pub use headline::{Card, HeadlineView};

use super::charts::bar_ci::BarItem;
use super::charts::Chart;
use super::columns::table;
use super::frame::{Table, Withheld};
use super::i18n::{Catalogue, Lang};
use super::paths;
use crate::config::{ComplianceSettings, Job, ScorecardSettings};
use crate::warehouse::manifest::Manifest;
use crate::schema::{col, CATEGORIES, METHODS};

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
pub struct Params {
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
    pub compliance: ComplianceSettings,
    pub scorecard: ScorecardSettings,
}

impl Params {
    /// The report settings of a job, in `lang`.
    pub fn from_job(job: &Job, lang: Lang) -> Params {
        let s = &job.settings;
        Params {
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
            compliance: s.compliance.clone(),
            scorecard: s.scorecard.clone(),
        }
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
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
    pub rows: Vec<Row>,
    /// True when a row or cell is withheld (the template adds the footnote).
    pub has_suppressed: bool,
    /// A note under the table (abbreviations, emphasis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub text: String,
    pub num: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Row {
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
}

impl TableView {
    pub fn new(caption: String, headers: &[(&str, bool)], cat: &Catalogue) -> TableView {
        TableView {
            caption,
            headers: headers.iter().map(|(k, num)| Header { text: cat.get(k), num: *num }).collect(),
            rows: Vec::new(),
            has_suppressed: false,
            note: None,
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>, suppressed: bool) {
        self.has_suppressed |= suppressed;
        self.rows.push(Row { cells, suppressed, total: false });
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
    pub headline: Section<HeadlineView>,
    pub reaction: Section<Body>,
    pub learning: Section<Body>,
    pub methods: Section<Body>,
    pub transfer: Section<Body>,
    pub raters: Section<Body>,
    pub compliance: Section<Body>,
    pub needs: Section<Body>,
    pub trends: Section<Body>,
    pub classes: Section<TableView>,
    pub methodology: quality::MethodologyView,
    pub quality: Section<Body>,
    /// What the data cannot support (generated from the checks), last.
    pub limitations: Section<Body>,
}

impl AnnualView {
    /// Every chart of the page, for rendering.
    pub fn charts(&self) -> Vec<&Chart> {
        [
            &self.reaction,
            &self.learning,
            &self.methods,
            &self.transfer,
            &self.raters,
            &self.compliance,
            &self.needs,
            &self.trends,
        ]
            .into_iter()
            .filter_map(|s| s.data())
            .flat_map(|b| b.charts())
            .collect()
    }
}

/// Shared state of one build: converted tables, formatting, look-ups.
pub(crate) struct Ctx<'a> {
    pub cat: Catalogue,
    pub params: &'a Params,
    pub period: String,
    pub level: String,
    tables: BTreeMap<String, Table>,
    pub classes: BTreeMap<String, ClassInfo>,
    pub courses: BTreeMap<String, String>,
    /// Classes that get a page (none when class pages are off).
    pub pages: BTreeSet<String>,
    /// Table name → class id → row indices.
    by_class: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
    pub manifest: Option<&'a Manifest>,
}

/// What the report needs to know about a class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassInfo {
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

/// Warehouse columns the report reads from `trainee_outcomes`.
const OUTCOME_COLUMNS: &[&str] = &[
    col::CLASS_ID,
    col::CADRE_ID,
    col::CATEGORY,
    col::PRE_SCORE,
    col::POST_SCORE,
    col::FOLLOW_3M,
    col::FOLLOW_6M,
    col::FOLLOW_12M,
];

impl<'a> Ctx<'a> {
    pub fn new(data: &'a ReportData, params: &'a Params) -> Ctx<'a> {
        let mut tables: BTreeMap<String, Table> =
            data.indicators.iter().map(|(k, df)| (k.clone(), Table::from_frame(df))).collect();
        for (name, df) in &data.warehouse {
            let t = if name == table::TRAINEE_OUTCOMES {
                Table::select(df, OUTCOME_COLUMNS)
            } else if name == "enrollments" {
                Table::select(df, &[col::CLASS_ID, col::CADRE_ID, col::COMPLETED])
            } else {
                Table::from_frame(df)
            };
            tables.insert(format!("warehouse.{name}"), t);
        }
        let mut classes = BTreeMap::new();
        if let Some(t) = tables.get("warehouse.classes") {
            for i in 0..t.len() {
                let Some(id) = t.text(col::CLASS_ID, i) else { continue };
                classes.insert(
                    id.clone(),
                    ClassInfo {
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
        if let Some(t) = tables.get("warehouse.courses") {
            for i in 0..t.len() {
                if let (Some(id), Some(title)) = (t.text(col::COURSE_ID, i), t.text(col::TITLE, i)) {
                    courses.insert(id, title);
                }
            }
        }
        // Rows by class of every table keyed by class, built once: class pages look
        // their rows up instead of scanning each table per class.
        let by_class: BTreeMap<String, BTreeMap<String, Vec<usize>>> = tables
            .iter()
            .filter(|(_, t)| t.has(col::CLASS_ID))
            .map(|(name, t)| {
                let mut index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for i in 0..t.len() {
                    if let Some(id) = t.text(col::CLASS_ID, i) {
                        index.entry(id).or_default().push(i);
                    }
                }
                (name.clone(), index)
            })
            .collect();
        // A page for every class of the period (the warehouse tables are the period's)
        // and every class an indicator of the period names; the course series run over
        // every year held, so their classes of other years get no page.
        let mut pages: BTreeSet<String> = classes.keys().cloned().collect();
        if params.class_pages {
            for name in tables.keys() {
                if !name.starts_with("warehouse.") && name != table::COURSE_SERIES {
                    // participant_flow's pooled rows are keyed `all`: no class of that name.
                    let pooled = |id: &String| name == table::PARTICIPANT_FLOW && id == crate::indicators::transfer::ALL;
                    pages.extend(by_class.get(name).into_iter().flat_map(|index| index.keys().filter(|k| !pooled(k)).cloned()));
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
            pages,
            by_class,
            manifest: data.manifest.as_ref(),
        }
    }

    /// An indicator table with the given columns, or why not.
    pub fn indicator(&self, name: &str, required: &[&str]) -> Result<&Table, Na> {
        self.table(name, name, required)
    }

    /// A warehouse table with the given columns, or why not.
    pub fn warehouse(&self, name: &str, required: &[&str]) -> Result<&Table, Na> {
        self.table(&format!("warehouse.{name}"), name, required)
    }

    fn table(&self, key: &str, shown: &str, required: &[&str]) -> Result<&Table, Na> {
        let t = self.tables.get(key).ok_or_else(|| Na(self.cat.fmt("doc.na_table", &[("table", &shown)])))?;
        t.require(required).map_err(|missing| {
            Na(self.cat.fmt("doc.na_columns", &[("table", &shown), ("columns", &missing.join(", "))]))
        })?;
        Ok(t)
    }

    /// Rows of table `name` (an indicator, or `warehouse.<table>`) that belong to class `id`.
    pub fn rows_of_class(&self, name: &str, id: &str) -> Vec<usize> {
        self.by_class.get(name).and_then(|index| index.get(id)).cloned().unwrap_or_default()
    }

    /// "Nothing publishable in `table`".
    pub fn empty(&self, table: &str) -> Na {
        Na(self.cat.fmt("doc.na_empty", &[("table", &table)]))
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
        (k > 0).then(|| self.cat.fmt("doc.chart_omitted", &[("k", &k), ("min_cell", &self.params.min_cell)]))
    }

    /// The note under a distribution chart that leaves out `k` groups too small to draw.
    pub fn undrawn_note(&self, k: usize) -> Option<String> {
        (k > 0).then(|| {
            self.cat.fmt("doc.dist_omitted", &[("k", &k), ("min_n", &self.params.min_distribution_n)])
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

/// Show at most `cap` rows of a ranked list: all when they fit, else the first and
/// last `cap / 2`. Returns the kept indices and the note when rows were dropped.
pub(crate) fn cap_rows(ctx: &Ctx<'_>, n: usize, cap: usize) -> (Vec<usize>, Option<String>) {
    if n <= cap {
        return ((0..n).collect(), None);
    }
    let half = cap / 2;
    let kept: Vec<usize> = (0..half).chain(n - half..n).collect();
    let note = ctx.cat.fmt("doc.chart_truncated", &[("shown", &kept.len()), ("total", &n)]);
    (kept, Some(note))
}

/// Charts show at most this many rows.
pub(crate) const CHART_ROWS: usize = 30;

/// Build the annual report and, when `params.class_pages`, the class pages.
pub fn build(data: &ReportData, params: &Params) -> (AnnualView, Vec<ClassView>) {
    let ctx = Ctx::new(data, params);
    let classes = if params.class_pages { class_page::build_all(&ctx) } else { Vec::new() };
    (annual_view(&ctx, data), classes)
}

/// Build the annual report.
pub fn annual(data: &ReportData, params: &Params) -> AnnualView {
    annual_view(&Ctx::new(data, params), data)
}

fn annual_view(ctx: &Ctx<'_>, data: &ReportData) -> AnnualView {
    let params = ctx.params;
    let cat = &ctx.cat;
    let title = params.title.clone().unwrap_or_else(|| cat.fmt("doc.title_default", &[("period", &data.period)]));
    AnnualView {
        lang: params.lang.html_lang(),
        title,
        subtitle: cat.get("doc.subtitle"),
        period: data.period.clone(),
        institution: params.institution.clone(),
        generated_by: cat.fmt("doc.generated_by", &[("version", &crate::VERSION)]),
        pseudonymised: data.manifest.as_ref().is_some_and(|m| m.pseudonymised),
        min_cell: params.min_cell,
        suppressed_note: cat.fmt("doc.suppressed_note", &[("min_cell", &params.min_cell)]),
        headline: headline::build(ctx).into(),
        reaction: reaction::build(ctx).into(),
        learning: learning::build(ctx).into(),
        methods: methods::build(ctx).into(),
        transfer: transfer::build(ctx).into(),
        raters: raters::build(ctx).into(),
        compliance: compliance::build(ctx).into(),
        needs: needs::build(ctx).into(),
        trends: trends::build(ctx).into(),
        classes: class_page::class_list(ctx).into(),
        methodology: quality::methodology(ctx),
        quality: quality::build(ctx).into(),
        limitations: limitations::build(ctx).into(),
    }
}

/// Build one view per class (every class of the `classes` table, plus classes that
/// only appear in the indicator tables), ordered by class id; none when class pages
/// are off.
pub fn class_views(data: &ReportData, params: &Params) -> Vec<ClassView> {
    let ctx = Ctx::new(data, params);
    class_page::build_all(&ctx)
}

/// Class ids known to the report, in order.
pub(crate) fn class_ids(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.pages.iter().cloned().collect()
}
