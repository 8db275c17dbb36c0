//! `trainee_outcomes`: the one wide table every indicator starts from.
//!
//! In: the warehouse tables written by `build` (enrollments, classes, cadres,
//! scale_scores, course_ratings, trainee_ratings, reviews) and the pipeline settings
//! (outcome scale, course indicators, follow-up lag).
//! Out: one row per enrollment (cadre × class) with the class's method, dates and
//! hours, the cadre's category and unit, the outcome-scale score at every wave, the
//! gain and normalised gain, the trainee's reaction, the assessment received (by others
//! and by self), the reviews before and after the class, and attendance.
//!
//! Guarantees: the query is one polars lazy plan; every join is a left join from
//! enrollments whose right side is validated unique on its key (m:1), so the row count
//! equals the enrollment count — checked again after collecting, together with the
//! uniqueness of (class_id, cadre_id). A duplicate on a right side is an error naming
//! the table, never a silent fan-out. Person-level scores are defined here:
//! - scale scores come from `scale_scores` (Appendix A: reverse-coded, 0–100, more than
//!   half missing → null, latest submission wins — already applied by `build`);
//! - `gain = post − pre`; `norm_gain` is the individual Hake gain from
//!   [`crate::stats::hake_gain`] with max = 100 (null when pre rounds to 100);
//! - `reaction` = mean over the courses the trainee rated of the course total (the sum
//!   of the configured indicators; a course counts only when every indicator is scored);
//! - `trainee_assessment` = mean of every score received from class managers, teachers
//!   and peers; `self_assessment` = mean of the self scores;
//! - `review_before` = `total` of the latest review dated before `start_date`;
//!   `review_after` = `total` of the first review dated on or after `end_date + lag`
//!   (SPEC App. C.12). Two reviews on the same date are ordered by `kind`, so the pick
//!   is deterministic; exactly one review is picked per side.

use std::path::Path;

use polars::prelude::*;

use crate::config::PipelineFile;
use crate::error::WarehouseError;
use crate::validate::{MeanAcc, RatingStats, Registry};
use crate::warehouse::read::scan;
use crate::warehouse::schema::{col as c, Wave};

/// The maximum of a 0–100 scale score (Hake's gain).
const SCORE_MAX: f64 = 100.0;

fn m_to_1(how: JoinType) -> JoinArgs {
    JoinArgs { validation: JoinValidation::ManyToOne, ..JoinArgs::new(how) }
}

fn keys2() -> [Expr; 2] {
    [col(c::CLASS_ID), col(c::CADRE_ID)]
}

/// Left-join `right` on (class_id, cadre_id), validated m:1.
fn attach(left: LazyFrame, right: LazyFrame) -> LazyFrame {
    left.join(right, keys2(), keys2(), m_to_1(JoinType::Left))
}

/// The person-level rating scores, one row per (class_id, cadre_id) in each frame:
/// `reaction`, `trainee_assessment` and `self_assessment` (module doc for definitions).
pub struct RatingScores {
    pub reaction: DataFrame,
    pub by_others: DataFrame,
    pub by_self: DataFrame,
}

impl RatingScores {
    /// From the sums gathered while validating, keyed by interned ids: the ids become
    /// the ones written to the warehouse (`classes` ids, and cadre ids through
    /// `Registry::cadre_out`, i.e. pseudonymised when a key is set).
    pub fn from_stats(stats: &RatingStats, reg: &Registry) -> Result<Self, WarehouseError> {
        let frame = |map: &rustc_hash::FxHashMap<(u32, u32), MeanAcc>, name: &str| {
            let mut classes = Vec::with_capacity(map.len());
            let mut cadres = Vec::with_capacity(map.len());
            let mut means = Vec::with_capacity(map.len());
            for (&(class, cadre), acc) in map {
                classes.push(reg.class_info(class).id.as_str());
                cadres.push(reg.cadre_out[cadre as usize].as_str());
                means.push(acc.mean());
            }
            DataFrame::new(
                map.len(),
                vec![
                    Column::new(c::CLASS_ID.into(), classes),
                    Column::new(c::CADRE_ID.into(), cadres),
                    Column::new(name.into(), means),
                ],
            )
            .map_err(|e| WarehouseError::frame(format!("trainee_outcomes: {name}"), e))
        };
        Ok(RatingScores {
            reaction: frame(&stats.reaction, c::REACTION)?,
            by_others: frame(&stats.by_others, c::TRAINEE_ASSESSMENT)?,
            by_self: frame(&stats.by_self, c::SELF_ASSESSMENT)?,
        })
    }

