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
        Some(v) if v.is_finite() => minus(&format!("{:.*}", decimals, v)),
        _ => DASH.to_string(),
    }
}

/// A mean: one decimal.
pub fn mean(x: Option<f64>) -> String {
    num(x, 1)
}

/// A difference with its sign: `+4.2`, `−1.0`, `0.0`.
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

/// Effect sizes, correlations, standardised gains: two decimals.
pub fn dec2(x: Option<f64>) -> String {
    num(x, 2)
}

/// A p-value: `< 0.001` or three decimals.
pub fn p(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v < 0.001 => "< 0.001".to_string(),
        Some(v) if v.is_finite() => format!("{:.3}", v.min(1.0)),
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
        Some(v) if v.is_finite() => format!("{}%", minus(&format!("{:.1}", v * 100.0))),
        _ => DASH.to_string(),
    }
}

/// A count with thousands separators.
pub fn int(n: u64) -> String {
    let digits = n.to_string();
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
}
