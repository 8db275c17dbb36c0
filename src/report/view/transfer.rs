//! Transfer (level 3): what the pooled difference in differences may be called (an
//! effect only when the pre-trend, baseline and attrition checks pass, SPEC §7.2), the
//! participant flow, the event study, the competence trajectory over the follow-up
//! waves, review scores before and after by class, the DiD by class and the tables.

use super::format;
use super::{bar_item, summarise, summarised, Body, Cell, Ctx, Na, SummaryLine, TableView};
use crate::indicators::event_study::{REFERENCE, REL_PERIODS};
use crate::indicators::flow::{CONTROL, CONTROL_STAGES, TRAINED, TRAINED_STAGES};
use crate::indicators::trajectory::{ALL, WAVES};
use crate::indicators::transfer::PRETREND_P_MIN;
use crate::report::charts::bar_ci::{BarCiSpec, BarStyle};
use crate::report::charts::dumbbell::{DumbbellRow, DumbbellSpec};
use crate::report::charts::event::{EventPoint, EventSpec};
use crate::report::charts::flow::{FlowBox, FlowSpec};
use crate::report::charts::line::{LinePoint, LineSeries, LineSpec};
use crate::report::charts::{Chart, ChartSpec};
use crate::report::columns::{self as c, table};
use crate::report::frame::Table;
use crate::schema::col;

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let mut body = Body::new(intro(ctx));
    if ctx.params.class_pages && ctx.indicator(table::FOLLOW_UP, &[col::CLASS_ID]).is_ok() {
        body.intro.push(cat.get("tr.see_classes"));
    }
    if let Some(claim) = pooled_claim(ctx) {
        body.finding(claim);
    }
    if let Some(chart) = flow_chart(ctx, None) {
        body.chart(chart);
    }
    if let Some(chart) = event_chart(ctx) {
        body.chart(chart);
    }
    if let Some(tv) = summary_table(ctx) {
        body.table(tv);
    }
    if let Some(chart) = trajectory(ctx, None, "transfer-trajectory", cat.get("tr.chart_traj")) {
        body.chart(chart);
    }
    let t = match ctx.indicator(
        table::TRANSFER_BY_CLASS,
        &[col::CLASS_ID, c::N_TRAINED, c::N_FOLLOWED, c::BEFORE_MEAN, c::AFTER_MEAN, c::MEAN_DELTA, c::DID],
    ) {
        Ok(t) => t,
        // The pooled figures and the trajectory alone are still worth showing.
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
    // "Significant" classes by the BH-adjusted p of the DiD (many classes are tested).
    let significant = |i: usize| t.num(c::DID_P_BH, i).is_some_and(|p| p < ctx.params.alpha);
    let pos = published.iter().filter(|&&i| significant(i) && t.num(c::DID, i).is_some_and(|d| d > 0.0)).count();
    let neg = published.iter().filter(|&&i| significant(i) && t.num(c::DID, i).is_some_and(|d| d < 0.0)).count();
    body.finding(cat.fmt(
        "tr.reading",
        &[
            ("k", &format::int(pos as u64)),
            ("m", &format::int(published.len() as u64)),
            ("neg", &format::int(neg as u64)),
            ("attrition", &format::pct(attrition)),
        ],
    ));

    let all: Vec<usize> = (0..t.len()).collect();
    if summarised(t.len()) {
        summarise(
            ctx,
            &mut body,
            t,
            &all,
            SummaryLine {
                id: "transfer-did-classes".into(),
                value: c::DID,
                scale: 1.0,
                show: format::signed,
                noun: cat.get("tr.noun"),
                axis: cat.get("tr.axis_did"),
                reference: Some(0.0),
            },
            |caption, rows| transfer_table(ctx, t, caption, rows),
        );
        return Ok(body);
    }
    let mut order = published.clone();
    super::sort_desc(t, &mut order, c::DID, col::CLASS_ID);
    let n_followed: u64 = published.iter().filter_map(|&i| t.count(c::N_FOLLOWED, i)).sum();
    let classes = format::int(published.len() as u64);
    let subtitle = cat.fmt(
        "tr.subtitle_did",
        &[("n", &format::int(n_followed)), ("classes", &classes), ("whiskers", &ctx.whiskers())],
    );
    let notes: Vec<String> = ctx.omitted_note(suppressed).into_iter().collect();
    if !order.is_empty() {
        let rows = order
            .iter()
            .copied()
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
                subtitle: cat.fmt("le.subtitle_classes", &[("n", &format::int(n_followed)), ("classes", &classes)]),
                value_label: cat.get("tr.axis_review"),
                category_label: cat.get("le.axis_class"),
                from_label: cat.get("tr.legend_before"),
                to_label: cat.get("tr.legend_after"),
                rows,
                domain: None,
            }),
            notes: notes.clone(),
        });
        let items = order
            .iter()
            .map(|&i| {
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
    body.table(transfer_table(ctx, t, cat.get("tr.table"), &all));
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
            ("col.delta", true),
            ("col.control_delta", true),
            ("col.did", true),
            ("col.ci", true),
            ("col.baseline_g", true),
            ("col.claim", false),
        ],
        &ctx.cat,
    );
    tv.note = Some(ctx.cat.fmt("tr.table_note", &[("alpha", &ctx.params.alpha)]));
    for &i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        let did_sig = t.num(c::DID_P_BH, i).is_some_and(|p| p < ctx.params.alpha);
        tv.push(
            vec![
                Cell::link(ctx.class_title(&id), ctx.class_href(&id)),
                Cell::num(format::count(t.count(c::N_TRAINED, i))),
                Cell::num(ctx.n_text(t, c::N_FOLLOWED, i)),
                Cell::num(format::pct(t.num(c::ATTRITION, i))),
                Cell::num(format::mean(t.num(c::BEFORE_MEAN, i))),
                Cell::num(format::signed(t.num(c::MEAN_DELTA, i)))
                    .strong(t.num(c::P_VALUE, i).is_some_and(|p| p < ctx.params.alpha)),
                Cell::num(format::signed(t.num(c::CONTROL_DELTA, i))),
                Cell::num(format::signed(t.num(c::DID, i))).strong(did_sig),
                Cell::num(format::ci(t.num(c::DID_CI_LOW, i), t.num(c::DID_CI_HIGH, i))),
                Cell::num(format::dec2(t.num(c::BASELINE_G, i))),
                Cell::text(claim_word(ctx, t.text(c::CLAIM, i).as_deref())),
            ],
            t.suppressed(i),
        );
    }
    tv
}

