//! Cells of a table as text, and tables as CSV: every text cell is guarded against
//! formula injection (a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
//! leading `'` in CSV; the workbooks write it as a string cell), numbers are written
//! in their shortest round-trip form, nulls empty. Used by every stage that writes a
//! file a spreadsheet may open (the rejects, the indicator copies, the exports), so it
//! sits at the bottom and depends on nothing but the error types.

use std::path::Path;

use polars::prelude::*;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray, Utf8ViewArray};
use rayon::prelude::*;

use crate::error::WarehouseError;

/// True when a spreadsheet program could read `s` as a formula.
pub fn needs_guard(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The CSV form of a text cell.
pub fn guard_csv(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// One cell of a frame as text (numbers in shortest round-trip form, null empty).
pub fn cell_text(v: &AnyValue<'_>) -> String {
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Float64(x) => format_f64(*x),
        AnyValue::Float32(x) => format_f64(*x as f64),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// Shortest representation that round-trips; integers without a decimal point.
pub fn format_f64(x: f64) -> String {
    let mut out = Vec::new();
    if !x.is_nan() {
        push_f64(&mut out, x);
    }
    // Digits, sign and point: ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Append `x` exactly as `format!("{x}")` writes it — the shortest digits that
/// round-trip, in positional notation, `-0` for negative zero — but through `zmij`,
/// several times faster than `core::fmt` (the 10⁶-row CSVs format ~10⁷ numbers), onto
/// bytes, as the CSV rows are built.
fn push_f64(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(x.to_string().as_bytes());
        return;
    }
    let mut buf = zmij::Buffer::new();
    let s = buf.format_finite(x).as_bytes();
    if !s.contains(&b'e') {
        // Positional already (`123.45`, `0.001`, `3.0`): only an integer's `.0` goes.
        let text = s.strip_suffix(b".0").unwrap_or(s);
        let frac = text.iter().position(|&b| b == b'.').map_or(0, |p| text.len() - p - 1);
        if !exact_tie(x, frac as i64) {
            out.extend_from_slice(text);
            return;
        }
    }
    let (negative, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    // zmij writes `d.ddd`, `d.ddde±xx` or `0.000ddd`: collect the digits and where the
    // decimal point falls among them.
    let (mantissa, exp) = match s.iter().position(|&b| b == b'e') {
        Some(p) => (&s[..p], std::str::from_utf8(&s[p + 1..]).ok().and_then(|e| e.parse::<i64>().ok()).unwrap_or(0)),
        None => (s, 0),
    };
    let int_len = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    let mut digits = [0u8; 40];
    let mut n = 0;
    for &d in mantissa.iter().filter(|&&d| d != b'.') {
        if n < digits.len() {
            digits[n] = d;
            n += 1;
        }
    }
    let lead = digits[..n].iter().take_while(|&&d| d == b'0').count();
    let point = int_len as i64 + exp - lead as i64;
    let digits = &digits[lead..n];
    let digits = &digits[..digits.len() - digits.iter().rev().take_while(|&&d| d == b'0').count()];
    let len = digits.len() as i64;
    if exact_tie(x, (len - point).max(0)) {
        // Two shortest candidates equally near: zmij may take the even digit, core::fmt
        // the upper one; keep core::fmt's.
        out.extend_from_slice(x.to_string().as_bytes());
        return;
    }
    if negative {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.push(b'0');
        return;
    }
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(digits);
    } else if point >= len {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (point - len) as usize));
    } else {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..]);
    }
}

/// Whether `x` lies exactly halfway between the two nearest numbers with
/// `frac_digits` fractional digits (the length of its shortest form). x = m·2^e with m
/// odd; for e < 0 its exact decimal expansion has -e fractional digits, the last one a
/// 5, so a tie is exactly when the shortest form has one fractional digit fewer (for
/// e ≥ 0 the shortest form is never a tie).
fn exact_tie(x: f64, frac_digits: i64) -> bool {
    let bits = x.abs().to_bits();
    let (exp, frac) = ((bits >> 52) as i64, bits & ((1u64 << 52) - 1));
    let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
    if m == 0 {
        return false;
    }
    let e = e + i64::from(m.trailing_zeros());
    e < 0 && frac_digits == -e - 1
}

