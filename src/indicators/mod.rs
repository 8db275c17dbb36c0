//! Indicators: the warehouse → the indicator tables of SPEC §4 and Appendix B.
//!
//! In: the warehouse tables, read once ([`StreamInputs`] for the two streaming families,
//! which run first; [`Inputs`] for the others, read after them by
//! [`engine::read_frame`], but `trainee_ratings`, streamed into one state per trainee;
//! most families start from the joined `trainee_outcomes`),
//! the pipeline settings and the reporting
//! period. Out: [`IndicatorTable`]s in the order of
//! [`INDICATOR_TABLES`](crate::schema::INDICATOR_TABLES), each with exactly
//! the declared columns, names, order and types, `suppressed` last, rows sorted by
//! their keys.
//!
//! The families are declared in `families.rs` (name, tables, what each reads); the
//! executor [`compute_with`] runs them: the streaming families first, side by side,
//! then the frames are read and every other family runs as a task, the per-cadre ones
//! one after another after one shared numbering of the cadres (their per-cadre rows
//! and tables are the stage's largest). Each table goes to the sink when it is
//! computed; only the workbook keeps the frames after that. The period's families read the period's
//! classes only (`scope.rs`). One file per definition; each is a pure function of
//! frames (no I/O) that groups rows once, computes every group independently (in
//! parallel with `rayon` where the groups are many) and takes every statistic from
//! [`crate::stats`]. Each file opens with its family's definition: plain functions of
//! plain values (a rating from its scores, a class's controls from their reviews, …)
//! that say what an indicator means.
//!
//! **Definition and engine.** How the tables are read and keyed — columnar reading,
//! id numbering, the streaming fast paths, pools — lives in `engine/` behind a narrow
//! surface (typed columns, groupings, [`LongTable`], [`engine::Cadres`], the streaming
//! readers that take their family's rule as a function); the families see nothing of
//! its string columns, value identities or interners (`tests/it/layers.rs` checks).
//! Where a fast path stands beside a definition (reaction's streamed ratings, the
//! scorecard's streamed per-trainee moments, transfer's flat control pools), a property
//! test on random inputs asserts that they agree.
//!
//! | family | file | tables |
//! |---|---|---|
//! | (engine) | `engine/` | — |
//! | L1 reaction | `reaction.rs` | reaction_by_course, reaction_by_class, rater_agreement |
//! | L2 learning | `learning.rs` | learning_by_class, learning_by_category, learning_by_method, learning_by_year |
//! | reliability | `reliability.rs` | reliability |
//! | trajectory | `trajectory.rs` | trajectory |
//! | L3 transfer | `transfer.rs`, `flow.rs`, `event_study.rs` | transfer_by_class, participant_flow, transfer_event_study, transfer_summary, follow_up, assessment_by_class |
//! | L4 results | `results.rs` | unit_results, unit_results_fit |
//! | methods | `methods.rs` | method_summary, method_tests, method_pairwise |
//! | compliance | `compliance.rs` | compliance |
//! | needs | `needs.rs` | needs_match, needs_by_category |
//! | scorecard | `scorecard.rs` | cadre_scorecard |
//! | trends | `trends.rs` | trends, course_series |
//!
//! Small-cell suppression is applied by the one function in `suppress.rs` to every
//! published table; the per-person `compliance` and `cadre_scorecard` are never
//! suppressed (SPEC App. C.7) and must not enter a published report below the cell
//! size.

pub mod compliance;
mod engine;
pub mod event_study;
pub mod families;
pub mod flow;
pub mod learning;
pub mod methods;
pub mod needs;
pub mod reaction;
pub mod reliability;
pub mod results;
pub mod scope;
pub mod scorecard;
pub mod suppress;
pub mod trajectory;
pub mod transfer;
pub mod trends;

use std::path::Path;

use polars::prelude::*;

use crate::config::PipelineFile;
use crate::error::{IndicatorError, WarehouseError};
use crate::schema::{col, indicator_def, DType, TableDef, COURSE_INDICATORS, INDICATOR_TABLES, METHODS};
use crate::warehouse::write::polars_dtype;
pub use engine::LongTable;

/// What every family needs to know besides its frames.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    /// Cells describing fewer people are suppressed.
    pub min_cell: usize,
    /// CIs are 1 − alpha.
    pub alpha: f64,
    pub settings: &'a PipelineFile,
    /// The reporting period (`_manifest.json`'s `period`).
    pub period: &'a str,
}