/// The transfer section's opening paragraph (also on the class pages).
pub(super) fn intro(ctx: &Ctx<'_>) -> String {
    ctx.cat.fmt("tr.intro", &[("lag", &ctx.params.follow_up_lag_days), ("washout", &ctx.params.washout_years)])
}

/// "effect" / "association" in the report's language; "—" without a claim.
fn claim_word(ctx: &Ctx<'_>, claim: Option<&str>) -> String {
    claim.map_or_else(|| format::DASH.to_string(), |c| ctx.cat.code("claim", c))
}

/// Why row `i` of `t` (transfer_summary or transfer_by_class) is only an association:
/// one phrase per check that fails or cannot be made.
pub(super) fn reasons(ctx: &Ctx<'_>, t: &Table, i: usize) -> Vec<String> {
    let cat = &ctx.cat;
    let mut out = Vec::new();
    match t.num(c::PRETREND_P, i) {
        None => out.push(cat.get("tr.why_pretrend_na")),
        Some(p) if p < PRETREND_P_MIN => out.push(cat.fmt("tr.why_pretrend", &[("p", &format::p_phrase(Some(p)))])),
        Some(_) => {}
    }
    match t.text(c::BASELINE, i).as_deref() {
        None => out.push(cat.get("tr.why_baseline_na")),
        Some("not_equivalent") => {
            out.push(cat.fmt("tr.why_baseline", &[("g", &format::dec2(t.num(c::BASELINE_G, i)))]))
        }
        Some(_) => {}
    }
    match t.num(c::ATTRITION_OK, i).map(|x| x != 0.0) {
        None => out.push(cat.get("tr.why_attrition_na")),
        Some(false) => out.push(cat.fmt(
            "tr.why_attrition",
            &[
                ("trained", &format::pct(t.num(c::ATTRITION, i))),
                ("control", &format::pct(t.num(c::CONTROL_ATTRITION, i))),
            ],
        )),
        Some(true) => {}
    }
    out
}

