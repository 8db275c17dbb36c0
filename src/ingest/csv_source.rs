//! CSV sources: decode (see `encoding`), then parse with the `csv` crate, streaming
//! records with their source line numbers.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::{clean_header, decode_text, is_blank, read_bytes, sha256_hex, Row, RowReader, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path, encoding: Option<&str>) -> Result<Source, IngestError> {
    let bytes = read_bytes(path)?;
    let sha256 = sha256_hex(&bytes);
    let (text, enc) = decode_text(path, bytes, encoding)?;
    let delimiter = sniff_delimiter(&text);
    // The csv crate skips empty lines but reports a record that follows them at the
    // empty line's number; remember the empty lines to report the record's own line.
    let empty_lines: std::collections::HashSet<usize> = text
        .split('\n')
        .enumerate()
        .filter(|(_, l)| l.trim_end_matches('\r').is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Cursor::new(text.into_bytes()));
    let mut header = Row::new();
    // The header is the first non-blank record; its line number is not needed.
    let headers = loop {
        match reader.read_record(&mut header) {
            Err(e) => return Err(csv_error(path, &e)),
            Ok(false) => {
                return Err(IngestError::Format { path: path.to_path_buf(), message: "empty file: no header row".into() })
            }
            Ok(true) if is_blank(&header) => {}
            Ok(true) => break header.iter().map(clean_header).collect::<Vec<_>>(),
        }
    };
    let rows = CsvRows { reader, path: path.to_path_buf(), empty_lines };
    Ok(Source { headers, rows: Box::new(rows), sha256, encoding: enc.to_ascii_lowercase() })
}

/// The data records of a decoded CSV text.
struct CsvRows {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    path: PathBuf,
    /// Line numbers of empty lines (see [`open`]).
    empty_lines: std::collections::HashSet<usize>,
}

impl RowReader for CsvRows {
    fn next_row(&mut self, row: &mut Row) -> Result<Option<usize>, IngestError> {
        // The text was decoded to UTF-8 already, and delimiters and quotes are ASCII, so
        // every field is valid UTF-8: reading straight into a string record is safe.
        loop {
            if !self.reader.read_record(row).map_err(|e| csv_error(&self.path, &e))? {
                return Ok(None);
            }
            if is_blank(&*row) {
                continue;
            }
            let mut line = row.position().map(|p| p.line() as usize).unwrap_or(0);
            while self.empty_lines.contains(&line) {
                line += 1;
            }
            return Ok(Some(line));
        }
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> IngestError {
    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
    IngestError::Csv { path: path.to_path_buf(), line, message: e.to_string() }
}

/// Comma unless the first line has more tabs or semicolons than commas.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}
