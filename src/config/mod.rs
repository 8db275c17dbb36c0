//! The pipeline file (`pipelines/*.toml`) and the canonical input directory.
//!
//! In: a path to a TOML file or to a directory of canonical files (SPEC App. A).
//! Out: a [`Job`] — every input resolved to files with its table, column and value
//! mappings, plus the validation, indicator and report settings with defaults filled.
//! Guarantees: unknown keys are errors naming the key and its line; paths are
//! resolved relative to the TOML file; settings are range-checked here, once.

mod settings;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use settings::*;

use crate::error::ConfigError;
use crate::warehouse::schema::{TableKind, Wave};

/// How a source file is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// Columns already named (or mapped to) the canonical names.
    #[default]
    Canonical,
    /// A survey-platform export (问卷星 style); needs `[inputs.<t>.platform]`.
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
    pub platform: Option<crate::ingest::platform::PlatformConfig>,
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
    /// Load a pipeline file or a canonical directory. `out` overrides the file's `out`.
    pub fn load(path: &Path, out: Option<&Path>) -> Result<Job, ConfigError> {
        if path.is_dir() {
            return Self::from_dir(path, out);
        }
        if !path.exists() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "no such pipeline file or directory".into(),
            });
        }
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let file: PipelineFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base_dir = if base_dir.as_os_str().is_empty() { PathBuf::from(".") } else { base_dir };
        file.check(path)?;
        let mut inputs = Vec::new();
        for (name, spec) in &file.inputs {
            let table = TableKind::from_name(name).ok_or_else(|| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "unknown input table `[inputs.{name}]` (expected one of: {})",
                    TableKind::input_names().join(", ")
                ),
            })?;
            if spec.format == InputFormat::Platform && spec.platform.is_none() {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("[inputs.{name}] has format = \"platform\" but no [inputs.{name}.platform] section"),
                });
            }
            if spec.format == InputFormat::Platform && !spec.columns.is_empty() {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "[inputs.{name}.columns]: a survey-platform export finds its columns through \
                         [inputs.{name}.platform] (class_id, cadre_id, items); remove the `columns` table"
                    ),
                });
            }
            if spec.format == InputFormat::Platform && !matches!(table, TableKind::Survey(_)) {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("[inputs.{name}]: format = \"platform\" is only for survey inputs"),
                });
            }
            let files = expand_glob(&base_dir, &spec.path).map_err(|message| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("[inputs.{name}] path `{}`: {message}", spec.path),
            })?;
            inputs.push(ResolvedInput { table, name: name.clone(), files, spec: spec.clone() });
        }
        inputs.sort_by_key(|i| i.table.order());
        let out = match (out, &file.out) {
            (Some(o), _) => o.to_path_buf(),
            (None, Some(o)) => base_dir.join(o),
            (None, None) => PathBuf::from("out"),
        };
        Ok(Job { source: path.to_path_buf(), base_dir, period: file.period.clone(), out, inputs, settings: file })
    }

    /// A directory of canonical files: the stem names the table; every default applies.
    fn from_dir(dir: &Path, out: Option<&Path>) -> Result<Job, ConfigError> {
        let entries = std::fs::read_dir(dir).map_err(|source| ConfigError::Read { path: dir.to_path_buf(), source })?;
        let mut by_table: BTreeMap<(usize, String), ResolvedInput> = BTreeMap::new();
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if !p.is_file() {
                continue;
            }
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if !matches!(ext.as_str(), "csv" | "xlsx" | "xls" | "parquet") {
                continue;
            }
            let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else { continue };
            let Some(table) = TableKind::from_name(stem) else {
                tracing::warn!("{}: file name does not name a table; skipped", crate::error::display_path(&p));
                continue;
            };
            let key = (table.order(), stem.to_string());
            by_table
                .entry(key)
                .or_insert_with(|| ResolvedInput {
                    table,
                    name: stem.to_string(),
                    files: Vec::new(),
                    spec: InputSpec { path: stem.to_string(), ..Default::default() },
                })
                .files
                .push(p);
        }
        if by_table.is_empty() {
            return Err(ConfigError::Invalid {
                path: dir.to_path_buf(),
                message: "no input files found (expected units.csv, cadres.csv, classes.csv, …)".into(),
            });
        }
        let settings = PipelineFile::default();
        Ok(Job {
            source: dir.to_path_buf(),
            base_dir: dir.to_path_buf(),
            period: None,
            out: out.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("out")),
            inputs: by_table.into_values().collect(),
            settings,
        })
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
        if !full.is_file() {
            return Err(format!("file not found: {}", full.display()));
        }
        return Ok(vec![full]);
    }
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err("wildcards are allowed in the file name only".into());
    }
    let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| wildcard_match(name, n)))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err("no file matches".into());
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

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = toml::from_str::<PipelineFile>("period = \"2025\"\n\n[validation]\nmax_reject = 0.1\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("max_reject"), "{msg}");
        assert!(msg.contains("line 4"), "{msg}");
    }
}
