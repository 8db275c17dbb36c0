//! Headline figures: classes, trainees, hours, completion, mean reaction, mean gain,
//! the pooled transfer DiD (labelled an effect or an association by its checks) and
//! compliance rate, each with its n; and a summary paragraph.

use std::collections::BTreeSet;

use serde::Serialize;

use super::format::{self, DASH};
use super::{compliance, Ctx, Na};
use crate::report::columns::{self as c, table};
use crate::schema::col;

#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub label: String,
    pub value: String,
    pub unit: String,
    /// The n behind the figure (and its interval, when there is one).
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeadlineView {
    pub cards: Vec<Card>,
    pub summary: String,
}

pub(super) fn build(ctx: &Ctx<'_>) -> Result<HeadlineView, Na> {
    let cat = &ctx.cat;
    let card = |label: &str, value: String, unit: &str, detail: String| Card {
        label: cat.get(label),
        value,
        unit: if unit.is_empty() { String::new() } else { cat.get(unit) },
        detail,
    };
    let mut cards = Vec::new();

    let n_classes = ctx.classes.len() as u64;
    let hours: f64 = ctx.classes.values().filter_map(|c| c.hours).sum();
    cards.push(card("hl.classes", format::int(n_classes), "", cat.fmt("hl.n_classes", &[("n", &n_classes)])));

    let enrol = ctx.warehouse("enrollments", &[col::CADRE_ID]).ok();
    let (trainees, enrolments, completion) = match enrol {
        Some(t) => {
            let ids: BTreeSet<String> = (0..t.len()).filter_map(|i| t.text(col::CADRE_ID, i)).collect();
            let done = (0..t.len()).filter(|i| t.flag(col::COMPLETED, *i)).count();
            let share = (!t.is_empty() && t.has(col::COMPLETED)).then(|| done as f64 / t.len() as f64);
            (Some(ids.len() as u64), Some(t.len() as u64), share)
        }
        None => (None, None, None),
    };
    cards.push(card(
        "hl.trainees",
        format::count(trainees),
        "",
        cat.fmt("hl.n_trainees", &[("n", &format::count(trainees)), ("enrolments", &format::count(enrolments))]),
    ));
    cards.push(card(
        "hl.hours",
        format::num(Some(hours), 0),
        "hl.unit_hours",
        cat.fmt("hl.n_hours", &[("n", &n_classes)]),
    ));
    cards.push(card(
        "hl.completion",
        format::pct(completion),
        "",
        cat.fmt("hl.n_enrolments", &[("n", &format::count(enrolments))]),
    ));

    let reaction = mean_reaction(ctx);
    cards.push(card(
        "hl.reaction",
        format::mean(reaction.map(|r| r.0)),
        "hl.unit_points",
        cat.fmt(
            "hl.n_ratings",
            &[("n", &format::count(reaction.map(|r| r.1))), ("courses", &format::count(reaction.map(|r| r.2)))],
        ),
    ));

    let gain = mean_gain(ctx);
    let gain_detail = match &gain {
        Some(g) => cat.fmt(
            "hl.with_ci",
            &[
                ("n", &cat.fmt("hl.n_pairs", &[("n", &format::int(g.n))])),
                ("ci", &ctx.ci_phrase(g.ci_low, g.ci_high)),
            ],
        ),
        None => cat.fmt("hl.n_pairs", &[("n", &DASH)]),
    };
    cards.push(card("hl.gain", format::signed(gain.as_ref().and_then(|g| g.mean)), "hl.unit_points", gain_detail));

    // The pooled DiD, clustered; called an effect only when its checks pass (SPEC §7.2).
    let did = pooled_did(ctx);
    let did_detail = match &did {
        Some(d) => cat.fmt(
            "hl.with_ci",
            &[("n", &cat.fmt("hl.n_followed", &[("n", &format::int(d.n))])), ("ci", &ctx.ci_phrase(d.ci_low, d.ci_high))],
        ),
        None => cat.fmt("hl.n_followed", &[("n", &DASH)]),
    };
    let did_label = if did.as_ref().is_some_and(|d| !d.effect) { "tr.hl_association" } else { "hl.transfer" };
    cards.push(card(did_label, format::signed(did.as_ref().map(|d| d.value)), "hl.unit_points", did_detail));

    let comp = compliance::overall(ctx);
    cards.push(card(
        "hl.compliance",
        format::pct(comp.map(|c| c.0)),
        "",
        cat.fmt("hl.n_cadres", &[("n", &format::count(comp.map(|c| c.1)))]),
    ));

    let summary = cat.fmt(
        "hl.summary",
        &[
            ("period", &ctx.period),
            ("classes", &format::int(n_classes)),
            ("hours", &format::num(Some(hours), 0)),
            ("trainees", &format::count(trainees)),
            ("completion", &format::pct(completion)),
            ("reaction", &format::mean(reaction.map(|r| r.0))),
            ("gain", &format::signed(gain.as_ref().and_then(|g| g.mean))),
            ("did", &format::signed(did.as_ref().map(|d| d.value))),
            ("compliance", &format::pct(comp.map(|c| c.0))),
        ],
    );
    Ok(HeadlineView { cards, summary })
}

