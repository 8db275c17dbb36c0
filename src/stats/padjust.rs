//! Multiple-comparison adjustment of p-values: Holm's step-down
//! family-wise procedure and Benjamini–Hochberg's step-up false-discovery
//! rate procedure, both as R's `p.adjust`.
//!
//! In: raw p-values in any order. Out: adjusted p-values in the same order,
//! capped at 1. NaN p-values stay NaN in place and are excluded from m (the
//! number of tests), as R does with `p.adjust(p, n = sum(!is.na(p)))`.

/// Indices of the non-NaN p-values, sorted by p ascending (stable).
fn order_ascending(p: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    idx
}

/// Holm (1979) step-down adjustment: with p₍₁₎ ≤ … ≤ p₍ₘ₎,
/// `p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎)`. Every adjusted value is
/// ≥ its raw value. Matches R `p.adjust(p, "holm")`.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let idx = order_ascending(p);
    let m = idx.len() as f64;
    let mut out = p.to_vec();
    let mut running = 0.0f64;
    for (rank, &i) in idx.iter().enumerate() {
        let adj = ((m - rank as f64) * p[i]).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

/// Benjamini & Hochberg (1995) step-up adjustment: with
/// p₍₁₎ ≤ … ≤ p₍ₘ₎, `p̃₍ᵢ₎ = min_{j ≥ i} min(1, m/j · p₍ⱼ₎)`. Adjusted
/// values are monotone in the raw values. Matches R `p.adjust(p, "BH")`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let idx = order_ascending(p);
    let m = idx.len() as f64;
    let mut out = p.to_vec();
    let mut running = f64::INFINITY;
    for (rank, &i) in idx.iter().enumerate().rev() {
        let adj = (m / (rank as f64 + 1.0) * p[i]).min(1.0);
        running = running.min(adj);
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_single() {
        assert!(holm(&[]).is_empty());
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(holm(&[0.03]), vec![0.03]);
        assert_eq!(benjamini_hochberg(&[0.03]), vec![0.03]);
    }

    #[test]
    fn nan_stays_in_place_and_is_not_counted() {
        let h = holm(&[0.01, f64::NAN, 0.04]);
        assert_eq!(h[0], 0.02);
        assert!(h[1].is_nan());
        assert_eq!(h[2], 0.04);
        let b = benjamini_hochberg(&[f64::NAN, 0.01, 0.04]);
        assert!(b[0].is_nan());
        assert_eq!((b[1], b[2]), (0.02, 0.04));
    }

    #[test]
    fn capped_at_one() {
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0]);
        assert_eq!(benjamini_hochberg(&[0.9, 0.95]), vec![0.95, 0.95]);
    }

    proptest! {
        #[test]
        fn holm_is_at_least_raw_and_bh_is_monotone(p in prop::collection::vec(0.0f64..=1.0, 0..30)) {
            let h = holm(&p);
            let b = benjamini_hochberg(&p);
            for i in 0..p.len() {
                prop_assert!(h[i] >= p[i] && h[i] <= 1.0);
                prop_assert!(b[i] >= p[i] && b[i] <= 1.0);
                prop_assert!(b[i] <= h[i] + 1e-15);
                for j in 0..p.len() {
                    if p[i] <= p[j] {
                        prop_assert!(b[i] <= b[j]);
                        prop_assert!(h[i] <= h[j]);
                    }
                }
            }
        }
    }
}
