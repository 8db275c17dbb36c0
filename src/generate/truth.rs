//! `_truth.json`: what was planted, what was realised, what validation must report.
//!
//! In: the model constants, counts of the generated entities, running sums kept while
//! rows are written, and the dirty-row ledger. Out: the [`Truth`] document.
//! Guarantees: `expected.<table>.rows` equals the data rows of the file; `rejected` counts
//! the planted bad rows by the one reason each must fail with; `superseded` counts the
//! earlier duplicate survey submissions; `accepted = rows − Σ rejected − superseded`.
//! `observed` holds statistics of the *clean* rows exactly as written, so a pipeline
//! that implements SPEC Appendix A must reproduce them to floating-point precision.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{Model, PeriodModel};

/// The whole truth file.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    /// `traineval-truth/1`.
    pub schema: &'static str,
    pub format: String,
    pub dirty_rate: f64,
    pub params: TruthParams,
    pub observed: Observed,
    /// Per input table (file stem): what validation must count.
    pub expected: BTreeMap<String, Expected>,
    /// A set of several years: what each year planted, counted and realised, first year
    /// first (absent for one year; `observed` above is then the last year's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<YearTruth>,
    /// A set of several years: the careers of its cadres (absent for one year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub careers: Option<Careers>,
}

/// One year of a set of several years.
#[derive(Debug, Clone, Serialize)]
pub struct YearTruth {
    pub year: i32,
    pub planted: YearPlanted,
    pub counts: YearCounts,
    /// Statistics of the clean rows of the year's classes, as `observed` of a one-year
    /// set; controls are cadres with no class starting in year − 1 … year + 1.
    pub observed: Observed,
}

/// The model of one year (the year-over-year changes of `params.periods` applied).
#[derive(Debug, Clone, Serialize)]
pub struct YearPlanted {
    /// Mean gain of the reference method: `base_gain + gain_per_year × (year − first)`.
    pub base_gain: f64,
    /// Expected mean gain of each method in the year.
    pub method_gain: BTreeMap<String, f64>,
    /// Mean course-rating indicator (0–20) of an average teacher and rater.
    pub rating_base: f64,
    /// Shift of the mean course-rating total (0–100) over the first year.
    pub course_rating_total_shift: f64,
    /// Transfer effect of the cadres whose first class of the set starts this year.
    pub transfer_effect: f64,
}

/// What one year holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct YearCounts {
    pub classes: usize,
    pub courses: usize,
    /// Clean enrollment rows of the year's classes.
    pub enrollments: usize,
    /// Cadres enrolled in a class of the year.
    pub trained_cadres: usize,
    /// Of those, cadres whose first class of the set is this year's.
    pub first_trained: usize,
    /// Cadres in two classes of the year.
    pub repeaters: usize,
    /// Cadres taught, in a class of the year, a topic they were already taught in an
    /// earlier class of the set (the same year or before).
    pub repeated_topic_cadres: usize,
    /// Promotions effective in the year (January–February), and those of them into
    /// another category.
    pub promotions: usize,
    pub category_changes: usize,
    /// Cadres lost from this year on.
    pub lost: usize,
    pub leave_over_limit: usize,
    pub not_completed: usize,
}

/// The careers of a set of several years.
#[derive(Debug, Clone, Serialize)]
pub struct Careers {
    /// Cadres in no class of the set.
    pub never_trained: usize,
    /// Cadres with at least one promotion / a change of category within the set.
    pub promoted_cadres: usize,
    pub category_changed_cadres: usize,
    /// Cadres taught the same topic in classes of two different years.
    pub repeated_topic_across_years: usize,
    /// Leaders (department_level and middle_level in the last year) with no off-job
    /// (non-online) class in the set.
    pub leaders_without_off_job_class: usize,
    /// A few cadre ids (ascending) for tests and examples: promoted into another
    /// category and taught a topic twice across years; trained in every year.
    pub examples_promoted_with_repeated_topic: Vec<String>,
    pub examples_trained_every_year: Vec<String>,
    /// The category changes of the example cadres above: (cadre, date, from, to).
    pub example_changes: Vec<ExampleChange>,
}

