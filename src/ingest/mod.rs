//! Reading source files into rows of text cells.
//!
//! In: a file path (CSV in UTF-8/UTF-16/GBK/GB18030, XLSX/XLS, Parquet) and its input spec.
//! Out: a [`Source`] — header, the file's SHA-256 and the encoding used, then the data
//! rows one at a time as a [`RowInfo`] (where the row starts, whether it has the header's
//! shape) and its cells, read into a [`Row`] the caller reuses ([`Source::next_row`]): no
//! allocation per row or cell at 10⁷ rows. Cells stay text here; typing is validation's job.
//! [`read_headers`] reads only the header row, for checks made before any row is read.
//!
//! Guarantees:
//! - row numbers are the 1-based source line on which the row *starts* (CSV header =
//!   line 1; a quoted field may hold line breaks; `\n` and `\r\n` endings count alike)
//!   or the sheet's row number;
//! - blank rows (every cell empty or white space) are skipped and never counted;
//! - a row keeps at most the header's number of cells, however many it has: the others
//!   are only counted ([`Shape::Fields`]), so a row of a million fields takes the memory
//!   of the header's;
//! - a CSV that ends inside a quoted field marks its last row [`Shape::Truncated`]: a cut
//!   row is never handed on as if whole;
//! - a file that cannot be read gives an [`IngestError`] naming it, never a panic.
//!
//! Shape rules: in a CSV a field is whatever the delimiters separate, empty or not, so
//! `a,b,` has three fields, and a data row must have exactly as many fields as the header
//! (an Excel export pads every row, header included, to the same width). A sheet has no
//! delimiters: a row's width is up to its last non-blank cell, so trailing blank cells are
//! just blank, and only a value beyond the header's last named column breaks the shape.

mod csv_source;
mod encoding;
mod parquet_source;
pub mod platform;
pub mod sniff;
mod xlsx_source;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use encoding::decode_text;

use crate::config::InputSpec;
use crate::error::IngestError;

/// The cells of one source row: one text buffer and the end of each cell in it, reused
/// from row to row ([`Source::next_row`]), so reading a row allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Row {
    text: String,
    ends: Vec<usize>,
    /// Bytes between one cell's end and the next cell: 0, or 1 when `text` is a CSV
    /// record as it is in the file, delimiters included ([`Row::fill_delimited`]).
    sep: usize,
}

/// Rows are equal when their cells are, however they are held.
impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Row {}

impl Row {
    pub fn new() -> Self {
        Row::default()
    }

