//! CR2 fits of a saturated cell-means model from per-cluster sums, for designs too
//! large to hold row by row (the stacked event study of the transfer indicators:
//! ~10⁹ stacked control rows at 10⁶ cadres).
//!
//! In: cluster by cluster, the count, sum and within sum of squares of its
//! observations in each cell ([`CellModel::add_cluster`]); models built apart (in
//! parallel) merge. Out: the [`ClusterOls`] that [`ClusterOls::fit`] returns under
//! [`ClusterCovariance::Cr2`] for the rows those sums describe, with the design `X` the
//! indicators of the observed cells (one column per cell, no intercept: coefficient c is
//! the mean of cell c). Every query of the fit (contrasts with Satterthwaite df, the
//! HTZ Wald test) then works as for a fit on rows.
//!
//! Why sums suffice: with `X` the cell indicators, `XᵀX = diag(N_c)` and the hat
//! matrix of cluster g is block-diagonal by cell, `H_gg = ⊕_c J_{m_gc}/N_c`. Each
//! block's CR2 adjustment `(I − (m/N)·P)^{+1/2}` (P the projection on the ones) is
//! `I + (k − 1)·P` with `k = (1 − m/N)^{-1/2}` (k = 0 when the cluster holds the whole
//! cell: the Moore–Penrose convention of `cr2_cluster`), so
//! `X_gᵀA_gû_g = (k_gc·Σ_{i∈g,c} û_i)_c`, `X_gᵀA_gX_g = diag(k_gc·m_gc)` and
//! `X_gᵀA_g²X_g = diag(k_gc²·m_gc)`. Clusters with the same counts in every cell
//! therefore share both products and are stored once, with their number; the meat
//! `Σ_g s_g s_gᵀ` needs only `Σ_g S_g` and `Σ_g S_g S_gᵀ` of the cell sums S_g over such
//! clusters. Memory is O(patterns · k²), whatever the number of clusters. Equality
//! with the row fit is tested below.

use std::collections::HashMap;

use super::{ClusterCovariance, ClusterOls, Cr2Cluster, Mat, StatsError};

/// The observations of one cluster in one cell, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSums {
    /// The cell (design column), `0..k`.
    pub cell: usize,
    /// Number of observations.
    pub n: u64,
    /// `Σ y`.
    pub sum: f64,
    /// `Σ (y − ȳ)²` about these observations' own mean (0 for one observation).
    pub ss: f64,
}

/// The clusters that share one pattern of cell counts.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    copies: u64,
    /// `Σ_g S_gc` over the pattern's cells (in the key's order).
    sum: Vec<f64>,
    /// `Σ_g S_gc S_gd` (row-major over the pattern's cells).
    outer: Vec<f64>,
    /// `Σ_g S_gc² / m_c`, for the within-cell sum of squares.
    sq_over_m: Vec<f64>,
}

/// A saturated cell-means model with CR2 covariance, collected cluster by cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct CellModel {
    k: usize,
    /// Clusters by their (cell, count) pattern, cells ascending.
    patterns: HashMap<Vec<(usize, u64)>, Pattern>,
    /// Σ of the within-(cluster, cell) sums of squares.
    ss: f64,
}

impl CellModel {
    /// An empty model of `k` cells.
    pub fn new(k: usize) -> CellModel {
        CellModel { k, patterns: HashMap::new(), ss: 0.0 }
    }

