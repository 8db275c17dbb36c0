//! CSV sources: decode (see `encoding`), then parse with the `csv` crate, streaming
//! records with their source line numbers.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::{clean_header, decode_text, is_blank, read_bytes, sha256_hex, Source, SourceRow};
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
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Cursor::new(text.into_bytes()));
    let mut records = reader.into_byte_records();
    let headers = loop {
        match records.next() {
            None => {
                return Err(IngestError::Format { path: path.to_path_buf(), message: "empty file: no header row".into() })
            }
            Some(Err(e)) => return Err(csv_error(path, &e)),
            Some(Ok(rec)) => {
                let cells = to_cells(path, &rec)?;
                if !is_blank(&cells) {
                    break cells.iter().map(|h| clean_header(h)).collect::<Vec<_>>();
                }
            }
        }
    };
    let path_buf: PathBuf = path.to_path_buf();
    let rows = records.filter_map(move |r| -> Option<Result<SourceRow, IngestError>> {
        match r {
            Err(e) => Some(Err(csv_error(&path_buf, &e))),
            Ok(rec) => {
                let mut line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                while empty_lines.contains(&line) {
                    line += 1;
                }
                match to_cells(&path_buf, &rec) {
                    Err(e) => Some(Err(e)),
                    Ok(cells) if is_blank(&cells) => None,
                    Ok(cells) => Some(Ok((line, cells))),
                }
            }
        }
    });
    Ok(Source { headers, rows: Box::new(rows), sha256, encoding: enc.to_ascii_lowercase() })
}

fn to_cells(path: &Path, rec: &csv::ByteRecord) -> Result<Vec<String>, IngestError> {
    rec.iter()
        .map(|f| {
            // The whole text was decoded already, so fields are valid UTF-8.
            String::from_utf8(f.to_vec()).map_err(|_| IngestError::Encoding {
                path: path.to_path_buf(),
                message: format!("invalid UTF-8 on line {}", rec.position().map(|p| p.line()).unwrap_or(0)),
            })
        })
        .collect()
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
