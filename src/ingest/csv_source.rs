//! CSV sources: decode (see `encoding`), then parse with `csv_core` one record at a time.
//!
//! The parser is driven here rather than through `csv::Reader` for three things that
//! reader does not give: a row keeps at most the header's number of fields (the rest are
//! counted while their bytes go to a small scratch buffer), the line on which a row
//! starts is counted from the bytes themselves (so `\r\n` and quoted line breaks give the
//! same numbers as `\n`), and a last row that the file cuts inside a quoted field is told
//! apart from a whole one.
//!
//! A UTF-8 file (the common case) is streamed: parsed from a buffer of [`BLOCK`] bytes
//! (plus the record being read), so memory does not grow with the file. Whether a file
//! may be streamed depends on all of it (UTF-8 throughout, no lone `\r` line break);
//! anything else (another encoding, a BOM other than UTF-8's, a forced encoding, lone
//! `\r` line breaks, a first line longer than a block) is decoded whole. Two ways to
//! decide, given by [`Pass`]:
//! - [`Pass::Two`]: a first pass reads the file in blocks to hash it and [`Check`] it,
//!   then the second parses it (or it is decoded whole);
//! - [`Pass::One`]: each block is hashed and checked as the parser takes it in. A file
//!   found not to be streamable in its first block is decoded whole at once; one found
//!   so later, when rows were already handed on, fails with [`IngestError::ReadAgain`]
//!   before the parser sees a byte of the offending block (or the end of the file), so
//!   no row with a byte that is not UTF-8 is ever handed on: the caller undoes what it
//!   did with the file's rows and opens it again with [`Pass::Two`].
//!
//! Both decide exactly what reading the whole file decides, with the same [`Check`].

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use sha2::{Digest, Sha256};

use super::{
    clean_header, decode_text, encoding, io_error, is_blank, read_bytes, sha256_hex, Pass, Row, RowInfo, RowReader,
    Shape, Source,
};
use crate::error::IngestError;

const QUOTE: u8 = b'"';

/// Open a CSV file. `header_row` is the 1-based line of the header (lines above it, a
/// title for instance, are skipped); `None`: the first non-blank line.
pub(super) fn open(
    path: &Path,
    encoding: Option<&str>,
    header_row: Option<usize>,
    pass: Pass,
) -> Result<Source, IngestError> {
    if encoding.is_none_or(|e| e.eq_ignore_ascii_case("auto")) {
        let streamed = match pass {
            Pass::Two => open_streamed(path, header_row, BLOCK)?,
            Pass::One => open_once(path, header_row, BLOCK)?,
        };
        if let Some(source) = streamed {
            return Ok(source);
        }
    }
    let bytes = read_bytes(path)?;
    let sha256 = sha256_hex(&bytes);
    let (text, enc) = decode_text(path, bytes, encoding)?;
    let mut rows = CsvRows::new(path, text, header_row);
    let headers = rows.read_header()?;
    Ok(Source { headers, rows: Box::new(rows), sha256: Some(sha256), encoding: enc.to_ascii_lowercase() })
}

/// Bytes read from a file at a time.
const BLOCK: usize = 1 << 20;

/// The length of a UTF-8 BOM at the start of `bytes` (0 or 3).
fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    }
}

/// What the bytes of a file fed so far, block by block, say about it: its SHA-256,
/// whether they are UTF-8 and whether some `\r` is not followed by `\n`. Blocks may cut
/// a character or a `\r\n` anywhere: the result after [`Check::finish`] is that of the
/// whole file (`from_utf8` of all of it, `\r` counted against `\r\n`), whatever the cuts.
/// A UTF-8 BOM is itself UTF-8 (U+FEFF), so it needs no special case.
pub(super) struct Check {
    hasher: Sha256,
    /// The bytes of a character cut by the end of the last block, waiting for the rest.
    cut: [u8; 4],
    cut_len: usize,
    utf8: bool,
    /// The last byte fed was `\r`: lone unless the next block starts with `\n`.
    cr_last: bool,
    lone_cr: bool,
}

impl Check {
    pub(super) fn new() -> Self {
        Check { hasher: Sha256::new(), cut: [0; 4], cut_len: 0, utf8: true, cr_last: false, lone_cr: false }
    }

