//! Typed errors, one enum per stage boundary, with user-facing messages.
//!
//! Every message names the file, and the row and column when there is one.
//! `Error::exit_code` maps them to the exit codes of SPEC §1:
//! 0 ok, 1 data failed validation, 2 usage or configuration, 3 I/O or internal.
//!
//! Text that comes from outside — file names, headers, cell values, ids, the pipeline
//! file's keys — reaches a terminal or a log only through [`display_safe`] (every
//! message here, the rejects' messages, the validation report, warnings), so a cell
//! holding escape sequences can neither retitle nor clear the terminal nor forge a line.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// `s` as it may be shown on a terminal or written to a log: control characters (C0,
/// DEL, C1) and the bidirectional-override characters are written as escapes — `\n`,
/// `\r`, `\t`, else `\u{1b}` — so the text stays on its line and cannot drive the
/// terminal. Everything else, Chinese included, is kept; borrowed when nothing needs
/// escaping. A backslash is kept as is, so the escapes are for reading, not reversible.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A path for a message, through [`display_safe`], as the user would type it from the
/// directory the command ran in: `pipelines/../sample_data/x.csv` (an input path joined
/// to its pipeline file's directory) is shown as `sample_data/x.csv`.
pub fn display_path(p: &Path) -> String {
    display_safe(&shown_path(p).to_string_lossy()).into_owned()
}

/// `p` with `.` components and `dir/..` pairs removed, without touching the file system
/// (for showing a path; a symlinked `dir` would make the two name different files, so
/// this is never used to open one). A leading `..` stays.
pub fn shown_path(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if matches!(out.last(), Some(Component::RootDir | Component::Prefix(_))) => {}
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Multi-line text for a terminal: each line through [`display_safe`], the line breaks
/// kept and every line after the first indented, so a quoted snippet keeps its shape.
pub fn display_lines(s: &str) -> String {
    let lines: Vec<String> = s.trim_end().lines().map(|l| display_safe(l).into_owned()).collect();
    lines.join("\n    ")
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn safe(s: &str) -> Cow<'_, str> {
    display_safe(s)
}

fn shown(p: &Path) -> String {
    display_path(p)
}

/// Several problems, one per line under a count (a single one is shown alone).
fn list(problems: &[IngestError]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("\n  {p}")).collect();
    format!("{} problems with input headers and column mappings:{}", problems.len(), lines.concat())
}

/// Every problem of a run, one per line (or block) under a count.
fn several(problems: &[Error]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("\n  {}", p.to_string().replace('\n', "\n  "))).collect();
    format!("{} problems in the pipeline and its inputs:{}", problems.len(), lines.concat())
}

/// Errors in the pipeline file or the command line (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read pipeline file: {source}", shown(.path))]
    Read { path: PathBuf, source: std::io::Error },
    /// The TOML parser's message keeps its lines (it quotes the offending line with a
    /// caret under the spot).
    #[error("{}: {}", shown(.path), display_lines(.message))]
    Parse { path: PathBuf, message: String },
    #[error("{}: {}", shown(.path), safe(.message))]
    Invalid { path: PathBuf, message: String },
    #[error("{}", safe(.0))]
    Usage(String),
    /// Every problem of the pipeline file, reported together.
    #[error("{}", several_config(.0))]
    Several(Vec<ConfigError>),
}

impl ConfigError {
    /// One error for a list of problems: the problem itself when there is one.
    pub fn several(mut problems: Vec<ConfigError>) -> Option<ConfigError> {
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            _ => Some(ConfigError::Several(problems)),
        }
    }
}

fn several_config(problems: &[ConfigError]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("\n  {}", p.to_string().replace('\n', "\n  "))).collect();
    format!("{} problems in the pipeline:{}", problems.len(), lines.concat())
}

