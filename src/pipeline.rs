//! The only place that chains the stages: ingest → validate → warehouse
//! (→ indicators → report, in their own modules).
//!
//! `run` = [`build`] + indicators + [`report`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Job, ResolvedInput};
use crate::error::{ConfigError, Error, IngestError};
use crate::layout::{indicators_dir, warehouse_dir, MANIFEST_FILE};
use crate::pseudonym::Pseudonymizer;
use crate::schema::{table_def, wh, TableKind};
use crate::validate::{validate_input, InputFile, RatingStats, Registry, ValidationReport};
use crate::warehouse::atomic::{Scratch, Staging};
use crate::warehouse::manifest::{build_id, Manifest, YearRecord};
use crate::warehouse::{self, years, CountingSink, FinishSink, WarehouseSink};

/// Progress of long steps, shown by the caller (a line per running step on a TTY,
/// nothing on a pipe). Steps may run at the same time (inputs are read in parallel), so
/// each has its own handle: one step's count never shows under another's name.
pub trait Progress: Sync {
    /// A step begins: an input read row by row (`counts_rows`), or a stage that has no
    /// rows to count (the join, the indicators). It ends when the handle is dropped.
    fn step(&self, what: &str, counts_rows: bool) -> Box<dyn Step + '_>;
}

/// One running step.
pub trait Step: Send + Sync {
    /// Rows processed so far in this step.
    fn rows(&self, n: u64);
}

/// No progress display.
pub struct Silent;

struct NoStep;

impl Step for NoStep {
    fn rows(&self, _n: u64) {}
}

impl Progress for Silent {
    fn step(&self, _what: &str, _counts_rows: bool) -> Box<dyn Step + '_> {
        Box::new(NoStep)
    }
}

/// What ingest + validation produced.
pub struct Ingested {
    pub report: ValidationReport,
    pub files: Vec<InputFile>,
    /// The ids accepted (`build` hands it to the `trainee_outcomes` join, which drops
    /// it: empty after a build).
    pub registry: Registry,
    /// The reporting period: the pipeline's, else the latest class year.
    pub period: String,
    /// Rows per warehouse table.
    pub written: BTreeMap<String, u64>,
    /// Person-level sums of the accepted rating rows, for `trainee_outcomes` (empty
    /// after a build, which drops them once the join has its scores).
    pub ratings: RatingStats,
    /// CSV files found not to be UTF-8 after part of them was read once, and so read
    /// again in two passes with their whole input (see `run_input`): their inputs'
    /// first sinks were abandoned.
    pub reread: Vec<String>,
}

/// Master data that later inputs refer to; validated one after another.
fn is_master(t: TableKind) -> bool {
    matches!(
        t,
        TableKind::Units
            | TableKind::Cadres
            | TableKind::Classes
            | TableKind::Courses
            | TableKind::Enrollments
            | TableKind::Items
    )
}

/// The master tables whose ids a master input looks up (units before cadres, classes
/// before courses and enrollments, cadres before enrollments).
fn master_reads(t: TableKind) -> &'static [TableKind] {
    match t {
        TableKind::Cadres => &[TableKind::Units],
        TableKind::Courses => &[TableKind::Classes],
        TableKind::Enrollments => &[TableKind::Classes, TableKind::Cadres],
        _ => &[],
    }
}

/// The master tables whose ids an input that is not master data looks up: such an input
/// can start as soon as these are in the registry. Survey waves and the rating tables
/// need enrollments, which come last.
fn reads(t: TableKind) -> Option<&'static [TableKind]> {
    match t {
        TableKind::Reviews => Some(&[TableKind::Cadres]),
        TableKind::UnitOutcomes => Some(&[TableKind::Units]),
        _ => None,
    }
}

/// What one input produced, before merging.
struct Part {
    report: ValidationReport,
    files: Vec<InputFile>,
    written: BTreeMap<String, u64>,
    updates: crate::validate::RegistryUpdates,
    ratings: RatingStats,
    /// Files read again in two passes (see [`run_input`]).
    reread: Vec<String>,
}

