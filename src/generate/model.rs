//! The planted model: every effect the indicators must recover, in one place.
//!
//! In: the constants below, which `_truth.json` reports verbatim under `params`.
//! Out: small draw functions used by the generator (item responses, scores, dates).
//! Guarantees: the competence scale is scored exactly as SPEC Appendix A scores it
//! ([`scale_score`]): reverse-code, average, rescale to 0–100; an item's expected
//! response is `1 + θ/25` for a latent θ on 0–100, so (up to rounding and the 1–5
//! clamp) the 0–100 scale score estimates θ and the mean gain of a method estimates
//! `BASE_GAIN + method_effect(m) + mean class effect`.

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;

use super::domain::{ItemSpec, Method};

/// Learning gain on the 0–100 competence scale of a method, over [`Model::base_gain`].
/// The ordering is unambiguous: case/scenario/role_play > seminar/centralized > online.
pub fn method_effect(m: Method) -> f64 {
    match m {
        Method::Centralized => 0.0,
        Method::Online => -4.0,
        Method::OnSite => 3.0,
        Method::Case => 6.0,
        Method::Scenario => 7.0,
        Method::RolePlay => 5.0,
        Method::Seminar => 1.0,
        Method::FieldVisit => 3.5,
        Method::Attachment => 4.0,
        Method::Mixed => 2.0,
    }
}

/// Planted parameters (reported under `params.model` in `_truth.json`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Model {
    // --- competence (L2) ---
    /// Mean of the latent pre-training competence θ (0–100), before category offsets.
    pub latent_mean: f64,
    /// SD of θ between cadres.
    pub latent_sd: f64,
    /// Gain of the reference method (`centralized`), points on 0–100.
    pub base_gain: f64,
    /// SD of the class random effect on gain.
    pub class_effect_sd: f64,
    /// SD of individual gains around the class mean.
    pub individual_gain_sd: f64,
    /// SD of the response noise of one item (1–5 units).
    pub item_noise_sd: f64,
    /// Share of item answers skipped.
    pub item_skip_share: f64,
    /// Share of the post gain still present at 3, 6 and 12 months.
    pub retention_3m: f64,
    pub retention_6m: f64,
    pub retention_12m: f64,
    /// Response rates of the survey waves (follow-ups: among trainees not lost).
    pub response_needs: f64,
    pub response_pre: f64,
    pub response_post: f64,
    /// Post response rate of trainees withdrawn for excess leave.
    pub response_post_withdrawn: f64,
    pub response_follow_3m: f64,
    pub response_follow_6m: f64,
    pub response_follow_12m: f64,
    /// Share of non-key classes also followed up at 12 months.
    pub follow_12m_extra_share: f64,
    // --- attendance ---
    /// Share of enrollments with some leave / with leave above hours/7 (withdrawn).
    pub leave_share: f64,
    pub leave_over_limit_share: f64,
    /// Share of the trained who attend a second class of their category (repeaters).
    pub repeat_share: f64,
    // --- course ratings (L1) ---
    /// Mean of one 0–20 indicator for an average teacher and rater.
    pub rating_base: f64,
    /// SD of teacher quality, per indicator (× 5 on the 0–100 total).
    pub teacher_sd: f64,
    /// SD of rater leniency, per indicator (× 5 on the 0–100 total).
    pub rater_leniency_sd: f64,
    /// SD of the residual of one indicator score.
    pub rating_noise_sd: f64,
    /// Indicator points per point of the course method's learning effect.
    pub rating_per_gain_point: f64,
    /// Share of (trainee, course) ratings skipped.
    pub rating_skip_share: f64,
    // --- trainee ratings ---
    /// Mean trainee performance (0–100).
    pub trainee_base: f64,
    /// SD of trainee performance between trainees.
    pub trainee_sd: f64,
    /// Performance points per latent competence point.
    pub trainee_latent_weight: f64,
    /// Bias of each rater role (points on 0–100).
    pub bias_class_manager: f64,
    pub bias_teacher: f64,
    pub bias_peer: f64,
    /// Self-rating inflation: the self bias, over class manager and teacher (bias 0).
    pub self_inflation: f64,
    /// SD of an individual rater's leniency (class manager, teacher, peer).
    pub trainee_rater_sd: f64,
    /// SD of the residual of one dimension score.
    pub trainee_noise_sd: f64,
    // --- reviews (L3) ---
    /// Share of trained cadres lost before any later review and follow-up (attrition).
    pub attrition_trained: f64,
    /// Share of untrained cadres without later reviews. Equal to `attrition_trained`, so
    /// the differential attrition of a clean set is 0 in expectation (the WWC cautious
    /// boundary allows about 6 points at this overall rate; `--plant attrition` breaks it).
    pub attrition_untrained: f64,
    /// Mean review score (0–100) and its SD between cadres.
    pub review_base: f64,
    pub review_cadre_sd: f64,
    /// SD of one review dimension around the cadre's level.
    pub review_noise_sd: f64,
    /// Common drift of review scores per year.
    pub review_drift_per_year: f64,
    /// Transfer effect: review points of every review after a cadre's first class ends.
    pub transfer_effect: f64,
    // --- unit outcomes (L4) ---
    /// SD of unit levels of a metric.
    pub unit_sd: f64,
    /// Common change of a metric from year − 1 to year.
    pub unit_drift: f64,
    /// Change of a metric per unit share of cadres trained (0–1).
    pub unit_slope_per_share: f64,
    /// SD of the change.
    pub unit_noise_sd: f64,
}

