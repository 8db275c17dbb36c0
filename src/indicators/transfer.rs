//! L3 behaviour / transfer: performance reviews before and after the classes of the
//! period, against eligible controls, with the checks a transfer claim needs (SPEC
//! §7.2); and the follow-up survey waves against post.
//!
//! In: `trainee_outcomes` (class, cadre, completion and the outcome score at every
//! wave), `classes` (every year the warehouse holds), `cadres`, the review histories
//! built from `reviews` ([`Histories`], so the reviews can be freed before the class
//! rows are computed), the follow-up lag, `transfer.washout_years` and the period.
//! Out ([`transfer_tables`]): `transfer_by_class`, `participant_flow`,
//! `transfer_event_study` and `transfer_summary`; and `follow_up`.
//!
//! **The period's classes.** The warehouse may hold classes of several years (SPEC
//! §7.4; `generate --plant contamination` adds classes of year ± 1). Every table here
//! has rows for the classes starting in the period's year only (the latest class year
//! when the period is not a year, as the scorecard): a class of another year is not
//! reported here, but its enrollments still decide who may be a control.
//!
//! **Reviews** (App. C.12): a review's score is `total` (mean of the five dimensions,
//! all kinds); a person's reviews are ordered by (date, kind). For a class starting on
//! day s and ending on day e: before = the latest review dated before s, after = the
//! first dated on or after e + lag (the event study's periods −1 and 0, see
//! [`super::event_study`]). n_trained = enrollment rows; n_followed = enrollments with
//! both; attrition = 1 − n_followed / n_trained.
//!
//! **Controls** of a class (SPEC §7.2) are the cadres of its target category who are
//! *eligible* — enrolled in no class starting in the period's year nor in the
//! `washout_years` calendar years before it — and have no class of their own (of any
//! year) between their before and after reviews. A cadre with such a class is
//! contaminated: not a control of that class (neither eligible nor analysed). A cadre
//! without an after review cannot be shown to be contaminated and stays eligible (lost
//! to follow-up). Their reviews are taken at the class's own dates; control_delta is
//! the mean after − before of the analysed controls, did = mean_delta − control_delta
//! with Welch's interval ([`crate::stats::diff_in_diff`]).
//!
//! **Checks** of a DiD claim: baseline equivalence (Hedges' g of the before reviews,
//! followed trainees vs analysed controls: equivalent ≤ 0.05, adjust ≤ 0.25, else
//! not_equivalent; [`Baseline`]), attrition under the WWC cautious boundary
//! ([`super::flow`]) and the pre-trend test of the event study. A DiD is published as
//! an *effect* only when all three pass ([`Checks::claim`]), else as an *association*.
//! The pooled DiD of the headline is `transfer_summary`'s `all` row: the event study's
//! period 0, clustered by class (CR2).
//!
//! **Disclosure** ([`super::suppress`]): every trainee stage of every class is a cell,
//! the `all` row of that stage its margin; the followed trainees of a target category
//! (the event study's and summary's period 0 of that category) are a margin of its
//! classes' review_after cells, and the `all` period-0 row a margin of the categories;
//! each event-study period of a group is tied to the group's period 0, and `all` at a
//! period is a margin of the categories at it. A class's `transfer_by_class` row is
//! withheld with its review_after cell. Where a class has fewer than min_cell analysed
//! controls, every figure that describes them (control_n, their means, the DiD, the
//! baseline and attrition checks) is null on an otherwise published row. Control counts
//! in `participant_flow` are withheld below min_cell; its `all` control rows count
//! distinct cadres and are no margin of the class rows.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::engine::{
    bools, day_view, days, f64_view, f64s, group_by, i64s, index_by, pick, serr, str_view, strs, Cadres, Out,
};
use super::event_study::{self, changes, Changes, ControlSums, Design, EventFit, Stack, REL_PERIODS};
use super::flow::{
    self, Attrition, ControlFlow, Reached, TrainedFlow, CONTROL, CONTROL_STAGES, TRAINED, TRAINED_STAGES,
};
use super::scorecard::period_year;
use super::suppress::{primary, suppress, Disclosure, Suppression};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::{col, CATEGORIES};
use crate::stats::{self, Accumulator, StatsError};

/// The key of the pooled rows (`class_id` of `participant_flow`, `category` of the
/// event study and the summary).
pub const ALL: &str = "all";
/// A pre-trend test below this p fails the check.
pub const PRETREND_P_MIN: f64 = 0.10;
/// |g| of an equivalent baseline, at most (WWC).
pub const BASELINE_EQUIVALENT: f64 = 0.05;
/// |g| of a baseline that a statistical adjustment can handle, at most (WWC).
pub const BASELINE_ADJUST: f64 = 0.25;

/// Baseline equivalence of trainees and controls (WWC v5.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    Equivalent,
    Adjust,
    NotEquivalent,
}

impl Baseline {
    /// The class of a Hedges' g, judged on 9 decimals (SPEC C.5).
    pub fn of(g: f64) -> Baseline {
        let g = stats::round_for_ties(g.abs());
        if g <= BASELINE_EQUIVALENT {
            Baseline::Equivalent
        } else if g <= BASELINE_ADJUST {
            Baseline::Adjust
        } else {
            Baseline::NotEquivalent
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Baseline::Equivalent => "equivalent",
            Baseline::Adjust => "adjust",
            Baseline::NotEquivalent => "not_equivalent",
        }
    }
}

/// What a DiD may be called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Effect,
    Association,
}

impl Claim {
    pub fn as_str(self) -> &'static str {
        match self {
            Claim::Effect => "effect",
            Claim::Association => "association",
        }
    }
}

/// The three checks of a DiD claim; `None` where a check cannot be made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checks {
    /// pretrend_p ≥ 0.10.
    pub pretrend_ok: Option<bool>,
    /// The baseline is not `not_equivalent`.
    pub baseline_ok: Option<bool>,
    /// Attrition within the WWC cautious boundary.
    pub attrition_ok: Option<bool>,
}

impl Checks {
    pub fn new(pretrend_p: Option<f64>, baseline: Option<Baseline>, attrition_ok: Option<bool>) -> Checks {
        Checks {
            pretrend_ok: pretrend_p.map(|p| p >= PRETREND_P_MIN),
            baseline_ok: baseline.map(|b| b != Baseline::NotEquivalent),
            attrition_ok,
        }
    }

    /// An effect when every check passes; a check that cannot be made fails.
    pub fn claim(&self) -> Claim {
        if [self.pretrend_ok, self.baseline_ok, self.attrition_ok].iter().all(|c| *c == Some(true)) {
            Claim::Effect
        } else {
            Claim::Association
        }
    }
}

/// A cadre's reviews sorted by (date, kind): (date in days, total).
pub type History = [(i32, f64)];

// ---------------------------------------------------------------------------------------
// The definition of a class's controls and of control_delta.
// ---------------------------------------------------------------------------------------

/// A would-be control: an eligible cadre of the class's target category (enrolled in no
/// class of the period's year nor of the washout years before it), with its reviews and
/// its classes (as (start, end) days) outside those years.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// Sorted by (date, kind): (date in days, total).
    pub reviews: &'a History,
    pub classes: &'a [(i32, i32)],
}

/// The controls of one class: who reaches which stage, and the analysed controls'
/// before and after reviews and their change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControlGroup {
    pub flow: ControlFlow,
    /// after − before of the analysed controls: control_delta is their mean.
    pub deltas: Accumulator,
    /// Their before and after scores.
    pub before: Accumulator,
    pub after: Accumulator,
}

