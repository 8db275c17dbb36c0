//! Participant flow (a CONSORT diagram as a table) and the attrition standard of the
//! transfer claims.
//!
//! In: per enrollment of a class, which measurements it has ([`Reached`]); per control
//! group, how many cadres were eligible and how many had each review ([`ControlFlow`]).
//! Out: the counts at each stage and the attrition figures with the WWC v5.0 cautious
//! boundary ([`Attrition`]).
//!
//! Stages of trainees ([`TRAINED_STAGES`]), each a count of enrollment rows: enrolled
//! (every row) → completed → pre (scored at the pre wave) → post → pair (pre and post)
//! → follow_3m, follow_6m, follow_12m (scored at that wave) → review_before (a review
//! before the start) → review_after (a review before *and* one from end + lag on: the
//! analysed sample of the difference in differences). Survey stages are not nested in
//! one another (a trainee may answer post without pre); pair ⊆ pre ∩ post and
//! review_after ⊆ review_before are.
//! Stages of controls ([`CONTROL_STAGES`]): eligible (see `transfer.rs`) → review_before
//! → review_after (both reviews, no class of theirs between the two).
//!
//! Attrition is judged on the review_after stage, the sample the DiD analyses: trained
//! attrition = 1 − review_after/enrolled, control attrition = 1 − review_after/eligible,
//! overall = 1 − (both review_after)/(enrolled + eligible), differential = trained −
//! control; `ok` = [`crate::stats::wwc_attrition_ok`] (|differential| within the
//! cautious boundary for the overall rate).

use crate::stats;

/// Trainee stages, in flow order.
pub const TRAINED_STAGES: [&str; 10] = [
    "enrolled",
    "completed",
    "pre",
    "post",
    "pair",
    "follow_3m",
    "follow_6m",
    "follow_12m",
    "review_before",
    "review_after",
];
/// Control stages, in flow order.
pub const CONTROL_STAGES: [&str; 3] = ["eligible", "review_before", "review_after"];
/// `group` of trainee rows.
pub const TRAINED: &str = "trained";
/// `group` of control rows.
pub const CONTROL: &str = "control";
/// Index of the analysed stage (review_after) in [`TRAINED_STAGES`].
pub const TRAINED_ANALYSED: usize = 9;

/// What one enrollment reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reached {
    pub completed: bool,
    pub pre: bool,
    pub post: bool,
    pub follow_3m: bool,
    pub follow_6m: bool,
    pub follow_12m: bool,
    pub review_before: bool,
    /// A review before and one after.
    pub review_after: bool,
}

/// Trainee counts at each of [`TRAINED_STAGES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrainedFlow(pub [usize; 10]);

impl TrainedFlow {
    pub fn add(&mut self, r: &Reached) {
        let at = [
            true,
            r.completed,
            r.pre,
            r.post,
            r.pre && r.post,
            r.follow_3m,
            r.follow_6m,
            r.follow_12m,
            r.review_before,
            r.review_before && r.review_after,
        ];
        for (n, hit) in self.0.iter_mut().zip(at) {
            *n += usize::from(hit);
        }
    }

    pub fn merge(&mut self, other: &TrainedFlow) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }

    pub fn enrolled(&self) -> usize {
        self.0[0]
    }

    pub fn analysed(&self) -> usize {
        self.0[TRAINED_ANALYSED]
    }
}

/// Control counts at each of [`CONTROL_STAGES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ControlFlow {
    pub eligible: usize,
    pub review_before: usize,
    pub review_after: usize,
}

impl ControlFlow {
    pub fn stages(&self) -> [usize; 3] {
        [self.eligible, self.review_before, self.review_after]
    }
}

/// Attrition of the analysed sample, trained against control.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Attrition {
    pub trained: Option<f64>,
    pub control: Option<f64>,
    pub overall: Option<f64>,
    /// trained − control (positive: trainees were lost more often).
    pub differential: Option<f64>,
    /// Low attrition under the WWC cautious boundary; `None` when a group is empty.
    pub ok: Option<bool>,
}

/// The attrition figures of a trained group against its controls (see the module doc).
pub fn attrition(t: &TrainedFlow, c: &ControlFlow) -> Attrition {
    let share_lost = |kept: usize, of: usize| (of > 0).then(|| 1.0 - kept as f64 / of as f64);
    let trained = share_lost(t.analysed(), t.enrolled());
    let control = share_lost(c.review_after, c.eligible);
    let overall = share_lost(t.analysed() + c.review_after, t.enrolled() + c.eligible);
    let differential = trained.zip(control).map(|(a, b)| a - b);
    let ok = match (overall, differential) {
        (Some(o), Some(d)) if trained.is_some() && control.is_some() => Some(stats::wwc_attrition_ok(o, d)),
        _ => None,
    };
    Attrition { trained, control, overall, differential, ok }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_count_enrollments_and_nest_the_pairs() {
        let mut f = TrainedFlow::default();
        let r = |pre, post, before, after| Reached {
            completed: true,
            pre,
            post,
            review_before: before,
            review_after: after,
            ..Default::default()
        };
        f.add(&r(true, true, true, true));
        f.add(&r(true, false, true, false));
        f.add(&r(false, true, false, true)); // an "after" without a before is not analysed
        f.add(&Reached::default());
        assert_eq!(f.0, [4, 3, 2, 2, 1, 0, 0, 0, 2, 1]);
        assert_eq!((f.enrolled(), f.analysed()), (4, 1));
    }

    #[test]
    fn attrition_against_the_cautious_boundary() {
        // 100 trainees, 92 analysed; 1000 controls, 920: 8 % each, no differential.
        let t = TrainedFlow([100, 0, 0, 0, 0, 0, 0, 0, 100, 92]);
        let a = attrition(&t, &ControlFlow { eligible: 1000, review_before: 1000, review_after: 920 });
        assert_eq!(a.ok, Some(true));
        assert!((a.overall.unwrap() - 0.08).abs() < 1e-12 && a.differential.unwrap().abs() < 1e-12);
        // 35 % against 5 %: 30 points, far beyond any boundary.
        let t = TrainedFlow([100, 0, 0, 0, 0, 0, 0, 0, 100, 65]);
        let a = attrition(&t, &ControlFlow { eligible: 1000, review_before: 1000, review_after: 950 });
        assert_eq!(a.ok, Some(false));
        assert!((a.differential.unwrap() - 0.30).abs() < 1e-12);
        // At an overall 10 % the boundary is 6.3 points: 6 points differential passes.
        let t = TrainedFlow([1000, 0, 0, 0, 0, 0, 0, 0, 1000, 860]);
        let a = attrition(&t, &ControlFlow { eligible: 1000, review_before: 1000, review_after: 920 });
        assert!((a.overall.unwrap() - 0.11).abs() < 1e-12);
        assert_eq!(a.ok, Some(true));
        assert_eq!(attrition(&t, &ControlFlow::default()).ok, None, "no controls: not judged");
    }
}
