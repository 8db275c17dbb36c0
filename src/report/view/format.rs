//! Numbers as the report prints them, one format per kind of quantity in both
//! languages: means and differences with 1 decimal, effect sizes and coefficients with
//! 2, p-values as `< 0.001` or 3 decimals, shares as percentages with 1 decimal, counts
//! and hours grouped by thousands (`153,450`), a true minus sign, and "—" for anything
//! withheld or missing (the table's footnote says which).

/// Shown for a missing or withheld value.
pub const DASH: &str = "—";
/// The count of a row withheld by complementary suppression (the table's footnote
/// explains it).
pub const SECONDARY: &str = "‡";

/// `x` with `decimals` places and a typographic minus; "—" for `None`.
pub fn num(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(v) if v.is_finite() => match rounded(v, decimals) {
            Some((neg, n)) => {
                let mut out = String::with_capacity(24);
                if neg && n != 0 {
                    out.push('−');
                }
                push_fixed(&mut out, n, decimals);
                out
            }
            None => by_format::num(x, decimals),
        },
        _ => DASH.to_string(),
    }
}

/// `|v|` rounded to `decimals` places as the digits of a whole number (`4.25` at 1 → 42)
/// and whether `v` is negative, as `format!("{:.*}", decimals, v)` rounds it; `None` when
/// this cannot tell (`v` near a tie, too large, too many places), and the caller then
/// asks `format!`. Every view formats its numbers, so the common case skips the
/// formatting machinery.
fn rounded(v: f64, decimals: usize) -> Option<(bool, u64)> {
    const SCALE: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];
    let s = v.abs() * *SCALE.get(decimals)?;
    if s.is_nan() || s >= 1e15 {
        return None;
    }
    let whole = s.floor();
    // Exact: `s` and its floor differ by less than one and share the exponent's grid.
    let frac = s - whole;
    // `s` is within half an ulp (≤ s·2⁻⁵³) of the exact |v|·10^decimals; farther than
    // that from the half, both round the same way. Nearer, `format!` decides the tie.
    if (frac - 0.5).abs() <= s * 1e-15 + f64::MIN_POSITIVE {
        return None;
    }
    let n = whole as u64 + u64::from(frac > 0.5);
    Some((v.is_sign_negative(), n))
}

/// `format!("{:.*}", decimals, v)` with every `-` a typographic minus (a negative value
/// that rounds to zero keeps its sign, as `format!` prints it), or `None` when
/// [`rounded`] cannot tell how `format!` rounds `v`: the chart axes print their ticks so.
pub(crate) fn fixed_minus(v: f64, decimals: usize) -> Option<String> {
    let (neg, n) = rounded(v, decimals)?;
    let mut out = String::with_capacity(24);
    if neg {
        out.push('−');
    }
    push_fixed(&mut out, n, decimals);
    Some(out)
}

/// `n` with its last `decimals` digits after the point (`42` at 1 → `4.2`, `5` at 2 →
/// `0.05`), as `format!` pads it.
fn push_fixed(out: &mut String, n: u64, decimals: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n);
    if digits.len() > decimals {
        let (int, frac) = digits.split_at(digits.len() - decimals);
        out.push_str(int);
        if decimals > 0 {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        // At least one digit before the point, zeros after it up to the digits.
        out.push_str("0.");
        for _ in digits.len()..decimals {
            out.push('0');
        }
        out.push_str(digits);
    }
}

/// A mean: one decimal.
pub fn mean(x: Option<f64>) -> String {
    num(x, 1)
}

/// A difference with its sign: `+4.2`, `−1.0`, `0.0`.
pub fn signed(x: Option<f64>) -> String {
    match x.filter(|v| v.is_finite()).and_then(|v| rounded(v, 1)) {
        Some((neg, n)) => {
            let mut out = String::with_capacity(16);
            match (n, neg) {
                (0, _) => {}
                (_, true) => out.push('−'),
                (_, false) => out.push('+'),
            }
            push_fixed(&mut out, n, 1);
            out
        }
        None => by_format::signed(x),
    }
}

/// Effect sizes, correlations, standardised gains: two decimals.
pub fn dec2(x: Option<f64>) -> String {
    num(x, 2)
}