/// Write a frame as UTF-8 CSV (with BOM so Excel opens Chinese text correctly), guarding
/// text cells; numbers are written as numbers.
pub fn write_csv(df: &DataFrame, path: &Path) -> Result<(), WarehouseError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| WarehouseError::io(parent, e))?;
    }
    let file = std::fs::File::create(path).map_err(|e| WarehouseError::io(path, e))?;
    let mut buf = std::io::BufWriter::new(file);
    std::io::Write::write_all(&mut buf, "\u{feff}".as_bytes()).map_err(|e| WarehouseError::io(path, e))?;
    let err = |e: String| WarehouseError::frame(format!("writing {}", path.display()), e);
    let write = |buf: &mut std::io::BufWriter<std::fs::File>, bytes: &[u8]| {
        std::io::Write::write_all(buf, bytes).map_err(|e| WarehouseError::io(path, e))
    };
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record(df.get_column_names().iter().map(|s| s.as_str())).map_err(|e| err(e.to_string()))?;
    write(&mut buf, &header.into_inner().map_err(|e| err(e.to_string()))?)?;
    // One array per column, viewed by type once.
    let mut single = df.clone();
    single.rechunk_mut_par();
    let cells: Vec<Cells> = single.columns().iter().map(Cells::of).collect();
    // Rows are formatted in blocks, several at a time on the pool, and written in order.
    const BLOCK: usize = 32_768;
    let blocks: Vec<usize> = (0..df.height()).step_by(BLOCK).collect();
    for batch in blocks.chunks(2 * rayon::current_num_threads().max(1)) {
        let bytes: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|&from| csv_rows(&cells, from..(from + BLOCK).min(df.height())))
            .collect::<Result<_, _>>()
            .map_err(err)?;
        for b in bytes {
            write(&mut buf, &b)?;
        }
    }
    std::io::Write::flush(&mut buf).map_err(|e| WarehouseError::io(path, e))
}

