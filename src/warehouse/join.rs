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
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::PipelineFile;
use crate::error::WarehouseError;
use crate::schema::{col as c, Wave};
use crate::validate::{PerTrainee, RatingStats, Registry};
use crate::warehouse::read::{parquet_files, partition_year, read_columns};

/// The maximum of a 0–100 scale score (Hake's gain).
const SCORE_MAX: f64 = 100.0;

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
                cadres.push(reg.cadre_out(cadre));
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
        let text = |df: &DataFrame, name: &str| -> Result<StringChunked, WarehouseError> {
            df.column(name).and_then(|s| s.str().cloned()).map_err(failed(name))
        };
        let scores = |df: &DataFrame| -> Result<Float64Chunked, WarehouseError> {
            df.column(c::SCORE)
                .and_then(|s| s.cast(&DataType::Float64))
                .and_then(|s| s.f64().cloned())
                .map_err(failed(c::SCORE))
        };
        // Reaction: course total per (class, course, rater) when every indicator is scored,
        // then the mean of the totals per (class, rater). Missing scores count for nothing.
        let k = settings.instrument.course_indicators.len();
        let wanted: FxHashSet<&str> = settings.instrument.course_indicators.iter().map(String::as_str).collect();
        let df = read_columns(
            wh,
            crate::schema::wh::COURSE_RATINGS,
            &[c::CLASS_ID, c::COURSE_ID, c::RATER_ID, c::INDICATOR, c::SCORE],
        )?;
        let (class, course, rater, indicator) =
            (text(&df, c::CLASS_ID)?, text(&df, c::COURSE_ID)?, text(&df, c::RATER_ID)?, text(&df, c::INDICATOR)?);
        let score = scores(&df)?;
        let mut totals: FxHashMap<[Option<&str>; 3], (f64, usize)> = FxHashMap::default();
        for i in 0..df.height() {
            if !indicator.get(i).is_some_and(|x| wanted.contains(x)) {
                continue;
            }
            let t = totals.entry([class.get(i), course.get(i), rater.get(i)]).or_insert((0.0, 0));
            if let Some(x) = score.get(i) {
                *t = (t.0 + x, t.1 + 1);
            }
        }
        let mut reaction: FxHashMap<[Option<&str>; 2], Mean> = FxHashMap::default();
        for ([class, _, rater], (total, n)) in totals {
            if n == k {
                reaction.entry([class, rater]).or_default().add(Some(total));
            }
        }
        // Assessment received, by others and by self.
        let df =
            read_columns(wh, crate::schema::wh::TRAINEE_RATINGS, &[c::CLASS_ID, c::CADRE_ID, c::RATER_ROLE, c::SCORE])?;
        let (class, cadre, role) = (text(&df, c::CLASS_ID)?, text(&df, c::CADRE_ID)?, text(&df, c::RATER_ROLE)?);
        let score = scores(&df)?;
        let (mut by_others, mut by_self): (FxHashMap<[Option<&str>; 2], Mean>, FxHashMap<_, Mean>) = Default::default();
        for i in 0..df.height() {
            let into = match role.get(i) {
                Some("self") => &mut by_self,
                Some(_) => &mut by_others,
                None => continue,
            };
            into.entry([class.get(i), cadre.get(i)]).or_default().add(score.get(i));
        }
        let frame = |means: FxHashMap<[Option<&str>; 2], Mean>, name: &str| -> Result<DataFrame, WarehouseError> {
            let mut rows: Vec<([Option<&str>; 2], Option<f64>)> =
                means.into_iter().map(|(key, m)| (key, m.mean())).collect();
            rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            DataFrame::new(
                rows.len(),
                vec![
                    Column::new(c::CLASS_ID.into(), rows.iter().map(|r| r.0[0]).collect::<Vec<_>>()),
                    Column::new(c::CADRE_ID.into(), rows.iter().map(|r| r.0[1]).collect::<Vec<_>>()),
                    Column::new(name.into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                ],
            )
            .map_err(failed(name))
        };
        Ok(RatingScores {
            reaction: frame(reaction, c::REACTION)?,
            by_others: frame(by_others, c::TRAINEE_ASSESSMENT)?,
            by_self: frame(by_self, c::SELF_ASSESSMENT)?,
        })
    }
}

fn failed(what: &str) -> impl Fn(PolarsError) -> WarehouseError + '_ {
    move |e| WarehouseError::frame(format!("trainee_outcomes: {what}"), e)
}

