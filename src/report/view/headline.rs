//! Headline figures: classes, trainees, hours, completion, mean reaction, mean gain,
//! the pooled transfer DiD (labelled an effect or an association by its checks) and
//! compliance rate, each with its n; and a summary paragraph.

use serde::Serialize;

use super::format::{self, DASH};
use super::{compliance, Ctx, Na, Why};
use crate::report::columns::{self as c, table};
use crate::schema::col;

#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub label: String,
    pub value: String,
    pub unit: String,
    /// The n behind the figure (and its interval, when there is one), or why there is
    /// no figure.
    pub detail: String,
    /// The footnote mark of a value that prints "—".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeadlineView {
    pub cards: Vec<Card>,
    pub summary: String,
    /// The marks the cards use, in order (the template explains each).
    pub marks: Vec<&'static str>,
    /// Glossary entries the cards rely on (linked under them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<super::glossary::Term>,
}

/// Why a headline figure from `table` is absent: an input the data lack, rows withheld,
/// or nothing to compute from.
fn why_missing(ctx: &Ctx<'_>, table: &str) -> Why {
    if !ctx.inputs_emptying(table).is_empty() {
        return Why::NotCollected;
    }
    match ctx.indicator(table, &[]) {
        Ok(t) if (0..t.len()).any(|i| t.suppressed(i)) => Why::Withheld,
        _ => Why::NotComputable,
    }
}

/// The reason a figure from `table` is absent, in words (a card's detail, a clause).
fn reason(ctx: &Ctx<'_>, table: &str, why: Why) -> String {
    match why {
        Why::NotCollected => ctx.cat.fmt("hl.na_input", &[("inputs", &ctx.inputs_emptying(table))]),
        Why::Withheld => ctx.cat.fmt("hl.na_withheld", &[("min_cell", &ctx.min_cell())]),
        Why::NotComputable => ctx.cat.get("hl.na_none"),
    }
}

