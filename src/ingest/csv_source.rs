//! CSV sources: decode (see `encoding`), then parse with `csv_core` one record at a time.
//!
//! The parser is driven here rather than through `csv::Reader` for three things that
//! reader does not give: a row keeps at most the header's number of fields (the rest are
//! counted while their bytes go to a small scratch buffer), the line on which a row
//! starts is counted from the bytes themselves (so `\r\n` and quoted line breaks give the
//! same numbers as `\n`), and a last row that the file cuts inside a quoted field is told
//! apart from a whole one.
//!
//! A UTF-8 file (the common case) is streamed: a first pass reads it in blocks to hash
//! it, check that it is UTF-8 throughout and count its line endings; the second parses
//! it from a buffer of [`BLOCK`] bytes (plus the record being read), so memory does not
//! grow with the file. Both passes decide exactly what reading the whole file decides;
//! anything else (another encoding, a BOM other than UTF-8's, a forced encoding, lone
//! `\r` line breaks, a first line longer than a block) is decoded whole as before.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use super::{
    clean_header, decode_text, encoding, io_error, is_blank, read_bytes, sha256_hex, Row, RowInfo, RowReader, Shape,
    Source,
};
use crate::error::IngestError;

const QUOTE: u8 = b'"';

/// Open a CSV file. `header_row` is the 1-based line of the header (lines above it, a
/// title for instance, are skipped); `None`: the first non-blank line.
pub(super) fn open(path: &Path, encoding: Option<&str>, header_row: Option<usize>) -> Result<Source, IngestError> {
    if encoding.is_none_or(|e| e.eq_ignore_ascii_case("auto")) {
        if let Some(source) = open_streamed(path, header_row, BLOCK)? {
            return Ok(source);
        }
    }
    let bytes = read_bytes(path)?;
    let sha256 = sha256_hex(&bytes);
    let (text, enc) = decode_text(path, bytes, encoding)?;
    let mut rows = CsvRows::new(path, text, header_row);
    let headers = rows.read_header()?;
    Ok(Source { headers, rows: Box::new(rows), sha256, encoding: enc.to_ascii_lowercase() })
}

/// Bytes read from a file at a time.
const BLOCK: usize = 1 << 20;

/// What a first pass over a file found.
struct Scan {
    sha256: String,
    /// Valid UTF-8 from end to end (after a UTF-8 BOM, if any).
    utf8: bool,
    /// Length of the UTF-8 BOM it starts with (0 or 3).
    bom: usize,
    /// Some `\r` is not followed by `\n`.
    lone_cr: bool,
}

/// Open a UTF-8 CSV file to be parsed as it is read (see the module doc); `None` when
/// it must be decoded whole instead.
/// `block`: bytes read at a time.
fn open_streamed(path: &Path, header_row: Option<usize>, block: usize) -> Result<Option<Source>, IngestError> {
    let scan = scan(path, block)?;
    if !scan.utf8 || scan.lone_cr {
        return Ok(None);
    }
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut text = Vec::with_capacity(block + scan.bom);
    (&mut file).take((block + scan.bom) as u64).read_to_end(&mut text).map_err(|e| io_error(path, e))?;
    text.drain(..scan.bom.min(text.len()));
    let at_eof = text.len() < block;
    // The delimiter is sniffed from the line the whole text would give: the first line
    // (or the configured header line) must end within the first block.
    let lines = match at_eof {
        true => &text[..],
        false => &text[..text.iter().rposition(|b| matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1)],
    };
    let Ok(head) = std::str::from_utf8(lines) else { return Ok(None) };
    if !at_eof && count_lines(head.as_bytes()) < header_row.unwrap_or(1).max(1) {
        return Ok(None);
    }
    let delimiter = sniff_delimiter(head, header_row);
    let mut rows = CsvRows::with_delimiter(path, text, delimiter, false, header_row);
    if !at_eof {
        rows.file = Some(file);
        rows.eof = false;
        rows.block = block;
    }
    let headers = rows.read_header()?;
    Ok(Some(Source { headers, rows: Box::new(rows), sha256: scan.sha256, encoding: "utf-8".into() }))
}

