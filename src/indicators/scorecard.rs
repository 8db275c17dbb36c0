//! The cadre scorecard: the achievement-transformation index per cadre and period, with
//! how sure it is. It feeds promotion-linked assessment, so every component carries its
//! reliability, the index its standard error, and the band is withheld where the index
//! cannot support it.
//!
//! In: `trainee_outcomes`, per (class, cadre) the moments of the scores others gave the
//! trainee (`trainee_ratings`), the compliance rows, the reliabilities of the outcome
//! scale (Cronbach's α at pre and post) and of the review score (α of its five
//! dimensions), `[scorecard]` settings, the period.
//! Out: `cadre_scorecard` — per person, never suppressed; what `export --for
//! assessment` writes.
//!
//! Definition ([`category_scores`], per cadre category, over the cadres with an
//! enrollment in a class starting in the period's year; each measure is the mean over
//! the cadre's enrollments of that year):
//! - **learning**: the residual gain — the mean post score regressed on the mean pre
//!   score within the category (OLS), the residual shrunk toward 0 by its reliability
//!   λ (empirical Bayes: λ·r), standardised by the residuals' sd. λ = 1 − error
//!   variance / residual variance, the error variance `(1 − α_post)·Var(post) +
//!   b²·(1 − α_pre)·Var(pre)` ([`crate::stats::residual_gains`]). Error variance of the
//!   estimate (z units): λ(1 − λ).
//! - **assessment**: the mean score received from class managers, teachers and peers,
//!   standardised within the category. Its error variance is the pooled within-trainee
//!   variance of those scores (each a rater's score on one dimension) over the number of
//!   scores, so its reliability is `1 − error / Var(assessment)` per cadre (more raters,
//!   more reliable). Scores of one rater on different dimensions are counted as separate
//!   scores, which overstates the reliability somewhat.
//! - **transfer**: the review delta (after − before), standardised; its reliability is
//!   that of a difference of two reviews ([`crate::stats::difference_reliability`]) with
//!   the review score's α.
//! - **compliance**: the share of the requirement met (0–1, capped), standardised for the
//!   index; an administrative count, taken as error-free (reliability 1).
//! - **index** = Σ wₖ·zₖ / Σ wₖ over the components the cadre has; `index_se` =
//!   √(Σ wₖ²·vₖ) / Σ wₖ with vₖ the components' error variances (independent errors);
//!   `index_reliability` = 1 − index_se² / Var(index in the category).
//! - **percentile_in_category**: mid-rank percentile of the index; **band** = A, B, C, …
//!   by the descending percentile cut-offs of `bands` (85, 50, 15), withheld (null) with
//!   `band_reason` when the index rests on fewer than 2 components
//!   (`fewer_than_two_components`), when a component's reliability is unknown
//!   (`reliability_unknown`, e.g. a single-item outcome scale has no α) or when the
//!   index reliability is below 0.7 (`low_reliability`); **band_probability** = the
//!   chance that the true index lies within the published band's limits (the index
//!   values at the band's cut-off percentiles: Hazen quantiles, the inverse of the
//!   mid-rank percentile, so a banded index lies within its band), normal error with
//!   sd index_se.

use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::compliance::ComplianceRow;
use super::engine::Cadres;
use super::engine::{f64_view, group_by, i64s, str_view, Out};
use super::suppress::not_suppressed;
use super::Params;
use crate::config::ScorecardSettings;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats;

const T: &str = "cadre_scorecard";

/// Below this index reliability the band is withheld.
pub const MIN_BAND_RELIABILITY: f64 = 0.7;

/// Why a band is withheld (the `band_reason` column's vocabulary).
pub mod reason {
    pub const FEWER_THAN_TWO_COMPONENTS: &str = "fewer_than_two_components";
    pub const RELIABILITY_UNKNOWN: &str = "reliability_unknown";
    pub const LOW_RELIABILITY: &str = "low_reliability";
}

/// The band of a percentile given descending cut-offs.
pub fn band(percentile: f64, cuts: &[f64]) -> &'static str {
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let k = band_index(percentile, cuts);
    &LETTERS[k..k + 1]
}

