//! Writes what comes after training: annual reviews and unit outcomes.
//!
//! In: the [`Plan`] (cadres, their classes, attrition flags, units) and the [`Design`].
//! Out: `reviews.csv` — an annual review in December of each year from year − 3 to
//! year − 1 for every cadre, and from the year to year + 3 for every cadre not lost —
//! and `unit_outcomes.csv` — three metrics per unit for year − 1 and the year; planted
//! bad rows; the realised transfer, attrition, baseline and event-study statistics in
//! [`Observed`].
//!
//! Guarantees: every trainee of the year has the relative periods −3 … +2 of SPEC §7.2
//! (−1 = December of year − 1, the latest review before any class of the year, which
//! starts in March or later; 0 = December of the year or of year + 1, the first review
//! from end + 90 days) unless lost; every review dated after a cadre's first class ended
//! carries the transfer effect; trainees and controls share the same drift and the same
//! review levels, so the difference-in-differences of SPEC C.12 estimates
//! `transfer_effect` and the pre-period estimates are 0 — unless `--plant pretrend`
//! lowers a trainee's reviews before the −1 review by `pretrend_per_year` a year.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dates::{civil_from_days, days_from_civil, iso_date};
use super::dirty::{values, Dirty};
use super::domain::{grade_of, REVIEW_DIMENSIONS, UNIT_METRICS};
use super::model::{normal, score, MODEL};
use super::plan::Plan;
use super::truth::{reason, EventPeriod, Mean, Observed};
use super::writers::{Field, FileKind, FileSummary, InputWriter};
use super::{Design, GenerateError};

/// Offsets of the review dimensions around a cadre's level (sum 0).
const DIMENSION_OFFSET: [f64; 5] = [2.0, -1.0, 1.0, -3.0, 1.0];
/// Review kind of the generated reviews.
pub const REVIEW_KIND: &str = "annual";
/// Years of the December reviews, relative to the year: three before it (the event
/// study's −3 … −1 of the year's classes) and four from it on (0 … +2 whether 0 falls in
/// the year or, for a class ending after mid-September, in year + 1). Seven a cadre.
pub const REVIEW_YEARS: (i32, i32) = (-3, 3);
/// Relative periods of the event study (SPEC §7.2), reference −1.
pub const EVENT_PERIODS: (i32, i32) = (-3, 2);

const T_REVIEWS: &str = crate::schema::wh::REVIEWS;
const T_UNITS: &str = crate::schema::wh::UNIT_OUTCOMES;

/// One review as written: date (day number), calendar year and the five dimension scores.
struct Review {
    day: i64,
    year: i32,
    dims: [i64; 5],
}

impl Review {
    fn score(&self) -> f64 {
        self.dims.iter().sum::<i64>() as f64 / 5.0
    }
}

/// Running count, mean and sum of squares (Welford), for Hedges' g.
#[derive(Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }
}

/// Hedges' g of `a` over `b` (pooled SD, small-sample correction); 0 when undefined.
fn hedges_g(a: &Moments, b: &Moments) -> f64 {
    let df = a.n + b.n - 2.0;
    if a.n < 2.0 || b.n < 2.0 {
        return 0.0;
    }
    let sd = ((a.m2 + b.m2) / df).sqrt();
    if sd == 0.0 {
        return 0.0;
    }
    (a.mean - b.mean) / sd * (1.0 - 3.0 / (4.0 * (a.n + b.n) - 9.0))
}

/// The event study's running sums: per relative period, the trainees' changes from −1
/// and how many fall in each calendar year; per calendar year, the controls' changes
/// from December of year − 1.
struct Events {
    first_year: i32,
    trained: Vec<Mean>,
    trained_years: Vec<Vec<u64>>,
    control: Vec<Mean>,
}

impl Events {
    fn new(year: i32) -> Events {
        let periods = (EVENT_PERIODS.1 - EVENT_PERIODS.0 + 1) as usize;
        let years = (REVIEW_YEARS.1 - REVIEW_YEARS.0 + 1) as usize;
        Events {
            first_year: year + REVIEW_YEARS.0,
            trained: vec![Mean::default(); periods],
            trained_years: vec![vec![0; years]; periods],
            control: vec![Mean::default(); years],
        }
    }

