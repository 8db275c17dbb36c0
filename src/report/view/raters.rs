//! Rater agreement and leniency of the course ratings, by class, with the
//! Koo & Li (2016) reading of each ICC judged by its 95 % interval (as they advise).

use super::format;
use super::{summarise, summarised, Body, Cell, Ctx, Na, SummaryLine, TableView};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let agreement = ctx.indicator(table::RATER_AGREEMENT, &[col::CLASS_ID, c::ICC1, c::ICC2K]);
    let own = ctx.indicator(table::ASSESSMENT_BY_CLASS, &[col::CLASS_ID, c::N_PAIRS, c::MEAN_DIFF]);
    if let (Err(na), Err(_)) = (&agreement, &own) {
        return Err(na.clone());
    }
    let mut body = Body::new(cat.get("ra.intro"));
    if let Ok(t) = agreement {
        let published: Vec<usize> =
            (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::ICC2K, i).is_some()).collect();
        // Koo & Li (2016) read an ICC by its interval: "good or better" needs the lower
        // bound to be.
        let good = published.iter().filter(|&&i| t.num(c::ICC2K_CI_LOW, i).is_some_and(|x| x >= 0.75)).count();
        body.finding(
            cat.fmt("ra.reading", &[("good", &format::int(good as u64)), ("m", &format::int(published.len() as u64))]),
        );
        let all: Vec<usize> = (0..t.len()).collect();
        if summarised(all.len()) {
            summarise(
                ctx,
                &mut body,
                t,
                &all,
                SummaryLine {
                    id: "raters-icc-classes".into(),
                    value: c::ICC2K,
                    scale: 1.0,
                    show: format::dec2,
                    noun: cat.get("ra.noun"),
                    axis: cat.get("ra.axis"),
                    reference: None,
                },
                |caption, rows| agreement_table(ctx, t, caption, rows),
            );
        } else {
            body.table(agreement_table(ctx, t, cat.get("ra.table"), &all));
        }
    }
    if let Ok(t) = own {
        let published: Vec<usize> =
            (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::MEAN_DIFF, i).is_some()).collect();
        let inflated = published
            .iter()
            .filter(|&&i| {
                t.num(c::MEAN_DIFF, i).is_some_and(|d| d > 0.0)
                    && t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha)
            })
            .count();
        body.finding(cat.fmt(
            "ra.reading_self",
            &[("k", &format::int(inflated as u64)), ("m", &format::int(published.len() as u64))],
        ));
        let all: Vec<usize> = (0..t.len()).collect();
        if summarised(all.len()) {
            summarise(
                ctx,
                &mut body,
                t,
                &all,
                SummaryLine {
                    id: "raters-self-classes".into(),
                    value: c::MEAN_DIFF,
                    scale: 1.0,
                    show: format::signed,
                    noun: cat.get("ra.noun_self"),
                    axis: cat.get("ra.axis_self"),
                    reference: Some(0.0),
                },
                |caption, rows| self_table(ctx, t, caption, rows),
            );
        } else {
            body.table(self_table(ctx, t, cat.get("ra.table_self"), &all));
        }
    }
    Ok(body)
}

/// Self-rating against the others' ratings, by class.
pub(super) fn self_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            ("col.class", false),
            ("col.n_pairs", true),
            ("col.others", true),
            ("col.self", true),
            ("col.diff", true),
            ("col.ci", true),
            ("col.p", true),
        ],
        &ctx.cat,
    );
    tv.note = Some(ctx.cat.get("ra.self_note"));
    for &i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let significant = t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha);
        tv.push(
            vec![
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::num(ctx.n_text(t, c::N_PAIRS, i)),
                Cell::num(format::mean(t.num(c::OTHERS_MEAN, i))),
                Cell::num(format::mean(t.num(c::SELF_MEAN, i))),
                Cell::num(format::signed(t.num(c::MEAN_DIFF, i))).strong(significant),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                Cell::num(format::p(t.num(c::P_VALUE, i))),
            ],
            t.suppressed(i),
        );
    }
    tv
}

pub(super) fn agreement_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            ("col.class", false),
            ("col.n_courses", true),
            ("col.n_raters", true),
            ("col.icc1", true),
            ("col.icc2k", true),
            ("col.ci", true),
            ("col.reading", false),
            ("col.leniency", true),
        ],
        &ctx.cat,
    );
    for &i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let (lo, hi) = (t.num(c::ICC2K_CI_LOW, i), t.num(c::ICC2K_CI_HIGH, i));
        let reading = match (lo, hi) {
            (Some(lo), Some(hi)) => icc_reading(ctx, lo, hi),
            _ => format::DASH.to_string(),
        };
        tv.push(
            vec![
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::num(format::count(t.count(c::N_COURSES, i))),
                Cell::num(ctx.n_text(t, c::N_RATERS, i)),
                Cell::num(format::dec2(t.num(c::ICC1, i))),
                Cell::num(format::dec2(t.num(c::ICC2K, i))),
                Cell::num(format::ci2(lo, hi)),
                Cell::text(reading),
                Cell::num(format::mean(t.num(c::LENIENCY_SD, i))),
            ],
            t.suppressed(i),
        );
    }
    tv
}

/// The Koo & Li band of an ICC judged by its interval: one band when both bounds fall
/// in it, else "from the lower bound's band to the upper bound's".
fn icc_reading(ctx: &Ctx<'_>, lo: f64, hi: f64) -> String {
    let (a, b) = (icc_band(lo), icc_band(hi));
    if a == b {
        ctx.cat.get(a)
    } else {
        ctx.cat.fmt("icc.range", &[("a", &ctx.cat.get(a)), ("b", &ctx.cat.get(b))])
    }
}

/// Koo & Li (2016): < 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, > 0.9 excellent.
fn icc_band(x: f64) -> &'static str {
    if x < 0.5 {
        "icc.poor"
    } else if x < 0.75 {
        "icc.moderate"
    } else if x <= 0.9 {
        "icc.good"
    } else {
        "icc.excellent"
    }
}