/// Hash a file, check that it is UTF-8 and count its line endings, reading it in blocks.
fn scan(path: &Path, block: usize) -> Result<Scan, IngestError> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = Vec::with_capacity(block + 4);
    // Bytes of a character cut by the end of the previous block.
    let mut carry = 0usize;
    let (mut utf8, mut first, mut bom) = (true, true, 0usize);
    let (mut cr, mut crlf, mut last) = (0usize, 0usize, 0u8);
    loop {
        buf.drain(..buf.len() - carry);
        let n = (&mut file).take(block as u64).read_to_end(&mut buf).map_err(|e| io_error(path, e))?;
        let fresh = &buf[carry..];
        hasher.update(fresh);
        // A `\r\n` may be cut by the end of a block.
        if fresh.first() == Some(&b'\n') && last == b'\r' {
            crlf += 1;
        }
        let crs = fresh.iter().filter(|b| **b == b'\r').count();
        if crs > 0 {
            cr += crs;
            crlf += fresh.windows(2).filter(|w| *w == b"\r\n").count();
        }
        if let Some(&b) = fresh.last() {
            last = b;
        }
        // As `decode_text`: a UTF-8 BOM is dropped, the rest must be UTF-8.
        let from = if std::mem::take(&mut first) && buf.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        bom = bom.max(from);
        if utf8 {
            match std::str::from_utf8(&buf[from..]) {
                Ok(_) => carry = 0,
                // A character cut by the end of the block: checked with the next one.
                Err(e) if e.error_len().is_none() && n > 0 => carry = buf.len() - from - e.valid_up_to(),
                Err(_) => (utf8, carry) = (false, 0),
            }
        }
        if n == 0 {
            break;
        }
    }
    Ok(Scan { sha256: hex::encode(hasher.finalize()), utf8, bom, lone_cr: cr != crlf })
}

/// The header of a CSV file, read from its first lines only: a prefix of the file that
/// ends on a line break is decoded and parsed, and a longer one read while the header
/// record is not whole in it (a header cell may hold line breaks).
pub(super) fn read_headers(
    path: &Path,
    encoding: Option<&str>,
    header_row: Option<usize>,
) -> Result<Vec<String>, IngestError> {
    read_headers_from(path, encoding, header_row, 64 * 1024)
}

/// [`read_headers`], reading `first` bytes at first (4 times more each time after).
fn read_headers_from(
    path: &Path,
    encoding: Option<&str>,
    header_row: Option<usize>,
    first: usize,
) -> Result<Vec<String>, IngestError> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = Vec::new();
    let mut want = first.max(1);
    loop {
        let missing = want.saturating_sub(bytes.len()) as u64;
        (&mut file).take(missing).read_to_end(&mut bytes).map_err(|e| io_error(path, e))?;
        let at_eof = bytes.len() < want;
        let head = encoding::whole_lines(&bytes, encoding, at_eof);
        if !head.is_empty() {
            let header = decode_text(path, head.to_vec(), encoding)
                .and_then(|(text, _)| CsvRows::new(path, text, header_row).read_header());
            match header {
                Ok(h) => return Ok(h),
                Err(e) if at_eof => return Err(e),
                // Only blank lines so far, or a header cell whose closing quote is further on.
                Err(_) => {}
            }
        } else if at_eof {
            return Err(IngestError::Format { path: path.to_path_buf(), message: "empty file: no header row".into() });
        }
        want = want.saturating_mul(4);
    }
}

/// The records of a decoded CSV text.
struct CsvRows {
    parser: Reader,
    delimiter: u8,
    text: Vec<u8>,
    /// Next byte to parse.
    pos: usize,
    /// The line of the record being read. The parser counts the `\n` it reads; a text
    /// with lone `\r` line breaks (old Mac exports) is counted here instead, from byte
    /// `counted` on.
    line: usize,
    lone_cr: bool,
    counted: usize,
    /// Fields kept per row: the header's count (no limit while the header is read).
    keep: usize,
    /// The rest of a streamed file (`None`: `text` is the whole text), and whether its
    /// end has been read.
    file: Option<File>,
    eof: bool,
    /// Bytes read at a time from `file`.
    block: usize,
    /// The first byte of `text` that must stay when more is read: the start of the
    /// record being parsed (a cut last record is checked from its first byte).
    keep_from: usize,
    /// The kept fields of the record being read (written by the parser, so its length is
    /// its capacity) and their ends; `ends` holds one more than `keep`, so that a row of
    /// one field too many is still seen whole.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Where the fields beyond `keep` go: overwritten again and again, never grown.
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
    path: PathBuf,
    /// The configured line of the header, if any.
    header_row: Option<usize>,
}

