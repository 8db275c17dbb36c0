//! Writes what comes after training: annual reviews and unit outcomes.
//!
//! In: the [`Plan`] (cadres, their classes, attrition flags, units). Out: `reviews.csv`
//! — an annual review in December of year − 1 for every cadre, and in December of the
//! year and of year + 1 for every cadre not lost — and `unit_outcomes.csv` — three metrics
//! per unit for year − 1 and the year; planted bad rows; the realised transfer and
//! attrition statistics in [`Observed`]. Guarantees: the review before any class is the
//! one of year − 1 (classes start in March or later); every review dated after a cadre's
//! first class ended carries the transfer effect, untrained cadres share the same drift,
//! so the difference-in-differences of SPEC C.12 estimates `transfer_effect`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dates::{days_from_civil, iso_date};
use super::dirty::{values, Dirty};
use super::domain::{grade_of, REVIEW_DIMENSIONS, UNIT_METRICS};
use super::model::{normal, score, MODEL};
use super::plan::Plan;
use super::truth::{reason, Observed};
use super::writers::{Cell, FileKind, FileSummary, TableWriter};
use super::GenerateError;

/// Offsets of the review dimensions around a cadre's level (sum 0).
const DIMENSION_OFFSET: [f64; 5] = [2.0, -1.0, 1.0, -3.0, 1.0];
/// Review kind of the generated reviews.
pub const REVIEW_KIND: &str = "annual";

const T_REVIEWS: &str = "reviews";
const T_UNITS: &str = "unit_outcomes";

/// One review as written: date (day number) and the five dimension scores.
struct Review {
    day: i64,
    dims: [i64; 5],
}

impl Review {
    fn score(&self) -> f64 {
        self.dims.iter().sum::<i64>() as f64 / 5.0
    }
}

/// Write `reviews.csv`.
pub fn write_reviews(
    dir: &std::path::Path,
    plan: &Plan,
    seed: u64,
    dirty: &mut Dirty,
    obs: &mut Observed,
) -> Result<FileSummary, GenerateError> {
    let mut header = vec!["cadre_id", "review_date", "kind"];
    header.extend(REVIEW_DIMENSIONS);
    header.push("grade");
    let mut w = TableWriter::create(dir, "reviews.csv", T_REVIEWS, FileKind::Csv, &header)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(super::STREAM_REVIEWS);
    let mut bad = ChaCha8Rng::seed_from_u64(seed);
    bad.set_stream(super::STREAM_REVIEWS_DIRTY);
    let year = plan.year;
    let lag = super::TRANSFER_LAG_DAYS;
    for (i, c) in plan.cadres.iter().enumerate() {
        let id = Plan::cadre_id(i);
        let rd = plan.units[c.unit as usize].review_day;
        let classes = plan.classes_of(i);
        let first_end = classes.first().map(|&k| plan.classes[k as usize].end);
        let years: &[i32] = if c.lost { &[0] } else { &[0, 1, 2] };
        let reviews: Vec<Review> = years
            .iter()
            .map(|&t| {
                let day = days_from_civil(year - 1 + t, 12, rd);
                let transfer = if first_end.is_some_and(|e| day > e) { MODEL.transfer_effect } else { 0.0 };
                let level = f64::from(c.review_base) + MODEL.review_drift_per_year * f64::from(t) + transfer;
                let dims = std::array::from_fn(|d| {
                    i64::from(score(level + DIMENSION_OFFSET[d] + normal(&mut rng, 0.0, MODEL.review_noise_sd), 0, 100))
                });
                Review { day, dims }
            })
            .collect();
        for r in &reviews {
            write_review(&mut w, &id, &iso_date(r.day), r.dims.map(|d| d.to_string()), grade_of(r.score()))?;
        }
        // Realised transfer (SPEC C.12): before = the review of year − 1, after = the first
        // review on or after end + lag.
        for &k in classes {
            obs.attrition_enrollments += 1;
            let end = plan.classes[k as usize].end;
            if let Some(after) = reviews.iter().find(|r| r.day >= end + lag) {
                obs.attrition_followed += 1;
                obs.transfer_trained_delta.add(after.score() - reviews[0].score());
            }
        }
        if classes.is_empty() && reviews.len() == 3 {
            obs.transfer_control_delta_1y.add(reviews[1].score() - reviews[0].score());
            obs.transfer_control_delta_2y.add(reviews[2].score() - reviews[0].score());
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
    obs.attrition = if obs.attrition_enrollments == 0 {
        0.0
    } else {
        1.0 - obs.attrition_followed as f64 / obs.attrition_enrollments as f64
    };
    w.finish()
}

fn write_review(
    w: &mut TableWriter,
    id: &str,
    date: &str,
    dims: [String; 5],
    grade: &str,
) -> Result<(), GenerateError> {
    let mut cells = vec![Cell::Str(id), Cell::Str(date), Cell::Str(REVIEW_KIND)];
    cells.extend(dims.iter().map(|d| Cell::Str(d)));
    cells.push(Cell::Str(grade));
    w.row(&cells)
}

/// Write `unit_outcomes.csv`: each metric for year − 1 and the year; the change grows
/// with the share of the unit's cadres trained during the year.
pub fn write_unit_outcomes(
    dir: &std::path::Path,
    plan: &Plan,
    seed: u64,
    dirty: &mut Dirty,
) -> Result<FileSummary, GenerateError> {
    let mut w = TableWriter::create(
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
    let mut staff = vec![(0u32, 0u32); plan.units.len()];
    for (i, c) in plan.cadres.iter().enumerate() {
        let s = &mut staff[c.unit as usize];
        s.0 += 1;
        s.1 += u32::from(!plan.classes_of(i).is_empty());
    }
    let (before, after) = ((plan.year - 1).to_string(), plan.year.to_string());
    let round1 = |x: f64| (x.clamp(0.0, 100.0) * 10.0).round() / 10.0;
    let mut ghosts = plan.units.len();
    for (u, &(n, trained)) in staff.iter().enumerate() {
        let share = if n == 0 { 0.0 } else { f64::from(trained) / f64::from(n) };
        let id = Plan::unit_id(u);
        for (metric, base) in UNIT_METRICS {
            let v0 = normal(&mut rng, base, MODEL.unit_sd);
            let v1 =
                v0 + MODEL.unit_drift + MODEL.unit_slope_per_share * share + normal(&mut rng, 0.0, MODEL.unit_noise_sd);
            w.row(&[Cell::Str(&id), Cell::Str(&before), Cell::Str(metric), Cell::Num(round1(v0))])?;
            w.row(&[Cell::Str(&id), Cell::Str(&after), Cell::Str(metric), Cell::Num(round1(v1))])?;
        }
        for _ in 0..dirty.want(&mut bad, T_UNITS, reason::UNKNOWN_ID, 2 * UNIT_METRICS.len()) {
            ghosts += 1;
            let ghost = Plan::unit_id(ghosts);
            let v = round1(normal(&mut bad, UNIT_METRICS[0].1, MODEL.unit_sd));
            w.row(&[Cell::Str(&ghost), Cell::Str(&after), Cell::Str(UNIT_METRICS[0].0), Cell::Num(v)])?;
            dirty.record(T_UNITS, reason::UNKNOWN_ID);
        }
    }
    w.finish()
}
