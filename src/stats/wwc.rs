//! The What Works Clearinghouse attrition standard: whether the overall and
//! differential attrition of a comparison are "low" under the cautious
//! boundary.
//!
//! In: attrition rates as shares in [0, 1] (overall = 1 − analysed/
//! assigned over both groups; differential = the absolute difference of
//! the two groups' rates). Out: the boundary and a yes/no; rates outside
//! [0, 1] or NaN are never "low".
//!
//! Source: WWC Procedures and Standards Handbook v5.0 (2022), whose
//! attrition boundaries are those of v4.1 (2020), Table II.1 / Figure II.1,
//! unchanged. The cautious column below was transcribed from a secondary
//! source (the figures as quoted in the project brief), not from the
//! handbook's PDF; check it against the handbook before relying on a case
//! near the boundary.

use super::rank::round_for_ties;

/// Cautious boundary, indexed by overall attrition in whole percent
/// (0 … 57): the highest differential attrition, in percentage points,
/// that is still "low".
const CAUTIOUS: [f64; 58] = [
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, // 0-9 %
    6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5, // 10-19 %
    5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3, // 20-29 %
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, // 30-39 %
    2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2, // 40-49 %
    1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0, // 50-57 %
];

/// The cautious boundary for an overall attrition rate (a share): the
/// highest differential attrition, as a share, that is still "low". The
/// overall rate is rounded to a whole percent first (29.5 % → 30 %), as the
/// table is read. `None` above 57 % (every differential is "high") or for
/// a rate outside [0, 1].
pub fn wwc_cautious_boundary(overall: f64) -> Option<f64> {
    boundary_pp(overall).map(|pp| pp / 100.0)
}

/// The table cell, in percentage points, for an overall rate (a share).
fn boundary_pp(overall: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&overall) {
        return None;
    }
    // Judged on 9 decimals first (SPEC C.5), so 59/200 = 0.295 reads 30 %
    // although 0.295·100 is 29.499… in binary.
    let percent = round_for_ties(overall * 100.0).round();
    // In [0, 100] after the check above, so the cast is exact.
    CAUTIOUS.get(percent as usize).copied()
}

/// Whether attrition is "low" under the WWC cautious boundary: the overall
/// rate (a share, rounded to a whole percent) is at most 57 % and the
/// absolute differential rate, judged on 9 decimals (SPEC C.5), is at most
/// its boundary. `false` for NaN or rates
/// outside [0, 1].
pub fn wwc_attrition_ok(overall: f64, differential: f64) -> bool {
    let differential = differential.abs();
    match boundary_pp(overall) {
        // In percentage points, as the table, on 9 decimals.
        Some(pp) if differential <= 1.0 => round_for_ties(differential * 100.0) <= pp,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table rises to its peak of 6.3 pp at 7-10 %, falls to 0 at 57 %,
    /// and never rises again after the peak.
    #[test]
    fn table_shape() {
        assert_eq!(CAUTIOUS.len(), 58);
        assert_eq!((CAUTIOUS[0], CAUTIOUS[57]), (5.7, 0.0));
        let peak = CAUTIOUS.iter().copied().fold(0.0, f64::max);
        assert_eq!(peak, 6.3);
        let first_peak = CAUTIOUS.iter().position(|&v| v == peak).unwrap();
        assert_eq!(first_peak, 7);
        assert!(CAUTIOUS[..=first_peak].windows(2).all(|w| w[1] >= w[0]));
        assert!(CAUTIOUS[first_peak..].windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn cells() {
        let at = |overall: f64| wwc_cautious_boundary(overall).map(|b| (b * 1000.0).round() / 10.0);
        assert_eq!(at(0.0), Some(5.7));
        assert_eq!(at(0.10), Some(6.3));
        assert_eq!(at(0.30), Some(4.1));
        assert_eq!(at(0.45), Some(1.8));
        assert_eq!(at(0.57), Some(0.0));
        // Rounded to a whole percent: 29.5 % reads the 30 % row, 29.4 % the 29 % row.
        assert_eq!(at(0.295), Some(4.1));
        assert_eq!(at(59.0 / 200.0), Some(4.1));
        assert_eq!(at(0.294), Some(4.3));
        assert_eq!(at(0.58), None);
        assert_eq!(at(1.0), None);
        assert_eq!(at(-0.01), None);
        assert_eq!(at(f64::NAN), None);
    }

    #[test]
    fn low_attrition_decisions() {
        assert!(wwc_attrition_ok(0.30, 0.041));
        assert!(wwc_attrition_ok(0.30, -0.041));
        assert!(!wwc_attrition_ok(0.30, 0.0411));
        // 0.35 − 0.309 is 0.041000000000000036 in binary: still low.
        assert!(wwc_attrition_ok(0.30, 0.35 - 0.309));
        assert!(wwc_attrition_ok(0.10, 0.063));
        assert!(!wwc_attrition_ok(0.10, 0.064));
        assert!(wwc_attrition_ok(0.57, 0.0));
        assert!(!wwc_attrition_ok(0.57, 0.001));
        assert!(!wwc_attrition_ok(0.60, 0.0));
        assert!(!wwc_attrition_ok(f64::NAN, 0.0));
        assert!(!wwc_attrition_ok(0.2, f64::NAN));
        assert!(!wwc_attrition_ok(0.2, 1.5));
    }
}