/// One parsed record, its kept fields in `CsvRows::out`.
struct Record {
    /// First byte of the record (line breaks before it skipped) and its line.
    start: usize,
    line: usize,
    /// Fields in the record, and how many of them are kept.
    fields: usize,
    kept: usize,
    /// Bytes of the kept fields in `out`.
    kept_len: usize,
    /// A field beyond the kept ones has a non-blank byte.
    extra_text: bool,
}

impl CsvRows {
    fn new(path: &Path, text: String, header_row: Option<usize>) -> Self {
        let delimiter = sniff_delimiter(&text, header_row);
        let lone_cr = has_lone_cr(text.as_bytes());
        CsvRows::with_delimiter(path, text.into_bytes(), delimiter, lone_cr, header_row)
    }

    /// Records of `text` (the whole text until [`CsvRows::file`] is set).
    fn with_delimiter(path: &Path, text: Vec<u8>, delimiter: u8, lone_cr: bool, header_row: Option<usize>) -> Self {
        CsvRows {
            parser: ReaderBuilder::new().delimiter(delimiter).quote(QUOTE).build(),
            delimiter,
            text,
            pos: 0,
            line: 1,
            lone_cr,
            counted: 0,
            keep: usize::MAX,
            file: None,
            eof: true,
            block: BLOCK,
            keep_from: 0,
            out: vec![0; 4096],
            ends: vec![0; 64],
            scratch: vec![0; 4096],
            scratch_ends: vec![0; 256],
            path: path.to_path_buf(),
            header_row,
        }
    }

    /// The first non-blank record, which sets the number of fields kept per row.
    fn read_header(&mut self) -> Result<Vec<String>, IngestError> {
        let mut row = Row::new();
        loop {
            let Some(rec) = self.read_record()? else {
                let message = match self.header_row {
                    Some(h) => format!("header_row = {h}, but the file ends before line {h}"),
                    None => "empty file: no header row".into(),
                };
                return Err(IngestError::Format { path: self.path.clone(), message });
            };
            self.fill(&mut row, &rec)?;
            match self.header_row {
                // Lines above the configured header (a title, notes) are not read.
                Some(h) if rec.line < h => continue,
                Some(h) if rec.line > h => {
                    return Err(IngestError::Format {
                        path: self.path.clone(),
                        message: format!("header_row = {h}, but line {h} is blank"),
                    })
                }
                _ => {}
            }
            if let Some(last_line) = self.cut_at(&rec) {
                return Err(IngestError::Format {
                    path: self.path.clone(),
                    message: format!(
                        "the header row (line {}) ends inside a quoted field that runs to the end of the file \
                         (line {last_line}): the file is cut off or a quote is never closed",
                        rec.line
                    ),
                });
            }
            if rec.extra_text || !is_blank(row.iter()) {
                break;
            }
            if let Some(h) = self.header_row {
                return Err(IngestError::Format {
                    path: self.path.clone(),
                    message: format!("header_row = {h}, but line {h} is blank"),
                });
            }
        }
        self.keep = row.len();
        self.ends.resize(self.keep + 1, 0);
        Ok(row.iter().map(clean_header).collect())
    }

    /// Read the next block of a streamed file after the bytes from `keep_from` on (the
    /// ones before are dropped, and the offsets into `text` move with the rest).
    /// False at the end of the file.
    fn read_more(&mut self) -> Result<bool, IngestError> {
        let Some(file) = self.file.as_mut() else {
            self.eof = true;
            return Ok(false);
        };
        let drop = self.keep_from;
        self.text.drain(..drop);
        self.pos -= drop;
        self.counted = self.counted.saturating_sub(drop);
        self.keep_from = 0;
        let n = file.take(self.block as u64).read_to_end(&mut self.text).map_err(|e| io_error(&self.path, e))?;
        if n == 0 {
            self.eof = true;
            self.file = None;
        }
        Ok(n > 0)
    }

