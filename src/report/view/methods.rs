//! Method comparison: mean gain by method with intervals, the omnibus tests, the
//! adjusted pairwise table, and a plain-language reading of what is and is not
//! significant.

use super::format;
use super::{bar_item, method_order, Body, Cell, Ctx, Na, TableView};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::warehouse::schema::col;

/// Significant pairs spelt out in the findings; the rest are counted.
const MAX_PAIR_FINDINGS: usize = 5;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::METHOD_SUMMARY, &[col::METHOD, c::N_TRAINEES, c::MEAN_GAIN])?;
    let mut body = Body::new(cat.get("me.intro"));
    let mut rows: Vec<usize> = (0..t.len()).collect();
    rows.sort_by_key(|&i| method_order(&t.text_or_empty(col::METHOD, i)));

    // Findings: the omnibus tests, then the pairs.
    // Methods taught in one class: a cluster-robust standard error has nothing to
    // estimate their between-class variance from, so the ANCOVA and its pairs
    // overstate the evidence about them (CR1 collapses).
    let single: Vec<String> = rows
        .iter()
        .filter(|&&i| t.count(c::N_CLASSES, i).is_some_and(|n| n < 2))
        .map(|&i| ctx.method(&t.text_or_empty(col::METHOD, i)))
        .collect();
    if let Ok(tests) = ctx.indicator(table::METHOD_TESTS, &[c::TEST, c::STATISTIC, c::P_VALUE]) {
        for i in 0..tests.len() {
            let code = tests.text_or_empty(c::TEST, i);
            if code == "ancova" && !single.is_empty() {
                body.finding(cat.fmt("me.single_class", &[("methods", &single.join(cat.get("list.sep").as_str()))]));
            }
            let test = cat.code("test", &code);
            let Some(p) = tests.num(c::P_VALUE, i) else {
                body.finding(cat.fmt("me.omnibus_na", &[("test", &test)]));
                continue;
            };
            let key = if p < ctx.params.alpha { "me.omnibus_sig" } else { "me.omnibus_ns" };
            body.finding(
                cat.fmt(
                    key,
                    &[("test", &test), ("stat", &statistic(ctx, tests, i)), ("p", &format::p_phrase(Some(p)))],
                ),
            );
        }
    }
    let pairwise = ctx.indicator(table::METHOD_PAIRWISE, &[c::METHOD_A, c::METHOD_B, c::DIFF, c::P_HOLM]).ok();
    if let Some(pw) = pairwise {
        let alpha = ctx.params.alpha;
        let mut holm: Vec<usize> = (0..pw.len()).filter(|&i| pw.num(c::P_HOLM, i).is_some_and(|p| p < alpha)).collect();
        // The largest differences first; a reader needs the few that matter, the table has all.
        holm.sort_by(|&a, &b| {
            let d = |i: usize| pw.num(c::DIFF, i).map_or(0.0, f64::abs);
            d(b).total_cmp(&d(a)).then(a.cmp(&b))
        });
        for &i in holm.iter().take(MAX_PAIR_FINDINGS) {
            let diff = pw.num(c::DIFF, i).unwrap_or(0.0);
            body.finding(cat.fmt(
                "me.pair_sig",
                &[
                    ("a", &ctx.method(&pw.text_or_empty(c::METHOD_A, i))),
                    ("b", &ctx.method(&pw.text_or_empty(c::METHOD_B, i))),
                    ("direction", &cat.get(if diff >= 0.0 { "me.higher" } else { "me.lower" })),
                    ("diff", &format::mean(Some(diff.abs()))),
                    ("p", &format::p_phrase(pw.num(c::P_HOLM, i))),
                ],
            ));
        }
        if holm.len() > MAX_PAIR_FINDINGS {
            body.finding(cat.fmt("me.pairs_more", &[("k", &(holm.len() - MAX_PAIR_FINDINGS))]));
        }
        let rest = pw.len() - holm.len();
        if holm.is_empty() {
            body.finding(cat.fmt("me.pairs_none", &[("k", &pw.len()), ("alpha", &alpha)]));
        } else if rest > 0 {
            body.finding(cat.fmt("me.pairs_rest", &[("k", &rest)]));
        }
        let bh_only = (0..pw.len())
            .filter(|&i| {
                pw.num(c::P_BH, i).is_some_and(|p| p < alpha) && !pw.num(c::P_HOLM, i).is_some_and(|p| p < alpha)
            })
            .count();
        if bh_only > 0 {
            body.finding(cat.fmt("me.bh_extra", &[("k", &bh_only)]));
        }
    }

    let plotted: Vec<usize> =
        rows.iter().copied().filter(|&i| !t.suppressed(i) && t.num(c::MEAN_GAIN, i).is_some()).collect();
    if !plotted.is_empty() {
        let n: u64 = plotted.iter().filter_map(|&i| t.count(c::N_TRAINEES, i)).sum();
        let classes: u64 = plotted.iter().filter_map(|&i| t.count(c::N_CLASSES, i)).sum();
        let items = plotted
            .iter()
            .map(|&i| {
                let label = ctx.method(&t.text_or_empty(col::METHOD, i));
                bar_item(t, i, label, c::MEAN_GAIN, (c::CI_LOW, c::CI_HIGH), c::N_TRAINEES, format::signed)
            })
            .collect();
        let omitted = rows.len() - plotted.len();
        body.chart(Chart {
            id: "methods-gain".into(),
            spec: ChartSpec::BarCi(BarCiSpec {
                title: cat.get("me.chart"),
                subtitle: cat.fmt(
                    "me.subtitle",
                    &[("n", &format::int(n)), ("classes", &format::int(classes)), ("whiskers", &ctx.whiskers())],
                ),
                value_label: cat.get("le.axis_gain"),
                category_label: cat.get("me.axis_method"),
                items,
                style: BarStyle::Points,
                reference: Some(0.0),
                domain: None,
                legend: None,
            }),
            notes: ctx.omitted_note(omitted).into_iter().collect(),
        });
    }

    let mut summary = TableView::new(
        cat.get("me.table_summary"),
        &[
            ("col.method", false),
            ("col.n_classes", true),
            ("col.n_trainees", true),
            ("col.mean_gain", true),
            ("col.sd", true),
            ("col.ci", true),
        ],
        cat,
    );
    for &i in &rows {
        summary.push(
            vec![
                Cell::text(ctx.method(&t.text_or_empty(col::METHOD, i))),
                Cell::num(format::count(t.count(c::N_CLASSES, i))),
                Cell::num(ctx.n_text(t, c::N_TRAINEES, i)),
                Cell::num(format::signed(t.num(c::MEAN_GAIN, i))),
                Cell::num(format::mean(t.num(c::SD_GAIN, i))),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
            ],
            t.suppressed(i),
        );
    }
    body.table(summary);

    if let Ok(tests) = ctx.indicator(table::METHOD_TESTS, &[c::TEST, c::STATISTIC, c::P_VALUE]) {
        let mut tv = TableView::new(
            cat.get("me.table_tests"),
            &[("col.test", false), ("col.statistic", true), ("col.p", true), ("col.effect", true), ("col.n", true)],
            cat,
        );
        for i in 0..tests.len() {
            let significant = tests.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha);
            tv.push(
                vec![
                    Cell::text(cat.code("test", &tests.text_or_empty(c::TEST, i))),
                    Cell::num(statistic(ctx, tests, i)),
                    Cell::num(format::p(tests.num(c::P_VALUE, i))).strong(significant),
                    Cell::num(format::dec2(tests.num(c::EFFECT, i))),
                    Cell::num(ctx.n_text(tests, c::N, i)),
                ],
                tests.suppressed(i),
            );
        }
        body.table(tv);
    }
    if let Some(pw) = pairwise {
        let mut tv = TableView::new(
            cat.get("me.table_pairwise"),
            &[
                ("col.pair", false),
                ("col.diff", true),
                ("col.se", true),
                ("col.t", true),
                ("col.p_raw", true),
                ("col.p_holm", true),
                ("col.p_bh", true),
                ("col.conclusion", false),
            ],
            cat,
        );
        for i in 0..pw.len() {
            let significant = pw.num(c::P_HOLM, i).is_some_and(|p| p < ctx.params.alpha);
            let pair = cat.fmt(
                "me.pair",
                &[
                    ("a", &ctx.method(&pw.text_or_empty(c::METHOD_A, i))),
                    ("b", &ctx.method(&pw.text_or_empty(c::METHOD_B, i))),
                ],
            );
            tv.push(
                vec![
                    Cell::text(pair),
                    Cell::num(format::signed(pw.num(c::DIFF, i))),
                    Cell::num(format::dec2(pw.num(c::SE, i))),
                    Cell::num(format::dec2(pw.num(c::T, i))),
                    Cell::num(format::p(pw.num(c::P_RAW, i))),
                    Cell::num(format::p(pw.num(c::P_HOLM, i))).strong(significant),
                    Cell::num(format::p(pw.num(c::P_BH, i))),
                    Cell::text(cat.get(if significant { "me.sig_yes" } else { "me.sig_no" })).strong(significant),
                ],
                pw.suppressed(i),
            );
        }
        body.table(tv);
    }
    body.para(cat.get("me.caution"));
    Ok(body)
}

/// `F(df1, df2) = x` or `H(df) = x`, as the test reports.
fn statistic(ctx: &Ctx<'_>, t: &crate::report::frame::Table, i: usize) -> String {
    let stat = format::dec2(t.num(c::STATISTIC, i));
    let df =
        |k: &str| t.num(k, i).map(|v| if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { format!("{v:.1}") });
    match (df(c::DF1), df(c::DF2)) {
        (Some(d1), Some(d2)) => ctx.cat.fmt("me.stat_f", &[("df1", &d1), ("df2", &d2), ("stat", &stat)]),
        (Some(d1), None) => ctx.cat.fmt("me.stat_h", &[("df1", &d1), ("stat", &stat)]),
        _ => stat,
    }
}