/// The position of a percentile's band (0 = A).
fn band_index(percentile: f64, cuts: &[f64]) -> usize {
    let k =
        cuts.iter().position(|&c| stats::round_for_ties(percentile) >= stats::round_for_ties(c)).unwrap_or(cuts.len());
    k.min(25)
}

/// The year a period selects: the period itself when it is a year, else the latest.
pub fn period_year(period: &str, years: &[Option<i64>]) -> Option<i64> {
    period.trim().parse::<i64>().ok().or_else(|| years.iter().flatten().max().copied())
}

/// The reliabilities the error model needs (`None`: unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reliabilities {
    /// Cronbach's α of the outcome scale at pre and post.
    pub scale_pre: Option<f64>,
    pub scale_post: Option<f64>,
    /// Cronbach's α of the review score (its five dimensions).
    pub review: Option<f64>,
}

/// One cadre's measures, each the mean over its enrollments of the year (NaN: missing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    pub pre: f64,
    pub post: f64,
    /// Mean score received from others.
    pub assessment: f64,
    /// The error variance of `assessment` over the within-trainee variance of the
    /// scores: Σₑ 1/nₑ / E² over the E enrollments with nₑ scores each.
    pub assessment_error: f64,
    pub before: f64,
    pub after: f64,
    /// Share of the compliance requirement met, 0–1.
    pub compliance: f64,
}

/// One cadre's scorecard row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub learning_z: Option<f64>,
    pub assessment_z: Option<f64>,
    pub transfer_z: Option<f64>,
    pub learning_reliability: Option<f64>,
    pub assessment_reliability: Option<f64>,
    pub transfer_reliability: Option<f64>,
    pub index: Option<f64>,
    pub index_se: Option<f64>,
    pub index_reliability: Option<f64>,
    pub percentile: Option<f64>,
    pub band: Option<&'static str>,
    pub band_probability: Option<f64>,
    pub band_reason: Option<&'static str>,
}

/// A component of one cadre: its standardised value and its error variance (z units;
/// `None`: unknown).
type Component = (Option<f64>, Option<f64>);