    /// Parse the next record (blank or not), keeping at most `keep` fields; `None` at the end.
    fn read_record(&mut self) -> Result<Option<Record>, IngestError> {
        // The `\n` of a `\r\n` and empty lines are left before a record: they are not in it.
        self.keep_from = self.pos;
        let skipped = loop {
            let skipped = self.text[self.pos..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            if self.pos + skipped < self.text.len() || !self.read_more()? {
                break skipped;
            }
        };
        let start = self.pos + skipped;
        self.keep_from = start;
        if self.lone_cr {
            self.line += count_lines(&self.text[self.counted..start]);
            self.counted = start;
        } else {
            let lf = self.text[self.pos..start].iter().filter(|b| **b == b'\n').count();
            self.line = self.parser.line() as usize + lf;
        }
        let (mut out_len, mut kept, mut fields, mut extra_text, mut discard) = (0, 0, 0, false, false);
        loop {
            // The parser is given an empty input only at the end of the text.
            if self.pos == self.text.len() && !self.eof {
                self.read_more()?;
                continue;
            }
            let input = &self.text[self.pos..];
            let (res, nin, nout, nend) = if discard {
                let r = self.parser.read_record(input, &mut self.scratch, &mut self.scratch_ends);
                extra_text |= !blank_bytes(&self.scratch[..r.2]);
                r
            } else {
                self.parser.read_record(input, &mut self.out[out_len..], &mut self.ends[kept..])
            };
            self.pos += nin;
            fields += nend;
            if !discard {
                out_len += nout;
                kept += nend;
            }
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull if discard => {}
                // The field being read is beyond the header's: from here on, count only.
                ReadRecordResult::OutputFull if kept >= self.keep => discard = true,
                ReadRecordResult::OutputEndsFull if kept > self.keep => discard = true,
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(None),
            }
        }
        let start = self.keep_from;
        let take = kept.min(self.keep);
        let kept_len = if take == 0 { 0 } else { self.ends[take - 1] };
        if kept > take || discard {
            extra_text |= !blank_bytes(&self.out[kept_len..out_len]);
        }
        Ok(Some(Record { start, line: self.line, fields, kept: take, kept_len, extra_text }))
    }

    /// Copy a record's kept fields into `row`.
    fn fill(&self, row: &mut Row, rec: &Record) -> Result<(), IngestError> {
        // The text is UTF-8 and the parser cuts only at ASCII bytes, so this cannot fail;
        // it is still an error, not a panic, if it does.
        row.fill(&self.out[..rec.kept_len], &self.ends[..rec.kept]).map_err(|_| IngestError::Csv {
            path: self.path.clone(),
            line: rec.line,
            message: "a field is not valid UTF-8 after parsing".into(),
        })
    }

    /// The last line of `rec` when the file ends inside one of its quoted fields.
    fn cut_at(&self, rec: &Record) -> Option<usize> {
        // Only a record that reaches the end of the text can be cut by it.
        if self.pos < self.text.len() || !self.eof {
            return None;
        }
        let raw = &self.text[rec.start..];
        ends_inside_quotes(raw, self.delimiter).then(|| {
            let body = raw.iter().rposition(|b| !matches!(b, b'\r' | b'\n')).map_or(&raw[..0], |i| &raw[..=i]);
            rec.line + count_lines(body)
        })
    }
}

impl RowReader for CsvRows {
    fn next_row(&mut self, row: &mut Row) -> Result<Option<RowInfo>, IngestError> {
        loop {
            let Some(rec) = self.read_record()? else { return Ok(None) };
            self.fill(row, &rec)?;
            // A cut row is reported even when nothing of it is left but its opening quote.
            if let Some(last_line) = self.cut_at(&rec) {
                return Ok(Some(RowInfo { line: rec.line, shape: Shape::Truncated { last_line } }));
            }
            if !rec.extra_text && is_blank(row.iter()) {
                continue;
            }
            let shape = if rec.fields == self.keep {
                Shape::Fits
            } else {
                Shape::Fields { fields: rec.fields, header: self.keep }
            };
            return Ok(Some(RowInfo { line: rec.line, shape }));
        }
    }
}

/// Line breaks in `bytes`: `\n`, `\r\n` or a lone `\r` (old Mac exports), each one.
/// Callers never cut a `\r\n` in two: their ranges start at a record's first byte.
fn count_lines(bytes: &[u8]) -> usize {
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let cr = bytes.iter().filter(|b| **b == b'\r').count();
    if cr == 0 {
        return lf;
    }
    lf + cr - count_crlf(bytes)
}

