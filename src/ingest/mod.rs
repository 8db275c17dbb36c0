//! Reading source files into rows of text cells.
//!
//! In: a file path (CSV in UTF-8/UTF-16/GBK/GB18030, XLSX/XLS, Parquet) and its input spec.
//! Out: a [`Source`] — header, the file's SHA-256 and the encoding used, then the data
//! rows one at a time as (source row number, cells), read into a buffer the caller
//! reuses ([`Source::next_row`]): no allocation per row or cell at 10⁷ rows. Cells stay
//! text here; typing is validation's job.
//! Guarantees: row numbers are 1-based source line numbers (CSV header = line 1) or
//! sheet row numbers; blank rows are skipped and never counted; a file that cannot be
//! read gives an [`IngestError`] naming it, never a panic.

mod csv_source;
mod encoding;
mod parquet_source;
pub mod platform;
mod xlsx_source;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use encoding::decode_text;

use crate::config::InputSpec;
use crate::error::IngestError;

/// The cells of one source row. One buffer holds every cell, and it is reused from
/// row to row ([`Source::next_row`]), so reading a row allocates nothing.
pub type Row = csv::StringRecord;

/// Reads data rows into a reused [`Row`].
pub(crate) trait RowReader {
    /// Fill `row` with the next non-blank data row and return its row number; `None`
    /// at the end.
    fn next_row(&mut self, row: &mut Row) -> Result<Option<usize>, IngestError>;
}

/// An opened source file.
pub struct Source {
    /// Header cells, trimmed, BOM removed.
    pub headers: Vec<String>,
    /// Data rows (blank rows already skipped).
    rows: Box<dyn RowReader>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Encoding or format actually used (`utf-8`, `gb18030`, `xlsx`, `parquet`, …).
    pub encoding: String,
}

impl Source {
    /// Read the next data row (blank rows skipped) into `row`, replacing its cells.
    /// Returns the row's 1-based source row number, or `None` after the last row.
    pub fn next_row(&mut self, row: &mut Row) -> Result<Option<usize>, IngestError> {
        self.rows.next_row(row)
    }
}

/// Rows held in memory (spreadsheets): each is copied into the caller's [`Row`].
pub(crate) struct MemoryRows(std::vec::IntoIter<(usize, Vec<String>)>);

impl RowReader for MemoryRows {
    fn next_row(&mut self, row: &mut Row) -> Result<Option<usize>, IngestError> {
        Ok(self.0.next().map(|(line, cells)| {
            row.clear();
            cells.iter().for_each(|c| row.push_field(c));
            line
        }))
    }
}

/// Open a source file of any supported type.
pub fn open(path: &Path, spec: &InputSpec) -> Result<Source, IngestError> {
    if !path.exists() {
        return Err(IngestError::NotFound { path: path.to_path_buf() });
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => csv_source::open(path, spec.encoding.as_deref()),
        "xlsx" | "xlsm" | "xls" => xlsx_source::open(path, spec.sheet.as_deref()),
        "parquet" => parquet_source::open(path),
        _ => Err(IngestError::UnsupportedType { path: path.to_path_buf() }),
    }
}

/// Read a file fully, mapping errors to [`IngestError`] with the path.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => IngestError::NotFound { path: path.to_path_buf() },
        _ => IngestError::Io { path: path.to_path_buf(), source },
    })
}

/// SHA-256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A header cell cleaned for matching: BOM and surrounding white space removed.
pub(crate) fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_string()
}

/// True when every cell is empty or white space (such rows are skipped, not counted).
pub(crate) fn is_blank<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    cells.into_iter().all(|c| c.trim().is_empty())
}
