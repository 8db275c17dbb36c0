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
//! Guarantees: every right side is attached to enrollments by (class_id, cadre_id) and
//! must be unique on its key (m:1), so the row count equals the enrollment count —
//! checked again at the end, together with the uniqueness of (class_id, cadre_id);
//! rows are sorted by (class_id, cadre_id). A duplicate on a right side is an error naming
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
//!   is deterministic (a review without `kind` comes first); exactly one review is
//!   picked per side.
//!
//! How: enrollments ⋈ classes ⋈ cadres is a polars plan, collected and sorted once.
//! Everything else is attached in plain Rust through one index from (class_id,
//! cadre_id) to the row: the scale scores (one scan per wave), the rating scores
//! (small frames, one row per trainee: `build` sums them while validating, see
//! [`RatingScores`]) and the reviews (each review is offered to the enrollments of its
//! cadre, which keep the best candidate per side; read one file, a year, at a time), so
//! no long table is held whole: string-keyed joins and group-bys over the long rating
//! tables held them whole and dominated the stage's memory.

use std::path::Path;

use polars::prelude::*;

use crate::config::PipelineFile;
use crate::error::WarehouseError;
use crate::schema::{col as c, Wave};
use crate::validate::{PerTrainee, RatingStats, Registry};
use crate::warehouse::read::scan;

/// The maximum of a 0–100 scale score (Hake's gain).
const SCORE_MAX: f64 = 100.0;

fn m_to_1(how: JoinType) -> JoinArgs {
    JoinArgs { validation: JoinValidation::ManyToOne, ..JoinArgs::new(how) }
}

