//! The pipeline file (`pipelines/*.toml`) and the canonical input directory.
//!
//! In: a path to a TOML file or to a directory of canonical files (SPEC App. A).
//! Out: a [`Job`] — every input resolved to files with its table, column and value
//! mappings, plus the validation, indicator and report settings with defaults filled.
//! Guarantees: unknown keys are errors naming the key and its line; paths are
//! resolved relative to the TOML file; settings are range-checked here, once.

pub mod platform;
mod settings;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use settings::*;

use crate::error::ConfigError;
use crate::schema::{TableKind, Wave};

/// How a source file is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// Columns already named (or mapped to) the canonical names.
    #[default]
    Canonical,
    /// A survey-platform export (问卷星 style) of a survey wave or of course evaluations;
    /// needs `[inputs.<t>.platform]`.
    Platform,
}

/// One `[inputs.<table>]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// File path or glob (`*`, `?` in the file name), relative to the pipeline file.
    pub path: String,
    /// Sheet name for spreadsheets (default: the first sheet).
    pub sheet: Option<String>,
    /// The 1-based line (CSV) or sheet row of the header; the rows above it (a title,
    /// notes) are not read. Default: the first non-blank row.
    pub header_row: Option<usize>,
    /// Text encoding for CSV: `auto` (default), `utf-8`, `gbk`, `gb18030`.
    pub encoding: Option<String>,
    #[serde(default)]
    pub format: InputFormat,
    /// Canonical column name → the source's own header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Canonical column name → (source value → canonical value).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// chrono format of dates in this source (default `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// chrono format of `submitted_at` in this source (default ISO with space or `T`).
    pub datetime_format: Option<String>,
    /// Survey-platform mapping (with `format = "platform"`).
    pub platform: Option<platform::PlatformConfig>,
}

/// The file name a directory's own pipeline file has (`traineval init` writes it).
pub const PIPELINE_FILE_NAME: &str = "pipeline.toml";

impl InputSpec {
    /// What is wrong with this section by itself (not with its files).
    fn problems(&self, name: &str, table: TableKind) -> Vec<String> {
        let mut out = Vec::new();
        let platform_table = matches!(table, TableKind::Survey(_) | TableKind::CourseRatings);
        if self.format == InputFormat::Platform {
            if !platform_table {
                out.push(format!(
                    "[inputs.{name}]: format = \"platform\" is only for survey waves and course_ratings \
                     (survey-platform exports); remove it"
                ));
            } else if self.platform.is_none() {
                out.push(format!(
                    "[inputs.{name}] has format = \"platform\" but no [inputs.{name}.platform] section \
                     (an empty one takes the defaults: question 1 = class id, question 2 = cadre id)"
                ));
            }
            if !self.columns.is_empty() {
                out.push(format!(
                    "[inputs.{name}.columns]: a survey-platform export finds its columns through \
                     [inputs.{name}.platform] (class_id, cadre_id, items); remove the `columns` table"
                ));
            }
        } else if self.platform.is_some() {
            out.push(format!(
                "[inputs.{name}.platform] is read only with format = \"platform\"; add that line or remove the section"
            ));
        }
        if let Some(p) = &self.platform {
            if table == TableKind::CourseRatings && (!p.items.is_empty() || p.first_item_question != 3) {
                out.push(format!(
                    "[inputs.{name}.platform]: `items` and `first_item_question` are for survey waves; \
                     course evaluations name their courses and indicators in the headers"
                ));
            }
            if matches!(table, TableKind::Survey(_)) && (!p.indicators.is_empty() || !p.courses.is_empty()) {
                out.push(format!("[inputs.{name}.platform]: `indicators` and `courses` are for course_ratings only"));
            }
        }
        if self.header_row == Some(0) {
            out.push(format!("[inputs.{name}] header_row = 0: rows are numbered from 1"));
        }
        if let Some(e) = &self.encoding {
            let known =
                ["auto", "utf-8", "utf8", "gbk", "gb2312", "gb18030", "cp936", "utf-16", "utf-16le", "utf-16be"];
            if !known.contains(&e.to_ascii_lowercase().as_str())
                && encoding_rs::Encoding::for_label(e.as_bytes()).is_none()
            {
                out.push(format!(
                    "[inputs.{name}] encoding = \"{e}\" is not an encoding (use \"auto\", \"utf-8\" or \"gbk\")"
                ));
            }
        }
        for (key, fmt) in [("date_format", &self.date_format), ("datetime_format", &self.datetime_format)] {
            if let Some(f) = fmt {
                if let Some(bad) = bad_chrono_format(f) {
                    out.push(format!("[inputs.{name}] {key} = \"{f}\": {bad}"));
                }
            }
        }
        out
    }
}