    /// Derived from the long `course_ratings` and `trainee_ratings` tables of a written
    /// warehouse: the reference definition, for warehouses not built in this process
    /// (and for the tests that check [`RatingScores::from_stats`] against it). Scans
    /// every score, so it is slow and memory-hungry at 10⁶ cadres.
    pub fn from_warehouse(wh: &Path, settings: &PipelineFile) -> Result<Self, WarehouseError> {
        // Reaction: course total per (class, course, rater) when every indicator is scored.
        let k = settings.instrument.course_indicators.len() as u32;
        let ind_series = Series::new("ind".into(), settings.instrument.course_indicators.clone());
        let reaction = scan(wh, "course_ratings")?
            .filter(col(c::INDICATOR).is_in(lit(ind_series).implode(false), false))
            .group_by([col(c::CLASS_ID), col(c::COURSE_ID), col(c::RATER_ID)])
            .agg([col(c::SCORE).sum().alias(c::TOTAL), col(c::SCORE).count().alias("k")])
            .filter(col("k").eq(lit(k)))
            .group_by([col(c::CLASS_ID), col(c::RATER_ID)])
            .agg([col(c::TOTAL).mean().alias(c::REACTION)])
            .select([col(c::CLASS_ID), col(c::RATER_ID).alias(c::CADRE_ID), col(c::REACTION)]);
        // Assessment received, by others and by self.
        let ratings =
            scan(wh, "trainee_ratings")?.select([col(c::CLASS_ID), col(c::CADRE_ID), col(c::RATER_ROLE), col(c::SCORE)]);
        let by_others = ratings
            .clone()
            .filter(col(c::RATER_ROLE).neq(lit("self")))
            .group_by(keys2())
            .agg([col(c::SCORE).mean().alias(c::TRAINEE_ASSESSMENT)]);
        let by_self = ratings
            .filter(col(c::RATER_ROLE).eq(lit("self")))
            .group_by(keys2())
            .agg([col(c::SCORE).mean().alias(c::SELF_ASSESSMENT)]);
        let collect =
            |lf: LazyFrame, what: &str| lf.collect().map_err(|e| WarehouseError::frame(format!("trainee_outcomes: {what}"), e));
        Ok(RatingScores {
            reaction: collect(reaction, c::REACTION)?,
            by_others: collect(by_others, c::TRAINEE_ASSESSMENT)?,
            by_self: collect(by_self, c::SELF_ASSESSMENT)?,
        })
    }
}

