//! `traineval generate`: a synthetic training year with known, planted effects.
//!
//! In: [`GenerateOptions`] — output directory, number of cadres, seed, dirty-row rate,
//! output format (canonical or survey-platform), year, and the switches of the inference
//! checks (`null_methods`: every method the same gain; `plants`: violations of the
//! transfer design, [`Plant`]).
//!
//! Out: the canonical input directory of SPEC Appendix A (units, cadres, classes,
//! courses, enrollments, items, `survey_<wave>` for needs/pre/post/follow_3m/follow_6m/
//! follow_12m, course_ratings, trainee_ratings, reviews, unit_outcomes) plus
//! `_truth.json` (planted parameters, realised statistics and the exact validation
//! counts to expect), and a [`GenerateSummary`] of the files written.
//!
//! Guarantees:
//! - deterministic: the same options give byte-identical files (ChaCha8 streams, one
//!   per purpose and per class; no hash-map order reaches an output);
//! - streaming: master data (≈ 60 bytes per cadre) is held in memory, every per-class
//!   table is written class by class, so memory grows with the cadres, not the rows;
//! - a clean set (`dirty = 0`) passes every rule of SPEC Appendix C; with `dirty > 0`
//!   every planted bad row fails exactly one check, and `_truth.json` says how many of
//!   each per file, so validation counts can be asserted exactly; the clean rows are
//!   the same with and without dirty rows;
//! - `format = platform` writes the same values as a 问卷星 export (GBK CSV / XLSX with
//!   the platform's metadata columns and numbered question headers) and `cadres.xlsx`
//!   with Chinese headers and values; everything else stays canonical;
//! - a switch changes only what it names: every draw it does not touch is the default's
//!   (the null zeroes effects without skipping draws; a plant's extra classes come from
//!   their own stream and follow the year's classes), so the rest of the set is
//!   byte-identical to the default of the same seed.
//!
//! The model (what is planted, in which units) is in [`model`] and `docs/generator.md`.

mod activity;
mod dates;
mod dirty;
pub mod domain;
mod master;
pub mod model;
mod outcomes;
mod periods;
mod plan;
mod survey;
pub mod truth;
mod writers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use master::{CADRE_HEADERS, CADRE_HEADERS_ZH};
pub use survey::{splitmix, Wave, WaveDesign, CADRE_QUESTION, CLASS_QUESTION, PLATFORM_META};
pub use truth::Truth;
pub use writers::FileSummary;

use activity::{ActivityFiles, ClassEmitter};
use dirty::Dirty;
use domain::Method;
use model::Model;
use plan::Plan;
use survey::SurveyWriter;
use truth::{Counts, Expected, Observed, TruthParams};
use writers::{FileKind, InputWriter};

/// Random streams (ChaCha8 stream ids), one per purpose.
const STREAM_PLAN: u64 = 0;
const STREAM_REVIEWS: u64 = 1;
const STREAM_REVIEWS_DIRTY: u64 = 2;
const STREAM_UNITS: u64 = 3;
const STREAM_UNITS_DIRTY: u64 = 4;
/// What `--plant contamination` adds to the plan (its own stream: the year stays as it is).
const STREAM_PLANTS: u64 = 5;
/// Careers (promotions, who leaves, who is never trained) and staff of a set of several years.
const STREAM_PERIODS: u64 = 6;
/// The classes and courses of year `y` of a set of several years use `STREAM_YEAR + y`.
const STREAM_YEAR: u64 = 3 << 32;
/// Class `i` uses `STREAM_CLASS + i` for its clean rows and `STREAM_DIRTY + i` for bad rows.
const STREAM_CLASS: u64 = 1 << 32;
const STREAM_DIRTY: u64 = 2 << 32;
/// Days after a class ends from which a review counts as "after" (SPEC C.12 default lag).
pub const TRANSFER_LAG_DAYS: i64 = 90;
/// Most years in one set.
pub const MAX_YEARS: usize = 20;
/// Largest accepted dirty rate.
pub const MAX_DIRTY_RATE: f64 = 0.5;

