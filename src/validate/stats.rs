//! Person-level rating statistics gathered while the wide rating rows are validated.
//!
//! `trainee_outcomes` needs, per (class, cadre), the trainee's `reaction` (mean course
//! total over the courses the trainee rated completely) and the assessment received
//! (mean score from others, mean self score). Course and trainee ratings arrive wide —
//! one source row per (class, course, rater) or (class, cadre, role, rater) with one
//! column per indicator — so each accepted row's course total and score sum are known
//! the moment it is accepted. Summing them here, keyed by the interned class and cadre
//! indices of the [`Registry`](super::Registry), replaces a scan and two string-keyed
//! group-bys over the long tables (≈ 2·10⁷ rows each at 10⁶ cadres) by a few hash
//! map updates per row.
//!
//! Guarantees: only accepted rows are added (the caller adds a row after every check,
//! duplicates included, has passed), with exactly the scores written to the warehouse;
//! sums use the same compensated (Kahan) summation as polars' group-by `sum`/`mean`,
//! in source row order, so the means equal those a group-by over the written long
//! tables gives (see `warehouse::join::RatingScores::from_warehouse`, the reference
//! the tests compare against).

use rustc_hash::FxHashMap;

/// Compensated summation, as polars' `KahanSum` (group-by `sum` and `mean` of floats).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KahanSum {
    sum: f64,
    err: f64,
}

impl KahanSum {
    pub fn add(&mut self, x: f64) {
        let y = x - self.err;
        let new_sum = self.sum + y;
        let new_err = (new_sum - self.sum) - y;
        self.sum = new_sum;
        if new_err.is_finite() {
            self.err = new_err;
        }
    }

    pub fn sum(&self) -> f64 {
        self.sum
    }
}

/// A running mean: compensated sum and count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanAcc {
    pub sum: KahanSum,
    pub n: u64,
}

impl MeanAcc {
    pub fn add(&mut self, x: f64) {
        self.sum.add(x);
        self.n += 1;
    }

    /// The mean as polars computes it (sum / n); `None` without values.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.sum() / self.n as f64)
    }
}

/// Running means per (class, cadre), grouped by class: rating rows come class by class,
/// so the small per-class map a row updates is already in cache (one flat map of 10⁶
/// trainees cost a cache miss per row).
#[derive(Debug, Default)]
pub struct PerTrainee(FxHashMap<u32, FxHashMap<u32, MeanAcc>>);

impl PerTrainee {
    fn entry(&mut self, class: u32, cadre: u32) -> &mut MeanAcc {
        self.0.entry(class).or_default().entry(cadre).or_default()
    }

    /// The running mean of (interned class, interned cadre).
    pub fn get(&self, class: u32, cadre: u32) -> Option<&MeanAcc> {
        self.0.get(&class)?.get(&cadre)
    }

    /// Every ((class, cadre), mean), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = ((u32, u32), &MeanAcc)> {
        self.0.iter().flat_map(|(&class, m)| m.iter().map(move |(&cadre, acc)| ((class, cadre), acc)))
    }

    /// The number of (class, cadre) pairs.
    pub fn len(&self) -> usize {
        self.0.values().map(|m| m.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Add another input's sums (each map is fed by one input table, so keys rarely
    /// meet; when they do, sums and counts add).
    fn merge(&mut self, other: PerTrainee) {
        if self.is_empty() {
            *self = other;
            return;
        }
        for ((class, cadre), v) in other.iter() {
            let acc = self.entry(class, cadre);
            acc.sum.add(v.sum.sum());
            acc.n += v.n;
        }
    }
}

/// Per-(class, cadre) sums of the accepted rating rows of one job.
#[derive(Debug, Default)]
pub struct RatingStats {
    /// Course totals of complete course ratings, by (class, rater).
    pub reaction: PerTrainee,
    /// Scores received from class managers, teachers and peers, by (class, rated cadre).
    pub by_others: PerTrainee,
    /// Self scores, by (class, cadre).
    pub by_self: PerTrainee,
}

/// What one accepted rating row contributes.
#[derive(Debug, Clone, Copy)]
pub(super) enum RatingContribution {
    /// A course rating by `rater` in `class`; it counts when all `indicators` are scored.
    Course { class: u32, rater: u32, indicators: usize },
    /// Scores received by `cadre` in `class`, from itself or from others.
    Trainee { class: u32, cadre: u32, by_self: bool },
}

impl RatingStats {
    /// Add one accepted row with its non-blank scores (in column order).
    pub(super) fn add(&mut self, row: RatingContribution, scores: &[(&'static str, f64)]) {
        match row {
            RatingContribution::Course { class, rater, indicators } => {
                if scores.len() == indicators {
                    let mut total = KahanSum::default();
                    scores.iter().for_each(|(_, s)| total.add(*s));
                    self.reaction.entry(class, rater).add(total.sum());
                }
            }
            RatingContribution::Trainee { class, cadre, by_self } => {
                let map = if by_self { &mut self.by_self } else { &mut self.by_others };
                let acc = map.entry(class, cadre);
                scores.iter().for_each(|(_, s)| acc.add(*s));
            }
        }
    }

    /// Combine the statistics of another input.
    pub fn merge(&mut self, other: RatingStats) {
        self.reaction.merge(other.reaction);
        self.by_others.merge(other.by_others);
        self.by_self.merge(other.by_self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_course_ratings_only() {
        let mut s = RatingStats::default();
        let full = [("a", 10.0), ("b", 20.0)];
        s.add(RatingContribution::Course { class: 0, rater: 1, indicators: 2 }, &full);
        s.add(RatingContribution::Course { class: 0, rater: 1, indicators: 2 }, &full[..1]);
        s.add(RatingContribution::Course { class: 0, rater: 1, indicators: 2 }, &[("a", 5.0), ("b", 5.0)]);
        assert_eq!(s.reaction.get(0, 1).and_then(MeanAcc::mean), Some(20.0));
        s.add(RatingContribution::Course { class: 0, rater: 2, indicators: 2 }, &full[..1]);
        assert!(s.reaction.get(0, 2).is_none());
    }

    #[test]
    fn self_and_others_apart() {
        let mut s = RatingStats::default();
        s.add(RatingContribution::Trainee { class: 3, cadre: 4, by_self: false }, &[("x", 70.0), ("y", 80.0)]);
        s.add(RatingContribution::Trainee { class: 3, cadre: 4, by_self: false }, &[("x", 90.0)]);
        s.add(RatingContribution::Trainee { class: 3, cadre: 4, by_self: true }, &[("x", 100.0)]);
        assert_eq!(s.by_others.get(3, 4).and_then(MeanAcc::mean), Some(80.0));
        assert_eq!(s.by_self.get(3, 4).and_then(MeanAcc::mean), Some(100.0));
    }

    #[test]
    fn kahan_matches_compensated_sum() {
        let mut k = KahanSum::default();
        for _ in 0..10 {
            k.add(0.1);
        }
        assert_eq!(k.sum(), 1.0);
    }
}
