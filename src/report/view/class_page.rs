//! One page per class, for its organisers: the class's facts, its courses' ratings,
//! learning, transfer, rater agreement and needs coverage; and the class list of the
//! annual report.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use serde::Serialize;

use super::format;
use super::learning::{learning_table, prepost_boxes, tukey, Key};
use super::{bar_item, class_ids, summarised, Body, Cell, Chart, ClassFacts, Ctx, Na, Section, TableView, Why};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::boxplot::BoxGroup;
use crate::report::charts::histogram::{self, HistogramSpec};
use crate::report::charts::ChartSpec;
use crate::report::columns::{self as c, table};
use crate::report::paths;
use crate::schema::col;

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassView {
    pub lang: &'static str,
    pub class_id: String,
    /// File name under `class/` (App. C.24).
    pub file_name: String,
    pub title: String,
    pub class_title: String,
    pub subtitle: String,
    pub generated_by: String,
    pub suppressed_note: String,
    /// The sentence of each footnote mark ("—" cells), by mark.
    pub footnotes: BTreeMap<&'static str, String>,
    pub facts: Vec<Fact>,
    pub reaction: Section<Body>,
    pub learning: Section<Body>,
    pub transfer: Section<Body>,
    pub raters: Section<Body>,
    pub needs: Section<Body>,
}

impl ClassView {
    /// Every chart of the page, for rendering.
    pub fn charts(&self) -> Vec<&Chart> {
        [&self.reaction, &self.learning, &self.transfer, &self.raters, &self.needs]
            .into_iter()
            .filter_map(|s| s.data())
            .flat_map(|b| b.charts())
            .collect()
    }
}

/// Rows per class of a warehouse table (a null class id counts as ""), keyed by the
/// table's own text: 10⁶ enrolments are counted without copying an id, and hashed with
/// Fx, not SipHash (the ids are the project's own; the map is only looked up).
type PerClass<'c> = FxHashMap<Cow<'c, str>, u64>;

fn per_class<'c>(ctx: &'c Ctx<'_>, name: &str) -> PerClass<'c> {
    let mut out = PerClass::default();
    if let Ok(t) = ctx.warehouse(name, &[col::CLASS_ID]) {
        let class = t.column(col::CLASS_ID);
        for i in 0..t.len() {
            let id = class.text_ref(i).unwrap_or_default();
            // Counted in place when the class is known: only its first row keys a copy.
            match out.get_mut(id.as_ref()) {
                Some(n) => *n += 1,
                None => {
                    out.insert(id, 1);
                }
            }
        }
    }
    out
}

/// Enrolment rows per class.
fn enrolled<'c>(ctx: &'c Ctx<'_>) -> PerClass<'c> {
    per_class(ctx, crate::schema::wh::ENROLLMENTS)
}

fn dates(info: &ClassFacts) -> String {
    match (info.start.is_empty(), info.end.is_empty()) {
        (false, false) => format!("{} – {}", info.start, info.end),
        (false, true) => info.start.clone(),
        _ => format::DASH.to_string(),
    }
}