fn keys2() -> [Expr; 2] {
    [col(c::CLASS_ID), col(c::CADRE_ID)]
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
        let frame = |map: &PerTrainee, name: &str| {
            let mut classes = Vec::with_capacity(map.len());
            let mut cadres = Vec::with_capacity(map.len());
            let mut means = Vec::with_capacity(map.len());
            for ((class, cadre), acc) in map.iter() {
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
        let reaction = scan(wh, crate::schema::wh::COURSE_RATINGS)?
            .filter(col(c::INDICATOR).is_in(lit(ind_series).implode(false), false))
            .group_by([col(c::CLASS_ID), col(c::COURSE_ID), col(c::RATER_ID)])
            .agg([col(c::SCORE).sum().alias(c::TOTAL), col(c::SCORE).count().alias("k")])
            .filter(col("k").eq(lit(k)))
            .group_by([col(c::CLASS_ID), col(c::RATER_ID)])
            .agg([col(c::TOTAL).mean().alias(c::REACTION)])
            .select([col(c::CLASS_ID), col(c::RATER_ID).alias(c::CADRE_ID), col(c::REACTION)]);
        // Assessment received, by others and by self.
        let ratings = scan(wh, crate::schema::wh::TRAINEE_RATINGS)?.select([
            col(c::CLASS_ID),
            col(c::CADRE_ID),
            col(c::RATER_ROLE),
            col(c::SCORE),
        ]);
        let by_others =
            ratings
                .clone()
                .filter(col(c::RATER_ROLE).neq(lit("self")))
                .group_by(keys2())
                .agg([col(c::SCORE).mean().alias(c::TRAINEE_ASSESSMENT)]);
        let by_self = ratings
            .filter(col(c::RATER_ROLE).eq(lit("self")))
            .group_by(keys2())
            .agg([col(c::SCORE).mean().alias(c::SELF_ASSESSMENT)]);
        let collect = |lf: LazyFrame, what: &str| {
            lf.collect().map_err(|e| WarehouseError::frame(format!("trainee_outcomes: {what}"), e))
        };
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
    let err = |what: &str| {
        let what = format!("trainee_outcomes: {what}");
        move |e: PolarsError| WarehouseError::frame(what, e)
    };
    let base = base(warehouse)?;
    let n_enrollments = scan(warehouse, crate::schema::wh::ENROLLMENTS)?
        .select([len().alias("n")])
        .collect()
        .map_err(err("counting enrollments"))?
        .column("n")
        .and_then(|c| c.get(0).map(|v| v.extract::<u64>().unwrap_or(0)))
        .map_err(err("counting enrollments"))?;
    if base.height() as u64 != n_enrollments {
        return Err(WarehouseError::frame(
            crate::schema::wh::TRAINEE_OUTCOMES,
            format!("{} rows from {} enrollments: a join changed the cardinality", base.height(), n_enrollments),
        ));
    }
    let mut added: Vec<Column> = Vec::new();
    {
        let rows = RowIndex::new(&base)?;

        // Outcome-scale scores, one column per wave, read one wave at a time (each wave
        // is a file of its own, which the filter on `wave` skips by its statistics).
        let scale = settings.instrument.outcome_scale.as_str();
        let mut by_wave = Vec::new();
        for (wave, name) in [
            (Wave::Pre, c::PRE_SCORE),
            (Wave::Post, c::POST_SCORE),
            (Wave::Follow3m, c::FOLLOW_3M),
            (Wave::Follow6m, c::FOLLOW_6M),
            (Wave::Follow12m, c::FOLLOW_12M),
        ] {
            let w = scan(warehouse, crate::schema::wh::SCALE_SCORES)?
                .filter(col(c::SCALE).eq(lit(scale)).and(col(c::WAVE).eq(lit(wave.as_str()))))
                .select([col(c::CLASS_ID), col(c::CADRE_ID), col(c::SCORE)])
                .collect()
                .map_err(err(crate::schema::wh::SCALE_SCORES))?;
            by_wave.push(rows.attach(crate::schema::wh::SCALE_SCORES, &w, c::SCORE)?);
            added.push(Column::new(name.into(), by_wave.last().cloned().unwrap_or_default()));
        }
        let diff = |a: &[Option<f64>], b: &[Option<f64>]| -> Vec<Option<f64>> {
            a.iter().zip(b).map(|(a, b)| Some((*a)? - (*b)?)).collect()
        };
        added.push(Column::new(c::GAIN.into(), diff(&by_wave[1], &by_wave[0])));

        // Reaction and assessment received: per (class, cadre), computed before.
        added.push(Column::new(
            c::REACTION.into(),
            rows.attach(crate::schema::wh::COURSE_RATINGS, &ratings.reaction, c::REACTION)?,
        ));
        let others = rows.attach(crate::schema::wh::TRAINEE_RATINGS, &ratings.by_others, c::TRAINEE_ASSESSMENT)?;
        added.push(Column::new(c::TRAINEE_ASSESSMENT.into(), others));
        let own = rows.attach(crate::schema::wh::TRAINEE_RATINGS, &ratings.by_self, c::SELF_ASSESSMENT)?;
        added.push(Column::new(c::SELF_ASSESSMENT.into(), own));

        // Reviews before and after, offered one file (a year of reviews) at a time: the
        // whole table read at once was the largest frame of the build.
        let mut picks = ReviewPicks::new(&base, &rows, settings.indicators.follow_up_lag_days)?;
        let files = parquet_files(&warehouse.join(crate::schema::wh::REVIEWS))?;
        let read = |file: Option<&std::path::PathBuf>| -> Result<Option<DataFrame>, WarehouseError> {
            let Some(file) = file else { return Ok(None) };
            ParquetReader::new(std::fs::File::open(file).map_err(|e| WarehouseError::io(file, e))?)
                .with_columns(Some([c::CADRE_ID, c::REVIEW_DATE, c::KIND, c::TOTAL].map(String::from).to_vec()))
                .finish()
                .map(Some)
                .map_err(err(crate::schema::wh::REVIEWS))
        };
        // The next file is read on the other core while this one is offered: two files
        // in memory at most, and the join no longer runs on one core alone.
        let mut next = read(files.first())?;
        for k in 0..files.len() {
            let current = next.take();
            let (loaded, offered) = rayon::join(
                || read(files.get(k + 1)),
                || current.as_ref().map_or(Ok(()), |reviews| picks.offer(reviews)),
            );
            offered?;
            next = loaded?;
        }
        let (before, after) = (picks.before, picks.after);
        let total = |p: &[Option<Pick>]| -> Vec<Option<f64>> { p.iter().map(|p| p.and_then(|p| p.total)).collect() };
        let date = |p: &[Option<Pick>], name: &str| -> Result<Column, WarehouseError> {
            let days: Vec<Option<i32>> = p.iter().map(|p| p.map(|p| p.date)).collect();
            Column::new(name.into(), days).cast(&DataType::Date).map_err(err(name))
        };
        let (b, a) = (total(&before), total(&after));
        added.push(Column::new(c::REVIEW_DELTA.into(), diff(&a, &b)));
        added.push(Column::new(c::REVIEW_BEFORE.into(), b));
        added.push(date(&before, c::REVIEW_BEFORE_DATE)?);
        added.push(Column::new(c::REVIEW_AFTER.into(), a));
        added.push(date(&after, c::REVIEW_AFTER_DATE)?);
    }
    let mut df = base;
    df.hstack_mut(&added).map_err(err("assembling"))?;
    add_norm_gain(df)
}

/// Enrollments with their class and cadre attributes and the attendance rate, sorted
/// by (class_id, cadre_id).
fn base(wh: &Path) -> Result<DataFrame, WarehouseError> {
    let classes = scan(wh, crate::schema::wh::CLASSES)?.select([
        col(c::CLASS_ID),
        col(c::METHOD),
        col(c::TARGET_CATEGORY),
        col(c::START_DATE),
        col(c::END_DATE),
        col(c::DAYS),
        col(c::HOURS),
        col(c::YEAR),
    ]);
    let cadres = scan(wh, crate::schema::wh::CADRES)?.select([col(c::CADRE_ID), col(c::CATEGORY), col(c::UNIT_ID)]);
    let enrollments = scan(wh, crate::schema::wh::ENROLLMENTS)?.select([
        col(c::CLASS_ID),
        col(c::CADRE_ID),
        col(c::ATTENDED_HOURS),
        col(c::LEAVE_HOURS),
        col(c::DISCIPLINE_FLAGS),
        col(c::EXAM_SCORE),
        col(c::COMPLETED),
    ]);
    enrollments
        .join(classes, [col(c::CLASS_ID)], [col(c::CLASS_ID)], m_to_1(JoinType::Left))
        .join(cadres, [col(c::CADRE_ID)], [col(c::CADRE_ID)], m_to_1(JoinType::Left))
        .with_column(
            when(col(c::HOURS).gt(lit(0.0)))
                .then(col(c::ATTENDED_HOURS) / col(c::HOURS))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(c::ATTENDANCE_RATE),
        )
        .sort([c::CLASS_ID, c::CADRE_ID], SortMultipleOptions::default().with_maintain_order(true))
        .collect()
        .map_err(|e| WarehouseError::frame("building trainee_outcomes (classes and cadres must be unique per key)", e))
}

/// The row of every (class_id, cadre_id) of the base frame, grouped by class: right
/// sides list their rows class by class, so consecutive look-ups hit the same small
/// per-class map (one flat map of 10⁶ string pairs cost a cache miss per look-up).
struct RowIndex<'a> {
    rows: rustc_hash::FxHashMap<&'a str, rustc_hash::FxHashMap<&'a str, u32>>,
    n: usize,
}

/// The string cells of `column` of `df` (nulls as `None`).
fn strs<'a>(df: &'a DataFrame, column: &str, what: &str) -> Result<&'a StringChunked, WarehouseError> {
    let e = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {what}"), e);
    df.column(column).map_err(e)?.str().map_err(e)
}