    /// Index of calendar year `y` among the event study's years (year − 3 … year + 3).
    fn year_slot(&self, y: i32) -> Option<usize> {
        usize::try_from(y - self.first_year).ok().filter(|&k| k < self.control.len())
    }

    fn finish(&self) -> Vec<EventPeriod> {
        (EVENT_PERIODS.0..=EVENT_PERIODS.1)
            .zip(self.trained.iter().zip(&self.trained_years))
            .map(|(rel, (t, years))| {
                let control =
                    years.iter().zip(&self.control).map(|(&n, c)| n as f64 * c.mean).sum::<f64>() / (t.n.max(1) as f64);
                EventPeriod {
                    rel_period: rel,
                    n_trained: t.n,
                    trained_change: t.mean,
                    control_change: control,
                    estimate: t.mean - control,
                }
            })
            .collect()
    }
}

/// Write `reviews.csv`; the realised statistics go to `obs`, one per year of the set
/// (first year first; one for a one-year set).
pub fn write_reviews(
    dir: &std::path::Path,
    plan: &Plan,
    seed: u64,
    design: &Design,
    dirty: &mut Dirty,
    obs: &mut [Observed],
) -> Result<FileSummary, GenerateError> {
    let mut header = vec!["cadre_id", "review_date", "kind"];
    header.extend(REVIEW_DIMENSIONS);
    header.push("grade");
    let mut w = InputWriter::create(dir, "reviews.csv", T_REVIEWS, FileKind::Csv, &header)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(super::STREAM_REVIEWS);
    let mut bad = ChaCha8Rng::seed_from_u64(seed);
    bad.set_stream(super::STREAM_REVIEWS_DIRTY);
    let year = plan.year;
    let first_year = plan.first_year();
    let lag = super::TRANSFER_LAG_DAYS;
    let mut sums: Vec<YearSums> = (first_year..=year).map(YearSums::new).collect();
    for (i, c) in plan.cadres.iter().enumerate() {
        let id = Plan::cadre_id(i);
        let rd = plan.units[c.unit as usize].review_day;
        let classes = plan.classes_of(i);
        let first = classes.first().map(|&k| &plan.classes[k as usize]);
        let transfer_effect = first.map(|k| design.transfer_effect(civil_from_days(k.start).0));
        let last = plan.last_review_year(i);
        let reviews: Vec<Review> = (first_year + REVIEW_YEARS.0..=last)
            .map(|ry| {
                let day = days_from_civil(ry, 12, rd);
                let transfer = match (first, transfer_effect) {
                    (Some(k), Some(effect)) if day > k.end => effect,
                    _ => 0.0,
                };
                // The pretrend plant: the reviews before the −1 review lag behind it.
                let pretrend = match first {
                    Some(k) if day < k.start => {
                        let minus_one = civil_from_days(k.start).0 - 1;
                        -design.pretrend_per_year * f64::from(minus_one - ry)
                    }
                    _ => 0.0,
                };
                let level = f64::from(c.review_base)
                    + MODEL.review_drift_per_year * f64::from(ry - (year - 1))
                    + transfer
                    + pretrend;
                let dims = std::array::from_fn(|d| {
                    i64::from(score(level + DIMENSION_OFFSET[d] + normal(&mut rng, 0.0, MODEL.review_noise_sd), 0, 100))
                });
                Review { day, year: ry, dims }
            })
            .collect();
        for r in &reviews {
            write_review(&mut w, &id, &iso_date(r.day), r.dims.map(|d| d.to_string()), grade_of(r.score()))?;
        }
        for (s, o) in sums.iter_mut().zip(obs.iter_mut()) {
            observe(plan, i, &reviews, lag, o, s);
        }
        let n = reviews.len();
        for k in 0..dirty.want(&mut bad, T_REVIEWS, reason::BAD_DATE, n) {
            let r = &reviews[bad.gen_range(0..n)];
            let date = if k % 2 == 0 { format!("{year}-02-30") } else { format!("{year}/13/01") };
            write_review(&mut w, &id, &date, r.dims.map(|d| d.to_string()), grade_of(r.score()))?;
            dirty.record(T_REVIEWS, reason::BAD_DATE);
        }
        for _ in 0..dirty.want(&mut bad, T_REVIEWS, reason::OUT_OF_RANGE, n) {
            let r = &reviews[bad.gen_range(0..n)];
            let mut dims = r.dims.map(|d| d.to_string());
            dims[bad.gen_range(0..5)] = values::SCORE_OUT_OF_RANGE[bad.gen_range(0..2)].to_string();
            write_review(&mut w, &id, &iso_date(r.day), dims, grade_of(r.score()))?;
            dirty.record(T_REVIEWS, reason::OUT_OF_RANGE);
        }
    }
    let share_lost = |n: u64, followed: u64| if n == 0 { 0.0 } else { 1.0 - followed as f64 / n as f64 };
    for (s, obs) in sums.iter().zip(obs.iter_mut()) {
        obs.attrition = share_lost(obs.attrition_enrollments, obs.attrition_followed);
        obs.attrition_control = share_lost(obs.attrition_control_eligible, obs.attrition_control_followed);
        obs.attrition_differential = obs.attrition - obs.attrition_control;
        obs.baseline_g = hedges_g(&s.base_trained, &s.base_control);
        obs.event_study = s.events.finish();
    }
    w.finish()
}