impl ControlGroup {
    /// Count a member whose reviews around the class are `c`; the stages it reaches
    /// (none when contaminated: a class of its own between its two reviews makes it no
    /// control of this class, neither eligible nor analysed).
    pub fn add(&mut self, c: &Changes) -> u8 {
        if c.contaminated {
            return 0;
        }
        self.flow.eligible += 1;
        let Some((_, b)) = c.before else { return ELIGIBLE };
        self.flow.review_before += 1;
        let Some((_, a)) = c.after else { return ELIGIBLE | REVIEW_BEFORE };
        self.flow.review_after += 1;
        self.deltas.push(a - b);
        self.before.push(b);
        self.after.push(a);
        ELIGIBLE | REVIEW_BEFORE | REVIEW_AFTER
    }
}

/// The controls of a class starting on day `start` whose after reviews count from day
/// `threshold` (end + follow-up lag) on, among the eligible `members` of its target
/// category: each member's reviews taken at the class's own dates ([`changes`]: before
/// = the latest review before `start`, after = the first from `threshold` on), counted
/// by [`ControlGroup::add`]. control_delta = the mean of the analysed controls'
/// after − before. The production path ([`Pool`]) computes one group per distinct
/// pair of date ranks and must agree with this (property test below).
pub fn class_controls(members: &[Member<'_>], start: i32, threshold: i32) -> ControlGroup {
    let mut g = ControlGroup::default();
    for m in members {
        g.add(&changes(m.reviews, start, threshold, m.classes));
    }
    g
}

/// The members counted once at every stage they reach as a control of any of the
/// classes with these (start, threshold) days: the control rows of a pooled
/// `participant_flow`.
pub fn distinct_controls(members: &[Member<'_>], keys: &[(i32, i32)]) -> ControlFlow {
    let mut out = ControlFlow::default();
    for m in members {
        let reached =
            keys.iter().fold(0u8, |r, &(s, t)| r | ControlGroup::default().add(&changes(m.reviews, s, t, m.classes)));
        out.eligible += usize::from(reached & ELIGIBLE != 0);
        out.review_before += usize::from(reached & REVIEW_BEFORE != 0);
        out.review_after += usize::from(reached & REVIEW_AFTER != 0);
    }
    out
}

/// The eligible cadres of one target category, laid out flat: their reviews and their
/// classes end to end. Read once by each of its control groups (a pool holds ~4·10⁴
/// cadres at 10⁶, read by ~20 groups); flat, a group reads it from the cache in order.
struct Pool {
    /// The pool's distinct review dates, sorted: a control's before and after reviews
    /// depend on a class's start and threshold only through how many of them lie before
    /// each ([`Pool::rank`]).
    dates: Vec<i32>,
    reviews: Vec<(i32, f64)>,
    /// Where each member's reviews end in `reviews`.
    ends: Vec<usize>,
    classes: Vec<(i32, i32)>,
    /// Where each member's classes end in `classes`.
    class_ends: Vec<usize>,
    /// Eligible members without any review: eligible, never analysed.
    empty: usize,
}

impl Pool {
    fn new(members: &[Member]) -> Pool {
        let with: Vec<&Member> = members.iter().filter(|m| !m.reviews.is_empty()).collect();
        let mut dates: Vec<i32> = with.iter().flat_map(|m| m.reviews.iter().map(|r| r.0)).collect();
        dates.sort_unstable();
        dates.dedup();
        let mut pool = Pool {
            dates,
            reviews: Vec::with_capacity(with.iter().map(|m| m.reviews.len()).sum()),
            ends: Vec::with_capacity(with.len()),
            classes: Vec::new(),
            class_ends: Vec::with_capacity(with.len()),
            empty: members.len() - with.len(),
        };
        for m in with {
            pool.reviews.extend_from_slice(m.reviews);
            pool.ends.push(pool.reviews.len());
            pool.classes.extend_from_slice(m.classes);
            pool.class_ends.push(pool.classes.len());
        }
        pool
    }

    /// The number of the pool's review dates before `day`.
    fn rank(&self, day: i32) -> usize {
        self.dates.partition_point(|d| *d < day)
    }

    /// The control groups of the classes with these (start, threshold) days, `copies[j]`
    /// classes sharing `keys[j]` (classes with the same two [`Pool::rank`]s have the same
    /// group); the distinct controls over all of them; and every control's event-study
    /// sums over those classes, added to `design` (each control one cluster).
    fn controls(&self, keys: &[(i32, i32)], copies: &[u64], design: &mut Design) -> Result<PoolControls, StatsError> {
        // The members without reviews are eligible for every class and reach no other
        // stage ([`changes`] of no reviews).
        let none = ControlFlow { eligible: self.empty, ..ControlFlow::default() };
        let mut groups: Vec<ControlGroup> = vec![ControlGroup { flow: none, ..ControlGroup::default() }; keys.len()];
        let mut distinct = none;
        let (mut from, mut class_from) = (0, 0);
        for (&to, &class_to) in self.ends.iter().zip(&self.class_ends) {
            let (h, classes) = (&self.reviews[from..to], &self.classes[class_from..class_to]);
            (from, class_from) = (to, class_to);
            let mut sums = ControlSums::default();
            let mut reached = 0u8;
            for (j, (&(start, threshold), g)) in keys.iter().zip(groups.iter_mut()).enumerate() {
                let c = changes(h, start, threshold, classes);
                sums.add(&c, copies[j]);
                reached |= g.add(&c);
            }
            design.add_control(&sums)?;
            distinct.eligible += usize::from(reached & ELIGIBLE != 0);
            distinct.review_before += usize::from(reached & REVIEW_BEFORE != 0);
            distinct.review_after += usize::from(reached & REVIEW_AFTER != 0);
        }
        Ok(PoolControls { groups, distinct })
    }
}

/// The stages a control reaches ([`ControlGroup::add`]), as bits.
pub const ELIGIBLE: u8 = 1;
pub const REVIEW_BEFORE: u8 = 2;
pub const REVIEW_AFTER: u8 = 4;

/// What a pool gives its classes.
struct PoolControls {
    /// One per control key, in the order asked.
    groups: Vec<ControlGroup>,
    /// Each cadre counted once at the stages it reaches for any of the classes.
    distinct: ControlFlow,
}

/// A class's control key: (target category, start, end + lag) in days.
type Key<'a> = (&'a str, i32, i32);
/// A control key with its days replaced by their ranks among the pool's review dates.
type Canonical<'a> = (&'a str, usize, usize);
/// One (start, end + lag) of the classes with a canonical key, and how many they are.
type Shared = ((i32, i32), u64);

/// The transfer tables of the period (see the module doc).
pub struct TransferTables {
    pub by_class: DataFrame,
    pub flow: DataFrame,
    pub event_study: DataFrame,
    pub summary: DataFrame,
}

/// What one class of the period contributes.
struct ClassRow<'a> {
    trained: TrainedFlow,
    /// Before and after review scores of the followed trainees.
    before: Vec<f64>,
    after: Vec<f64>,
    /// Its trainees' event-study changes.
    stack: Stack,
    key: Option<Canonical<'a>>,
}

/// Rows of `classes` starting in the period's year, by class_id.
fn period_classes(cl: &[Option<&str>], year: &[Option<i64>], ctx: &Params) -> Vec<usize> {
    let y = period_year(ctx.period, year);
    let mut order: Vec<usize> = (0..cl.len()).filter(|&i| y.is_some() && year[i] == y).collect();
    order.sort_by_key(|&i| cl[i]);
    order
}

/// A number column that may be absent (all null then).
fn optional_f64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<f64>>, IndicatorError> {
    if df.column(name).is_ok() {
        f64s(df, name, table)
    } else {
        Ok(vec![None; df.height()])
    }
}