impl<'a> RowIndex<'a> {
    /// Index `base`; a repeated (class_id, cadre_id) is an error.
    fn new(base: &'a DataFrame) -> Result<Self, WarehouseError> {
        let (classes, cadres) = (
            strs(base, c::CLASS_ID, crate::schema::wh::ENROLLMENTS)?,
            strs(base, c::CADRE_ID, crate::schema::wh::ENROLLMENTS)?,
        );
        let mut rows: rustc_hash::FxHashMap<&str, rustc_hash::FxHashMap<&str, u32>> = Default::default();
        for (i, (class, cadre)) in classes.iter().zip(cadres.iter()).enumerate() {
            if let (Some(class), Some(cadre)) = (class, cadre) {
                if rows.entry(class).or_default().insert(cadre, i as u32).is_some() {
                    return Err(WarehouseError::frame(
                        crate::schema::wh::TRAINEE_OUTCOMES,
                        "(class_id, cadre_id) is not unique",
                    ));
                }
            }
        }
        Ok(RowIndex { rows, n: base.height() })
    }

    /// The float column `value` of `right` (keyed by class_id, cadre_id) aligned to the
    /// base rows, as a left join: rows without a match get null, keys that match no row
    /// are ignored, and a key that occurs twice in `right` is an error naming `table`.
    fn attach(&self, table: &str, right: &DataFrame, value: &str) -> Result<Vec<Option<f64>>, WarehouseError> {
        let e = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {table}"), e);
        let (classes, cadres) = (strs(right, c::CLASS_ID, table)?, strs(right, c::CADRE_ID, table)?);
        let values = right.column(value).map_err(e)?.cast(&DataType::Float64).map_err(e)?;
        let values = values.f64().map_err(e)?;
        let mut out = vec![None; self.n];
        let mut filled = vec![false; self.n];
        let mut unmatched: rustc_hash::FxHashSet<(&str, &str)> = Default::default();
        // The class of the previous row and its map (rows come class by class).
        let mut current: Option<(&str, Option<&rustc_hash::FxHashMap<&str, u32>>)> = None;
        for ((class, cadre), v) in classes.iter().zip(cadres.iter()).zip(values.iter()) {
            let (Some(class), Some(cadre)) = (class, cadre) else { continue };
            let in_class = match current {
                Some((c, m)) if c == class => m,
                _ => {
                    let m = self.rows.get(class);
                    current = Some((class, m));
                    m
                }
            };
            let fresh = match in_class.and_then(|m| m.get(cadre)) {
                Some(&i) => {
                    out[i as usize] = v;
                    !std::mem::replace(&mut filled[i as usize], true)
                }
                None => unmatched.insert((class, cadre)),
            };
            if !fresh {
                return Err(WarehouseError::frame(
                    crate::schema::wh::TRAINEE_OUTCOMES,
                    format!("`{table}` has more than one row for (class_id, cadre_id) = ({class}, {cadre}): each right side must be unique per key"),
                ));
            }
        }
        Ok(out)
    }
}