/// The mean of the present values of a group, summed in row order (none present: null).
#[derive(Default)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, x: Option<f64>) {
        if let Some(x) = x {
            self.sum += x;
            self.n += 1;
        }
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Build `trainee_outcomes` from the warehouse at `warehouse` (which may be the
/// temporary root of a build in progress). Rows are sorted by (class_id, cadre_id).
pub fn trainee_outcomes(
    warehouse: &Path,
    settings: &PipelineFile,
    ratings: RatingScores,
) -> Result<DataFrame, WarehouseError> {
    trainee_outcomes_with(warehouse, settings, ratings, None)
}

/// [`trainee_outcomes`], given the registry of the build that wrote the warehouse: when
/// its `cadres` table is exactly the registry's cadres ([`Registry::wrote_cadres_as`]),
/// enrollments find their cadre's row through the registry's index, not a second index
/// of every cadre id built here. The same rows either way. The registry is dropped as
/// soon as the enrollments have their cadres, making room for the rest of the join.
pub fn trainee_outcomes_with(
    warehouse: &Path,
    settings: &PipelineFile,
    ratings: RatingScores,
    known: Option<Registry>,
) -> Result<DataFrame, WarehouseError> {
    let err = |what: &str| {
        let what = format!("trainee_outcomes: {what}");
        move |e: PolarsError| WarehouseError::frame(what, e)
    };
    let base = base(warehouse, known.as_ref())?;
    drop(known);
    let mut added: Vec<Column> = Vec::new();
    {
        let rows = RowIndex::new(&base)?;

        // Outcome-scale scores, one column per wave. Each file is read and its rows
        // located on the pool (a file is a survey wave, so a file at a time per core
        // bounds the memory); the values are then put in place in path order.
        let scale = settings.instrument.outcome_scale.as_str();
        const WAVES: [(Wave, &str); 5] = [
            (Wave::Pre, c::PRE_SCORE),
            (Wave::Post, c::POST_SCORE),
            (Wave::Follow3m, c::FOLLOW_3M),
            (Wave::Follow6m, c::FOLLOW_6M),
            (Wave::Follow12m, c::FOLLOW_12M),
        ];
        let files = parquet_files(&warehouse.join(crate::schema::wh::SCALE_SCORES))?;
        let by_wave: std::sync::Mutex<Vec<Attached>> = std::sync::Mutex::new(
            (0..WAVES.len()).map(|_| Attached::new(crate::schema::wh::SCALE_SCORES, rows.n)).collect(),
        );
        files.par_iter().try_for_each(|file| -> Result<(), WarehouseError> {
            let df = read_file(file, &[c::CLASS_ID, c::CADRE_ID, c::WAVE, c::SCALE, c::SCORE], false)?;
            let table = crate::schema::wh::SCALE_SCORES;
            let (waves, scales) = (strs(&df, c::WAVE, table)?, strs(&df, c::SCALE, table)?);
            let scores = df.column(c::SCORE).map_err(err(table))?.cast(&DataType::Float64).map_err(err(table))?;
            let scores = scores.f64().map_err(err(table))?;
            let keep: Vec<Option<u8>> = waves
                .iter()
                .zip(scales.iter())
                .map(|(w, s)| {
                    let w = w.filter(|_| s == Some(scale))?;
                    WAVES.iter().position(|(wave, _)| wave.as_str() == w).map(|k| k as u8)
                })
                .collect();
            // Located here in parallel, put in place under the lock.
            let mut at: Vec<(u8, Located, Option<f64>)> = Vec::with_capacity(df.height());
            rows.locate(
                &df,
                table,
                |i| keep[i].is_some(),
                |i, loc| {
                    at.push((keep[i].unwrap_or_default(), loc, scores.get(i)));
                    Ok(())
                },
            )?;
            let mut by_wave = by_wave.lock().unwrap_or_else(|p| p.into_inner());
            at.into_iter().try_for_each(|(wave, loc, v)| by_wave[wave as usize].put(loc, v))
        })?;
        let by_wave: Vec<Vec<Option<f64>>> =
            by_wave.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().map(|a| a.out).collect();
        for ((_, name), values) in WAVES.iter().zip(&by_wave) {
            added.push(Column::new((*name).into(), values));
        }
        let diff = |a: &[Option<f64>], b: &[Option<f64>]| -> Vec<Option<f64>> {
            a.iter().zip(b).map(|(a, b)| Some((*a)? - (*b)?)).collect()
        };
        added.push(Column::new(c::GAIN.into(), diff(&by_wave[1], &by_wave[0])));

        // Reaction and assessment received: per (class, cadre), computed before.
        let ((reaction, others), own) = rayon::join(
            || {
                rayon::join(
                    || rows.attach(crate::schema::wh::COURSE_RATINGS, &ratings.reaction, c::REACTION),
                    || rows.attach(crate::schema::wh::TRAINEE_RATINGS, &ratings.by_others, c::TRAINEE_ASSESSMENT),
                )
            },
            || rows.attach(crate::schema::wh::TRAINEE_RATINGS, &ratings.by_self, c::SELF_ASSESSMENT),
        );
        added.push(Column::new(c::REACTION.into(), reaction?));
        added.push(Column::new(c::TRAINEE_ASSESSMENT.into(), others?));
        added.push(Column::new(c::SELF_ASSESSMENT.into(), own?));
        drop(ratings);

        // Reviews before and after, offered one file (a year of reviews) at a time: the
        // whole table read at once was the largest frame of the build.
        let mut picks = ReviewPicks::new(&base, settings.indicators.follow_up_lag_days)?;
        let files = parquet_files(&warehouse.join(crate::schema::wh::REVIEWS))?;
        let read = |file: Option<&std::path::PathBuf>| -> Result<Option<DataFrame>, WarehouseError> {
            let Some(file) = file else { return Ok(None) };
            read_file(file, &[c::CADRE_ID, c::REVIEW_DATE, c::KIND, c::TOTAL], false).map(Some)
        };
        // The next file is read on the other core while this one is offered: two files
        // in memory at most.
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
        let (before, after) = picks.by_row(rows.n);
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

/// The `columns` of one Parquet file; with `year`, also the Int32 `year` of the file's
/// hive directory (`year=2025/…`), as the lazy scan of a partitioned table gives it.
fn read_file(file: &Path, columns: &[&str], year: bool) -> Result<DataFrame, WarehouseError> {
    let what = || format!("trainee_outcomes: reading {}", file.display());
    let mut df = ParquetReader::new(std::fs::File::open(file).map_err(|e| WarehouseError::io(file, e))?)
        .with_columns(Some(columns.iter().map(|s| s.to_string()).collect()))
        .finish()
        .map_err(|e| WarehouseError::frame(what(), e))?;
    if year {
        let y =
            file.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).and_then(partition_year).ok_or_else(
                || WarehouseError::frame(what(), "a partitioned table's file is not under a year= directory"),
            )?;
        let n = df.height();
        df.with_column(Column::new(c::YEAR.into(), vec![y; n])).map_err(|e| WarehouseError::frame(what(), e))?;
    }
    Ok(df)
}

/// The `columns` of every file of warehouse table `table`, read on the pool and stacked
/// in path order; `year`, asked for last, of a partitioned table comes from the file's
/// directory (see [`read_file`]). A table without files is an empty frame of its schema.
fn read_table(wh: &Path, table: &str, columns: &[&str]) -> Result<DataFrame, WarehouseError> {
    let def = crate::schema::table_def(table).ok_or_else(|| WarehouseError::frame(table, "not a warehouse table"))?;
    let year = def.partition.is_some() && columns.contains(&c::YEAR);
    let in_file: Vec<&str> = columns.iter().copied().filter(|name| !year || *name != c::YEAR).collect();
    let files = parquet_files(&wh.join(def.name))?;
    let frames = files.par_iter().map(|f| read_file(f, &in_file, year)).collect::<Result<Vec<_>, _>>()?;
    let e = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: reading {table}"), e);
    let mut frames = frames.into_iter();
    let Some(mut df) = frames.next() else {
        let schema = crate::warehouse::write::polars_schema(def);
        let mut cols = Vec::new();
        for name in &in_file {
            let dtype = schema.get(name).ok_or_else(|| WarehouseError::frame(table, format!("no column {name}")))?;
            cols.push(Column::new_empty((*name).into(), dtype));
        }
        if year {
            cols.push(Column::new_empty(c::YEAR.into(), &DataType::Int32));
        }
        return DataFrame::new(0, cols).map_err(e);
    };
    for f in frames {
        df.vstack_mut(&f).map_err(e)?;
    }
    Ok(df)
}

/// The row of every key of `df`'s string column `key`; a key held twice is an error
/// (each class and cadre attaches at most once to an enrollment). Null keys match
/// nothing.
fn unique_rows<'a>(df: &'a DataFrame, key: &str, table: &str) -> Result<FxHashMap<&'a str, IdxSize>, WarehouseError> {
    let keys = strs(df, key, table)?;
    let mut rows: FxHashMap<&str, IdxSize> = FxHashMap::default();
    rows.reserve(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            if rows.insert(k, i as IdxSize).is_some() {
                return Err(WarehouseError::frame(
                    "building trainee_outcomes (classes and cadres must be unique per key)",
                    format!("`{table}` has more than one row for {key} = {k}"),
                ));
            }
        }
    }
    Ok(rows)
}