pub(super) fn build(ctx: &Ctx<'_>) -> Result<HeadlineView, Na> {
    let cat = &ctx.cat;
    let card = |label: &str, value: String, unit: &str, detail: String| Card {
        label: cat.get(label),
        unit: if unit.is_empty() || value == DASH { String::new() } else { cat.get(unit) },
        mark: None,
        value,
        detail,
    };
    // A card whose figure is absent: "—", its mark, and the reason in words.
    let absent = |label: &str, table: &str| {
        let why = why_missing(ctx, table);
        Card {
            label: cat.get(label),
            value: DASH.to_string(),
            unit: String::new(),
            detail: reason(ctx, table, why),
            mark: Some(why.mark()),
        }
    };
    let mut cards = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    let mut gaps: Vec<String> = Vec::new();
    let mut gap = |label: &str, table: &str| {
        let why = why_missing(ctx, table);
        gaps.push(cat.fmt("hl.gap", &[("what", &cat.get(label)), ("why", &reason(ctx, table, why))]));
    };

    let n_classes = ctx.classes.len() as u64;
    let hours: f64 = ctx.classes.values().filter_map(|c| c.hours).sum();
    cards.push(card(
        "hl.classes",
        format::int(n_classes),
        "",
        cat.fmt("hl.n_classes", &[("n", &format::int(n_classes))]),
    ));

    let enrol = ctx.warehouse(crate::schema::wh::ENROLLMENTS, &[col::CADRE_ID]).ok();
    let (trainees, enrolments, completion) = match enrol {
        Some(t) => {
            let (cadre, completed) = (t.column(col::CADRE_ID), t.column(col::COMPLETED));
            let trainees = cadre.distinct_texts(t.len());
            let done = (0..t.len()).filter(|&i| completed.flag(i)).count();
            let share = (!t.is_empty() && t.has(col::COMPLETED)).then(|| done as f64 / t.len() as f64);
            (Some(trainees as u64), Some(t.len() as u64), share)
        }
        None => (None, None, None),
    };
    match (trainees, enrolments) {
        (Some(n), Some(e)) => {
            cards.push(card(
                "hl.trainees",
                format::int(n),
                "",
                cat.fmt("hl.n_trainees", &[("n", &format::int(n)), ("enrolments", &format::int(e))]),
            ));
        }
        _ => cards.push(absent("hl.trainees", crate::schema::wh::ENROLLMENTS)),
    }
    cards.push(card(
        "hl.hours",
        format::hours(Some(hours)),
        "hl.unit_hours",
        cat.fmt("hl.n_hours", &[("n", &format::int(n_classes))]),
    ));
    match (completion, enrolments) {
        (Some(c), Some(e)) => cards.push(card(
            "hl.completion",
            format::pct(Some(c)),
            "",
            cat.fmt("hl.n_enrolments", &[("n", &format::int(e))]),
        )),
        _ => cards.push(absent("hl.completion", crate::schema::wh::ENROLLMENTS)),
    }
    let volume = match (trainees, completion) {
        (Some(n), Some(c)) => cat.fmt(
            "hl.s_volume",
            &[
                ("period", &ctx.period),
                ("classes", &format::int(n_classes)),
                ("hours", &format::hours(Some(hours))),
                ("trainees", &format::int(n)),
                ("completion", &format::pct(Some(c))),
            ],
        ),
        _ => cat.fmt(
            "hl.s_volume_classes",
            &[("period", &ctx.period), ("classes", &format::int(n_classes)), ("hours", &format::hours(Some(hours)))],
        ),
    };
    clauses.push(volume);

    match mean_reaction(ctx) {
        Some((mean, ratings, courses)) => {
            cards.push(card(
                "hl.reaction",
                format::mean(Some(mean)),
                "hl.unit_points",
                cat.fmt("hl.n_ratings", &[("n", &format::int(ratings)), ("courses", &format::int(courses))]),
            ));
            clauses.push(cat.fmt("hl.s_reaction", &[("reaction", &format::mean(Some(mean)))]));
        }
        None => {
            cards.push(absent("hl.reaction", table::REACTION_BY_COURSE));
            gap("hl.reaction", table::REACTION_BY_COURSE);
        }
    }

    match mean_gain(ctx).filter(|g| g.mean.is_some()) {
        Some(g) => {
            let mean = g.mean.unwrap_or(0.0);
            let ci = ctx.ci_phrase(g.ci_low, g.ci_high);
            cards.push(card(
                "hl.gain",
                format::signed(Some(mean)),
                "hl.unit_points",
                cat.fmt("hl.with_ci", &[("n", &cat.fmt("hl.n_pairs", &[("n", &format::int(g.n))])), ("ci", &ci)]),
            ));
            let key = if mean > 0.0 { "hl.s_gain_up" } else { "hl.s_gain" };
            let shown = if mean > 0.0 { format::mean(Some(mean)) } else { format::signed(Some(mean)) };
            clauses.push(cat.fmt(key, &[("gain", &shown), ("ci", &ci)]));
        }
        None => {
            cards.push(absent("hl.gain", table::LEARNING_BY_YEAR));
            gap("hl.gain", table::LEARNING_BY_YEAR);
        }
    }

    // The pooled DiD, clustered; called an effect only when its checks pass (SPEC §7.2).
    match pooled_did(ctx) {
        Some(d) => {
            let ci = ctx.ci_phrase(d.ci_low, d.ci_high);
            let label = if d.effect { "hl.transfer" } else { "tr.hl_association" };
            cards.push(card(
                label,
                format::signed(Some(d.value)),
                "hl.unit_points",
                cat.fmt("hl.with_ci", &[("n", &cat.fmt("hl.n_followed", &[("n", &format::int(d.n))])), ("ci", &ci)]),
            ));
            let claim = cat.get(if d.effect { "hl.s_claim_effect" } else { "hl.s_claim_association" });
            clauses
                .push(cat.fmt("hl.s_did", &[("did", &format::signed(Some(d.value))), ("ci", &ci), ("claim", &claim)]));
        }
        None => {
            cards.push(absent("hl.transfer", table::TRANSFER_SUMMARY));
            gap("hl.transfer", table::TRANSFER_SUMMARY);
        }
    }

    match compliance::overall(ctx) {
        Some((share, n)) => {
            cards.push(card(
                "hl.compliance",
                format::pct(Some(share)),
                "",
                cat.fmt("hl.n_cadres", &[("n", &format::int(n))]),
            ));
            clauses.push(cat.fmt("hl.s_compliance", &[("n", &format::int(n)), ("share", &format::pct(Some(share)))]));
        }
        None => {
            cards.push(absent("hl.compliance", table::COMPLIANCE));
            gap("hl.compliance", table::COMPLIANCE);
        }
    }
    if !gaps.is_empty() {
        clauses.push(cat.fmt("hl.s_gaps", &[("gaps", &gaps.join(&cat.get("lim.item_join")))]));
    }
    let mut marks: Vec<&'static str> = cards.iter().filter_map(|c| c.mark).collect();
    marks.sort_unstable();
    marks.dedup();
    let summary = clauses.join(if ctx.params.lang == super::Lang::Zh { "" } else { " " });
    Ok(HeadlineView { cards, summary, marks, terms: Vec::new() })
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
