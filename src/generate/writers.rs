//! One row writer for every generated table: UTF-8 CSV, GBK CSV or XLSX.
//!
//! In: a path, a header and rows of [`Field`]s, one at a time. Out: the file, and on
//! [`InputWriter::finish`] a [`FileSummary`] with the data rows written and the bytes
//! on disk. Guarantees: rows stream to disk (CSV through a buffer, XLSX in
//! rust_xlsxwriter's constant-memory mode), so memory does not grow with the table;
//! every I/O error names the file; a character GBK cannot encode is an error, never a
//! silent `&#…;` replacement.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use encoding_rs::{Encoder, EncoderResult, GBK};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use serde::Serialize;

use super::GenerateError;

/// One cell of a row.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Empty,
    Str(&'a str),
    Int(i64),
    /// Written with Rust's shortest round-trip form (`52.5`, `60`).
    Num(f64),
}

/// What a writer produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    CsvGbk,
    Xlsx,
}

impl FileKind {
    fn label(self) -> &'static str {
        match self {
            FileKind::Csv => "csv",
            FileKind::CsvGbk => "csv-gbk",
            FileKind::Xlsx => "xlsx",
        }
    }
}

/// A written file: which table, where (relative to `--out`), how many data rows and bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub table: String,
    pub file: String,
    pub format: String,
    /// Data rows (header excluded).
    pub rows: u64,
    pub bytes: u64,
}

enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Xlsx(Box<Workbook>),
}

/// Streams one table to one file.
pub struct InputWriter {
    table: String,
    file: String,
    path: PathBuf,
    kind: FileKind,
    sink: Sink,
    /// Data rows written.
    rows: u64,
    /// Physical rows written (header included).
    lines: u64,
    scratch: String,
}

/// Largest number of data rows an XLSX sheet takes (1,048,576 rows less the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

impl InputWriter {
    /// Create `dir/file` for `table` and write its header.
    pub fn create(dir: &Path, file: &str, table: &str, kind: FileKind, header: &[&str]) -> Result<Self, GenerateError> {
        let path = dir.join(file);
        let sink = match kind {
            FileKind::Csv | FileKind::CsvGbk => {
                let f = File::create(&path).map_err(|source| GenerateError::Io { path: path.clone(), source })?;
                let buf = BufWriter::with_capacity(1 << 16, f);
                let w: Box<dyn Write> =
                    if kind == FileKind::CsvGbk { Box::new(GbkWriter::new(buf)) } else { Box::new(buf) };
                Sink::Csv(Box::new(csv::WriterBuilder::new().from_writer(w)))
            }
            FileKind::Xlsx => {
                let mut wb = Workbook::new();
                // A fixed document date: the same options give the same bytes (the
                // default is the current time).
                let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| xlsx_err(&path, e))?;
                wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
                wb.add_worksheet_with_constant_memory().map_err(|e| xlsx_err(&path, e))?;
                Sink::Xlsx(Box::new(wb))
            }
        };
        let mut w = InputWriter {
            table: table.to_string(),
            file: file.to_string(),
            path,
            kind,
            sink,
            rows: 0,
            lines: 0,
            scratch: String::new(),
        };
        let cells: Vec<Field> = header.iter().map(|h| Field::Str(h)).collect();
        w.put(&cells)?;
        Ok(w)
    }

    /// Write one data row.
    pub fn row(&mut self, cells: &[Field]) -> Result<(), GenerateError> {
        if self.kind == FileKind::Xlsx && self.rows >= XLSX_MAX_ROWS {
            return Err(GenerateError::TooManyRows { path: self.path.clone(), rows: self.rows + 1 });
        }
        self.put(cells)?;
        self.rows += 1;
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn put(&mut self, cells: &[Field]) -> Result<(), GenerateError> {
        self.lines += 1;
        match &mut self.sink {
            Sink::Csv(w) => {
                for c in cells {
                    let r = match *c {
                        Field::Empty => w.write_field(""),
                        Field::Str(s) => w.write_field(s),
                        Field::Int(i) => {
                            self.scratch.clear();
                            let _ = write!(self.scratch, "{i}");
                            w.write_field(&self.scratch)
                        }
                        Field::Num(x) => {
                            self.scratch.clear();
                            let _ = write!(self.scratch, "{x}");
                            w.write_field(&self.scratch)
                        }
                    };
                    r.map_err(|e| csv_err(&self.path, e))?;
                }
                w.write_record(None::<&[u8]>).map_err(|e| csv_err(&self.path, e))
            }
            Sink::Xlsx(wb) => {
                let row = u32::try_from(self.lines - 1).unwrap_or(u32::MAX);
                let ws = wb.worksheet_from_index(0).map_err(|e| xlsx_err(&self.path, e))?;
                for (col, c) in cells.iter().enumerate() {
                    let col = u16::try_from(col).unwrap_or(u16::MAX);
                    let r = match *c {
                        Field::Empty => Ok(&mut *ws),
                        Field::Str(s) => ws.write_string(row, col, s),
                        Field::Int(i) => ws.write_number(row, col, i as f64),
                        Field::Num(x) => ws.write_number(row, col, x),
                    };
                    r.map_err(|e| xlsx_err(&self.path, e))?;
                }
                Ok(())
            }
        }
    }

    /// Flush and close the file; report what was written.
    pub fn finish(self) -> Result<FileSummary, GenerateError> {
        let path = self.path;
        match self.sink {
            Sink::Csv(w) => {
                let mut inner =
                    w.into_inner().map_err(|e| GenerateError::Io { path: path.clone(), source: e.into_error() })?;
                inner.flush().map_err(|source| GenerateError::Io { path: path.clone(), source })?;
            }
            Sink::Xlsx(mut wb) => wb.save(&path).map_err(|e| xlsx_err(&path, e))?,
        }
        let bytes = std::fs::metadata(&path).map_err(|source| GenerateError::Io { path: path.clone(), source })?.len();
        Ok(FileSummary {
            table: self.table,
            file: self.file,
            format: self.kind.label().to_string(),
            rows: self.rows,
            bytes,
        })
    }
}

