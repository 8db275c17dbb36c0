//! Command dispatch: turn parsed arguments into settings, run the pipeline, print
//! results. Returns the process exit code; errors carry their own (see `error`).

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Cli, Command, ExportTarget, InitArgs, JobArgs};
use crate::config::Job;
use crate::error::{ConfigError, Error};
use crate::pipeline::{self, Progress, Step};
use crate::report::{self, PdfOutcome};

/// Run a command; Ok(exit code).
pub fn run(cli: Cli) -> Result<i32, Error> {
    init_logging(cli.quiet, cli.verbose);
    let progress = Bar::new(cli.quiet);
    match cli.command {
        Command::Validate(args) => {
            let job = load_with(&args.job, Reads::Inputs, args.explain)?;
            let ing = pipeline::validate(&job, &progress)?;
            print!("{}", ing.report.render_text_shown(&|f| shown(&job, f)));
            tolerance(&job, &ing.report)
        }
        Command::Init(args) => init(&args, cli.quiet),
        Command::Build(args) => {
            let job = load_with(&args.job, Reads::InputsAndWrites, false)?;
            match args.replace_year {
                None => do_build(&job, &progress, cli.quiet),
                Some(year) => {
                    let built = pipeline::build_replacing_year(&job, year, &progress)?;
                    if !cli.quiet {
                        print!("{}", built.ingested.report.render_text());
                        let years: Vec<&str> = built.manifest.years.keys().map(String::as_str).collect();
                        println!(
                            "year {year} replaced in {} (years held: {})",
                            built.warehouse.display(),
                            years.join(", ")
                        );
                    }
                    tolerance(&job, &built.ingested.report)
                }
            }
        }
        Command::Indicators(args) => {
            let job = load_with(&args, Reads::Writes, false)?;
            do_indicators(&job, &progress, cli.quiet)?;
            do_exports(&job, report_lang(&job, None), cli.quiet)
        }
        Command::Run(args) => {
            // build + indicators + report; data beyond the reject tolerance stops after
            // the build (exit 1), so no indicator is computed from it.
            let job = load_with(&args.job, Reads::InputsAndWrites, false)?;
            do_build(&job, &progress, cli.quiet)?;
            do_indicators(&job, &progress, cli.quiet)?;
            do_exports(&job, report_lang(&job, args.lang), cli.quiet)?;
            do_report(&job, report_langs(&job, args.lang), args.pdf, cli.quiet)
        }
        Command::Generate(a) => {
            let opts = crate::generate::GenerateOptions {
                out: a.out.clone(),
                cadres: a.cadres,
                seed: a.seed,
                dirty: a.dirty,
                format: match a.format {
                    crate::cli::GenFormat::Canonical => crate::generate::OutputFormat::Canonical,
                    crate::cli::GenFormat::Platform => crate::generate::OutputFormat::Platform,
                },
                year: a.years.map_or(a.year, |y| y.1),
                first_year: a.years.map(|y| y.0),
                null_methods: a.null_methods,
                enrollments_per_cadre: a.enrollments_per_cadre,
                plants: a
                    .plants
                    .iter()
                    .map(|p| match p {
                        crate::cli::GenPlant::Pretrend => crate::generate::Plant::Pretrend,
                        crate::cli::GenPlant::Attrition => crate::generate::Plant::Attrition,
                        crate::cli::GenPlant::Contamination => crate::generate::Plant::Contamination,
                    })
                    .collect(),
            };
            let summary = crate::generate::generate(&opts).map_err(|e| match e {
                crate::generate::GenerateError::Options(m) => Error::Config(ConfigError::Usage(m)),
                other => Error::Generate(other.to_string()),
            })?;
            if !cli.quiet {
                println!(
                    "wrote {} files, {} rows, {} bytes to {}",
                    summary.files.len(),
                    summary.total_rows,
                    summary.total_bytes,
                    a.out.display()
                );
            }
            Ok(0)
        }
        Command::Schema(a) => {
            match a.format {
                crate::cli::SchemaFormat::Markdown => print!("{}", crate::warehouse::dictionary::markdown()),
                crate::cli::SchemaFormat::Json => println!("{}", crate::warehouse::dictionary::json()),
            }
            Ok(0)
        }
        Command::Report(args) => {
            let job = load_with(&args.job, Reads::Writes, false)?;
            do_report(&job, report_langs(&job, args.lang), args.pdf, cli.quiet)
        }
        Command::Export(args) => {
            let job = load_with(&args.job, Reads::Writes, false)?;
            if args.cadre.is_some() && args.target != ExportTarget::CadreFile {
                return Err(ConfigError::Usage("--cadre goes with --for cadre-file".into()).into());
            }
            match args.target {
                ExportTarget::Assessment => {
                    let labels = crate::export::labels::Labels::new(&job, report_lang(&job, args.lang));
                    let s = crate::export::assessment::export_assessment(&job.out, &job.settings.scorecard, &labels)?;
                    if !cli.quiet {
                        println!(
                            "{} cadres written to {} and {} (weights in {})",
                            s.rows,
                            s.xlsx.display(),
                            s.csv.display(),
                            s.weights_csv.display()
                        );
                    }
                }
                ExportTarget::CadreFile => match &args.cadre {
                    None => {
                        let labels = crate::export::labels::Labels::new(&job, report_lang(&job, args.lang));
                        let s = crate::export::cadre_file::export_all(&job.out, &labels)?;
                        if !cli.quiet {
                            println!(
                                "{} cadres ({} enrollments) written to {} and {}; compliance from the {}",
                                s.cadres,
                                s.enrollments,
                                s.xlsx.display(),
                                s.jsonl.display(),
                                match s.compliance_source {
                                    crate::export::cadre_file::ComplianceSource::Indicators =>
                                        "compliance indicator table",
                                    crate::export::cadre_file::ComplianceSource::Warehouse =>
                                        "warehouse alone (no rule applied)",
                                }
                            );
                        }
                    }
                    Some(id) => {
                        let path = export_cadre_page(&job, id, report_lang(&job, args.lang))?;
                        if !cli.quiet {
                            println!("training file of {id} written to {}", path.display());
                        }
                    }
                },
            }
            Ok(0)
        }
    }
}