/// A p-value: `< 0.001` or three decimals.
pub fn p(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v < 0.001 => "< 0.001".to_string(),
        Some(v) if v.is_finite() => match rounded(v.min(1.0), 3) {
            Some((false, n)) => {
                let mut out = String::with_capacity(8);
                push_fixed(&mut out, n, 3);
                out
            }
            _ => by_format::p(x),
        },
        _ => DASH.to_string(),
    }
}

/// A p-value in a sentence: `p < 0.001` or `p = 0.023`.
pub fn p_phrase(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v < 0.001 => "p < 0.001".to_string(),
        Some(_) => format!("p = {}", p(x)),
        None => format!("p = {DASH}"),
    }
}

/// A share in [0, 1] as a percentage with one decimal.
pub fn pct(x: Option<f64>) -> String {
    match x {
        // A share too large for a percentage prints as `format!` prints infinity.
        Some(v) if (v * 100.0).is_finite() => {
            let mut out = num(Some(v * 100.0), 1);
            out.push('%');
            out
        }
        _ => by_format::pct(x),
    }
}

/// A count with thousands separators.
pub fn int(n: u64) -> String {
    let mut digits = String::with_capacity(20);
    push_fixed(&mut digits, n, 0);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Class hours: one decimal (a day is often 7.5 hours), thousands grouped like counts.
pub fn hours(x: Option<f64>) -> String {
    match x.filter(|v| v.is_finite()).and_then(|v| rounded(v, 1)) {
        Some((neg, n)) => {
            let mut out = String::with_capacity(24);
            if neg && n != 0 {
                out.push('−');
            }
            out.push_str(&int(n / 10));
            out.push('.');
            push_fixed(&mut out, n % 10, 0);
            out
        }
        None => by_format::hours(x),
    }
}

/// An optional count.
pub fn count(n: Option<u64>) -> String {
    n.map(int).unwrap_or_else(|| DASH.to_string())
}

/// An interval `[lo, hi]` with one decimal; "—" unless both ends exist.
pub fn ci(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => format!("[{}, {}]", mean(Some(a)), mean(Some(b))),
        _ => DASH.to_string(),
    }
}

/// An interval of a coefficient (a reliability, a correlation) at 2 decimals.
pub fn ci2(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => format!("[{}, {}]", dec2(Some(a)), dec2(Some(b))),
        _ => DASH.to_string(),
    }
}

/// The confidence level of `alpha` as a percentage label: 0.05 → `95`.
pub fn level(alpha: f64) -> String {
    let l = (1.0 - alpha) * 100.0;
    if (l - l.round()).abs() < 1e-9 {
        format!("{:.0}", l)
    } else {
        format!("{:.1}", l)
    }
}

/// The formats written with `format!`: their definition, and the path of the values the
/// fast path cannot decide (near a rounding tie, too large, too many places).
mod by_format {
    use super::{int, minus, DASH};

    pub fn num(x: Option<f64>, decimals: usize) -> String {
        match x {
            Some(v) if v.is_finite() => minus(&format!("{:.*}", decimals, v)),
            _ => DASH.to_string(),
        }
    }

    pub fn signed(x: Option<f64>) -> String {
        match x {
            Some(v) if v.is_finite() => {
                let s = format!("{:.1}", v);
                if s.starts_with('-') {
                    minus(&s)
                } else if s.trim_start_matches(['0', '.']).is_empty() {
                    s
                } else {
                    format!("+{s}")
                }
            }
            _ => DASH.to_string(),
        }
    }

    pub fn p(x: Option<f64>) -> String {
        match x {
            Some(v) if v.is_finite() && v < 0.001 => "< 0.001".to_string(),
            Some(v) if v.is_finite() => format!("{:.3}", v.min(1.0)),
            _ => DASH.to_string(),
        }
    }

    pub fn pct(x: Option<f64>) -> String {
        match x {
            Some(v) if v.is_finite() => format!("{}%", minus(&format!("{:.1}", v * 100.0))),
            _ => DASH.to_string(),
        }
    }

