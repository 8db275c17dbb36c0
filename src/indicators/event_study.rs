//! The transfer event study: review scores of trainees and of their controls at the
//! reviews before and after a class, relative to the review just before it.
//!
//! **Relative periods** (SPEC §7.2) of one person around one class, from the person's
//! reviews sorted by (date, kind): −1 is the latest review dated before the class's
//! start, −2 and −3 the two reviews before that one; 0 is the first review dated on or
//! after end + lag (the review "after" of SPEC App. C.12), +1 and +2 the two after it.
//! Reviews between −1 and 0 (during the class and the lag) belong to no period.
//!
//! **Model** (stacked by class). Each class k of the period is a stack: its trainees
//! and its eligible controls (see `transfer.rs`), each contributing at every period
//! r ∈ {−3, −2, 0, +1, +2} where it has a review the outcome
//! `y = score(r) − score(−1)` (the −1 review is the reference, so it is 0 there and
//! enters no row). A control's observation is left out when one of its classes (of any
//! year) lies between the two reviews compared (SPEC §7.2 "no class between its own two
//! reviews", applied to each pair compared). Over the stacks of a row group (one
//! target category, or all classes) the regression is
//!
//! `y = Σ_r α_r·[period r] + Σ_r β_r·[period r]·trained + e`,
//!
//! i.e. `lm(y ~ 0 + factor(rel) + factor(rel):trained)`; it is saturated (a mean per
//! period and group), so β_r = mean trainee change − mean control change from −1 to r:
//! at r = 0 the difference in differences of `transfer_by_class` pooled over the
//! classes. Standard errors are CR2 (Bell–McCaffrey), t on the Satterthwaite df;
//! `pretrend_p` is the HTZ Wald test (Pustejovsky & Tipton 2018) of β_−3 = β_−2 = 0
//! (of the one that is estimable when only one is).
//!
//! **Clusters.** The trainees of a class are one cluster (they share the class). A
//! control serves every class of its category, so its reviews enter many stacks: each
//! control is one cluster holding all its copies. Clustering those copies by stack
//! instead treats one person's repeated reviews as independent draws; on clean
//! generated sets (3,000 cadres, seeds 101–120) that put the pre-trend test at p < 0.10
//! in 11 of 20 sets, against 3 of 20 with the clusters here (`docs/indicators.md`,
//! `transfer_check_rates_over_seeds`).
//! The fit comes from per-cluster sums ([`crate::stats::CellModel`]): a class's
//! trainees per period, a control's observations over its classes (a class's
//! observation counted once per class sharing its dates), so its cost does not grow
//! with the stacked control rows (~10⁹ at 10⁶ cadres). Checked against R clubSandwich on
//! generated sets (`tests/data/r/transfer_event.R`).
//!
//! In: per person, its reviews as `(day, score)` sorted by (date, kind), and for a
//! control the days of its classes; per class its trainees' changes ([`Stack`]), per
//! control its sums over the classes it serves ([`ControlSums`]).
//! Out: [`changes`] of one person; the [`Design`] of a row group and its [`EventFit`].
//! Nothing here reads frames.

use crate::stats::{Accumulator, CellModel, CellSums, HtzTest, StatsError, TTest};

/// The relative periods published, reference included.
pub const REL_PERIODS: [i32; 6] = [-3, -2, -1, 0, 1, 2];
/// The reference period.
pub const REFERENCE: i32 = -1;
/// The periods with a regression row, in cell order.
pub const PERIODS: [i32; 5] = [-3, -2, 0, 1, 2];
/// The periods before the class (the pre-trend test), as indices into [`PERIODS`].
const PRE: [usize; 2] = [0, 1];
/// Index of period 0 (the DiD) in [`PERIODS`].
pub const AT_ZERO: usize = 2;

/// One person's reviews around one class.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Changes {
    /// The −1 review (day, score).
    pub before: Option<(i32, f64)>,
    /// The 0 review (day, score), when there is a −1 review and no class of the person
    /// lies between the two.
    pub after: Option<(i32, f64)>,
    /// A class of the person lies between its −1 and 0 reviews (for a control: not a
    /// control of this class).
    pub contaminated: bool,
    /// `score(r) − score(−1)` at each of [`PERIODS`] (None: no such review, or a class
    /// between the two).
    pub y: [Option<f64>; 5],
}