/// The scorecard rows of one category's cadres (see the module documentation);
/// `within_var` is the pooled within-trainee variance of the scores received.
pub fn category_scores(
    m: &[Measures],
    within_var: Option<f64>,
    rel: &Reliabilities,
    s: &ScorecardSettings,
) -> Vec<Score> {
    let col_of = |f: fn(&Measures) -> f64| m.iter().map(f).collect::<Vec<f64>>();
    let (pre, post, assess, compliance) =
        (col_of(|x| x.pre), col_of(|x| x.post), col_of(|x| x.assessment), col_of(|x| x.compliance));
    let delta: Vec<f64> = m.iter().map(|x| x.after - x.before).collect();

    // Learning: the residual gain, shrunk by its reliability.
    let res = stats::residual_gains(&pre, &post, rel.scale_pre, rel.scale_post);
    let learning: Vec<Component> = res
        .residual
        .iter()
        .map(|r| match (r, res.sd, res.reliability) {
            (Some(r), Some(sd), Some(l)) => (Some(l * r / sd), Some(l * (1.0 - l))),
            (Some(r), Some(sd), None) => (Some(r / sd), None),
            _ => (None, None),
        })
        .collect();
    // Assessment: error variance from the scores' spread within a trainee.
    let var_a = stats::variance(&assess);
    let assessment: Vec<(Component, Option<f64>)> = stats::standardize(&assess)
        .into_iter()
        .zip(m)
        .map(|(z, x)| {
            let error = match (within_var, var_a) {
                (Some(w), Some(v)) if v > 0.0 && x.assessment_error.is_finite() => Some(w * x.assessment_error / v),
                _ => None,
            };
            ((z, error), error.map(|e| (1.0 - e).clamp(0.0, 1.0)))
        })
        .collect();
    // Transfer: a difference of two reviews.
    let both: Vec<(f64, f64)> =
        m.iter().filter(|x| x.before.is_finite() && x.after.is_finite()).map(|x| (x.before, x.after)).collect();
    let transfer_reliability = rel.review.and_then(|rho| {
        let (b, a): (Vec<f64>, Vec<f64>) = both.iter().copied().unzip();
        let (sb, sa) = (stats::sd(&b)?, stats::sd(&a)?);
        stats::difference_reliability(rho, rho, sa, sb, correlation(&b, &a)?)
    });
    let transfer: Vec<Component> =
        stats::standardize(&delta).into_iter().map(|z| (z, transfer_reliability.map(|r| 1.0 - r))).collect();
    let compliance: Vec<Component> = stats::standardize(&compliance).into_iter().map(|z| (z, Some(0.0))).collect();

    let w = &s.weights;
    let mut out: Vec<Score> = (0..m.len())
        .map(|i| {
            let parts = [
                (w.learning, learning[i]),
                (w.assessment, assessment[i].0),
                (w.transfer, transfer[i]),
                (w.compliance, compliance[i]),
            ];
            let used: Vec<(f64, f64, Option<f64>)> =
                parts.iter().filter(|(wt, _)| *wt > 0.0).filter_map(|(wt, (z, v))| Some((*wt, (*z)?, *v))).collect();
            let total: f64 = used.iter().map(|u| u.0).sum();
            let index = (total > 0.0).then(|| used.iter().map(|u| u.0 * u.1).sum::<f64>() / total);
            let se = (total > 0.0 && used.iter().all(|u| u.2.is_some()))
                .then(|| used.iter().map(|u| u.0 * u.0 * u.2.unwrap_or(0.0)).sum::<f64>().sqrt() / total);
            Score {
                learning_z: learning[i].0,
                assessment_z: assessment[i].0 .0,
                transfer_z: transfer[i].0,
                learning_reliability: res.reliability.filter(|_| learning[i].0.is_some()),
                assessment_reliability: assessment[i].1,
                transfer_reliability: transfer_reliability.filter(|_| transfer[i].0.is_some()),
                index,
                index_se: se,
                band_reason: (used.len() < 2).then_some(reason::FEWER_THAN_TWO_COMPONENTS),
                ..Score::default()
            }
        })
        .collect();

    // The category's distribution of the index: percentiles, the bands' limits, and the
    // variance the reliability is judged against.
    let index: Vec<f64> = out.iter().map(|r| r.index.unwrap_or(f64::NAN)).collect();
    let var_index = stats::variance(&index);
    // Hazen quantiles: the inverse of the mid-rank percentile the band is read from, so
    // every banded index lies within its own band's limits.
    let limits: Vec<Option<f64>> = s.bands.iter().map(|c| stats::quantile_hazen(&index, c / 100.0)).collect();
    for (r, p) in out.iter_mut().zip(stats::percentile_ranks(&index)) {
        r.percentile = p;
        r.index_reliability =
            r.index_se.zip(var_index).and_then(|(se, v)| (v > 0.0).then(|| (1.0 - se * se / v).clamp(0.0, 1.0)));
        let Some(p) = p else { continue };
        if r.band_reason.is_none() {
            r.band_reason = match r.index_reliability {
                None => Some(reason::RELIABILITY_UNKNOWN),
                Some(x) if x < MIN_BAND_RELIABILITY => Some(reason::LOW_RELIABILITY),
                Some(_) => None,
            };
        }
        if r.band_reason.is_some() {
            continue;
        }
        let k = band_index(p, &s.bands);
        r.band = Some(band(p, &s.bands));
        let hi = if k == 0 { Some(f64::INFINITY) } else { limits.get(k - 1).copied().flatten() };
        let lo = if k >= s.bands.len() { Some(f64::NEG_INFINITY) } else { limits.get(k).copied().flatten() };
        r.band_probability = match (r.index, r.index_se, lo, hi) {
            (Some(x), Some(se), Some(lo), Some(hi)) => stats::normal_interval_probability(x, se, lo, hi),
            _ => None,
        };
    }
    out
}