/// The published `all` row of `transfer_summary` (the headline DiD), if any.
pub(super) fn pooled_row<'a>(ctx: &'a Ctx<'_>) -> Option<(&'a Table, usize)> {
    let t = ctx.indicator(table::TRANSFER_SUMMARY, &[c::CATEGORY, c::DID, c::CLAIM]).ok()?;
    let i = (0..t.len()).find(|&i| t.text(c::CATEGORY, i).as_deref() == Some(crate::indicators::transfer::ALL))?;
    (!t.suppressed(i) && t.num(c::DID, i).is_some()).then_some((t, i))
}

/// What the pooled DiD is, and may be called.
fn pooled_claim(ctx: &Ctx<'_>) -> Option<String> {
    let cat = &ctx.cat;
    let Some((t, i)) = pooled_row(ctx) else {
        return ctx.indicator(table::TRANSFER_SUMMARY, &[c::CATEGORY]).ok().map(|_| cat.get("tr.claim_na"));
    };
    let did = format::signed(t.num(c::DID, i));
    let ci = ctx.ci_phrase(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i));
    Some(if t.text(c::CLAIM, i).as_deref() == Some("effect") {
        cat.fmt("tr.claim_effect", &[("did", &did), ("ci", &ci)])
    } else {
        let why = reasons(ctx, t, i).join(&cat.get("tr.why_join"));
        cat.fmt("tr.claim_association", &[("did", &did), ("ci", &ci), ("reasons", &why)])
    })
}

/// The participant flow of all classes (`class = None`) or of one class, from
/// `participant_flow`. `None` without the table or the rows.
pub(super) fn flow_chart(ctx: &Ctx<'_>, class: Option<&str>) -> Option<Chart> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::PARTICIPANT_FLOW, &[col::CLASS_ID, c::GROUP, c::STAGE, c::N]).ok()?;
    let key = class.unwrap_or(crate::indicators::transfer::ALL);
    let rows = ctx.rows_of_class(table::PARTICIPANT_FLOW, key);
    let find = |group: &str, stage: &str| {
        rows.iter().copied().find(|&i| t.text_is(c::GROUP, i, group) && t.text_is(c::STAGE, i, stage))
    };
    let boxes = |group: &str, stages: &[&str]| -> Vec<FlowBox> {
        stages
            .iter()
            .filter_map(|s| find(group, s).map(|i| (s, i)))
            // A stage nobody reached (a follow-up wave the class did not run) is left out.
            .filter(|&(_, i)| t.count(c::N, i) != Some(0))
            .map(|(s, i)| FlowBox {
                label: cat.code("stage", s),
                text: if t.suppressed(i) {
                    ctx.n_text(t, c::N, i)
                } else {
                    cat.fmt(
                        "tr.flow_box",
                        &[
                            ("n", &format::count(t.count(c::N, i))),
                            ("share", &format::pct(t.num(c::SHARE_OF_ENROLLED, i))),
                        ],
                    )
                },
                withheld: t.suppressed(i),
            })
            .collect()
    };
    let trained = boxes(TRAINED, &TRAINED_STAGES);
    // Nothing to draw when every trainee stage is withheld (the class is too small).
    if trained.iter().all(|b| b.withheld) {
        return None;
    }
    let control = boxes(CONTROL, &CONTROL_STAGES);
    let n = |group: &str, stage: &str| find(group, stage).and_then(|i| t.count(c::N, i));
    let share = |group: &str, from: &str| match (n(group, from), n(group, "review_after")) {
        (Some(a), Some(b)) if a > 0 => Some(1.0 - b as f64 / a as f64),
        _ => None,
    };
    // The verdict of the row the flow belongs to: the summary for all, the class's row.
    let ok = match class {
        None => pooled_row(ctx).and_then(|(s, i)| s.num(c::ATTRITION_OK, i)),
        Some(id) => ctx.indicator(table::TRANSFER_BY_CLASS, &[col::CLASS_ID]).ok().and_then(|s| {
            ctx.rows_of_class(table::TRANSFER_BY_CLASS, id).first().and_then(|&i| s.num(c::ATTRITION_OK, i))
        }),
    };
    let verdict = match ok {
        Some(x) if x != 0.0 => cat.get("tr.flow_ok"),
        Some(_) => cat.get("tr.flow_fail"),
        None => cat.get("tr.flow_na"),
    };
    let subtitle = cat.fmt(
        "tr.flow_subtitle",
        &[
            (
                "n",
                &cat.fmt(
                    "tr.flow_n",
                    &[
                        ("trained", &format::count(n(TRAINED, "enrolled"))),
                        ("control", &format::count(n(CONTROL, "eligible"))),
                    ],
                ),
            ),
            ("trained", &format::pct(share(TRAINED, "enrolled"))),
            ("control", &format::pct(share(CONTROL, "eligible"))),
            ("verdict", &verdict),
        ],
    );
    let withheld = trained.iter().chain(&control).filter(|b| b.withheld).count();
    Some(Chart {
        id: if class.is_some() { "class-flow".into() } else { "transfer-flow".into() },
        spec: ChartSpec::Flow(FlowSpec {
            title: cat.get(if class.is_some() { "tr.chart_flow_class" } else { "tr.chart_flow" }),
            subtitle,
            trained_title: cat.get("tr.flow_trained"),
            control_title: cat.get("tr.flow_control"),
            trained,
            control,
        }),
        notes: ctx.omitted_note(withheld).into_iter().collect(),
    })
}