/// Errors reading an input file (exit 3 unless the file is absent or misconfigured).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{}: file not found", shown(.path))]
    NotFound { path: PathBuf },
    #[error("{}: {source}", shown(.path))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot decode text: {}", shown(.path), safe(.message))]
    Encoding { path: PathBuf, message: String },
    #[error("{}, line {line}: {}", shown(.path), safe(.message))]
    Csv { path: PathBuf, line: usize, message: String },
    #[error("{}: cannot read spreadsheet: {}", shown(.path), safe(.message))]
    Spreadsheet { path: PathBuf, message: String },
    /// The configured sheet is not in the workbook (a configuration error, exit 2).
    #[error(
        "{}: no sheet named \"{}\" (the workbook's sheets: {}); set `sheet` to one of them",
        shown(.path), safe(.sheet), safe(.sheets)
    )]
    NoSheet { path: PathBuf, sheet: String, sheets: String },
    /// A problem with a suggestion of what to change, on the same line.
    #[error("{error}; {}", safe(.hint))]
    Hinted { error: Box<IngestError>, hint: String },
    #[error("{}: cannot read parquet: {}", shown(.path), safe(.message))]
    Parquet { path: PathBuf, message: String },
    #[error("{}: required column `{}` is missing (found: {})", shown(.path), safe(.column), safe(.found))]
    MissingColumn { path: PathBuf, column: String, found: String },
    /// A column mapping names a header the file does not have (it would read as nulls).
    #[error(
        "{}: [inputs.{}.columns] {} = \"{}\" names a header the file does not have (its headers: {})",
        shown(.path), safe(.input), safe(.column), safe(.header), safe(.found)
    )]
    MappedColumnMissing { path: PathBuf, input: String, column: String, header: String, found: String },
    /// A column mapping's key is not a column of its table (a typo would leave the real
    /// column unmapped and null).
    #[error(
        "{}: [inputs.{}.columns] {}: `{}` has no column `{}` (its columns: {})",
        shown(.path), safe(.input), safe(.column), safe(.input), safe(.column), safe(.known)
    )]
    UnknownColumn { path: PathBuf, input: String, column: String, known: String },
    #[error("{}: column `{}` appears more than once in the header", shown(.path), safe(.column))]
    DuplicateColumn { path: PathBuf, column: String },
    /// Every header and mapping problem of a run, reported together.
    #[error("{}", list(.0))]
    Headers(Vec<IngestError>),
    #[error("{}: {}", shown(.path), safe(.message))]
    Format { path: PathBuf, message: String },
    #[error("{}: unsupported file type (expected .csv, .xlsx, .xls or .parquet)", shown(.path))]
    UnsupportedType { path: PathBuf },
    /// A CSV file read in one pass (`ingest::Pass::One`) turned out, after some of its rows
    /// were read, not to be UTF-8 or to have lone `\r` line breaks: the rows read from it
    /// must be undone and the file read again in two passes. Handled by the build; never
    /// shown unless that fails.
    #[error("{}: not UTF-8 throughout (or with lone CR line breaks); to be read again", shown(.path))]
    ReadAgain { path: PathBuf },
}

impl IngestError {
    /// This error with a suggestion of what to change.
    pub fn with_hint(self, hint: impl Into<String>) -> IngestError {
        IngestError::Hinted { error: Box::new(self), hint: hint.into() }
    }

    /// Whether the user can fix this in the pipeline file or the file's layout (exit 2),
    /// as opposed to a file that cannot be read (exit 3).
    pub fn is_configuration(&self) -> bool {
        match self {
            IngestError::NotFound { .. }
            | IngestError::MissingColumn { .. }
            | IngestError::DuplicateColumn { .. }
            | IngestError::MappedColumnMissing { .. }
            | IngestError::UnknownColumn { .. }
            | IngestError::Headers(_)
            | IngestError::UnsupportedType { .. }
            | IngestError::NoSheet { .. }
            | IngestError::Format { .. } => true,
            IngestError::Hinted { error, .. } => error.is_configuration(),
            _ => false,
        }
    }

    /// One error for a list of header problems: the problem itself when there is one.
    pub fn headers(mut problems: Vec<IngestError>) -> Option<IngestError> {
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            _ => Some(IngestError::Headers(problems)),
        }
    }
}

/// Errors writing or reading the warehouse and other outputs (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{}: {source}", shown(.path))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {}", safe(.context), safe(.message))]
    Frame { context: String, message: String },
    #[error("{}: no warehouse here; run `traineval build` first", shown(.path))]
    Missing { path: PathBuf },
}

/// Errors computing indicators (exit 3: the data was valid, so this is internal).
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("indicator `{}`: {}", safe(.indicator), safe(.message))]
    Compute { indicator: String, message: String },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// Errors rendering reports or exports (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("report `{}`: {}", safe(.what), safe(.message))]
    Render { what: String, message: String },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// The top-level error of a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error(transparent)]
    Indicator(#[from] IndicatorError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{}", safe(.0))]
    Generate(String),
    /// Every configuration and header problem of a run, reported together.
    #[error("{}", several(.0))]
    Several(Vec<Error>),
    /// The data failed validation beyond the tolerance: a result, not a crash.
    #[error("{0}")]
    ValidationFailed(String),
}