/// How the survey files (and `cadres`) are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Canonical CSV everywhere (SPEC Appendix A).
    #[default]
    Canonical,
    /// Surveys as 问卷星 exports (GBK CSV, needs as XLSX), cadres as a Chinese XLSX.
    Platform,
}

impl OutputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Canonical => "canonical",
            OutputFormat::Platform => "platform",
        }
    }

    pub fn from_name(s: &str) -> Option<OutputFormat> {
        match s {
            "canonical" => Some(OutputFormat::Canonical),
            "platform" => Some(OutputFormat::Platform),
            _ => None,
        }
    }
}

/// A violation of the transfer design that `--plant` writes into the set (SPEC §7.2),
/// for the checks that must catch it. Sizes in [`model::PLANTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plant {
    /// Trainees' reviews drift upward relative to controls before their class.
    Pretrend,
    /// Trainees lose their after-class reviews far more often than controls, the weaker ones.
    Attrition,
    /// Would-be controls trained between their own reviews (year + 1) or in the washout year.
    Contamination,
}

impl Plant {
    pub const ALL: [Plant; 3] = [Plant::Pretrend, Plant::Attrition, Plant::Contamination];

    pub fn as_str(self) -> &'static str {
        match self {
            Plant::Pretrend => "pretrend",
            Plant::Attrition => "attrition",
            Plant::Contamination => "contamination",
        }
    }

    pub fn from_name(s: &str) -> Option<Plant> {
        Plant::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub cadres: usize,
    pub seed: u64,
    /// Share of extra bad rows per table and kind (0 = clean).
    pub dirty: f64,
    pub format: OutputFormat,
    /// The training year (classes start in it); the last year of a set of several.
    pub year: i32,
    /// First year of a set of several years (`--years first-year`); `None` (or `year`
    /// itself) for one year, whose files are then byte-identical to those of `--year`.
    pub first_year: Option<i32>,
    /// Every method has the same true gain (all method effects 0); classes still differ.
    pub null_methods: bool,
    /// Violations of the transfer design to plant (order and repeats do not matter).
    pub plants: Vec<Plant>,
    /// Enrollments a year per cadre (`None`: the model's, about 0.65). More than the model's
    /// spreads the year's training over rounds (see [`plan::Intensity`]), for benchmark
    /// sets shaped like a national year (about 1.2, 4·10⁷ survey answers at 10⁶ cadres).
    pub enrollments_per_cadre: Option<f64>,
}

impl GenerateOptions {
    /// Clean, canonical, year 2025, the default model.
    pub fn new(out: impl Into<PathBuf>, cadres: usize, seed: u64) -> Self {
        GenerateOptions {
            out: out.into(),
            cadres,
            seed,
            dirty: 0.0,
            format: OutputFormat::Canonical,
            year: 2025,
            first_year: None,
            null_methods: false,
            plants: Vec::new(),
            enrollments_per_cadre: None,
        }
    }

    /// The first year of a set of several years; `None` for one year.
    pub fn span_start(&self) -> Option<i32> {
        self.first_year.filter(|&f| f != self.year)
    }

    /// Whether `p` is planted.
    pub fn plants(&self, p: Plant) -> bool {
        self.plants.contains(&p)
    }
}

/// The model one run plants: [`model::MODEL`] with the options' switches applied. Every
/// part of the generator that a switch changes reads it from here, so a switch left off
/// draws exactly what the default draws.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Design {
    null_methods: bool,
    /// Attrition of cadres with and without a class in the year.
    attrition_trained: f64,
    attrition_untrained: f64,
    /// The weaker trainees (lower review level) are the ones lost.
    attrition_weaker: bool,
    /// Review points a year that trainees rise before their first class (0 = none).
    pretrend_per_year: f64,
    /// Shares of would-be controls trained in year + 1 and in year − 1 (0 = none).
    contamination_share: f64,
    washout_share: f64,
    /// First year of the set: the year-over-year changes count from it.
    first_year: i32,
    /// The year-over-year changes of a set of several years (`None` for one year).
    periods: Option<model::PeriodModel>,
}

