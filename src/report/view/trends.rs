//! Trends over the years held: reaction, learning and review change by year with
//! intervals clustered by class, the change from one year to the next, and the courses
//! taught again year after year. Shown only when the warehouse holds two or more years.

use std::collections::{BTreeMap, BTreeSet};

use super::format;
use super::{Body, Cell, Ctx, Na, TableView, Why};
use crate::indicators::trends::METRICS;
use crate::report::charts::line::{LinePoint, LineSeries, LineSpec};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::schema::col;

/// Series shown in the main text; the rest are in the indicators workbook.
const SERIES_ROWS: usize = 12;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::TRENDS, &[c::METRIC, col::YEAR, c::N, c::MEAN])?;
    let years: BTreeSet<i64> = (0..t.len()).filter_map(|i| t.num(col::YEAR, i).map(|y| y as i64)).collect();
    if years.len() < 2 {
        return Err(Na(cat.get("tn.one_year")));
    }
    let years: Vec<i64> = years.into_iter().collect();
    let mut body =
        Body::new(cat.fmt("tn.intro", &[("first", &years[0]), ("last", &years[years.len() - 1]), ("k", &years.len())]));
    let mut changes = TableView::new(
        cat.get("tn.table"),
        &[
            ("tn.col_metric", false),
            ("tn.col_year", true),
            ("col.n", true),
            ("col.n_classes", true),
            ("tn.col_mean", true),
            ("col.ci", true),
            ("tn.col_change", true),
            ("col.ci", true),
            ("col.p", true),
        ],
        cat,
    );
    changes.note = Some(cat.get("tn.table_note"));
    for (metric, _) in METRICS {
        let rows: BTreeMap<i64, usize> = (0..t.len())
            .filter(|&i| t.text(c::METRIC, i).as_deref() == Some(metric))
            .filter_map(|i| Some((t.num(col::YEAR, i)? as i64, i)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let label = cat.get(&format!("tn.metric.{metric}"));
        let mut points = Vec::with_capacity(years.len());
        let mut omitted = 0;
        let mut max_n = 0u64;
        for y in &years {
            let point = rows.get(y).and_then(|&i| {
                if t.suppressed(i) {
                    omitted += 1;
                    return None;
                }
                let (mean, n) = (t.num(c::MEAN, i)?, t.count(c::N, i)?);
                max_n = max_n.max(n);
                Some(LinePoint { value: mean, ci: t.num(c::CI_LOW, i).zip(t.num(c::CI_HIGH, i)), n })
            });
            points.push(point);
        }
        if points.iter().flatten().count() >= 2 {
            body.chart(Chart {
                id: format!("trend-{metric}"),
                spec: ChartSpec::Line(LineSpec {
                    title: cat.fmt("tn.chart", &[("metric", &label)]),
                    subtitle: cat.fmt(
                        "doc.join",
                        &[
                            ("a", &cat.fmt("doc.n", &[("n", &format::int(max_n))])),
                            ("b", &cat.fmt("tr.traj_clustered", &[("whiskers", &ctx.whiskers())])),
                        ],
                    ),
                    x_label: cat.get("tn.col_year"),
                    y_label: cat.get(&format!("tn.axis.{metric}")),
                    x_ticks: years.iter().map(|y| y.to_string()).collect(),
                    series: vec![LineSeries { name: label.clone(), points }],
                    domain: None,
                }),
                notes: ctx.omitted_note(omitted).into_iter().collect(),
            });
        }
        for (&y, &i) in &rows {
            let sup = t.suppressed(i);
            let (change, lo, hi, p) =
                (t.num(c::CHANGE, i), t.num(c::CHANGE_CI_LOW, i), t.num(c::CHANGE_CI_HIGH, i), t.num(c::CHANGE_P, i));
            let previous = t.num(c::PREVIOUS_YEAR, i).map(|p| p as i64);
            let change_text = match (previous, change) {
                (Some(py), Some(d)) => cat.fmt("tn.change_vs", &[("d", &format::signed(Some(d))), ("year", &py)]),
                _ => format::DASH.to_string(),
            };
            changes.push(
                vec![
                    Cell::text(label.clone()),
                    Cell::num(y.to_string()),
                    Cell::num(ctx.n_text(t, c::N, i)),
                    Cell::num(format::count(t.count(c::N_CLASSES, i))),
                    Cell::num(format::mean(t.num(c::MEAN, i))),
                    Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                    Cell::num(change_text).strong(p.is_some_and(|p| p < ctx.params.alpha)),
                    Cell::num(format::ci(lo, hi)),
                    Cell::num(format::p(p)),
                ],
                sup,
            );
            // A finding for the latest year's change when it is estimable.
            if y == years[years.len() - 1] {
                if let (Some(d), Some(py)) = (change, previous) {
                    let key = if p.is_some_and(|p| p < ctx.params.alpha) { "tn.finding_sig" } else { "tn.finding_ns" };
                    body.finding(cat.fmt(
                        key,
                        &[
                            ("metric", &label),
                            ("year", &y),
                            ("previous", &py),
                            ("d", &format::signed(Some(d))),
                            ("ci", &ctx.ci_phrase(lo, hi)),
                            ("p", &format::p_phrase(p)),
                        ],
                    ));
                }
            }
        }
    }
    body.table(changes);
    if let Some(series) = series_table(ctx) {
        body.table(series);
    }
    Ok(body)
}

/// The recurring courses: per series its years' mean totals, the series with the most
/// years first (then by name), at most [`SERIES_ROWS`].
fn series_table(ctx: &Ctx<'_>) -> Option<TableView> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::COURSE_SERIES, &[c::SERIES, col::YEAR, c::TOTAL_MEAN]).ok()?;
    let mut by_series: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..t.len() {
        by_series.entry(t.text_or_empty(c::SERIES, i)).or_default().push(i);
    }
    if by_series.is_empty() {
        return None;
    }
    let years_of =
        |rows: &[usize]| rows.iter().filter_map(|&i| t.num(col::YEAR, i).map(|y| y as i64)).collect::<BTreeSet<_>>();
    let mut order: Vec<(&String, &Vec<usize>)> = by_series.iter().collect();
    order.sort_by(|a, b| years_of(b.1).len().cmp(&years_of(a.1).len()).then_with(|| a.0.cmp(b.0)));
    let total = order.len();
    let mut tv = TableView::new(
        cat.get("tn.series_table"),
        &[("tn.col_course", false), ("tn.col_teacher", false), ("tn.col_years", false)],
        cat,
    );
    for (_, rows) in order.into_iter().take(SERIES_ROWS) {
        let first = rows[0];
        let title = t.text(c::TITLE, first).unwrap_or_else(|| t.text_or_empty(c::COURSE_ID, first));
        // One "year: mean (n)" per course of the series, withheld ones as "< min_cell".
        let values: Vec<String> = rows
            .iter()
            .map(|&i| {
                let y = t.num(col::YEAR, i).map(|y| (y as i64).to_string()).unwrap_or_default();
                if t.suppressed(i) {
                    format!("{y}: {}", format::DASH)
                } else {
                    format!("{y}: {} ({})", format::mean(t.num(c::TOTAL_MEAN, i)), ctx.n_text(t, c::N_RATERS, i))
                }
            })
            .collect();
        let any_suppressed = rows.iter().any(|&i| t.suppressed(i));
        tv.push(
            vec![
                Cell::text(title),
                Cell::text(t.text(c::TEACHER_ID, first).unwrap_or_else(|| format::DASH.to_string()))
                    .why(Why::NotCollected),
                // A withheld year prints "—" inside the list: its mark says why.
                Cell::text(values.join(&cat.get("doc.list_sep"))).why(Why::Withheld),
            ],
            any_suppressed,
        );
    }
    tv.note = Some(cat.fmt("tn.series_note", &[("shown", &total.min(SERIES_ROWS)), ("total", &total)]));
    Some(tv)
}
