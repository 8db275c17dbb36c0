//! A first look at a file whose layout is not yet known, for `traineval init`, the
//! directory mode and the hints of configuration errors.
//!
//! In: a path (and, for a workbook, a sheet). Out: a [`Preview`] — the encoding and line
//! endings of a CSV, a workbook's sheet names, the first rows with their line (or sheet
//! row) numbers — and guesses made from it: which row is the header
//! ([`guess_header_row`]). Reading stops after the rows asked for (a CSV's first
//! 256 KiB at most; an XLSX sheet's first rows), so a look at a roster of 10⁶ cadres
//! costs what a look at ten rows does.
//!
//! Guarantees: nothing here decides how a file is *read* — the pipeline's options do
//! (`encoding`, `sheet`, `header_row`); a guess only proposes them, and the row numbers
//! it gives are the ones those options take.

use std::io::Read;
use std::path::Path;

use super::{decode_text, encoding, io_error, kind_of, xlsx_source, Kind};
use crate::error::IngestError;

/// How much of a CSV file a preview decodes at most.
const PREVIEW_BYTES: usize = 256 * 1024;

/// The first rows of a file or sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preview {
    /// `utf-8`, `gb18030`, … for CSV; `spreadsheet` or `parquet` otherwise.
    pub encoding: String,
    /// A CSV's line endings are `\r\n`.
    pub crlf: bool,
    /// Non-blank rows: (1-based line or sheet row, cells as text).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The names of a workbook's sheets (empty for other files).
pub fn sheet_names(path: &Path) -> Result<Vec<String>, IngestError> {
    match kind_of(path)? {
        Kind::Sheet => xlsx_source::sheet_names(path),
        _ => Ok(Vec::new()),
    }
}

/// The first `n` non-blank rows of a CSV file (in `encoding`, or detected) or of a
/// workbook's `sheet` (default: the first). Parquet files have only their header.
pub fn preview(path: &Path, sheet: Option<&str>, encoding: Option<&str>, n: usize) -> Result<Preview, IngestError> {
    match kind_of(path)? {
        Kind::Csv => preview_csv(path, encoding, n),
        Kind::Sheet => {
            let name = match sheet {
                Some(s) => s.to_string(),
                None => xlsx_source::sheet_names(path)?.into_iter().next().unwrap_or_default(),
            };
            Ok(Preview { encoding: "spreadsheet".into(), crlf: false, rows: xlsx_source::first_rows(path, &name, n)? })
        }
        Kind::Parquet => {
            let headers = super::parquet_source::read_headers(path)?;
            Ok(Preview { encoding: "parquet".into(), crlf: false, rows: vec![(1, headers)] })
        }
    }
}

fn preview_csv(path: &Path, forced: Option<&str>, n: usize) -> Result<Preview, IngestError> {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    file.take(PREVIEW_BYTES as u64).read_to_end(&mut bytes).map_err(|e| io_error(path, e))?;
    let at_eof = bytes.len() < PREVIEW_BYTES;
    let head = encoding::whole_lines(&bytes, forced, at_eof).to_vec();
    let crlf = head.windows(2).any(|w| w == b"\r\n");
    let (text, enc) = decode_text(path, head, forced)?;
    let delimiter = delimiter_of(&text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        // A preview ends at the first record it cannot parse; the read itself reports it.
        let Ok(rec) = rec else { break };
        // The line is counted from the record's first byte (the reader's own line count
        // lags behind blank lines).
        let bytes = text.as_bytes();
        let mut start = rec.position().map_or(0, |p| p.byte() as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let line = 1 + bytes[..start].iter().filter(|b| **b == b'\n').count();
        let cells: Vec<String> = rec.iter().map(|c| c.trim_start_matches('\u{feff}').trim().to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        rows.push((line, cells));
        if rows.len() == n {
            break;
        }
    }
    Ok(Preview { encoding: enc.to_ascii_lowercase(), crlf, rows })
}

/// The delimiter that splits the first lines into the most fields (comma on ties): a
/// title line above the header has none to count, so no one line can decide.
fn delimiter_of(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(10).collect();
    let most = |c: char| lines.iter().map(|l| l.matches(c).count()).max().unwrap_or(0);
    let (commas, tabs, semis) = (most(','), most('\t'), most(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// The row that holds the header: the first row with at least two cells, at least
/// half as many as the widest of the rows, and more text than numbers — so a title
/// (`2025年度干部花名册` alone in row 1) or a note above the header is passed over.
/// `None` when no row qualifies.
pub fn guess_header_row(rows: &[(usize, Vec<String>)]) -> Option<usize> {
    let filled = |cells: &Vec<String>| cells.iter().filter(|c| !c.trim().is_empty()).count();
    let widest = rows.iter().map(|(_, c)| filled(c)).max()?;
    rows.iter()
        .find(|(_, cells)| {
            let n = filled(cells);
            let numbers = cells.iter().filter(|c| c.trim().parse::<f64>().is_ok()).count();
            n >= 2 && n * 2 >= widest && numbers * 2 < n
        })
        .map(|(line, _)| *line)
}

/// The header cells at `line` of a preview (empty when the preview has no such row).
pub fn row_at(preview: &Preview, line: usize) -> Vec<String> {
    preview.rows.iter().find(|(l, _)| *l == line).map(|(_, c)| c.clone()).unwrap_or_default()
}

/// The rows of a preview below its header line.
pub fn rows_below(preview: &Preview, line: usize) -> impl Iterator<Item = &Vec<String>> + '_ {
    preview.rows.iter().filter(move |(l, _)| *l > line).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[(usize, &[&str])]) -> Vec<(usize, Vec<String>)> {
        r.iter().map(|(l, c)| (*l, c.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn a_title_row_is_passed_over() {
        let r = rows(&[
            (1, &["2025年度干部花名册"]),
            (2, &["序号", "干部编号", "姓名", "性别"]),
            (3, &["1", "C01", "张三", "男"]),
        ]);
        assert_eq!(guess_header_row(&r), Some(2));
        // A plain file: the first row.
        assert_eq!(guess_header_row(&r[1..]), Some(2));
        // Numbers only are data, not a header.
        assert_eq!(guess_header_row(&rows(&[(1, &["1", "2", "3"])])), None);
        assert_eq!(guess_header_row(&[]), None);
    }

    #[test]
    fn csv_previews_keep_lines_encoding_and_endings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        let (gbk, _, _) = encoding_rs::GBK.encode("2025年度干部花名册,,\r\n\r\n干部编号,姓名,性别\r\nC01,张三,男\r\n");
        std::fs::write(&p, &gbk).unwrap();
        let v = preview(&p, None, None, 10).unwrap();
        assert_eq!((v.encoding.as_str(), v.crlf), ("gb18030", true));
        assert_eq!(v.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(guess_header_row(&v.rows), Some(3));
        assert_eq!(row_at(&v, 3), ["干部编号", "姓名", "性别"]);
        assert_eq!(rows_below(&v, 3).count(), 1);
        // Semicolons below a title without any.
        std::fs::write(&p, "标题\na;b;c\n1;2;3\n").unwrap();
        assert_eq!(preview(&p, None, None, 10).unwrap().rows[1].1.len(), 3);
    }
}