/// The model every generated set plants.
pub const MODEL: Model = Model {
    latent_mean: 45.0,
    latent_sd: 10.0,
    base_gain: 8.0,
    class_effect_sd: 2.5,
    individual_gain_sd: 6.0,
    item_noise_sd: 0.6,
    item_skip_share: 0.01,
    retention_3m: 0.85,
    retention_6m: 0.75,
    retention_12m: 0.6,
    response_needs: 0.92,
    response_pre: 0.97,
    response_post: 0.96,
    response_post_withdrawn: 0.3,
    response_follow_3m: 0.90,
    response_follow_6m: 0.85,
    response_follow_12m: 0.80,
    follow_12m_extra_share: 0.2,
    leave_share: 0.20,
    leave_over_limit_share: 0.04,
    repeat_share: 0.08,
    rating_base: 15.5,
    teacher_sd: 1.0,
    rater_leniency_sd: 0.8,
    rating_noise_sd: 1.2,
    rating_per_gain_point: 0.1,
    rating_skip_share: 0.02,
    trainee_base: 78.0,
    trainee_sd: 5.0,
    trainee_latent_weight: 0.2,
    bias_class_manager: 0.0,
    bias_teacher: 0.0,
    bias_peer: 1.5,
    self_inflation: 8.0,
    trainee_rater_sd: 2.0,
    trainee_noise_sd: 4.0,
    attrition_trained: 0.08,
    attrition_untrained: 0.08,
    review_base: 78.0,
    review_cadre_sd: 5.0,
    review_noise_sd: 3.0,
    review_drift_per_year: 1.0,
    transfer_effect: 4.0,
    unit_sd: 4.0,
    unit_drift: 0.5,
    unit_slope_per_share: 6.0,
    unit_noise_sd: 1.5,
};

/// The violations `--plant` adds to the model (reported under `params.plants`, each
/// only when planted). Every one is sized so that the transfer checks of SPEC §7.2
/// catch it at 1,500 cadres while the clean default stays inside their bounds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PlantModel {
    /// `pretrend`: a trainee's reviews before the first class rise by this many points a
    /// year up to the review before it (the −1 review, unchanged), on top of the common
    /// drift: the −2 review is 1.5 lower, the −3 review 3.0 lower. Reviews from the class
    /// on are untouched, so baseline and the before/after delta stay as in the default.
    pub pretrend_per_year: f64,
    /// `attrition`: shares of trained and untrained cadres lost (no review and no
    /// follow-up after the year starts); trainees are lost with probability
    /// `2 × attrition_trained × Φ(−z)`, z their standardised review level, so the weaker
    /// ones go (the mean of `2Φ(−z)` is 1).
    pub attrition_trained: f64,
    pub attrition_untrained: f64,
    /// `contamination`: share of would-be controls (untrained in the year) of each
    /// category trained in a class starting January–June of year + 1, between their
    /// December reviews of the year and of year + 1 (a lost one has no review after it).
    pub contamination_share: f64,
    /// `contamination`: share of would-be controls trained in a class of year − 1 (the
    /// washout year), March–November, drawn from those not already contaminated.
    pub washout_share: f64,
}

/// Sizes of the planted violations.
pub const PLANTS: PlantModel = PlantModel {
    pretrend_per_year: 1.5,
    attrition_trained: 0.35,
    attrition_untrained: 0.05,
    contamination_share: 0.30,
    washout_share: 0.10,
};

/// What a set of several years (`--years A-B`) adds to the model: the planted
/// year-over-year changes and the careers of the same cadres (reported under
/// `params.periods` and, year by year, under `years` in `_truth.json`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeriodModel {
    /// Learning gain added per year after the first (the base gain of year y is
    /// `base_gain + gain_per_year × (y − first)`).
    pub gain_per_year: f64,
    /// Course-rating points per indicator (0–20) added per year after the first
    /// (× 5 on the 0–100 total).
    pub reaction_per_year: f64,
    /// Change per year of the transfer effect: a cadre whose first class of the set
    /// starts in year y carries `transfer_effect + transfer_per_year × (y − first)` on
    /// every review after that class ends.
    pub transfer_per_year: f64,
    /// Share of a class's gain a cadre still has at the pre survey of a later class.
    /// 0 by default: at 0.25 the rising pre scores pushed the later years' answers
    /// against the top of the 1–5 scale, and the realised gain of the fifth year fell
    /// below the fourth's although 1.5 more was planted; at 0 the realised steps average
    /// the planted 1.5 (6,000 cadres, two seeds: 6.25 and 6.5 over four years, planted 6).
    pub carry_share: f64,
    /// Chance a year that a cadre still present leaves (from then on: no class after
    /// that year, no review dated in it or later, no follow-up of its classes).
    pub leave_per_year: f64,
    /// Share of cadres never trained in the set (rotation overdue, short of hours).
    pub never_trained_share: f64,
    /// How far back in a year's line a cadre trained the year before stands (a share of
    /// the line): 1 or more puts every such cadre behind every other, which left almost
    /// no cadre two years untrained and so almost no control for the transfer design;
    /// 0.25 leaves about one in ten of a category's cadres untrained two years running.
    pub rotation_penalty: f64,
    /// Chances a year (from the second year on, effective in January–February, before
    /// the year's classes) of a promotion that changes the category: young_reserve →
    /// middle_level, civil_servant → middle_level, middle_level → department_level.
    pub promote_young_reserve: f64,
    pub promote_civil_servant: f64,
    pub promote_middle_level: f64,
    /// Chance a year of a promotion within the category (to its first rank), for a
    /// cadre not already at it and not promoted to another category that year.
    pub promote_rank: f64,
}