/// The running sums of one year's realised transfer statistics.
struct YearSums {
    year: i32,
    events: Events,
    base_trained: Moments,
    base_control: Moments,
}

impl YearSums {
    fn new(year: i32) -> YearSums {
        YearSums { year, events: Events::new(year), base_trained: Moments::default(), base_control: Moments::default() }
    }
}

/// Adds cadre `i`'s reviews to the realised statistics of `s.year`: per enrollment in a
/// class starting in that year (SPEC C.12: before = the latest review before the start,
/// after = the first on or after end + lag; the event study's periods around them), or
/// as a control (no class starting in year − 1 … year + 1: what a transfer indicator
/// keeps after excluding contaminated and washout cadres; for a one-year set, no class
/// at all).
fn observe(plan: &Plan, i: usize, reviews: &[Review], lag: i64, obs: &mut Observed, s: &mut YearSums) {
    let year = s.year;
    let events = &mut s.events;
    let classes = plan.classes_of(i);
    let reference = reviews.iter().position(|r| r.year == year - 1);
    let near = classes.iter().any(|&k| (year - 1..=year + 1).contains(&plan.class_year(k as usize)));
    if !near {
        let Some(b) = reference else { return };
        let before = reviews[b].score();
        s.base_control.add(before);
        obs.attrition_control_eligible += 1;
        obs.attrition_control_followed += u64::from(reviews.len() > b + 1);
        for r in reviews {
            if let Some(m) = events.year_slot(r.year).and_then(|y| events.control.get_mut(y)) {
                m.add(r.score() - before);
            }
        }
        if reviews.len() > b + 2 {
            obs.transfer_control_delta_1y.add(reviews[b + 1].score() - before);
            obs.transfer_control_delta_2y.add(reviews[b + 2].score() - before);
        }
        return;
    }
    if !plan.trained_in(i, year) {
        return;
    }
    if let Some(b) = reference {
        s.base_trained.add(reviews[b].score());
    }
    for &k in classes.iter().filter(|&&k| plan.class_year(k as usize) == year) {
        obs.attrition_enrollments += 1;
        let class = &plan.classes[k as usize];
        let before = reviews.iter().rposition(|r| r.day < class.start);
        let after = reviews.iter().position(|r| r.day >= class.end + lag);
        let (Some(b), Some(a)) = (before, after) else { continue };
        obs.attrition_followed += 1;
        let base = reviews[b].score();
        obs.transfer_trained_delta.add(reviews[a].score() - base);
        if plan.periods.is_some() && classes.first() == Some(&k) {
            obs.transfer_first_class_delta.get_or_insert_with(Mean::default).add(reviews[a].score() - base);
        }
        for rel in EVENT_PERIODS.0..=EVENT_PERIODS.1 {
            let at = if rel < 0 { b as i64 + 1 + i64::from(rel) } else { a as i64 + i64::from(rel) };
            let Some(r) = usize::try_from(at).ok().and_then(|at| reviews.get(at)) else { continue };
            let Some(y) = events.year_slot(r.year) else { continue };
            let p = (rel - EVENT_PERIODS.0) as usize;
            events.trained[p].add(r.score() - base);
            events.trained_years[p][y] += 1;
        }
    }
}

