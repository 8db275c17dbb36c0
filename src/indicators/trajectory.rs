//! The competence trajectory: the outcome scale's mean at each wave (pre, post and the
//! 3-, 6- and 12-month follow-ups), for every class and for all classes pooled.
//!
//! In: `trainee_outcomes` (class_id and the five wave scores) and `classes`.
//! Out: `trajectory`, one row per (scope, class, wave): `scope = "class"` rows are a
//! class's trainees scored at that wave (a t interval: they are independent within
//! the class); `scope = "all"` rows pool every class, with the interval clustered by
//! class (CR2, Satterthwaite df), the intraclass correlation and the design effect.
//! Each wave counts the trainees scored at it, so the waves' groups differ (attrition).
//!
//! Disclosure: each pooled row is a margin of the class rows of its wave, protected by
//! [`super::suppress::Disclosure`] like every other margin, so a class's withheld wave
//! cannot be recovered from the pooled curve.

use polars::prelude::*;
use rayon::prelude::*;

use super::engine::{f64s, index_by, serr, strs, Out};
use super::suppress::{suppress, Disclosure};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, StatsError};

/// The waves of the trajectory and the `trainee_outcomes` column of each.
pub const WAVES: [(&str, &str); 5] = [
    ("pre", col::PRE_SCORE),
    ("post", col::POST_SCORE),
    ("follow_3m", col::FOLLOW_3M),
    ("follow_6m", col::FOLLOW_6M),
    ("follow_12m", col::FOLLOW_12M),
];

/// `scope` of the pooled rows.
pub const ALL: &str = "all";
/// `scope` of a class's rows.
pub const CLASS: &str = "class";

/// One point of a trajectory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Point {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub n_classes: usize,
    pub icc: Option<f64>,
    pub design_effect: Option<f64>,
}

/// One class's scores at a wave: mean, sd and t interval.
pub fn class_point(scores: &[f64], alpha: f64) -> Result<Point, StatsError> {
    let s = stats::describe(scores, alpha)?;
    Ok(Point {
        n: s.n,
        mean: s.mean,
        sd: s.sd,
        ci_low: s.ci_low,
        ci_high: s.ci_high,
        n_classes: usize::from(s.n > 0),
        icc: None,
        design_effect: None,
    })
}

/// Scores at a wave pooled over classes (`class[i]` any id of score i's class): mean,
/// sd, the interval clustered by class, the ICC and the design effect.
pub fn pooled_point(scores: &[f64], class: &[usize], alpha: f64) -> Result<Point, StatsError> {
    let s = stats::describe(scores, alpha)?;
    let m = stats::clustered_mean(scores, class, alpha)?;
    let mean_size = (m.n_clusters > 0).then(|| m.n as f64 / m.n_clusters as f64);
    Ok(Point {
        n: s.n,
        mean: s.mean,
        sd: s.sd,
        ci_low: m.test.map(|t| t.ci_low),
        ci_high: m.test.map(|t| t.ci_high),
        n_classes: m.n_clusters,
        icc: m.icc,
        design_effect: mean_size.zip(m.icc).and_then(|(size, icc)| stats::design_effect(size, icc)),
    })
}