    /// Whether the file may still be streamed: UTF-8 and no lone `\r` so far.
    pub(super) fn streamable(&self) -> bool {
        self.utf8 && !self.lone_cr
    }

    /// Take in the next bytes of the file.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        let Some(&last) = bytes.last() else { return };
        if self.utf8 {
            self.utf8 = self.feed_utf8(bytes);
        }
        // A `\r\n` may be cut by the end of a block.
        if std::mem::take(&mut self.cr_last) && bytes[0] != b'\n' {
            self.lone_cr = true;
        }
        if !self.lone_cr {
            // One vectorised search for `\r` (most files have none) instead of counting
            // them against `\r\n`; a last `\r` is decided by the next block.
            self.lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1).is_some_and(|b| *b != b'\n'));
        }
        self.cr_last = last == b'\r';
    }

    /// The UTF-8 part of [`Check::feed`]: false at an invalid byte sequence.
    fn feed_utf8(&mut self, mut bytes: &[u8]) -> bool {
        if self.cut_len > 0 {
            // The cut character: its lead byte says how long it is (a lead byte that
            // starts no character was refused when it was cut).
            let want = match self.cut[0] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let take = (want - self.cut_len).min(bytes.len());
            self.cut[self.cut_len..self.cut_len + take].copy_from_slice(&bytes[..take]);
            self.cut_len += take;
            bytes = &bytes[take..];
            if self.cut_len < want {
                // Still cut (a block of one byte): valid so far if a prefix of a character.
                return matches!(std::str::from_utf8(&self.cut[..self.cut_len]), Err(e) if e.error_len().is_none());
            }
            if std::str::from_utf8(&self.cut[..want]).is_err() {
                return false;
            }
            self.cut_len = 0;
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => true,
            // A character cut by the end of the block: checked with the next one.
            Err(e) if e.error_len().is_none() => {
                let rest = &bytes[e.valid_up_to()..];
                self.cut[..rest.len()].copy_from_slice(rest);
                self.cut_len = rest.len();
                true
            }
            Err(_) => false,
        }
    }

    /// At the end of the file: a character still cut is not UTF-8, a last `\r` is lone.
    pub(super) fn finish(&mut self) {
        if self.cut_len > 0 {
            self.utf8 = false;
        }
        if std::mem::take(&mut self.cr_last) {
            self.lone_cr = true;
        }
    }

    /// The SHA-256 of every byte fed, hex.
    fn sha256(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// Open a UTF-8 CSV file to be parsed as it is read, after a first pass over the whole
/// of it (see the module doc); `None` when it must be decoded whole instead.
/// `block`: bytes read at a time.
fn open_streamed(path: &Path, header_row: Option<usize>, block: usize) -> Result<Option<Source>, IngestError> {
    let mut check = scan(path, block)?;
    check.finish();
    if !check.streamable() {
        return Ok(None);
    }
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let Some(mut rows) = first_block(path, file, header_row, block, None)? else { return Ok(None) };
    let headers = rows.read_header()?;
    Ok(Some(Source { headers, rows: Box::new(rows), sha256: Some(check.sha256()), encoding: "utf-8".into() }))
}

/// Open a CSV file to be parsed, hashed and checked in one pass (see the module doc);
/// `None` when its first block shows that it must be decoded whole.
fn open_once(path: &Path, header_row: Option<usize>, block: usize) -> Result<Option<Source>, IngestError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let Some(mut rows) = first_block(path, file, header_row, block, Some(Check::new()))? else { return Ok(None) };
    // A header found beyond the first block: its read may find the file not streamable,
    // before any row is handed on.
    let headers = match rows.read_header() {
        Err(IngestError::ReadAgain { .. }) => return Ok(None),
        other => other?,
    };
    // A file read whole in its first block is hashed already.
    let sha256 = rows.digest.take();
    Ok(Some(Source { headers, rows: Box::new(rows), sha256, encoding: "utf-8".into() }))
}