/// Every transfer table of the period from the warehouse frames, the review histories
/// and the cadre numbers (see the module doc).
pub fn transfer_tables(
    outcomes: &DataFrame,
    classes: &DataFrame,
    cadres: &DataFrame,
    hist: &Histories,
    numbers: &Cadres,
    ctx: &Params,
) -> Result<TransferTables, IndicatorError> {
    const T: &str = "transfer_by_class";
    let lag = ctx.settings.indicators.follow_up_lag_days as i32;
    let washout = i64::from(ctx.settings.transfer.washout_years);
    let (cl, target, start, end, year) = (
        strs(classes, col::CLASS_ID, T)?,
        strs(classes, col::TARGET_CATEGORY, T)?,
        days(classes, col::START_DATE, T)?,
        days(classes, col::END_DATE, T)?,
        i64s(classes, col::YEAR, T)?,
    );
    let period = period_classes(&cl, &year, ctx);
    let y = period.first().and_then(|&i| year[i]);
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let completed = bools(outcomes, col::COMPLETED, T)?;
    // Which of the five scores each row has (bit k for score k; NaN is missing): the
    // tables use their presence only, and the five columns held as values took 80 bytes
    // a row. Read one column at a time.
    let mut has = vec![0u8; outcomes.height()];
    for (k, c) in [col::PRE_SCORE, col::POST_SCORE, col::FOLLOW_3M, col::FOLLOW_6M, col::FOLLOW_12M].iter().enumerate()
    {
        for (bits, v) in has.iter_mut().zip(optional_f64s(outcomes, c, T)?) {
            *bits |= u8::from(v.is_some()) << k;
        }
    }
    let scored = |r: usize, k: usize| has[r] & (1 << k) != 0;
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let mut cadre_of_row: Vec<Option<u32>> = vec![None; outcomes.height()];
    for c in 0..numbers.len() as u32 {
        for &r in numbers.outcome_rows.get(c) {
            cadre_of_row[r as usize] = Some(c);
        }
    }

    // The classes of would-be controls: enrollments in classes outside the years that
    // make a cadre ineligible (those cadres are in no pool).
    let class_at: FxHashMap<&str, usize> = (0..cl.len()).filter_map(|i| Some((cl[i]?, i))).collect();
    let ineligible_year = |yk: Option<i64>| match (y, yk) {
        (Some(y), Some(yk)) => (y - washout..=y).contains(&yk),
        _ => false,
    };
    let mut other: FxHashMap<u32, Vec<(i32, i32)>> = FxHashMap::default();
    for (r, c) in cadre_of_row.iter().enumerate() {
        let (Some(c), Some(&k)) = (c, o_class[r].and_then(|id| class_at.get(id))) else { continue };
        if let (false, Some(s), Some(e)) = (ineligible_year(year[k]), start[k], end[k]) {
            other.entry(*c).or_default().push((s, e));
        }
    }
    let trained_window = |c: u32| y.is_some_and(|y| (y - washout..=y).any(|yy| numbers.trained(yy, c)));

    // One pool per target category of the period's classes, found in parallel.
    let key_of = |i: usize| -> Option<Key> { Some((target[i].filter(|t| !t.is_empty())?, start[i]?, end[i]? + lag)) };
    let k_cat = strs(cadres, col::CATEGORY, T)?;
    let by_category = group_by(numbers.cadre_rows.rows().len(), |k| k_cat[numbers.cadre_rows.rows()[k] as usize]);
    let cats: BTreeSet<&str> = period.iter().filter_map(|&i| key_of(i)).map(|k| k.0).collect();
    let pools: BTreeMap<&str, Pool> = cats
        .into_par_iter()
        .map(|cat| {
            let members: Vec<Member> = by_category
                .get(cat)
                .map(|ks| {
                    ks.iter()
                        .filter_map(|&k| numbers.of_cadre_row[numbers.cadre_rows.rows()[k] as usize])
                        .filter(|&c| !trained_window(c))
                        .map(|c| Member { reviews: hist.of(c), classes: other.get(&c).map_or(&[][..], Vec::as_slice) })
                        .collect()
                })
                .unwrap_or_default();
            (cat, Pool::new(&members))
        })
        .collect();
    let canonical = |k: &Key<'_>| -> Option<(&str, usize, usize)> {
        let (cat, p) = pools.get_key_value(k.0)?;
        Some((*cat, p.rank(k.1), p.rank(k.2)))
    };
    // One control group per distinct canonical key, computed with any of its keys, and
    // how many classes of the period share it.
    let mut reps: BTreeMap<Canonical, Shared> = BTreeMap::new();
    for k in period.iter().filter_map(|&i| key_of(i)) {
        if let Some(c) = canonical(&k) {
            reps.entry(c).or_insert(((k.1, k.2), 0)).1 += 1;
        }
    }
    // Each pool's controls: its groups, its distinct controls and its part of the event
    // study (the controls' clusters).
    let by_pool: Vec<(&str, PoolControls, Design)> = pools
        .par_iter()
        .map(|(cat, pool)| {
            let mine: Vec<(&Canonical, &Shared)> = reps.iter().filter(|(c, _)| c.0 == *cat).collect();
            let keys: Vec<(i32, i32)> = mine.iter().map(|(_, r)| r.0).collect();
            let copies: Vec<u64> = mine.iter().map(|(_, r)| r.1).collect();
            let mut design = Design::default();
            let controls = pool.controls(&keys, &copies, &mut design).map_err(serr("transfer_event_study"))?;
            Ok((*cat, controls, design))
        })
        .collect::<Result<_, IndicatorError>>()?;
    let mut groups: BTreeMap<Canonical, &ControlGroup> = BTreeMap::new();
    for (cat, controls, _) in &by_pool {
        let keys = reps.keys().filter(|c| c.0 == *cat);
        for (c, g) in keys.zip(&controls.groups) {
            groups.insert(*c, g);
        }
    }

    // The trainees of each class of the period.
    let empty: Vec<usize> = Vec::new();
    let rows: Vec<ClassRow> = period
        .par_iter()
        .map(|&i| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            let mut row = ClassRow {
                trained: TrainedFlow::default(),
                before: Vec::new(),
                after: Vec::new(),
                stack: Stack::default(),
                key: key_of(i).and_then(|k| canonical(&k)),
            };
            // The trainees' histories looked up first, in a loop of independent lookups
            // whose cache misses overlap (a class's trainees lie anywhere among the
            // cadres); looked up in the loop below, each waited for its miss alone.
            let found: Vec<&History> = idx.iter().map(|&r| cadre_of_row[r].map_or(&[][..], |c| hist.of(c))).collect();
            for (&r, &h) in idx.iter().zip(&found) {
                let ch = match (start[i], end[i]) {
                    (Some(s), Some(e)) => changes(h, s, e + lag, &[]),
                    _ => Changes::default(),
                };
                row.trained.add(&Reached {
                    completed: completed[r] == Some(true),
                    pre: scored(r, 0),
                    post: scored(r, 1),
                    follow_3m: scored(r, 2),
                    follow_6m: scored(r, 3),
                    follow_12m: scored(r, 4),
                    review_before: ch.before.is_some(),
                    review_after: ch.after.is_some(),
                });
                row.stack.add(&ch);
                if let (Some(b), Some(a)) = (ch.before, ch.after) {
                    row.before.push(b.1);
                    row.after.push(a.1);
                }
            }
            row
        })
        .collect();
    let no_controls = ControlGroup::default();
    let gs: Vec<&ControlGroup> =
        rows.iter().map(|r| r.key.and_then(|k| groups.get(&k).copied()).unwrap_or(&no_controls)).collect();

    // Row groups: all classes, then each target category (vocabulary order).
    let mut scope_cats: Vec<&str> = period
        .iter()
        .filter_map(|&i| target[i].filter(|t| !t.is_empty()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    scope_cats.sort_by_key(|c| (CATEGORIES.iter().position(|k| k == c).unwrap_or(CATEGORIES.len()), *c));
    let mut scopes: Vec<(&str, Vec<usize>)> = vec![(ALL, (0..period.len()).collect())];
    for cat in &scope_cats {
        scopes.push((cat, (0..period.len()).filter(|&k| target[period[k]] == Some(*cat)).collect()));
    }
    // Each category's design: its controls, then its classes' trainees; all classes:
    // every category's, and the classes of no category.
    let es = serr("transfer_event_study");
    let mut designs: Vec<Design> = Vec::with_capacity(scopes.len());
    for (cat, members) in &scopes[1..] {
        let mut d = by_pool.iter().find(|p| p.0 == *cat).map(|p| p.2.clone()).unwrap_or_default();
        for &k in members {
            d.add_class(&rows[k].stack).map_err(&es)?;
        }
        designs.push(d);
    }
    let mut all = Design::default();
    for d in &designs {
        all.merge(d.clone()).map_err(&es)?;
    }
    for k in (0..period.len()).filter(|&k| target[period[k]].is_none_or(str::is_empty)) {
        all.add_class(&rows[k].stack).map_err(&es)?;
    }
    designs.insert(0, all);
    let fits: Vec<EventFit> =
        designs.par_iter().map(|d| d.fit(ctx.alpha).map_err(serr("transfer_event_study"))).collect::<Result<_, _>>()?;
    let distinct: BTreeMap<&str, ControlFlow> = by_pool.iter().map(|(cat, c, _)| (*cat, c.distinct)).collect();

    // Per class: the paired change, the DiD and the checks.
    let class_stats: Vec<ClassChange> = rows
        .par_iter()
        .zip(&gs)
        .map(|(r, g)| {
            let paired = stats::paired_t(&r.before, &r.after, ctx.alpha).map_err(serr(T))?;
            let deltas: Vec<f64> = r.before.iter().zip(&r.after).map(|(b, a)| a - b).collect();
            let did =
                stats::diff_in_diff_from(&Accumulator::from_slice(&deltas), &g.deltas, ctx.alpha).map_err(serr(T))?;
            let before = Accumulator::from_slice(&r.before);
            let baseline_g = stats::hedges_g(&before, &g.before);
            Ok(ClassChange { paired, did, baseline_g, attrition: flow::attrition(&r.trained, &g.flow), before })
        })
        .collect::<Result<_, IndicatorError>>()?;

    // Pooled figures of each row group.
    let pooled: Vec<ScopeFigures> = scopes
        .iter()
        .map(|(cat, members)| {
            let mut trained = TrainedFlow::default();
            let (mut tb, mut cb) = (Accumulator::new(), Accumulator::new());
            for &k in members {
                trained.merge(&rows[k].trained);
                tb.merge(&class_stats[k].before);
                cb.merge(&gs[k].before);
            }
            let control = if *cat == ALL {
                distinct.values().fold(ControlFlow::default(), |a, c| ControlFlow {
                    eligible: a.eligible + c.eligible,
                    review_before: a.review_before + c.review_before,
                    review_after: a.review_after + c.review_after,
                })
            } else {
                distinct.get(cat).copied().unwrap_or_default()
            };
            ScopeFigures { trained, control, baseline_g: stats::hedges_g(&tb, &cb) }
        })
        .collect();

    // Disclosure: see the module doc.
    let n_cls = period.len();
    let stages = TRAINED_STAGES.len();
    let mut d = Disclosure::new(ctx.min_cell);
    let count = |n: usize| Some(n as i64);
    let first_class = d.cells(&rows.iter().flat_map(|r| r.trained.0.map(count)).collect::<Vec<_>>());
    let first_all = d.cells(&pooled[0].trained.0.map(count));
    let first_cat = d.cells(&pooled[1..].iter().map(|p| count(p.trained.analysed())).collect::<Vec<_>>());
    // Event-study cells of the periods other than 0, per group: the fewer of trainee and
    // control observations.
    let others: Vec<usize> = (0..REL_PERIODS.len()).filter(|&j| REL_PERIODS[j] != 0).collect();
    let ev_counts: Vec<Option<i64>> = fits
        .iter()
        .flat_map(|f| others.iter().map(move |&j| count(f.periods[j].n_trained.min(f.periods[j].n_control))))
        .collect();
    let first_ev = d.cells(&ev_counts);
    let class_cell = |k: usize, s: usize| first_class + k * stages + s;
    let zero_cell = |sc: usize| if sc == 0 { first_all + flow::TRAINED_ANALYSED } else { first_cat + sc - 1 };
    let ev_cell = |sc: usize, j: usize| match others.iter().position(|&o| o == j) {
        Some(o) => first_ev + sc * others.len() + o,
        None => zero_cell(sc),
    };
    for s in 0..stages {
        d.margin(first_all + s, (0..n_cls).map(|k| class_cell(k, s)).collect());
    }
    for (sc, (_, members)) in scopes.iter().enumerate().skip(1) {
        d.margin(zero_cell(sc), members.iter().map(|&k| class_cell(k, flow::TRAINED_ANALYSED)).collect());
    }
    d.margin(zero_cell(0), (1..scopes.len()).map(zero_cell).collect());
    for &j in &others {
        d.margin(ev_cell(0, j), (1..scopes.len()).map(|sc| ev_cell(sc, j)).collect());
        for sc in 0..scopes.len() {
            d.margin(ev_cell(sc, j), vec![zero_cell(sc)]);
        }
    }
    let status = d.protect();
    let published = |cell: usize| status[cell].is_none();

    // pretrend_p of a class: its category's group's, else (untestable or withheld) all
    // classes'.
    let pretrend_of = |sc: usize| published(zero_cell(sc)).then(|| fits[sc].pretrend.map(|t| t.p)).flatten();
    let class_pretrend: Vec<Option<f64>> = (0..n_cls)
        .map(|k| {
            let sc = scopes.iter().position(|(cat, _)| *cat != ALL && target[period[k]] == Some(*cat));
            sc.and_then(pretrend_of).or_else(|| pretrend_of(0))
        })
        .collect();

    let ids: Vec<Option<&str>> = period.iter().map(|&i| cl[i]).collect();
    let class_status: Vec<Option<Suppression>> =
        (0..n_cls).map(|k| status[class_cell(k, flow::TRAINED_ANALYSED)]).collect();
    let by_class = class_frame(&ids, &rows, &class_stats, &gs, &class_pretrend, &class_status, ctx)?;
    let trained_status: Vec<Option<Suppression>> =
        (first_all..first_all + stages).chain(first_class..first_class + n_cls * stages).map(|c| status[c]).collect();
    let flow = flow_frame(&ids, &rows, &gs, &pooled[0], &trained_status, ctx)?;
    let ev_status: Vec<Option<Suppression>> = (0..scopes.len())
        .flat_map(|sc| (0..REL_PERIODS.len()).map(move |j| (sc, j)))
        .map(|(sc, j)| status[ev_cell(sc, j)])
        .collect();
    let names: Vec<&str> = scopes.iter().map(|s| s.0).collect();
    let event_study = event_frame(&names, &fits, &ev_status, ctx)?;
    let summary_status: Vec<Option<Suppression>> = (0..scopes.len()).map(|sc| status[zero_cell(sc)]).collect();
    let summary = summary_frame(&names, &fits, &pooled, &summary_status, ctx)?;
    Ok(TransferTables { by_class, flow, event_study, summary })
}

/// A class's paired change, DiD and checks.
struct ClassChange {
    paired: stats::PairedT,
    did: stats::DiffInDiff,
    baseline_g: Option<f64>,
    attrition: Attrition,
    /// The followed trainees' before scores.
    before: Accumulator,
}

/// The pooled flow and baseline of a row group.
struct ScopeFigures {
    trained: TrainedFlow,
    /// Distinct controls.
    control: ControlFlow,
    baseline_g: Option<f64>,
}

/// Benjamini–Hochberg over the published values (the others are neither adjusted nor
/// counted).
fn bh_published(p: &[Option<f64>], status: &[Option<Suppression>]) -> Vec<Option<f64>> {
    let p: Vec<f64> =
        p.iter().zip(status).map(|(p, s)| if s.is_none() { p.unwrap_or(f64::NAN) } else { f64::NAN }).collect();
    stats::benjamini_hochberg(&p).into_iter().map(|x| x.is_finite().then_some(x)).collect()
}

/// `transfer_by_class`, one row per class of the period.
fn class_frame(
    ids: &[Option<&str>],
    rows: &[ClassRow],
    st: &[ClassChange],
    gs: &[&ControlGroup],
    pretrend: &[Option<f64>],
    status: &[Option<Suppression>],
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "transfer_by_class";
    let n = ids.len();
    // Figures about fewer than min_cell analysed controls are not published.
    let enough: Vec<bool> = gs.iter().map(|g| g.flow.review_after >= ctx.min_cell).collect();
    let ctl = |k: usize, v: Option<f64>| v.filter(|_| enough[k]);
    let did_test = |k: usize| st[k].did.test.filter(|_| enough[k]);
    let baseline: Vec<Option<Baseline>> = (0..n).map(|k| ctl(k, st[k].baseline_g).map(Baseline::of)).collect();
    let attrition_ok: Vec<Option<bool>> = (0..n).map(|k| st[k].attrition.ok.filter(|_| enough[k])).collect();
    let claim: Vec<Option<&str>> = (0..n)
        .map(|k| ctl(k, st[k].did.did).map(|_| Checks::new(pretrend[k], baseline[k], attrition_ok[k]).claim().as_str()))
        .collect();
    let p: Vec<Option<f64>> = st.iter().map(|s| s.paired.test.map(|t| t.p)).collect();
    let did_p: Vec<Option<f64>> = (0..n).map(|k| did_test(k).map(|t| t.p)).collect();
    let df = Out::new(n)
        .str(col::CLASS_ID, ids.iter().copied())
        .int(col::N_TRAINED, rows.iter().map(|r| Some(r.trained.enrolled() as i64)))
        .int(col::N_FOLLOWED, st.iter().map(|s| Some(s.paired.n as i64)))
        .f64(col::ATTRITION, st.iter().map(|s| s.attrition.trained))
        .f64(col::BEFORE_MEAN, st.iter().map(|s| s.paired.mean_pre))
        .f64(col::AFTER_MEAN, st.iter().map(|s| s.paired.mean_post))
        .f64(col::MEAN_DELTA, st.iter().map(|s| s.paired.mean_diff))
        .f64(col::T, st.iter().map(|s| s.paired.test.map(|t| t.t)))
        .f64(col::DF, st.iter().map(|s| s.paired.test.map(|t| t.df)))
        .f64(col::P_VALUE, p.iter().copied())
        .f64(col::CI_LOW, st.iter().map(|s| s.paired.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, st.iter().map(|s| s.paired.test.map(|t| t.ci_high)))
        .f64(col::D_Z, st.iter().map(|s| s.paired.d_z))
        .int(col::CONTROL_N, (0..n).map(|k| enough[k].then_some(gs[k].flow.review_after as i64)))
        .f64(col::CONTROL_DELTA, (0..n).map(|k| ctl(k, st[k].did.control_delta)))
        .f64(col::DID, (0..n).map(|k| ctl(k, st[k].did.did)))
        .f64(col::DID_CI_LOW, (0..n).map(|k| did_test(k).map(|t| t.ci_low)))
        .f64(col::DID_CI_HIGH, (0..n).map(|k| did_test(k).map(|t| t.ci_high)))
        .f64(col::DID_P, did_p.iter().copied())
        .f64(col::CONTROL_BEFORE_MEAN, (0..n).map(|k| ctl(k, gs[k].before.mean())))
        .f64(col::CONTROL_AFTER_MEAN, (0..n).map(|k| ctl(k, gs[k].after.mean())))
        .f64(col::BASELINE_G, (0..n).map(|k| ctl(k, st[k].baseline_g)))
        .str(col::BASELINE, baseline.iter().map(|b| b.map(Baseline::as_str)))
        .f64(col::CONTROL_ATTRITION, (0..n).map(|k| ctl(k, st[k].attrition.control)))
        .f64(col::OVERALL_ATTRITION, (0..n).map(|k| ctl(k, st[k].attrition.overall)))
        .f64(col::ATTRITION_DIFFERENTIAL, (0..n).map(|k| ctl(k, st[k].attrition.differential)))
        .bool(col::ATTRITION_OK, attrition_ok.iter().copied())
        .f64(col::PRETREND_P, pretrend.iter().copied())
        .str(col::CLAIM, claim.iter().copied())
        .f64(col::P_BH, bh_published(&p, status))
        .f64(col::DID_P_BH, bh_published(&did_p, status))
        .finish(T)?;
    suppress(df, status, &[col::CLASS_ID], T)
}

/// `participant_flow`: all classes (trainees, then distinct controls), then each class.
/// `trained_status` holds the trainee stages of `all`, then of each class.
fn flow_frame(
    ids: &[Option<&str>],
    rows: &[ClassRow],
    gs: &[&ControlGroup],
    all: &ScopeFigures,
    trained_status: &[Option<Suppression>],
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "participant_flow";
    // (class, group, stage, n, of) for every row, in order.
    let mut out: Vec<(Option<&str>, &str, &str, usize, usize)> = Vec::new();
    let blocks = std::iter::once((Some(ALL), &all.trained, &all.control))
        .chain(ids.iter().enumerate().map(|(k, id)| (*id, &rows[k].trained, &gs[k].flow)));
    for (id, t, c) in blocks {
        for (s, &n) in TRAINED_STAGES.iter().zip(&t.0) {
            out.push((id, TRAINED, s, n, t.enrolled()));
        }
        for (s, n) in CONTROL_STAGES.iter().zip(c.stages()) {
            out.push((id, CONTROL, s, n, c.eligible));
        }
    }
    // Trainee rows take the margins' status; control rows are cells of their own. A
    // stage nobody reached (a wave the class did not run) describes no one: published.
    let per = TRAINED_STAGES.len() + CONTROL_STAGES.len();
    let status: Vec<Option<Suppression>> = out
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (b, s) = (i / per, i % per);
            if r.3 == 0 {
                None
            } else if s < TRAINED_STAGES.len() {
                trained_status[b * TRAINED_STAGES.len() + s]
            } else {
                primary(&[Some(r.3 as i64)], ctx.min_cell)[0]
            }
        })
        .collect();
    let df = Out::new(out.len())
        .str(col::CLASS_ID, out.iter().map(|r| r.0))
        .str(col::GROUP, out.iter().map(|r| Some(r.1)))
        .str(col::STAGE, out.iter().map(|r| Some(r.2)))
        .int(col::N, out.iter().map(|r| Some(r.3 as i64)))
        .f64(col::SHARE_OF_ENROLLED, out.iter().map(|r| (r.4 > 0).then(|| r.3 as f64 / r.4 as f64)))
        .finish(T)?;
    suppress(df, &status, &[col::CLASS_ID, col::GROUP, col::STAGE], T)
}

