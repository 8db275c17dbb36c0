//! Needs coverage: the share of requested topics each class taught, and the unmet ones.

use super::format;
use super::{category_order, summarise, summarised, Body, Cell, Ctx, Na, SummaryLine, TableView, Why};
use crate::report::charts::bar_ci::{BarCiSpec, BarItem, BarStyle};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;
use crate::stats;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::NEEDS_MATCH, &[col::CLASS_ID, c::COVERAGE])?;
    let mut body = Body::new(cat.get("ne.intro"));
    let mut published: Vec<usize> =
        (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::COVERAGE, i).is_some()).collect();
    if !published.is_empty() {
        let coverages: Vec<f64> = published.iter().filter_map(|&i| t.num(c::COVERAGE, i)).collect();
        super::sort_desc(t, &mut published, c::COVERAGE, col::CLASS_ID);
        let worst = published[published.len() - 1];
        body.finding(cat.fmt(
            "ne.reading",
            &[
                ("mean", &format::pct(stats::mean(&coverages))),
                ("worst", &ctx.class_title(&t.text_or_empty(col::CLASS_ID, worst))),
                ("worst_value", &format::pct(t.num(c::COVERAGE, worst))),
            ],
        ));
        if !summarised(t.len()) {
            let respondents: u64 = published.iter().filter_map(|&i| t.count(c::N_RESPONDENTS, i)).sum();
            let items = published
                .iter()
                .map(|&i| BarItem {
                    label: ctx.chart_label(&t.text_or_empty(col::CLASS_ID, i)),
                    value: t.num(c::COVERAGE, i).unwrap_or(0.0) * 100.0,
                    ci: None,
                    text: format!(
                        "{} (n = {})",
                        format::pct(t.num(c::COVERAGE, i)),
                        format::count(t.count(c::N_RESPONDENTS, i))
                    ),
                })
                .collect();
            let omitted = (0..t.len()).filter(|&i| t.suppressed(i)).count();
            body.chart(Chart {
                id: "needs-coverage".into(),
                spec: ChartSpec::BarCi(BarCiSpec {
                    title: cat.get("ne.chart"),
                    subtitle: cat.fmt(
                        "ne.subtitle",
                        &[("n", &format::int(respondents)), ("classes", &format::int(published.len() as u64))],
                    ),
                    value_label: cat.get("ne.axis"),
                    category_label: cat.get("le.axis_class"),
                    items,
                    style: BarStyle::Bars,
                    reference: None,
                    domain: Some((0.0, 100.0)),
                    legend: None,
                }),
                notes: ctx.omitted_note(omitted).into_iter().collect(),
            });
        }
    }
    let all: Vec<usize> = (0..t.len()).collect();
    if summarised(t.len()) {
        summarise(
            ctx,
            &mut body,
            t,
            &all,
            SummaryLine {
                id: "needs-coverage-classes".into(),
                value: c::COVERAGE,
                scale: 100.0,
                show: format::pct,
                noun: cat.get("ne.noun"),
                axis: cat.get("ne.axis"),
                reference: None,
            },
            |caption, rows| needs_table(ctx, t, caption, rows),
        );
    } else {
        body.table(needs_table(ctx, t, cat.get("ne.table"), &all));
    }
    if let Ok(tc) = ctx.indicator(table::NEEDS_BY_CATEGORY, &[col::TARGET_CATEGORY, c::COVERAGE]) {
        let mut rows: Vec<usize> = (0..tc.len()).collect();
        rows.sort_by_key(|&i| category_order(&tc.text_or_empty(col::TARGET_CATEGORY, i)));
        body.table(needs_rows(ctx, tc, cat.get("ne.table_category"), &rows, true));
    }
    Ok(body)
}

/// Needs by class, or by target category when `by_category`.
pub(super) fn needs_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    needs_rows(ctx, t, caption, rows, false)
}

fn needs_rows(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize], by_category: bool) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            (if by_category { "col.category" } else { "col.class" }, false),
            ("col.respondents", true),
            ("col.requested", true),
            ("col.taught", true),
            ("col.coverage", true),
            ("col.unmet", false),
        ],
        &ctx.cat,
    );
    // Topic columns may be counts or lists; print what is there.
    let topics = |name: &str, i: usize| match t.count(name, i) {
        Some(n) => format::int(n),
        None => t.text(name, i).unwrap_or_else(|| format::DASH.into()),
    };
    for &i in rows {
        let sup = t.suppressed(i);
        let unmet = if sup {
            format::DASH.to_string()
        } else {
            topic_list(ctx, &t.text(c::UNMET_TOPICS, i).unwrap_or_default())
        };
        let key = if by_category {
            Cell::text(ctx.category(&t.text_or_empty(col::TARGET_CATEGORY, i))).why(Why::NotCollected)
        } else {
            let id = t.text_or_empty(col::CLASS_ID, i);
            Cell::link(ctx.class_title(&id), ctx.class_href(&id))
        };
        tv.push(
            vec![
                key,
                Cell::num(ctx.n_text(t, c::N_RESPONDENTS, i)),
                Cell::num(topics(c::TOPICS_REQUESTED, i)),
                Cell::num(topics(c::TOPICS_TAUGHT, i)),
                Cell::num(format::pct(t.num(c::COVERAGE, i))),
                Cell::text(unmet),
            ],
            sup,
        );
    }
    tv
}

/// `a┋b┋c` as the report's list: `a、b、c` or `a, b, c`.
fn topic_list(ctx: &Ctx<'_>, joined: &str) -> String {
    let sep = ctx.cat.get("doc.list_sep");
    joined
        .split(crate::indicators::needs::TOPIC_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(&sep)
}