fn count_crlf(bytes: &[u8]) -> usize {
    bytes.iter().zip(bytes.iter().skip(1)).filter(|(a, b)| **a == b'\r' && **b == b'\n').count()
}

/// Whether some `\r` is not followed by `\n`.
fn has_lone_cr(bytes: &[u8]) -> bool {
    let cr = bytes.iter().filter(|b| **b == b'\r').count();
    cr > 0 && cr != count_crlf(bytes)
}

/// No byte other than ASCII white space (the fields beyond the header, for blank rows).
fn blank_bytes(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Whether a record that runs to the end of the text is still inside a quoted field
/// there, read as `csv_core` reads it: a quote opens a quoted field only as the field's
/// first byte, `""` inside is a quote, and a quote closes it.
fn ends_inside_quotes(raw: &[u8], delimiter: u8) -> bool {
    let (mut quoted, mut field_start) = (false, true);
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if quoted {
            if b == QUOTE {
                if raw.get(i + 1) == Some(&QUOTE) {
                    i += 2;
                    continue;
                }
                quoted = false;
            }
        } else if b == delimiter {
            field_start = true;
            i += 1;
            continue;
        } else if field_start && b == QUOTE {
            quoted = true;
        }
        field_start = false;
        i += 1;
    }
    quoted
}

/// Line `n` (0-based) of `text`, lines ending at `\r\n`, `\n` or a lone `\r`; "" past the end.
fn nth_line(text: &str, n: usize) -> &str {
    let b = text.as_bytes();
    let (mut start, mut line, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        if matches!(b[i], b'\n' | b'\r') {
            if line == n {
                return &text[start..i];
            }
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            start = i;
            line += 1;
        } else {
            i += 1;
        }
    }
    if line == n {
        &text[start..]
    } else {
        ""
    }
}

