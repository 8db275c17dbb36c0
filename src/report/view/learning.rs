//! Learning (level 2): pre → post by class, score distributions and gains by
//! category, the learning tables by class, category and method, scale reliability.

use std::collections::{BTreeMap, BTreeSet};

use super::format;
use super::{
    bar_item, category_order, method_order, summarise, summarised, Body, Cell, Ctx, Na, SummaryLine, TableView, Why,
};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::boxplot::{BoxGroup, BoxSpec, BoxStats};
use crate::report::charts::dumbbell::{DumbbellRow, DumbbellSpec};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;
use crate::stats;

/// What a learning table is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Class,
    Category,
    Method,
}

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let t =
        ctx.indicator(table::LEARNING_BY_CLASS, &[col::CLASS_ID, c::N_PAIRS, c::PRE_MEAN, c::POST_MEAN, c::MEAN_DIFF])?;
    let mut body = Body::new(cat.get("le.intro"));
    let published: Vec<usize> =
        (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::MEAN_DIFF, i).is_some()).collect();
    // Many classes are tested at once: a class counts as significant by its
    // Benjamini–Hochberg adjusted p.
    let sig = |i: usize, up: bool| {
        t.num(c::P_BH, i).is_some_and(|p| p < ctx.params.alpha)
            && t.num(c::MEAN_DIFF, i).is_some_and(|d| if up { d > 0.0 } else { d < 0.0 })
    };
    body.finding(cat.fmt(
        "le.reading",
        &[
            ("k", &format::int(published.iter().filter(|&&i| sig(i, true)).count() as u64)),
            ("m", &format::int(published.len() as u64)),
            ("alpha", &ctx.params.alpha),
            ("neg", &format::int(published.iter().filter(|&&i| sig(i, false)).count() as u64)),
        ],
    ));

    // Pre → post by class, largest gain first: every class when they are few; at scale
    // their distribution and the top and bottom lists (after the category charts).
    let many = summarised(t.len());
    let mut by_gain = published.clone();
    super::sort_desc(t, &mut by_gain, c::MEAN_DIFF, col::CLASS_ID);
    if !many && !by_gain.is_empty() {
        let pairs: u64 = published.iter().filter_map(|&i| t.count(c::N_PAIRS, i)).sum();
        let rows = by_gain
            .iter()
            .map(|&i| DumbbellRow {
                label: ctx.chart_label(&t.text_or_empty(col::CLASS_ID, i)),
                from: t.num(c::PRE_MEAN, i).unwrap_or(0.0),
                to: t.num(c::POST_MEAN, i).unwrap_or(0.0),
                text: format!(
                    "{} (n = {})",
                    format::signed(t.num(c::MEAN_DIFF, i)),
                    format::count(t.count(c::N_PAIRS, i))
                ),
            })
            .collect();
        let suppressed = (0..t.len()).filter(|&i| t.suppressed(i)).count();
        body.chart(Chart {
            id: "learning-prepost".into(),
            spec: ChartSpec::Dumbbell(DumbbellSpec {
                title: cat.get("le.chart_prepost"),
                subtitle: cat.fmt(
                    "le.subtitle_classes",
                    &[("n", &format::int(pairs)), ("classes", &format::int(published.len() as u64))],
                ),
                value_label: cat.get("le.axis_score"),
                category_label: cat.get("le.axis_class"),
                from_label: cat.get("le.legend_pre"),
                to_label: cat.get("le.legend_post"),
                rows,
                domain: None,
            }),
            notes: ctx.omitted_note(suppressed).into_iter().collect(),
        });
    }
    if let Some(chart) = category_boxes(ctx) {
        body.chart(chart);
    }
    if let Ok(tc) = ctx.indicator(table::LEARNING_BY_CATEGORY, &[col::CATEGORY, c::N_PAIRS, c::MEAN_DIFF]) {
        if let Some(chart) = category_gains(ctx, tc) {
            body.chart(chart);
        }
    }
    let all: Vec<usize> = (0..t.len()).collect();
    if many {
        summarise(
            ctx,
            &mut body,
            t,
            &all,
            SummaryLine {
                id: "learning-gain-classes".into(),
                value: c::MEAN_DIFF,
                scale: 1.0,
                show: format::signed,
                noun: cat.get("le.noun"),
                axis: cat.get("le.axis_gain"),
                reference: Some(0.0),
            },
            |caption, rows| learning_table(ctx, t, Key::Class, caption, rows),
        );
    } else {
        body.table(learning_table(ctx, t, Key::Class, cat.get("le.table_class"), &all));
    }
    for (name, key, caption) in [
        (table::LEARNING_BY_CATEGORY, Key::Category, "le.table_category"),
        (table::LEARNING_BY_METHOD, Key::Method, "le.table_method"),
    ] {
        let key_col = if key == Key::Category { col::CATEGORY } else { col::METHOD };
        if let Ok(tk) = ctx.indicator(name, &[key_col, c::N_PAIRS, c::PRE_MEAN, c::POST_MEAN, c::MEAN_DIFF]) {
            let mut rows: Vec<usize> = (0..tk.len()).collect();
            let order = |i: usize| {
                let code = tk.text_or_empty(key_col, i);
                if key == Key::Category {
                    category_order(&code)
                } else {
                    method_order(&code)
                }
            };
            rows.sort_by_key(|&i| order(i));
            body.table(learning_table(ctx, tk, key, cat.get(caption), &rows));
        }
    }
    if let Ok(tr) = ctx.indicator(table::RELIABILITY, &[c::N, c::ALPHA]) {
        body.table(reliability_table(ctx, tr));
    }
    Ok(body)
}