/// The event study of all classes from `transfer_event_study`. `None` without two
/// published periods.
fn event_chart(ctx: &Ctx<'_>) -> Option<Chart> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::TRANSFER_EVENT_STUDY, &[c::CATEGORY, c::REL_PERIOD, c::ESTIMATE]).ok()?;
    let rows: Vec<usize> =
        (0..t.len()).filter(|&i| t.text(c::CATEGORY, i).as_deref() == Some(crate::indicators::transfer::ALL)).collect();
    let at = |rel: i32| rows.iter().copied().find(|&i| t.num(c::REL_PERIOD, i) == Some(f64::from(rel)));
    let mut withheld = 0;
    let points: Vec<Option<EventPoint>> = REL_PERIODS
        .iter()
        .map(|&rel| {
            let i = at(rel)?;
            if t.suppressed(i) {
                withheld += 1;
                return None;
            }
            Some(EventPoint {
                value: t.num(c::ESTIMATE, i)?,
                ci: t.num(c::CI_LOW, i).zip(t.num(c::CI_HIGH, i)),
                reference: rel == REFERENCE,
            })
        })
        .collect();
    if points.iter().flatten().filter(|p| !p.reference).count() < 2 {
        return None;
    }
    let zero = at(0);
    let pretrend = zero.and_then(|i| t.num(c::PRETREND_P, i));
    let ticks =
        REL_PERIODS.iter().map(|r| if *r > 0 { format!("+{r}") } else { r.to_string().replace('-', "−") }).collect();
    Some(Chart {
        id: "transfer-event".into(),
        spec: ChartSpec::Event(EventSpec {
            title: cat.get("tr.chart_event"),
            subtitle: cat.fmt(
                "tr.event_subtitle",
                &[
                    ("trained", &format::count(zero.and_then(|i| t.count(c::N_TRAINED, i)))),
                    ("control", &format::count(zero.and_then(|i| t.count(c::N_CONTROL, i)))),
                    ("level", &ctx.level),
                    ("p", &format::p_phrase(pretrend)),
                ],
            ),
            x_label: cat.get("tr.axis_rel"),
            y_label: cat.get("tr.axis_event"),
            x_ticks: ticks,
            points,
            class_after: REL_PERIODS.iter().position(|&r| r == 0).unwrap_or(3),
            class_label: cat.get("tr.event_class"),
        }),
        notes: ctx.omitted_note(withheld).into_iter().collect(),
    })
}

