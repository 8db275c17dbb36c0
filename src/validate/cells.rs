//! Typed parsing of one text cell, and the per-row collector of the first failure.

use chrono::{NaiveDate, NaiveDateTime};

use super::Reason;
use crate::ingest::{RowInfo, Shape};

/// A typed, accepted cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    /// A string from a fixed vocabulary (wave, indicator and dimension names).
    Sym(&'static str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i32),
    /// Milliseconds since 1970-01-01T00:00:00 (naive local time).
    Datetime(i64),
}

/// A typed cell as it is handed to a sink: a [`Value`] whose text is borrowed (from the
/// source row, the registry or the vocabulary), so that writing a cell copies no text
/// into a `String` of its own first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellRef<'a> {
    Null,
    Str(&'a str),
    /// A string from a fixed vocabulary (see [`Value::Sym`]).
    Sym(&'static str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i32),
    Datetime(i64),
}

impl Value {
    /// The cell borrowing this value's text.
    pub fn cell(&self) -> CellRef<'_> {
        match self {
            Value::Null => CellRef::Null,
            Value::Str(s) => CellRef::Str(s),
            Value::Sym(s) => CellRef::Sym(s),
            Value::Int(x) => CellRef::Int(*x),
            Value::Float(x) => CellRef::Float(*x),
            Value::Bool(x) => CellRef::Bool(*x),
            Value::Date(x) => CellRef::Date(*x),
            Value::Datetime(x) => CellRef::Datetime(*x),
        }
    }
}

/// Days since the Unix epoch of a calendar date.
pub fn days_since_epoch(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (d - epoch).num_days() as i32
}

/// Parse a number. Blank → `Ok(None)`. Surrounding spaces are allowed; NaN and
/// infinities are not numbers here.
pub fn parse_f64(cell: &str) -> Result<Option<f64>, Reason> {
    let t = trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(x) = short_decimal(t.as_bytes()) {
        return Ok(Some(x));
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(Reason::BadNumber),
    }
}

/// `s` without surrounding white space, as [`str::trim`] gives it. A cell that starts
/// and ends with a printable ASCII byte (nearly every cell) has none, and is returned
/// without [`str::trim`]'s scan for Unicode white space.
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let printable = |c: u8| c > b' ' && c < 0x80;
    match (b.first(), b.last()) {
        (None, _) => s,
        (Some(&x), Some(&y)) if printable(x) && printable(y) => s,
        _ => s.trim(),
    }
}

/// A number of at most 15 digits with an optional sign and decimal point (`18`, `-3`,
/// `97.5`), converted exactly as [`str::parse`] converts it; `None` for any other text,
/// which is left to [`str::parse`]. The digits make an integer below 2⁵³ and the point
/// a division by a power of ten up to 10¹⁵, both exact in `f64`, so the one rounding of
/// the division is the correctly rounded value `str::parse` returns (Clinger's fast
/// path): the same bits, without the general parser's work on every score cell.
fn short_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let (mut mantissa, mut count, mut point) = (0u64, 0usize, None);
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (c - b'0') as u64;
                count += 1;
            }
            b'.' if point.is_none() && i > 0 && i + 1 < digits.len() => point = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    if count > 15 {
        return None;
    }
    let x = mantissa as f64 / POW10[point.unwrap_or(0)];
    Some(if negative { -x } else { x })
}

/// Parse a whole number (`3` or `3.0`).
pub fn parse_i64(cell: &str) -> Result<Option<i64>, Reason> {
    match parse_f64(cell)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
        Some(_) => Err(Reason::BadNumber),
    }
}

/// Booleans: `true/false`, `1/0`, `是/否`, `Y/N`, `yes/no` (any case).
pub fn parse_bool(cell: &str) -> Result<Option<bool>, Reason> {
    let t = trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    match t.to_ascii_lowercase().as_str() {
        "true" | "1" | "y" | "yes" | "t" | "是" => Ok(Some(true)),
        "false" | "0" | "n" | "no" | "f" | "否" => Ok(Some(false)),
        _ => Err(Reason::BadValue),
    }
}

/// A date in `fmt` (default `%Y-%m-%d`) that exists on the calendar.
pub fn parse_date(cell: &str, fmt: Option<&str>) -> Result<Option<i32>, Reason> {
    let t = trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    let d = match fmt {
        Some(f) => NaiveDate::parse_from_str(t, f).ok(),
        None => iso_date(t.as_bytes()),
    };
    d.map(|d| Some(days_since_epoch(d))).ok_or(Reason::BadDate)
}

/// Strictly `YYYY-MM-DD` (four-digit year, two-digit month and day) on the calendar.
/// Hand-parsed: this runs once per survey row and review at 10⁷ rows.
fn iso_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// `HH:MM` or `HH:MM:SS` as seconds of the day.
fn iso_time(b: &[u8]) -> Option<u32> {
    let two = |i: usize| -> Option<u32> {
        let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit()).then(|| ((x - b'0') * 10 + (y - b'0')) as u32)
    };
    let (h, m) = (two(0)?, two(3)?);
    if b.get(2) != Some(&b':') || h > 23 || m > 59 {
        return None;
    }
    let s = match b.len() {
        5 => 0,
        8 if b[5] == b':' => two(6).filter(|s| *s <= 59)?,
        _ => return None,
    };
    Some(h * 3600 + m * 60 + s)
}