impl Error {
    /// Exit code per SPEC §1.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::ValidationFailed(_) => 1,
            Error::Config(_) => 2,
            Error::Ingest(e) if e.is_configuration() => 2,
            // A file that cannot be read outweighs a mapping to fix: 3 when any is one.
            Error::Several(all) => all.iter().map(Error::exit_code).max().unwrap_or(2),
            _ => 3,
        }
    }

    /// One error for every problem of a run: the problem itself when there is one,
    /// nested lists flattened.
    pub fn several(problems: Vec<Error>) -> Option<Error> {
        let mut flat = Vec::new();
        for p in problems {
            match p {
                Error::Several(inner) => flat.extend(inner),
                Error::Config(ConfigError::Several(inner)) => flat.extend(inner.into_iter().map(Error::Config)),
                Error::Ingest(IngestError::Headers(inner)) => flat.extend(inner.into_iter().map(Error::Ingest)),
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 => None,
            1 => flat.pop(),
            _ => Some(Error::Several(flat)),
        }
    }
}

/// Shorthand used by every stage.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl WarehouseError {
    /// Wrap a polars error with what was being done.
    pub fn frame(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        WarehouseError::Frame { context: context.into(), message: err.to_string() }
    }
    /// Wrap an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        WarehouseError::Io { path: path.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert!(matches!(display_safe("干部 C01 \\ ok"), Cow::Borrowed(_)));
        assert_eq!(display_safe("\u{1b}]0;pwned\u{7}\u{1b}[2J"), "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J");
        assert_eq!(display_safe("a\nb\r\tc\u{7f}\u{9b}\u{202e}d"), "a\\nb\\r\\tc\\u{7f}\\u{9b}\\u{202e}d");
        let e =
            IngestError::MissingColumn { path: "x\u{1b}[2J.csv".into(), column: "a\u{7}".into(), found: "b\nc".into() };
        assert_eq!(e.to_string(), "x\\u{1b}[2J.csv: required column `a\\u{7}` is missing (found: b\\nc)");
    }

    #[test]
    fn paths_are_shown_as_typed_from_where_the_command_ran() {
        assert_eq!(shown_path(Path::new("pipelines/../sample_data/x.csv")), PathBuf::from("sample_data/x.csv"));
        assert_eq!(shown_path(Path::new("./a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(shown_path(Path::new("../../x")), PathBuf::from("../../x"));
        assert_eq!(shown_path(Path::new("/a/../../b")), PathBuf::from("/b"));
        assert_eq!(shown_path(Path::new("a/..")), PathBuf::from("."));
        assert_eq!(display_lines("a\n  | \u{1b}x\n"), "a\n      | \\u{1b}x");
    }

    #[test]
    fn several_problems_flatten_and_take_the_gravest_exit_code() {
        let missing = || Error::from(IngestError::NotFound { path: "a.csv".into() });
        let io = Error::from(IngestError::Io { path: "b.csv".into(), source: std::io::Error::other("disk") });
        let all = Error::several(vec![
            missing(),
            Error::Config(ConfigError::Several(vec![ConfigError::Usage("u".into()), ConfigError::Usage("v".into())])),
        ]);
        let all = all.map(|e| (e.exit_code(), e.to_string()));
        assert_eq!(all.as_ref().map(|a| a.0), Some(2));
        assert!(all.is_some_and(|(_, t)| t.starts_with("3 problems") && t.lines().count() == 4));
        assert_eq!(Error::several(vec![missing(), io]).map(|e| e.exit_code()), Some(3));
        assert_eq!(Error::several(vec![missing()]).map(|e| e.to_string()), Some("a.csv: file not found".into()));
        let sheet =
            IngestError::NoSheet { path: "r.xlsx".into(), sheet: "干部".into(), sheets: "说明, 花名册".into() };
        assert_eq!(Error::from(sheet.with_hint("h")).exit_code(), 2);
    }

    #[test]
    fn header_problems_are_listed_together_and_exit_2() {
        let p = |h: &str| IngestError::MappedColumnMissing {
            path: "c.csv".into(),
            input: "cadres".into(),
            column: "birth_year".into(),
            header: h.into(),
            found: "干部编号, 姓名".into(),
        };
        let one = IngestError::headers(vec![p("出生年月")]).map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(one, "c.csv: [inputs.cadres.columns] birth_year = \"出生年月\" names a header the file does not have (its headers: 干部编号, 姓名)");
        let two = IngestError::headers(vec![p("a"), p("b\u{1b}")]).map(Error::from);
        let text = two.as_ref().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.starts_with("2 problems") && text.contains("\"b\\u{1b}\""), "{text}");
        assert_eq!(two.map(|e| e.exit_code()), Some(2));
        assert!(IngestError::headers(Vec::new()).is_none());
    }
}