/// Build `trainee_outcomes` from the warehouse at `warehouse` (which may be the
/// temporary root of a build in progress). Rows are sorted by (class_id, cadre_id).
pub fn trainee_outcomes(
    warehouse: &Path,
    settings: &PipelineFile,
    ratings: RatingScores,
) -> Result<DataFrame, WarehouseError> {
    let plan = plan(warehouse, settings, ratings)?;
    let df = plan
        .collect()
        .map_err(|e| WarehouseError::frame("building trainee_outcomes (each right side must be unique per key)", e))?;
    let n_enrollments = scan(warehouse, "enrollments")?
        .select([len().alias("n")])
        .collect()
        .map_err(|e| WarehouseError::frame("counting enrollments", e))?
        .column("n")
        .and_then(|c| c.get(0).map(|v| v.extract::<u64>().unwrap_or(0)))
        .map_err(|e| WarehouseError::frame("counting enrollments", e))?;
    if df.height() as u64 != n_enrollments {
        return Err(WarehouseError::frame(
            "trainee_outcomes",
            format!("{} rows from {} enrollments: a join changed the cardinality", df.height(), n_enrollments),
        ));
    }
    let distinct = df
        .clone()
        .lazy()
        .select([col(c::CLASS_ID), col(c::CADRE_ID)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(|e| WarehouseError::frame("trainee_outcomes", e))?
        .height();
    if distinct != df.height() {
        return Err(WarehouseError::frame("trainee_outcomes", "(class_id, cadre_id) is not unique"));
    }
    add_norm_gain(df)
}

/// The lazy plan (without `norm_gain`, which needs [`crate::stats`]).
fn plan(wh: &Path, settings: &PipelineFile, ratings: RatingScores) -> Result<LazyFrame, WarehouseError> {
    let lag = settings.indicators.follow_up_lag_days;
    let classes = scan(wh, "classes")?.select([
        col(c::CLASS_ID),
        col(c::METHOD),
        col(c::TARGET_CATEGORY),
        col(c::START_DATE),
        col(c::END_DATE),
        col(c::DAYS),
        col(c::HOURS),
        col(c::YEAR),
    ]);
    let cadres = scan(wh, "cadres")?.select([col(c::CADRE_ID), col(c::CATEGORY), col(c::UNIT_ID)]);
    let enrollments = scan(wh, "enrollments")?.select([
        col(c::CLASS_ID),
        col(c::CADRE_ID),
        col(c::ATTENDED_HOURS),
        col(c::LEAVE_HOURS),
        col(c::DISCIPLINE_FLAGS),
        col(c::EXAM_SCORE),
        col(c::COMPLETED),
    ]);
    let mut base = enrollments
        .join(classes, [col(c::CLASS_ID)], [col(c::CLASS_ID)], m_to_1(JoinType::Left))
        .join(cadres, [col(c::CADRE_ID)], [col(c::CADRE_ID)], m_to_1(JoinType::Left))
        .with_column(
            when(col(c::HOURS).gt(lit(0.0)))
                .then(col(c::ATTENDED_HOURS) / col(c::HOURS))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(c::ATTENDANCE_RATE),
        );
    // The class dates of every enrollment, for the reviews below. Taken here, before the
    // scores, ratings and reviews are attached: a plan used twice is executed twice (no
    // common-subplan elimination), and the full `base` scans every large table.
    let dates = base.clone().select([col(c::CLASS_ID), col(c::CADRE_ID), col(c::START_DATE), col(c::END_DATE)]);

    // Outcome-scale scores, one column per wave.
    let scores = scan(wh, "scale_scores")?
        .filter(col(c::SCALE).eq(lit(settings.instrument.outcome_scale.as_str())))
        .select([col(c::CLASS_ID), col(c::CADRE_ID), col(c::WAVE), col(c::SCORE)]);
    for (wave, name) in [
        (Wave::Pre, c::PRE_SCORE),
        (Wave::Post, c::POST_SCORE),
        (Wave::Follow3m, c::FOLLOW_3M),
        (Wave::Follow6m, c::FOLLOW_6M),
        (Wave::Follow12m, c::FOLLOW_12M),
    ] {
        let w = scores.clone().filter(col(c::WAVE).eq(lit(wave.as_str()))).select([
            col(c::CLASS_ID),
            col(c::CADRE_ID),
            col(c::SCORE).alias(name),
        ]);
        base = attach(base, w);
    }
    base = base.with_column((col(c::POST_SCORE) - col(c::PRE_SCORE)).alias(c::GAIN));

    // Reaction and assessment received: per (class, cadre), computed before the plan.
    base = attach(base, ratings.reaction.lazy());
    base = attach(attach(base, ratings.by_others.lazy()), ratings.by_self.lazy());

    // Reviews before and after (dates compared as days since the epoch).
    let reviews = scan(wh, "reviews")?.select([col(c::CADRE_ID), col(c::REVIEW_DATE), col(c::KIND), col(c::TOTAL)]);
    let joined = dates.join(reviews, [col(c::CADRE_ID)], [col(c::CADRE_ID)], JoinArgs::new(JoinType::Inner));
    let day = |name: &str| col(name).cast(DataType::Int32);
    let order = SortMultipleOptions::default().with_order_descending_multi([false, false]);
    let before = joined.clone().filter(day(c::REVIEW_DATE).lt(day(c::START_DATE))).group_by(keys2()).agg([
        col(c::TOTAL).sort_by([col(c::REVIEW_DATE), col(c::KIND)], order.clone()).last().alias(c::REVIEW_BEFORE),
        col(c::REVIEW_DATE).max().alias(c::REVIEW_BEFORE_DATE),
    ]);
    let after = joined.filter(day(c::REVIEW_DATE).gt_eq(day(c::END_DATE) + lit(lag as i32))).group_by(keys2()).agg([
        col(c::TOTAL).sort_by([col(c::REVIEW_DATE), col(c::KIND)], order).first().alias(c::REVIEW_AFTER),
        col(c::REVIEW_DATE).min().alias(c::REVIEW_AFTER_DATE),
    ]);
    base = attach(attach(base, before), after)
        .with_column((col(c::REVIEW_AFTER) - col(c::REVIEW_BEFORE)).alias(c::REVIEW_DELTA))
        .sort([c::CLASS_ID, c::CADRE_ID], SortMultipleOptions::default().with_maintain_order(true));
    Ok(base)
}

/// Add `norm_gain`, the individual Hake gain of every row, from the statistics core.
fn add_norm_gain(mut df: DataFrame) -> Result<DataFrame, WarehouseError> {
    let err = |e: PolarsError| WarehouseError::frame("trainee_outcomes: norm_gain", e);
    let pre = df.column(c::PRE_SCORE).map_err(err)?.f64().map_err(err)?;
    let post = df.column(c::POST_SCORE).map_err(err)?.f64().map_err(err)?;
    let g: Vec<Option<f64>> = pre
        .iter()
        .zip(post.iter())
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => crate::stats::hake_gain(a, b, SCORE_MAX),
            _ => None,
        })
        .collect();
    df.with_column(Column::new(c::NORM_GAIN.into(), g)).map_err(err)?;
    Ok(df)
}
