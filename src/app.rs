//! Command dispatch: turn parsed arguments into settings, run the pipeline, print
//! results. Returns the process exit code; errors carry their own (see `error`).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Cli, Command, ExportTarget, JobArgs};
use crate::config::Job;
use crate::error::{ConfigError, Error};
use crate::pipeline::{self, Progress};
use crate::report::{self, PdfOutcome};

/// Run a command; Ok(exit code).
pub fn run(cli: Cli) -> Result<i32, Error> {
    init_logging(cli.quiet, cli.verbose);
    let progress = Bar::new(cli.quiet);
    match cli.command {
        Command::Validate(args) => {
            let job = load(&args)?;
            let ing = pipeline::validate(&job, &progress)?;
            print!("{}", ing.report.render_text());
            tolerance(&job, &ing.report)
        }
        Command::Build(args) => {
            let job = load(&args.job)?;
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
            let job = load(&args)?;
            do_indicators(&job, &progress, cli.quiet)
        }
        Command::Run(args) => {
            // build + indicators + report; data beyond the reject tolerance stops after
            // the build (exit 1), so no indicator is computed from it.
            let job = load(&args.job)?;
            do_build(&job, &progress, cli.quiet)?;
            do_indicators(&job, &progress, cli.quiet)?;
            do_report(&job, report_lang(&job, args.lang), args.pdf, cli.quiet)
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
            let job = load(&args.job)?;
            do_report(&job, report_lang(&job, args.lang), args.pdf, cli.quiet)
        }
        Command::Export(args) => {
            let job = load(&args.job)?;
            if args.cadre.is_some() && args.target != ExportTarget::CadreFile {
                return Err(ConfigError::Usage("--cadre goes with --for cadre-file".into()).into());
            }
            match args.target {
                ExportTarget::Assessment => {
                    let s = report::export_assessment(&job.out, &job)?;
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
                        let s = crate::export::cadre_file::export_all(&job.out)?;
                        if !cli.quiet {
                            println!(
                                "{} cadres ({} enrollments) written to {} and {}; compliance from the {}",
                                s.cadres,
                                s.enrollments,
                                s.xlsx.display(),
                                s.jsonl.display(),
                                match s.compliance_source {
                                    crate::export::cadre_file::ComplianceSource::Indicators => "compliance indicator table",
                                    crate::export::cadre_file::ComplianceSource::Warehouse => "warehouse alone (no rule applied)",
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
        print!("{}", built.ingested.report.render_text());
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

fn do_report(job: &Job, lang: crate::report::Lang, pdf: bool, quiet: bool) -> Result<i32, Error> {
    let summary = pipeline::report(job, lang, pdf)?;
    if !quiet {
        println!("report written to {} ({} class pages)", summary.index.display(), summary.class_pages);
        match &summary.pdf {
            PdfOutcome::NotRequested => {}
            PdfOutcome::Written(files) => println!("{} PDF files written beside the HTML", files.len()),
            PdfOutcome::NoBrowser(message) => eprintln!("warning: {message}"),
        }
    }
    Ok(0)
}

/// `export --for cadre-file --cadre ID`: one cadre's page under `OUT/exports/cadre_file/`.
fn export_cadre_page(job: &Job, id: &str, lang: report::Lang) -> Result<std::path::PathBuf, Error> {
    use crate::export::cadre_file;
    let Some(file) = cadre_file::one(&job.out, id)? else {
        let how = if crate::warehouse::pseudonym::Pseudonymizer::from_env().is_active() {
            " (looked up by its pseudonym under TRAINEVAL_ID_KEY)"
        } else {
            ""
        };
        return Err(ConfigError::Usage(format!("no cadre `{id}` in the warehouse{how}")).into());
    };
    let html = report::cadre_file::render(&file, id, lang)?;
    let path = cadre_file::page_path(&job.out, &file.cadre_id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::error::WarehouseError::io(dir, e))?;
    }
    std::fs::write(&path, html).map_err(|e| crate::error::WarehouseError::io(&path, e))?;
    Ok(path)
}

fn load(args: &JobArgs) -> Result<Job, Error> {
    Ok(Job::load(&args.pipeline, args.out.as_deref())?)
}

/// The report language: `--lang`, else the pipeline's `[report] lang` (checked at load).
fn report_lang(job: &Job, flag: Option<crate::cli::Lang>) -> report::Lang {
    match flag {
        Some(crate::cli::Lang::Zh) => report::Lang::Zh,
        Some(crate::cli::Lang::En) => report::Lang::En,
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

/// A progress bar on a TTY; nothing on a pipe or with `-q`.
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
        } else {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg:<24} {pos:>10} rows  {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b
        };
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, what: &str) {
        self.bar.set_message(what.to_string());
        self.bar.set_position(0);
    }
    fn rows(&self, n: u64) {
        self.bar.set_position(n);
    }
    fn done(&self) {
        self.bar.tick();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
