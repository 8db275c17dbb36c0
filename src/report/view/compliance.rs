//! Compliance with the training-hour rules, by cadre category: who met the hours,
//! who needs make-up training, who is overdue for rotation or trained twice on a
//! topic. The input is per person, so only categories of at least `min_cell` cadres
//! are published, and totals cover the published categories only (so a withheld
//! category cannot be recovered by subtraction).

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::format;
use super::{category_order, Body, Cell, Ctx, Na, TableRow, TableView};
use crate::report::charts::stacked::{StackedRow, StackedSpec};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::{ColRef, Table};
use crate::schema::col;

/// Counts of one group of cadres.
#[derive(Debug, Clone, Default)]
struct Tally {
    n: u64,
    met: u64,
    short: u64,
    none: u64,
    rotation: u64,
    repeated: u64,
    leave: u64,
    hours: f64,
}

impl Tally {
    fn add(&mut self, t: &Cols<'_>, i: usize) {
        self.n += 1;
        let trained = t.days.num(i).unwrap_or(0.0) > 0.0 || t.hours.num(i).unwrap_or(0.0) > 0.0;
        if !t.makeup.flag(i) {
            self.met += 1;
        } else if trained {
            self.short += 1;
        } else {
            self.none += 1;
        }
        self.rotation += t.rotation.flag(i) as u64;
        self.repeated += t.repeated(i) as u64;
        self.leave += t.leave.flag(i) as u64;
        self.hours += t.hours.num(i).unwrap_or(0.0);
    }

    fn merge(&mut self, o: &Tally) {
        self.n += o.n;
        self.met += o.met;
        self.short += o.short;
        self.none += o.none;
        self.rotation += o.rotation;
        self.repeated += o.repeated;
        self.leave += o.leave;
        self.hours += o.hours;
    }

    fn share(&self, k: u64) -> Option<f64> {
        (self.n > 0).then(|| k as f64 / self.n as f64)
    }
}

/// The columns of the per-cadre `compliance` table the report reads (the tallies below,
/// the headline's withheld check, the class index): the table is converted with these
/// only, as its other columns would cost memory at 10⁶ cadres and are never shown.
pub(crate) const COMPLIANCE_COLUMNS: &[&str] = &[
    col::YEAR,
    col::CATEGORY,
    col::CLASS_ID,
    c::DAYS_TRAINED,
    c::HOURS_TRAINED,
    c::MAKEUP_REQUIRED,
    c::ROTATION_OVERDUE,
    c::REPEATED_TOPICS,
    c::LEAVE_OVER_LIMIT,
    c::RULE,
    c::WINDOW_COMPLETE,
    c::SUPPRESSED,
    c::SUPPRESSION,
];

/// The columns of the `compliance` table the tallies read, resolved once: the table has
/// a row per cadre (10⁶ at national scale).
struct Cols<'t> {
    year: ColRef<'t>,
    category: ColRef<'t>,
    days: ColRef<'t>,
    hours: ColRef<'t>,
    makeup: ColRef<'t>,
    rotation: ColRef<'t>,
    repeated: ColRef<'t>,
    leave: ColRef<'t>,
    rule: ColRef<'t>,
    window: ColRef<'t>,
}

