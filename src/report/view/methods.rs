//! Method comparison: mean gain by method with class-clustered intervals, the class-level
//! tests, the adjusted pairwise table, and a plain-language reading that follows the
//! published tests only: the class ANCOVA decides whether methods "differ"; the two
//! robustness tests are reported as agreeing or not; methods left out by the gate are
//! named with the reason.

use super::format;
use super::{bar_item, method_order, Body, Cell, Ctx, Na, TableView};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;

/// Significant pairs spelt out in the findings; the rest are counted.
const MAX_PAIR_FINDINGS: usize = 5;
/// The primary test; the others are robustness checks.
const PRIMARY: &str = "class_ancova";

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::METHOD_SUMMARY, &[col::METHOD, c::N_TRAINEES, c::MEAN_GAIN])?;
    let mut body = Body::new(cat.fmt("me.intro", &[("min_classes", &ctx.params.min_classes)]));
    let mut rows: Vec<usize> = (0..t.len()).collect();
    rows.sort_by_key(|&i| method_order(&t.text_or_empty(col::METHOD, i)));

    // Findings: who is compared, the primary test, the robustness checks, the pairs.
    let names = |note: &str| -> Vec<String> {
        rows.iter()
            .filter(|&&i| t.text(c::NOTE, i).as_deref() == Some(note))
            .map(|&i| ctx.method(&t.text_or_empty(col::METHOD, i)))
            .collect()
    };
    let sep = cat.get("doc.list_sep");
    let left_out = names("too_few_classes");
    if !left_out.is_empty() {
        body.finding(cat.fmt(
            "me.left_out",
            &[("methods", &left_out.join(sep.as_str())), ("min_classes", &ctx.params.min_classes)],
        ));
    }
    let few = names("few_classes");
    if !few.is_empty() {
        body.finding(cat.fmt("me.few_classes", &[("methods", &few.join(sep.as_str()))]));
    }
    let tests = ctx.indicator(table::METHOD_TESTS, &[c::TEST, c::STATISTIC, c::P_VALUE]).ok();
    let mut primary_ok = false;
    if let Some(tests) = tests {
        primary_ok = test_findings(ctx, tests, &mut body);
    }
    let pairwise = ctx.indicator(table::METHOD_PAIRWISE, &[c::METHOD_A, c::METHOD_B, c::DIFF, c::P_HOLM]).ok();
    if let (Some(pw), true) = (pairwise, primary_ok) {
        pair_findings(ctx, pw, &mut body);
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

    body.table(summary_table(ctx, t, &rows));
    if let Some(tests) = tests {
        body.table(tests_table(ctx, tests));
    }
    if let Some(pw) = pairwise {
        body.table(pairwise_table(ctx, pw));
    }
    body.para(cat.get("me.caution"));
    Ok(body)
}

/// The primary test's reading and the robustness tests' agreement; whether the primary
/// test has a result (pairwise findings follow only then).
fn test_findings(ctx: &Ctx<'_>, tests: &Table, body: &mut Body) -> bool {
    let cat = &ctx.cat;
    let alpha = ctx.params.alpha;
    let row = |code: &str| (0..tests.len()).find(|&i| tests.text_or_empty(c::TEST, i) == code);
    let Some(i) = row(PRIMARY) else { return false };
    let test = cat.code("test", PRIMARY);
    let Some(p) = tests.num(c::P_VALUE, i) else {
        let why = tests.text(c::NOTE, i).map_or_else(|| cat.get("me.na_withheld"), |n| cat.code("note", &n));
        body.finding(cat.fmt("me.primary_na", &[("test", &test), ("why", &why)]));
        return false;
    };
    let primary_sig = p < alpha;
    let classes = format::count(tests.count(c::N_CLASSES, i));
    body.finding(cat.fmt(
        if primary_sig { "me.primary_sig" } else { "me.primary_ns" },
        &[
            ("test", &test),
            ("stat", &statistic(ctx, tests, i)),
            ("p", &format::p_phrase(Some(p))),
            ("classes", &classes),
        ],
    ));
    // The robustness checks: do they point the same way?
    let mut agree = Vec::new();
    let mut differ = Vec::new();
    for code in ["class_kruskal", "ancova_cr2_htz"] {
        let Some(j) = row(code) else { continue };
        let name = cat.code("test", code);
        match tests.num(c::P_VALUE, j) {
            Some(q) if (q < alpha) == primary_sig => agree.push(format!("{name} ({})", format::p_phrase(Some(q)))),
            Some(q) => differ.push(format!("{name} ({})", format::p_phrase(Some(q)))),
            None => {}
        }
    }
    let sep = cat.get("doc.list_sep");
    if !agree.is_empty() {
        body.finding(cat.fmt("me.robust_agree", &[("tests", &agree.join(sep.as_str()))]));
    }
    if !differ.is_empty() {
        let key = if primary_sig { "me.robust_weaker" } else { "me.robust_stronger" };
        body.finding(cat.fmt(key, &[("tests", &differ.join(sep.as_str()))]));
    }
    true
}