/// Pearson correlation of two equally long samples (`None` without variance).
fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, my) = (stats::mean(x)?, stats::mean(y)?);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// A trainee in a class: (class_id, cadre_id).
pub type ClassCadre<'a> = (&'a str, &'a str);
/// The number of scores and their sample variance (`None` below two scores).
pub type Moments = (f64, Option<f64>);

/// Whether a rating by a rater in `role` is one of the scores others gave the trainee
/// (every role but the trainee's own).
pub fn by_others(role: &str) -> bool {
    role != "self"
}

/// One trainee's scores folded in the order they come: Welford's online update, the
/// algorithm (and so the rounding) of polars' grouped `var`, which computed it before.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Welford {
    count: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Fold in the next score.
    #[inline]
    pub fn push(&mut self, x: f64) {
        let count = self.count + 1;
        let delta = x - self.mean;
        let mean = delta / count as f64 + self.mean;
        self.m2 += delta * (x - mean);
        self.mean = mean;
        self.count = count;
    }

    /// The number of scores and their sample variance (n − 1 in the denominator; `None`
    /// below two scores).
    pub fn moments(&self) -> Moments {
        (self.count as f64, (self.count > 1).then(|| self.m2 / (self.count as f64 - 1.0)))
    }
}

/// Per (class, cadre), in order of first appearance: the number of scores others gave
/// the trainee and their sample variance ([`Welford`] over the scores in row order).
/// `rows` are the trainee's ratings by raters other than self ([`by_others`]), in table
/// order; a missing score counts for nothing but still names its (class, cadre).
pub fn others_moments<'a>(rows: impl Iterator<Item = (ClassCadre<'a>, Option<f64>)>) -> Vec<(ClassCadre<'a>, Moments)> {
    let mut index: FxHashMap<(&str, &str), usize> = FxHashMap::default();
    let mut keys = Vec::new();
    let mut states: Vec<Welford> = Vec::new();
    for (key, score) in rows {
        let k = *index.entry(key).or_insert_with(|| {
            keys.push(key);
            states.push(Welford::default());
            states.len() - 1
        });
        if let Some(x) = score {
            states[k].push(x);
        }
    }
    keys.into_iter().zip(states).map(|(key, w)| (key, w.moments())).collect()
}

/// Per (class_id, cadre_id): the number of the scores others gave the trainee and
/// their variance (NaN below two scores), `None` for a trainee nobody else rated.
pub type AssessmentMoments<'a> = dyn Fn(&str, &str) -> Option<(f64, f64)> + Sync + 'a;

/// What the scorecard reads of one outcome row of the period: the five measures (NaN
/// when missing), whether the assessment is there, and the moments of the scores the
/// trainee received (`received`: whether there are any).
#[derive(Clone, Copy)]
struct PeriodRow {
    values: [f64; 5],
    assessed: bool,
    received: bool,
    n: f64,
    var: f64,
}

