//! Typed errors, one enum per stage boundary, with user-facing messages.
//!
//! Every message names the file, and the row and column when there is one.
//! `Error::exit_code` maps them to the exit codes of SPEC §1:
//! 0 ok, 1 data failed validation, 2 usage or configuration, 3 I/O or internal.

use std::path::PathBuf;

/// Errors in the pipeline file or the command line (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read pipeline file: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
}

/// Errors reading an input file (exit 3 unless the file is absent or misconfigured).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: file not found")]
    NotFound { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: cannot decode text: {message}")]
    Encoding { path: PathBuf, message: String },
    #[error("{path}, line {line}: {message}")]
    Csv { path: PathBuf, line: usize, message: String },
    #[error("{path}: cannot read spreadsheet: {message}")]
    Spreadsheet { path: PathBuf, message: String },
    #[error("{path}: cannot read parquet: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("{path}: required column `{column}` is missing (found: {found})")]
    MissingColumn { path: PathBuf, column: String, found: String },
    #[error("{path}: column `{column}` appears more than once in the header")]
    DuplicateColumn { path: PathBuf, column: String },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: unsupported file type (expected .csv, .xlsx, .xls or .parquet)")]
    UnsupportedType { path: PathBuf },
}

/// Errors writing or reading the warehouse and other outputs (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{context}: {message}")]
    Frame { context: String, message: String },
    #[error("{path}: no warehouse here; run `traineval build` first")]
    Missing { path: PathBuf },
}

/// Errors computing indicators (exit 3: the data was valid, so this is internal).
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("indicator `{indicator}`: {message}")]
    Compute { indicator: String, message: String },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// Errors rendering reports or exports (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("report `{what}`: {message}")]
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
    #[error("{0}")]
    Generate(String),
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
            Error::Ingest(IngestError::NotFound { .. })
            | Error::Ingest(IngestError::MissingColumn { .. })
            | Error::Ingest(IngestError::DuplicateColumn { .. })
            | Error::Ingest(IngestError::UnsupportedType { .. })
            | Error::Ingest(IngestError::Format { .. }) => 2,
            _ => 3,
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