/// A review picked for one side of an enrollment (`kind` interned in [`ReviewPicks`]).
#[derive(Clone, Copy)]
struct Pick {
    date: i32,
    kind: Option<u32>,
    total: Option<f64>,
}

/// For every base row, the latest review dated before `start_date` and the first dated
/// on or after `end_date + lag` (ties on the date broken by `kind`, nulls first), over
/// every frame of reviews offered. No two reviews of a cadre share date and kind (the
/// key of `reviews`), so the picks do not depend on the order of the frames.
struct ReviewPicks<'b> {
    starts: Vec<Option<i32>>,
    ends: Vec<Option<i32>>,
    /// The enrollments of every cadre.
    by_cadre: rustc_hash::FxHashMap<&'b str, Vec<u32>>,
    before: Vec<Option<Pick>>,
    after: Vec<Option<Pick>>,
    /// The kinds met so far (a handful), and their ids.
    kinds: Vec<String>,
    kind_ids: rustc_hash::FxHashMap<String, u32>,
    lag: i64,
}

/// Int32 days of a date column.
fn days(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>, WarehouseError> {
    let e = |e: PolarsError| WarehouseError::frame("trainee_outcomes: reviews", e);
    let col = df.column(name).map_err(e)?.cast(&DataType::Int32).map_err(e)?;
    Ok(col.i32().map_err(e)?.iter().collect())
}

impl<'b> ReviewPicks<'b> {
    fn new(base: &'b DataFrame, rows: &RowIndex<'_>, lag: i64) -> Result<Self, WarehouseError> {
        let mut by_cadre: rustc_hash::FxHashMap<&str, Vec<u32>> = Default::default();
        for (i, cadre) in strs(base, c::CADRE_ID, crate::schema::wh::ENROLLMENTS)?.iter().enumerate() {
            if let Some(cadre) = cadre {
                by_cadre.entry(cadre).or_default().push(i as u32);
            }
        }
        Ok(ReviewPicks {
            starts: days(base, c::START_DATE)?,
            ends: days(base, c::END_DATE)?,
            by_cadre,
            before: vec![None; rows.n],
            after: vec![None; rows.n],
            kinds: Vec::new(),
            kind_ids: Default::default(),
            lag,
        })
    }

    /// The kind of a pick, as text.
    #[cfg(test)]
    fn kind(&self, p: &Pick) -> Option<&str> {
        p.kind.map(|k| self.kinds[k as usize].as_str())
    }

    /// Offer every review of `reviews` (cadre_id, review_date, kind, total) to the
    /// enrollments of its cadre.
    fn offer(&mut self, reviews: &DataFrame) -> Result<(), WarehouseError> {
        let e = |e: PolarsError| WarehouseError::frame("trainee_outcomes: reviews", e);
        let dates = days(reviews, c::REVIEW_DATE)?;
        let totals = reviews.column(c::TOTAL).map_err(e)?.cast(&DataType::Float64).map_err(e)?;
        let totals = totals.f64().map_err(e)?;
        let cadres = strs(reviews, c::CADRE_ID, crate::schema::wh::REVIEWS)?;
        let kinds = strs(reviews, c::KIND, crate::schema::wh::REVIEWS)?;
        let ReviewPicks { starts, ends, by_cadre, before, after, kinds: names, kind_ids, lag } = self;
        let lag = *lag;
        // The cadre of the previous review and its enrollments (reviews come cadre by cadre).
        let mut current: Option<(&str, Option<&Vec<u32>>)> = None;
        for (((cadre, date), kind), total) in cadres.iter().zip(dates).zip(kinds.iter()).zip(totals.iter()) {
            let (Some(cadre), Some(date)) = (cadre, date) else { continue };
            let enrolled = match current {
                Some((c, e)) if c == cadre => e,
                _ => {
                    let e = by_cadre.get(cadre);
                    current = Some((cadre, e));
                    e
                }
            };
            let Some(enrolled) = enrolled else { continue };
            let id = kind.map(|k| match kind_ids.get(k) {
                Some(&id) => id,
                None => {
                    names.push(k.to_string());
                    kind_ids.insert(k.to_string(), names.len() as u32 - 1);
                    names.len() as u32 - 1
                }
            });
            let review = Pick { date, kind: id, total };
            let text = |p: &Pick| p.kind.map(|k| names[k as usize].as_str());
            for &i in enrolled {
                let i = i as usize;
                if starts[i].is_some_and(|s| date < s) && before[i].is_none_or(|b| (b.date, text(&b)) < (date, kind)) {
                    before[i] = Some(review);
                }
                if ends[i].is_some_and(|end| date as i64 >= end as i64 + lag)
                    && after[i].is_none_or(|a| (date, kind) < (a.date, text(&a)))
                {
                    after[i] = Some(review);
                }
            }
        }
        Ok(())
    }
}

/// Every Parquet file under `dir`, in path order (none when it does not exist).
fn parquet_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, WarehouseError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(WarehouseError::io(&d, e)),
        };
        for entry in rd {
            let p = entry.map_err(|e| WarehouseError::io(&d, e))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> DataFrame {
        df![
            c::CLASS_ID => ["K1", "K2"],
            c::CADRE_ID => ["C1", "C1"],
            c::START_DATE => [100i32, 300],
            c::END_DATE => [110i32, 310],
        ]
        .unwrap()
    }

    #[test]
    fn reviews_pick_by_date_then_kind_nulls_first() {
        let base = base();
        let rows = RowIndex::new(&base).unwrap();
        let reviews = df![
            c::CADRE_ID => ["C1", "C1", "C1", "C1", "C1", "C1", "C2"],
            c::REVIEW_DATE => [90i32, 90, 90, 80, 200, 200, 95],
            c::KIND => [Some("annual"), Some("key"), None, Some("zzz"), Some("annual"), None, Some("x")],
            c::TOTAL => [70.0, 75.0, 60.0, 99.0, 81.0, 82.0, 1.0],
        ]
        .unwrap();
        // Offered whole, or in two frames in either order: the same picks.
        let (first, rest) = (reviews.slice(0, 3), reviews.slice(3, 4));
        for frames in [vec![reviews.clone()], vec![first.clone(), rest.clone()], vec![rest, first]] {
            let mut picks = ReviewPicks::new(&base, &rows, 10).unwrap();
            frames.iter().for_each(|f| picks.offer(f).unwrap());
            let (before, after) = (&picks.before, &picks.after);
            // K1: latest before day 100 is day 90, largest kind; first from day 120 is day 200, null kind first.
            assert_eq!(before[0].map(|p| (p.date, p.total)), Some((90, Some(75.0))));
            assert_eq!(after[0].map(|p| (p.date, p.total)), Some((200, Some(82.0))));
            // K2 (day 300–310): the day-200 reviews are before; none after.
            let b1 = before[1].unwrap();
            assert_eq!((b1.date, picks.kind(&b1), b1.total), (200, Some("annual"), Some(81.0)));
            assert!(after[1].is_none());
        }
    }

    #[test]
    fn attach_is_a_left_join_that_refuses_duplicates() {
        let base = base();
        let rows = RowIndex::new(&base).unwrap();
        let right = df![c::CLASS_ID => ["K2", "K9"], c::CADRE_ID => ["C1", "C1"], "v" => [1.5, 2.0]].unwrap();
        assert_eq!(rows.attach("t", &right, "v").unwrap(), vec![None, Some(1.5)]);
        let dup = df![c::CLASS_ID => ["K9", "K9"], c::CADRE_ID => ["C1", "C1"], "v" => [1.0, 2.0]].unwrap();
        assert!(rows.attach("t", &dup, "v").unwrap_err().to_string().contains("more than one row"));
    }
}