/// Whether the period-0 estimate of a group rests on enough controls to be published.
fn enough_controls(f: &EventFit, ctx: &Params) -> bool {
    f.did().n_control >= ctx.min_cell
}

/// `transfer_event_study`: each group's periods in order.
fn event_frame(
    names: &[&str],
    fits: &[EventFit],
    status: &[Option<Suppression>],
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "transfer_event_study";
    let rows: Vec<(usize, &event_study::PeriodFit)> =
        fits.iter().enumerate().flat_map(|(sc, f)| f.periods.iter().map(move |p| (sc, p))).collect();
    // At period 0 the controls are not a cell of their own: their figures go with them.
    let shown = |sc: usize, p: &event_study::PeriodFit| p.rel != 0 || enough_controls(&fits[sc], ctx);
    let test = |sc: usize, p: &event_study::PeriodFit| p.test.filter(|_| shown(sc, p));
    let df = Out::new(rows.len())
        .str(col::CATEGORY, rows.iter().map(|&(sc, _)| Some(names[sc])))
        .int(col::REL_PERIOD, rows.iter().map(|(_, p)| Some(i64::from(p.rel))))
        .f64(col::ESTIMATE, rows.iter().map(|&(sc, p)| p.estimate.filter(|_| shown(sc, p))))
        .f64(col::SE, rows.iter().map(|&(sc, p)| test(sc, p).map(|t| t.se)))
        .f64(col::DF, rows.iter().map(|&(sc, p)| test(sc, p).map(|t| t.df)))
        .f64(col::CI_LOW, rows.iter().map(|&(sc, p)| test(sc, p).map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|&(sc, p)| test(sc, p).map(|t| t.ci_high)))
        .f64(col::P_VALUE, rows.iter().map(|&(sc, p)| test(sc, p).map(|t| t.p)))
        .int(col::N_TRAINED, rows.iter().map(|(_, p)| Some(p.n_trained as i64)))
        .int(col::N_CONTROL, rows.iter().map(|&(sc, p)| shown(sc, p).then_some(p.n_control as i64)))
        .int(col::N_CLASSES, rows.iter().map(|&(sc, _)| Some(fits[sc].n_classes as i64)))
        .f64(col::PRETREND_P, rows.iter().map(|&(sc, _)| fits[sc].pretrend.map(|t| t.p)))
        .finish(T)?;
    suppress(df, status, &[col::CATEGORY, col::REL_PERIOD], T)
}