/// Why a chrono format string cannot parse dates, if it cannot.
fn bad_chrono_format(f: &str) -> Option<String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
        return Some("not a valid format (use %Y %m %d %H %M %S, e.g. \"%Y/%m/%d\")".into());
    }
    if !f.contains("%Y") && !f.contains("%y") && !f.contains("%F") {
        return Some("has no year (%Y)".into());
    }
    None
}

/// The pipeline file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    /// The reporting period, e.g. `"2025"` (default: the latest class year).
    pub period: Option<String>,
    /// Output directory, relative to the pipeline file.
    pub out: Option<String>,
    /// Inputs by table name (`units`, `cadres`, …, `survey_pre`, …).
    #[serde(default)]
    pub inputs: BTreeMap<String, InputSpec>,
    #[serde(default)]
    pub validation: ValidationSettings,
    #[serde(default)]
    pub instrument: InstrumentSettings,
    #[serde(default)]
    pub indicators: IndicatorSettings,
    #[serde(default)]
    pub methods: MethodSettings,
    #[serde(default)]
    pub transfer: TransferSettings,
    #[serde(default)]
    pub compliance: ComplianceSettings,
    #[serde(default)]
    pub scorecard: ScorecardSettings,
    #[serde(default)]
    pub report: ReportSettings,
    #[serde(default)]
    pub exports: ExportSettings,
}

/// One input table resolved to its files.
#[derive(Debug, Clone)]
pub struct ResolvedInput {
    pub table: TableKind,
    /// The section name in the pipeline file, or the file stem.
    pub name: String,
    pub files: Vec<PathBuf>,
    pub spec: InputSpec,
}

/// A fully resolved job.
#[derive(Debug, Clone)]
pub struct Job {
    /// The pipeline file or the canonical directory given on the command line.
    pub source: PathBuf,
    /// Directory that relative paths in messages and the manifest are shown against.
    pub base_dir: PathBuf,
    pub period: Option<String>,
    pub out: PathBuf,
    pub inputs: Vec<ResolvedInput>,
    pub settings: PipelineFile,
}

impl Job {
    /// Load a pipeline file, or a directory holding one (`pipeline.toml`, the file
    /// `traineval init` writes). `out` overrides the file's `out`. Every problem of the
    /// file is reported at once ([`ConfigError::Several`]). A folder of files without a
    /// pipeline file is read by `crate::init::load_job`, which infers its layout.
    pub fn load(path: &Path, out: Option<&Path>) -> Result<Job, ConfigError> {
        let (job, problems) = Self::load_lenient(path, out)?;
        match ConfigError::several(problems) {
            Some(e) => Err(e),
            None => Ok(job),
        }
    }