fn write_review(
    w: &mut InputWriter,
    id: &str,
    date: &str,
    dims: [String; 5],
    grade: &str,
) -> Result<(), GenerateError> {
    let mut cells = vec![Field::Str(id), Field::Str(date), Field::Str(REVIEW_KIND)];
    cells.extend(dims.iter().map(|d| Field::Str(d)));
    cells.push(Field::Str(grade));
    w.row(&cells)
}

/// Write `unit_outcomes.csv`: each metric for the year before the set and every year of
/// it; the change of a year grows with the share of the unit's cadres trained in it.
pub fn write_unit_outcomes(
    dir: &std::path::Path,
    plan: &Plan,
    seed: u64,
    dirty: &mut Dirty,
) -> Result<FileSummary, GenerateError> {
    let mut w = InputWriter::create(
        dir,
        "unit_outcomes.csv",
        T_UNITS,
        FileKind::Csv,
        &["unit_id", "period", "metric", "value"],
    )?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(super::STREAM_UNITS);
    let mut bad = ChaCha8Rng::seed_from_u64(seed);
    bad.set_stream(super::STREAM_UNITS_DIRTY);
    let years: Vec<i32> = (plan.first_year()..=plan.year).collect();
    // Per unit: staff, and trained staff per year.
    let mut staff = vec![0u32; plan.units.len()];
    let mut trained = vec![0u32; plan.units.len() * years.len()];
    for (i, c) in plan.cadres.iter().enumerate() {
        staff[c.unit as usize] += 1;
        for (y, &year) in years.iter().enumerate() {
            let t = if plan.periods.is_some() { plan.trained_in(i, year) } else { plan.trained_in_year(i) };
            trained[c.unit as usize * years.len() + y] += u32::from(t);
        }
    }
    let periods: Vec<String> =
        std::iter::once(plan.first_year() - 1).chain(years.iter().copied()).map(|y| y.to_string()).collect();
    let after = plan.year.to_string();
    let round1 = |x: f64| (x.clamp(0.0, 100.0) * 10.0).round() / 10.0;
    let mut ghosts = plan.units.len();
    let mut values = vec![0.0; periods.len()];
    for (u, &n) in staff.iter().enumerate() {
        let id = Plan::unit_id(u);
        for (metric, base) in UNIT_METRICS {
            values[0] = normal(&mut rng, base, MODEL.unit_sd);
            for y in 0..years.len() {
                let t = trained[u * years.len() + y];
                let share = if n == 0 { 0.0 } else { f64::from(t) / f64::from(n) };
                values[y + 1] = values[y]
                    + MODEL.unit_drift
                    + MODEL.unit_slope_per_share * share
                    + normal(&mut rng, 0.0, MODEL.unit_noise_sd);
            }
            for (period, &v) in periods.iter().zip(&values) {
                w.row(&[Field::Str(&id), Field::Str(period), Field::Str(metric), Field::Num(round1(v))])?;
            }
        }
        for _ in 0..dirty.want(&mut bad, T_UNITS, reason::UNKNOWN_ID, periods.len() * UNIT_METRICS.len()) {
            ghosts += 1;
            let ghost = Plan::unit_id(ghosts);
            let v = round1(normal(&mut bad, UNIT_METRICS[0].1, MODEL.unit_sd));
            w.row(&[Field::Str(&ghost), Field::Str(&after), Field::Str(UNIT_METRICS[0].0), Field::Num(v)])?;
            dirty.record(T_UNITS, reason::UNKNOWN_ID);
        }
    }
    w.finish()
}
