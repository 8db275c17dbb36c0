//! Course reaction: the highest and lowest rated courses with their intervals
//! (suppressed courses are neither ranked nor shown), and a reading of the spread.

use super::format;
use super::{bar_item, summarise, summarised, Body, Cell, Ctx, Na, SummaryLine, TableView, Why};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;
use crate::stats;

/// Courses in each of the top and bottom lists.
const K: usize = 10;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let t = ctx.indicator(table::REACTION_BY_COURSE, &[col::CLASS_ID, col::COURSE_ID, c::N_RATERS, c::TOTAL_MEAN])?;
    let cat = &ctx.cat;
    let mut ranked: Vec<usize> =
        (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::TOTAL_MEAN, i).is_some()).collect();
    if ranked.is_empty() {
        return Err(ctx.empty(table::REACTION_BY_COURSE));
    }
    super::sort_desc(t, &mut ranked, c::TOTAL_MEAN, col::COURSE_ID);
    let suppressed = (0..t.len()).filter(|&i| t.suppressed(i)).count();
    let ratings: u64 = ranked.iter().filter_map(|&i| t.count(c::N_RATERS, i)).sum();
    let subtitle = cat.fmt(
        "re.subtitle",
        &[("n", &format::int(ranked.len() as u64)), ("ratings", &format::int(ratings)), ("whiskers", &ctx.whiskers())],
    );
    let lists: Vec<(String, String, Vec<usize>)> = if ranked.len() <= 2 * K {
        vec![(cat.get("re.chart_all"), cat.get("re.table_all"), ranked.clone())]
    } else {
        let bottom: Vec<usize> = ranked[ranked.len() - K..].to_vec();
        vec![
            (cat.fmt("re.chart_top", &[("k", &K)]), cat.get("re.table_top"), ranked[..K].to_vec()),
            (cat.fmt("re.chart_bottom", &[("k", &K)]), cat.get("re.table_bottom"), bottom),
        ]
    };
    let position = |i: usize| ranked.iter().position(|&r| r == i).map_or(0, |p| p + 1);
    let mut body = Body::new(cat.fmt("re.intro", &[("min_cell", &ctx.min_cell())]));
    for (n, (title, caption, rows)) in lists.into_iter().enumerate() {
        let items = rows
            .iter()
            .map(|&i| {
                let label = format!("{}. {}", position(i), course_title(ctx, t, i));
                bar_item(t, i, label, c::TOTAL_MEAN, (c::CI_LOW, c::CI_HIGH), c::N_RATERS, format::mean)
            })
            .collect();
        let mut notes = Vec::new();
        if n == 0 {
            notes.extend(ctx.omitted_note(suppressed));
        }
        body.chart(Chart {
            id: format!("reaction-{n}"),
            spec: ChartSpec::BarCi(BarCiSpec {
                title,
                subtitle: subtitle.clone(),
                value_label: cat.get("re.axis"),
                category_label: cat.get("re.axis_course"),
                items,
                style: BarStyle::Points,
                reference: None,
                domain: None,
                legend: None,
            }),
            notes,
        });
        body.table(course_table(ctx, t, caption, &rows, false));
    }
    let totals: Vec<f64> = ranked.iter().filter_map(|&i| t.num(c::TOTAL_MEAN, i)).collect();
    let best = ranked[0];
    let worst = ranked[ranked.len() - 1];
    let named = |i: usize| {
        cat.fmt("re.named", &[("name", &course_title(ctx, t, i)), ("value", &format::mean(t.num(c::TOTAL_MEAN, i)))])
    };
    body.finding(cat.fmt(
        "re.reading",
        &[
            ("n", &format::int(ranked.len() as u64)),
            ("median", &format::mean(stats::quantile(&totals, 0.5))),
            ("best", &named(best)),
            ("worst", &named(worst)),
        ],
    ));
    if let Ok(tc) = ctx.indicator(table::REACTION_BY_CLASS, &[col::CLASS_ID, c::N_RATERS, c::TOTAL_MEAN]) {
        let mut rows: Vec<usize> = (0..tc.len()).collect();
        if summarised(rows.len()) {
            summarise(
                ctx,
                &mut body,
                tc,
                &rows,
                SummaryLine {
                    id: "reaction-classes".into(),
                    value: c::TOTAL_MEAN,
                    scale: 1.0,
                    show: format::mean,
                    noun: cat.get("re.noun_class"),
                    axis: cat.get("re.axis"),
                    reference: None,
                },
                |caption, picked| class_table(ctx, tc, caption, picked),
            );
        } else {
            rows.sort_by_key(|&i| {
                (tc.count(c::RANK_IN_YEAR, i).unwrap_or(u64::MAX), tc.text_or_empty(col::CLASS_ID, i))
            });
            body.table(class_table(ctx, tc, cat.get("re.table_classes"), &rows));
        }
    }
    Ok(body)
}

