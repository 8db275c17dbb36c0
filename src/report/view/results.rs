//! Results (level 4): how the units' own outcome metrics changed, set against the share
//! of each unit's cadres trained in the period.
//!
//! In: `unit_results` (one row per unit and metric: share trained, value before and
//! after, change) and `unit_results_fit` (per metric, change ~ share trained across the
//! published units, OLS with HC1 errors); the warehouse `units` table for unit names when
//! the report was given it.
//! Out: a reading per metric that follows the fit's interval only — a relation between
//! units, never a cause (units that trained more may have been improving anyway) — the
//! fit table, a summary of the published units by metric, and the units themselves when
//! they are few (else where the full table is).
//! Guarantees: withheld units never enter a summary, a list or a reading; the slope is
//! printed per 10 percentage points of share trained.

use std::collections::BTreeMap;

use super::format;
use super::{summarised, Body, Cell, Ctx, Na, TableView, Why};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;

/// The slope is printed for this step of share trained (10 percentage points).
const STEP: f64 = 0.1;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::UNIT_RESULTS, &[col::UNIT_ID, col::METRIC, col::SHARE_TRAINED, col::CHANGE])?;
    if t.is_empty() {
        return Err(ctx.empty(table::UNIT_RESULTS));
    }
    let mut by_metric: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..t.len() {
        by_metric.entry(t.text_or_empty(col::METRIC, i)).or_default().push(i);
    }
    let names: Vec<String> = by_metric.keys().map(|m| metric_label(ctx, m)).collect();
    let mut body = Body::new(cat.fmt("rs.intro", &[("metrics", &names.join(&cat.get("doc.list_sep")))]));
    body.intro.push(cat.get("rs.caution"));
    let fit = ctx.indicator(table::UNIT_RESULTS_FIT, &[col::METRIC, col::N_UNITS, col::SLOPE]).ok();
    if let Some(f) = fit {
        for i in 0..f.len() {
            body.finding(reading(ctx, f, i));
        }
        body.table(fit_table(ctx, f));
    }
    body.table(summary_table(ctx, t, &by_metric));
    // The units themselves when they are few; at scale the summary above stands for
    // them (a list per metric would fill pages) and the pointer says where they are.
    let many = by_metric.values().any(|rows| summarised(rows.len()));
    if many {
        let n = by_metric.values().map(Vec::len).max().unwrap_or(0);
        let key = if ctx.params.workbook { "doc.full_units_book" } else { "doc.full_units_files" };
        body.para(cat.fmt(key, &[("n", &format::int(n as u64))]));
    } else {
        for (metric, rows) in &by_metric {
            let label = metric_label(ctx, metric);
            body.table(unit_table(ctx, t, cat.fmt("rs.table_units", &[("metric", &label)]), rows));
        }
    }
    Ok(body)
}

/// A metric in words: the catalogue's label for the generator's metrics, else the
/// office's own name.
fn metric_label(ctx: &Ctx<'_>, code: &str) -> String {
    ctx.cat.code("metric", code)
}

/// What the fit of one metric says, worded by its interval: a relation between units
/// when the interval excludes 0, no discernible relation otherwise.
fn reading(ctx: &Ctx<'_>, f: &Table, i: usize) -> String {
    let cat = &ctx.cat;
    let metric = metric_label(ctx, &f.text_or_empty(col::METRIC, i));
    let n = format::count(f.count(col::N_UNITS, i));
    let slope = f.num(col::SLOPE, i).map(|s| s * STEP);
    let (lo, hi) = (f.num(c::CI_LOW, i).map(|x| x * STEP), f.num(c::CI_HIGH, i).map(|x| x * STEP));
    if f.suppressed(i) {
        return cat.fmt("rs.fit_withheld", &[("metric", &metric), ("min_cell", &ctx.min_cell())]);
    }
    let Some(s) = slope else {
        return cat.fmt("rs.fit_na", &[("metric", &metric), ("n", &n)]);
    };
    let excludes_zero = lo.zip(hi).is_some_and(|(a, b)| a > 0.0 || b < 0.0);
    let args: [(&str, &dyn std::fmt::Display); 5] = [
        ("metric", &metric),
        ("slope", &format::signed(Some(s))),
        ("ci", &ctx.ci_phrase(lo, hi)),
        ("p", &format::p_phrase(f.num(c::P_VALUE, i))),
        ("n", &n),
    ];
    cat.fmt(if excludes_zero { "rs.fit_related" } else { "rs.fit_none" }, &args)
}