/// The classes of the annual report: every class (linked to its page) when they are
/// few; at scale, how many by method and by target category, the distribution of their
/// sizes, and where the full list is.
pub(super) fn class_list(ctx: &Ctx<'_>) -> Result<Body, Na> {
    if ctx.classes.is_empty() {
        return Err(ctx
            .warehouse(crate::schema::wh::CLASSES, &[col::CLASS_ID])
            .err()
            .unwrap_or_else(|| ctx.empty(crate::schema::wh::CLASSES)));
    }
    let enrolled = enrolled(ctx);
    let cat = &ctx.cat;
    let mut body = Body::default();
    if summarised(ctx.classes.len()) {
        let sizes: Vec<f64> =
            ctx.classes.keys().map(|id| enrolled.get(id.as_str()).copied().unwrap_or(0) as f64).collect();
        let hours: f64 = ctx.classes.values().filter_map(|c| c.hours).sum();
        body.finding(cat.fmt(
            "cl.summary",
            &[
                ("n", &format::int(ctx.classes.len() as u64)),
                ("hours", &format::hours(Some(hours))),
                ("median", &format::num(crate::stats::quantile(&sizes, 0.5), 0)),
                ("min", &format::num(sizes.iter().copied().reduce(f64::min), 0)),
                ("max", &format::num(sizes.iter().copied().reduce(f64::max), 0)),
            ],
        ));
        body.chart(Chart {
            id: "classes-size".into(),
            spec: ChartSpec::Histogram(HistogramSpec {
                title: cat.get("cl.hist_title"),
                subtitle: cat.fmt("cl.hist_subtitle", &[("m", &format::int(sizes.len() as u64))]),
                value_label: cat.get("cl.hist_axis"),
                count_label: cat.get("doc.hist_count"),
                bins: histogram::bins(&sizes, 14),
                reference: None,
            }),
            notes: Vec::new(),
        });
        for (key, caption, label) in
            [("method", "cl.table_method", "col.method"), ("category", "cl.table_category", "col.category")]
        {
            body.table(class_counts(ctx, &enrolled, key, cat.get(caption), label));
        }
        body.para(super::full_table_pointer(ctx, ctx.classes.len()));
        return Ok(body);
    }
    let mut tv = TableView::new(
        cat.get("cl.table"),
        &[
            ("col.class_id", false),
            ("col.title", false),
            ("col.category", false),
            ("col.method", false),
            ("col.institution", false),
            ("col.dates", false),
            ("col.hours", true),
            ("col.n_trained", true),
        ],
        cat,
    );
    for (id, info) in &ctx.classes {
        tv.push(
            vec![
                Cell::text(id.clone()),
                Cell::link(info.title.clone(), ctx.class_href(id)),
                Cell::text(ctx.category(&info.category)).why(Why::NotCollected),
                Cell::text(ctx.method(&info.method)).why(Why::NotCollected),
                Cell::text(if info.institution.is_empty() { format::DASH.into() } else { info.institution.clone() })
                    .why(Why::NotCollected),
                Cell::text(dates(info)).why(Why::NotCollected),
                Cell::num(format::hours(info.hours)).why(Why::NotCollected),
                Cell::num(format::count(enrolled.get(id.as_str()).copied())).why(Why::NotCollected),
            ],
            false,
        );
    }
    body.table(tv);
    Ok(body)
}

/// Classes, enrolments and class hours by method (`key` = "method") or by target
/// category, in the vocabulary's order.
fn class_counts(ctx: &Ctx<'_>, enrolled: &PerClass<'_>, key: &str, caption: String, label: &str) -> TableView {
    let mut groups: BTreeMap<(usize, String), (u64, u64, f64)> = BTreeMap::new();
    for (id, info) in &ctx.classes {
        let code = if key == "method" { &info.method } else { &info.category };
        let order = if key == "method" { super::method_order(code) } else { super::category_order(code) };
        let g = groups.entry(order).or_default();
        g.0 += 1;
        g.1 += enrolled.get(id.as_str()).copied().unwrap_or(0);
        g.2 += info.hours.unwrap_or(0.0);
    }
    let mut tv = TableView::new(
        caption,
        &[(label, false), ("col.n_classes", true), ("col.n_trained", true), ("col.hours", true)],
        &ctx.cat,
    );
    for ((_, code), (n, people, hours)) in groups {
        let name = if key == "method" { ctx.method(&code) } else { ctx.category(&code) };
        tv.push(
            vec![
                Cell::text(name).why(Why::NotCollected),
                Cell::num(format::int(n)),
                Cell::num(format::int(people)),
                Cell::num(format::hours(Some(hours))),
            ],
            false,
        );
    }
    tv
}

/// What every class page needs that is counted over whole tables (enrolments and
/// courses per class), counted once so that each page is then built from its own rows.
pub(crate) struct ClassPages<'c> {
    enrolled: PerClass<'c>,
    courses: PerClass<'c>,
    /// The key of `trainee_outcomes` among the tables.
    outcomes: String,
    /// The texts every page carries the same, worded once.
    same: SameOnEveryPage,
}