/// `transfer_summary`: one row per group, `all` first.
fn summary_frame(
    names: &[&str],
    fits: &[EventFit],
    pooled: &[ScopeFigures],
    status: &[Option<Suppression>],
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "transfer_summary";
    let n = names.len();
    let enough: Vec<bool> = fits.iter().map(|f| enough_controls(f, ctx)).collect();
    let did = |k: usize| fits[k].did().estimate.filter(|_| enough[k]);
    let test = |k: usize| fits[k].did().test.filter(|_| enough[k]);
    let attrition: Vec<Attrition> = pooled.iter().map(|p| flow::attrition(&p.trained, &p.control)).collect();
    let baseline_g: Vec<Option<f64>> = (0..n).map(|k| pooled[k].baseline_g.filter(|_| enough[k])).collect();
    let baseline: Vec<Option<Baseline>> = baseline_g.iter().map(|g| g.map(Baseline::of)).collect();
    let checks: Vec<Checks> =
        (0..n).map(|k| Checks::new(fits[k].pretrend.map(|t| t.p), baseline[k], attrition[k].ok)).collect();
    let df = Out::new(n)
        .str(col::CATEGORY, names.iter().map(|s| Some(*s)))
        .int(col::N_CLASSES, fits.iter().map(|f| Some(f.n_classes as i64)))
        .int(col::N_TRAINED, pooled.iter().map(|p| Some(p.trained.analysed() as i64)))
        .int(col::N_CONTROL, (0..n).map(|k| enough[k].then_some(fits[k].did().n_control as i64)))
        .f64(col::DID, (0..n).map(did))
        .f64(col::SE, (0..n).map(|k| test(k).map(|t| t.se)))
        .f64(col::DF, (0..n).map(|k| test(k).map(|t| t.df)))
        .f64(col::P_VALUE, (0..n).map(|k| test(k).map(|t| t.p)))
        .f64(col::CI_LOW, (0..n).map(|k| test(k).map(|t| t.ci_low)))
        .f64(col::CI_HIGH, (0..n).map(|k| test(k).map(|t| t.ci_high)))
        .f64(col::PRETREND_P, fits.iter().map(|f| f.pretrend.map(|t| t.p)))
        .f64(col::BASELINE_G, baseline_g.iter().copied())
        .str(col::BASELINE, baseline.iter().map(|b| b.map(Baseline::as_str)))
        .f64(col::ATTRITION, attrition.iter().map(|a| a.trained))
        .f64(col::CONTROL_ATTRITION, attrition.iter().map(|a| a.control))
        .f64(col::OVERALL_ATTRITION, attrition.iter().map(|a| a.overall))
        .f64(col::ATTRITION_DIFFERENTIAL, attrition.iter().map(|a| a.differential))
        .bool(col::ATTRITION_OK, attrition.iter().map(|a| a.ok))
        .bool(col::PRETREND_OK, checks.iter().map(|c| c.pretrend_ok))
        .bool(col::BASELINE_OK, checks.iter().map(|c| c.baseline_ok))
        .str(col::CLAIM, (0..n).map(|k| did(k).map(|_| checks[k].claim().as_str())))
        .finish(T)?;
    suppress(df, status, &[col::CATEGORY], T)
}