    pub fn hours(x: Option<f64>) -> String {
        match x {
            Some(v) if v.is_finite() => {
                let s = format!("{:.1}", v.abs());
                let (whole, frac) = s.split_once('.').unwrap_or((&s, "0"));
                let sign = if v < 0.0 && s != "0.0" { "−" } else { "" };
                format!("{sign}{}.{frac}", int(whole.parse().unwrap_or(0)))
            }
            _ => DASH.to_string(),
        }
    }
}

fn minus(s: &str) -> String {
    // "-0.0" prints as "0.0": a rounded zero has no sign.
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        return s[1..].to_string();
    }
    s.replacen('-', "−", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(mean(Some(72.449)), "72.4");
        assert_eq!(mean(None), "—");
        assert_eq!(mean(Some(f64::NAN)), "—");
        assert_eq!(signed(Some(4.25)), "+4.2");
        assert_eq!(signed(Some(-1.04)), "−1.0");
        assert_eq!(signed(Some(-0.01)), "0.0");
        assert_eq!(signed(Some(0.0)), "0.0");
        assert_eq!(p(Some(0.0004)), "< 0.001");
        assert_eq!(p(Some(0.0234)), "0.023");
        assert_eq!(p(Some(1.0)), "1.000");
        assert_eq!(p_phrase(Some(0.0004)), "p < 0.001");
        assert_eq!(p_phrase(Some(0.0234)), "p = 0.023");
        assert_eq!(pct(Some(0.8345)), "83.5%");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(int(12), "12");
        assert_eq!(hours(Some(153_450.0)), "153,450.0");
        assert_eq!(hours(Some(37.5)), "37.5");
        assert_eq!(hours(Some(-1234.56)), "−1,234.6");
        assert_eq!(hours(None), "—");
        assert_eq!(ci(Some(-1.25), Some(3.0)), "[−1.2, 3.0]");
        assert_eq!(level(0.05), "95");
        assert_eq!(level(0.1), "90");
        assert_eq!(dec2(Some(-0.004)), "0.00");
    }

    /// Digits as `Display` writes them: the reference of `push_fixed`.
    mod reference {
        pub fn int_digits(n: u64) -> String {
            n.to_string()
        }
    }

    /// Values at and around every tie of 0–3 places, random magnitudes, signs, zeros,
    /// the non-finite values and the largest.
    fn values() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            0.05,
            -0.05,
            0.25,
            0.35,
            2.5,
            -2.5,
            0.125,
            1e15,
            -1e15,
            9.99e14,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in -20_000i64..20_000 {
            for scale in [10.0, 100.0, 1000.0, 10_000.0] {
                let tie = (k as f64 + 0.5) / scale;
                v.extend([tie, f64::from_bits(tie.to_bits() + 1), f64::from_bits(tie.to_bits().wrapping_sub(1))]);
            }
        }
        // A fixed linear congruential sequence: the same values on every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..400_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let exp = ((state >> 3) % 40) as i32 - 20;
            let x = unit * 10f64.powi(exp);
            v.push(if state & 1 == 1 { -x } else { x });
        }
        v
    }

    #[test]
    fn fast_formats_give_the_digits_of_format() {
        for x in values() {
            for d in 0..5 {
                assert_eq!(num(Some(x), d), by_format::num(Some(x), d), "{x:e} at {d}");
            }
            assert_eq!(signed(Some(x)), by_format::signed(Some(x)), "{x:e}");
            assert_eq!(p(Some(x)), by_format::p(Some(x)), "{x:e}");
            assert_eq!(pct(Some(x)), by_format::pct(Some(x)), "{x:e}");
            assert_eq!(hours(Some(x)), by_format::hours(Some(x)), "{x:e}");
            if x.is_finite() && x.abs() < 1.8e19 {
                let n = x.abs() as u64;
                let mut s = String::new();
                push_fixed(&mut s, n, 0);
                assert_eq!(s, reference::int_digits(n));
            }
        }
        assert_eq!(num(Some(0.25), 1), "0.2", "a tie rounds as format! rounds it");
        assert_eq!(signed(Some(-0.04)), "0.0");
        assert_eq!(hours(Some(-0.04)), "0.0");
        assert_eq!(rounded(0.05, 1), None, "0.05 is near its tie: format! decides");
        assert_eq!(rounded(0.07, 1), Some((false, 1)));
    }
}