/// One promotion of an example cadre.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleChange {
    pub cadre_id: String,
    pub date: String,
    pub from_category: String,
    pub to_category: String,
    pub from_rank: String,
    pub to_rank: String,
}

/// Planted parameters and the size of the set.
#[derive(Debug, Clone, Serialize)]
pub struct TruthParams {
    pub seed: u64,
    pub cadres: usize,
    pub year: i32,
    pub counts: Counts,
    /// `--null-methods`: every method effect is 0 (classes still differ).
    pub null_methods: bool,
    /// The violations planted (`--plant`), each with its sizes; `{}` for a clean set.
    pub plants: Plants,
    /// Gain of each method over `base_gain` (0–100 competence points).
    pub method_effects: BTreeMap<String, f64>,
    /// Expected mean gain of each method: `base_gain + method_effects[m]`.
    pub method_gain: BTreeMap<String, f64>,
    /// Bias of each trainee-rating role (points on 0–100); `self` is the inflation.
    pub rater_role_bias: BTreeMap<String, f64>,
    /// Rater leniency SD on the 0–100 course-rating total (5 × per-indicator SD).
    pub rater_leniency_sd_total: f64,
    /// Teacher quality SD on the 0–100 course-rating total.
    pub teacher_sd_total: f64,
    /// Review lag (days after a class ends) the transfer effect is planted for.
    pub transfer_lag_days: i64,
    /// Every constant of the model as planted (a plant's attrition replaces the default's).
    pub model: Model,
    /// A set of several years: its first year (`year` is the last) and the
    /// year-over-year changes planted; both absent for one year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<PeriodModel>,
    /// `--enrollments-per-cadre` and the rounds it split each year into; absent for the
    /// model's year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollments_per_cadre: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
}

/// The planted violations of the transfer design (SPEC §7.2); absent ones are left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plants {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretrend: Option<PretrendPlant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attrition: Option<AttritionPlant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contamination: Option<ContaminationPlant>,
}

/// Trainees' reviews before their first class rise `per_year` points a year up to the −1
/// review: event-study estimates −2·per_year at −3 and −per_year at −2.
#[derive(Debug, Clone, Serialize)]
pub struct PretrendPlant {
    pub per_year: f64,
}

/// Attrition of trained and untrained cadres; `weaker_lost`: trainees with lower review
/// levels are lost more often.
#[derive(Debug, Clone, Serialize)]
pub struct AttritionPlant {
    pub trained: f64,
    pub untrained: f64,
    pub weaker_lost: bool,
}

/// Would-be controls trained outside the year: `cadres` of the `eligible` (untrained in
/// the year) in `classes` starting in year + 1 (`first_start` … `last_end`),
/// with the transfer effect after them; `washout_cadres` others in `washout_classes` of
/// year − 1.
#[derive(Debug, Clone, Serialize)]
pub struct ContaminationPlant {
    pub share: f64,
    pub washout_share: f64,
    pub eligible: usize,
    pub cadres: usize,
    pub classes: usize,
    pub first_start: Option<String>,
    pub last_end: Option<String>,
    pub washout_cadres: usize,
    pub washout_classes: usize,
    pub washout_first_start: Option<String>,
    pub washout_last_end: Option<String>,
}

/// How many entities were generated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub units: usize,
    pub cadres: usize,
    /// Every class written (with `--plant contamination`, those of year ± 1 too).
    pub classes: usize,
    pub courses: usize,
    pub teachers: usize,
    pub class_managers: usize,
    /// Clean enrollment rows.
    pub enrollments: usize,
    /// Cadres enrolled in a class of the year (classes of other years are plants).
    pub trained_cadres: usize,
    /// Cadres enrolled in two classes.
    pub repeaters: usize,
    /// Cadres taught the same topic in two classes of the year.
    pub repeated_topic_cadres: usize,
    /// Enrollments with leave above hours/7 (withdrawn, not completed).
    pub leave_over_limit: usize,
    /// Enrollments not completed (incl. withdrawn).
    pub not_completed: usize,
    /// Classes with a 12-month follow-up.
    pub classes_follow_12m: usize,
}

/// Running mean.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Mean {
    pub n: u64,
    pub mean: f64,
    #[serde(skip)]
    sum: f64,
}

