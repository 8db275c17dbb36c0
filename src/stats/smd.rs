//! The standardised mean difference of two independent groups (Hedges' g), as the
//! What Works Clearinghouse computes it for baseline equivalence.
//!
//! In: each group's accumulated values. Out: g, or `None` when undefined (a group
//! with fewer than 2 values, or no spread in either).

use super::descriptive::{se_is_degenerate, Accumulator};

/// Hedges' g of group a over group b: `(x̄_a − x̄_b)/s_p · ω`, with `s_p` the pooled
/// standard deviation `√(((n_a − 1)s_a² + (n_b − 1)s_b²)/(n_a + n_b − 2))` and the
/// small-sample correction `ω = 1 − 3/(4(n_a + n_b) − 9)` (Hedges 1981; WWC
/// Procedures and Standards Handbook v5.0, appendix E). `None` when a group has
/// fewer than 2 values or the pooled SD is 0 up to rounding.
pub fn hedges_g(a: &Accumulator, b: &Accumulator) -> Option<f64> {
    let (na, nb) = (a.n(), b.n());
    if na < 2 || nb < 2 {
        return None;
    }
    let (va, vb) = (a.variance()?, b.variance()?);
    let df = (na + nb - 2) as f64;
    let sp = (((na - 1) as f64 * va + (nb - 1) as f64 * vb) / df).sqrt();
    let diff = a.mean()? - b.mean()?;
    if se_is_degenerate(sp, a.mean()?.abs().max(b.mean()?.abs())) {
        return None;
    }
    Some(diff / sp * (1.0 - 3.0 / (4.0 * (na + nb) as f64 - 9.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R: a = 1:4, b = 2:6; sp from var(), d·(1 − 3/(4·9 − 9)) = -0.91084006808529749.
    #[test]
    fn hedges_g_of_two_small_groups() {
        let (a, b) =
            (Accumulator::from_slice(&[1.0, 2.0, 3.0, 4.0]), Accumulator::from_slice(&[2.0, 3.0, 4.0, 5.0, 6.0]));
        let g = hedges_g(&a, &b).unwrap();
        assert!((g - -0.910_840_068_085_297_5).abs() < 1e-12, "{g}");
        assert!((hedges_g(&b, &a).unwrap() + g).abs() < 1e-15, "antisymmetric");
    }

    #[test]
    fn undefined_without_two_values_or_spread() {
        let one = Accumulator::from_slice(&[1.0]);
        let flat = Accumulator::from_slice(&[3.0, 3.0, 3.0]);
        let some = Accumulator::from_slice(&[1.0, 2.0]);
        assert_eq!(hedges_g(&one, &some), None);
        assert_eq!(hedges_g(&flat, &flat), None);
        assert!(hedges_g(&flat, &some).is_some());
    }
}