    /// Add one cluster: its sums in each cell it has observations in (cells with
    /// `n = 0` are ignored).
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] for a cell ≥ k, a cell given twice, or a
    /// non-finite sum.
    pub fn add_cluster(&mut self, cells: &[CellSums]) -> Result<(), StatsError> {
        let mut cells: Vec<&CellSums> = cells.iter().filter(|c| c.n > 0).collect();
        if cells.is_empty() {
            return Ok(());
        }
        if cells.iter().any(|c| c.cell >= self.k || !c.sum.is_finite() || !c.ss.is_finite()) {
            return Err(StatsError::InvalidRestriction { what: "cell sums need a cell below k and finite sums" });
        }
        cells.sort_by_key(|c| c.cell);
        if cells.windows(2).any(|w| w[0].cell == w[1].cell) {
            return Err(StatsError::InvalidRestriction { what: "a cell given twice for one cluster" });
        }
        let key: Vec<(usize, u64)> = cells.iter().map(|c| (c.cell, c.n)).collect();
        let p = cells.len();
        let e = self.patterns.entry(key).or_insert_with(|| Pattern {
            copies: 0,
            sum: vec![0.0; p],
            outer: vec![0.0; p * p],
            sq_over_m: vec![0.0; p],
        });
        e.copies += 1;
        for (i, a) in cells.iter().enumerate() {
            e.sum[i] += a.sum;
            e.sq_over_m[i] += a.sum * a.sum / a.n as f64;
            for (j, b) in cells.iter().enumerate() {
                e.outer[i * p + j] += a.sum * b.sum;
            }
            self.ss += a.ss;
        }
        Ok(())
    }

    /// Add the clusters of another model of the same cells.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when the models have different cells.
    pub fn merge(&mut self, other: CellModel) -> Result<(), StatsError> {
        if other.k != self.k {
            return Err(StatsError::InvalidRestriction { what: "merged cell models differ in cells" });
        }
        for (key, b) in other.patterns {
            match self.patterns.get_mut(&key) {
                Some(a) => {
                    a.copies += b.copies;
                    for (x, y) in a.sum.iter_mut().zip(&b.sum) {
                        *x += y;
                    }
                    for (x, y) in a.outer.iter_mut().zip(&b.outer) {
                        *x += y;
                    }
                    for (x, y) in a.sq_over_m.iter_mut().zip(&b.sq_over_m) {
                        *x += y;
                    }
                }
                None => {
                    self.patterns.insert(key, b);
                }
            }
        }
        self.ss += other.ss;
        Ok(())
    }

    /// Observations in each cell.
    pub fn counts(&self) -> Vec<u64> {
        let mut n = vec![0; self.k];
        for (key, p) in &self.patterns {
            for &(c, m) in key {
                n[c] += m * p.copies;
            }
        }
        n
    }

    /// The CR2 fit of `y ~ 0 + cell` over the cells with observations, and the column of
    /// each cell in it (`None` for a cell without observations). Equal, up to rounding,
    /// to [`ClusterOls::fit`] with [`ClusterCovariance::Cr2`] on the rows themselves,
    /// clusters being the ones added. Cost O(patterns · k²).
    ///
    /// # Errors
    /// [`StatsError::NotEnoughData`] with no observation, no more observations than
    /// observed cells, or fewer than 2 clusters.
    pub fn fit(&self) -> Result<(ClusterOls, Vec<Option<usize>>), StatsError> {
        let counts = self.counts();
        let mut column = vec![None; self.k];
        let mut used = 0;
        for (c, &n) in counts.iter().enumerate() {
            if n > 0 {
                column[c] = Some(used);
                used += 1;
            }
        }
        let k = used;
        if k == 0 {
            return Err(StatsError::NotEnoughData { what: "at least one design column" });
        }
        let total: Vec<f64> = counts.iter().filter(|&&n| n > 0).map(|&n| n as f64).collect();
        let n: f64 = total.iter().sum();
        if n <= k as f64 {
            return Err(StatsError::NotEnoughData { what: "more complete rows than coefficients" });
        }
        let clusters: u64 = self.patterns.values().map(|p| p.copies).sum();
        if clusters < 2 {
            return Err(StatsError::NotEnoughData { what: "at least 2 clusters" });
        }
        // Patterns in a fixed order, so the sums below do not depend on hashing.
        let mut keys: Vec<&Vec<(usize, u64)>> = self.patterns.keys().collect();
        keys.sort();
        let mut sum = vec![0.0; k];
        for key in &keys {
            for (i, &(c, _)) in key.iter().enumerate() {
                sum[column[c].unwrap_or(0)] += self.patterns[*key].sum[i];
            }
        }
        let coef: Vec<f64> = sum.iter().zip(&total).map(|(s, n)| s / n).collect();
        let mut xtx_inv = Mat::zeros(k, k);
        for c in 0..k {
            xtx_inv[(c, c)] = 1.0 / total[c];
        }
        let mut meat = Mat::zeros(k, k);
        let mut cr2 = Vec::with_capacity(keys.len());
        let mut ss_between = 0.0;
        for key in &keys {
            let p = &self.patterns[*key];
            let cols: Vec<usize> = key.iter().map(|&(c, _)| column[c].unwrap_or(0)).collect();
            let m: Vec<f64> = key.iter().map(|&(_, m)| m as f64).collect();
            let copies = p.copies as f64;
            // The eigenvalue 1 − m/N of I − H_gg on each block, zeroed below the
            // threshold `sym_apply` uses.
            let kk: Vec<f64> = cols
                .iter()
                .zip(&m)
                .map(|(&c, &m)| {
                    let lambda = 1.0 - m / total[c];
                    if lambda > 1e-10 {
                        1.0 / lambda.sqrt()
                    } else {
                        0.0
                    }
                })
                .collect();
            let (mut xax, mut xa2x) = (Mat::zeros(k, k), Mat::zeros(k, k));
            let len = cols.len();
            for i in 0..len {
                let (ci, mi) = (cols[i], m[i] * coef[cols[i]]);
                xax[(ci, ci)] = kk[i] * m[i];
                xa2x[(ci, ci)] = kk[i] * kk[i] * m[i];
                ss_between += p.sq_over_m[i];
                for j in 0..len {
                    let (cj, mj) = (cols[j], m[j] * coef[cols[j]]);
                    // Σ_g (S_gi − m_i μ_i)(S_gj − m_j μ_j) over the pattern's clusters.
                    let cross = p.outer[i * len + j] - mj * p.sum[i] - mi * p.sum[j] + copies * mi * mj;
                    meat[(ci, cj)] += kk[i] * kk[j] * cross;
                }
            }
            cr2.push(Cr2Cluster { xax, xa2x, copies });
        }
        let mut cov = meat;
        for i in 0..k {
            for j in 0..k {
                cov[(i, j)] /= total[i] * total[j];
            }
        }
        // R's "essentially perfect fit" rule, as `fit` applies it: residual variance
        // (within cells) against mean(ŷ)² + var(ŷ).
        let ssw = self.ss + ss_between - sum.iter().zip(&total).map(|(s, n)| s * s / n).sum::<f64>();
        let fitted_mean = sum.iter().sum::<f64>() / n;
        let fitted_var =
            total.iter().zip(&coef).map(|(t, b)| t * (b - fitted_mean) * (b - fitted_mean)).sum::<f64>() / (n - 1.0);
        let perfect_fit = ssw.max(0.0) / (n - k as f64) <= 1e-30 * (fitted_mean * fitted_mean + fitted_var);
        let fit = ClusterOls {
            kind: ClusterCovariance::Cr2,
            coef,
            cov,
            n: n as usize,
            n_clusters: clusters as usize,
            xtx_inv,
            cr2,
            perfect_fit,
        };
        Ok((fit, column))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Rows (cluster, cell, y) from a small deterministic generator; clusters g and
    /// g + 5 have the same counts (their patterns repeat), values differ.
    fn rows(seed: u64, clusters: usize, k: usize) -> Vec<(usize, usize, f64)> {
        let lcg = |x: &mut u64| {
            *x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (*x >> 33) as f64 / (1u64 << 31) as f64
        };
        let mut x = seed;
        let mut out = Vec::new();
        for g in 0..clusters {
            let mut shape = seed.wrapping_add((g % 5) as u64 * 977);
            for c in 0..k {
                // Some clusters lack some cells (every fifth has them all); sizes 1 to 6.
                if g % 5 != 0 && lcg(&mut shape) < 0.25 {
                    continue;
                }
                let m = 1 + (lcg(&mut shape) * 6.0) as usize;
                for _ in 0..m {
                    out.push((g * 7 + 3, c, c as f64 + 2.0 * lcg(&mut x) + g as f64 * 0.3));
                }
            }
        }
        out
    }

    fn model_of(rows: &[(usize, usize, f64)], k: usize) -> CellModel {
        let mut by: BTreeMap<usize, BTreeMap<usize, Vec<f64>>> = BTreeMap::new();
        for &(g, c, y) in rows {
            by.entry(g).or_default().entry(c).or_default().push(y);
        }
        // Two models merged, to test merging.
        let (mut a, mut b) = (CellModel::new(k), CellModel::new(k));
        for (i, (_, cells)) in by.into_iter().enumerate() {
            let sums: Vec<CellSums> = cells
                .into_iter()
                .map(|(cell, ys)| {
                    let n = ys.len();
                    let sum: f64 = ys.iter().sum();
                    let mean = sum / n as f64;
                    CellSums { cell, n: n as u64, sum, ss: ys.iter().map(|y| (y - mean) * (y - mean)).sum() }
                })
                .collect();
            (if i % 2 == 0 { &mut a } else { &mut b }).add_cluster(&sums).unwrap();
        }
        a.merge(b).unwrap();
        a
    }

    fn row_fit(rows: &[(usize, usize, f64)], k: usize) -> ClusterOls {
        let x: Vec<Vec<f64>> =
            rows.iter().map(|&(_, c, _)| (0..k).map(|j| if j == c { 1.0 } else { 0.0 }).collect()).collect();
        let y: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let g: Vec<usize> = rows.iter().map(|r| r.0).collect();
        ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr2).unwrap()
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{what}: {a} vs {b}");
    }

    fn assert_same(a: &ClusterOls, b: &ClusterOls, k: usize) {
        assert_eq!((a.n(), a.n_clusters(), a.k()), (b.n(), b.n_clusters(), b.k()));
        for (x, y) in a.coef().iter().zip(b.coef()) {
            close(*x, *y, "coef");
        }
        for (ra, rb) in a.cov().iter().zip(b.cov()) {
            for (x, y) in ra.iter().zip(&rb) {
                close(*x, *y, "cov");
            }
        }
        let mut c = vec![0.0; k];
        c[k - 1] = 1.0;
        c[0] = -1.0;
        let (ta, tb) = (a.contrast(&c, 0.05).unwrap().unwrap(), b.contrast(&c, 0.05).unwrap().unwrap());
        for (x, y, what) in
            [(ta.se, tb.se, "se"), (ta.df, tb.df, "df"), (ta.p, tb.p, "p"), (ta.ci_low, tb.ci_low, "ci")]
        {
            close(x, y, what);
        }
        if k >= 3 {
            let r2 = [c.clone(), (0..k).map(|j| if j == 1 { 1.0 } else { 0.0 }).collect::<Vec<_>>()];
            match (a.wald_htz(&r2).unwrap(), b.wald_htz(&r2).unwrap()) {
                (Some(x), Some(y)) => {
                    close(x.f, y.f, "htz F");
                    close(x.df2, y.df2, "htz df2");
                    close(x.p, y.p, "htz p");
                }
                (x, y) => assert_eq!(x.is_none(), y.is_none(), "htz defined in one fit only"),
            }
        }
    }

    /// Coefficients, covariance, Satterthwaite tests of contrasts and the HTZ test equal
    /// those of the fit on the rows (clusters missing cells, repeated count patterns).
    #[test]
    fn cell_model_fit_equals_the_row_fit() {
        for (seed, clusters, k) in [(1, 6, 4), (2, 12, 6), (3, 3, 2), (4, 40, 10)] {
            let r = rows(seed, clusters, k);
            let m = model_of(&r, k);
            assert!(m.patterns.len() <= 5, "clusters g and g + 5 share a pattern: {}", m.patterns.len());
            let (a, column) = m.fit().unwrap();
            assert_eq!(column, (0..k).map(Some).collect::<Vec<_>>());
            assert_same(&a, &row_fit(&r, k), k);
        }
    }

    /// A cell held by one cluster only: its CR2 adjustment is the Moore–Penrose one; a
    /// cell without observations gets no column.
    #[test]
    fn a_cell_in_one_cluster_and_an_empty_cell() {
        let mut r = rows(9, 5, 3);
        r.retain(|&(g, c, _)| c != 2 || g == 3);
        r.push((3, 2, 1.5));
        r.push((3, 2, 2.5));
        let (a, _) = model_of(&r, 3).fit().unwrap();
        assert_same(&a, &row_fit(&r, 3), 3);
        // The same rows in cells 0, 1 and 3 of a 4-cell model: cell 2 has no column.
        let shifted: Vec<(usize, usize, f64)> = r.iter().map(|&(g, c, y)| (g, if c == 2 { 3 } else { c }, y)).collect();
        let (b, column) = model_of(&shifted, 4).fit().unwrap();
        assert_eq!(column, [Some(0), Some(1), None, Some(2)]);
        assert_same(&b, &a, 3);
    }

    #[test]
    fn too_little_data_and_bad_cells_are_errors() {
        let s = |cell, n| CellSums { cell, n, sum: n as f64, ss: 0.0 };
        let mut m = CellModel::new(2);
        m.add_cluster(&[s(0, 3)]).unwrap();
        assert!(matches!(m.fit(), Err(StatsError::NotEnoughData { .. })), "one cluster");
        assert!(matches!(m.add_cluster(&[s(2, 3)]), Err(StatsError::InvalidRestriction { .. })));
        assert!(matches!(m.add_cluster(&[s(1, 3), s(1, 2)]), Err(StatsError::InvalidRestriction { .. })));
        assert!(matches!(m.clone().merge(CellModel::new(3)), Err(StatsError::InvalidRestriction { .. })));
        assert!(matches!(CellModel::new(2).fit(), Err(StatsError::NotEnoughData { .. })));
        // Constant cells: a perfect fit, every test None.
        m.add_cluster(&[s(0, 3)]).unwrap();
        let (f, _) = m.fit().unwrap();
        assert!(f.is_perfect_fit() && f.coef_test(0, 0.05).unwrap().is_none());
        assert_eq!(m.counts(), [6, 0]);
    }
}
