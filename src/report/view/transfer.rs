//! Transfer (level 3): the competence trajectory over the follow-up waves, review
//! scores before and after by class, the difference in differences against untrained
//! cadres, and the transfer table.

use super::format;
use super::{bar_item, cap_rows, Body, Cell, Ctx, Na, TableView, CHART_ROWS};
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::dumbbell::{DumbbellRow, DumbbellSpec};
use crate::report::charts::line::{LinePoint, LineSeries, LineSpec};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::indicators::trajectory::{ALL, WAVES};
use crate::report::frame::Table;
use crate::warehouse::schema::col;


pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let mut body = Body::new(cat.fmt("tr.intro", &[("lag", &ctx.params.follow_up_lag_days)]));
    if ctx.params.class_pages && ctx.indicator(table::FOLLOW_UP, &[col::CLASS_ID]).is_ok() {
        body.intro.push(cat.get("tr.see_classes"));
    }
    if let Some(chart) = trajectory(ctx, None, "transfer-trajectory", cat.get("tr.chart_traj")) {
        body.chart(chart);
    }
    let t = match ctx.indicator(
        table::TRANSFER_BY_CLASS,
        &[col::CLASS_ID, c::N_TRAINED, c::N_FOLLOWED, c::BEFORE_MEAN, c::AFTER_MEAN, c::MEAN_DELTA, c::DID],
    ) {
        Ok(t) => t,
        // The trajectory alone is still worth showing.
        Err(na) if !body.blocks.is_empty() => {
            body.para(na.0);
            return Ok(body);
        }
        Err(na) => return Err(na),
    };
    let published: Vec<usize> = (0..t.len()).filter(|&i| !t.suppressed(i) && t.num(c::DID, i).is_some()).collect();
    let suppressed = (0..t.len()).filter(|&i| t.suppressed(i)).count();
    let trained: u64 = (0..t.len()).filter_map(|i| t.count(c::N_TRAINED, i)).sum();
    let followed: u64 = (0..t.len()).filter_map(|i| t.count(c::N_FOLLOWED, i)).sum();
    let attrition = (trained > 0).then(|| 1.0 - followed as f64 / trained as f64);
    let pos = published.iter().filter(|&&i| t.num(c::DID_CI_LOW, i).is_some_and(|x| x > 0.0)).count();
    let neg = published.iter().filter(|&&i| t.num(c::DID_CI_HIGH, i).is_some_and(|x| x < 0.0)).count();
    body.finding(cat.fmt(
        "tr.reading",
        &[("k", &pos), ("m", &published.len()), ("neg", &neg), ("attrition", &format::pct(attrition))],
    ));

    let mut order = published.clone();
    order.sort_by(|&a, &b| {
        t.num(c::DID, b)
            .unwrap_or(0.0)
            .total_cmp(&t.num(c::DID, a).unwrap_or(0.0))
            .then_with(|| t.text_or_empty(col::CLASS_ID, a).cmp(&t.text_or_empty(col::CLASS_ID, b)))
    });
    let (kept, truncated) = cap_rows(ctx, order.len(), CHART_ROWS);
    let n_followed: u64 = published.iter().filter_map(|&i| t.count(c::N_FOLLOWED, i)).sum();
    let subtitle = cat.fmt(
        "tr.subtitle_did",
        &[("n", &format::int(n_followed)), ("classes", &published.len()), ("whiskers", &ctx.whiskers())],
    );
    let notes: Vec<String> = ctx.omitted_note(suppressed).into_iter().chain(truncated).collect();
    if !kept.is_empty() {
        let rows = kept
            .iter()
            .map(|&k| order[k])
            .filter(|&i| t.num(c::BEFORE_MEAN, i).is_some() && t.num(c::AFTER_MEAN, i).is_some())
            .map(|i| DumbbellRow {
                label: ctx.chart_label(&t.text_or_empty(col::CLASS_ID, i)),
                from: t.num(c::BEFORE_MEAN, i).unwrap_or(0.0),
                to: t.num(c::AFTER_MEAN, i).unwrap_or(0.0),
                text: format!(
                    "{} (n = {})",
                    format::signed(t.num(c::MEAN_DELTA, i)),
                    format::count(t.count(c::N_FOLLOWED, i))
                ),
            })
            .collect();
        body.chart(Chart {
            id: "transfer-reviews".into(),
            spec: ChartSpec::Dumbbell(DumbbellSpec {
                title: cat.get("tr.chart_reviews"),
                subtitle: cat
                    .fmt("le.subtitle_classes", &[("n", &format::int(n_followed)), ("classes", &published.len())]),
                value_label: cat.get("tr.axis_review"),
                category_label: cat.get("le.axis_class"),
                from_label: cat.get("tr.legend_before"),
                to_label: cat.get("tr.legend_after"),
                rows,
                domain: None,
            }),
            notes: notes.clone(),
        });
        let items = kept
            .iter()
            .map(|&k| {
                let i = order[k];
                bar_item(
                    t,
                    i,
                    ctx.chart_label(&t.text_or_empty(col::CLASS_ID, i)),
                    c::DID,
                    (c::DID_CI_LOW, c::DID_CI_HIGH),
                    c::N_FOLLOWED,
                    format::signed,
                )
            })
            .collect();
        body.chart(Chart {
            id: "transfer-did".into(),
            spec: ChartSpec::BarCi(BarCiSpec {
                title: cat.get("tr.chart_did"),
                subtitle,
                value_label: cat.get("tr.axis_did"),
                category_label: cat.get("le.axis_class"),
                items,
                style: BarStyle::Points,
                reference: Some(0.0),
                domain: None,
                legend: None,
            }),
            notes,
        });
    }
    body.table(transfer_table(ctx, t, cat.get("tr.table"), &(0..t.len()).collect::<Vec<_>>()));
    Ok(body)
}

