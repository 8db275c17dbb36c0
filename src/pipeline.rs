//! The only place that chains the stages: ingest → validate → warehouse
//! (→ indicators → report, in their own modules).
//!
//! `run` = [`build`] + indicators + [`report`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Job;
use crate::error::{ConfigError, Error};
use crate::validate::{validate_input, InputFile, Registry, RowSink, ValidationReport};
use crate::warehouse::manifest::Manifest;
use crate::warehouse::pseudonym::Pseudonymizer;
use crate::warehouse::schema::{TableKind, TABLES};
use crate::warehouse::{self, CountingSink, WarehouseSink, MANIFEST_FILE, WAREHOUSE_DIR};

/// Progress of long steps, shown by the caller (a bar on a TTY, nothing on a pipe).
pub trait Progress {
    /// A new step begins (e.g. an input file).
    fn start(&self, what: &str);
    /// Rows processed so far in the current step.
    fn rows(&self, n: u64);
    /// The step is done.
    fn done(&self);
}

/// No progress display.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _what: &str) {}
    fn rows(&self, _n: u64) {}
    fn done(&self) {}
}

/// What ingest + validation produced.
pub struct Ingested {
    pub report: ValidationReport,
    pub files: Vec<InputFile>,
    pub registry: Registry,
    /// The reporting period: the pipeline's, else the latest class year.
    pub period: String,
}

/// Read and validate every input into `sink`.
pub fn ingest_all(job: &Job, sink: &mut dyn RowSink, progress: &dyn Progress) -> Result<Ingested, Error> {
    let has_surveys = job.inputs.iter().any(|i| matches!(i.table, TableKind::Survey(_)));
    if has_surveys && job.input(TableKind::Items).is_none() {
        return Err(ConfigError::Invalid {
            path: job.source.clone(),
            message: "survey inputs need an `items` input that declares the items, scales and ranges".into(),
        }
        .into());
    }
    let mut registry = Registry::new(Pseudonymizer::from_env());
    registry.present = job.inputs.iter().map(|i| i.table).collect();
    let mut report = ValidationReport::default();
    let mut files = Vec::new();
    for input in &job.inputs {
        progress.start(&input.name);
        let outcome = validate_input(job, input, &mut registry, &mut report, sink, &|n| progress.rows(n))?;
        progress.done();
        files.extend(outcome.files);
    }
    let period = job
        .period
        .clone()
        .or_else(|| registry.classes.iter().map(|c| c.year).max().map(|y| y.to_string()))
        .unwrap_or_else(|| "all".to_string());
    Ok(Ingested { report, files, registry, period })
}

/// `traineval validate`: check everything, write nothing.
pub fn validate(job: &Job, progress: &dyn Progress) -> Result<Ingested, Error> {
    let mut sink = CountingSink::default();
    ingest_all(job, &mut sink, progress)
}

/// The result of a build.
pub struct Built {
    pub ingested: Ingested,
    pub manifest: Manifest,
    pub warehouse: PathBuf,
}

/// The warehouse directory of a job.
pub fn warehouse_dir(out: &Path) -> PathBuf {
    out.join(WAREHOUSE_DIR)
}

/// `traineval build`: ingest → validate → warehouse, swapped into place atomically.
pub fn build(job: &Job, progress: &dyn Progress) -> Result<Built, Error> {
    std::fs::create_dir_all(&job.out).map_err(|e| warehouse_io(&job.out, e))?;
    warehouse::clean_stale(&job.out);
    let tmp = warehouse::temp_dir(&job.out);
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| warehouse_io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| warehouse_io(&tmp, e))?;
    let result = build_into(job, &tmp, progress);
    match result {
        Ok((ingested, manifest)) => {
            let dest = warehouse_dir(&job.out);
            warehouse::swap_into_place(&tmp, &dest)?;
            Ok(Built { ingested, manifest, warehouse: dest })
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

fn build_into(job: &Job, root: &Path, progress: &dyn Progress) -> Result<(Ingested, Manifest), Error> {
    let mut sink = WarehouseSink::new(root);
    let ingested = ingest_all(job, &mut sink, progress)?;
    // Every base table gets a file so readers always find its schema.
    let always: Vec<&'static str> = TABLES.iter().filter(|t| t.partition.is_none()).map(|t| t.name).collect();
    let written: BTreeMap<String, u64> = sink.finish(&always)?;
    warehouse::write_rejects(root, &ingested.report.rejects)?;
    let manifest = Manifest::new(
        &ingested.period,
        Pseudonymizer::from_env().is_active(),
        &ingested.files,
        &ingested.report,
        written,
    );
    manifest.write(&root.join(MANIFEST_FILE))?;
    Ok((ingested, manifest))
}

/// `traineval report`: `OUT/indicators` + `OUT/warehouse` → `OUT/reports/<period>/`
/// (HTML, and PDF when asked and a headless Chromium is installed).
pub fn report(job: &Job, lang: crate::report::Lang, pdf: bool) -> Result<crate::report::ReportSummary, Error> {
    Ok(crate::report::render_reports(&job.out, job, lang, pdf)?)
}

fn warehouse_io(p: &Path, e: std::io::Error) -> Error {
    crate::error::WarehouseError::io(p, e).into()
}