fn fit_table(ctx: &Ctx<'_>, f: &Table) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        cat.get("rs.table_fit"),
        &[
            ("rs.col_metric", false),
            ("rs.col_periods", false),
            ("rs.col_units", true),
            ("col.slope", true),
            ("col.ci", true),
            ("col.p", true),
        ],
        cat,
    );
    tv.note = Some(cat.get("rs.fit_note"));
    for i in 0..f.len() {
        let step = |x: Option<f64>| x.map(|v| v * STEP);
        tv.push(
            vec![
                Cell::text(metric_label(ctx, &f.text_or_empty(col::METRIC, i))),
                Cell::text(f.text(col::PERIOD, i).unwrap_or_else(|| format::DASH.into())),
                Cell::num(ctx.n_text(f, col::N_UNITS, i)),
                Cell::num(format::signed(step(f.num(col::SLOPE, i)))),
                Cell::num(format::ci(step(f.num(c::CI_LOW, i)), step(f.num(c::CI_HIGH, i)))),
                Cell::num(format::p(f.num(c::P_VALUE, i))),
            ],
            f.suppressed(i),
        );
    }
    tv
}

/// Per metric: the published units, their mean share trained, mean values and change.
fn summary_table(ctx: &Ctx<'_>, t: &Table, by_metric: &BTreeMap<String, Vec<usize>>) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        cat.get("rs.table_summary"),
        &[
            ("rs.col_metric", false),
            ("rs.col_units", true),
            ("rs.col_withheld", true),
            ("rs.col_share", true),
            ("rs.col_before", true),
            ("rs.col_after", true),
            ("rs.col_change", true),
        ],
        cat,
    );
    tv.note = Some(cat.fmt("rs.summary_note", &[("min_cell", &ctx.min_cell())]));
    for (metric, rows) in by_metric {
        let shown: Vec<usize> = rows.iter().copied().filter(|&i| !t.suppressed(i)).collect();
        let mean = |name: &str| {
            let v: Vec<f64> = shown.iter().filter_map(|&i| t.num(name, i)).collect();
            crate::stats::mean(&v)
        };
        tv.push(
            vec![
                Cell::text(metric_label(ctx, metric)),
                Cell::num(format::int(shown.len() as u64)),
                Cell::num(format::int((rows.len() - shown.len()) as u64)),
                Cell::num(format::pct(mean(col::SHARE_TRAINED))),
                Cell::num(format::mean(mean(col::VALUE_BEFORE))),
                Cell::num(format::mean(mean(col::VALUE_AFTER))),
                Cell::num(format::signed(mean(col::CHANGE))),
            ],
            false,
        );
    }
    tv
}

/// Units of one metric: share trained, the values before and after and the change.
fn unit_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        caption,
        &[
            ("rs.col_unit", false),
            ("rs.col_periods", false),
            ("rs.col_share", true),
            ("rs.col_before", true),
            ("rs.col_after", true),
            ("rs.col_change", true),
        ],
        cat,
    );
    for &i in rows {
        let id = t.text_or_empty(col::UNIT_ID, i);
        let sup = t.suppressed(i);
        // The earlier value is absent when the metric has a single period.
        let before = Cell::num(format::mean(t.num(col::VALUE_BEFORE, i)));
        let before = if sup { before } else { before.why(Why::NotCollected) };
        tv.push(
            vec![
                Cell::text(ctx.unit_name(&id)),
                Cell::text(t.text(col::PERIOD, i).unwrap_or_else(|| format::DASH.into())),
                Cell::num(format::pct(t.num(col::SHARE_TRAINED, i))),
                before,
                Cell::num(format::mean(t.num(col::VALUE_AFTER, i))),
                Cell::num(format::signed(t.num(col::CHANGE, i))),
            ],
            sup,
        );
    }
    tv
}