fn do_build(job: &Job, progress: &Bar, quiet: bool) -> Result<i32, Error> {
    let built = pipeline::build(job, progress)?;
    if !quiet {
        print!("{}", built.ingested.report.render_text_shown(&|f| shown(job, f)));
        println!("warehouse written to {}", built.warehouse.display());
    }
    tolerance(job, &built.ingested.report)
}

fn do_indicators(job: &Job, progress: &Bar, quiet: bool) -> Result<i32, Error> {
    let written = pipeline::indicators(job, progress)?;
    if !quiet {
        for t in &written.tables {
            println!("{:<22} {:>9} rows  {:>7} suppressed", t.name, t.rows, t.suppressed);
        }
        println!("indicators for period {} written to {}", written.period, written.dir.display());
    }
    Ok(0)
}

/// `OUT/exports/` after new indicator tables: the exports `[exports] on_run` asks for,
/// and no export of an older warehouse.
fn do_exports(job: &Job, lang: crate::report::Lang, quiet: bool) -> Result<i32, Error> {
    let wrote = pipeline::refresh_exports(job, lang)?;
    if !quiet && !wrote.is_empty() {
        let names: Vec<&str> = wrote.keys().map(String::as_str).collect();
        println!("exports ({}) written to {}", names.join(", "), crate::layout::exports_dir(&job.out).display());
    }
    Ok(0)
}

fn do_report(job: &Job, langs: Vec<crate::report::Lang>, pdf: bool, quiet: bool) -> Result<i32, Error> {
    for summary in pipeline::report(job, &langs, pdf)? {
        if !quiet {
            println!("report written to {} ({} class pages)", summary.index.display(), summary.class_pages);
            match &summary.pdf {
                PdfOutcome::NotRequested => {}
                PdfOutcome::Written(files) => println!("{} PDF files written beside the HTML", files.len()),
                PdfOutcome::NoBrowser(message) => eprintln!("warning: {message}"),
            }
        }
    }
    Ok(0)
}