/// The row of a cadre id in the `cadres` table.
enum CadreRows<'a> {
    /// The build's own index: the table holds exactly the registry's cadres, in order.
    Known(&'a Registry),
    /// Built here from the table ([`unique_rows`]).
    Map(FxHashMap<&'a str, IdxSize>),
}

impl<'a> CadreRows<'a> {
    /// The rows of `cadres` (its `cadre_id` column): through `known` when the table is
    /// its cadres as written, else a map of the table's ids (a repeated id is an error).
    fn new(cadres: &'a DataFrame, known: Option<&'a Registry>) -> Result<Self, WarehouseError> {
        let table = crate::schema::wh::CADRES;
        if let Some(reg) = known {
            let ids = strs(cadres, c::CADRE_ID, table)?;
            if reg.wrote_cadres_as(ids.len(), ids.iter()) {
                return Ok(CadreRows::Known(reg));
            }
        }
        unique_rows(cadres, c::CADRE_ID, table).map(CadreRows::Map)
    }

    fn row(&self, id: &str) -> Option<IdxSize> {
        match self {
            CadreRows::Known(reg) => reg.cadre(id).map(|k| k as IdxSize),
            CadreRows::Map(rows) => rows.get(id).copied(),
        }
    }
}

/// Enrollments with their class and cadre attributes and the attendance rate, sorted
/// by (class_id, cadre_id), nulls first (the order of a stable sort of the enrollments;
/// a build writes them in that order already, which is checked, not assumed). `known`:
/// see [`trainee_outcomes_with`].
fn base(wh: &Path, known: Option<&Registry>) -> Result<DataFrame, WarehouseError> {
    use crate::schema::wh;
    let e = |what: &'static str| move |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {what}"), e);
    let (enrollments, (classes, cadres)) = rayon::join(
        || {
            read_table(
                wh,
                wh::ENROLLMENTS,
                &[
                    c::CLASS_ID,
                    c::CADRE_ID,
                    c::ATTENDED_HOURS,
                    c::LEAVE_HOURS,
                    c::DISCIPLINE_FLAGS,
                    c::EXAM_SCORE,
                    c::COMPLETED,
                ],
            )
        },
        || {
            rayon::join(
                || {
                    read_table(
                        wh,
                        wh::CLASSES,
                        &[
                            c::CLASS_ID,
                            c::METHOD,
                            c::TARGET_CATEGORY,
                            c::START_DATE,
                            c::END_DATE,
                            c::DAYS,
                            c::HOURS,
                            c::YEAR,
                        ],
                    )
                },
                || read_table(wh, wh::CADRES, &[c::CADRE_ID, c::CATEGORY, c::UNIT_ID]),
            )
        },
    );
    let (enrollments, classes, cadres) = (enrollments?, classes?, cadres?);
    let order: Option<Vec<IdxSize>> = {
        let (classes, cadres) =
            (strs(&enrollments, c::CLASS_ID, wh::ENROLLMENTS)?, strs(&enrollments, c::CADRE_ID, wh::ENROLLMENTS)?);
        let keys: Vec<(Option<&str>, Option<&str>)> = classes.iter().zip(cadres.iter()).collect();
        if keys.windows(2).all(|w| w[0] <= w[1]) {
            None
        } else {
            let mut order: Vec<IdxSize> = (0..keys.len() as IdxSize).collect();
            order.par_sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
            Some(order)
        }
    };
    let mut df = match order {
        None => enrollments,
        Some(order) => enrollments.take(&IdxCa::from_vec("".into(), order)).map_err(e("sorting enrollments"))?,
    };
    let (class_at, cadre_at) = {
        let (class_rows, cadre_rows) =
            (unique_rows(&classes, c::CLASS_ID, wh::CLASSES)?, CadreRows::new(&cadres, known)?);
        let class_keys: Vec<Option<&str>> = strs(&df, c::CLASS_ID, wh::ENROLLMENTS)?.iter().collect();
        let cadre_keys: Vec<Option<&str>> = strs(&df, c::CADRE_ID, wh::ENROLLMENTS)?.iter().collect();
        // Rows come class by class: the previous class's row is reused.
        let mut last: Option<(&str, Option<IdxSize>)> = None;
        let class_at: IdxCa = class_keys
            .iter()
            .map(|k| {
                let k = (*k)?;
                match last {
                    Some((l, at)) if l == k => at,
                    _ => {
                        let at = class_rows.get(k).copied();
                        last = Some((k, at));
                        at
                    }
                }
            })
            .collect();
        let cadre_at: Vec<Option<IdxSize>> = cadre_keys.par_iter().map(|k| k.and_then(|k| cadre_rows.row(k))).collect();
        (class_at, cadre_at.into_iter().collect::<IdxCa>())
    };
    let class_cols = gather(classes.drop(c::CLASS_ID).map_err(e(wh::CLASSES))?, &class_at).map_err(e(wh::CLASSES))?;
    let cadre_cols = gather(cadres.drop(c::CADRE_ID).map_err(e(wh::CADRES))?, &cadre_at).map_err(e(wh::CADRES))?;
    df.hstack_mut(class_cols.columns()).map_err(e("attaching classes"))?;
    df.hstack_mut(cadre_cols.columns()).map_err(e("attaching cadres"))?;
    let rate: Vec<Option<f64>> = {
        let attended =
            df.column(c::ATTENDED_HOURS).map_err(e(c::ATTENDED_HOURS))?.f64().map_err(e(c::ATTENDED_HOURS))?;
        let hours = df.column(c::HOURS).map_err(e(c::HOURS))?.f64().map_err(e(c::HOURS))?;
        attended
            .iter()
            .zip(hours.iter())
            .map(|(a, h)| match (a, h) {
                (Some(a), Some(h)) if h > 0.0 => Some(a / h),
                _ => None,
            })
            .collect()
    };
    df.with_column(Column::new(c::ATTENDANCE_RATE.into(), rate)).map_err(e(c::ATTENDANCE_RATE))?;
    Ok(df)
}

/// The rows of `df` at `at` (null where `at` is null), as [`DataFrame::take`] gives
/// them. The columns are made whole first: read from several row groups or files they
/// come in pieces, and polars gathers text from pieces value by value (finding each
/// value's piece, copying its bytes into a new array), from a whole column by its views.
fn gather(mut df: DataFrame, at: &IdxCa) -> PolarsResult<DataFrame> {
    df.rechunk_mut();
    df.take(at)
}

/// Where a right-side row of (class_id, cadre_id) lands: a base row, or no row (its
/// key, kept to tell a repeated unmatched key; rare, so boxed).
enum Located {
    Row(u32),
    Unmatched(Box<(String, String)>),
}

/// The row of every (class_id, cadre_id) of the base frame. The base is sorted, so a
/// class is a range of rows with its cadres in order: a look-up finds the class (the
/// previous one again when right sides come class by class, as they do) and then the
/// cadre by binary search within its few rows. Memory is one range per class.
struct RowIndex<'a> {
    classes: FxHashMap<&'a str, (u32, u32)>,
    cadres: Vec<Option<&'a str>>,
    n: usize,
}