    /// Remove every cell, keeping the buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.sep = 0;
    }

    /// Append a cell.
    pub fn push_field(&mut self, cell: &str) {
        // Cells after the first start one byte after the last end (see `sep`).
        if self.sep == 1 && !self.ends.is_empty() {
            self.text.push(',');
        }
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i`, if the row has it.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + self.sep };
        self.text.get(start..end)
    }

    /// The cells in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Replace the cells by `bytes` cut at `ends` (as the CSV parser writes them). The
    /// buffers are reused; the bytes are checked to be UTF-8 once for the whole row.
    fn fill(&mut self, bytes: &[u8], ends: &[usize]) -> Result<(), std::string::FromUtf8Error> {
        let mut buf = std::mem::take(&mut self.text).into_bytes();
        buf.clear();
        buf.extend_from_slice(bytes);
        self.ends.clear();
        match String::from_utf8(buf) {
            Ok(text) => {
                self.text = text;
                self.ends.extend_from_slice(ends);
                self.sep = 0;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Replace the cells by those of `record`, a CSV record without quotes whose
    /// delimiters are at `ends` (the last end: the record's). The record is copied whole,
    /// not cell by cell.
    fn fill_delimited(&mut self, record: &[u8], ends: &[usize]) -> Result<(), std::string::FromUtf8Error> {
        self.fill(record, ends)?;
        self.sep = 1;
        Ok(())
    }
}

/// Whether a row has the header's shape (see the module doc for what counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// As many fields as the header.
    Fits,
    /// `fields` fields where the header has `header` (only the first `header` are kept).
    Fields { fields: usize, header: usize },
    /// The file ends inside a quoted field of this row, which runs to line `last_line`:
    /// the row is cut off (an export stopped mid-write, or a quote never closed).
    Truncated { last_line: usize },
}

/// Where a data row comes from and whether it is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowInfo {
    /// 1-based line (CSV) or sheet row on which the row starts.
    pub line: usize,
    pub shape: Shape,
}

impl RowInfo {
    /// A row of a format whose rows always fit (Parquet, rows already cut to shape).
    fn fits(line: usize) -> Self {
        RowInfo { line, shape: Shape::Fits }
    }
}

/// Reads data rows into a reused [`Row`].
pub(crate) trait RowReader {
    /// Fill `row` with the next non-blank data row and say where it starts; `None` at the end.
    fn next_row(&mut self, row: &mut Row) -> Result<Option<RowInfo>, IngestError>;

    /// The SHA-256 of a file hashed as it is read (see [`Pass::One`]), reading what is
    /// left of it; `None` for a reader that does not hash.
    fn sha256(&mut self) -> Result<Option<String>, IngestError> {
        Ok(None)
    }
}

/// How many times a CSV file is read (spreadsheets and Parquet files are read whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// A first pass hashes the file and checks that it is UTF-8 before any row is read;
    /// the rows never fail for what that pass finds.
    Two,
    /// The file is hashed and checked as its rows are parsed. A file that turns out not
    /// to be UTF-8 (or to have lone `\r` line breaks) after rows were handed on gives
    /// [`IngestError::ReadAgain`] from [`Source::next_row`] or [`Source::sha256`], before
    /// a row with a byte that is not UTF-8 is handed on: the caller undoes what it did with the file's rows
    /// and reads it again with [`Pass::Two`], which decodes it whole as [`Pass::Two`] always
    /// does. Everything else (rows, hash, encoding) is as with [`Pass::Two`].
    One,
}

/// An opened source file.
pub struct Source {
    /// Header cells, trimmed, BOM removed.
    pub headers: Vec<String>,
    /// Data rows (blank rows already skipped).
    rows: Box<dyn RowReader>,
    /// SHA-256 of the file's bytes, hex; `None` while a file read once is being read.
    sha256: Option<String>,
    /// Encoding or format actually used (`utf-8`, `gb18030`, `xlsx`, `parquet`, …).
    pub encoding: String,
}

impl Source {
    /// Read the next data row (blank rows skipped) into `row`, replacing its cells.
    /// Returns where the row starts and its shape, or `None` after the last row.
    pub fn next_row(&mut self, row: &mut Row) -> Result<Option<RowInfo>, IngestError> {
        self.rows.next_row(row)
    }

    /// SHA-256 of the file's bytes, hex. A file read once ([`Pass::One`]) is hashed as
    /// its rows are read: what is left of it is read first (and may turn out not to be
    /// UTF-8: [`IngestError::ReadAgain`]).
    pub fn sha256(&mut self) -> Result<String, IngestError> {
        if self.sha256.is_none() {
            self.sha256 = self.rows.sha256()?;
        }
        // Every reader that leaves the hash to be computed as it reads gives it.
        Ok(self.sha256.clone().unwrap_or_default())
    }
}

/// Rows held in memory (spreadsheets): each is copied into the caller's [`Row`].
pub(crate) struct MemoryRows(std::vec::IntoIter<(RowInfo, Vec<String>)>);

impl RowReader for MemoryRows {
    fn next_row(&mut self, row: &mut Row) -> Result<Option<RowInfo>, IngestError> {
        Ok(self.0.next().map(|(info, cells)| {
            row.clear();
            cells.iter().for_each(|c| row.push_field(c));
            info
        }))
    }
}

/// The kind of source a path names, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Delimited text (`.csv`, `.txt`, `.tsv`).
    Csv,
    /// A workbook (`.xlsx`, `.xlsm`, `.xls`).
    Sheet,
    Parquet,
}

/// The kind of a source file, by its extension (an error when it does not exist or is
/// of no supported type).
pub fn kind_of(path: &Path) -> Result<Kind, IngestError> {
    if !path.exists() {
        return Err(IngestError::NotFound { path: path.to_path_buf() });
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => Ok(Kind::Csv),
        "xlsx" | "xlsm" | "xls" => Ok(Kind::Sheet),
        "parquet" => Ok(Kind::Parquet),
        _ => Err(IngestError::UnsupportedType { path: path.to_path_buf() }),
    }
}

/// Open a source file of any supported type (a CSV file in two passes: [`Pass::Two`]).
pub fn open(path: &Path, spec: &InputSpec) -> Result<Source, IngestError> {
    open_with(path, spec, Pass::Two)
}

/// Open a source file of any supported type, a CSV file in `pass` passes.
pub fn open_with(path: &Path, spec: &InputSpec, pass: Pass) -> Result<Source, IngestError> {
    match kind_of(path)? {
        Kind::Csv => csv_source::open(path, spec.encoding.as_deref(), spec.header_row, pass),
        Kind::Sheet => xlsx_source::open(path, spec.sheet.as_deref(), spec.header_row),
        Kind::Parquet => parquet_source::open(path),
    }
}

/// The header cells of a source file (trimmed, BOM removed), reading as little of the
/// file as its format allows: the first lines of a CSV, the first rows of an XLSX sheet,
/// the footer of a Parquet file. The cells are those [`open`] gives, for checking
/// column mappings before any row is read.
pub fn read_headers(path: &Path, spec: &InputSpec) -> Result<Vec<String>, IngestError> {
    match kind_of(path)? {
        Kind::Csv => csv_source::read_headers(path, spec.encoding.as_deref(), spec.header_row),
        Kind::Sheet => xlsx_source::read_headers(path, spec.sheet.as_deref(), spec.header_row),
        Kind::Parquet => parquet_source::read_headers(path),
    }
}

/// Read a file fully, mapping errors to [`IngestError`] with the path.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    std::fs::read(path).map_err(|source| io_error(path, source))
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> IngestError {
    match source.kind() {
        std::io::ErrorKind::NotFound => IngestError::NotFound { path: path.to_path_buf() },
        _ => IngestError::Io { path: path.to_path_buf(), source },
    }
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
    // A cell starting with a printable ASCII byte (nearly every first cell) is not blank:
    // no Unicode white-space scan for it.
    cells.into_iter().all(|c| match c.as_bytes().first() {
        Some(b) if *b > b' ' && *b < 0x80 => false,
        _ => c.trim().is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_cells_and_reuse_their_buffers() {
        let mut r = Row::new();
        r.push_field("a");
        r.push_field("");
        r.push_field("中文");
        assert_eq!(r.iter().collect::<Vec<_>>(), ["a", "", "中文"]);
        assert_eq!((r.len(), r.get(2), r.get(3)), (3, Some("中文"), None));
        r.fill(b"xyz", &[1, 3]).unwrap();
        assert_eq!(r.iter().collect::<Vec<_>>(), ["x", "yz"]);
        // A record with its delimiters, then a cell pushed after them.
        r.fill_delimited(b"x,,yz", &[1, 2, 5]).unwrap();
        assert_eq!(r.iter().collect::<Vec<_>>(), ["x", "", "yz"]);
        r.push_field("w");
        assert_eq!((r.iter().collect::<Vec<_>>(), r.get(3)), (vec!["x", "", "yz", "w"], Some("w")));
        let mut same = Row::new();
        ["x", "", "yz", "w"].into_iter().for_each(|c| same.push_field(c));
        assert_eq!(r, same);
        assert!(r.fill(b"\xff", &[1]).is_err());
        r.clear();
        assert!(r.is_empty() && r.get(0).is_none());
    }
}