/// `export --for cadre-file --cadre ID`: one cadre's page under `OUT/exports/cadre_file/`.
fn export_cadre_page(job: &Job, id: &str, lang: report::Lang) -> Result<std::path::PathBuf, Error> {
    use crate::export::{cadre_file, manifest};
    manifest::open(&job.out, true)?;
    let Some(file) = cadre_file::one(&job.out, id)? else {
        let how = if crate::pseudonym::Pseudonymizer::from_env().is_active() {
            " (looked up by its pseudonym under TRAINEVAL_ID_KEY)"
        } else {
            ""
        };
        return Err(ConfigError::Usage(format!("no cadre `{id}` in the warehouse{how}")).into());
    };
    let labels = crate::export::labels::Labels::new(job, lang);
    let html = crate::export::cadre_page::render(&cadre_file::in_words(&file, &labels), id, lang)?;
    let path = cadre_file::page_path(&job.out, &file.cadre_id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::error::WarehouseError::io(dir, e))?;
    }
    std::fs::write(&path, html).map_err(|e| crate::error::WarehouseError::io(&path, e))?;
    let under =
        path.strip_prefix(crate::layout::exports_dir(&job.out)).unwrap_or(&path).to_string_lossy().replace('\\', "/");
    manifest::record(&job.out, manifest::CADRE_PAGES, &[under])?;
    Ok(path)
}

/// What a command does with the job's files, for the checks made before it starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// Reads the inputs, writes nothing (`validate`).
    Inputs,
    /// Reads the inputs and writes under OUT (`build`, `run`).
    InputsAndWrites,
    /// Reads and writes under OUT only (`indicators`, `report`, `export`).
    Writes,
}

/// Load the job and check everything that can be checked before any row is read: the
/// pipeline's own problems, then (for commands that read the inputs) every file's
/// header and mapping, then (for commands that write) the output directory — all
/// reported together. With `explain`, how each file will be read is printed first.
fn load_with(args: &JobArgs, reads: Reads, explain: bool) -> Result<Job, Error> {
    let (job, problems) = crate::init::load_job_lenient(&args.pipeline, args.out.as_deref())?;
    if explain {
        print!("{}", crate::validate::explain(&job));
    }
    let mut all: Vec<Error> = problems.into_iter().map(Error::from).collect();
    if reads != Reads::Writes {
        all.extend(crate::validate::preflight(&job));
    }
    if reads != Reads::Inputs {
        if let Some(e) = out_problem(&job, args.out.is_some()) {
            all.push(e);
        }
    }
    match Error::several(all) {
        Some(e) => Err(e),
        None => Ok(job),
    }
}

/// An output directory that cannot be one (a file is in the way).
fn out_problem(job: &Job, from_flag: bool) -> Option<Error> {
    let out = &job.out;
    if !out.exists() || out.is_dir() {
        return None;
    }
    let source =
        if from_flag { "--out".to_string() } else { format!("`out` in {}", crate::error::display_path(&job.source)) };
    Some(Error::Config(ConfigError::Usage(format!(
        "{source}: {} is a file, not a directory; name a directory (it will hold warehouse/, indicators/ and reports/)",
        crate::error::display_path(out)
    ))))
}

/// A file as recorded in the report (relative to the pipeline file), as the user would
/// type it from where the command ran.
fn shown(job: &Job, recorded: &str) -> String {
    crate::error::display_path(&job.base_dir.join(recorded))
}