/// The string cells of `column` of `df` (nulls as `None`).
fn strs<'a>(df: &'a DataFrame, column: &str, what: &str) -> Result<&'a StringChunked, WarehouseError> {
    let e = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {what}"), e);
    df.column(column).map_err(e)?.str().map_err(e)
}

/// A float column being attached as a left join: rows without a match stay null, and a
/// key met twice (matched or not) is an error naming `table`.
struct Attached {
    table: &'static str,
    out: Vec<Option<f64>>,
    filled: Vec<bool>,
    unmatched: FxHashSet<(String, String)>,
}

impl Attached {
    fn new(table: &'static str, n: usize) -> Self {
        Attached { table, out: vec![None; n], filled: vec![false; n], unmatched: Default::default() }
    }

    fn put(&mut self, at: Located, v: Option<f64>) -> Result<(), WarehouseError> {
        let (fresh, key) = match at {
            Located::Row(i) => {
                self.out[i as usize] = v;
                (!std::mem::replace(&mut self.filled[i as usize], true), None)
            }
            Located::Unmatched(key) => {
                let key = *key;
                if self.unmatched.contains(&key) {
                    (false, Some(key))
                } else {
                    self.unmatched.insert(key);
                    (true, None)
                }
            }
        };
        if fresh {
            return Ok(());
        }
        let key = key.map_or_else(|| "a key of the table".to_string(), |(a, b)| format!("({a}, {b})"));
        Err(WarehouseError::frame(
            crate::schema::wh::TRAINEE_OUTCOMES,
            format!(
                "`{}` has more than one row for (class_id, cadre_id) = {key}: each right side must be unique per key",
                self.table
            ),
        ))
    }
}