impl<'t> Cols<'t> {
    fn of(t: &'t Table) -> Cols<'t> {
        Cols {
            year: t.column(col::YEAR),
            category: t.column(col::CATEGORY),
            days: t.column(c::DAYS_TRAINED),
            hours: t.column(c::HOURS_TRAINED),
            makeup: t.column(c::MAKEUP_REQUIRED),
            rotation: t.column(c::ROTATION_OVERDUE),
            repeated: t.column(c::REPEATED_TOPICS),
            leave: t.column(c::LEAVE_OVER_LIMIT),
            rule: t.column(c::RULE),
            window: t.column(c::WINDOW_COMPLETE),
        }
    }

    /// `repeated_topics` may be a count, a flag or a list of topics.
    fn repeated(&self, i: usize) -> bool {
        match self.repeated.num(i) {
            Some(x) => x > 0.0,
            None => self.repeated.text_ref(i).is_some_and(|s| !s.trim().is_empty() && s != "false"),
        }
    }

    /// A cadre whose category and rank have no hour requirement (`rule` = `none`): not
    /// counted as compliant or not.
    fn no_rule(&self, i: usize) -> bool {
        self.rule.exists() && self.rule.text_ref(i).is_none_or(|r| r.trim().is_empty() || r == "none")
    }

    /// A cadre whose rolling window reaches before the data and who is not (yet) short:
    /// neither met nor failed — the data cannot tell.
    fn undecided(&self, i: usize) -> bool {
        self.window.text_ref(i).is_some() && !self.window.flag(i) && !self.makeup.flag(i)
    }
}

/// Tallies keyed by category, in the vocabulary's order.
type ByCategory = BTreeMap<(usize, String), Tally>;

/// Cadres left out of the tallies.
#[derive(Debug, Clone, Copy, Default)]
struct LeftOut {
    no_rule: u64,
    undecided: u64,
}

/// Tallies by category for the report's year (all rows when the period is not a year
/// present in the table), and the cadres left out.
fn tallies(ctx: &Ctx<'_>) -> Result<(ByCategory, LeftOut), Na> {
    let t = ctx.indicator(table::COMPLIANCE, &[col::CATEGORY, c::MAKEUP_REQUIRED])?;
    let cols = Cols::of(t);
    let year: Option<f64> = ctx.period.trim().parse::<f64>().ok();
    let in_year = |i: usize| cols.year.num(i) == year;
    let use_year = year.is_some() && (0..t.len()).any(in_year);
    // Tallied by the category's text first (a few distinct values over 10⁶ rows), then
    // keyed by the vocabulary order once per category (Fx: 10⁶ rows hash a category each).
    let mut by_text: FxHashMap<Cow<'_, str>, Tally> = FxHashMap::default();
    let mut left_out = LeftOut::default();
    for i in (0..t.len()).filter(|&i| !use_year || in_year(i)) {
        if cols.no_rule(i) {
            left_out.no_rule += 1;
            continue;
        }
        if cols.undecided(i) {
            left_out.undecided += 1;
            continue;
        }
        let category = cols.category.text_ref(i).unwrap_or_default();
        match by_text.get_mut(category.as_ref()) {
            Some(tally) => tally.add(&cols, i),
            None => by_text.entry(category).or_default().add(&cols, i),
        }
    }
    let by: ByCategory = by_text.into_iter().map(|(code, tally)| (category_order(&code), tally)).collect();
    if by.is_empty() {
        return Err(ctx.empty(table::COMPLIANCE));
    }
    Ok((by, left_out))
}

/// Share of cadres who met the requirement and their number, over publishable categories.
pub(super) fn overall(ctx: &Ctx<'_>) -> Option<(f64, u64)> {
    let (by, _) = tallies(ctx).ok()?;
    let mut total = Tally::default();
    for t in by.values().filter(|t| ctx.publishable(t.n)) {
        total.merge(t);
    }
    total.share(total.met).map(|s| (s, total.n))
}

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let (by, left_out) = tallies(ctx)?;
    let s = &ctx.params.compliance;
    let mut body = Body::new(cat.fmt(
        "co.intro",
        &[
            ("preset", &cat.code("preset", &s.preset)),
            ("hours_per_day", &s.hours_per_day),
            ("min_cell", &ctx.min_cell()),
        ],
    ));
    let mut total = Tally::default();
    for t in by.values().filter(|t| ctx.publishable(t.n)) {
        total.merge(t);
    }
    if total.n > 0 {
        body.finding(cat.fmt(
            "co.reading",
            &[
                ("share", &format::pct(total.share(total.met))),
                ("makeup", &format::int(total.short + total.none)),
                ("rotation", &format::int(total.rotation)),
                ("repeated", &format::int(total.repeated)),
                ("leave", &format::int(total.leave)),
            ],
        ));
        if left_out.no_rule > 0 {
            body.finding(cat.fmt("co.no_rule", &[("k", &format::int(left_out.no_rule))]));
        }
        if left_out.undecided > 0 {
            body.finding(cat.fmt("co.undecided", &[("k", &format::int(left_out.undecided))]));
        }
        let pct = |k: u64, n: u64| k as f64 * 100.0 / n as f64;
        let rows = by
            .iter()
            .filter(|(_, t)| ctx.publishable(t.n))
            .map(|((_, code), t)| StackedRow {
                label: ctx.category(code),
                shares: vec![pct(t.met, t.n), pct(t.short, t.n), pct(t.none, t.n)],
                text: format!("n = {}", format::int(t.n)),
            })
            .collect();
        let omitted = by.values().filter(|t| !ctx.publishable(t.n)).count();
        body.chart(Chart {
            id: "compliance-category".into(),
            spec: ChartSpec::Stacked(StackedSpec {
                title: cat.get("co.chart"),
                subtitle: cat.fmt("co.subtitle", &[("n", &format::int(total.n))]),
                value_label: cat.get("co.axis_share"),
                category_label: cat.get("le.axis_category"),
                segments: vec![cat.get("co.met"), cat.get("co.short"), cat.get("co.none")],
                rows,
            }),
            notes: ctx.omitted_note(omitted).into_iter().collect(),
        });
    }
    let mut tv = TableView::new(
        cat.get("co.table"),
        &[
            ("col.category", false),
            ("col.cadres", true),
            ("col.met_share", true),
            ("col.makeup", true),
            ("col.rotation", true),
            ("col.repeated", true),
            ("col.leave", true),
            ("col.mean_hours", true),
        ],
        cat,
    );
    let cells = |label: String, t: &Tally, publish: bool| {
        let v = |s: String| if publish { s } else { format::DASH.to_string() };
        vec![
            Cell::text(label),
            Cell::num(format::int(t.n)),
            Cell::num(v(format::pct(t.share(t.met)))),
            Cell::num(v(format::int(t.short + t.none))),
            Cell::num(v(format::int(t.rotation))),
            Cell::num(v(format::int(t.repeated))),
            Cell::num(v(format::int(t.leave))),
            Cell::num(v(format::mean((t.n > 0).then(|| t.hours / t.n as f64)))),
        ]
    };
    for ((_, code), t) in &by {
        let publish = ctx.publishable(t.n);
        tv.push(cells(ctx.category(code), t, publish), !publish);
    }
    if by.len() > 1 && total.n > 0 {
        tv.push_row(TableRow { cells: cells(cat.get("co.total"), &total, true), suppressed: false, total: true });
    }
    body.table(tv);
    Ok(body)
}