/// Validate one input into a sink of its own. Its CSV files are read once each; a file
/// found not to be UTF-8 only after some of its rows were validated (see
/// [`crate::ingest::Pass`]) makes the whole input start again with that file read in two
/// passes. The undo is complete because everything an input produces is its [`Part`]
/// (made afresh) and the files of its sink (removed by [`FinishSink::abandon`]); the
/// registry is only read. The directories the removed files leave empty are removed at
/// the end of the build (`Ingested::reread`).
fn run_input(
    job: &Job,
    input: &ResolvedInput,
    registry: &Registry,
    make_sink: &(dyn Fn(&str) -> Box<dyn FinishSink> + Sync),
    progress: &dyn Progress,
) -> Result<Part, Error> {
    let step = progress.step(&input.name, true);
    let started = std::time::Instant::now();
    let mut twice: Vec<PathBuf> = Vec::new();
    loop {
        let mut report = ValidationReport::default();
        let mut sink = make_sink(&input.name);
        let outcome = match validate_input(job, input, registry, &mut report, sink.as_mut(), &|n| step.rows(n), &twice)
        {
            // Each file is read again at most once: the loop ends.
            Err(Error::Ingest(IngestError::ReadAgain { path })) if !twice.contains(&path) => {
                sink.abandon()?;
                tracing::debug!("{}: {} is not UTF-8 throughout; reading the input again", input.name, path.display());
                twice.push(path);
                continue;
            }
            other => other?,
        };
        let written = sink.finish()?;
        drop(step);
        tracing::info!(
            "{}: {} rows in {:.2} s",
            input.name,
            outcome.files.iter().map(|f| f.rows).sum::<u64>(),
            started.elapsed().as_secs_f64()
        );
        let reread = twice.iter().map(|p| job.display_path(p)).collect();
        return Ok(Part {
            report,
            files: outcome.files,
            written,
            updates: outcome.updates,
            ratings: outcome.ratings,
            reread,
        });
    }
}