fn csv_err(path: &Path, e: csv::Error) -> GenerateError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    };
    GenerateError::Io { path: path.to_path_buf(), source }
}

fn xlsx_err(path: &Path, e: XlsxError) -> GenerateError {
    GenerateError::Xlsx { path: path.to_path_buf(), message: e.to_string() }
}

/// A `Write` adapter that takes UTF-8 bytes and writes GBK.
///
/// UTF-8 sequences split across `write` calls are carried over to the next call.
struct GbkWriter<W: Write> {
    inner: W,
    encoder: Encoder,
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> GbkWriter<W> {
    fn new(inner: W) -> Self {
        GbkWriter { inner, encoder: GBK.new_encoder(), pending: Vec::new(), out: vec![0; 1 << 14] }
    }

    fn encode(&mut self, text: &str) -> io::Result<()> {
        let mut src = text;
        loop {
            let (res, read, written) = self.encoder.encode_from_utf8_without_replacement(src, &mut self.out, false);
            self.inner.write_all(&self.out[..written])?;
            src = &src[read..];
            match res {
                EncoderResult::InputEmpty => return Ok(()),
                EncoderResult::OutputFull => continue,
                EncoderResult::Unmappable(c) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("character {c:?} (U+{:04X}) cannot be written in GBK", u32::from(c)),
                    ))
                }
            }
        }
    }
}

impl<W: Write> Write for GbkWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "invalid UTF-8 given to the GBK writer")),
        };
        let pending = std::mem::take(&mut self.pending);
        // The prefix is valid UTF-8 by construction.
        let text = std::str::from_utf8(&pending[..valid]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let r = self.encode(text);
        self.pending = pending[valid..].to_vec();
        r.map(|()| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "truncated UTF-8 at the end of a GBK file"));
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_writer_handles_split_sequences_and_platform_symbols() {
        let mut out = Vec::new();
        {
            let mut w = GbkWriter::new(&mut out);
            let text = "1、您所在的单位类型：乡村振兴┋基层治理→(跳过)—125秒";
            for chunk in text.as_bytes().chunks(3) {
                w.write_all(chunk).unwrap_or_else(|e| panic!("{e}"));
            }
            w.flush().unwrap_or_else(|e| panic!("{e}"));
        }
        let (back, _, bad) = GBK.decode(&out);
        assert!(!bad);
        assert_eq!(back, "1、您所在的单位类型：乡村振兴┋基层治理→(跳过)—125秒");
    }

    #[test]
    fn gbk_writer_rejects_unmappable() {
        let mut out = Vec::new();
        let mut w = GbkWriter::new(&mut out);
        assert!(w.write_all("emoji 😀".as_bytes()).is_err());
    }
}