impl<'a> Params<'a> {
    pub fn new(settings: &'a PipelineFile, period: &'a str) -> Self {
        Params { min_cell: settings.indicators.min_cell, alpha: settings.indicators.alpha, settings, period }
    }
}

/// Method levels in comparison order: `centralized` first (the reference), then
/// alphabetical; each present method once.
pub fn method_order<'a>(methods: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    // One insertion per run of equal names (a method per class, its rows adjacent).
    let mut set = std::collections::BTreeSet::new();
    let mut last = None;
    for m in methods {
        if last != Some(m) {
            set.insert(m);
            last = Some(m);
        }
    }
    let reference = METHODS[0];
    set.contains(reference)
        .then(|| reference.to_string())
        .into_iter()
        .chain(set.into_iter().filter(|m| *m != reference).map(str::to_string))
        .collect()
}

/// The inputs of the two streaming families (`reaction`, `reliability`): three small
/// tables and the two long tables' files. Read first: those families run before
/// [`Inputs`] is read.
pub struct StreamInputs {
    pub classes: DataFrame,
    pub courses: DataFrame,
    pub items: DataFrame,
    /// Large (one row per score): streamed a row group at a time by `reaction`.
    pub course_ratings: LongTable,
    /// Large (one row per survey answer): streamed a row group at a time by `reliability`.
    pub responses: LongTable,
}

/// The other warehouse tables the indicators read, with the columns they use.
pub struct Inputs {
    pub outcomes: DataFrame,
    pub cadres: DataFrame,
    pub units: DataFrame,
    pub reviews: DataFrame,
    pub choices: DataFrame,
    pub unit_outcomes: DataFrame,
    /// Per (class, cadre): the scores others gave the trainee, folded; the scorecard's
    /// error model of the assessment (taken by the executor, which frees it once the
    /// scorecard is built).
    pub(in crate::indicators) assessment: Option<engine::Trainees<scorecard::Welford>>,
    /// Cronbach's α of the review score's five dimensions over every review.
    pub review_alpha: Option<f64>,
}

/// Per (class, cadre), the fold of the scores by raters other than the trainee
/// ([`scorecard::Welford`] over the rows in table order, as
/// [`scorecard::others_moments`] defines it).
///
/// Streamed ([`engine::fold_trainees`]): the table has a row per score (≈ 3·10⁷ at 10⁶
/// cadres); read whole it was the largest frame of the stage, where the stream holds
/// two row groups and one small state per trainee, which the scorecard looks up in
/// place (no frame of them, no second map).
fn assessment_moments(warehouse: &Path) -> Result<engine::Trainees<scorecard::Welford>, WarehouseError> {
    use col::*;
    const T: &str = crate::schema::wh::TRAINEE_RATINGS;
    let clock = std::time::Instant::now();
    let source = LongTable::warehouse(warehouse, T, &[CLASS_ID, CADRE_ID, RATER_ROLE, SCORE])?;
    let trainees = engine::fold_trainees(&source, scorecard::by_others, scorecard::Welford::push)
        .map_err(|e| WarehouseError::frame("reading trainee_ratings", e.to_string()))?;
    tracing::debug!("reading {T}: {} trainees in {:.2} s", trainees.len(), clock.elapsed().as_secs_f64());
    Ok(trainees)
}

/// Cronbach's α of the five review dimensions over the reviews scoring all five.
fn review_alpha(warehouse: &Path) -> Result<Option<f64>, WarehouseError> {
    use col::*;
    let dims = [MORALITY, ABILITY, DILIGENCE, ACHIEVEMENT, INTEGRITY];
    let failed = |e: PolarsError| WarehouseError::frame("reading reviews", e);
    let df = crate::warehouse::read::read_columns(warehouse, crate::schema::wh::REVIEWS, &dims)?;
    let scores = dims
        .iter()
        .map(|d| df.column(d).and_then(|c| c.cast(&DataType::Float64)).map(|c| c.take_materialized_series()))
        .collect::<PolarsResult<Vec<Series>>>()
        .map_err(failed)?;
    let complete = scores.iter().skip(1).fold(scores[0].is_not_null(), |acc, s| &acc & &s.is_not_null());
    let scores = scores.iter().map(|s| s.filter(&complete)).collect::<PolarsResult<Vec<Series>>>().map_err(failed)?;
    let total = scores.iter().skip(1).try_fold(scores[0].clone(), |acc, s| &acc + s).map_err(failed)?;
    let var = |s: &Series| s.f64().ok().and_then(|x| x.var(1));
    let items: Option<f64> = scores.iter().map(var).sum();
    let k = dims.len() as f64;
    Ok(match (items, var(&total)) {
        (Some(items), Some(total)) if total > 0.0 => Some(k / (k - 1.0) * (1.0 - items / total)),
        _ => None,
    })
}