impl<'a> RowIndex<'a> {
    /// Index `base`, which must be sorted by (class_id, cadre_id); a repeated
    /// (class_id, cadre_id) is an error.
    fn new(base: &'a DataFrame) -> Result<Self, WarehouseError> {
        let (classes, cadres) = (
            strs(base, c::CLASS_ID, crate::schema::wh::ENROLLMENTS)?,
            strs(base, c::CADRE_ID, crate::schema::wh::ENROLLMENTS)?,
        );
        let cadres: Vec<Option<&str>> = cadres.iter().collect();
        let mut ranges: FxHashMap<&str, (u32, u32)> = Default::default();
        let mut prev: Option<(Option<&str>, Option<&str>)> = None;
        for (i, class) in classes.iter().enumerate() {
            let key = (class, cadres[i]);
            if let Some(prev) = prev {
                if key < prev {
                    return Err(WarehouseError::frame(
                        crate::schema::wh::TRAINEE_OUTCOMES,
                        "enrollments are not sorted by (class_id, cadre_id)",
                    ));
                }
                if key == prev && class.is_some() && key.1.is_some() {
                    return Err(WarehouseError::frame(
                        crate::schema::wh::TRAINEE_OUTCOMES,
                        "(class_id, cadre_id) is not unique",
                    ));
                }
            }
            prev = Some(key);
            if let Some(class) = class {
                ranges.entry(class).or_insert((i as u32, i as u32)).1 = i as u32 + 1;
            }
        }
        Ok(RowIndex { classes: ranges, cadres, n: base.height() })
    }

    /// The row of (class, cadre).
    fn row(&self, range: (u32, u32), cadre: &str) -> Option<u32> {
        let within = &self.cadres[range.0 as usize..range.1 as usize];
        within.binary_search(&Some(cadre)).ok().map(|k| range.0 + k as u32)
    }

    /// Where every row `i` of `right` (keyed by class_id, cadre_id) with `wanted(i)`
    /// lands, given to `found(i, place)`; rows with a null key are left out.
    fn locate(
        &self,
        right: &DataFrame,
        table: &str,
        wanted: impl Fn(usize) -> bool,
        mut found: impl FnMut(usize, Located) -> Result<(), WarehouseError>,
    ) -> Result<(), WarehouseError> {
        let (classes, cadres) = (strs(right, c::CLASS_ID, table)?, strs(right, c::CADRE_ID, table)?);
        // The class of the previous row and its range (rows come class by class).
        let mut current: Option<(&str, Option<(u32, u32)>)> = None;
        for (i, (class, cadre)) in classes.iter().zip(cadres.iter()).enumerate() {
            let (Some(class), Some(cadre)) = (class, cadre) else { continue };
            if !wanted(i) {
                continue;
            }
            let range = match current {
                Some((c, r)) if c == class => r,
                _ => {
                    let r = self.classes.get(class).copied();
                    current = Some((class, r));
                    r
                }
            };
            let at = match range.and_then(|r| self.row(r, cadre)) {
                Some(row) => Located::Row(row),
                None => Located::Unmatched(Box::new((class.to_string(), cadre.to_string()))),
            };
            found(i, at)?;
        }
        Ok(())
    }

    /// The float column `value` of `right` (keyed by class_id, cadre_id) aligned to the
    /// base rows, as a left join: rows without a match get null, keys that match no row
    /// are ignored, and a key that occurs twice in `right` is an error naming `table`.
    fn attach(&self, table: &'static str, right: &DataFrame, value: &str) -> Result<Vec<Option<f64>>, WarehouseError> {
        let e = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {table}"), e);
        let values = right.column(value).map_err(e)?.cast(&DataType::Float64).map_err(e)?;
        let values = values.f64().map_err(e)?;
        let mut attached = Attached::new(table, self.n);
        self.locate(right, table, |_| true, |i, at| attached.put(at, values.get(i)))?;
        Ok(attached.out)
    }
}

/// A review picked for one side of an enrollment (`kind` interned in [`ReviewPicks`]).
#[derive(Clone, Copy)]
struct Pick {
    date: i32,
    kind: Option<u32>,
    total: Option<f64>,
}

/// A cadre id with its first eight bytes as a big-endian number: ordering by
/// (prefix, id) is the ids' byte order, and most comparisons end at the prefix
/// (generated and real ids share no long prefixes among neighbours).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct CadreKey<'a>(u64, &'a str);