/// `YYYY-MM-DD HH:MM[:SS]` with a space or `T`, or `fmt` when given.
pub fn parse_datetime(cell: &str, fmt: Option<&str>) -> Result<Option<i64>, Reason> {
    let t = trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    let parsed = match fmt {
        Some(f) => NaiveDateTime::parse_from_str(t, f).ok(),
        None => {
            let b = t.as_bytes();
            if b.len() < 16 || !(b[10] == b' ' || b[10] == b'T') {
                return Err(Reason::BadDate);
            }
            let d = iso_date(&b[..10]).ok_or(Reason::BadDate)?;
            let secs = iso_time(&b[11..]).ok_or(Reason::BadDate)?;
            return Ok(Some(days_since_epoch(d) as i64 * 86_400_000 + secs as i64 * 1000));
        }
    };
    parsed.map(|d| Some(d.and_utc().timestamp_millis())).ok_or(Reason::BadDate)
}

/// Gender: `male/female`, `男/女`, `M/F`.
pub fn parse_gender(cell: &str) -> Result<Option<String>, Reason> {
    let t = trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    match t.to_ascii_lowercase().as_str() {
        "male" | "m" | "男" => Ok(Some("male".into())),
        "female" | "f" | "女" => Ok(Some("female".into())),
        _ => Err(Reason::BadValue),
    }
}

/// A first failure of a row, kept while the row's cells are checked.
#[derive(Debug, Clone)]
pub struct Failure {
    pub reason: Reason,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// Collects failures of one row and keeps the one that comes first in [`Reason`] order
/// (ties: the first column checked).
#[derive(Debug, Default)]
pub struct RowCheck {
    pub failure: Option<Failure>,
}

impl RowCheck {
    /// Record a failure; the message is built only when it is kept, and the user text
    /// it quotes is escaped ([`crate::error::display_safe`]); the value is kept as given.
    pub fn fail(&mut self, reason: Reason, column: &str, value: &str, message: impl FnOnce() -> String) {
        if self.failure.as_ref().is_none_or(|f| reason < f.reason) {
            let message = crate::error::display_safe(&message()).into_owned();
            self.failure = Some(Failure { reason, column: column.to_string(), value: value.to_string(), message });
        }
    }