/// What every class page says alike (its subtitle, the tool, the footnotes).
struct SameOnEveryPage {
    subtitle: String,
    generated_by: String,
    suppressed_note: String,
    footnotes: BTreeMap<&'static str, String>,
}

impl<'c> ClassPages<'c> {
    pub(crate) fn new(ctx: &'c Ctx<'_>) -> ClassPages<'c> {
        let cat = &ctx.cat;
        let same = SameOnEveryPage {
            subtitle: cat.get("doc.class_subtitle"),
            generated_by: cat.fmt("doc.generated_by", &[("version", &crate::VERSION)]),
            suppressed_note: cat.fmt("doc.suppressed_note", &[("min_cell", &ctx.min_cell())]),
            footnotes: super::footnotes(cat, ctx.min_cell()),
        };
        ClassPages {
            enrolled: enrolled(ctx),
            courses: per_class(ctx, crate::schema::wh::COURSES),
            outcomes: super::warehouse_key(table::TRAINEE_OUTCOMES),
            same,
        }
    }

    /// The page of class `id`.
    pub(crate) fn build(&self, ctx: &Ctx<'_>, id: &str) -> ClassView {
        let rows = ctx.rows_of_class(&self.outcomes, id);
        build_one(ctx, id, self.enrolled.get(id).copied(), self.courses.get(id).copied(), rows, &self.same)
    }
}

pub(super) fn build_all(ctx: &Ctx<'_>) -> Vec<ClassView> {
    let pages = ClassPages::new(ctx);
    class_ids(ctx).into_par_iter().map(|id| pages.build(ctx, &id)).collect()
}

fn build_one(
    ctx: &Ctx<'_>,
    id: &str,
    enrolled: Option<u64>,
    courses: Option<u64>,
    outcome_rows: &[usize],
    same: &SameOnEveryPage,
) -> ClassView {
    let cat = &ctx.cat;
    let info = ctx.classes.get(id).cloned().unwrap_or_else(|| ClassFacts {
        id: id.into(),
        title: id.into(),
        ..Default::default()
    });
    let fact = |k: &str, v: String| Fact { label: cat.get(k), value: v };
    let facts = vec![
        fact("fact.id", id.to_string()),
        fact("fact.category", ctx.category(&info.category)),
        fact("fact.method", ctx.method(&info.method)),
        fact(
            "fact.institution",
            if info.institution.is_empty() { format::DASH.into() } else { info.institution.clone() },
        ),
        fact("fact.dates", dates(&info)),
        fact("fact.hours", format!("{} / {}", format::num(info.days, 0), format::hours(info.hours))),
        fact("fact.enrolled", format::count(enrolled)),
        fact("fact.courses", format::count(courses)),
    ];
    ClassView {
        lang: ctx.params.lang.html_lang(),
        class_id: id.to_string(),
        file_name: paths::class_file_name(id),
        title: cat.fmt("doc.class_title", &[("title", &info.title)]),
        class_title: info.title.clone(),
        subtitle: same.subtitle.clone(),
        generated_by: same.generated_by.clone(),
        suppressed_note: same.suppressed_note.clone(),
        footnotes: same.footnotes.clone(),
        facts,
        reaction: reaction(ctx, id).into(),
        learning: learning(ctx, id, outcome_rows).into(),
        transfer: transfer(ctx, id).into(),
        raters: raters(ctx, id).into(),
        needs: one_row(ctx, table::NEEDS_MATCH, id, "cls.table_needs", super::needs::needs_table).into(),
    }
}