/// The learning statistics, one row per class, category or method.
pub(super) fn learning_table(ctx: &Ctx<'_>, t: &Table, key: Key, caption: String, rows: &[usize]) -> TableView {
    let mut headers: Vec<(&str, bool)> = match key {
        Key::Class => vec![("col.class", false), ("col.method", false)],
        Key::Category => vec![("col.category", false)],
        Key::Method => vec![("col.method", false)],
    };
    headers.extend([
        ("col.n_pairs", true),
        ("col.pre", true),
        ("col.post", true),
        ("col.gain", true),
        ("col.ci", true),
        ("col.d_z", true),
        ("col.p_t", true),
    ]);
    // A class row adds its BH-adjusted p and the signed-rank test; a pooled row (several
    // classes) its design effect instead (its interval and p are clustered by class).
    if key == Key::Class {
        headers.extend([("col.p_bh", true), ("col.p_w", true)]);
    } else {
        headers.extend([("col.n_classes", true), ("col.design_effect", true)]);
    }
    headers.extend([("col.hake", true), ("col.improved", true)]);
    let mut tv = TableView::new(caption, &headers, &ctx.cat);
    let note = if key == Key::Class { "le.table_note" } else { "le.table_note_pooled" };
    tv.note = Some(ctx.cat.fmt(note, &[("alpha", &ctx.params.alpha)]));
    for &i in rows {
        let mut cells = match key {
            Key::Class => {
                let id = t.text_or_empty(col::CLASS_ID, i);
                let method = t.text(col::METHOD, i).or_else(|| ctx.classes.get(&id).map(|c| c.method.clone()));
                vec![
                    Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                    Cell::text(ctx.method(&method.unwrap_or_default())).why(Why::NotCollected),
                ]
            }
            Key::Category => vec![Cell::text(ctx.category(&t.text_or_empty(col::CATEGORY, i)))],
            Key::Method => vec![Cell::text(ctx.method(&t.text_or_empty(col::METHOD, i)))],
        };
        let p_decides = if key == Key::Class { c::P_BH } else { c::P_VALUE };
        let significant = t.num(p_decides, i).is_some_and(|p| p < ctx.params.alpha);
        cells.extend([
            Cell::num(ctx.n_text(t, c::N_PAIRS, i)),
            Cell::num(format::mean(t.num(c::PRE_MEAN, i))),
            Cell::num(format::mean(t.num(c::POST_MEAN, i))),
            Cell::num(format::signed(t.num(c::MEAN_DIFF, i))).strong(significant),
            Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
            Cell::num(format::dec2(t.num(c::D_Z, i))),
            Cell::num(format::p(t.num(c::P_VALUE, i))).strong(significant && key != Key::Class),
        ]);
        if key == Key::Class {
            cells.extend([
                Cell::num(format::p(t.num(c::P_BH, i))).strong(significant),
                Cell::num(format::p(t.num(c::WILCOXON_P, i))),
            ]);
        } else {
            cells.extend([
                Cell::num(format::count(t.count(c::N_CLASSES, i))),
                Cell::num(format::dec2(t.num(c::DESIGN_EFFECT, i))),
            ]);
        }
        cells.extend([
            Cell::num(format::dec2(t.num(c::HAKE_G, i))),
            Cell::num(format::pct(t.num(c::SHARE_IMPROVED, i))),
        ]);
        tv.push(cells, t.suppressed(i));
    }
    tv
}