pub(super) fn transfer_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            ("col.class", false),
            ("col.n_trained", true),
            ("col.n_followed", true),
            ("col.attrition", true),
            ("col.before", true),
            ("col.after", true),
            ("col.delta", true),
            ("col.control_n", true),
            ("col.control_delta", true),
            ("col.did", true),
            ("col.ci", true),
        ],
        &ctx.cat,
    );
    tv.note = Some(ctx.cat.fmt("tr.table_note", &[("alpha", &ctx.params.alpha)]));
    for &i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let did_sig =
            t.num(c::DID_CI_LOW, i).is_some_and(|x| x > 0.0) || t.num(c::DID_CI_HIGH, i).is_some_and(|x| x < 0.0);
        tv.push(
            vec![
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::num(format::count(t.count(c::N_TRAINED, i))),
                Cell::num(ctx.n_text(t, c::N_FOLLOWED, i)),
                Cell::num(format::pct(t.num(c::ATTRITION, i))),
                Cell::num(format::mean(t.num(c::BEFORE_MEAN, i))),
                Cell::num(format::mean(t.num(c::AFTER_MEAN, i))),
                Cell::num(format::signed(t.num(c::MEAN_DELTA, i)))
                    .strong(t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha)),
                Cell::num(format::count(t.count(c::CONTROL_N, i))),
                Cell::num(format::signed(t.num(c::CONTROL_DELTA, i))),
                Cell::num(format::signed(t.num(c::DID, i))).strong(did_sig),
                Cell::num(format::ci(t.num(c::DID_CI_LOW, i), t.num(c::DID_CI_HIGH, i))),
            ],
            t.suppressed(i),
        );
    }
    tv
}