pub fn cadre_scorecard(
    outcomes: &DataFrame,
    assessment: &AssessmentMoments<'_>,
    compliance: &[ComplianceRow],
    keys: &Cadres,
    rel: &Reliabilities,
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    let (o_cat, o_year, o_class) =
        (str_view(outcomes, col::CATEGORY, T)?, i64s(outcomes, col::YEAR, T)?, str_view(outcomes, col::CLASS_ID, T)?);
    // Read in place (as vectors they took 16 bytes a row each).
    let views = [
        f64_view(outcomes, col::PRE_SCORE, T)?,
        f64_view(outcomes, col::POST_SCORE, T)?,
        f64_view(outcomes, col::TRAINEE_ASSESSMENT, T)?,
        f64_view(outcomes, col::REVIEW_BEFORE, T)?,
        f64_view(outcomes, col::REVIEW_AFTER, T)?,
    ];
    let year = period_year(ctx.period, &o_year);
    // What the scorecard reads of each of the year's rows, in row order, with the
    // moments of its trainee, looked up in row order: the rows of a class lie together,
    // so its cadres' lookups find their tables in cache (looked up cadre by cadre, every
    // row in another class, nearly every lookup missed). Gathered per cadre from here,
    // a row costs one cache and TLB miss, where read from the columns it cost one per
    // column.
    let o_cadre = str_view(outcomes, col::CADRE_ID, T)?;
    let by_row: Vec<Option<PeriodRow>> = o_year
        .par_iter()
        .enumerate()
        .with_min_len(4096)
        .map(|(i, y)| {
            if *y != year {
                return None;
            }
            let received = o_class.get(i).zip(o_cadre.get(i)).and_then(|(class, cadre)| assessment(class, cadre));
            let (n, var) = received.unwrap_or((f64::NAN, f64::NAN));
            // NaN is missing, as for any value `mean` leaves out.
            let values = views.each_ref().map(|v| v.get(i).unwrap_or(f64::NAN));
            Some(PeriodRow { values, assessed: views[2].get(i).is_some(), received: received.is_some(), n, var })
        })
        .collect();
    let mut score_of: Vec<Option<f64>> = vec![None; keys.len()];
    for r in compliance.iter().filter(|r| Some(i64::from(r.year)) == year) {
        score_of[r.cadre as usize] = r.score();
    }
    // Every cadre with an outcome row in the year, with the means of its rows' measures
    // and its share of the within-trainee variance of the scores received, in one pass;
    // the rows of a batch of cadres are gathered first, so that their cache misses
    // overlap.
    struct Person {
        number: u32,
        first_row: usize,
        measures: Measures,
        /// Σ (n − 1)·variance and Σ (n − 1) of its enrollments' scores received.
        within: (f64, f64),
    }
    const BATCH: u32 = 64;
    let n_cadres = keys.len() as u32;
    let cadres: Vec<Person> = (0..n_cadres.div_ceil(BATCH))
        .into_par_iter()
        .flat_map_iter(|b| {
            let batch = b * BATCH..((b + 1) * BATCH).min(n_cadres);
            let mut rows = keys.outcome_rows.gather(batch.clone(), |j| by_row[j as usize].map(|r| (j as usize, r)));
            let mut vals = Vec::new();
            let mut out = Vec::with_capacity(BATCH as usize);
            for (c, mine) in batch.zip(rows.each_mut()) {
                let mine = &*mine;
                let Some(&(first_row, _)) = mine.first() else { continue };
                let mut mean_of = |m: usize| {
                    vals.clear();
                    vals.extend(mine.iter().map(|(_, r)| r.values[m]));
                    stats::mean(&vals).unwrap_or(f64::NAN)
                };
                let [pre, post, assess, before, after] = [0, 1, 2, 3, 4].map(&mut mean_of);
                let (mut inverse, mut enrollments, mut within) = (0.0, 0.0, (0.0, 0.0));
                for (_, r) in mine {
                    if !r.received {
                        continue;
                    }
                    let (n, var) = (r.n, r.var);
                    if n >= 1.0 && r.assessed {
                        inverse += 1.0 / n;
                        enrollments += 1.0;
                    }
                    if n >= 2.0 && var.is_finite() {
                        within.0 += (n - 1.0) * var;
                        within.1 += n - 1.0;
                    }
                }
                let measures = Measures {
                    pre,
                    post,
                    assessment: assess,
                    assessment_error: if enrollments > 0.0 { inverse / (enrollments * enrollments) } else { f64::NAN },
                    before,
                    after,
                    compliance: score_of[c as usize].unwrap_or(f64::NAN),
                };
                out.push(Person { number: c, first_row, measures, within });
            }
            out
        })
        .collect();
    drop(by_row);
    let category: Vec<Option<&str>> = cadres.iter().map(|c| o_cat.get(c.first_row)).collect();
    let by_cat = group_by(cadres.len(), |i| category[i]);
    let of_category: Vec<Vec<Score>> = by_cat
        .values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|rows| {
            let m: Vec<Measures> = rows.iter().map(|&i| cadres[i].measures).collect();
            let (ss, df) = rows.iter().fold((0.0, 0.0), |(a, b), &i| (a + cadres[i].within.0, b + cadres[i].within.1));
            category_scores(&m, (df > 0.0).then(|| ss / df), rel, &ctx.settings.scorecard)
        })
        .collect();
    // Each cadre's score where its category left it (category, position): the scores
    // are read in place by the columns, not copied into a second table of every cadre
    // (a score is 200 bytes).
    let mut at: Vec<(u32, u32)> = vec![(u32::MAX, 0); cadres.len()];
    for (g, rows) in by_cat.values().enumerate() {
        for (k, &i) in rows.iter().enumerate() {
            at[i] = (g as u32, k as u32);
        }
    }
    let score = |i: usize| -> Option<&Score> {
        let (g, k) = at[i];
        of_category.get(g as usize)?.get(k as usize)
    };
    let ids: Vec<&str> = cadres.iter().map(|c| keys.ids[c.number as usize]).collect();
    let period = year.map(|y| y.to_string()).unwrap_or_else(|| ctx.period.to_string());
    let score = &score;
    let f = |g: fn(&Score) -> Option<f64>| (0..cadres.len()).map(move |i| score(i).and_then(g));
    let df = Out::new(ids.len())
        .str(col::CADRE_ID, ids.iter().map(|s| Some(*s)))
        .str(col::PERIOD, ids.iter().map(|_| Some(period.as_str())))
        .str(col::CATEGORY, category.clone())
        .f64(col::LEARNING_Z, f(|s| s.learning_z))
        .f64(col::ASSESSMENT_Z, f(|s| s.assessment_z))
        .f64(col::TRANSFER_Z, f(|s| s.transfer_z))
        .f64(col::COMPLIANCE_SCORE, cadres.iter().map(|c| Some(c.measures.compliance).filter(|x| x.is_finite())))
        .f64(col::INDEX, f(|s| s.index))
        .f64(col::PERCENTILE_IN_CATEGORY, f(|s| s.percentile))
        .str(col::BAND, (0..cadres.len()).map(|i| score(i).and_then(|s| s.band)))
        .f64(col::LEARNING_RELIABILITY, f(|s| s.learning_reliability))
        .f64(col::ASSESSMENT_RELIABILITY, f(|s| s.assessment_reliability))
        .f64(col::TRANSFER_RELIABILITY, f(|s| s.transfer_reliability))
        .f64(col::INDEX_SE, f(|s| s.index_se))
        .f64(col::INDEX_RELIABILITY, f(|s| s.index_reliability))
        .f64(col::BAND_PROBABILITY, f(|s| s.band_probability))
        .str(col::BAND_REASON, (0..cadres.len()).map(|i| score(i).and_then(|s| s.band_reason)))
        .finish(T)?;
    not_suppressed(df, T)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::engine::fold_trainees;
    use crate::indicators::LongTable;

    #[test]
    fn others_moments_count_scores_and_take_the_sample_variance() {
        let rows = [
            (("K1", "C1"), Some(70.0)),
            (("K1", "C2"), Some(60.0)),
            (("K1", "C1"), Some(80.0)),
            (("K1", "C1"), None),
            (("K2", "C1"), None),
            (("K1", "C1"), Some(90.0)),
        ];
        let got = others_moments(rows.into_iter());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0], (("K1", "C1"), (3.0, Some(100.0))));
        assert_eq!(got[1], (("K1", "C2"), (1.0, None)), "one score has no variance");
        assert_eq!(got[2], (("K2", "C1"), (0.0, None)), "a row without a score still names its trainee");
        // Welford's update in row order, bit for bit (polars' grouped var).
        let xs = [0.1, 0.7, 1e8 + 0.3, 3.3, 2.2];
        let (mut n, mut mean, mut m2) = (0u64, 0.0f64, 0.0f64);
        for x in xs {
            n += 1;
            let d = x - mean;
            mean += d / n as f64;
            m2 += d * (x - mean);
        }
        let got = others_moments(xs.iter().map(|&x| (("K", "C"), Some(x))));
        assert_eq!(got[0].1, (5.0, Some(m2 / 4.0)));
    }

    /// A trainee's rows: (class, cadre) with up to six (role, score) rows, the role an
    /// index into the rater roles (4 = null), the score missing (null, or -1 for NaN);
    /// trainees recur across runs, so their rows are adjacent within a run and
    /// scattered across runs.
    fn trainee_run() -> impl proptest::strategy::Strategy<Value = Vec<(u8, u8, u8, Option<i8>)>> {
        use proptest::prelude::*;
        let row = (0u8..5, prop::option::weighted(0.9, -1i8..=10));
        (0u8..4, 0u8..4, prop::collection::vec(row, 1..7))
            .prop_map(|(c, k, s)| s.into_iter().map(|(r, x)| (c, k, r, x)).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The engine's streamed fold (from a frame, with nulls in every key, and from
        /// Parquet row groups that split a trainee's rows) gives every trainee the count
        /// and variance, bit for bit, of the plain definition over the whole table.
        #[test]
        fn the_streamed_moments_agree_with_the_definition(
            runs in proptest::collection::vec(trainee_run(), 0..30),
            null_keys in proptest::bool::ANY,
        ) {
            let rows: Vec<_> = runs.into_iter().flatten().collect();
            // Class 3 and cadre 3 stand for a null key when nulls are asked for.
            let key = |p: &str, k: u8| (!(null_keys && k == 3)).then(|| format!("{p}{k}"));
            let cl: Vec<Option<String>> = rows.iter().map(|r| key("K", r.0)).collect();
            let ca: Vec<Option<String>> = rows.iter().map(|r| key("C", r.1)).collect();
            let role: Vec<Option<&str>> = rows
                .iter()
                .map(|r| crate::schema::RATER_ROLES.get(r.2 as usize).copied().filter(|_| null_keys || r.2 < 4))
                .map(|r| r.or((!null_keys).then_some("peer")))
                .collect();
            let score: Vec<Option<f64>> =
                rows.iter().map(|r| r.3.map(|x| if x < 0 { f64::NAN } else { f64::from(x) / 3.0 })).collect();
            let plain = (0..rows.len()).filter_map(|i| {
                let (class, cadre, role) = (cl[i].as_deref()?, ca[i].as_deref()?, role[i]?);
                by_others(role).then_some(((class, cadre), score[i]))
            });
            let bits = |((a, b), (n, v)): ((&str, &str), Moments)| {
                (a.to_string(), b.to_string(), f64::to_bits(n), v.map(f64::to_bits))
            };
            let mut want: Vec<_> = others_moments(plain).into_iter().map(bits).collect();
            want.sort();
            let df = df!("class_id" => &cl, "cadre_id" => &ca, "rater_role" => &role, "score" => &score).unwrap();
            let check = |source: &LongTable| -> Result<(), proptest::test_runner::TestCaseError> {
                let t = fold_trainees(source, by_others, Welford::push).unwrap();
                let mut got: Vec<_> = t.iter().map(|(k, w)| bits((k, w.moments()))).collect();
                got.sort();
                proptest::prop_assert_eq!(t.len(), got.len());
                proptest::prop_assert_eq!(got, want.clone());
                Ok(())
            };
            check(&LongTable::Frame(df.clone()))?;
            if !null_keys && df.height() > 0 {
                let (_dir, files) = LongTable::parquet_for_test(&df, 5);
                check(&files)?;
            }
        }
    }

    #[test]
    fn bands_follow_descending_cuts() {
        let cuts = [85.0, 50.0, 15.0];
        assert_eq!(band(85.0, &cuts), "A");
        assert_eq!(band(84.9, &cuts), "B");
        assert_eq!(band(50.0, &cuts), "B");
        assert_eq!(band(15.0, &cuts), "C");
        assert_eq!(band(14.0, &cuts), "D");
        assert_eq!(band(99.0, &[]), "A");
    }

    /// Cadres with pre/post, assessment, reviews and compliance, deterministic.
    fn measures(n: usize, noise: f64) -> Vec<Measures> {
        (0..n)
            .map(|i| {
                let t = i as f64 / n as f64;
                let wobble = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
                Measures {
                    pre: 40.0 + 20.0 * t + noise * wobble,
                    post: 50.0 + 22.0 * t + noise * ((i * 104_729) % 11) as f64 / 11.0,
                    assessment: 70.0 + 10.0 * t + wobble,
                    assessment_error: 1.0 / 12.0,
                    before: 75.0 + 5.0 * t,
                    after: 78.0 + 5.0 * t + 2.0 * wobble,
                    compliance: (0.5 + t).min(1.0),
                }
            })
            .collect()
    }

    #[test]
    fn a_reliable_index_gets_a_band_and_its_probability() {
        let m = measures(60, 2.0);
        let rel = Reliabilities { scale_pre: Some(0.9), scale_post: Some(0.9), review: Some(0.95) };
        let s = category_scores(&m, Some(4.0), &rel, &ScorecardSettings::default());
        assert_eq!(s.len(), 60);
        let r = &s[59];
        assert!(r.index_se.is_some() && r.index_reliability.is_some());
        for x in &s {
            // Learning is shrunk: its spread is λ, not 1.
            if let (Some(z), Some(l)) = (x.learning_z, x.learning_reliability) {
                assert!(z.abs() <= 3.0 * l + 1e-9);
            }
            match x.band {
                Some(_) => {
                    assert_eq!(x.band_reason, None);
                    assert!(x.index_reliability.unwrap() >= MIN_BAND_RELIABILITY);
                    let p = x.band_probability.unwrap();
                    assert!((0.0..=1.0).contains(&p));
                }
                None => assert!(x.band_reason.is_some()),
            }
        }
        assert!(s.iter().any(|x| x.band.is_some()), "some bands are published");
        // The cadre at the top of an A band far from its limit is almost surely an A.
        let top = s.iter().filter(|x| x.band == Some("A")).max_by(|a, b| a.index.partial_cmp(&b.index).unwrap());
        if let Some(top) = top {
            assert!(top.band_probability.unwrap() > 0.5);
        }
    }

    #[test]
    fn unknown_or_low_reliability_withholds_the_band() {
        let m = measures(40, 2.0);
        // No α of the outcome scale (a single-item score): learning is unshrunk and its
        // error unknown, so the band is withheld with that reason.
        let unknown = Reliabilities { scale_pre: None, scale_post: None, review: Some(0.9) };
        let s = category_scores(&m, Some(4.0), &unknown, &ScorecardSettings::default());
        assert!(s.iter().all(|x| x.band.is_none() && x.band_reason == Some(reason::RELIABILITY_UNKNOWN)));
        assert!(s.iter().all(|x| x.learning_reliability.is_none() && x.learning_z.is_some()));
        // Very noisy assessments (within-trainee variance far above the spread between
        // trainees) and unreliable scales: the index is too unreliable for a band.
        let noisy = Reliabilities { scale_pre: Some(0.3), scale_post: Some(0.3), review: Some(0.3) };
        let s = category_scores(&m, Some(4000.0), &noisy, &ScorecardSettings::default());
        assert!(s.iter().all(|x| x.band.is_none()));
        assert!(s.iter().any(|x| x.band_reason == Some(reason::LOW_RELIABILITY)));
    }

    #[test]
    fn one_component_is_not_enough_for_a_band() {
        let mut m = measures(20, 2.0);
        for x in &mut m {
            (x.pre, x.before, x.compliance) = (f64::NAN, f64::NAN, f64::NAN);
        }
        let rel = Reliabilities { scale_pre: Some(0.9), scale_post: Some(0.9), review: Some(0.9) };
        let s = category_scores(&m, Some(1.0), &rel, &ScorecardSettings::default());
        assert!(s.iter().all(|x| x.band_reason == Some(reason::FEWER_THAN_TWO_COMPONENTS) && x.band.is_none()));
        assert!(s.iter().all(|x| x.index.is_some()), "the index is still computed");
    }
}