fn reliability_table(ctx: &Ctx<'_>, t: &Table) -> TableView {
    let cat = &ctx.cat;
    let headers = [
        ("col.scale", false),
        ("col.wave", false),
        ("col.n", true),
        ("col.k_items", true),
        ("col.alpha", true),
        ("col.ci", true),
        ("col.omega", true),
    ];
    let mut tv = TableView::new(cat.get("le.table_reliability"), &headers, cat);
    let mut rows: Vec<usize> = (0..t.len()).collect();
    let wave_order = |w: &str| crate::schema::Wave::from_name(w).map_or(99, |w| w as usize);
    rows.sort_by_key(|&i| (t.text_or_empty(col::SCALE, i), wave_order(&t.text_or_empty(col::WAVE, i))));
    let mut low: Vec<String> = Vec::new();
    for i in rows {
        let scale = t.text_or_empty(col::SCALE, i);
        let alpha = t.num(c::ALPHA, i);
        // A low or negative α says the items do not measure one thing: say so, and
        // whether the report uses the scale's total at all.
        if !t.suppressed(i) && alpha.is_some_and(|a| a < LOW_ALPHA) {
            let name = ctx.cat.code("scale", &scale);
            let wave = cat.code("wave", &t.text_or_empty(col::WAVE, i));
            low.push(cat.fmt(
                if scale == ctx.params.outcome_scale { "le.alpha_low_outcome" } else { "le.alpha_low_unused" },
                &[("scale", &name), ("wave", &wave), ("alpha", &format::dec2(alpha))],
            ));
        }
        tv.push(
            vec![
                Cell::text(ctx.cat.code("scale", &scale)),
                Cell::text(cat.code("wave", &t.text_or_empty(col::WAVE, i))),
                Cell::num(ctx.n_text(t, c::N, i)),
                Cell::num(format::count(t.count(c::K_ITEMS, i))),
                Cell::num(format::dec2(alpha)),
                Cell::num(format::ci2(t.num(c::ALPHA_CI_LOW, i), t.num(c::ALPHA_CI_HIGH, i))),
                Cell::num(format::dec2(t.num(c::OMEGA, i))),
            ],
            t.suppressed(i),
        );
    }
    let mut note = vec![cat.get("le.reliability_note")];
    low.dedup();
    note.extend(low);
    tv.note = Some(note.join(" "));
    tv
}

/// Below this Cronbach's α a scale's items are not read as measuring one thing.
const LOW_ALPHA: f64 = 0.5;