impl Design {
    fn of(opts: &GenerateOptions) -> Design {
        let (m, p) = (model::MODEL, model::PLANTS);
        let attrition = opts.plants(Plant::Attrition);
        let contamination = opts.plants(Plant::Contamination);
        Design {
            null_methods: opts.null_methods,
            attrition_trained: if attrition { p.attrition_trained } else { m.attrition_trained },
            attrition_untrained: if attrition { p.attrition_untrained } else { m.attrition_untrained },
            attrition_weaker: attrition,
            pretrend_per_year: if opts.plants(Plant::Pretrend) { p.pretrend_per_year } else { 0.0 },
            contamination_share: if contamination { p.contamination_share } else { 0.0 },
            washout_share: if contamination { p.washout_share } else { 0.0 },
            first_year: opts.span_start().unwrap_or(opts.year),
            periods: opts.span_start().map(|_| model::PERIODS),
        }
    }

    /// Years after the first (0 for a one-year set).
    fn years_in(&self, year: i32) -> f64 {
        f64::from(year - self.first_year)
    }

    /// The mean learning gain of the reference method in `year`.
    fn base_gain(&self, year: i32) -> f64 {
        match self.periods {
            None => model::MODEL.base_gain,
            Some(p) => model::MODEL.base_gain + p.gain_per_year * self.years_in(year),
        }
    }

    /// The mean course-rating indicator (0–20) of an average teacher and rater in `year`.
    fn rating_base(&self, year: i32) -> f64 {
        match self.periods {
            None => model::MODEL.rating_base,
            Some(p) => model::MODEL.rating_base + p.reaction_per_year * self.years_in(year),
        }
    }

    /// The transfer effect of a cadre whose first class starts in `year`.
    fn transfer_effect(&self, year: i32) -> f64 {
        match self.periods {
            None => model::MODEL.transfer_effect,
            Some(p) => model::MODEL.transfer_effect + p.transfer_per_year * self.years_in(year),
        }
    }