/// [`transfer_tables`] straight from the frames: numbers the cadres and builds the
/// review histories first (for callers without the shared ones, e.g. tests).
pub fn transfer_tables_from(
    outcomes: &DataFrame,
    classes: &DataFrame,
    cadres: &DataFrame,
    reviews: &DataFrame,
    ctx: &Params,
) -> Result<TransferTables, IndicatorError> {
    let numbers = Cadres::from_frames(cadres, outcomes, "transfer_by_class")?;
    let hist = Histories::new(reviews, &numbers)?;
    transfer_tables(outcomes, classes, cadres, &hist, &numbers, ctx)
}
/// Review histories of every cadre, by cadre number, in blocks of [`Histories::BLOCK`]
/// cadres: each block holds its cadres' reviews end to end, and `ends[c]` is where
/// cadre `c`'s reviews end within its block (a cadre starts where the one before it
/// in the block ends, the block's first at 0). The blocks are built in parallel and
/// kept as they are (joining them would copy every review once more).
/// Reviews of ids that neither `cadres` nor `trainee_outcomes` name belong to no
/// control pool and no class: they are left out.
pub struct Histories {
    ends: Vec<usize>,
    blocks: Vec<Vec<(i32, f64)>>,
}

impl Histories {
    const BLOCK: usize = 1 << 14;

    pub fn new(reviews: &DataFrame, keys: &Cadres) -> Result<Histories, IndicatorError> {
        const T: &str = "transfer_by_class";
        let review_rows = keys.rows_of_column(reviews, col::CADRE_ID, T)?;
        // Read in place: as vectors, the three columns of every review would be copied
        // into fresh memory.
        let (date, kind, total) = (
            day_view(reviews, col::REVIEW_DATE, T)?,
            str_view(reviews, col::KIND, T)?,
            f64_view(reviews, col::TOTAL, T)?,
        );
        let total = |i: usize| total.get(i).filter(|x| !x.is_nan());
        let n = keys.len();
        // Each block: its cadres' reviews end to end, and where each cadre's reviews end.
        type Block = (Vec<(i32, f64)>, Vec<usize>);
        let built: Vec<Block> = (0..n.div_ceil(Self::BLOCK))
            .into_par_iter()
            .map(|b| {
                let (mut flat, mut ends, mut rows) = (Vec::new(), Vec::with_capacity(Self::BLOCK), Vec::new());
                for c in b * Self::BLOCK..((b + 1) * Self::BLOCK).min(n) {
                    rows.clear();
                    // Each review's date, kind and total read once: the sort's key read
                    // in place at every comparison was a search of the column's chunks
                    // and a cache miss each time.
                    rows.extend(review_rows.get(c as u32).iter().filter_map(|&i| {
                        let i = i as usize;
                        Some((date.get(i)?, kind.get(i), total(i)?))
                    }));
                    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
                    flat.extend(rows.iter().map(|&(day, _, score)| (day, score)));
                    ends.push(flat.len());
                }
                (flat, ends)
            })
            .collect();
        let mut ends = Vec::with_capacity(n);
        let mut blocks = Vec::with_capacity(built.len());
        for (flat, block_ends) in built {
            ends.extend(block_ends);
            blocks.push(flat);
        }
        Ok(Histories { ends, blocks })
    }