/// Read and validate every input. Master data (units … items) goes first, one table at
/// a time, since later tables refer to it; the rest (surveys, ratings, reviews, unit
/// outcomes) only reads the registry and runs in parallel, one sink per input.
pub fn ingest_all(
    job: &Job,
    make_sink: &(dyn Fn(&str) -> Box<dyn FinishSink> + Sync),
    progress: &dyn Progress,
) -> Result<Ingested, Error> {
    // Every header and column-mapping problem of the run at once, before any row is read.
    crate::validate::check_headers(job)?;
    let mut registry = Registry::new(Pseudonymizer::from_env());
    registry.present = job.inputs.iter().map(|i| i.table).collect();
    let mut report = ValidationReport::default();
    // Inputs the job lacks, first: what each leaves empty is part of the validation report
    // (and so of the manifest and the report's data-quality appendix).
    for m in crate::validate::coverage::missing_inputs(job) {
        report.warn(m.describe());
    }
    let mut files = Vec::new();
    let mut written: BTreeMap<String, u64> = BTreeMap::new();
    let mut ratings = RatingStats::default();
    let mut reread = Vec::new();
    let mut merge = |part: Part, report: &mut ValidationReport| {
        report.merge(part.report);
        ratings.merge(part.ratings);
        files.extend(part.files);
        reread.extend(part.reread);
        for (t, n) in part.written {
            *written.entry(t).or_default() += n;
        }
    };
    let (master, rest): (Vec<&ResolvedInput>, Vec<&ResolvedInput>) =
        job.inputs.iter().partition(|i| is_master(i.table));
    // An input that reads only master tables already in the registry (reviews: cadres)
    // runs on a snapshot of it beside the remaining master data, which otherwise keeps
    // one core idle. Parts are merged in input order whatever the schedule.
    let mut parts: Vec<Option<Result<Part, Error>>> = (0..rest.len()).map(|_| None).collect();
    std::thread::scope(|scope| -> Result<(), Error> {
        let mut early = Vec::new();
        let mut applied: Vec<TableKind> = Vec::new();
        let mut k = 0;
        while k < master.len() {
            let input = master[k];
            // The master inputs right after cadres that do not read it (classes, courses)
            // run beside it, one after another on a snapshot of the registry that gets
            // their own additions: cadres alone kept a core idle. Parts are applied and
            // merged in input order, so the registry and the report are as before.
            let mut beside: Vec<&ResolvedInput> = Vec::new();
            if input.table == TableKind::Cadres {
                for m in &master[k + 1..] {
                    let known = |t: &TableKind| applied.contains(t) || beside.iter().any(|b| b.table == *t);
                    if !master_reads(m.table).iter().all(known) {
                        break;
                    }
                    beside.push(m);
                }
            }
            let (part, beside_parts) = if beside.is_empty() {
                let _pool = warehouse::write::PagesOnPool::new();
                (run_input(job, input, &registry, make_sink, progress), Ok(Vec::new()))
            } else {
                let mut snapshot = registry.clone();
                let side = scope.spawn(move || -> Result<Vec<Part>, Error> {
                    let mut parts = Vec::new();
                    for m in beside {
                        let part = {
                            let _pool = warehouse::write::PagesOnPool::new();
                            run_input(job, m, &snapshot, make_sink, progress)?
                        };
                        snapshot.apply(part.updates.clone());
                        parts.push(part);
                    }
                    Ok(parts)
                });
                let part = {
                    let _pool = warehouse::write::PagesOnPool::new();
                    run_input(job, input, &registry, make_sink, progress)
                };
                (part, side.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            };
            let (part, beside_parts) = (part?, beside_parts?);
            for mut part in std::iter::once(part).chain(beside_parts) {
                registry.apply(std::mem::take(&mut part.updates));
                applied.push(master[k].table);
                k += 1;
                merge(part, &mut report);
            }
            if k == master.len() {
                continue;
            }
            for (i, r) in rest.iter().enumerate() {
                let ready = reads(r.table).is_some_and(|needs| needs.iter().all(|t| applied.contains(t)));
                if ready && parts[i].is_none() && !early.iter().any(|(j, _)| *j == i) {
                    let snapshot = registry.clone();
                    let r: &ResolvedInput = r;
                    early.push((i, scope.spawn(move || run_input(job, r, &snapshot, make_sink, progress))));
                }
            }
        }
        let late: Vec<usize> = (0..rest.len()).filter(|i| !early.iter().any(|(j, _)| j == i)).collect();
        let inputs: Vec<&ResolvedInput> = late.iter().map(|&i| rest[i]).collect();
        let done = largest_first(&inputs, |input| run_input(job, input, &registry, make_sink, progress));
        for (i, part) in late.into_iter().zip(done) {
            parts[i] = Some(part);
        }
        for (i, handle) in early {
            let part = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            parts[i] = Some(part);
        }
        Ok(())
    })?;
    for part in parts.into_iter().flatten() {
        merge(part?, &mut report);
    }
    let period = job
        .period
        .clone()
        .or_else(|| registry.classes.iter().map(|c| c.year).max().map(|y| y.to_string()))
        .unwrap_or_else(|| "all".to_string());
    Ok(Ingested { report, files, registry, period, written, ratings, reread })
}

/// Run `work` on every input in parallel, largest input (in bytes) first, and return
/// the results in input order. Inputs differ in size by two orders of magnitude (course
/// ratings against one survey wave), so the schedule matters on two cores: taking the
/// largest first lets the many small inputs fill the other core, instead of a large
/// input starting last and running alone. Results (and so rejects and the manifest)
/// do not depend on the schedule.
fn largest_first<T: Send>(inputs: &[&ResolvedInput], work: impl Fn(&ResolvedInput) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let size =
        |i: &ResolvedInput| -> u64 { i.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum() };
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(size(inputs[i])));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..inputs.len()).map(|_| None).collect());
    let workers = rayon::current_num_threads().min(inputs.len());
    (0..workers).into_par_iter().for_each(|_| {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let r = work(inputs[i]);
            let mut done = results.lock().unwrap_or_else(|p| p.into_inner());
            done[i] = Some(r);
        }
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect()
}

/// `traineval validate`: check everything, write nothing.
pub fn validate(job: &Job, progress: &dyn Progress) -> Result<Ingested, Error> {
    ingest_all(job, &|_| Box::new(CountingSink::default()), progress)
}

/// The result of a build.
pub struct Built {
    pub ingested: Ingested,
    pub manifest: Manifest,
    pub warehouse: PathBuf,
}

/// `traineval build`: ingest → validate → warehouse of every year of the inputs,
/// swapped into place atomically (SPEC App. C.19).
pub fn build(job: &Job, progress: &dyn Progress) -> Result<Built, Error> {
    std::fs::create_dir_all(&job.out).map_err(|e| warehouse_io(&job.out, e))?;
    warehouse::clean_stale(&job.out);
    let dest = warehouse_dir(&job.out);
    let staging = Staging::new(&dest)?;
    let (ingested, manifest) = build_into(job, staging.path(), progress)?;
    let warehouse = staging.commit()?;
    crate::export::manifest::after_build(&job.out)?;
    Ok(Built { ingested, manifest, warehouse })
}