impl<'a> CadreKey<'a> {
    fn new(id: &'a str) -> Self {
        let mut b = [0u8; 8];
        let n = id.len().min(8);
        b[..n].copy_from_slice(&id.as_bytes()[..n]);
        CadreKey(u64::from_be_bytes(b), id)
    }
}

/// For every base row, the latest review dated before `start_date` and the first dated
/// on or after `end_date + lag` (ties on the date broken by `kind`, nulls first), over
/// every frame of reviews offered. No two reviews of a cadre share date and kind (the
/// key of `reviews`), so the picks do not depend on the order of the frames.
struct ReviewPicks<'b> {
    /// (cadre, row) of every enrollment, sorted: reviews come cadre by cadre in cadre
    /// order, so finding the next cadre is a short step forward (a merge), not a hash
    /// look-up with a cache miss per review; reviews out of order take a binary search.
    /// The vectors below are in this order, so a range of cadres is a range of them.
    by_cadre: Vec<(CadreKey<'b>, u32)>,
    starts: Vec<Option<i32>>,
    ends: Vec<Option<i32>>,
    before: Vec<Option<Pick>>,
    after: Vec<Option<Pick>>,
    /// The kinds met so far (a handful), their ids being their positions.
    kinds: Vec<String>,
    lag: i64,
}

/// Int32 days of a date column.
fn days(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>, WarehouseError> {
    let e = |e: PolarsError| WarehouseError::frame("trainee_outcomes: reviews", e);
    let col = df.column(name).map_err(e)?.cast(&DataType::Int32).map_err(e)?;
    Ok(col.i32().map_err(e)?.iter().collect())
}

/// The first position of `v` (sorted by cadre) whose cadre is not below `cadre`,
/// searched forward from `from` by doubling steps when `cadre` lies ahead of it, else
/// by binary search before it.
fn seek(v: &[(CadreKey<'_>, u32)], from: usize, cadre: CadreKey<'_>) -> usize {
    if from < v.len() && v[from].0 < cadre {
        let (mut lo, mut step) = (from, 1);
        while lo + step < v.len() && v[lo + step].0 < cadre {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step).min(v.len());
        lo + 1 + v[lo + 1..hi].partition_point(|e| e.0 < cadre)
    } else if from == 0 || (from <= v.len() && v[from - 1].0 < cadre) {
        from.min(v.len())
    } else {
        v[..from.min(v.len())].partition_point(|e| e.0 < cadre)
    }
}

/// One review being offered.
#[derive(Clone, Copy)]
struct Offered<'a> {
    cadre: Option<CadreKey<'a>>,
    date: Option<i32>,
    kind: Option<u32>,
    total: Option<f64>,
}

/// The part of the picks that the reviews of a range of cadres can change.
struct Slice<'s, 'b> {
    by_cadre: &'s [(CadreKey<'b>, u32)],
    starts: &'s [Option<i32>],
    ends: &'s [Option<i32>],
    before: &'s mut [Option<Pick>],
    after: &'s mut [Option<Pick>],
}