/// The records of a streamed file, its first block read and checked (by `check` when
/// given: it then checks every block the parser reads). `None` when the file must be
/// decoded whole: its first block is not streamable, or the first line (or the
/// configured header line), from which the delimiter is sniffed, does not end in it.
fn first_block(
    path: &Path,
    mut file: File,
    header_row: Option<usize>,
    block: usize,
    mut check: Option<Check>,
) -> Result<Option<CsvRows>, IngestError> {
    let mut text = Vec::with_capacity(block + 3);
    (&mut file).take(block as u64).read_to_end(&mut text).map_err(|e| io_error(path, e))?;
    // A block of text after the BOM, as if the BOM were not there.
    let bom = bom_len(&text);
    if bom > 0 {
        (&mut file).take(bom as u64).read_to_end(&mut text).map_err(|e| io_error(path, e))?;
    }
    let at_eof = text.len() - bom < block;
    let mut digest = None;
    if let Some(c) = check.as_mut() {
        c.feed(&text);
        if at_eof {
            c.finish();
        }
        if !c.streamable() {
            return Ok(None);
        }
    }
    if at_eof {
        digest = check.take().map(Check::sha256);
    }
    text.drain(..bom);
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
    rows.digest = digest;
    if !at_eof {
        rows.file = Some(file);
        rows.eof = false;
        rows.block = block;
        rows.check = check;
    }
    Ok(Some(rows))
}