fn build_into(job: &Job, root: &Path, progress: &dyn Progress) -> Result<(Ingested, Manifest), Error> {
    let mut ingested = ingest_all(job, &|part| Box::new(WarehouseSink::new(root, part)), progress)?;
    if !ingested.reread.is_empty() {
        warehouse::remove_empty_dirs(root)?;
    }
    warehouse::write_empty_tables(root)?;
    let mut written = ingested.written.clone();
    // The joined table is built from what was just written, before the swap.
    let ratings = warehouse::join::RatingScores::from_stats(&ingested.ratings, &ingested.registry)?;
    let registry = release_for_join(&mut ingested);
    written.insert(wh::TRAINEE_OUTCOMES.to_string(), join_outcomes(job, root, ratings, registry, progress)?);
    warehouse::write_rejects(root, &ingested.report.rejects)?;
    let mut manifest = Manifest::new(
        &ingested.period,
        Pseudonymizer::from_env().is_active(),
        &ingested.files,
        &ingested.report,
        written,
    );
    let build = build_id(&manifest.inputs);
    manifest.years = years::years_held(root)?
        .into_iter()
        .map(|(y, rows)| {
            let record = YearRecord { build: build.clone(), how: "full".into(), inputs: manifest.inputs.clone(), rows };
            (y.to_string(), record)
        })
        .collect();
    manifest.write(&root.join(MANIFEST_FILE))?;
    Ok((ingested, manifest))
}

/// The registry, taken out of `ingested` for the join, and the rating sums dropped
/// once their scores are computed: both are per cadre or per enrollment, and neither is
/// read after the join, at whose end a build's memory peaks.
fn release_for_join(ingested: &mut Ingested) -> crate::validate::Registry {
    drop(std::mem::take(&mut ingested.ratings));
    std::mem::take(&mut ingested.registry)
}

/// Join `trainee_outcomes` over the warehouse being written at `root` and write it;
/// returns its rows. `known`: the registry of the inputs just validated (the join
/// checks whether the `cadres` table is its cadres before it uses its index, and drops
/// it when done with it).
fn join_outcomes(
    job: &Job,
    root: &Path,
    ratings: warehouse::join::RatingScores,
    known: crate::validate::Registry,
    progress: &dyn Progress,
) -> Result<u64, Error> {
    let step = progress.step(wh::TRAINEE_OUTCOMES, false);
    let started = std::time::Instant::now();
    let outcomes = warehouse::join::trainee_outcomes_with(root, &job.settings, ratings, Some(known))?;
    let joined = started.elapsed().as_secs_f64();
    let def = table_def(wh::TRAINEE_OUTCOMES)
        .ok_or_else(|| crate::error::WarehouseError::frame(wh::TRAINEE_OUTCOMES, "no table definition"))?;
    let n = warehouse::write::write_partitioned(def, &outcomes, root)?;
    drop(step);
    tracing::info!("trainee_outcomes: {n} rows in {:.2} s (join {joined:.2} s)", started.elapsed().as_secs_f64());
    Ok(n)
}