impl Mean {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.mean = self.sum / self.n as f64;
    }

    /// Add another running mean's observations.
    pub fn merge(&mut self, other: &Mean) {
        self.n += other.n;
        self.sum += other.sum;
        if self.n > 0 {
            self.mean = self.sum / self.n as f64;
        }
    }
}

/// Statistics of the clean rows as written, over the classes of the year (those of year
/// ± 1 that `--plant contamination` adds belong to other periods and are left out).
/// "Controls" are cadres with no class at all: the controls a transfer indicator that
/// follows SPEC §7.2 keeps, contaminated and washout cadres excluded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Observed {
    /// Competence gain (post − pre, 0–100) of pairs scored at pre and post in the same
    /// class, per method and overall.
    pub gain_by_method: BTreeMap<String, Mean>,
    pub gain_all: Mean,
    pub pre_all: Mean,
    pub post_all: Mean,
    /// Mean course-rating total (0–100) over all clean rating rows.
    pub course_rating_total: Mean,
    /// Mean trainee-rating score (all four dimensions) per rater role.
    pub trainee_rating_by_role: BTreeMap<String, Mean>,
    /// Mean of self scores minus the mean of class-manager and teacher scores.
    pub self_inflation: f64,
    /// Enrollment rows, those with a review before and after (SPEC C.12, lag 90 days),
    /// and `1 − followed / enrollments`.
    pub attrition_enrollments: u64,
    pub attrition_followed: u64,
    pub attrition: f64,
    /// Controls with the review before (December of year − 1), those with a review after
    /// the year starts, and `1 − followed / eligible`.
    pub attrition_control_eligible: u64,
    pub attrition_control_followed: u64,
    pub attrition_control: f64,
    /// `attrition − attrition_control` (trained enrollments vs controls).
    pub attrition_differential: f64,
    /// Hedges' g of the review before (December of year − 1), cadres trained in the year
    /// vs controls, pooled over categories (review levels do not depend on the category).
    pub baseline_g: f64,
    /// Review delta (after − before, SPEC C.12) of followed enrollments.
    pub transfer_trained_delta: Mean,
    /// The same over enrollments in a cadre's first class of the set, the ones that
    /// carry the transfer effect (a set of several years only: later classes add none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_first_class_delta: Option<Mean>,
    /// Review delta of controls with every review over one year (Dec y−1 → Dec y) and two years.
    pub transfer_control_delta_1y: Mean,
    pub transfer_control_delta_2y: Mean,
    /// The realised event study, relative periods −3 … +2 (reference −1).
    pub event_study: Vec<EventPeriod>,
}

/// One relative period of the realised event study (SPEC §7.2): −1 is the latest review
/// before the class starts, 0 the first dated on or after end + 90 days, the others the
/// reviews before and after those. Over the enrollments of the year's classes with both
/// reviews: the mean change from −1 (`trained_change`), the controls' mean change over
/// the same calendar years (weighted as the trainees' years fall, `control_change`), and
/// their difference (`estimate`). Planted: 0 before the class (−2·p and −p at −3 and −2
/// with a pretrend of p a year), `transfer_effect` from 0 on.
#[derive(Debug, Clone, Serialize)]
pub struct EventPeriod {
    pub rel_period: i32,
    pub n_trained: u64,
    pub trained_change: f64,
    pub control_change: f64,
    pub estimate: f64,
}

/// What validation must report for one input file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Expected {
    pub table: String,
    /// Path relative to the generated directory.
    pub file: String,
    /// Data rows in the file (header excluded).
    pub rows: u64,
    /// Planted bad rows by reason code.
    pub rejected: BTreeMap<String, u64>,
    /// Earlier survey submissions replaced by a later one.
    pub superseded: u64,
    /// `rows − Σ rejected − superseded`.
    pub accepted: u64,
}

/// Reason codes of the validator (`validate::Reason::code`).
pub mod reason {
    pub const UNKNOWN_ID: &str = "unknown_id";
    pub const NOT_ENROLLED: &str = "not_enrolled";
    pub const BAD_DATE: &str = "bad_date";
    pub const BAD_NUMBER: &str = "bad_number";
    pub const OUT_OF_RANGE: &str = "out_of_range";
    pub const SPEEDER: &str = "speeder";
    pub const DUPLICATE_KEY: &str = "duplicate_key";
}