/// `transfer_summary`: the pooled DiD of all classes and of each category with the
/// three checks.
fn summary_table(ctx: &Ctx<'_>) -> Option<TableView> {
    let cat = &ctx.cat;
    let t = ctx.indicator(table::TRANSFER_SUMMARY, &[c::CATEGORY, c::N_TRAINED, c::DID]).ok()?;
    if t.is_empty() {
        return None;
    }
    let mut tv = TableView::new(
        cat.get("tr.table_summary"),
        &[
            ("col.scope", false),
            ("col.n_followed", true),
            ("col.control_n", true),
            ("col.did", true),
            ("col.ci", true),
            ("col.pretrend_p", true),
            ("col.baseline_g", true),
            ("col.attrition_pair", true),
            ("col.wwc", false),
            ("col.claim", false),
        ],
        cat,
    );
    tv.note = Some(cat.get("tr.summary_note"));
    for i in 0..t.len() {
        let scope = t.text_or_empty(c::CATEGORY, i);
        let label = if scope == crate::indicators::transfer::ALL { cat.get("tr.all") } else { ctx.category(&scope) };
        let wwc = match t.num(c::ATTRITION_OK, i) {
            Some(x) if x != 0.0 => cat.get("tr.flow_ok"),
            Some(_) => cat.get("tr.flow_fail"),
            None => format::DASH.to_string(),
        };
        let pair = format!("{} / {}", format::pct(t.num(c::ATTRITION, i)), format::pct(t.num(c::CONTROL_ATTRITION, i)));
        tv.push(
            vec![
                Cell::text(label),
                Cell::num(ctx.n_text(t, c::N_TRAINED, i)),
                Cell::num(format::count(t.count(c::N_CONTROL, i))),
                Cell::num(format::signed(t.num(c::DID, i))),
                Cell::num(format::ci(t.num(c::CI_LOW, i), t.num(c::CI_HIGH, i))),
                Cell::num(format::p(t.num(c::PRETREND_P, i))),
                Cell::num(format::dec2(t.num(c::BASELINE_G, i))),
                Cell::num(pair),
                Cell::text(wwc),
                Cell::text(claim_word(ctx, t.text(c::CLAIM, i).as_deref())),
            ],
            t.suppressed(i),
        );
    }
    Some(tv)
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
    let wave_order = |w: &str| crate::schema::Wave::from_name(w).map_or(99, |w| w as usize);
    let mut rows = rows.to_vec();
    rows.sort_by_key(|&i| (t.text_or_empty(col::CLASS_ID, i), wave_order(&t.text_or_empty(col::WAVE, i))));
    for i in rows {
        let id = t.text_or_empty(col::CLASS_ID, i);
        // Many classes and waves are tested: significance by the BH-adjusted p.
        let p = if t.has(c::P_BH) { t.num(c::P_BH, i) } else { t.num(c::P_VALUE, i) };
        let significant = p.is_some_and(|p| p < ctx.params.alpha);
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
    // A class's rows come from the class index: a scan per class page would cost
    // classes × rows.
    let all: Vec<usize>;
    let rows: &[usize] = match class {
        None => {
            all = (0..t.len()).filter(|&i| t.text_is(c::SCOPE, i, ALL)).collect();
            &all
        }
        Some(id) => ctx.rows_of_class(table::TRAJECTORY, id),
    };
    let mut points = Vec::new();
    let mut withheld = Vec::new();
    let mut max_n = 0u64;
    for (wave, _) in WAVES {
        let Some(&i) = rows.iter().find(|&&i| t.text_is(c::WAVE, i, wave)) else {
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
    let whiskers =
        if class.is_none() { cat.fmt("tr.traj_clustered", &[("whiskers", &ctx.whiskers())]) } else { ctx.whiskers() };
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