    /// Load, keeping the problems that concern single inputs or settings (an unknown
    /// table, a path with no file, a setting out of range) beside a job of the inputs that
    /// resolved, so that the caller can report them together with the problems of the
    /// files themselves. Only what stops the file from being read at all (absent,
    /// unreadable, not TOML, an unknown key) is an error here.
    pub fn load_lenient(path: &Path, out: Option<&Path>) -> Result<(Job, Vec<ConfigError>), ConfigError> {
        if path.is_dir() {
            let own = path.join(PIPELINE_FILE_NAME);
            if own.is_file() {
                tracing::info!("{}: reading the directory's pipeline file", crate::error::display_path(&own));
                return Self::load_lenient(&own, out);
            }
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("a folder without {PIPELINE_FILE_NAME}: run `traineval init` on it"),
            });
        }
        if !path.exists() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "no such pipeline file or directory".into(),
            });
        }
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let file: PipelineFile = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base_dir = if base_dir.as_os_str().is_empty() { PathBuf::from(".") } else { base_dir };
        let out = match (out, &file.out) {
            (Some(o), _) => o.to_path_buf(),
            (None, Some(o)) => base_dir.join(o),
            (None, None) => PathBuf::from("out"),
        };
        Ok(Self::resolve(path, base_dir, file, out))
    }

    /// The job of a folder whose pipeline was inferred from its files (directory mode):
    /// paths relative to the folder, `out` by default `out`.
    pub fn of_inferred_folder(dir: &Path, file: PipelineFile, out: Option<&Path>) -> (Job, Vec<ConfigError>) {
        let out = out.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("out"));
        Self::resolve(dir, dir.to_path_buf(), file, out)
    }

    /// Resolve every input of a parsed pipeline file to its files; the problems found on
    /// the way come back beside the job, which keeps the inputs without one.
    fn resolve(source: &Path, base_dir: PathBuf, file: PipelineFile, out: PathBuf) -> (Job, Vec<ConfigError>) {
        let invalid = |message: String| ConfigError::Invalid { path: source.to_path_buf(), message };
        let mut problems: Vec<ConfigError> = file.problems().into_iter().map(invalid).collect();
        let mut inputs = Vec::new();
        for (name, spec) in &file.inputs {
            let Some(table) = TableKind::from_name(name) else {
                problems.push(invalid(format!(
                    "unknown input table `[inputs.{name}]` (expected one of: {})",
                    TableKind::input_names().join(", ")
                )));
                continue;
            };
            let before = problems.len();
            problems.extend(spec.problems(name, table).into_iter().map(invalid));
            match expand_glob(&base_dir, &spec.path) {
                Ok(files) if problems.len() == before => {
                    inputs.push(ResolvedInput { table, name: name.clone(), files, spec: spec.clone() })
                }
                Ok(_) => {}
                Err(message) => problems.push(invalid(format!("[inputs.{name}] path \"{}\": {message}", spec.path))),
            }
        }
        inputs.sort_by_key(|i| i.table.order());
        let job =
            Job { source: source.to_path_buf(), base_dir, period: file.period.clone(), out, inputs, settings: file };
        (job, problems)
    }

    /// The input for a table, if configured.
    pub fn input(&self, table: TableKind) -> Option<&ResolvedInput> {
        self.inputs.iter().find(|i| i.table == table)
    }

    /// The survey waves that have an input, in canonical order.
    pub fn survey_waves(&self) -> Vec<Wave> {
        let mut w: Vec<Wave> = self
            .inputs
            .iter()
            .filter_map(|i| if let TableKind::Survey(w) = i.table { Some(w) } else { None })
            .collect();
        w.sort();
        w.dedup();
        w
    }

    /// A path as shown in messages and the manifest: relative to the base directory when possible.
    pub fn display_path(&self, p: &Path) -> String {
        p.strip_prefix(&self.base_dir).unwrap_or(p).to_string_lossy().replace('\\', "/")
    }
}

/// Expand a path whose file name may hold `*` or `?`. A plain path must exist.
fn expand_glob(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let full = base.join(pattern);
    let name = full.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.contains(['*', '?']) {
        if full.is_dir() {
            return Err(format!(
                "{} is a directory; name a file (wildcards allowed: \"*.csv\")",
                crate::error::display_path(&full)
            ));
        }
        if !full.is_file() {
            return Err(format!("file not found: {}", crate::error::display_path(&full)));
        }
        return Ok(vec![full]);
    }
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err("wildcards are allowed in the file name only".into());
    }
    let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", crate::error::display_path(&dir)))?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| wildcard_match(name, n)))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("no file in {} matches", crate::error::display_path(&dir)));
    }
    Ok(out)
}