/// The year-over-year changes every set of several years plants.
pub const PERIODS: PeriodModel = PeriodModel {
    gain_per_year: 1.5,
    reaction_per_year: 0.5,
    transfer_per_year: -0.5,
    carry_share: 0.0,
    leave_per_year: 0.03,
    never_trained_share: 0.03,
    rotation_penalty: 0.25,
    promote_young_reserve: 0.10,
    promote_civil_servant: 0.03,
    promote_middle_level: 0.04,
    promote_rank: 0.03,
};

/// A normal draw (`sd` ≥ 0; `sd` = 0 returns the mean).
pub fn normal<R: Rng>(rng: &mut R, mean: f64, sd: f64) -> f64 {
    match Normal::new(mean, sd) {
        Ok(d) => d.sample(rng),
        Err(_) => mean,
    }
}

/// The stored answer to a Likert item of a respondent with latent θ (0–100): the
/// response `round(1 + θ/25 + e)` clamped to the item's range, reverse-coded in storage
/// when the item is reverse-keyed (so reverse-coding it back recovers the response).
pub fn likert_answer<R: Rng>(rng: &mut R, latent: f64, item: &ItemSpec) -> i32 {
    let (lo, hi) = item.range.unwrap_or((1, 5));
    let x = f64::from(lo) + latent / 100.0 * f64::from(hi - lo) + normal(rng, 0.0, MODEL.item_noise_sd);
    let r = (x.round() as i32).clamp(lo, hi);
    if item.reverse {
        lo + hi - r
    } else {
        r
    }
}

/// Scale score of one respondent (SPEC Appendix A): mean of the items after
/// reverse-coding, rescaled 0–100; `None` when more than half of the items are missing.
pub fn scale_score(values: &[Option<i32>], items: &[ItemSpec]) -> Option<f64> {
    let mut n = 0usize;
    let mut sum_scaled = 0.0;
    for (v, it) in values.iter().zip(items) {
        if let (Some(v), Some((lo, hi))) = (v, it.range) {
            let x = if it.reverse { lo + hi - v } else { *v };
            sum_scaled += 100.0 * f64::from(x - lo) / f64::from(hi - lo);
            n += 1;
        }
    }
    if n == 0 || 2 * n < items.len() {
        return None;
    }
    Some(sum_scaled / n as f64)
}

/// A score rounded and clamped to `[lo, hi]`.
pub fn score(x: f64, lo: i32, hi: i32) -> i32 {
    (x.round() as i32).clamp(lo, hi)
}

/// A value rounded to a multiple of 0.5 (class hours).
pub fn half_hours(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// Index drawn from integer weights.
pub fn weighted<R: Rng>(rng: &mut R, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut x = rng.gen_range(0..total.max(1));
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::domain::COMPETENCE_ITEMS;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn scale_score_follows_appendix_a() {
        // all 5 after reverse coding → 100; reverse items stored as 1.
        let v: Vec<Option<i32>> = COMPETENCE_ITEMS.iter().map(|i| Some(if i.reverse { 1 } else { 5 })).collect();
        assert_eq!(scale_score(&v, &COMPETENCE_ITEMS), Some(100.0));
        let mut v2 = v.clone();
        for x in v2.iter_mut().take(5) {
            *x = None;
        }
        assert_eq!(scale_score(&v2, &COMPETENCE_ITEMS), None, "more than half missing");
        let mut v3 = v;
        for x in v3.iter_mut().take(4) {
            *x = None;
        }
        assert_eq!(scale_score(&v3, &COMPETENCE_ITEMS), Some(100.0), "exactly half is fine");
    }

    #[test]
    fn item_responses_recover_the_latent_score() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for theta in [30.0, 50.0, 65.0] {
            let n = 4000;
            let mut s = 0.0;
            for _ in 0..n {
                let v: Vec<Option<i32>> =
                    COMPETENCE_ITEMS.iter().map(|it| Some(likert_answer(&mut rng, theta, it))).collect();
                s += scale_score(&v, &COMPETENCE_ITEMS).unwrap_or(f64::NAN);
            }
            let m = s / n as f64;
            assert!((m - theta).abs() < 1.5, "θ={theta} mean={m}");
        }
    }
}