fn read(warehouse: &Path, table: &'static str, cols: &[&str]) -> Result<DataFrame, WarehouseError> {
    let clock = std::time::Instant::now();
    let failed = |e: String| WarehouseError::frame(format!("reading {table}"), e);
    let df = match engine::read_frame(warehouse, table, cols).map_err(|e| failed(e.to_string()))? {
        Some(df) => df,
        // No file: the empty table with its declared columns.
        None => crate::warehouse::read::read_columns(warehouse, table, cols)?,
    };
    tracing::debug!(
        "reading {table}: {} rows, {:.0} MB in {:.2} s",
        df.height(),
        df.estimated_size() as f64 / 1e6,
        clock.elapsed().as_secs_f64()
    );
    Ok(df)
}

impl StreamInputs {
    /// Read the small tables and list the long tables' files.
    pub fn read(warehouse: &Path) -> Result<StreamInputs, WarehouseError> {
        use col::*;
        Ok(StreamInputs {
            classes: read(
                warehouse,
                crate::schema::wh::CLASSES,
                &[CLASS_ID, TITLE, TARGET_CATEGORY, METHOD, START_DATE, END_DATE, DAYS, HOURS, YEAR],
            )?,
            courses: read(warehouse, crate::schema::wh::COURSES, &[COURSE_ID, CLASS_ID, TEACHER_ID, TOPIC, TITLE])?,
            items: read(warehouse, crate::schema::wh::ITEMS, &[ITEM_ID, SCALE, WAVE, MIN, MAX, REVERSE, KIND])?,
            course_ratings: LongTable::warehouse(
                warehouse,
                crate::schema::wh::COURSE_RATINGS,
                &[CLASS_ID, COURSE_ID, RATER_ID, INDICATOR, SCORE],
            )?,
            responses: LongTable::warehouse(
                warehouse,
                crate::schema::wh::SURVEY_RESPONSES,
                &[CLASS_ID, CADRE_ID, WAVE, ITEM_ID, VALUE],
            )?,
        })
    }
}

impl Inputs {
    /// Read the needed columns of the other input tables from `warehouse`.
    pub fn read(warehouse: &Path) -> Result<Inputs, WarehouseError> {
        use col::*;
        // Every column of the joined table but those no family reads (decoding them is
        // a tenth of reading it).
        const UNUSED: [&str; 4] = [EXAM_SCORE, NORM_GAIN, REVIEW_BEFORE_DATE, REVIEW_AFTER_DATE];
        let outcomes_cols: Vec<&str> = crate::schema::table_def(crate::schema::wh::TRAINEE_OUTCOMES)
            .map(|d| d.columns.iter().map(|c| c.name).filter(|c| !UNUSED.contains(c)).chain([YEAR]).collect())
            .unwrap_or_default();
        let mut cadre_cols = vec![CADRE_ID, CATEGORY, RANK, UNIT_ID, PROMOTED_ON];
        let cadre_schema = crate::warehouse::read::column_names(warehouse, crate::schema::wh::CADRES)?;
        cadre_cols.retain(|c| cadre_schema.iter().any(|n| n == c));
        use crate::schema::wh;
        let read_outcomes = || read(warehouse, wh::TRAINEE_OUTCOMES, &outcomes_cols);
        let read_cadres = || read(warehouse, wh::CADRES, &cadre_cols);
        let read_units = || read(warehouse, wh::UNITS, &[UNIT_ID]);
        let read_reviews = || read(warehouse, wh::REVIEWS, &[CADRE_ID, REVIEW_DATE, KIND, TOTAL]);
        let read_choices = || read(warehouse, wh::SURVEY_CHOICES, &[CLASS_ID, CADRE_ID, WAVE, CHOICE]);
        let read_unit_outcomes = || read(warehouse, wh::UNIT_OUTCOMES, &[UNIT_ID, PERIOD, METRIC, VALUE]);
        // The tables side by side: one table's columns alone left a core idle (a
        // frame's columns are decoded in parallel, but they differ in size). The
        // streamed trainee_ratings beside them, not after them: it decodes one row group
        // at a time, on one core. The reviews' α before the tables, not beside them: it
        // reads six columns of every review whole, as much again as the tables hold
        // while they are decoded.
        let (alpha_then_tables, assessment) = rayon::join(
            || {
                let alpha = review_alpha(warehouse);
                let tables = rayon::join(
                    || rayon::join(read_outcomes, read_cadres),
                    || {
                        rayon::join(
                            || rayon::join(read_units, read_reviews),
                            || rayon::join(read_choices, read_unit_outcomes),
                        )
                    },
                );
                (alpha, tables)
            },
            || assessment_moments(warehouse),
        );
        let (review_alpha, ((outcomes, cadres), ((units, reviews), (choices, unit_outcomes)))) = alpha_then_tables;
        Ok(Inputs {
            outcomes: outcomes?,
            cadres: cadres?,
            units: units?,
            reviews: reviews?,
            choices: choices?,
            unit_outcomes: unit_outcomes?,
            assessment: Some(assessment?),
            review_alpha: review_alpha?,
        })
    }
}