    /// The reviews of cadre `c` (empty when it has none).
    pub(crate) fn of(&self, c: u32) -> &History {
        let c = c as usize;
        let start = if c.is_multiple_of(Self::BLOCK) { 0 } else { self.ends[c - 1] };
        &self.blocks[c / Self::BLOCK][start..self.ends[c]]
    }
}

/// `follow_up`: one row per class of the period and follow-up wave (3, 6, 12 months):
/// the outcome at the follow-up against post (paired, differences follow − post), the
/// share of the pre→post gain retained, `(follow̄ − prē)/(post̄ − prē)` over trainees
/// scored at all three (null when the class gained nothing at 9 decimals), and `p_bh`
/// over the published rows.
pub fn follow_up(outcomes: &DataFrame, classes: &DataFrame, ctx: &Params) -> Result<DataFrame, IndicatorError> {
    const T: &str = "follow_up";
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let (pre, post) = (f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let waves = [("follow_3m", col::FOLLOW_3M), ("follow_6m", col::FOLLOW_6M), ("follow_12m", col::FOLLOW_12M)];
    let follows: Vec<Vec<Option<f64>>> = waves.iter().map(|w| f64s(outcomes, w.1, T)).collect::<Result<_, _>>()?;
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let (cl, year) = (strs(classes, col::CLASS_ID, T)?, i64s(classes, col::YEAR, T)?);
    let order = period_classes(&cl, &year, ctx);
    let cells: Vec<(usize, usize)> = order.iter().flat_map(|&i| (0..waves.len()).map(move |w| (i, w))).collect();
    let empty: Vec<usize> = Vec::new();
    let rows: Vec<(stats::PairedT, Option<f64>)> = cells
        .par_iter()
        .map(|&(i, w)| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            let (p, f) = (pick(&post, idx), pick(&follows[w], idx));
            let paired = stats::paired_t(&p, &f, ctx.alpha).map_err(serr(T))?;
            let triples: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&j| pre[j].is_some() && post[j].is_some() && follows[w][j].is_some())
                .collect();
            let means = (
                stats::mean(&pick(&pre, &triples)),
                stats::mean(&pick(&post, &triples)),
                stats::mean(&pick(&follows[w], &triples)),
            );
            let retention = match means {
                (Some(a), Some(b), Some(f)) if stats::round_for_ties(b - a) != 0.0 => Some((f - a) / (b - a)),
                _ => None,
            };
            Ok((paired, retention))
        })
        .collect::<Result<_, IndicatorError>>()?;
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.0.n as i64)).collect();
    let status = primary(&n, ctx.min_cell);
    let p: Vec<Option<f64>> = rows.iter().map(|r| r.0.test.map(|t| t.p)).collect();
    let df = Out::new(cells.len())
        .str(col::CLASS_ID, cells.iter().map(|&(i, _)| cl[i]))
        .str(col::WAVE, cells.iter().map(|&(_, w)| Some(waves[w].0)))
        .int(col::N_PAIRS, n.clone())
        .f64(col::POST_MEAN, rows.iter().map(|r| r.0.mean_pre))
        .f64(col::FOLLOW_MEAN, rows.iter().map(|r| r.0.mean_post))
        .f64(col::MEAN_DIFF, rows.iter().map(|r| r.0.mean_diff))
        .f64(col::SD_DIFF, rows.iter().map(|r| r.0.sd_diff))
        .f64(col::T, rows.iter().map(|r| r.0.test.map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| r.0.test.map(|t| t.df)))
        .f64(col::P_VALUE, p.iter().copied())
        .f64(col::CI_LOW, rows.iter().map(|r| r.0.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.0.test.map(|t| t.ci_high)))
        .f64(col::RETENTION, rows.iter().map(|r| r.1))
        .f64(col::P_BH, bh_published(&p, &status))
        .finish(T)?;
    suppress(df, &status, &[col::CLASS_ID, col::WAVE], T)
}