/// A section that is just this class's row of an indicator table.
fn one_row(
    ctx: &Ctx<'_>,
    name: &str,
    id: &str,
    caption: &str,
    table_of: fn(&Ctx<'_>, &crate::report::frame::Table, String, &[usize]) -> TableView,
) -> Result<Body, Na> {
    let t = ctx.indicator(name, &[col::CLASS_ID])?;
    let rows = ctx.rows_of_class(name, id);
    if rows.is_empty() {
        return Err(ctx.empty_class(name));
    }
    let mut body = Body::default();
    body.table(table_of(ctx, t, ctx.cat.get(caption), rows));
    Ok(body)
}

/// Rater agreement and self-rating against others, this class's rows.
fn raters(ctx: &Ctx<'_>, id: &str) -> Result<Body, Na> {
    let agreement = one_row(ctx, table::RATER_AGREEMENT, id, "cls.table_raters", super::raters::agreement_table);
    let own = one_row(ctx, table::ASSESSMENT_BY_CLASS, id, "cls.table_self", super::raters::self_table);
    match (agreement, own) {
        (Err(na), Err(_)) => Err(na),
        (a, o) => {
            let mut body = Body::default();
            body.blocks.extend(a.into_iter().chain(o).flat_map(|b| b.blocks));
            Ok(body)
        }
    }
}

fn reaction(ctx: &Ctx<'_>, id: &str) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::REACTION_BY_COURSE, &[col::CLASS_ID, col::COURSE_ID, c::TOTAL_MEAN])?;
    let mut rows = ctx.rows_of_class(table::REACTION_BY_COURSE, id).to_vec();
    if rows.is_empty() {
        return Err(ctx.empty_class(table::REACTION_BY_COURSE));
    }
    // Each row's key once (a stable sort, as `sort_by` is), not twice per comparison.
    let (rank, course) = (t.column(c::RANK_IN_CLASS), t.column(col::COURSE_ID));
    rows.sort_by_cached_key(|&i| (rank.count(i).unwrap_or(u64::MAX), course.text_ref(i).unwrap_or_default()));
    let mut body = Body::default();
    let shown: Vec<usize> =
        rows.iter().copied().filter(|&i| !t.suppressed(i) && t.num(c::TOTAL_MEAN, i).is_some()).collect();
    if !shown.is_empty() {
        let ratings: u64 = shown.iter().filter_map(|&i| t.count(c::N_RATERS, i)).sum();
        let items = shown
            .iter()
            .map(|&i| {
                bar_item(
                    t,
                    i,
                    super::reaction::course_title(ctx, t, i),
                    c::TOTAL_MEAN,
                    (c::CI_LOW, c::CI_HIGH),
                    c::N_RATERS,
                    format::mean,
                )
            })
            .collect();
        body.chart(Chart {
            id: "class-reaction".into(),
            spec: ChartSpec::BarCi(BarCiSpec {
                title: cat.get("re.table_class"),
                subtitle: cat.fmt(
                    "re.subtitle",
                    &[("n", &shown.len()), ("ratings", &format::int(ratings)), ("whiskers", &ctx.whiskers())],
                ),
                value_label: cat.get("re.axis"),
                category_label: cat.get("re.axis_course"),
                items,
                style: BarStyle::Points,
                reference: None,
                domain: None,
                legend: None,
            }),
            notes: ctx.omitted_note(rows.len() - shown.len()).into_iter().collect(),
        });
    }
    body.table(super::reaction::course_table(ctx, t, cat.get("re.table_class"), &rows, true));
    Ok(body)
}

fn learning(ctx: &Ctx<'_>, id: &str, outcome_rows: &[usize]) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::LEARNING_BY_CLASS, &[col::CLASS_ID, c::N_PAIRS, c::MEAN_DIFF])?;
    let rows = ctx.rows_of_class(table::LEARNING_BY_CLASS, id);
    let Some(&i) = rows.first() else { return Err(ctx.empty_class(table::LEARNING_BY_CLASS)) };
    let mut body = Body::new(cat.get("le.intro"));
    if let Some(w) = t.withheld(i) {
        body.finding(ctx.withheld_class(w, "le.class_suppressed"));
    } else {
        let significant = t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha);
        body.finding(cat.fmt(
            if significant { "le.class_reading_up" } else { "le.class_reading_ns" },
            &[
                ("n", &format::count(t.count(c::N_PAIRS, i))),
                ("gain", &format::signed(t.num(c::MEAN_DIFF, i))),
                ("ci", &ctx.ci_phrase(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                ("p", &format::p_phrase(t.num(c::P_VALUE, i))),
            ],
        ));
        if let Ok(o) = ctx.warehouse(table::TRAINEE_OUTCOMES, &[col::PRE_SCORE, col::POST_SCORE]) {
            let (pre_col, post_col) = (o.column(col::PRE_SCORE), o.column(col::POST_SCORE));
            let (pre, post): (Vec<f64>, Vec<f64>) =
                outcome_rows.iter().filter_map(|&r| Some((pre_col.num(r)?, post_col.num(r)?))).unzip();
            if ctx.drawable(pre.len() as u64) {
                let group = BoxGroup {
                    label: ctx.chart_label(id),
                    boxes: vec![tukey(&pre), tukey(&post)],
                    text: format!("n = {}", format::int(pre.len() as u64)),
                };
                body.chart(prepost_boxes(
                    ctx,
                    "class-box",
                    cat.get("le.chart_box_class"),
                    cat.get("le.axis_class"),
                    vec![group],
                    pre.len() as u64,
                    0,
                ));
            }
        }
    }
    body.table(learning_table(ctx, t, Key::Class, cat.get("cls.table_learning"), rows));
    Ok(body)
}

fn transfer(ctx: &Ctx<'_>, id: &str) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::TRANSFER_BY_CLASS, &[col::CLASS_ID, c::N_TRAINED, c::N_FOLLOWED])?;
    let rows = ctx.rows_of_class(table::TRANSFER_BY_CLASS, id);
    let Some(&i) = rows.first() else { return Err(ctx.empty_class(table::TRANSFER_BY_CLASS)) };
    let mut body = Body::new(super::transfer::intro(ctx));
    if let Some(w) = t.withheld(i) {
        body.finding(ctx.withheld_class(w, "tr.class_suppressed"));
    } else {
        body.finding(cat.fmt(
            "tr.class_reading",
            &[
                ("followed", &format::count(t.count(c::N_FOLLOWED, i))),
                ("trained", &format::count(t.count(c::N_TRAINED, i))),
                ("delta", &format::signed(t.num(c::MEAN_DELTA, i))),
                ("control", &format::signed(t.num(c::CONTROL_DELTA, i))),
                ("did", &format::signed(t.num(c::DID, i))),
                ("ci", &ctx.ci_phrase(t.num(c::DID_CI_LOW, i), t.num(c::DID_CI_HIGH, i))),
            ],
        ));
        // What the class's DiD may be called (SPEC §7.2).
        match t.text(c::CLAIM, i).as_deref() {
            Some("effect") => body.finding(cat.get("tr.class_claim_effect")),
            Some(_) => {
                let why = super::transfer::reasons(ctx, t, i).join(&cat.get("tr.why_join"));
                body.finding(cat.fmt("tr.class_claim_association", &[("reasons", &why)]));
            }
            None if t.num(c::DID, i).is_none() && t.has(c::CLAIM) => {
                body.finding(cat.fmt("tr.class_few_controls", &[("min_cell", &ctx.min_cell())]))
            }
            None => {}
        }
    }
    if let Some(chart) = super::transfer::flow_chart(ctx, Some(id)) {
        body.chart(chart);
    }
    if let Some(chart) = super::transfer::trajectory(ctx, Some(id), "class-trajectory", cat.get("tr.chart_traj_class"))
    {
        body.chart(chart);
    }
    body.table(super::transfer::transfer_table(ctx, t, cat.get("cls.table_transfer"), rows));
    if let Ok(f) = ctx.indicator(table::FOLLOW_UP, &[col::CLASS_ID, col::WAVE, c::N_PAIRS]) {
        let rows = ctx.rows_of_class(table::FOLLOW_UP, id);
        if !rows.is_empty() {
            body.table(super::transfer::follow_up_table(ctx, f, cat.get("cls.table_follow"), rows));
        }
    }
    Ok(body)
}