/// Hash a file and check it (UTF-8, line endings), reading it in blocks. The check is
/// not finished ([`Check::finish`]).
fn scan(path: &Path, block: usize) -> Result<Check, IngestError> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut check = Check::new();
    let mut buf = Vec::with_capacity(block);
    loop {
        buf.clear();
        let n = (&mut file).take(block as u64).read_to_end(&mut buf).map_err(|e| io_error(path, e))?;
        if n == 0 {
            return Ok(check);
        }
        check.feed(&buf);
    }
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
    /// Read once ([`Pass::One`]): the check of the blocks read so far, and the file's
    /// SHA-256 once its end has been read.
    check: Option<Check>,
    digest: Option<String>,
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
    /// Records without quotes are cut by [`plain_record`] (off only to test it against
    /// the parser).
    plain: bool,
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
    /// Cut by [`plain_record`]: the fields are `text[start..start + kept_len]` with the
    /// delimiters at `ends`, not in `out`.
    delimited: bool,
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
            check: None,
            digest: None,
            keep_from: 0,
            out: vec![0; 4096],
            ends: vec![0; 64],
            scratch: vec![0; 4096],
            scratch_ends: vec![0; 256],
            path: path.to_path_buf(),
            header_row,
            plain: true,
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
        let old = self.text.len();
        let n = file.take(self.block as u64).read_to_end(&mut self.text).map_err(|e| io_error(&self.path, e))?;
        if n == 0 {
            self.eof = true;
            self.file = None;
        }
        if let Some(check) = self.check.as_mut() {
            check.feed(&self.text[old..]);
            if n == 0 {
                check.finish();
            }
            // Before the parser sees a byte of this block (or the end of the file).
            if !check.streamable() {
                return Err(IngestError::ReadAgain { path: self.path.clone() });
            }
            if n == 0 {
                self.digest = self.check.take().map(Check::sha256);
            }
        }
        Ok(n > 0)
    }

    /// The SHA-256 of a file read once, when its end has been read; what is left of it
    /// is read (not parsed) first. [`IngestError::ReadAgain`] if it turns out not to be
    /// streamable.
    fn read_digest(&mut self) -> Result<Option<String>, IngestError> {
        loop {
            // Nothing more is parsed: the bytes read need not be kept.
            (self.keep_from, self.pos, self.counted) = (self.text.len(), self.text.len(), self.text.len());
            if self.check.is_none() || !self.read_more()? {
                break;
            }
        }
        Ok(self.digest.take())
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
        let lf = self.text[self.pos..start].iter().filter(|b| **b == b'\n').count();
        if self.lone_cr {
            self.line += count_lines(&self.text[self.counted..start]);
            self.counted = start;
        } else {
            self.line = self.parser.line() as usize + lf;
        }
        // Once the header is read, a record without quotes whose end is in the buffer is
        // cut here (see `plain_record`); the parser reads the others.
        if self.plain && self.keep != usize::MAX {
            let keep = self.keep;
            if let Some((len, fields)) = plain_record(&self.text[start..], self.delimiter, &mut self.ends[..keep]) {
                // The parser does not see these bytes (the record, its end and the line
                // breaks before it): its line count takes their `\n`s.
                let lf = lf + usize::from(self.text[start + len] == b'\n');
                self.parser.set_line(self.parser.line() + lf as u64);
                self.pos = start + len + 1;
                return Ok(Some(Record {
                    start,
                    line: self.line,
                    fields,
                    kept: fields,
                    kept_len: len,
                    extra_text: false,
                    delimited: true,
                }));
            }
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
        Ok(Some(Record { start, line: self.line, fields, kept: take, kept_len, extra_text, delimited: false }))
    }

    /// Copy a record's kept fields into `row`.
    fn fill(&self, row: &mut Row, rec: &Record) -> Result<(), IngestError> {
        // The text is UTF-8 and the parser cuts only at ASCII bytes, so this cannot fail;
        // it is still an error, not a panic, if it does.
        let filled = match rec.delimited {
            true => row.fill_delimited(&self.text[rec.start..rec.start + rec.kept_len], &self.ends[..rec.kept]),
            false => row.fill(&self.out[..rec.kept_len], &self.ends[..rec.kept]),
        };
        filled.map_err(|_| IngestError::Csv {
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
    fn sha256(&mut self) -> Result<Option<String>, IngestError> {
        self.read_digest()
    }

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

/// The record at the start of `input` as `csv_core` (with `\r`, `\n` or `\r\n` line
/// ends and `"` quotes) reads it when it has no quote: its bytes up to the first `\r` or
/// `\n` (which ends it, and is read with it), cut at each delimiter. Returns the
/// record's length and its number of fields, with the delimiters' positions and then the
/// length in `ends`. `None`, left to the parser, when the record has a quote anywhere,
/// its end is not in `input` or it has more fields than `ends` holds.
///
/// Most records have no quote: they are scanned eight bytes at a time for line ends,
/// quotes and delimiters, instead of byte by byte through the parser's state machine.
fn plain_record(input: &[u8], delimiter: u8, ends: &mut [usize]) -> Option<(usize, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` that is zero, and no other bit (no carry crosses
    // a byte: each byte's low seven bits plus 0x7F stay below 0x100).
    let zeros = |w: u64| !(((w & !HIGH) + !HIGH) | w) & HIGH;
    let [delimiters, newlines, returns, quotes] = [delimiter, b'\n', b'\r', QUOTE].map(|b| ONES * u64::from(b));
    let mut fields = 0;
    let mut at = 0;
    let mut words = input.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
        let stops = zeros(w ^ newlines) | zeros(w ^ returns);
        // The bits of the bytes before the first line end (all when there is none).
        let before = (stops & stops.wrapping_neg()).wrapping_sub(1);
        if zeros(w ^ quotes) & before != 0 {
            return None;
        }
        let mut cuts = zeros(w ^ delimiters) & before;
        while cuts != 0 {
            *ends.get_mut(fields)? = at + cuts.trailing_zeros() as usize / 8;
            fields += 1;
            cuts &= cuts - 1;
        }
        if stops != 0 {
            let len = at + stops.trailing_zeros() as usize / 8;
            *ends.get_mut(fields)? = len;
            return Some((len, fields + 1));
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        match b {
            b'\n' | b'\r' => {
                *ends.get_mut(fields)? = at + i;
                return Some((at + i, fields + 1));
            }
            QUOTE => return None,
            _ if b == delimiter => {
                *ends.get_mut(fields)? = at + i;
                fields += 1;
            }
            _ => {}
        }
    }
    None
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
            for once in [false, true] {
                let mut streamed = 0;
                for block in 1..=text.len() + 1 {
                    let src = match once {
                        false => open_streamed(&p, header_row, block).unwrap(),
                        true => open_once(&p, header_row, block).unwrap(),
                    };
                    let Some(mut src) = src else { continue };
                    streamed += 1;
                    assert_eq!((&src.headers, src.encoding.as_str()), (&want_headers, "utf-8"));
                    let mut got = Vec::new();
                    while let Some(info) = src.next_row(&mut row).unwrap() {
                        got.push((info.line, info.shape, row.iter().map(String::from).collect::<Vec<_>>()));
                    }
                    assert_eq!(got, want, "text {k}, block {block}, once {once}");
                    assert_eq!(src.sha256().unwrap(), sha, "text {k}, block {block}, once {once}");
                }
                // Blocks shorter than the header line fall back to the whole text.
                assert!(streamed > 0 && streamed < text.len() + 1, "text {k}: {streamed}");
            }
        }
        // Not UTF-8 (a cut character at the end), or lone `\r`: not streamed.
        std::fs::write(&p, b"a,b\n1,\xe4\xb8").unwrap();
        assert!(open_streamed(&p, None, 2).unwrap().is_none());
        std::fs::write(&p, "a,b\r1,2\r\n").unwrap();
        assert!(open_streamed(&p, None, 4).unwrap().is_none());
    }

    /// All the rows of `src`, or the error that ended them; then its hash.
    fn drain(src: &mut Source) -> (Vec<Read>, Result<String, IngestError>) {
        let (mut row, mut got) = (Row::new(), Vec::new());
        loop {
            match src.next_row(&mut row) {
                Ok(Some(info)) => got.push((info.line, info.shape, row.iter().map(String::from).collect())),
                Ok(None) => return (got, src.sha256()),
                Err(e) => return (got, Err(e)),
            }
        }
    }

    /// Read once, a file that is not streamable in its first block is decoded whole at
    /// once, as in two passes; one found so later fails with `ReadAgain` before any row
    /// of the offending bytes is handed on, and a file read whole as asked gives what
    /// two passes give.
    #[test]
    fn files_read_once_that_are_not_utf8_ask_to_be_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.csv");
        let rows_of = |n: usize| (0..n).map(|i| format!("C{i:05},x{i}\n")).collect::<String>();
        let (gbk, _, _) = encoding_rs::GBK.encode("C99999,张伟\n");
        let late_cr = "C99999,y\r".as_bytes().to_vec();
        // Each: the file, and the rows read before the signal (block of 64 bytes).
        for (name, tail, ascii_rows) in
            [("gbk", gbk.to_vec(), 40), ("cut", b"C9,\xe4\xb8".to_vec(), 40), ("cr", late_cr, 40)]
        {
            let mut bytes = format!("id,name\n{}", rows_of(ascii_rows)).into_bytes();
            bytes.extend_from_slice(&tail);
            std::fs::write(&p, &bytes).unwrap();
            let mut once = open_once(&p, None, 64).unwrap().expect("the first block is streamable");
            let (got, end) = drain(&mut once);
            assert!(matches!(end, Err(IngestError::ReadAgain { .. })), "{name}: {end:?}");
            // Rows were handed on, but none holding a byte that is not UTF-8 (a row that
            // a lone `\r` ends is whole before the end of the file says it is lone).
            let most = ascii_rows + usize::from(name == "cr");
            assert!(!got.is_empty() && got.len() <= most, "{name}: {}", got.len());
            assert!(got.iter().all(|r| r.2[0].starts_with("C0") || name == "cr"), "{name}");
            // What two passes give: for the GBK file, its text decoded whole.
            let mut twice = open(&p, None, None, Pass::Two).unwrap();
            let (want, sha) = drain(&mut twice);
            assert_eq!(sha.unwrap(), sha256_hex(&bytes));
            if name == "gbk" {
                assert_eq!((want.len(), twice.encoding.as_str()), (ascii_rows + 1, "gb18030"));
                assert_eq!(want[ascii_rows].2, ["C99999", "张伟"]);
            }
            // Found in the first block, the file is decoded whole at once.
            let mut first = open(&p, None, None, Pass::One).unwrap();
            let (whole, sha) = drain(&mut first);
            assert_eq!((whole, sha.unwrap(), &first.encoding), (want, sha256_hex(&bytes), &twice.encoding));
        }
        // A file that ends as it should is hashed as read, and its hash can be asked for
        // before its last row: the rest is read, not parsed.
        let text = format!("id,name\n{}", rows_of(100));
        std::fs::write(&p, &text).unwrap();
        let mut once = open_once(&p, None, 64).unwrap().unwrap();
        let mut row = Row::new();
        once.next_row(&mut row).unwrap();
        assert_eq!(once.sha256().unwrap(), sha256_hex(text.as_bytes()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// A check fed in blocks cut anywhere finds what the whole file gives.
        #[test]
        fn checks_in_blocks_find_what_the_whole_file_gives(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b'\r'), proptest::prelude::Just(b'\n'), proptest::prelude::Just(b'a'),
                    proptest::prelude::Just(0xE4u8), proptest::prelude::Just(0xB8u8), proptest::prelude::Just(0xADu8),
                    proptest::prelude::Just(0xF0u8), proptest::prelude::Just(0x9Fu8), proptest::prelude::Just(0xFFu8),
                    proptest::prelude::Just(0xC3u8), proptest::prelude::Just(0xA9u8), proptest::prelude::Just(0xEFu8),
                    proptest::prelude::Just(0xBBu8), proptest::prelude::Just(0xBFu8),
                ],
                0..40,
            ),
            cuts in proptest::collection::vec(0usize..40, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.push(0);
            cuts.push(bytes.len());
            cuts.sort_unstable();
            let mut check = Check::new();
            for w in cuts.windows(2) {
                check.feed(&bytes[w[0]..w[1]]);
            }
            check.finish();
            let whole = std::str::from_utf8(&bytes).is_ok() && !has_lone_cr(&bytes);
            proptest::prop_assert_eq!(check.streamable(), whole);
            proptest::prop_assert_eq!(check.sha256(), sha256_hex(&bytes));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// A record cut without the parser is the record the parser reads: bytes read,
        /// fields and their ends, whatever the state the last record left it in.
        #[test]
        fn plain_records_are_read_as_the_parser_reads_them(
            text in "[a,;\"\n\r \t中]{0,40}",
            delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
            before in proptest::sample::select(vec!["h\n", "h\r", "h\r\n", "\"h\"\r", "h,h\n"]),
            room in 1usize..6,
        ) {
            // The reader starts a record after its line breaks.
            let input = text.trim_start_matches(['\r', '\n']).as_bytes();
            let mut ends = vec![0; room];
            let Some((len, fields)) = plain_record(input, delimiter, &mut ends) else {
                // Left to the parser only for a quote, no line end or too many fields.
                let end = input.iter().position(|b| matches!(b, b'\r' | b'\n'));
                let fields = end.map(|e| input[..e].iter().filter(|b| **b == delimiter).count() + 1);
                proptest::prop_assert!(
                    end.is_none_or(|e| input[..e].contains(&QUOTE)) || fields.is_some_and(|f| f > room)
                );
                return Ok(());
            };
            let mut parser = ReaderBuilder::new().delimiter(delimiter).quote(QUOTE).build();
            let (mut o, mut e) = (vec![0; 64], vec![0; 64]);
            let (res, ..) = parser.read_record(before.as_bytes(), &mut o, &mut e);
            proptest::prop_assert_eq!(res, ReadRecordResult::Record);
            let line = parser.line();
            let (res, pin, pout, pend) = parser.read_record(input, &mut o, &mut e);
            proptest::prop_assert_eq!((res, pin, pend), (ReadRecordResult::Record, len + 1, fields));
            // The same fields: the parser's are written one after the other.
            let mut row = Row::new();
            row.fill_delimited(&input[..len], &ends[..fields]).unwrap();
            let mut parsed = Row::new();
            parsed.fill(&o[..pout], &e[..pend]).unwrap();
            proptest::prop_assert_eq!(row, parsed);
            proptest::prop_assert_eq!(parser.line() - line, u64::from(input[len] == b'\n'));
        }

        /// Rows read with records cut by `plain_record` are the rows the parser alone
        /// gives: header, lines, shapes and cells.
        #[test]
        fn rows_read_with_plain_records_are_the_parsers(text in "[a,;\"\n\r \t中]{0,120}") {
            let read = |plain: bool| {
                let mut r = CsvRows::new(Path::new("t.csv"), text.clone(), None);
                r.plain = plain;
                let headers = r.read_header().map_err(|e| e.to_string())?;
                let (mut row, mut rows) = (Row::new(), Vec::new());
                while let Some(info) = r.next_row(&mut row).map_err(|e| e.to_string())? {
                    rows.push((info.line, info.shape, row.iter().map(String::from).collect::<Vec<_>>()));
                }
                Ok::<_, String>((headers, rows))
            };
            proptest::prop_assert_eq!(read(true), read(false));
        }
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
            let alone = read_headers_from(&p, None, None, first).map_err(|e| e.to_string());
            for pass in [Pass::Two, Pass::One] {
                let whole = open(&p, None, None, pass).map(|s| s.headers).map_err(|e| e.to_string());
                proptest::prop_assert_eq!(&whole, &alone);
            }
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