fn pair_findings(ctx: &Ctx<'_>, pw: &Table, body: &mut Body) {
    let cat = &ctx.cat;
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
                ("ci", &ctx.ci_phrase(pw.num(c::CI_LOW, i), pw.num(c::CI_HIGH, i))),
                ("p", &format::p_phrase(pw.num(c::P_HOLM, i))),
            ],
        ));
    }
    if holm.len() > MAX_PAIR_FINDINGS {
        body.finding(cat.fmt("me.pairs_more", &[("k", &(holm.len() - MAX_PAIR_FINDINGS))]));
    }
    let tested = (0..pw.len()).filter(|&i| pw.num(c::P_HOLM, i).is_some()).count();
    let rest = tested - holm.len();
    if holm.is_empty() && tested > 0 {
        body.finding(cat.fmt("me.pairs_none", &[("k", &tested), ("alpha", &alpha)]));
    } else if rest > 0 {
        body.finding(cat.fmt("me.pairs_rest", &[("k", &rest)]));
    }
    let bh_only = (0..pw.len())
        .filter(|&i| pw.num(c::P_BH, i).is_some_and(|p| p < alpha) && !pw.num(c::P_HOLM, i).is_some_and(|p| p < alpha))
        .count();
    if bh_only > 0 {
        body.finding(cat.fmt("me.bh_extra", &[("k", &bh_only)]));
    }
}

fn summary_table(ctx: &Ctx<'_>, t: &Table, rows: &[usize]) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        cat.get("me.table_summary"),
        &[
            ("col.method", false),
            ("col.n_classes", true),
            ("col.n_trainees", true),
            ("col.mean_gain", true),
            ("col.sd", true),
            ("col.ci_clustered", true),
            ("col.in_tests", false),
        ],
        cat,
    );
    tv.note = Some(cat.get("me.summary_note"));
    for &i in rows {
        let tested = match (t.flag(c::IN_TESTS, i), t.text(c::NOTE, i)) {
            (true, Some(n)) => cat.fmt("me.tested_note", &[("note", &cat.code("note", &n))]),
            (true, None) => cat.get("me.tested"),
            (false, n) => n.map_or_else(|| cat.get("me.not_tested"), |n| cat.code("note", &n)),
        };
        tv.push(
            vec![
                Cell::text(ctx.method(&t.text_or_empty(col::METHOD, i))),
                Cell::num(format::count(t.count(c::N_CLASSES, i))),
                Cell::num(ctx.n_text(t, c::N_TRAINEES, i)),
                Cell::num(format::signed(t.num(c::MEAN_GAIN, i))),
                Cell::num(format::mean(t.num(c::SD_GAIN, i))),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                Cell::text(tested),
            ],
            t.suppressed(i),
        );
    }
    tv
}

fn tests_table(ctx: &Ctx<'_>, tests: &Table) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        cat.get("me.table_tests"),
        &[
            ("col.test", false),
            ("col.role", false),
            ("col.statistic", true),
            ("col.p", true),
            ("col.effect", true),
            ("col.n_classes", true),
            ("col.n", true),
        ],
        cat,
    );
    for i in 0..tests.len() {
        let code = tests.text_or_empty(c::TEST, i);
        let significant = tests.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha);
        let stat = match tests.text(c::NOTE, i) {
            Some(n) if tests.num(c::STATISTIC, i).is_none() => cat.code("note", &n),
            _ => statistic(ctx, tests, i),
        };
        tv.push(
            vec![
                Cell::text(cat.code("test", &code)),
                Cell::text(cat.get(if code == PRIMARY { "me.role_primary" } else { "me.role_robustness" })),
                Cell::num(stat),
                Cell::num(format::p(tests.num(c::P_VALUE, i))).strong(significant),
                Cell::num(format::dec2(tests.num(c::EFFECT, i))),
                Cell::num(format::count(tests.count(c::N_CLASSES, i))),
                Cell::num(ctx.n_text(tests, c::N, i)),
            ],
            tests.suppressed(i),
        );
    }
    tv
}

fn pairwise_table(ctx: &Ctx<'_>, pw: &Table) -> TableView {
    let cat = &ctx.cat;
    let mut tv = TableView::new(
        cat.get("me.table_pairwise"),
        &[
            ("col.pair", false),
            ("col.diff", true),
            ("col.ci", true),
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
        let conclusion = match (pw.num(c::P_HOLM, i), pw.text(c::NOTE, i)) {
            (Some(_), _) => cat.get(if significant { "me.sig_yes" } else { "me.sig_no" }),
            (None, Some(n)) => cat.code("note", &n),
            (None, None) => format::DASH.to_string(),
        };
        tv.push(
            vec![
                Cell::text(pair),
                Cell::num(format::signed(pw.num(c::DIFF, i))),
                Cell::num(format::ci(pw.num(c::CI_LOW, i), pw.num(c::CI_HIGH, i))),
                Cell::num(format::p(pw.num(c::P_RAW, i))),
                Cell::num(format::p(pw.num(c::P_HOLM, i))).strong(significant),
                Cell::num(format::p(pw.num(c::P_BH, i))),
                Cell::text(conclusion).strong(significant),
            ],
            pw.suppressed(i),
        );
    }
    tv
}

/// `F(df1, df2) = x` or `H(df) = x`, as the test reports.
fn statistic(ctx: &Ctx<'_>, t: &Table, i: usize) -> String {
    let stat = format::dec2(t.num(c::STATISTIC, i));
    let df =
        |k: &str| t.num(k, i).map(|v| if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { format!("{v:.1}") });
    match (df(c::DF1), df(c::DF2)) {
        (Some(d1), Some(d2)) => ctx.cat.fmt("me.stat_f", &[("df1", &d1), ("df2", &d2), ("stat", &stat)]),
        (Some(d1), None) => ctx.cat.fmt("me.stat_h", &[("df1", &d1), ("stat", &stat)]),
        _ => stat,
    }
}