/// Pre and post distributions of paired trainees by category: only groups of at least
/// `min_distribution_n` pairs whose row of `learning_by_category` is published.
fn category_boxes(ctx: &Ctx<'_>) -> Option<Chart> {
    let t = ctx.warehouse(table::TRAINEE_OUTCOMES, &[col::CATEGORY, col::PRE_SCORE, col::POST_SCORE]).ok()?;
    let withheld: BTreeSet<String> = match ctx.indicator(table::LEARNING_BY_CATEGORY, &[col::CATEGORY]) {
        Ok(c) => (0..c.len()).filter(|&i| c.suppressed(i)).map(|i| c.text_or_empty(col::CATEGORY, i)).collect(),
        Err(_) => BTreeSet::new(),
    };
    let shown = |code: &str, n: usize| ctx.drawable(n as u64) && !withheld.contains(code);
    let mut groups: BTreeMap<(usize, String), (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for i in 0..t.len() {
        if let (Some(pre), Some(post)) = (t.num(col::PRE_SCORE, i), t.num(col::POST_SCORE, i)) {
            let g = groups.entry(category_order(&t.text_or_empty(col::CATEGORY, i))).or_default();
            g.0.push(pre);
            g.1.push(post);
        }
    }
    let omitted = groups.iter().filter(|((_, code), g)| !shown(code, g.0.len())).count();
    let mut total = 0u64;
    let rows: Vec<BoxGroup> = groups
        .iter()
        .filter(|((_, code), g)| shown(code, g.0.len()))
        .map(|((_, code), (pre, post))| {
            total += pre.len() as u64;
            BoxGroup {
                label: ctx.category(code),
                boxes: vec![tukey(pre), tukey(post)],
                text: format!("n = {}", format::int(pre.len() as u64)),
            }
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(prepost_boxes(
        ctx,
        "learning-box",
        ctx.cat.get("le.chart_box"),
        ctx.cat.get("le.axis_category"),
        rows,
        total,
        omitted,
    ))
}

/// A pre/post box chart from prepared groups.
pub(super) fn prepost_boxes(
    ctx: &Ctx<'_>,
    id: &str,
    title: String,
    category_label: String,
    groups: Vec<BoxGroup>,
    n: u64,
    omitted: usize,
) -> Chart {
    let cat = &ctx.cat;
    Chart {
        id: id.into(),
        spec: ChartSpec::Box(BoxSpec {
            title,
            subtitle: cat.fmt(
                "doc.join",
                &[("a", &cat.fmt("doc.n", &[("n", &format::int(n))])), ("b", &cat.get("le.box_note"))],
            ),
            value_label: cat.get("le.axis_score"),
            category_label,
            series: vec![cat.get("le.legend_pre"), cat.get("le.legend_post")],
            groups,
            domain: Some((0.0, 100.0)),
        }),
        notes: ctx.undrawn_note(omitted).into_iter().collect(),
    }
}

pub(super) fn tukey(x: &[f64]) -> Option<BoxStats> {
    stats::tukey_box(x).map(|b| BoxStats {
        low: b.low,
        q1: b.q1,
        median: b.median,
        q3: b.q3,
        high: b.high,
        n: b.n as u64,
    })
}

fn category_gains(ctx: &Ctx<'_>, t: &Table) -> Option<Chart> {
    let cat = &ctx.cat;
    let mut rows: Vec<usize> = (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::MEAN_DIFF, i).is_some()).collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by_key(|&i| category_order(&t.text_or_empty(col::CATEGORY, i)));
    let n: u64 = rows.iter().filter_map(|&i| t.count(c::N_PAIRS, i)).sum();
    let items = rows
        .iter()
        .map(|&i| {
            let label = ctx.category(&t.text_or_empty(col::CATEGORY, i));
            bar_item(t, i, label, c::MEAN_DIFF, (c::CI_LOW, c::CI_HIGH), c::N_PAIRS, format::signed)
        })
        .collect();
    let omitted = (0..t.len()).filter(|&i| t.suppressed(i)).count();
    Some(Chart {
        id: "learning-gain-category".into(),
        spec: ChartSpec::BarCi(BarCiSpec {
            title: cat.get("le.chart_gain_cat"),
            subtitle: cat
                .fmt("doc.join", &[("a", &cat.fmt("doc.n", &[("n", &format::int(n))])), ("b", &ctx.whiskers())]),
            value_label: cat.get("le.axis_gain"),
            category_label: cat.get("le.axis_category"),
            items,
            style: BarStyle::Points,
            reference: Some(0.0),
            domain: None,
            legend: None,
        }),
        notes: ctx.omitted_note(omitted).into_iter().collect(),
    })
}