/// A column viewed by type: the Arrow array of a single-chunk column, or the column.
enum Cells<'a> {
    Text(&'a Utf8ViewArray),
    Float(&'a PrimitiveArray<f64>),
    Int(&'a PrimitiveArray<i64>),
    Bool(&'a BooleanArray),
    Other(&'a Column),
}

impl<'a> Cells<'a> {
    fn of(c: &'a Column) -> Cells<'a> {
        /// The only item of `it`.
        fn one<I: Iterator>(mut it: I) -> Option<I::Item> {
            let first = it.next()?;
            it.next().is_none().then_some(first)
        }
        let typed = match c.dtype() {
            DataType::String => c.str().ok().and_then(|ca| one(ca.downcast_iter())).map(Cells::Text),
            DataType::Float64 => c.f64().ok().and_then(|ca| one(ca.downcast_iter())).map(Cells::Float),
            DataType::Int64 => c.i64().ok().and_then(|ca| one(ca.downcast_iter())).map(Cells::Int),
            DataType::Boolean => c.bool().ok().and_then(|ca| one(ca.downcast_iter())).map(Cells::Bool),
            _ => None,
        };
        typed.unwrap_or(Cells::Other(c))
    }
}

/// A text field as the `csv` crate writes it (quoted when it holds a comma, a quote or
/// a line break), guarded against formula injection first.
fn push_text(out: &mut Vec<u8>, s: &str) {
    let s = guard_csv(s);
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Recently written numbers and their text, direct-mapped by bit pattern: per-person
/// tables repeat a few values (required days, whole hours, 0, 1) across 10⁶ rows.
struct Numbers {
    slots: Vec<(u64, u8, [u8; 23])>,
}

impl Numbers {
    const SLOTS: usize = 1024;

    fn new() -> Numbers {
        // Bits of a NaN with a payload no computation produces: never a key.
        Numbers { slots: vec![(u64::MAX, 0, [0; 23]); Self::SLOTS] }
    }

    /// Append `x` as [`push_f64`] writes it.
    fn push(&mut self, out: &mut Vec<u8>, x: f64) {
        let bits = x.to_bits();
        let slot = &mut self.slots[(bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize];
        if slot.0 == bits {
            // The whole slot (a copy of fixed size, no call), then the unused tail off.
            let end = out.len() + slot.1 as usize;
            out.extend_from_slice(&slot.2);
            out.truncate(end);
            return;
        }
        let at = out.len();
        push_f64(out, x);
        let text = &out[at..];
        if text.len() <= slot.2.len() {
            slot.2[..text.len()].copy_from_slice(text);
            (slot.0, slot.1) = (bits, text.len() as u8);
        }
    }
}

/// The CSV bytes of `rows` (numbers and booleans need no quoting: written directly).
fn csv_rows(cells: &[Cells], rows: std::ops::Range<usize>) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(rows.len() * 16 * cells.len());
    let mut numbers = Numbers::new();
    for i in rows {
        let start = out.len();
        for (k, c) in cells.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            match c {
                Cells::Text(a) if a.is_valid(i) => push_text(&mut out, a.value(i)),
                Cells::Float(a) if a.is_valid(i) && !a.value(i).is_nan() => numbers.push(&mut out, a.value(i)),
                Cells::Int(a) if a.is_valid(i) => {
                    out.extend_from_slice(itoa::Buffer::new().format(a.value(i)).as_bytes())
                }
                Cells::Bool(a) if a.is_valid(i) => out.extend_from_slice(if a.value(i) { b"true" } else { b"false" }),
                Cells::Other(col) => {
                    let v = col.get(i).map_err(|e| e.to_string())?;
                    let t = cell_text(&v);
                    if matches!(v, AnyValue::String(_) | AnyValue::StringOwned(_)) {
                        push_text(&mut out, &t);
                    } else {
                        out.extend_from_slice(t.as_bytes());
                    }
                }
                _ => {}
            }
        }
        if cells.len() == 1 && out.len() == start {
            // A record of one empty field is written `""` (else it would be a blank line).
            out.extend_from_slice(b"\"\"");
        }
        out.push(b'\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_display(x: f64) {
        let mut got = Vec::new();
        push_f64(&mut got, x);
        let got = String::from_utf8(got).unwrap();
        assert_eq!(got, format!("{x}"), "bits {:#x}", x.to_bits());
        assert_eq!(format_f64(x), got);
    }

    #[test]
    // 1396086636918313.25 is written out in full: it is the exact value (a tie between
    // two shortest forms), which the lint would shorten.
    #[allow(clippy::excessive_precision)]
    fn numbers_are_written_exactly_as_display_writes_them() {
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1e-7,
            1.5e-300,
            f64::MIN_POSITIVE,
            5e-324,
            1e15,
            1e16,
            1.2345e21,
            f64::MAX,
            -f64::MAX,
            123456789.125,
            2.0 / 3.0,
            100.0,
            1396086636918313.25,
            0.75,
            1e23,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        special.into_iter().for_each(same_as_display);
        // Random bit patterns (every exponent), and the kind of values tables hold:
        // ratios of small integers, rounded means, p-values.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..200_000 {
            let x = f64::from_bits(rng.gen::<u64>());
            if x.is_finite() {
                same_as_display(x);
            }
            let (a, b) = (rng.gen_range(-10_000i64..10_000), rng.gen_range(1i64..1_000));
            same_as_display(a as f64 / b as f64);
            same_as_display(rng.gen::<f64>() * 10f64.powi(rng.gen_range(-20..20)));
            // m·2^e with m odd: the values whose shortest forms can tie.
            let m = (rng.gen::<u64>() >> 11) | 1;
            same_as_display(m as f64 * 2f64.powi(rng.gen_range(-70..4)));
        }
    }

    /// The bytes the `csv` crate writes for `records` (after the BOM).
    fn csv_crate(records: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in records {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn written(df: &DataFrame) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_csv(df, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        bytes["\u{feff}".len()..].to_vec()
    }

    #[test]
    fn csv_text_is_quoted_and_guarded_as_the_csv_crate_would_write_it() {
        let text = [Some("plain"), Some("a,b"), Some("say \"hi\""), Some("two\nlines"), Some("cr\rx"), Some(""), None];
        let text = [text.as_slice(), &[Some("=SUM(A1)"), Some("-3,\"x\""), Some("中文，逗号"), Some(" pad ")]].concat();
        let n = text.len();
        let df = df!(
            "text" => text.clone(),
            "x" => (0..n).map(|i| if i == 3 { None } else { Some(i as f64 / 4.0 - 1.0) }).collect::<Vec<_>>(),
            "k" => (0..n as i64).map(|i| (i != 2).then_some(i - 5)).collect::<Vec<_>>(),
            "ok" => (0..n).map(|i| (i != 4).then_some(i % 2 == 0)).collect::<Vec<_>>()
        )
        .unwrap();
        let mut records = vec![vec!["text".to_string(), "x".into(), "k".into(), "ok".into()]];
        for (i, t) in text.iter().enumerate() {
            let x = df.column("x").unwrap().f64().unwrap().get(i);
            let k = df.column("k").unwrap().i64().unwrap().get(i);
            let ok = df.column("ok").unwrap().bool().unwrap().get(i);
            records.push(vec![
                guard_csv(t.unwrap_or_default()).into_owned(),
                x.map(|x| format!("{x}")).unwrap_or_default(),
                k.map(|k| k.to_string()).unwrap_or_default(),
                ok.map(|b| b.to_string()).unwrap_or_default(),
            ]);
        }
        assert_eq!(String::from_utf8(written(&df)).unwrap(), String::from_utf8(csv_crate(&records)).unwrap());
    }

    #[test]
    fn a_one_column_csv_keeps_its_empty_rows() {
        let df = df!("only" => [Some("a"), None, Some("")]).unwrap();
        let records: Vec<Vec<String>> = [["only"], ["a"], [""], [""]].iter().map(|r| vec![r[0].to_string()]).collect();
        assert_eq!(written(&df), csv_crate(&records));
    }

    #[test]
    fn guards_formula_starts() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_guard(s), "{s:?}");
            assert!(guard_csv(s).starts_with('\''));
        }
        assert_eq!(guard_csv("学员"), "学员");
        assert_eq!(guard_csv(""), "");
    }
}