/// `trajectory`: the pooled rows (one per wave), then every class's rows (classes in
/// class_id order, waves in order).
pub fn trajectory(outcomes: &DataFrame, classes: &DataFrame, ctx: &Params) -> Result<DataFrame, IndicatorError> {
    const T: &str = "trajectory";
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let scores: Vec<Vec<Option<f64>>> = WAVES.iter().map(|w| f64s(outcomes, w.1, T)).collect::<Result<_, _>>()?;
    let c_class = strs(classes, col::CLASS_ID, T)?;
    let mut ids: Vec<&str> = c_class.iter().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let number: rustc_hash::FxHashMap<&str, usize> = ids.iter().enumerate().map(|(k, c)| (*c, k)).collect();
    let empty: Vec<usize> = Vec::new();

    let pooled: Vec<Point> = (0..WAVES.len())
        .into_par_iter()
        .map(|w| {
            // Rows of a class outside `classes` form one cluster of their own.
            let (v, cl): (Vec<f64>, Vec<usize>) = (0..outcomes.height())
                .filter_map(|i| {
                    Some((scores[w][i]?, o_class[i].and_then(|c| number.get(c).copied()).unwrap_or(usize::MAX)))
                })
                .unzip();
            pooled_point(&v, &cl, ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, _>>()?;
    let cells: Vec<(usize, usize)> = (0..ids.len()).flat_map(|k| (0..WAVES.len()).map(move |w| (k, w))).collect();
    let per_class: Vec<Point> = cells
        .par_iter()
        .map(|&(k, w)| {
            let rows = by_class.get(ids[k]).unwrap_or(&empty);
            let v: Vec<f64> = rows.iter().filter_map(|&i| scores[w][i]).collect();
            class_point(&v, ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, _>>()?;

    let mut d = Disclosure::new(ctx.min_cell);
    let count = |p: &Point| Some(p.n as i64);
    let first_pooled = d.cells(&pooled.iter().map(count).collect::<Vec<_>>());
    let first_class = d.cells(&per_class.iter().map(count).collect::<Vec<_>>());
    for w in 0..WAVES.len() {
        d.margin(first_pooled + w, (0..ids.len()).map(|k| first_class + k * WAVES.len() + w).collect());
    }
    let status = d.protect();

    let points: Vec<&Point> = pooled.iter().chain(&per_class).collect();
    let scope = (0..WAVES.len()).map(|_| Some(ALL)).chain(cells.iter().map(|_| Some(CLASS)));
    let class_id = (0..WAVES.len()).map(|_| None).chain(cells.iter().map(|&(k, _)| Some(ids[k])));
    let wave = (0..WAVES.len()).map(|w| Some(WAVES[w].0)).chain(cells.iter().map(|&(_, w)| Some(WAVES[w].0)));
    let df = Out::new(points.len())
        .str(col::SCOPE, scope)
        .str(col::CLASS_ID, class_id)
        .str(col::WAVE, wave)
        .int(col::N, points.iter().map(|p| Some(p.n as i64)))
        .f64(col::MEAN, points.iter().map(|p| p.mean))
        .f64(col::SD, points.iter().map(|p| p.sd))
        .f64(col::CI_LOW, points.iter().map(|p| p.ci_low))
        .f64(col::CI_HIGH, points.iter().map(|p| p.ci_high))
        .int(col::N_CLASSES, points.iter().map(|p| Some(p.n_classes as i64)))
        .f64(col::ICC, points.iter().map(|p| p.icc))
        .f64(col::DESIGN_EFFECT, points.iter().map(|p| p.design_effect))
        .finish(T)?;
    suppress(df, &status, &[col::SCOPE, col::CLASS_ID, col::WAVE], T)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IndicatorSettings, PipelineFile};

    #[test]
    fn pooled_rows_protect_the_class_rows_of_their_wave() {
        // A: 6 trainees scored at pre, 3 of them at follow_3m; B: 6 and 6.
        let outcomes = df!(
            "class_id" => ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"],
            "pre_score" => [40.0, 50.0, 45.0, 55.0, 60.0, 42.0, 41.0, 52.0, 48.0, 57.0, 61.0, 44.0],
            "post_score" => [None::<f64>; 12],
            "follow_3m_score" => [Some(60.0), Some(70.0), Some(65.0), None, None, None, Some(61.0), Some(72.0), Some(68.0), Some(77.0), Some(71.0), Some(64.0)],
            "follow_6m_score" => [None::<f64>; 12],
            "follow_12m_score" => [None::<f64>; 12]
        )
        .unwrap();
        let classes = df!("class_id" => ["B", "A"]).unwrap();
        let settings = PipelineFile { indicators: IndicatorSettings::default(), ..Default::default() };
        let t = trajectory(&outcomes, &classes, &Params::new(&settings, "2025")).unwrap();
        assert_eq!(t.height(), 5 + 2 * 5);
        let get = |c: &str| -> Vec<Option<String>> {
            t.column(c)
                .unwrap()
                .cast(&DataType::String)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|s| s.map(str::to_string))
                .collect()
        };
        let (scope, class, wave, kind) = (get("scope"), get("class_id"), get("wave"), get("suppression"));
        let row = |s: &str, c: Option<&str>, w: &str| {
            (0..t.height())
                .find(|&i| scope[i].as_deref() == Some(s) && class[i].as_deref() == c && wave[i].as_deref() == Some(w))
                .unwrap()
        };
        // A's 3 at follow_3m are withheld, B's 6 with them (else all − B = A); the pooled
        // follow_3m row (9 people) stays.
        assert_eq!(kind[row(CLASS, Some("A"), "follow_3m")].as_deref(), Some("primary"));
        assert_eq!(kind[row(CLASS, Some("B"), "follow_3m")].as_deref(), Some("secondary"));
        assert_eq!(kind[row(ALL, None, "follow_3m")], None);
        assert_eq!(kind[row(CLASS, Some("A"), "pre")], None);
        let n = t.column("n").unwrap().i64().unwrap().get(row(ALL, None, "follow_3m"));
        assert_eq!(n, Some(9));
        // Two classes: the pooled interval is clustered (df = 1 for equal classes).
        let lo = t.column("ci_low").unwrap().f64().unwrap().get(row(ALL, None, "pre")).unwrap();
        let mean = t.column("mean").unwrap().f64().unwrap().get(row(ALL, None, "pre")).unwrap();
        let plain =
            stats::describe(&[40.0, 50.0, 45.0, 55.0, 60.0, 42.0, 41.0, 52.0, 48.0, 57.0, 61.0, 44.0], 0.05).unwrap();
        assert!((mean - plain.mean.unwrap()).abs() < 1e-12);
        assert!(lo < plain.ci_low.unwrap(), "clustered by class on 1 df: wider than the t interval");
    }
}