/// `traineval init DIR`: propose DIR/pipeline.toml.
fn init(args: &InitArgs, quiet: bool) -> Result<i32, Error> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(ConfigError::Usage(format!(
            "{}: not a directory; give the folder of input files",
            crate::error::display_path(dir)
        ))
        .into());
    }
    let proposal = crate::init::propose(dir)?;
    let text = crate::init::render(&proposal, &crate::error::display_path(dir));
    if args.print {
        print!("{text}");
        return Ok(0);
    }
    let target = dir.join(crate::config::PIPELINE_FILE_NAME);
    if target.exists() && !args.force {
        return Err(ConfigError::Usage(format!(
            "{} exists; give --force to replace it, or --print to see the proposal",
            crate::error::display_path(&target)
        ))
        .into());
    }
    std::fs::write(&target, &text).map_err(|e| crate::error::WarehouseError::io(&target, e))?;
    if !quiet {
        println!("wrote {}", crate::error::display_path(&target));
        for i in &proposal.inputs {
            let flag = if i.notes.is_empty() && i.missing_required.is_empty() && i.unknown_values.is_empty() {
                ""
            } else {
                "  (check)"
            };
            println!("  {:<20} ← {}{flag}", i.name, crate::error::display_safe(&i.files.join(", ")));
        }
        for m in &proposal.missing {
            println!("  {}", m.describe());
        }
        for k in &proposal.skipped {
            println!("  not used: {}", crate::error::display_safe(k));
        }
        println!("next: traineval validate --explain {0}, then traineval run {0}", crate::error::display_path(&target));
    }
    Ok(0)
}

/// The report languages: `--lang` alone, else the pipeline's `[report] languages`, else
/// its `[report] lang` (checked at load).
fn report_langs(job: &Job, flag: Option<crate::cli::LangArg>) -> Vec<report::Lang> {
    if flag.is_some() {
        return vec![report_lang(job, flag)];
    }
    let configured: Vec<report::Lang> =
        job.settings.report.languages.iter().filter_map(|l| report::Lang::from_code(l)).collect();
    if configured.is_empty() {
        vec![report_lang(job, None)]
    } else {
        configured
    }
}

/// The report language: `--lang`, else the pipeline's `[report] lang` (checked at load).
fn report_lang(job: &Job, flag: Option<crate::cli::LangArg>) -> report::Lang {
    match flag {
        Some(crate::cli::LangArg::Zh) => report::Lang::Zh,
        Some(crate::cli::LangArg::En) => report::Lang::En,
        None => report::Lang::from_code(&job.settings.report.lang).unwrap_or(report::Lang::Zh),
    }
}

/// Exit 1 when any table's reject share exceeds the tolerance (SPEC App. C.16).
fn tolerance(job: &Job, report: &crate::validate::ValidationReport) -> Result<i32, Error> {
    let max = job.settings.validation.max_reject_share;
    let over = report.over_tolerance(max);
    if over.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = over.iter().map(|(t, s)| format!("{t} ({:.1} %)", s * 100.0)).collect();
    Err(Error::ValidationFailed(format!(
        "rejected rows exceed max_reject_share = {:.1} % in: {}",
        max * 100.0,
        list.join(", ")
    )))
}

fn init_logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let fmt = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    // Debug detail carries the seconds since start, so steps that overlap can be placed.
    let _ = if level == tracing::Level::DEBUG {
        fmt.with_timer(tracing_subscriber::fmt::time::uptime()).try_init()
    } else {
        fmt.without_time().try_init()
    };
}

/// Progress on a TTY: one line per running step (inputs are read in parallel), cleared
/// when the step ends; nothing on a pipe or with `-q`.
struct Bar {
    bars: Option<MultiProgress>,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        let shown = !quiet && std::io::stderr().is_terminal();
        Bar { bars: shown.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())) }
    }
}

/// One step's line.
struct BarStep {
    bar: ProgressBar,
}

impl Step for BarStep {
    fn rows(&self, n: u64) {
        self.bar.set_position(n);
    }
}

impl Drop for BarStep {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn step(&self, what: &str, counts_rows: bool) -> Box<dyn Step + '_> {
        let Some(bars) = &self.bars else {
            return Box::new(BarStep { bar: ProgressBar::hidden() });
        };
        // The count of a step is its own from the first frame: the line is set up
        // (message, zero, style) before it is shown.
        let template =
            if counts_rows { "{spinner} {msg:<24} {pos:>10} rows  {elapsed}" } else { "{spinner} {msg:<24} {elapsed}" };
        let bar = ProgressBar::hidden();
        bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()));
        bar.set_message(what.to_string());
        bar.set_position(0);
        let bar = bars.add(bar);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Box::new(BarStep { bar })
    }
}