impl Slice<'_, '_> {
    /// Offer `reviews` (of the cadres of this slice, or of none) to their enrollments.
    fn offer(&mut self, reviews: &[Offered<'_>], kinds: &[String], lag: i64) {
        let Slice { by_cadre, starts, ends, before, after } = self;
        let text = |k: Option<u32>| k.map(|k| kinds[k as usize].as_str());
        let mut at = 0;
        for r in reviews {
            let (Some(cadre), Some(date)) = (r.cadre, r.date) else { continue };
            at = seek(by_cadre, at, cadre);
            let review = Pick { date, kind: r.kind, total: r.total };
            let kind = text(r.kind);
            for j in at..by_cadre.len() {
                if by_cadre[j].0 != cadre {
                    break;
                }
                if starts[j].is_some_and(|s| date < s)
                    && before[j].is_none_or(|b| (b.date, text(b.kind)) < (date, kind))
                {
                    before[j] = Some(review);
                }
                if ends[j].is_some_and(|end| date as i64 >= end as i64 + lag)
                    && after[j].is_none_or(|a| (date, kind) < (a.date, text(a.kind)))
                {
                    after[j] = Some(review);
                }
            }
        }
    }
}

impl<'b> ReviewPicks<'b> {
    fn new(base: &'b DataFrame, lag: i64) -> Result<Self, WarehouseError> {
        let mut by_cadre: Vec<(CadreKey<'b>, u32)> = strs(base, c::CADRE_ID, crate::schema::wh::ENROLLMENTS)?
            .iter()
            .enumerate()
            .filter_map(|(i, cadre)| cadre.map(|c| (CadreKey::new(c), i as u32)))
            .collect();
        by_cadre.par_sort_unstable();
        let (starts, ends) = (days(base, c::START_DATE)?, days(base, c::END_DATE)?);
        let n = by_cadre.len();
        Ok(ReviewPicks {
            starts: by_cadre.iter().map(|&(_, i)| starts[i as usize]).collect(),
            ends: by_cadre.iter().map(|&(_, i)| ends[i as usize]).collect(),
            by_cadre,
            before: vec![None; n],
            after: vec![None; n],
            kinds: Vec::new(),
            lag,
        })
    }

    /// The picks before and after of every base row (`n` rows).
    fn by_row(&self, n: usize) -> (Vec<Option<Pick>>, Vec<Option<Pick>>) {
        let (mut before, mut after) = (vec![None; n], vec![None; n]);
        for (j, &(_, i)) in self.by_cadre.iter().enumerate() {
            before[i as usize] = self.before[j];
            after[i as usize] = self.after[j];
        }
        (before, after)
    }

    /// The kind of a pick, as text.
    #[cfg(test)]
    fn kind(&self, p: &Pick) -> Option<&str> {
        p.kind.map(|k| self.kinds[k as usize].as_str())
    }

    /// The id of `kind`, added when new.
    fn kind_id(&mut self, kind: &str) -> u32 {
        match self.kinds.iter().position(|k| k == kind) {
            Some(id) => id as u32,
            None => {
                self.kinds.push(kind.to_string());
                self.kinds.len() as u32 - 1
            }
        }
    }

    /// Offer every review of `reviews` (cadre_id, review_date, kind, total) to the
    /// enrollments of its cadre. Reviews sorted by cadre (as `build` writes them) are
    /// cut into ranges of cadres offered in parallel, each to its own part of the
    /// picks; others are offered in one piece.
    fn offer(&mut self, reviews: &DataFrame) -> Result<(), WarehouseError> {
        let e = |e: PolarsError| WarehouseError::frame("trainee_outcomes: reviews", e);
        let dates = days(reviews, c::REVIEW_DATE)?;
        let totals = reviews.column(c::TOTAL).map_err(e)?.cast(&DataType::Float64).map_err(e)?;
        let totals = totals.f64().map_err(e)?;
        let cadres = strs(reviews, c::CADRE_ID, crate::schema::wh::REVIEWS)?;
        let kinds = strs(reviews, c::KIND, crate::schema::wh::REVIEWS)?;
        // Kinds repeat from row to row: the previous one is compared before the table.
        let mut last: Option<(&str, u32)> = None;
        let mut offered = Vec::with_capacity(reviews.height());
        for (((cadre, date), kind), total) in cadres.iter().zip(dates).zip(kinds.iter()).zip(totals.iter()) {
            let kind = kind.map(|k| match last {
                Some((l, id)) if l == k => id,
                _ => {
                    let id = self.kind_id(k);
                    last = Some((k, id));
                    id
                }
            });
            offered.push(Offered { cadre: cadre.map(CadreKey::new), date, kind, total });
        }
        let sorted = offered.windows(2).all(|w| w[0].cadre <= w[1].cadre);
        let parts = if sorted { rayon::current_num_threads().max(1) * 4 } else { 1 };
        // Cut the picks at the first enrollment of a cadre, and the reviews at that cadre.
        let mut cuts = vec![(0usize, 0usize)];
        for k in 1..parts {
            let Some(&(key, _)) = self.by_cadre.get(k * self.by_cadre.len() / parts) else { break };
            let at = self.by_cadre.partition_point(|e| e.0 < key);
            let from = offered.partition_point(|r| r.cadre.is_none_or(|c| c < key));
            if at > cuts[cuts.len() - 1].0 {
                cuts.push((at, from));
            }
        }
        cuts.push((self.by_cadre.len(), offered.len()));
        let ReviewPicks { by_cadre, starts, ends, before, after, kinds, lag } = self;
        let mut slices = Vec::with_capacity(cuts.len());
        let (mut b, mut a): (&mut [Option<Pick>], &mut [Option<Pick>]) = (before, after);
        for w in cuts.windows(2) {
            let ((p0, r0), (p1, r1)) = (w[0], w[1]);
            let (bh, bt) = std::mem::take(&mut b).split_at_mut(p1 - p0);
            let (ah, at) = std::mem::take(&mut a).split_at_mut(p1 - p0);
            (b, a) = (bt, at);
            let slice = Slice {
                by_cadre: &by_cadre[p0..p1],
                starts: &starts[p0..p1],
                ends: &ends[p0..p1],
                before: bh,
                after: ah,
            };
            slices.push((slice, &offered[r0..r1]));
        }
        let (kinds, lag) = (&*kinds, *lag);
        slices.into_par_iter().for_each(|(mut slice, reviews)| slice.offer(reviews, kinds, lag));
        Ok(())
    }
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
    // Columns read from several row groups or files come in pieces; one column at a
    // time is made whole, so the writer can take the frame as it is.
    df.rechunk_mut();
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
            let mut picks = ReviewPicks::new(&base, 10).unwrap();
            frames.iter().for_each(|f| picks.offer(f).unwrap());
            let (before, after) = picks.by_row(2);
            // K1: latest before day 100 is day 90, largest kind; first from day 120 is day 200, null kind first.
            assert_eq!(before[0].map(|p| (p.date, p.total)), Some((90, Some(75.0))));
            assert_eq!(after[0].map(|p| (p.date, p.total)), Some((200, Some(82.0))));
            // K2 (day 300–310): the day-200 reviews are before; none after.
            let b1 = before[1].unwrap();
            assert_eq!((b1.date, picks.kind(&b1), b1.total), (200, Some("annual"), Some(81.0)));
            assert!(after[1].is_none());
        }
    }