/// The title of the course on row `i` (its id when unknown).
pub(super) fn course_title(ctx: &Ctx<'_>, t: &Table, i: usize) -> String {
    let id = t.text_or_empty(col::COURSE_ID, i);
    ctx.courses.get(&id).cloned().unwrap_or(id)
}

/// A table of courses: the annual lists (with class), or one class's courses (with
/// the five indicator means).
pub(super) fn course_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize], per_class: bool) -> TableView {
    let cat = &ctx.cat;
    let mut headers: Vec<(&str, bool)> = vec![("col.rank_year", true), ("col.course", false)];
    if per_class {
        headers[0] = ("col.rank_class", true);
    } else {
        headers.push(("col.class", false));
    }
    headers.extend([("col.teacher", false), ("col.n_raters", true)]);
    let indicator_keys: Vec<String> = c::COURSE_INDICATORS.iter().map(|k| format!("ind.{k}")).collect();
    if per_class {
        headers.extend(indicator_keys.iter().map(|k| (k.as_str(), true)));
    }
    headers.extend([("col.total", true), ("col.ci", true), ("col.share_excellent", true)]);
    let mut tv = TableView::new(caption, &headers, cat);
    for &i in rows {
        let sup = t.suppressed(i);
        let rank = if per_class { c::RANK_IN_CLASS } else { c::RANK_IN_YEAR };
        let mut cells = vec![Cell::num(format::count(t.count(rank, i))), Cell::text(course_title(ctx, t, i))];
        if !per_class {
            let id = t.text_or_empty(col::CLASS_ID, i);
            cells.push(Cell::link(ctx.class_title(&id), ctx.class_href(&id)));
        }
        cells
            .push(Cell::text(t.text(col::TEACHER_ID, i).unwrap_or_else(|| format::DASH.into())).why(Why::NotCollected));
        cells.push(Cell::num(ctx.n_text(t, c::N_RATERS, i)));
        if per_class {
            cells.extend(c::COURSE_INDICATORS.iter().map(|k| Cell::num(format::mean(t.num(k, i)))));
        }
        cells.push(Cell::num(format::mean(t.num(c::TOTAL_MEAN, i))));
        cells.push(Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))));
        cells.push(Cell::num(format::pct(t.num(c::SHARE_EXCELLENT, i))));
        tv.push(cells, sup);
    }
    tv
}

/// Classes by their trainees' mean rating, rows `rows` in that order.
fn class_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            ("col.rank", true),
            ("col.class", false),
            ("col.method", false),
            ("col.n_courses", true),
            ("col.n_raters", true),
            ("col.total", true),
            ("col.ci", true),
            ("col.share_excellent", true),
        ],
        &ctx.cat,
    );
    tv.note = Some(ctx.cat.get("re.table_classes_note"));
    for &i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let method = t.text(col::METHOD, i).or_else(|| ctx.classes.get(&id).map(|c| c.method.clone()));
        tv.push(
            vec![
                Cell::num(format::count(t.count(c::RANK_IN_YEAR, i))),
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::text(ctx.method(&method.unwrap_or_default())).why(Why::NotCollected),
                Cell::num(format::count(t.count(c::N_COURSES, i))),
                Cell::num(ctx.n_text(t, c::N_RATERS, i)),
                Cell::num(format::mean(t.num(c::TOTAL_MEAN, i))),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                Cell::num(format::pct(t.num(c::SHARE_EXCELLENT, i))),
            ],
            t.suppressed(i),
        );
    }
    tv
}