/// Comma unless the first line has more tabs or semicolons than commas. The line ends
/// at the first `\n` or `\r`, as a record does, so the first lines of a file alone
/// ([`read_headers`]) give the delimiter of the whole.
/// With a configured header line, that line decides (a title line above it has no
/// delimiters to count).
fn sniff_delimiter(text: &str, header_row: Option<usize>) -> u8 {
    let first = match header_row {
        Some(h) => nth_line(text, h.saturating_sub(1)),
        None => text.split(['\n', '\r']).next().unwrap_or(""),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A data row as read: line, shape, cells.
    type Read = (usize, Shape, Vec<String>);

    /// The header and every row of `text`.
    fn rows(text: &str) -> (Vec<String>, Vec<Read>) {
        let mut r = CsvRows::new(Path::new("t.csv"), text.to_string(), None);
        let headers = r.read_header().unwrap();
        let mut row = Row::new();
        let mut out = Vec::new();
        while let Some(info) = r.next_row(&mut row).unwrap() {
            out.push((info.line, info.shape, row.iter().map(String::from).collect()));
        }
        (headers, out)
    }

    fn lines(text: &str) -> Vec<usize> {
        rows(text).1.iter().map(|r| r.0).collect()
    }

    #[test]
    fn line_numbers_are_where_rows_start_whatever_the_endings() {
        let lf = "a,b\n1,2\n\n3,4\n\"x\ny\",5\n6,7\n";
        assert_eq!(lines(lf), [2, 4, 5, 7]);
        assert_eq!(lines(&lf.replace('\n', "\r\n")), [2, 4, 5, 7]);
        assert_eq!(lines(&lf.replace('\n', "\r")), [2, 4, 5, 7]);
        // Blank lines before the header, a BOM, white-space-only and comma-only lines.
        assert_eq!(lines("\r\n\u{feff}a,b\r\n , \r\n,\r\n1,2"), [5]);
        let (h, r) = rows("\n\na,b\n1,2\n");
        assert_eq!((h, r[0].0), (vec!["a".to_string(), "b".into()], 4));
    }

    #[test]
    fn field_counts_other_than_the_header_are_told() {
        let (_, r) = rows("a,b,c\n1,2,3\n1,2,\n1,2\n1,2,3,\n1,2,3,4,5\n,,,,\n");
        let shapes: Vec<Shape> = r.iter().map(|x| x.1).collect();
        assert_eq!(
            shapes,
            [
                Shape::Fits,
                Shape::Fits,
                Shape::Fields { fields: 2, header: 3 },
                Shape::Fields { fields: 4, header: 3 },
                Shape::Fields { fields: 5, header: 3 },
            ]
        );
        // Only the header's number of cells is kept.
        assert_eq!(r[4].2, ["1", "2", "3"]);
        assert_eq!(r[2].2, ["1", "2"]);
    }

    #[test]
    fn a_million_fields_are_counted_not_kept() {
        let mut text = String::from("a,b,c,d\nU1,x,y,z\nU2,x,y,z");
        text.push_str(&",w".repeat(1_000_000));
        text.push_str("\nU3,x,y,z\n");
        let mut r = CsvRows::new(Path::new("t.csv"), text, None);
        r.read_header().unwrap();
        let mut row = Row::new();
        let mut got = Vec::new();
        while let Some(info) = r.next_row(&mut row).unwrap() {
            got.push((info.line, info.shape, row.len()));
        }
        assert_eq!(
            got,
            [(2, Shape::Fits, 4), (3, Shape::Fields { fields: 1_000_004, header: 4 }, 4), (4, Shape::Fits, 4)]
        );
        // The buffers stayed at their first size: the extra fields went to the scratch.
        assert_eq!((r.out.len(), r.ends.len(), r.scratch.len(), r.scratch_ends.len()), (4096, 5, 4096, 256));
        // Empty extra fields are counted the same way, and a row of nothing but
        // delimiters is blank.
        let text = format!("a,b\n1,2{}\n{}\n3,4\n", ",".repeat(500_000), ",".repeat(500_000));
        let got: Vec<(usize, Shape)> = rows(&text).1.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(got, [(2, Shape::Fields { fields: 500_002, header: 2 }), (4, Shape::Fits)]);
    }

    #[test]
    fn a_file_cut_inside_a_quoted_field_marks_its_last_row() {
        let (_, r) = rows("a,b\n1,2\n3,\"cut");
        assert_eq!(r[1].0, 3);
        assert_eq!(r[1].1, Shape::Truncated { last_line: 3 });
        // Cut in a quoted field that already holds line breaks: the row starts on line 3.
        let (_, r) = rows("a,b\r\n1,2\r\n3,\"x\r\ny\r\n");
        assert_eq!((r.len(), r[1].0, r[1].1), (2, 3, Shape::Truncated { last_line: 4 }));
        // On the first data row, and with nothing after the opening quote.
        assert_eq!(rows("a,b\n\"").1, [(2, Shape::Truncated { last_line: 2 }, vec![String::new()])]);
        // Whole quoted fields at the end, with or without a final line break, are not cut;
        // nor is a quote inside an unquoted field.
        for whole in ["a,b\n1,\"2\"", "a,b\n1,\"2\"\"\"\n", "a,b\n1,x\"y", "a,b\n1,\"x\ny\"\r\n"] {
            assert!(rows(whole).1.iter().all(|r| r.1 == Shape::Fits), "{whole:?}");
        }
        assert!(ends_inside_quotes(b"1,\"2\"\"", b','));
        assert!(!ends_inside_quotes(b"1,\"2\"x\"", b','));
        // A header cut inside a quote is an error naming both lines.
        let mut r = CsvRows::new(Path::new("t.csv"), "\na,\"b\nc".into(), None);
        let e = r.read_header().unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("line 3"), "{e}");
    }

    /// A file streamed in blocks of any size reads as the whole text does: header,
    /// lines, shapes and cells, across quoted line breaks, `\r\n` cut between blocks,
    /// characters cut between blocks, blank lines, a BOM and a cut last row.
    #[test]
    fn streamed_files_read_as_whole_texts() {
        let texts = [
            "a,b,c\n1,2,3\n\n\"x\ny\",中文,z\r\n4,5\r\n,,\n6,7,8,9\n\"q\"\"r\",s,t",
            "\u{feff}编号;姓名\r\n\r\nC1;\"甲\r\n乙\"\r\nC2;丙\r\n",
            "h1,h2\n1,\"never closed\n2,3\n",
            "title\n\nx\ty\n1\t2\n",
        ];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.csv");
        for (k, text) in texts.iter().enumerate() {
            std::fs::write(&p, text).unwrap();
            let header_row = (k == 3).then_some(3);
            let mut whole = CsvRows::new(&p, text.trim_start_matches('\u{feff}').to_string(), header_row);
            let want_headers = whole.read_header().unwrap();
            let mut want = Vec::new();
            let mut row = Row::new();
            while let Some(info) = whole.next_row(&mut row).unwrap() {
                want.push((info.line, info.shape, row.iter().map(String::from).collect::<Vec<_>>()));
            }
            let sha = sha256_hex(text.as_bytes());
            let mut streamed = 0;
            for block in 1..=text.len() + 1 {
                let Some(mut src) = open_streamed(&p, header_row, block).unwrap() else { continue };
                streamed += 1;
                assert_eq!((&src.headers, &src.sha256, src.encoding.as_str()), (&want_headers, &sha, "utf-8"));
                let mut got = Vec::new();
                while let Some(info) = src.next_row(&mut row).unwrap() {
                    got.push((info.line, info.shape, row.iter().map(String::from).collect::<Vec<_>>()));
                }
                assert_eq!(got, want, "text {k}, block {block}");
            }
            // Blocks shorter than the header line fall back to the whole text.
            assert!(streamed > 0 && streamed < text.len() + 1, "text {k}: {streamed}");
        }
        // Not UTF-8 (a cut character at the end), or lone `\r`: not streamed.
        std::fs::write(&p, b"a,b\n1,\xe4\xb8").unwrap();
        assert!(open_streamed(&p, None, 2).unwrap().is_none());
        std::fs::write(&p, "a,b\r1,2\r\n").unwrap();
        assert!(open_streamed(&p, None, 4).unwrap().is_none());
    }

    #[test]
    fn a_configured_header_row_skips_the_lines_above() {
        let text = "2025年度干部花名册,,\r\n\r\n编号;姓名;类别\r\nC1;甲;x\r\n";
        let mut r = CsvRows::new(Path::new("t.csv"), text.to_string(), Some(3));
        // The delimiter is the header line's, not the title's.
        assert_eq!(r.read_header().unwrap(), ["编号", "姓名", "类别"]);
        let mut row = Row::new();
        let info = r.next_row(&mut row).unwrap().unwrap();
        assert_eq!((info.line, info.shape, row.iter().collect::<Vec<_>>()), (4, Shape::Fits, vec!["C1", "甲", "x"]));
        // A header row that is blank, or past the end, is an error naming the line.
        for h in [2, 9] {
            let e = CsvRows::new(Path::new("t.csv"), text.to_string(), Some(h)).read_header().unwrap_err().to_string();
            assert!(e.contains(&format!("header_row = {h}")), "{e}");
        }
        assert_eq!(nth_line("a\r\nb\rc\nd", 2), "c");
        assert_eq!(nth_line("a", 3), "");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The header read alone, from prefixes of any size, is the header `open` reads,
        /// or both fail.
        #[test]
        fn headers_alone_match_the_whole_file(text in "[a-z,;\"\n\r \t中]{0,200}", first in 1usize..64) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("h.csv");
            std::fs::write(&p, text.as_bytes()).unwrap();
            let whole = open(&p, None, None).map(|s| s.headers).map_err(|e| e.to_string());
            let alone = read_headers_from(&p, None, None, first).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(whole, alone);
        }
    }

    #[test]
    fn headers_alone_are_read_from_the_first_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.csv");
        // A header whose quoted cell spans lines, past the first block read.
        let long = "x".repeat(100_000);
        std::fs::write(&p, format!("\r\n\"{long}\ny\",b\r\n1,2\r\n")).unwrap();
        assert_eq!(read_headers(&p, None, None).unwrap(), [format!("{long}\ny"), "b".to_string()]);
        let (gbk, _, _) = encoding_rs::GBK.encode("干部编号,姓名\nC1,张伟\n");
        std::fs::write(&p, &gbk).unwrap();
        assert_eq!(read_headers(&p, None, None).unwrap(), ["干部编号", "姓名"]);
        let mut utf16 = vec![0xFF, 0xFE];
        "单位\t名称\r\nU1\tx\r\n".encode_utf16().for_each(|u| utf16.extend_from_slice(&u.to_le_bytes()));
        std::fs::write(&p, &utf16).unwrap();
        assert_eq!(read_headers(&p, None, None).unwrap(), ["单位", "名称"]);
        std::fs::write(&p, "\n\n").unwrap();
        assert!(read_headers(&p, None, None).unwrap_err().to_string().contains("empty"));
    }
}