/// Mean course total weighted by raters, over publishable courses: (mean, ratings, courses).
fn mean_reaction(ctx: &Ctx<'_>) -> Option<(f64, u64, u64)> {
    let t = ctx.indicator(table::REACTION_BY_COURSE, &[c::TOTAL_MEAN, c::N_RATERS]).ok()?;
    let (mut sum, mut n, mut courses) = (0.0, 0u64, 0u64);
    for i in 0..t.len() {
        if t.suppressed(i) {
            continue;
        }
        if let (Some(m), Some(k)) = (t.num(c::TOTAL_MEAN, i), t.count(c::N_RATERS, i)) {
            sum += m * k as f64;
            n += k;
            courses += 1;
        }
    }
    (n > 0).then(|| (sum / n as f64, n, courses))
}

/// The pooled gain of the period: its row of `learning_by_year` (the one row when the
/// period is not a year), `None` when withheld.
fn mean_gain(ctx: &Ctx<'_>) -> Option<Gain> {
    let t = ctx.indicator(table::LEARNING_BY_YEAR, &[col::YEAR, c::N_PAIRS, c::MEAN_DIFF]).ok()?;
    let i = match ctx.period.trim().parse::<u64>() {
        Ok(year) => (0..t.len()).find(|&i| t.count(col::YEAR, i) == Some(year))?,
        Err(_) if t.len() == 1 => 0,
        Err(_) => return None,
    };
    if t.suppressed(i) {
        return None;
    }
    Some(Gain {
        mean: t.num(c::MEAN_DIFF, i),
        n: t.count(c::N_PAIRS, i)?,
        ci_low: t.num(c::CI_LOW, i),
        ci_high: t.num(c::CI_HIGH, i),
    })
}

struct Gain {
    mean: Option<f64>,
    n: u64,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

/// The pooled difference in differences of the period.
struct Did {
    value: f64,
    /// Followed trainees.
    n: u64,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    /// The checks pass: it may be called an effect.
    effect: bool,
}

/// The `all` row of `transfer_summary`: the DiD pooled over the classes with its
/// interval clustered by class, `None` when withheld or absent.
fn pooled_did(ctx: &Ctx<'_>) -> Option<Did> {
    let (t, i) = super::transfer::pooled_row(ctx)?;
    Some(Did {
        value: t.num(c::DID, i)?,
        n: t.count(c::N_TRAINED, i)?,
        ci_low: t.num(c::CI_LOW, i),
        ci_high: t.num(c::CI_HIGH, i),
        effect: t.text(c::CLAIM, i).as_deref() == Some("effect"),
    })
}