/// `*` matches any run, `?` one character.
fn wildcard_match(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("survey_*.csv", "survey_pre.csv"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "abbc"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("*.xlsx", "a.csv"));
    }

    fn load_text(text: &str, files: &[&str]) -> Result<Job, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            std::fs::write(dir.path().join(f), "a\n").unwrap();
        }
        let p = dir.path().join("p.toml");
        std::fs::write(&p, text).unwrap();
        Job::load(&p, None)
    }

    #[test]
    fn every_problem_of_the_file_is_reported_at_once() {
        let text = "[validation]\nmax_reject_share = 2.0\n\n[inputs.cadre]\npath = \"c.csv\"\n\n\
                    [inputs.units]\npath = \"nope.csv\"\n\n[inputs.classes]\npath = \"k.csv\"\nformat = \"platform\"\n\n\
                    [inputs.courses]\npath = \"k.csv\"\nheader_row = 0\ndate_format = \"%d.%m\"\n";
        let e = load_text(text, &["c.csv", "k.csv"]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("6 problems in the pipeline:"), "{e}");
        for part in [
            "max_reject_share = 2",
            "unknown input table `[inputs.cadre]`",
            "[inputs.units] path \"nope.csv\": file not found",
            "format = \"platform\" is only for survey waves and course_ratings",
            "header_row = 0",
            "date_format = \"%d.%m\": has no year",
        ] {
            assert!(e.contains(part), "`{part}` missing from: {e}");
        }
        assert_eq!(e.lines().count(), 7, "{e}");
    }

    #[test]
    fn platform_sections_belong_to_platform_exports() {
        let ok = "[inputs.course_ratings]\npath = \"r.csv\"\nformat = \"platform\"\n[inputs.course_ratings.platform]\nclass_id = 1\n";
        let job = load_text(ok, &["r.csv"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(job.inputs[0].spec.format, InputFormat::Platform);
        let stray = "[inputs.survey_pre]\npath = \"r.csv\"\n[inputs.survey_pre.platform]\n";
        let e = load_text(stray, &["r.csv"]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("read only with format = \"platform\""), "{e}");
        let items = "[inputs.course_ratings]\npath = \"r.csv\"\nformat = \"platform\"\n[inputs.course_ratings.platform]\nitems = { A = 3 }\n";
        let e = load_text(items, &["r.csv"]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("`items` and `first_item_question` are for survey waves"), "{e}");
        let sheet = "[inputs.cadres]\npath = \"r.csv\"\nsheet = \"花名册\"\nheader_row = 2\nencoding = \"gbk\"\n";
        let job = load_text(sheet, &["r.csv"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((job.inputs[0].spec.sheet.as_deref(), job.inputs[0].spec.header_row), (Some("花名册"), Some(2)));
        let e = load_text("[inputs.cadres]\npath = \"r.csv\"\nencoding = \"latin-9x\"\n", &["r.csv"])
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("is not an encoding")));
    }

    #[test]
    fn toml_errors_keep_the_quoted_line() {
        let e = load_text("period = \"2025\"\n[validation\nmax_reject_share = 0.1\n", &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.lines().count() >= 3, "{e}");
        assert!(e.contains("[validation") && e.contains('^'), "{e}");
    }

    #[test]
    fn a_directory_with_its_own_pipeline_file_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("单位.csv"), "unit_id\nU1\n").unwrap();
        std::fs::write(dir.path().join(PIPELINE_FILE_NAME), "period = \"2024\"\n[inputs.units]\npath = \"单位.csv\"\n")
            .unwrap();
        let job = crate::init::load_job(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((job.period.as_deref(), job.inputs.len()), (Some("2024"), 1));
        assert_eq!(job.source, dir.path().join(PIPELINE_FILE_NAME));
        // Without it, the layout is inferred.
        std::fs::remove_file(dir.path().join(PIPELINE_FILE_NAME)).unwrap();
        let job = crate::init::load_job(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((job.period.as_deref(), job.inputs[0].table), (None, TableKind::Units));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = toml::from_str::<PipelineFile>("period = \"2025\"\n\n[validation]\nmax_reject = 0.1\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("max_reject"), "{msg}");
        assert!(msg.contains("line 4"), "{msg}");
    }
}