/// The reviews of `h` (sorted by (day, kind)) around a class starting on day `start`
/// whose reviews count as "after" from day `threshold` (end + lag) on; `classes` are
/// the person's classes as (start, end) days whose lying between two compared reviews
/// voids the comparison (empty for a trainee: its own class is the treatment).
pub fn changes(h: &[(i32, f64)], start: i32, threshold: i32, classes: &[(i32, i32)]) -> Changes {
    let mut out = Changes::default();
    let Some(b) = h.iter().rposition(|r| r.0 < start) else { return out };
    // The first review from the threshold on, after −1 (a threshold before the start
    // only happens with an end before the start, which validation rejects).
    let a = h.iter().position(|r| r.0 >= threshold).filter(|&a| a > b);
    let (tb, sb) = h[b];
    // A class overlapping the open interval between the two review days.
    let between = |t: i32| classes.iter().any(|&(cs, ce)| ce > t.min(tb) && cs < t.max(tb));
    for (p, &rel) in PERIODS.iter().enumerate() {
        let at = if rel < 0 { b.checked_sub((REFERENCE - rel) as usize) } else { a.map(|a| a + rel as usize) };
        if let Some(&(t, s)) = at.and_then(|i| h.get(i)) {
            if !between(t) {
                out.y[p] = Some(s - sb);
            }
        }
    }
    out.before = Some((tb, sb));
    if let Some(a) = a {
        out.contaminated = between(h[a].0);
        out.after = (!out.contaminated).then_some(h[a]);
    }
    out
}

/// The trainees of one class: their changes at each of [`PERIODS`], and how many have
/// the −1 review. One cluster of the model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stack {
    pub trained: [Accumulator; 5],
    /// Trainees with a −1 review.
    pub reference: usize,
}

impl Stack {
    /// Add a trainee's changes.
    pub fn add(&mut self, c: &Changes) {
        self.reference += usize::from(c.before.is_some());
        for (acc, y) in self.trained.iter_mut().zip(c.y) {
            acc.push(y.unwrap_or(f64::NAN));
        }
    }
}

/// One control's observations over every class of a row group it serves (a class's
/// observations counted `copies` times when that many classes share its dates). One
/// cluster of the model: the copies of one person's reviews are not independent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ControlSums {
    pub n: [u64; 5],
    pub sum: [f64; 5],
    pub sum_sq: [f64; 5],
    /// Observations of the −1 review.
    pub reference: u64,
}

impl ControlSums {
    /// Add the control's changes around `copies` classes with the same dates; nothing
    /// when it is contaminated (a class of its own between its −1 and 0 reviews: no
    /// control of those classes).
    pub fn add(&mut self, c: &Changes, copies: u64) {
        if c.contaminated || copies == 0 {
            return;
        }
        self.reference += copies * u64::from(c.before.is_some());
        let w = copies as f64;
        for (p, y) in c.y.iter().enumerate() {
            if let Some(y) = y {
                self.n[p] += copies;
                self.sum[p] += w * y;
                self.sum_sq[p] += w * y * y;
            }
        }
    }
}

/// The stacked design of one row group: its classes' trainees and its controls.
/// Cells: period p's controls are cell 2p, its trainees cell 2p + 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    model: CellModel,
    trained: [Accumulator; 5],
    control_n: [u64; 5],
    control_sum: [f64; 5],
    trained_reference: usize,
    control_reference: u64,
    /// Classes with a trainee observed at period 0.
    n_classes: usize,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            model: CellModel::new(2 * PERIODS.len()),
            trained: [Accumulator::new(); 5],
            control_n: [0; 5],
            control_sum: [0.0; 5],
            trained_reference: 0,
            control_reference: 0,
            n_classes: 0,
        }
    }
}

impl Design {
    /// Add a class's trainees (one cluster).
    ///
    /// # Errors
    /// Only on a bug (a cell out of range).
    pub fn add_class(&mut self, s: &Stack) -> Result<(), StatsError> {
        let cells: Vec<CellSums> = (0..PERIODS.len())
            .filter(|&p| s.trained[p].n() > 0)
            .map(|p| {
                let a = &s.trained[p];
                let ss = a.variance().map_or(0.0, |v| v * (a.n() - 1) as f64);
                CellSums { cell: 2 * p + 1, n: a.n() as u64, sum: a.sum(), ss }
            })
            .collect();
        self.model.add_cluster(&cells)?;
        for (t, a) in self.trained.iter_mut().zip(&s.trained) {
            t.merge(a);
        }
        self.trained_reference += s.reference;
        self.n_classes += usize::from(s.trained[AT_ZERO].n() > 0);
        Ok(())
    }

