//! The limitations section at the end of the annual report: what this year's data
//! cannot support, generated from the checks the indicator tables carry (SPEC §7.2).
//!
//! In: `transfer_summary` (pre-trend, baseline and attrition checks of the pooled DiD),
//! `transfer_by_class` (the same per class), `method_summary.note` and
//! `method_tests.note` (methods taught in few classes, tests that could not run),
//! `assessment_by_class` (self-rating against the others'). Out: one paragraph per
//! limitation found, in the report's language, every value formatted (no code names).
//! Guarantees: the self-rated nature of the learning outcome is always stated when
//! learning results exist; a check that passed adds nothing; a withheld row is never
//! quoted.

use super::format;
use super::{Body, Ctx, Na};
use crate::report::columns::{self as c, table};

pub(super) fn build(ctx: &Ctx<'_>) -> Result<Body, Na> {
    let cat = &ctx.cat;
    let mut body = Body::new(cat.get("lim.intro"));
    if ctx.indicator(table::LEARNING_BY_CLASS, &[c::N_PAIRS]).is_ok() {
        body.para(cat.get("lim.self_rated"));
        if let Some(diff) = self_inflation(ctx) {
            body.para(cat.fmt("lim.self_inflation", &[("diff", &format::signed(Some(diff)))]));
        }
    }
    transfer(ctx, &mut body);
    methods(ctx, &mut body);
    Ok(body)
}

/// Self-rating minus the others' rating, weighted by pairs, over the published classes.
fn self_inflation(ctx: &Ctx<'_>) -> Option<f64> {
    let t = ctx.indicator(table::ASSESSMENT_BY_CLASS, &[c::MEAN_DIFF, c::N_PAIRS]).ok()?;
    let (mut sum, mut n) = (0.0, 0u64);
    for i in (0..t.len()).filter(|&i| !t.suppressed(i)) {
        if let (Some(d), Some(k)) = (t.num(c::MEAN_DIFF, i), t.count(c::N_PAIRS, i)) {
            sum += d * k as f64;
            n += k;
        }
    }
    (n > 0).then(|| sum / n as f64).filter(|d| *d > 0.0)
}

/// The transfer checks: of the pooled DiD, then how many classes fail them.
fn transfer(ctx: &Ctx<'_>, body: &mut Body) {
    let cat = &ctx.cat;
    match super::transfer::pooled_row(ctx) {
        None => {
            if ctx.indicator(table::TRANSFER_SUMMARY, &[c::CATEGORY]).is_ok() {
                body.para(cat.get("lim.no_did"));
            }
        }
        Some((t, i)) => {
            match t.num(c::PRETREND_P, i) {
                None => body.para(cat.get("lim.pretrend_na")),
                Some(p) if p < crate::indicators::transfer::PRETREND_P_MIN => {
                    body.para(cat.fmt("lim.pretrend", &[("p", &format::p_phrase(Some(p)))]))
                }
                Some(_) => {}
            }
            if t.text(c::BASELINE, i).as_deref() == Some("not_equivalent") {
                body.para(cat.fmt("lim.baseline", &[("g", &format::dec2(t.num(c::BASELINE_G, i)))]));
            }
            if t.num(c::ATTRITION_OK, i) == Some(0.0) {
                let (a, b) = (t.num(c::ATTRITION, i), t.num(c::CONTROL_ATTRITION, i));
                let diff = a.zip(b).map(|(a, b)| (a - b).abs() * 100.0);
                body.para(cat.fmt(
                    "lim.attrition",
                    &[("trained", &format::pct(a)), ("control", &format::pct(b)), ("diff", &format::num(diff, 1))],
                ));
            }
        }
    }
    let Ok(t) = ctx.indicator(table::TRANSFER_BY_CLASS, &[c::CLAIM]) else { return };
    let judged: Vec<usize> = (0..t.len()).filter(|&i| !t.suppressed(i) && t.text(c::CLAIM, i).is_some()).collect();
    let m = judged.len();
    let lost = judged.iter().filter(|&&i| t.num(c::ATTRITION_OK, i) == Some(0.0)).count();
    if lost > 0 {
        body.para(cat.fmt("lim.attrition_classes", &[("k", &format::int(lost as u64)), ("m", &format::int(m as u64))]));
    }
    let unequal = judged.iter().filter(|&&i| t.text(c::BASELINE, i).as_deref() == Some("not_equivalent")).count();
    if unequal > 0 {
        body.para(
            cat.fmt("lim.baseline_classes", &[("k", &format::int(unequal as u64)), ("m", &format::int(m as u64))]),
        );
    }
}

/// Methods taught in few classes, and method tests that could not be run.
fn methods(ctx: &Ctx<'_>, body: &mut Body) {
    let cat = &ctx.cat;
    let join = cat.get("lim.item_join");
    if let Ok(t) = ctx.indicator(table::METHOD_SUMMARY, &[c::METHOD, c::NOTE]) {
        let items: Vec<String> = (0..t.len())
            .filter_map(|i| {
                let note = cat.code("note", &t.text(c::NOTE, i)?);
                let method = ctx.method(&t.text_or_empty(c::METHOD, i));
                // A withheld row keeps its note but not its count.
                Some(match t.count(c::N_CLASSES, i) {
                    Some(n) => {
                        cat.fmt("lim.method_item", &[("method", &method), ("n", &format::int(n)), ("note", &note)])
                    }
                    None => cat.fmt("lim.method_item_bare", &[("method", &method), ("note", &note)]),
                })
            })
            .collect();
        if !items.is_empty() {
            body.para(cat.fmt("lim.few_classes", &[("methods", &items.join(&join))]));
        }
    }
    if let Ok(t) = ctx.indicator(table::METHOD_TESTS, &[c::TEST, c::NOTE]) {
        let items: Vec<String> = (0..t.len())
            .filter_map(|i| {
                let note = t.text(c::NOTE, i)?;
                Some(cat.fmt(
                    "lim.test_item",
                    &[("test", &cat.code("test", &t.text_or_empty(c::TEST, i))), ("note", &cat.code("note", &note))],
                ))
            })
            .collect();
        if !items.is_empty() {
            body.para(cat.fmt("lim.method_tests", &[("tests", &items.join(&join))]));
        }
    }
}