    /// Through the registry, cadres are found at the rows a map of the table finds them,
    /// when the table is the registry's cadres as written; any other table (another
    /// order, fewer or more ids, a null, ids written under a key) is indexed from itself.
    #[test]
    fn cadre_rows_through_the_registry_are_the_tables_rows() {
        use crate::pseudonym::Pseudonymizer;
        let long = "a-cadre-id-longer-than-the-inline-bytes";
        let ids = ["C3", "C1", long, "C2", "", "C1\0"];
        let table = |ids: &[Option<&str>]| df![c::CADRE_ID => ids].unwrap();
        let given: Vec<Option<&str>> = ids.iter().map(|id| Some(*id)).collect();
        let registry = |key: Option<&str>| {
            let mut reg = Registry::new(Pseudonymizer::new(key));
            ids.iter().for_each(|id| {
                reg.add_cadre(id);
            });
            reg
        };
        let (reg, keyed) = (registry(None), registry(Some("k")));
        let written = table(&given);
        let known = CadreRows::new(&written, Some(&reg)).unwrap();
        assert!(matches!(known, CadreRows::Known(_)));
        let map = unique_rows(&written, c::CADRE_ID, "cadres").unwrap();
        for id in ids.iter().chain(&["C4", "C", "a-cadre-id-longer", "C1\0\0"]) {
            assert_eq!(known.row(id), map.get(id).copied(), "{id:?}");
        }
        let mut swapped = given.clone();
        swapped.swap(0, 1);
        let mut nulled = given.clone();
        nulled[2] = None;
        let others = [
            (table(&swapped), &reg),
            (table(&given[..4]), &reg),
            (table(&[&given[..], &[Some("C9")]].concat()), &reg),
            (table(&nulled), &reg),
            (table(&given), &keyed),
        ];
        for (other, reg) in &others {
            assert!(matches!(CadreRows::new(other, Some(reg)).unwrap(), CadreRows::Map(_)));
        }
        let repeated = table(&[Some("C1"), Some("C2"), Some("C1")]);
        assert!(CadreRows::new(&repeated, Some(&reg)).is_err());
    }

    /// Gathered from a frame in pieces, the rows are what a take of each row gives.
    #[test]
    fn gathering_from_pieces_takes_the_rows() {
        let long = "a-text-longer-than-a-view-holds";
        let mut df = df!["t" => [Some("a"), None, Some(long)], "x" => [Some(1.0), Some(2.0), None]].unwrap();
        let more = df!["t" => [Some("b"), Some(long), None], "x" => [None, Some(5.0), Some(6.0)]].unwrap();
        df.vstack_mut(&more).unwrap();
        assert!(df.column("t").unwrap().n_chunks() > 1);
        let at: IdxCa = [Some(5), Some(2), None, Some(0), Some(4), Some(3), Some(2), Some(1)].into_iter().collect();
        let got = gather(df.clone(), &at).unwrap();
        let want = df.take(&at).unwrap();
        assert!(got.equals_missing(&want), "{got}\n{want}");
        let t = got.column("t").unwrap().str().unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [None, Some(long), None, Some("a"), Some(long), Some("b"), Some(long), None]
        );
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

    /// Reviews of many cadres, sorted by cadre (offered in parallel ranges) or not
    /// (offered in one piece), pick what a search over every review of the cadre picks.
    #[test]
    fn reviews_offered_in_ranges_pick_as_a_full_search() {
        let (mut classes, mut cadres, mut starts, mut ends) = (vec![], vec![], vec![], vec![]);
        for k in 0..2 {
            for c in 0..300 {
                if (c + k) % 3 != 0 {
                    classes.push(format!("K{k}"));
                    cadres.push(format!("C{c:05}"));
                    starts.push(100 + k * 50 + c % 7);
                    ends.push(starts[starts.len() - 1] + 5);
                }
            }
        }
        let base = df![
            c::CLASS_ID => &classes, c::CADRE_ID => &cadres, c::START_DATE => &starts, c::END_DATE => &ends,
        ]
        .unwrap();
        let (mut rc, mut rd, mut rk, mut rt) = (vec![], vec![], vec![], vec![]);
        for c in 0..310 {
            for r in 0..c % 5 {
                rc.push(format!("C{c:05}"));
                rd.push(((c * 7 + r * 37) % 300) as i32);
                rk.push([Some("annual"), Some("key"), None][r % 3]);
                rt.push(c as f64 + r as f64 / 10.0);
            }
        }
        let reviews = df![c::CADRE_ID => &rc, c::REVIEW_DATE => &rd, c::KIND => &rk, c::TOTAL => &rt].unwrap();
        let lag = 10;
        let expect = |i: usize, after: bool| {
            let keys = (0..rc.len()).filter(|&r| rc[r] == cadres[i]).filter(|&r| match after {
                false => rd[r] < starts[i],
                true => rd[r] >= ends[i] + lag as i32,
            });
            let key = |r: &usize| (rd[*r], rk[*r]);
            let r = if after { keys.min_by_key(key) } else { keys.max_by_key(key) };
            r.map(|r| (rd[r], rt[r]))
        };
        let reversed = reviews.reverse();
        let (first, rest) = (reviews.slice(0, 200), reviews.slice(200, rc.len()));
        for frames in [vec![reviews.clone()], vec![reversed], vec![rest, first]] {
            let mut picks = ReviewPicks::new(&base, lag).unwrap();
            frames.iter().for_each(|f| picks.offer(f).unwrap());
            let (before, after) = picks.by_row(cadres.len());
            for i in 0..cadres.len() {
                assert_eq!(before[i].map(|p| (p.date, p.total.unwrap())), expect(i, false), "before, row {i}");
                assert_eq!(after[i].map(|p| (p.date, p.total.unwrap())), expect(i, true), "after, row {i}");
            }
            assert!(before.iter().filter(|p| p.is_some()).count() > 100);
            assert!(after.iter().filter(|p| p.is_some()).count() > 100);
        }
    }
}