/// `assessment_by_class`: the two-way assessment's self-rating against the ratings
/// by class managers, teachers and peers (paired per trainee, differences self −
/// others: the self-rating inflation); one row per class of the period, as the other
/// tables of this family.
pub fn assessment_by_class(
    outcomes: &DataFrame,
    classes: &DataFrame,
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "assessment_by_class";
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let (others, own) = (f64s(outcomes, col::TRAINEE_ASSESSMENT, T)?, f64s(outcomes, col::SELF_ASSESSMENT, T)?);
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let (cl, year) = (strs(classes, col::CLASS_ID, T)?, i64s(classes, col::YEAR, T)?);
    let order = period_classes(&cl, &year, ctx);
    let empty: Vec<usize> = Vec::new();
    let rows: Vec<stats::PairedT> = order
        .par_iter()
        .map(|&i| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            stats::paired_t(&pick(&others, idx), &pick(&own, idx), ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, IndicatorError>>()?;
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.n as i64)).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .int(col::N_PAIRS, n.clone())
        .f64(col::OTHERS_MEAN, rows.iter().map(|r| r.mean_pre))
        .f64(col::SELF_MEAN, rows.iter().map(|r| r.mean_post))
        .f64(col::MEAN_DIFF, rows.iter().map(|r| r.mean_diff))
        .f64(col::SD_DIFF, rows.iter().map(|r| r.sd_diff))
        .f64(col::T, rows.iter().map(|r| r.test.map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| r.test.map(|t| t.df)))
        .f64(col::P_VALUE, rows.iter().map(|r| r.test.map(|t| t.p)))
        .f64(col::CI_LOW, rows.iter().map(|r| r.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.test.map(|t| t.ci_high)))
        .finish(T)?;
    suppress(df, &primary(&n, ctx.min_cell), &[col::CLASS_ID], T)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_classes_follow_the_wwc_cut_offs() {
        assert_eq!(Baseline::of(0.05), Baseline::Equivalent);
        assert_eq!(Baseline::of(-0.05), Baseline::Equivalent);
        assert_eq!(Baseline::of(0.050_000_000_1), Baseline::Equivalent, "judged on 9 decimals");
        assert_eq!(Baseline::of(0.0501), Baseline::Adjust);
        assert_eq!(Baseline::of(-0.25), Baseline::Adjust);
        assert_eq!(Baseline::of(0.2501), Baseline::NotEquivalent);
    }

    #[test]
    fn an_effect_needs_every_check_to_pass() {
        let ok = Checks::new(Some(0.10), Some(Baseline::Adjust), Some(true));
        assert_eq!(ok.claim(), Claim::Effect);
        assert_eq!(Checks::new(Some(0.0999), Some(Baseline::Equivalent), Some(true)).claim(), Claim::Association);
        assert_eq!(Checks::new(Some(0.5), Some(Baseline::NotEquivalent), Some(true)).claim(), Claim::Association);
        assert_eq!(Checks::new(Some(0.5), Some(Baseline::Equivalent), Some(false)).claim(), Claim::Association);
        // A check that cannot be made fails.
        assert_eq!(Checks::new(None, Some(Baseline::Equivalent), Some(true)).claim(), Claim::Association);
        assert_eq!(Checks::new(Some(0.5), None, Some(true)).claim(), Claim::Association);
        assert_eq!(Checks::new(Some(0.5), Some(Baseline::Equivalent), None).claim(), Claim::Association);
    }

    /// A pool's control groups: each member's reviews at the class's dates; members with
    /// a class between their two reviews are no controls, those without reviews are
    /// eligible and lost; classes with the same ranks share a group.
    #[test]
    fn a_pool_groups_its_members_by_the_class_dates() {
        let h1: &History = &[(10, 70.0), (20, 72.0), (100, 75.0), (130, 80.0)];
        let h2: &History = &[(20, 61.0), (20, 62.0), (140, 66.0)];
        let h3: &History = &[(5, 90.0), (200, 95.5)];
        let h4: &History = &[(15, 50.0)];
        let members = [
            Member { reviews: h1, classes: &[] },
            Member { reviews: h2, classes: &[(60, 70)] },
            Member { reviews: h3, classes: &[(210, 220)] },
            Member { reviews: h4, classes: &[] },
            Member { reviews: &[], classes: &[] },
        ];
        let pool = Pool::new(&members);
        assert_eq!(pool.dates, [5, 10, 15, 20, 100, 130, 140, 200]);
        assert_eq!(pool.empty, 1);
        // Classes from day 21 with reviews after from day 101 (two classes), from day 25
        // and 110 (the same ranks), and from day 12.
        assert_eq!((pool.rank(21), pool.rank(101)), (pool.rank(25), pool.rank(110)));
        let mut design = Design::default();
        let out = pool.controls(&[(21, 101), (25, 110), (12, 101)], &[2, 1, 1], &mut design).unwrap();
        let g = &out.groups[0];
        // h1: 72 → 80; h2: contaminated (class 60–70 between days 20 and 140); h3: 90 → 95.5
        // (its class comes after); h4: no review after; the member without reviews.
        assert_eq!(g.flow, ControlFlow { eligible: 4, review_before: 3, review_after: 2 });
        assert_eq!((g.deltas.n(), g.deltas.mean()), (2, Some((8.0 + 5.5) / 2.0)));
        assert_eq!((g.before.mean(), g.after.mean()), (Some(81.0), Some(87.75)));
        assert_eq!((out.groups[1].flow, out.groups[1].deltas), (g.flow, g.deltas));
        // From day 12, h2 has no review before: eligible, not analysed, not contaminated.
        assert_eq!(out.groups[2].flow, ControlFlow { eligible: 5, review_before: 2, review_after: 2 });
        // Distinct: h2 eligible through the third class.
        assert_eq!(out.distinct, ControlFlow { eligible: 5, review_before: 3, review_after: 2 });
        // The event study counts each control once per class: period 0 of h1 and h3 in
        // the first two keys' 3 classes, and in the third once each.
        let f = design.fit(0.05).unwrap();
        assert_eq!(f.did().n_control, 2 * 3 + 2);
    }

    /// Every cadre's reviews, sorted by (date, kind), over more cadres than a block
    /// holds: cadres at the blocks' edges, cadres without reviews, reviews out of order.
    #[test]
    fn histories_across_blocks() {
        let n = Histories::BLOCK + 7;
        let id = |c: usize| format!("C{c:06}");
        let (mut who, mut date, mut kind, mut total) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for c in (0..n).rev() {
            // c % 3 reviews: two on one date told apart by kind, listed backwards.
            for r in (0..c % 3).rev() {
                who.push(id(c));
                date.push(1000 + (c % 5) as i32);
                kind.push(if r == 0 { "annual" } else { "key_node" });
                total.push(c as f64 + r as f64 / 10.0);
            }
        }
        // A review of an id no other table names: in no history.
        who.push("X1".into());
        date.push(1000);
        kind.push("annual");
        total.push(1.0);
        let who_len = who.len();
        let reviews = DataFrame::new(
            who.len(),
            vec![
                Column::new("cadre_id".into(), who),
                Column::new("review_date".into(), date).cast(&DataType::Date).unwrap(),
                Column::new("kind".into(), kind),
                Column::new("total".into(), total),
            ],
        )
        .unwrap();
        let cadres = df!("cadre_id" => (0..n).map(id).collect::<Vec<_>>()).unwrap();
        let outcomes = df!("cadre_id" => Vec::<String>::new(), "year" => Vec::<i32>::new()).unwrap();
        let keys = Cadres::from_frames(&cadres, &outcomes, "t").unwrap();
        let h = Histories::new(&reviews, &keys).unwrap();
        assert_eq!((h.blocks.len(), h.ends.len()), (2, n));
        assert_eq!(h.blocks.iter().map(Vec::len).sum::<usize>(), who_len - 1);
        let number: std::collections::HashMap<&str, u32> =
            keys.ids.iter().enumerate().map(|(k, s)| (*s, k as u32)).collect();
        for c in 0..n {
            let number = number[id(c).as_str()];
            let want: Vec<(i32, f64)> =
                (0..c % 3).map(|r| (1000 + (c % 5) as i32, c as f64 + r as f64 / 10.0)).collect();
            assert_eq!(h.of(number), want.as_slice(), "cadre {c}");
        }
    }

    type Classes = Vec<(i32, i32)>;

    /// A random would-be control: up to five reviews (dates may repeat) and up to two
    /// classes of its own.
    fn member() -> impl proptest::strategy::Strategy<Value = (Vec<(i32, f64)>, Classes)> {
        use proptest::prelude::*;
        let review = (0i32..60, 0u8..100).prop_map(|(d, x)| (d, f64::from(x)));
        let class = (0i32..60, 0i32..10).prop_map(|(s, len)| (s, s + len));
        (prop::collection::vec(review, 0..6), prop::collection::vec(class, 0..3)).prop_map(|(mut h, c)| {
            // Sorted by date, as a history is (stable: same-day reviews keep their order).
            h.sort_by_key(|r| r.0);
            (h, c)
        })
    }

    proptest::proptest! {
        /// The flat pool (one group per pair of date ranks, every member read once for
        /// all classes) gives each class the controls of the plain definition, and the
        /// distinct controls of the definition; classes with the same ranks have the
        /// same controls by the definition too.
        #[test]
        fn the_pool_agrees_with_the_definition(
            members in proptest::collection::vec(member(), 0..10),
            keys in proptest::collection::vec((0i32..60, 0i32..25), 1..6),
        ) {
            let members: Vec<Member> =
                members.iter().map(|(h, c)| Member { reviews: h.as_slice(), classes: c.as_slice() }).collect();
            let keys: Vec<(i32, i32)> = keys.into_iter().map(|(s, lag)| (s, s + lag)).collect();
            let pool = Pool::new(&members);
            let mut design = Design::default();
            let out = pool.controls(&keys, &vec![1; keys.len()], &mut design).unwrap();
            let want: Vec<ControlGroup> = keys.iter().map(|&(s, t)| class_controls(&members, s, t)).collect();
            proptest::prop_assert_eq!(&out.groups, &want);
            proptest::prop_assert_eq!(out.distinct, distinct_controls(&members, &keys));
            for (a, ka) in keys.iter().enumerate() {
                for (b, kb) in keys.iter().enumerate() {
                    if (pool.rank(ka.0), pool.rank(ka.1)) == (pool.rank(kb.0), pool.rank(kb.1)) {
                        proptest::prop_assert_eq!(&want[a], &want[b]);
                    }
                }
            }
        }
    }
}
