//! Command-line definitions (clap derive). Nothing but the shape of the arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Evaluate cadre training: build a Parquet warehouse from survey, assessment and
/// review records, compute the transformation indicators, and write reports.
#[derive(Debug, Parser)]
#[command(name = "traineval", version, about, long_about = None)]
pub struct Cli {
    /// Less output: only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More output (repeat for debug detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a realistic synthetic input set with planted effects.
    Generate(GenerateArgs),
    /// Propose a pipeline file for a folder of office files (DIR/pipeline.toml).
    Init(InitArgs),
    /// Read and check every input; print the validation report; write nothing.
    Validate(ValidateArgs),
    /// Ingest, validate, normalise and join into the Parquet warehouse.
    Build(BuildArgs),
    /// Compute the indicator tables from the warehouse.
    Indicators(JobArgs),
    /// Render the HTML reports from the indicator tables.
    Report(ReportArgs),
    /// build + indicators + report.
    Run(ReportArgs),
    /// Write the per-cadre scorecard for an assessment system.
    Export(ExportArgs),
    /// Print the warehouse and indicator data dictionary.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct JobArgs {
    /// A pipeline file (.toml) or a directory of canonical input files.
    pub pipeline: PathBuf,
    /// Output directory (default: the pipeline's `out`, else `out/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Add or replace one year: keep the warehouse's other years as they are and take
    /// the inputs' rows of this year (master data — units, cadres, items — from the inputs).
    #[arg(long, value_name = "YEAR")]
    pub replace_year: Option<i32>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// First show how each file is read: every header and the column it feeds, what is
    /// not used, and the inputs missing with the indicators each leaves empty.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of input files (rosters, class lists, 问卷星 exports …).
    pub dir: PathBuf,
    /// Replace an existing DIR/pipeline.toml.
    #[arg(long)]
    pub force: bool,
    /// Print the proposed pipeline instead of writing it.
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Report language (default: `[report] languages`, else `[report] lang`). The
    /// pipeline's `lang` is written at reports/<period>/, another one at
    /// reports/<period>/<lang>/ beside it.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Also render PDF through a headless Chromium, when one is installed.
    #[arg(long)]
    pub pdf: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// What the export is for.
    #[arg(long = "for", value_enum)]
    pub target: ExportTarget,
    /// With `--for cadre-file`: write only this cadre's file, as an HTML page (the id as
    /// the office knows it; pseudonymised with TRAINEVAL_ID_KEY to find it).
    #[arg(long, value_name = "ID")]
    pub cadre: Option<String>,
    /// Language of the export's headers and labels (default: the pipeline's `[report] lang`).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write the input set into.
    #[arg(long)]
    pub out: PathBuf,
    /// Number of cadres.
    #[arg(long, default_value_t = 500)]
    pub cadres: usize,
    /// Random seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of extra bad rows per table (0 = clean).
    #[arg(long, default_value_t = 0.0)]
    pub dirty: f64,
    /// Canonical files, or surveys as survey-platform exports.
    #[arg(long, value_enum, default_value_t = GenFormat::Canonical)]
    pub format: GenFormat,
    /// Training year.
    #[arg(long, default_value_t = 2025, conflicts_with = "years")]
    pub year: i32,
    /// Several training years of the same cadres, e.g. `2021-2025` (promotions, rotation,
    /// repeated topics; planted year-over-year changes in `_truth.json`).
    #[arg(long, value_parser = parse_years)]
    pub years: Option<(i32, i32)>,
    /// Every method has the same true gain (method effects 0; classes still differ):
    /// the planted null of the size benchmark.
    #[arg(long)]
    pub null_methods: bool,
    /// Plant a violation the transfer checks must catch (repeatable, or comma-separated).
    #[arg(long = "plant", value_enum, value_delimiter = ',')]
    pub plants: Vec<GenPlant>,
    /// Enrollments a year per cadre (default: the model's, about 0.65). About 1.2 gives the
    /// shape of a national year: ≈ 4·10⁷ survey answers at 10⁶ cadres.
    #[arg(long)]
    pub enrollments_per_cadre: Option<f64>,
}

/// `A-B` (or a single year `A`) as (first, last).
fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let year = |t: &str| t.trim().parse::<i32>().map_err(|_| format!("`{s}` is not a year range like 2021-2025"));
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (year(a)?, year(b)?),
        None => (year(s)?, year(s)?),
    };
    if a > b {
        return Err(format!("`{s}`: the first year is after the last"));
    }
    Ok((a, b))
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Markdown)]
    pub format: SchemaFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// The per-cadre scorecard an assessment system imports.
    Assessment,
    /// Each cadre's training file (培训档案): every class, hours, topics, assessment,
    /// reviews and compliance by year.
    CadreFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    Canonical,
    Platform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenPlant {
    /// Trainees' reviews drift upward relative to controls before their class.
    Pretrend,
    /// Trainees lose their after-class reviews far more often than controls, the weaker ones.
    Attrition,
    /// Would-be controls trained between their own reviews (year + 1) or in the washout year.
    Contamination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Markdown,
    Json,
}