/// One computed indicator table.
pub struct IndicatorTable {
    pub def: &'static TableDef,
    /// The table; or, when the stage was asked to keep no frames (see [`compute_with`]),
    /// its `suppressed` column alone: same height and counts, the rest is in the file the
    /// sink wrote.
    pub frame: DataFrame,
}

impl IndicatorTable {
    pub fn name(&self) -> &'static str {
        self.def.name
    }

    /// Rows with `suppressed = true`.
    pub fn suppressed(&self) -> usize {
        self.frame
            .column(col::SUPPRESSED)
            .ok()
            .and_then(|c| c.bool().ok().map(|b| b.sum().unwrap_or(0) as usize))
            .unwrap_or(0)
    }
}

/// The columns a table must have: its definition, with the course-rating indicator
/// columns of `reaction_by_course` named after the configured instrument.
pub fn expected_columns(def: &TableDef, settings: &PipelineFile) -> Vec<(String, DType)> {
    let mut out = Vec::new();
    let mut placed = false;
    for c in def.columns {
        if def.name == "reaction_by_course" && COURSE_INDICATORS.contains(&c.name) {
            if !placed {
                out.extend(settings.instrument.course_indicators.iter().map(|n| (n.clone(), DType::Float)));
                placed = true;
            }
            continue;
        }
        out.push((c.name.to_string(), c.dtype));
    }
    out
}

/// `df` with exactly the expected columns, in order and with their types.
fn conform(def: &'static TableDef, df: DataFrame, settings: &PipelineFile) -> Result<IndicatorTable, IndicatorError> {
    let expected = expected_columns(def, settings);
    let got: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    if got != want {
        return Err(IndicatorError::Compute {
            indicator: def.name.to_string(),
            message: format!("columns {got:?} differ from the declared {want:?}"),
        });
    }
    let cols = df
        .columns()
        .iter()
        .zip(&expected)
        .map(|(c, (_, t))| c.cast(&polars_dtype(*t)))
        .collect::<PolarsResult<Vec<Column>>>()
        .map_err(engine::perr(def.name))?;
    let frame = DataFrame::new(df.height(), cols).map_err(engine::perr(def.name))?;
    Ok(IndicatorTable { def, frame })
}

/// Run one family, logging how long it took.
fn timed<T>(family: &str, f: impl FnOnce() -> T) -> T {
    let clock = std::time::Instant::now();
    let out = f();
    tracing::info!("indicators: {family} took {:.2} s", clock.elapsed().as_secs_f64());
    out
}

/// Where each table goes as soon as it is computed (the `indicators` stage writes it
/// while the other families are still running).
pub type Sink<'s> = &'s (dyn Fn(&IndicatorTable) -> Result<(), WarehouseError> + Sync);

/// The tables of one family: each conformed to its declaration and handed to the sink
/// when it is added.
pub struct Emitted<'s> {
    settings: &'s PipelineFile,
    sink: Sink<'s>,
    /// Whether the tables are kept whole once the sink has them.
    keep: bool,
    tables: Vec<IndicatorTable>,
}