    /// Add a control (one cluster).
    ///
    /// # Errors
    /// Only on a bug (a cell out of range).
    pub fn add_control(&mut self, c: &ControlSums) -> Result<(), StatsError> {
        let cells: Vec<CellSums> = (0..PERIODS.len())
            .filter(|&p| c.n[p] > 0)
            .map(|p| {
                let ss = (c.sum_sq[p] - c.sum[p] * c.sum[p] / c.n[p] as f64).max(0.0);
                CellSums { cell: 2 * p, n: c.n[p], sum: c.sum[p], ss }
            })
            .collect();
        self.model.add_cluster(&cells)?;
        for p in 0..PERIODS.len() {
            self.control_n[p] += c.n[p];
            self.control_sum[p] += c.sum[p];
        }
        self.control_reference += c.reference;
        Ok(())
    }

    /// Add another group's classes and controls (disjoint from these).
    ///
    /// # Errors
    /// Only on a bug (designs of different cells).
    pub fn merge(&mut self, other: Design) -> Result<(), StatsError> {
        self.model.merge(other.model)?;
        for p in 0..PERIODS.len() {
            self.trained[p].merge(&other.trained[p]);
            self.control_n[p] += other.control_n[p];
            self.control_sum[p] += other.control_sum[p];
        }
        self.trained_reference += other.trained_reference;
        self.control_reference += other.control_reference;
        self.n_classes += other.n_classes;
        Ok(())
    }

    /// The event study of the group (see the module doc): β_r at every period observed
    /// on both sides, with CR2 inference when the fit is identified (at least 2
    /// clusters, more observations than cells, not a perfect fit), and the pre-trend
    /// test.
    ///
    /// # Errors
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn fit(&self, alpha: f64) -> Result<EventFit, StatsError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(StatsError::InvalidAlpha(alpha));
        }
        let model = match self.model.fit() {
            Ok(m) => Some(m),
            Err(StatsError::NotEnoughData { .. }) => None,
            Err(e) => return Err(e),
        };
        // The contrast trained − control of period p, when both cells have a column.
        let contrast = |p: usize| -> Option<Vec<f64>> {
            let (fit, column) = model.as_ref()?;
            let (c, t) = (column[2 * p]?, column[2 * p + 1]?);
            let mut v = vec![0.0; fit.k()];
            v[c] = -1.0;
            v[t] = 1.0;
            Some(v)
        };
        let mut periods = Vec::with_capacity(REL_PERIODS.len());
        for &rel in &REL_PERIODS {
            let Some(p) = PERIODS.iter().position(|&r| r == rel) else {
                periods.push(PeriodFit {
                    rel,
                    n_trained: self.trained_reference,
                    n_control: self.control_reference as usize,
                    estimate: Some(0.0),
                    test: None,
                });
                continue;
            };
            let control = (self.control_n[p] > 0).then(|| self.control_sum[p] / self.control_n[p] as f64);
            let estimate = self.trained[p].mean().zip(control).map(|(t, c)| t - c);
            let test = match (&model, contrast(p)) {
                (Some((fit, _)), Some(c)) => fit.contrast(&c, alpha)?,
                _ => None,
            };
            periods.push(PeriodFit {
                rel,
                n_trained: self.trained[p].n(),
                n_control: self.control_n[p] as usize,
                estimate,
                test,
            });
        }
        let pre: Vec<Vec<f64>> = PRE.iter().filter_map(|&p| contrast(p)).collect();
        let pretrend = match &model {
            Some((fit, _)) if !pre.is_empty() => fit.wald_htz(&pre)?,
            _ => None,
        };
        Ok(EventFit { periods, pretrend, n_classes: self.n_classes })
    }
}

/// The estimate at one relative period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodFit {
    pub rel: i32,
    /// Trainee observations (a trainee counts once per class it is in).
    pub n_trained: usize,
    /// Control observations (a control counts once per class it serves).
    pub n_control: usize,
    /// β_r = mean trainee change − mean control change (0 at the reference).
    pub estimate: Option<f64>,
    /// CR2 standard error, Satterthwaite df, p and interval of β_r.
    pub test: Option<TTest>,
}

/// The event study of one row group.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFit {
    /// One per [`REL_PERIODS`], in order.
    pub periods: Vec<PeriodFit>,
    /// The HTZ test of the pre-class coefficients.
    pub pretrend: Option<HtzTest>,
    /// Classes with a trainee observed at period 0.
    pub n_classes: usize,
}