/// Follow-up waves against post, one row per class and wave (class order, then wave order).
pub(super) fn follow_up_table(ctx: &Ctx<'_>, t: &Table, caption: String, rows: &[usize]) -> TableView {
    let mut tv = TableView::new(
        caption,
        &[
            ("col.class", false),
            ("col.wave", false),
            ("col.n_pairs", true),
            ("col.post", true),
            ("col.follow", true),
            ("col.delta", true),
            ("col.ci", true),
            ("col.p", true),
            ("col.retention", true),
        ],
        &ctx.cat,
    );
    tv.note = Some(ctx.cat.get("tr.follow_note"));
    let wave_order = |w: &str| crate::warehouse::schema::Wave::from_name(w).map_or(99, |w| w as usize);
    let mut rows = rows.to_vec();
    rows.sort_by_key(|&i| (t.text_or_empty(col::CLASS_ID, i), wave_order(&t.text_or_empty(col::WAVE, i))));
    for i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let significant = t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha);
        tv.push(
            vec![
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::text(ctx.cat.code("wave", &t.text_or_empty(col::WAVE, i))),
                Cell::num(ctx.n_text(t, c::N_PAIRS, i)),
                Cell::num(format::mean(t.num(c::POST_MEAN, i))),
                Cell::num(format::mean(t.num(c::FOLLOW_MEAN, i))),
                Cell::num(format::signed(t.num(c::MEAN_DIFF, i))).strong(significant),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                Cell::num(format::p(t.num(c::P_VALUE, i))),
                Cell::num(format::pct(t.num(c::RETENTION, i))),
            ],
            t.suppressed(i),
        );
    }
    tv
}

/// The competence trajectory of one class (`class = Some(id)`) or of all classes from
/// the `trajectory` table: the published waves' means with their intervals (clustered
/// by class for all classes). `None` when fewer than two waves are published.
pub(super) fn trajectory(ctx: &Ctx<'_>, class: Option<&str>, id: &str, title: String) -> Option<Chart> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::TRAJECTORY, &[c::SCOPE, c::WAVE, c::N, c::MEAN]).ok()?;
    let rows: Vec<usize> = (0..t.len())
        .filter(|&i| match class {
            None => t.text(c::SCOPE, i).as_deref() == Some(ALL),
            Some(id) => t.text(col::CLASS_ID, i).as_deref() == Some(id),
        })
        .collect();
    let mut points = Vec::new();
    let mut withheld = Vec::new();
    let mut max_n = 0u64;
    for (wave, _) in WAVES {
        let Some(&i) = rows.iter().find(|&&i| t.text(c::WAVE, i).as_deref() == Some(wave)) else {
            points.push(None);
            continue;
        };
        if t.suppressed(i) {
            withheld.push(points.len());
            points.push(None);
            continue;
        }
        let (Some(mean), Some(n)) = (t.num(c::MEAN, i), t.count(c::N, i)) else {
            points.push(None);
            continue;
        };
        max_n = max_n.max(n);
        points.push(Some(LinePoint { value: mean, ci: t.num(c::CI_LOW, i).zip(t.num(c::CI_HIGH, i)), n }));
    }
    if points.iter().flatten().count() < 2 {
        return None;
    }
    // Trailing waves without a published point are dropped from the axis (a withheld
    // wave there may be one nobody answered); the withheld waves within it are noted.
    let last = points.iter().rposition(|p| p.is_some()).unwrap_or(0);
    points.truncate(last + 1);
    let omitted = withheld.iter().filter(|&&w| w <= last).count();
    let whiskers = if class.is_none() { cat.fmt("tr.traj_clustered", &[("whiskers", &ctx.whiskers())]) } else { ctx.whiskers() };
    Some(Chart {
        id: id.into(),
        spec: ChartSpec::Line(LineSpec {
            title,
            subtitle: cat.fmt(
                "doc.join",
                &[
                    ("a", &cat.fmt("doc.n", &[("n", &format::int(max_n))])),
                    ("b", &cat.fmt("tr.traj_subtitle", &[("whiskers", &whiskers)])),
                ],
            ),
            x_label: cat.get("tr.axis_wave"),
            y_label: cat.get("le.axis_score"),
            x_ticks: WAVES[..points.len()].iter().map(|(w, _)| cat.code("wave", w)).collect(),
            series: vec![LineSeries { name: cat.get("tr.series_all"), points }],
            domain: None,
        }),
        notes: ctx.omitted_note(omitted).into_iter().collect(),
    })
}