impl Emitted<'_> {
    fn conform(&self, name: &'static str, df: DataFrame) -> Result<IndicatorTable, IndicatorError> {
        let def = indicator_def(name).ok_or_else(|| IndicatorError::Compute {
            indicator: name.to_string(),
            message: "computed but not declared".into(),
        })?;
        let table = conform(def, df, self.settings)?;
        (self.sink)(&table)?;
        if self.keep {
            return Ok(table);
        }
        // Written: held whole, the per-cadre tables stayed in memory to the stage's end
        // while the next ones were built.
        let frame = table.frame.select([col::SUPPRESSED]).map_err(engine::perr(name))?;
        Ok(IndicatorTable { def: table.def, frame })
    }

    pub fn add(&mut self, name: &'static str, df: DataFrame) -> Result<(), IndicatorError> {
        let table = self.conform(name, df)?;
        self.tables.push(table);
        Ok(())
    }
}

/// The tables of every family, or the first error met.
struct Collected<'s> {
    settings: &'s PipelineFile,
    sink: Sink<'s>,
    keep: bool,
    tables: std::sync::Mutex<Result<Vec<IndicatorTable>, IndicatorError>>,
}

impl<'s> Collected<'s> {
    /// Run one family; keep its tables, or its error if it is the first. A family must
    /// write exactly the tables it declares.
    fn run(&self, family: &families::Family, task: impl FnOnce(&mut Emitted<'s>) -> Result<(), IndicatorError>) {
        let mut out = Emitted { settings: self.settings, sink: self.sink, keep: self.keep, tables: Vec::new() };
        match timed(family.name, || task(&mut out)) {
            Ok(()) => {
                let mut written: Vec<&str> = out.tables.iter().map(IndicatorTable::name).collect();
                let mut declared = family.tables.to_vec();
                written.sort_unstable();
                declared.sort_unstable();
                if written != declared {
                    return self.fail(IndicatorError::Compute {
                        indicator: family.name.to_string(),
                        message: format!("wrote {written:?}, declared {declared:?}"),
                    });
                }
                if let Ok(tables) = &mut *self.lock() {
                    tables.extend(out.tables);
                }
            }
            Err(e) => self.fail(e),
        }
    }

    fn fail(&self, e: IndicatorError) {
        let mut all = self.lock();
        if all.is_ok() {
            *all = Err(e);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Result<Vec<IndicatorTable>, IndicatorError>> {
        // A task that panicked is reported by rayon; the tables of the others stay usable.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every indicator table, in the order of `INDICATOR_TABLES`, each handed to `sink` as
/// soon as it is ready: the executor of [`families::FAMILIES`]. The streaming families
/// run first, side by side, on `streams`; then `read` reads the other tables and every
/// other family runs as a task of one scope, the per-cadre families one after another.
///
/// The tables come back whole only when the workbook is asked for (`[indicators]
/// xlsx`), the one reader of the frames after the stage; otherwise each is kept as its
/// `suppressed` column once the sink has it (see [`IndicatorTable::frame`]).
pub fn compute_with(
    streams: &StreamInputs,
    read: impl FnOnce() -> Result<Inputs, WarehouseError> + Send,
    settings: &PipelineFile,
    period: &str,
    sink: Sink<'_>,
) -> Result<Vec<IndicatorTable>, IndicatorError> {
    use families::{FrameEnv, Run, StreamEnv, FAMILIES};
    // The period's classes: the families that describe the period read these (and their
    // rows); trends, course series, compliance and the transfer controls read every year.
    let scope = &scope::Period::new(&streams.classes, period)?;
    let period_responses = scope.year.map(|y| streams.responses.in_year(y));
    let responses = period_responses.as_ref().unwrap_or(&streams.responses);
    let base = &StreamEnv {
        ctx: Params::new(settings, period),
        streams,
        scope,
        responses,
        scale_alpha: std::sync::OnceLock::new(),
    };
    let keep = settings.indicators.xlsx;
    let collected = Collected { settings, sink, keep, tables: std::sync::Mutex::new(Ok(Vec::new())) };
    let done = &collected;

    // The streaming families first, one on each core (each reads its next row group on
    // the other core when that one is free). The other tables are read after them, on
    // the same threads, into the memory the streams have freed: read while the streams
    // ran, they and the families they feed held their memory at the same time.
    let streaming: Vec<_> = FAMILIES
        .iter()
        .filter_map(|f| match f.run {
            Run::Stream(run) => Some((f, run)),
            _ => None,
        })
        .collect();
    // The streams free a great deal at their end (a table's answers), and the reading
    // its files' bytes and pages, in sizes and on threads the families reuse poorly:
    // kept, that stayed in the footprint to the stage's end, on top of what they take.
    let release = crate::alloc::ReleaseFreedMemory::new();
    rayon::scope(|s| {
        for &(f, run) in &streaming {
            s.spawn(move |_| done.run(f, |out| run(base, out)));
        }
    });
    let read = timed("reading", read);
    drop(release);
    let mut inputs = match read {
        Ok(inputs) => inputs,
        Err(e) => {
            // The first error: a streaming family's, else this one.
            done.fail(e.into());
            return collected.tables.into_inner().unwrap_or_else(|e| e.into_inner()).map(|_| Vec::new());
        }
    };
    let (choices, reviews) = (std::mem::take(&mut inputs.choices), std::mem::take(&mut inputs.reviews));
    let assessment = inputs.assessment.take();
    let env = &FrameEnv::new(base, &inputs, choices, reviews, assessment);

    // The other families as tasks of one scope, so the two cores stay busy until the
    // last table is written. The per-cadre families, the longest chain, start first:
    // one task numbers the cadres once, then runs them one after another (each spreads
    // its own work over both cores). Side by side, their per-cadre rows, scores and
    // tables were all held at once: that was the stage's peak, and it grows with the
    // cadres.
    let per_cadre: Vec<_> = FAMILIES
        .iter()
        .filter_map(|f| match f.run {
            Run::PerCadre(run) => Some((f, run)),
            _ => None,
        })
        .collect();
    let frames: Vec<_> = FAMILIES
        .iter()
        .filter_map(|f| match f.run {
            Run::Frames(run) => Some((f, run)),
            _ => None,
        })
        .collect();
    let inputs = &inputs;
    // Freed memory returned through the families too: kept, what one family freed
    // (the reviews, a per-cadre table) stayed in the footprint beside what the next one
    // took, in other sizes and on other threads.
    let release = crate::alloc::ReleaseFreedMemory::new();
    rayon::scope(|s| {
        let per_cadre = &per_cadre;
        s.spawn(move |_| {
            let numbers = match timed(crate::schema::wh::CADRES, || {
                engine::Cadres::from_frames(&inputs.cadres, &inputs.outcomes, crate::schema::wh::CADRES)
            }) {
                Ok(n) => n,
                Err(e) => return done.fail(e),
            };
            for &(f, run) in per_cadre {
                done.run(f, |out| run(env, &numbers, out));
            }
        });
        for &(f, run) in &frames {
            s.spawn(move |_| done.run(f, |out| run(env, out)));
        }
    });
    drop(release);
    let mut out = collected.tables.into_inner().unwrap_or_else(|e| e.into_inner())?;

    let mut tables = Vec::with_capacity(out.len());
    for def in INDICATOR_TABLES {
        let pos = out.iter().position(|t| t.name() == def.name).ok_or_else(|| IndicatorError::Compute {
            indicator: def.name.to_string(),
            message: "declared but not computed".into(),
        })?;
        tables.push(out.swap_remove(pos));
    }
    Ok(tables)
}

/// Read the warehouse and compute every indicator table, handing each to `sink` as
/// soon as it is ready.
pub fn compute_all(
    warehouse: &Path,
    settings: &PipelineFile,
    period: &str,
    sink: Sink<'_>,
) -> Result<Vec<IndicatorTable>, IndicatorError> {
    let streams = StreamInputs::read(warehouse)?;
    compute_with(&streams, || Inputs::read(warehouse), settings, period, sink)
}

/// Look up a computed table by name.
pub fn table<'a>(tables: &'a [IndicatorTable], name: &str) -> Option<&'a DataFrame> {
    tables.iter().find(|t| t.name() == name).map(|t| &t.frame)
}

/// Declared definition of an indicator table (re-exported for readers).
pub fn definition(name: &str) -> Option<&'static TableDef> {
    indicator_def(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centralized_first_then_alphabetical() {
        assert_eq!(method_order(["online", "case", "centralized", "case"]), vec!["centralized", "case", "online"]);
        assert_eq!(method_order(["seminar", "case"]), vec!["case", "seminar"]);
    }

    #[test]
    fn every_table_ends_with_suppressed() {
        for t in INDICATOR_TABLES {
            assert_eq!(t.columns.last().map(|c| c.name), Some(col::SUPPRESSED), "{}", t.name);
        }
    }
}