impl EventFit {
    /// The period-0 row: the pooled difference in differences.
    pub fn did(&self) -> &PeriodFit {
        &self.periods[REL_PERIODS.iter().position(|&r| r == 0).unwrap_or(3)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_count_reviews_back_from_the_start_and_on_from_the_threshold() {
        // Reviews every 100 days; a class from day 450 with its threshold at day 560.
        let h: Vec<(i32, f64)> = (1..=9).map(|k| (k * 100, 70.0 + k as f64)).collect();
        let c = changes(&h, 450, 560, &[]);
        // −1 = day 400; −2, −3 = 300, 200; day 500 falls in the lag; 0 = 600, then 700, 800.
        assert_eq!(c.before, Some((400, 74.0)));
        assert_eq!(c.after, Some((600, 76.0)));
        assert_eq!(c.y, [Some(-2.0), Some(-1.0), Some(2.0), Some(3.0), Some(4.0)]);
        assert!(!c.contaminated);
        // A review on the start day is not before it; one on the threshold is after.
        let c = changes(&h, 400, 600, &[]);
        assert_eq!((c.before, c.after), (Some((300, 73.0)), Some((600, 76.0))));
        // Missing periods at the ends of the history.
        let c = changes(&h[..5], 250, 420, &[]);
        assert_eq!(c.y, [None, Some(-1.0), Some(3.0), None, None]);
        assert_eq!(changes(&h, 50, 60, &[]), Changes::default(), "nothing before: no row");
    }

    #[test]
    fn a_class_between_two_compared_reviews_voids_that_comparison() {
        let h: Vec<(i32, f64)> = (1..=9).map(|k| (k * 100, 70.0 + k as f64)).collect();
        // Another class from day 620 to 640: between −1 (400) and +1 (700), +2 (800),
        // not between −1 and 0 (600), nor in the pre-periods.
        let c = changes(&h, 450, 560, &[(620, 640)]);
        assert_eq!(c.y, [Some(-2.0), Some(-1.0), Some(2.0), None, None]);
        assert!(!c.contaminated && c.after.is_some());
        // One between −1 and 0: contaminated, and every later comparison void.
        let c = changes(&h, 450, 560, &[(520, 530)]);
        assert!(c.contaminated && c.after.is_none());
        assert_eq!(c.y, [Some(-2.0), Some(-1.0), None, None, None]);
        // One in the washout before −1 voids the pre-period comparisons only.
        let c = changes(&h, 450, 560, &[(350, 360)]);
        assert_eq!(c.y, [None, None, Some(2.0), Some(3.0), Some(4.0)]);
        // A class ending on a review's day lies before it, not between it and the next.
        let c = changes(&h, 450, 560, &[(300, 400)]);
        assert!(!c.contaminated);
        assert_eq!(c.y, [None, None, Some(2.0), Some(3.0), Some(4.0)]);
    }

    fn obs(y: [Option<f64>; 5]) -> Changes {
        Changes { before: Some((0, 0.0)), y, ..Default::default() }
    }

    /// The estimates are the differences of the trainees' and controls' mean changes,
    /// and equal the row fit of `y ~ 0 + period + period:trained` with each class's
    /// trainees one cluster and each control, with all its copies, another.
    #[test]
    fn estimates_are_mean_differences_and_equal_the_row_fit() {
        let v = |a: f64, b: f64, c: f64| [Some(a), Some(b), Some(c), Some(c + 1.0), None];
        let classes: [Vec<[Option<f64>; 5]>; 3] = [
            vec![v(-1.0, 0.5, 4.0), v(0.0, -0.5, 5.5), v(-2.0, 0.0, 3.0)],
            vec![v(-0.5, 0.0, 6.0), v(1.0, 1.5, 2.0)],
            vec![v(0.0, 1.0, 4.5), v(-1.0, -1.0, 3.5), v(0.5, 0.0, 5.0)],
        ];
        // Each control: its observations and how many classes share them.
        let controls: Vec<Vec<([Option<f64>; 5], u64)>> = vec![
            vec![(v(-1.5, -0.5, 1.0), 3)],
            vec![(v(-0.5, -1.0, 0.5), 1)],
            vec![(v(-2.0, -1.0, 1.5), 2)],
            vec![(v(0.0, 0.5, 0.0), 3)],
            vec![(v(-1.0, 0.0, 2.5), 1), (v(-1.0, 0.5, 2.0), 2)],
        ];
        let mut d = Design::default();
        for t in &classes {
            let mut s = Stack::default();
            t.iter().for_each(|y| s.add(&obs(*y)));
            d.add_class(&s).unwrap();
        }
        for c in &controls {
            let mut sums = ControlSums::default();
            c.iter().for_each(|(y, copies)| sums.add(&obs(*y), *copies));
            // A contaminated observation adds nothing.
            sums.add(&Changes { contaminated: true, ..obs(v(9.0, 9.0, 9.0)) }, 4);
            d.add_control(&sums).unwrap();
        }
        let f = d.fit(0.05).unwrap();
        assert_eq!(f.periods.iter().map(|p| p.rel).collect::<Vec<_>>(), REL_PERIODS);
        assert_eq!(f.periods[2].estimate, Some(0.0));
        assert_eq!((f.periods[2].n_trained, f.periods[2].n_control), (8, 12));
        let p2 = &f.periods[5];
        assert_eq!((p2.n_trained, p2.n_control, p2.estimate), (0, 0, None), "no one observed at +2");
        // The row fit: cells (control, trained) of the periods −3, −2, 0, +1.
        let (mut x, mut y, mut g) = (Vec::new(), Vec::new(), Vec::new());
        let mut push = |obs: &[Option<f64>; 5], side: usize, cluster: usize| {
            for (j, v) in obs.iter().take(4).enumerate() {
                let mut row = vec![0.0; 8];
                row[2 * j + side] = 1.0;
                x.push(row);
                y.push(v.unwrap());
                g.push(cluster);
            }
        };
        for (k, t) in classes.iter().enumerate() {
            t.iter().for_each(|o| push(o, 1, k));
        }
        for (i, c) in controls.iter().enumerate() {
            for (o, copies) in c {
                (0..*copies).for_each(|_| push(o, 0, 100 + i));
            }
        }
        let m = crate::stats::ClusterOls::fit(&x, &y, &g, crate::stats::ClusterCovariance::Cr2).unwrap();
        let contrast = |j: usize| {
            let mut c = vec![0.0; 8];
            c[2 * j] = -1.0;
            c[2 * j + 1] = 1.0;
            c
        };
        for (j, rel) in [-3, -2, 0, 1].into_iter().enumerate() {
            let want = m.contrast(&contrast(j), 0.05).unwrap().unwrap();
            let got = f.periods.iter().find(|p| p.rel == rel).unwrap();
            assert!((got.estimate.unwrap() - want.estimate).abs() < 1e-12, "{rel}");
            let t = got.test.unwrap();
            assert!((t.se - want.se).abs() < 1e-12 && (t.df - want.df).abs() < 1e-9, "{rel}: {t:?} vs {want:?}");
        }
        let htz = m.wald_htz(&[contrast(0), contrast(1)]).unwrap();
        let (a, b) = (f.pretrend.unwrap(), htz.unwrap());
        assert!((a.p - b.p).abs() < 1e-12 && (a.df2 - b.df2).abs() < 1e-9, "{a:?} vs {b:?}");
        assert_eq!(f.n_classes, 3);
        // Merging two halves gives the same fit.
        let (mut left, mut right) = (Design::default(), Design::default());
        for (k, t) in classes.iter().enumerate() {
            let mut s = Stack::default();
            t.iter().for_each(|y| s.add(&obs(*y)));
            (if k == 0 { &mut left } else { &mut right }).add_class(&s).unwrap();
        }
        for (i, c) in controls.iter().enumerate() {
            let mut sums = ControlSums::default();
            c.iter().for_each(|(y, copies)| sums.add(&obs(*y), *copies));
            (if i < 2 { &mut left } else { &mut right }).add_control(&sums).unwrap();
        }
        left.merge(right).unwrap();
        assert_eq!(left.fit(0.05).unwrap(), f);
    }

    #[test]
    fn one_cluster_has_estimates_but_no_inference() {
        let mut s = Stack::default();
        s.add(&obs([Some(1.0); 5]));
        s.add(&obs([Some(2.0); 5]));
        let mut d = Design::default();
        d.add_class(&s).unwrap();
        let f = d.fit(0.05).unwrap();
        assert_eq!(f.did().estimate, None, "no controls");
        let mut c = ControlSums::default();
        c.add(&obs([Some(0.25); 5]), 3);
        d.add_control(&c).unwrap();
        let f = d.fit(0.05).unwrap();
        assert_eq!(f.did().estimate, Some(1.25));
        assert!(f.did().test.is_none() && f.pretrend.is_none(), "each side one whole cluster: no variance estimate");
        assert!(d.fit(1.0).is_err());
    }
}