    /// The planted learning effect of a method over `base_gain` (0 under the null).
    fn method_effect(&self, m: Method) -> f64 {
        if self.null_methods {
            0.0
        } else {
            model::method_effect(m)
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateSummary {
    pub out: PathBuf,
    pub seed: u64,
    pub cadres: usize,
    pub format: OutputFormat,
    pub dirty: f64,
    /// Every file, in the order written (`pipeline.toml` in platform format and
    /// `_truth.json` last, with 0 rows).
    pub files: Vec<FileSummary>,
    pub total_rows: u64,
    pub total_bytes: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("invalid generate options: {0}")]
    Options(String),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {message}", path.display())]
    Xlsx { path: PathBuf, message: String },
    #[error("{}: row {rows} does not fit in one XLSX sheet (1,048,576 rows); use fewer cadres or --format canonical", path.display())]
    TooManyRows { path: PathBuf, rows: u64 },
    #[error("cannot serialise the truth file: {0}")]
    Json(#[from] serde_json::Error),
}

/// Generate the input directory described by `opts`.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    generate_with(opts, &Design::of(opts))
}

/// [`generate`] with the design given (tests hold a switch at an earlier value).
fn generate_with(opts: &GenerateOptions, design: &Design) -> Result<GenerateSummary, GenerateError> {
    check(opts)?;
    let dir = opts.out.as_path();
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io { path: dir.to_path_buf(), source })?;
    let plan = match opts.span_start() {
        None => Plan::build(opts.cadres, opts.year, opts.seed, design, opts.enrollments_per_cadre),
        Some(first) => Plan::build_years(opts.cadres, first, opts.year, opts.seed, opts.enrollments_per_cadre),
    };
    let mut files = vec![
        master::write_units(dir, &plan)?,
        master::write_cadres(dir, &plan, opts.format)?,
        master::write_classes(dir, &plan)?,
        master::write_courses(dir, &plan)?,
        master::write_items(dir)?,
    ];

    // Statistics and counts of each year (one for a one-year set), first year first.
    let n_years = (opts.year - plan.first_year() + 1) as usize;
    let mut dirty = Dirty::new(opts.dirty);
    let mut observed = vec![Observed::default(); n_years];
    let mut year_counts = vec![Counts::default(); n_years];
    files.extend(write_class_activity(dir, opts, design, &plan, &mut dirty, &mut observed, &mut year_counts)?);
    files.push(outcomes::write_reviews(dir, &plan, opts.seed, design, &mut dirty, &mut observed)?);
    files.push(outcomes::write_unit_outcomes(dir, &plan, opts.seed, &mut dirty)?);
    for o in &mut observed {
        o.self_inflation = self_inflation(o);
    }
    let mut counts = Counts::default();
    for c in &year_counts {
        counts.enrollments += c.enrollments;
        counts.leave_over_limit += c.leave_over_limit;
        counts.not_completed += c.not_completed;
    }
    let years = match &plan.periods {
        None => Vec::new(),
        Some(p) => periods::year_truths(&plan, p, design, &observed, &year_counts),
    };
    let careers = plan.periods.as_ref().map(|p| periods::careers(&plan, p));
    // The set's `observed` is its last year's (for one year, the year's).
    let last = observed.pop().unwrap_or_default();

    let truth = Truth {
        schema: "traineval-truth/1",
        format: opts.format.as_str().to_string(),
        dirty_rate: opts.dirty,
        params: params(opts, design, &plan, counts),
        observed: last,
        expected: expected(&files, &dirty),
        years,
        careers,
    };
    let path = dir.join("_truth.json");
    let mut json = serde_json::to_string_pretty(&truth)?;
    json.push('\n');
    std::fs::write(&path, &json).map_err(|source| GenerateError::Io { path: path.clone(), source })?;
    if opts.format == OutputFormat::Platform {
        files.push(master::write_platform_pipeline(dir)?);
    }
    files.push(FileSummary {
        table: "_truth".into(),
        file: "_truth.json".into(),
        format: "json".into(),
        rows: 0,
        bytes: json.len() as u64,
    });
    Ok(GenerateSummary {
        out: opts.out.clone(),
        seed: opts.seed,
        cadres: opts.cadres,
        format: opts.format,
        dirty: opts.dirty,
        total_rows: files.iter().map(|f| f.rows).sum(),
        total_bytes: files.iter().map(|f| f.bytes).sum(),
        files,
    })
}

fn check(opts: &GenerateOptions) -> Result<(), GenerateError> {
    if opts.cadres == 0 {
        return Err(GenerateError::Options("--cadres must be at least 1".into()));
    }
    if !(0.0..=MAX_DIRTY_RATE).contains(&opts.dirty) {
        return Err(GenerateError::Options(format!(
            "--dirty must be between 0 and {MAX_DIRTY_RATE}, got {}",
            opts.dirty
        )));
    }
    // Reviews run from December of year − 3 to December of year + 3.
    if !(1904..=9995).contains(&opts.year) {
        return Err(GenerateError::Options(format!("year {} is out of range", opts.year)));
    }
    if let Some(first) = opts.first_year {
        if first > opts.year || opts.year - first >= MAX_YEARS as i32 || !(1904..=9995).contains(&first) {
            return Err(GenerateError::Options(format!(
                "--years {first}-{}: the first year must not be after the last, and a set spans at most {MAX_YEARS} years",
                opts.year
            )));
        }
        if opts.span_start().is_some() && !opts.plants.is_empty() {
            return Err(GenerateError::Options(
                "--plant writes the inference checks of one year; it cannot be combined with --years".into(),
            ));
        }
    }
    if let Some(r) = opts.enrollments_per_cadre {
        if !(r > 0.0 && r <= plan::Intensity::MAX_ENROLLMENTS_PER_CADRE) {
            return Err(GenerateError::Options(format!(
                "--enrollments-per-cadre must be above 0 and at most {}, got {r}",
                plan::Intensity::MAX_ENROLLMENTS_PER_CADRE
            )));
        }
    }
    if opts.format == OutputFormat::Platform && opts.cadres as u64 > writers::XLSX_MAX_ROWS {
        return Err(GenerateError::Options(format!(
            "--format platform writes cadres.xlsx, which holds at most {} cadres",
            writers::XLSX_MAX_ROWS
        )));
    }
    Ok(())
}

/// Stream every class's enrollments, surveys and ratings.
fn write_class_activity(
    dir: &Path,
    opts: &GenerateOptions,
    design: &Design,
    plan: &Plan,
    dirty: &mut Dirty,
    observed: &mut [Observed],
    counts: &mut [Counts],
) -> Result<Vec<FileSummary>, GenerateError> {
    let mut streams = ActivityFiles {
        enrollments: InputWriter::create(
            dir,
            "enrollments.csv",
            crate::schema::wh::ENROLLMENTS,
            FileKind::Csv,
            &activity::ENROLLMENT_HEADER,
        )?,
        surveys: Wave::ALL.iter().map(|&w| SurveyWriter::create(dir, w, opts.format)).collect::<Result<_, _>>()?,
        course_ratings: InputWriter::create(
            dir,
            "course_ratings.csv",
            crate::schema::wh::COURSE_RATINGS,
            FileKind::Csv,
            &activity::course_rating_header(),
        )?,
        trainee_ratings: InputWriter::create(
            dir,
            "trainee_ratings.csv",
            crate::schema::wh::TRAINEE_RATINGS,
            FileKind::Csv,
            &activity::trainee_rating_header(),
        )?,
    };
    // One emitter per year, each adding to that year's statistics (one year: all classes,
    // including a plant's of year ± 1, which `emit` keeps out of them).
    let ranges: Vec<std::ops::Range<usize>> = match &plan.periods {
        None => std::iter::once(0..plan.classes.len()).collect(),
        Some(p) => p.year_classes.clone(),
    };
    let mut carry = if plan.periods.is_some() { vec![0f32; plan.cadres.len()] } else { Vec::new() };
    let mut unknown_cadre = 0;
    for (range, (observed, counts)) in ranges.into_iter().zip(observed.iter_mut().zip(counts.iter_mut())) {
        let mut emitter = ClassEmitter {
            plan,
            seed: opts.seed,
            design,
            dirty: &mut *dirty,
            observed,
            counts,
            unknown_cadre,
            carry: &mut carry,
        };
        for ci in range {
            emitter.emit(ci, &mut streams)?;
        }
        unknown_cadre = emitter.unknown_cadre;
    }
    let ActivityFiles { enrollments, surveys, course_ratings, trainee_ratings } = streams;
    let mut files = vec![enrollments.finish()?];
    for s in surveys {
        files.push(s.finish()?);
    }
    files.push(course_ratings.finish()?);
    files.push(trainee_ratings.finish()?);
    Ok(files)
}

fn self_inflation(obs: &Observed) -> f64 {
    let by = &obs.trainee_rating_by_role;
    let mut others = truth::Mean::default();
    for role in ["class_manager", "teacher"] {
        if let Some(m) = by.get(role) {
            others.merge(m);
        }
    }
    by.get("self").map_or(0.0, |s| s.mean - others.mean)
}

fn params(opts: &GenerateOptions, design: &Design, plan: &Plan, mut counts: Counts) -> TruthParams {
    // The model as planted: the attrition a plant sets replaces the default's.
    let m = Model {
        attrition_trained: design.attrition_trained,
        attrition_untrained: design.attrition_untrained,
        ..model::MODEL
    };
    counts.units = plan.units.len();
    counts.cadres = plan.cadres.len();
    counts.classes = plan.classes.len();
    counts.courses = plan.courses.len();
    counts.teachers = plan.teachers.len();
    counts.class_managers = plan.managers.len();
    counts.trained_cadres = (0..plan.cadres.len()).filter(|&i| plan.trained_in_year(i)).count();
    counts.repeaters = plan.repeaters;
    counts.repeated_topic_cadres = plan.repeated_topic_cadres;
    counts.classes_follow_12m = plan.classes.iter().filter(|c| c.follow_12m).count();
    let method_effects: BTreeMap<String, f64> =
        Method::ALL.iter().map(|&x| (x.code().to_string(), design.method_effect(x))).collect();
    let method_gain = method_effects.iter().map(|(k, v)| (k.clone(), m.base_gain + v)).collect();
    let rater_role_bias = [
        ("class_manager", m.bias_class_manager),
        ("teacher", m.bias_teacher),
        ("peer", m.bias_peer),
        ("self", m.self_inflation),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    TruthParams {
        seed: opts.seed,
        cadres: opts.cadres,
        year: opts.year,
        counts,
        null_methods: design.null_methods,
        plants: plants(opts, plan),
        method_effects,
        method_gain,
        rater_role_bias,
        rater_leniency_sd_total: 5.0 * m.rater_leniency_sd,
        teacher_sd_total: 5.0 * m.teacher_sd,
        transfer_lag_days: TRANSFER_LAG_DAYS,
        model: m,
        first_year: opts.span_start(),
        periods: design.periods,
        enrollments_per_cadre: opts.enrollments_per_cadre,
        rounds: opts.enrollments_per_cadre.map(|_| plan.intensity.rounds),
    }
}

/// What each plant of `opts` planted, with the realised counts of contamination.
fn plants(opts: &GenerateOptions, plan: &Plan) -> truth::Plants {
    let p = model::PLANTS;
    let window = |classes: &[&plan::Class]| {
        let first = classes.iter().map(|c| c.start).min().map(dates::iso_date);
        let last = classes.iter().map(|c| c.end).max().map(dates::iso_date);
        (first, last)
    };
    let outside: Vec<&plan::Class> = plan.classes[plan.year_classes..].iter().collect();
    let (later, earlier): (Vec<&plan::Class>, Vec<&plan::Class>) =
        outside.iter().partition(|c| dates::civil_from_days(c.start).0 > plan.year);
    let members = |cs: &[&plan::Class]| cs.iter().map(|c| c.members.len()).sum::<usize>();
    truth::Plants {
        pretrend: opts.plants(Plant::Pretrend).then_some(truth::PretrendPlant { per_year: p.pretrend_per_year }),
        attrition: opts.plants(Plant::Attrition).then_some(truth::AttritionPlant {
            trained: p.attrition_trained,
            untrained: p.attrition_untrained,
            weaker_lost: true,
        }),
        contamination: opts.plants(Plant::Contamination).then(|| {
            let (first_start, last_end) = window(&later);
            let (washout_first_start, washout_last_end) = window(&earlier);
            truth::ContaminationPlant {
                share: p.contamination_share,
                washout_share: p.washout_share,
                eligible: plan.would_be_controls,
                cadres: members(&later),
                classes: later.len(),
                first_start,
                last_end,
                washout_cadres: members(&earlier),
                washout_classes: earlier.len(),
                washout_first_start,
                washout_last_end,
            }
        }),
    }
}

fn expected(files: &[FileSummary], dirty: &Dirty) -> BTreeMap<String, Expected> {
    files
        .iter()
        .map(|f| {
            let l = dirty.ledger(&f.table);
            let rejected: BTreeMap<String, u64> = l.rejected.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            let n_rej: u64 = rejected.values().sum();
            let e = Expected {
                table: f.table.clone(),
                file: f.file.clone(),
                rows: f.rows,
                accepted: f.rows - n_rej - l.superseded,
                rejected,
                superseded: l.superseded,
            };
            (f.table.clone(), e)
        })
        .collect()
}

#[cfg(test)]
mod tests;
