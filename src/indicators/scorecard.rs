//! The cadre scorecard: the achievement-transformation index per cadre and period.
//!
//! In: `trainee_outcomes`, the compliance rows, `[scorecard]` settings, the period.
//! Out: `cadre_scorecard` (SPEC App. B) — per person, never suppressed; it is what
//! `export --for assessment` writes.
//! Definition: the cadres with an enrollment in a class starting in the period's year
//! (the latest class year when the period is not a year). Per cadre, over those
//! enrollments: learning = mean gain (post − pre), assessment = mean trainee
//! assessment (by class managers, teachers and peers), transfer = mean review delta.
//! Each is standardised within the cadre's category ([`crate::stats::standardize`]);
//! compliance_score is the share of the compliance requirement met over the rule's
//! window, 0–1 (capped at 1; null without a rule), standardised within category for
//! the index. index = Σ wᵢ·zᵢ / Σ wᵢ over the components the cadre has (weights
//! renormalised); percentile_in_category = mid-rank percentile (0–100) of the index
//! within the category ([`crate::stats::percentile_ranks`]); band = A, B, C, … by the
//! descending percentile cut-offs of `bands` (default 85, 50, 15 → A ≥ 85 > B ≥ 50 >
//! C ≥ 15 > D).

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use rayon::prelude::*;

use super::compliance::ComplianceRow;
use super::frame::{f64_view, group_by, i64s, str_view, Out, View};
use super::keys::Cadres;
use super::suppress::not_suppressed;
use super::Ctx;
use crate::error::IndicatorError;
use crate::stats;
use crate::warehouse::schema::col;

const T: &str = "cadre_scorecard";

/// The band of a percentile given descending cut-offs.
pub fn band(percentile: f64, cuts: &[f64]) -> &'static str {
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let k =
        cuts.iter().position(|&c| stats::round_for_ties(percentile) >= stats::round_for_ties(c)).unwrap_or(cuts.len());
    let k = k.min(25);
    &LETTERS[k..k + 1]
}

/// The year a period selects: the period itself when it is a year, else the latest.
pub fn period_year(period: &str, years: &[Option<i64>]) -> Option<i64> {
    period.trim().parse::<i64>().ok().or_else(|| years.iter().flatten().max().copied())
}

pub fn cadre_scorecard(
    outcomes: &DataFrame,
    compliance: &[ComplianceRow],
    keys: &Cadres,
    ctx: &Ctx,
) -> Result<DataFrame, IndicatorError> {
    let (o_cat, o_year) = (str_view(outcomes, col::CATEGORY, T)?, i64s(outcomes, col::YEAR, T)?);
    // Read in place (as vectors they took 16 bytes a row each).
    let (gain, assess, delta) = (
        f64_view(outcomes, col::GAIN, T)?,
        f64_view(outcomes, col::TRAINEE_ASSESSMENT, T)?,
        f64_view(outcomes, col::REVIEW_DELTA, T)?,
    );
    let year = period_year(ctx.period, &o_year);
    // The cadres enrolled in the year, in id order, each with its rows of that year.
    // Every cadre with an outcome row in the year, with the means of its rows' three
    // measures, in one pass (one reused buffer per task, not a Vec per cadre).
    struct Means {
        cadre: u32,
        first_row: usize,
        learning: f64,
        assessment: f64,
        transfer: f64,
    }
    let means: Vec<Means> = (0..keys.len() as u32)
        .into_par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(rows, vals): &mut (Vec<usize>, Vec<f64>), c| {
                rows.clear();
                rows.extend(keys.outcome_rows.get(c).iter().map(|&j| j as usize).filter(|&j| o_year[j] == year));
                let first_row = *rows.first()?;
                let mut mean_of = |v: &View<PrimitiveArray<f64>>| {
                    vals.clear();
                    // NaN is missing, as for any value `mean` leaves out.
                    vals.extend(rows.iter().map(|&i| v.get(i).unwrap_or(f64::NAN)));
                    stats::mean(vals).unwrap_or(f64::NAN)
                };
                Some(Means {
                    cadre: c,
                    first_row,
                    learning: mean_of(&gain),
                    assessment: mean_of(&assess),
                    transfer: mean_of(&delta),
                })
            },
        )
        .flatten()
        .collect();
    let ids: Vec<&str> = means.iter().map(|m| keys.ids[m.cadre as usize]).collect();
    let category: Vec<Option<&str>> = means.iter().map(|m| o_cat.get(m.first_row)).collect();
    let learning: Vec<f64> = means.iter().map(|m| m.learning).collect();
    let assessment: Vec<f64> = means.iter().map(|m| m.assessment).collect();
    let transfer: Vec<f64> = means.iter().map(|m| m.transfer).collect();
    let mut score_of: Vec<Option<f64>> = vec![None; keys.len()];
    for r in compliance.iter().filter(|r| Some(i64::from(r.year)) == year) {
        score_of[r.cadre as usize] = r.score();
    }
    let compliance_score: Vec<Option<f64>> = means.iter().map(|m| score_of[m.cadre as usize]).collect();
    let comp: Vec<f64> = compliance_score.iter().map(|s| s.unwrap_or(f64::NAN)).collect();

    // Standardise within category.
    let by_cat = group_by(ids.len(), |i| category[i]);
    let within = |x: &[f64]| -> Vec<Option<f64>> {
        let mut z = vec![None; x.len()];
        for rows in by_cat.values() {
            let vals: Vec<f64> = rows.iter().map(|&i| x[i]).collect();
            for (k, v) in stats::standardize(&vals).into_iter().enumerate() {
                z[rows[k]] = v;
            }
        }
        z
    };
    let (lz, az, tz, cz) = (within(&learning), within(&assessment), within(&transfer), within(&comp));
    let w = &ctx.settings.scorecard.weights;
    let index: Vec<Option<f64>> = (0..ids.len())
        .map(|i| {
            let parts = [(w.learning, lz[i]), (w.assessment, az[i]), (w.transfer, tz[i]), (w.compliance, cz[i])];
            let (num, den) = parts
                .iter()
                .filter_map(|(wt, z)| z.map(|z| (wt * z, *wt)))
                .fold((0.0, 0.0), |(n, d), (a, b)| (n + a, d + b));
            (den > 0.0).then(|| num / den)
        })
        .collect();
    let mut percentile = vec![None; ids.len()];
    for rows in by_cat.values() {
        let vals: Vec<f64> = rows.iter().map(|&i| index[i].unwrap_or(f64::NAN)).collect();
        for (k, p) in stats::percentile_ranks(&vals).into_iter().enumerate() {
            percentile[rows[k]] = p;
        }
    }
    let cuts = &ctx.settings.scorecard.bands;
    let period = year.map(|y| y.to_string()).unwrap_or_else(|| ctx.period.to_string());
    let df = Out::new(ids.len())
        .str(col::CADRE_ID, ids.iter().map(|s| Some(*s)))
        .str(col::PERIOD, ids.iter().map(|_| Some(period.as_str())))
        .str(col::CATEGORY, category.clone())
        .f64(col::LEARNING_Z, lz)
        .f64(col::ASSESSMENT_Z, az)
        .f64(col::TRANSFER_Z, tz)
        .f64(col::COMPLIANCE_SCORE, compliance_score)
        .f64(col::INDEX, index)
        .f64(col::PERCENTILE_IN_CATEGORY, percentile.clone())
        .str(col::BAND, percentile.iter().map(|p| p.map(|p| band(p, cuts))))
        .finish(T)?;
    not_suppressed(df, T)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