    /// A row-level failure for a row the reader found cut off or of the wrong width. No
    /// column and no value: the row's cells beyond the header's were never kept.
    pub fn shape(&mut self, info: RowInfo) {
        match info.shape {
            Shape::Fits => {}
            Shape::Fields { fields, header } => {
                let what = if fields > header { "more" } else { "fewer" };
                self.fail(Reason::BadShape, "", "", || {
                    format!("row has {fields} fields but the header has {header} ({what} fields than columns: a shifted or broken row)")
                })
            }
            Shape::Truncated { last_line } => self.fail(Reason::TruncatedRow, "", "", || {
                let span =
                    if last_line > info.line { format!(" (lines {}-{last_line})", info.line) } else { String::new() };
                format!(
                    "the file ends inside a quoted field of this row{span}: the row is cut off \
                     (an export stopped mid-write, or a quote is never closed)"
                )
            }),
        }
    }

    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_f64(" 12.5 "), Ok(Some(12.5)));
        assert_eq!(parse_f64(""), Ok(None));
        assert_eq!(parse_f64("NaN"), Err(Reason::BadNumber));
        assert_eq!(parse_f64("inf"), Err(Reason::BadNumber));
        assert_eq!(parse_f64("12,5"), Err(Reason::BadNumber));
        assert_eq!(parse_i64("3.0"), Ok(Some(3)));
        assert_eq!(parse_i64("3.5"), Err(Reason::BadNumber));
    }

    /// The short-decimal path gives the bits `str::parse` gives, and leaves every other
    /// text (signs, exponents, long digit strings, stray points) to it.
    #[test]
    fn short_decimals_parse_as_the_standard_parser_does() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "7",
            "18",
            "-3",
            "97.5",
            "0.1",
            "0.3",
            "2.675",
            "-0.000",
            "007",
            "123456789012345",
            "999999999999999",
            "12345678.9012345",
            "0.000000000000001",
            "1234567890123456",
            "1.",
            ".5",
            "+5",
            "1e3",
            "1.2.3",
            "-",
            "5-",
            "1_0",
            "٣",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every score of 0–100 with up to two decimals, and a spread of longer ones.
        cases.extend((0..=10_000).map(|i| format!("{}.{:02}", i / 100, i % 100)));
        cases.extend((0..2000u64).map(|i| format!("{}.{}", i * 7919 % 100_000, i * 104_729 % 1_000_000_000)));
        for s in &cases {
            let want = s.parse::<f64>().ok();
            match short_decimal(s.as_bytes()) {
                Some(x) => assert_eq!(Some(x.to_bits()), want.map(f64::to_bits), "{s}"),
                None => assert!(
                    !s.bytes().all(|c| c.is_ascii_digit()) || s.len() > 15 || s.is_empty(),
                    "{s} should take the short path"
                ),
            }
            assert_eq!(
                parse_f64(s).ok().flatten().map(f64::to_bits),
                want.filter(|x| x.is_finite()).map(f64::to_bits),
                "{s}"
            );
        }
    }

    #[test]
    fn trimming_matches_the_standard_trim() {
        for s in ["", " ", "a", " a", "a ", "\ta\n", "中文", " 中文\u{3000}", "\u{a0}x", "x\u{85}", "a b", "\u{7f}"]
        {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(parse_date("2024-02-29", None), Ok(Some(19782)));
        assert_eq!(parse_date("2025-02-29", None), Err(Reason::BadDate));
        assert_eq!(parse_date("2025-02-30", None), Err(Reason::BadDate));
        assert_eq!(parse_date("2025/13/01", None), Err(Reason::BadDate));
        assert_eq!(parse_date("2025-1-5", None), Err(Reason::BadDate));
        assert_eq!(parse_date("2025-01-0x", None), Err(Reason::BadDate));
        assert_eq!(parse_date("+025-01-05", None), Err(Reason::BadDate));
        assert_eq!(parse_date("2025/1/5", Some("%Y/%m/%d")), Ok(Some(20093)));
    }

    #[test]
    fn datetimes() {
        let a = parse_datetime("2025-03-15 14:23:05", None).unwrap().unwrap();
        let b = parse_datetime("2025-03-15T14:23:05", None).unwrap().unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_datetime("2025-03-15 14:23", None).unwrap().unwrap() + 5000, a);
        assert_eq!(parse_datetime("2025-03-32 14:23", None), Err(Reason::BadDate));
        assert_eq!(parse_datetime("15/03/2025", None), Err(Reason::BadDate));
        assert_eq!(parse_datetime("2025-03-15 24:00", None), Err(Reason::BadDate));
        assert_eq!(parse_datetime("2025-03-15 12:60", None), Err(Reason::BadDate));
        assert_eq!(parse_datetime("2025-03-15 12:30:5", None), Err(Reason::BadDate));
        assert_eq!(parse_datetime("2025-03-15 12:30:05x", None), Err(Reason::BadDate));
        // Agrees with chrono on the epoch offset.
        let chrono_ms = NaiveDateTime::parse_from_str("2025-03-15 14:23:05", "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(a, chrono_ms);
    }

    #[test]
    fn booleans_and_gender() {
        for t in ["true", "1", "是", "Y", "TRUE"] {
            assert_eq!(parse_bool(t), Ok(Some(true)), "{t}");
        }
        for f in ["false", "0", "否", "N", "FALSE"] {
            assert_eq!(parse_bool(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(parse_bool("maybe"), Err(Reason::BadValue));
        assert_eq!(parse_gender("男"), Ok(Some("male".into())));
        assert_eq!(parse_gender("F"), Ok(Some("female".into())));
        assert_eq!(parse_gender("x"), Err(Reason::BadValue));
    }

    #[test]
    fn shape_failures_come_first_and_keep_no_value() {
        let mut rc = RowCheck::default();
        rc.fail(Reason::MissingValue, "cadre_id", "", || "required".into());
        rc.shape(RowInfo { line: 7, shape: Shape::Fields { fields: 1_000_004, header: 4 } });
        let f = rc.failure.take().unwrap();
        assert_eq!((f.reason, f.column.as_str(), f.value.as_str()), (Reason::BadShape, "", ""));
        assert!(f.message.contains("1000004 fields") && f.message.contains("header has 4"), "{}", f.message);
        rc.shape(RowInfo { line: 7, shape: Shape::Fields { fields: 2, header: 4 } });
        rc.shape(RowInfo { line: 7, shape: Shape::Truncated { last_line: 9 } });
        let f = rc.failure.take().unwrap();
        assert_eq!(f.reason, Reason::TruncatedRow);
        assert!(f.message.contains("lines 7-9"), "{}", f.message);
        rc.shape(RowInfo { line: 7, shape: Shape::Fits });
        assert!(rc.ok());
    }

    #[test]
    fn messages_escape_control_characters_and_values_stay_raw() {
        let mut rc = RowCheck::default();
        let v = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
        rc.fail(Reason::BadValue, "kind", v, || format!("`kind` = \"{v}\" is not allowed"));
        let f = rc.failure.unwrap();
        assert_eq!(f.value, v);
        assert_eq!(f.message, "`kind` = \"\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\" is not allowed");
    }

    #[test]
    fn first_reason_wins() {
        let mut rc = RowCheck::default();
        rc.fail(Reason::OutOfRange, "score", "25", || "too big".into());
        rc.fail(Reason::UnknownId, "cadre_id", "X", || "unknown".into());
        rc.fail(Reason::BadDate, "d", "x", || "bad".into());
        assert_eq!(rc.failure.unwrap().reason, Reason::UnknownId);
    }
}