/// `traineval build --replace-year Y`: the inputs are read and validated as for a full
/// build (into a scratch directory); the new warehouse holds the old warehouse's years
/// other than Y unchanged and the inputs' rows of year Y (by class start; reviews by
/// review date), with master data (units, cadres, items) from the inputs and
/// `trainee_outcomes` joined again over all years (`warehouse::years` says exactly
/// what is kept). It is swapped in atomically like any build; without a warehouse in
/// place, the result holds year Y alone. The manifest's `years` keeps the record of
/// every kept year and gives Y the new inputs.
pub fn build_replacing_year(job: &Job, year: i32, progress: &dyn Progress) -> Result<Built, Error> {
    std::fs::create_dir_all(&job.out).map_err(|e| warehouse_io(&job.out, e))?;
    warehouse::clean_stale(&job.out);
    let dest = warehouse_dir(&job.out);
    let old_manifest = match Manifest::read(&dest.join(MANIFEST_FILE)) {
        Ok(m) => Some(m),
        Err(crate::error::WarehouseError::Missing { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let pseudonymised = Pseudonymizer::from_env().is_active();
    if let Some(m) = &old_manifest {
        if m.pseudonymised != pseudonymised {
            return Err(ConfigError::Usage(format!(
                "--replace-year {year}: the warehouse in {} was built {} TRAINEVAL_ID_KEY and this build runs {} it; \
                 ids would not join (run a full build, or set the key as before)",
                dest.display(),
                if m.pseudonymised { "with" } else { "without" },
                if pseudonymised { "with" } else { "without" },
            ))
            .into());
        }
    }
    let scratch = Scratch::new(&dest)?;
    let mut ingested = ingest_all(job, &|part| Box::new(WarehouseSink::new(scratch.path(), part)), progress)?;
    if !ingested.reread.is_empty() {
        warehouse::remove_empty_dirs(scratch.path())?;
    }
    warehouse::write_empty_tables(scratch.path())?;
    warehouse::write_rejects(scratch.path(), &ingested.report.rejects)?;
    let new_classes = years::class_ids(scratch.path(), year)?;
    if new_classes.is_empty() {
        tracing::warn!("--replace-year {year}: the inputs have no class starting in {year}");
    }

    let staging = Staging::new(&dest)?;
    years::compose(&dest, scratch.path(), year, staging.path())?;
    warehouse::write_empty_tables(staging.path())?;
    let fresh = warehouse::join::RatingScores::from_stats(&ingested.ratings, &ingested.registry)?;
    let ratings = years::combine_rating_scores(years::kept_rating_scores(&dest, year)?, fresh, &new_classes)?;
    let registry = release_for_join(&mut ingested);
    join_outcomes(job, staging.path(), ratings, registry, progress)?;
    drop(scratch);

    let held = years::years_held(staging.path())?;
    let period = job
        .period
        .clone()
        .or_else(|| years::years_held_by(&held, wh::CLASSES).last().map(|y| y.to_string()))
        .unwrap_or_else(|| ingested.period.clone());
    let mut manifest =
        Manifest::new(&period, pseudonymised, &ingested.files, &ingested.report, years::table_rows(staging.path())?);
    let build = build_id(&manifest.inputs);
    let kept = old_manifest.map(|m| {
        // A warehouse written before per-year records: its years came from its inputs.
        let id = build_id(&m.inputs);
        let inputs = m.inputs.clone();
        move |y: &str| {
            m.years.get(y).cloned().unwrap_or_else(|| YearRecord {
                build: id.clone(),
                how: "full".into(),
                inputs: inputs.clone(),
                rows: BTreeMap::new(),
            })
        }
    });
    for (y, rows) in held {
        let record = if y == year {
            YearRecord { build: build.clone(), how: "replace-year".into(), inputs: manifest.inputs.clone(), rows }
        } else {
            let old = kept.as_ref().map(|k| k(&y.to_string()));
            match old {
                Some(r) => YearRecord { rows, ..r },
                None => continue,
            }
        };
        manifest.years.insert(y.to_string(), record);
    }
    manifest.write(&staging.path().join(MANIFEST_FILE))?;
    let warehouse = staging.commit()?;
    crate::export::manifest::after_build(&job.out)?;
    Ok(Built { ingested, manifest, warehouse })
}

/// `traineval report`: `OUT/indicators` + `OUT/warehouse` → `OUT/reports/<period>/`
/// in each of `langs` (the primary language there, others in `<lang>/`; HTML, and PDF
/// when asked and a headless Chromium is installed).
pub fn report(job: &Job, langs: &[crate::report::Lang], pdf: bool) -> Result<Vec<crate::report::ReportSummary>, Error> {
    Ok(crate::report::render_reports(&job.out, job, langs, pdf)?)
}

fn warehouse_io(p: &Path, e: std::io::Error) -> Error {
    crate::error::WarehouseError::io(p, e).into()
}

/// One table written by `indicators`.
#[derive(Debug, Clone)]
pub struct WrittenTable {
    pub name: String,
    pub rows: usize,
    pub suppressed: usize,
}

/// The result of `indicators`.
pub struct IndicatorsWritten {
    pub dir: PathBuf,
    pub period: String,
    pub tables: Vec<WrittenTable>,
}

/// `traineval indicators`: warehouse → `OUT/indicators/<table>.parquet` (+ `csv/` and
/// `indicators.xlsx` as configured), written into a temporary directory and swapped
/// into place at once.
pub fn indicators(job: &Job, progress: &dyn Progress) -> Result<IndicatorsWritten, Error> {
    let wh = warehouse_dir(&job.out);
    let manifest = Manifest::read(&wh.join(MANIFEST_FILE)).map_err(|e| match e {
        crate::error::WarehouseError::Missing { .. } => crate::error::WarehouseError::Missing { path: wh.clone() },
        other => other,
    })?;
    warehouse::clean_stale(&job.out);
    let dest = indicators_dir(&job.out);
    let staging = Staging::new(&dest)?;
    let tmp = staging.path();
    let step = progress.step("indicators", false);
    // Each table is written as soon as its family has computed it.
    let settings = &job.settings.indicators;
    let write = |t: &crate::indicators::IndicatorTable| write_table(t, tmp, settings);
    let keep = crate::alloc::KeepFreedMemory::new();
    let computed = crate::indicators::compute_all(&wh, &job.settings, &manifest.period, &write);
    drop(keep);
    drop(step);
    let tables = computed?;
    if settings.xlsx {
        // For people: the office's words, titles beside ids, formatted numbers, a legend.
        let clock = std::time::Instant::now();
        let sheets: Vec<(&str, &polars::prelude::DataFrame)> = tables.iter().map(|t| (t.name(), &t.frame)).collect();
        let titles = crate::export::indicators::Titles::read(&wh)?;
        let labels = crate::export::labels::Labels::new(job, export_lang(job));
        crate::export::indicators::write(&sheets, &titles, &labels, &tmp.join(INDICATORS_XLSX))?;
        tracing::info!("indicators: workbook took {:.2} s", clock.elapsed().as_secs_f64());
    }
    // A failure above drops the staging directory, and the tables in place stay.
    let dest = staging.commit()?;
    Ok(IndicatorsWritten {
        dir: dest,
        period: manifest.period,
        tables: tables
            .iter()
            .map(|t| WrittenTable { name: t.name().to_string(), rows: t.frame.height(), suppressed: t.suppressed() })
            .collect(),
    })
}

/// The workbook of the indicator tables under `OUT/indicators/`.
pub const INDICATORS_XLSX: &str = "indicators.xlsx";

/// The language of the workbooks `indicators` writes: `[report] lang`.
fn export_lang(job: &Job) -> crate::report::Lang {
    crate::report::Lang::from_code(&job.settings.report.lang).unwrap_or(crate::report::Lang::Zh)
}

/// After `indicators` (and so in `run`): `OUT/exports/` rebuilt whole with the exports
/// `[exports] on_run` asks for, in `lang`; every other export, made from an older
/// warehouse or older indicator tables, is gone (`export::manifest::refresh`). Returns
/// the files written by export.
pub fn refresh_exports(job: &Job, lang: crate::report::Lang) -> Result<BTreeMap<String, Vec<String>>, Error> {
    use crate::config::ExportKind;
    use crate::export::manifest;
    let labels = crate::export::labels::Labels::new(job, lang);
    manifest::refresh(&job.out, |dir| -> Result<_, Error> {
        let mut wrote = BTreeMap::new();
        for kind in &job.settings.exports.on_run {
            match kind {
                ExportKind::Assessment => {
                    let s =
                        crate::export::assessment::write_assessment(&job.out, dir, &job.settings.scorecard, &labels)?;
                    wrote.insert(manifest::ASSESSMENT.to_string(), s.files());
                }
                ExportKind::CadreFile => {
                    let s = crate::export::cadre_file::write_all(&job.out, dir, &labels)?;
                    wrote.insert(manifest::CADRE_FILE.to_string(), s.files());
                }
            }
        }
        Ok(wrote)
    })
}

/// Write one table as Parquet, and as CSV when configured.
fn write_table(
    t: &crate::indicators::IndicatorTable,
    dir: &Path,
    settings: &crate::config::IndicatorSettings,
) -> Result<(), crate::error::WarehouseError> {
    // The two files are written side by side, so the other core can take one when it
    // is free (one after the other, one core waited for the other).
    let timed = |f: &dyn Fn() -> Result<(), crate::error::WarehouseError>| {
        let clock = std::time::Instant::now();
        f().map(|()| clock.elapsed().as_secs_f64())
    };
    let (parquet, csv) = rayon::join(
        || timed(&|| warehouse::write::write_documented(t.def, &t.frame, &dir.join(format!("{}.parquet", t.name())))),
        || {
            if settings.csv {
                timed(&|| crate::cells::write_csv(&t.frame, &dir.join("csv").join(format!("{}.csv", t.name()))))
            } else {
                Ok(0.0)
            }
        },
    );
    tracing::debug!("{}: parquet {:.2} s, csv {:.2} s", t.name(), parquet?, csv?);
    Ok(())
}
