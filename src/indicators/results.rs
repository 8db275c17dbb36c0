//! L4 results: the change of each unit's outcome metrics against the share of the
//! unit's cadres trained.
//!
//! In: `unit_outcomes` (unit, period, metric, value), `units`, `cadres`, the cadre
//! numbers of [`Cadres`] (who was trained in which year, from `trainee_outcomes`)
//! and the reporting period.
//! Out: `unit_results` (SPEC App. B) and `unit_results_fit`.
//! Conventions: for each metric the later period is the reporting period when the
//! metric has it, else the metric's latest period; the earlier period is the one just
//! before it (periods ordered numerically when they are all numbers, else as text).
//! share_trained = share of the unit's cadres with an enrollment in a class starting
//! in the later period's year (any year when the period is not a year). Every unit ×
//! metric gets a row; a unit with fewer than min_cell cadres is suppressed.
//! `unit_results_fit` regresses change on share_trained across the published units of
//! each metric (OLS with HC1 standard errors, i.e. CR1 with every unit its own
//! cluster, from [`crate::stats::ClusterOls`]).

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use rustc_hash::FxHashMap;

use super::engine::Cadres;
use super::engine::{f64s, group_by, serr, str_view, strs, Out};
use super::suppress::{primary, suppress};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{ClusterCovariance, ClusterOls, StatsError};

/// The (earlier, later) periods compared for one metric.
fn compared(periods: &BTreeSet<&str>, reporting: &str) -> (Option<String>, String) {
    let mut p: Vec<&str> = periods.iter().copied().collect();
    if p.iter().all(|s| s.trim().parse::<f64>().is_ok()) {
        p.sort_by(|a, b| {
            let (x, y) = (a.trim().parse::<f64>().unwrap_or(0.0), b.trim().parse::<f64>().unwrap_or(0.0));
            x.total_cmp(&y).then(a.cmp(b))
        });
    }
    let at = p.iter().position(|s| *s == reporting).unwrap_or(p.len().saturating_sub(1));
    let later = p.get(at).map(|s| s.to_string()).unwrap_or_default();
    let earlier = at.checked_sub(1).and_then(|i| p.get(i)).map(|s| s.to_string());
    (earlier, later)
}

/// The two L4 tables.
pub struct ResultTables {
    pub units: DataFrame,
    pub fit: DataFrame,
}

pub fn unit_results(
    unit_outcomes: &DataFrame,
    units: &DataFrame,
    cadres: &DataFrame,
    numbers: &Cadres,
    ctx: &Params,
) -> Result<ResultTables, IndicatorError> {
    const T: &str = "unit_results";
    let (u_unit, u_period, u_metric, u_value) = (
        strs(unit_outcomes, col::UNIT_ID, T)?,
        strs(unit_outcomes, col::PERIOD, T)?,
        strs(unit_outcomes, col::METRIC, T)?,
        f64s(unit_outcomes, col::VALUE, T)?,
    );
    // metric → periods; (unit, metric, period) → value (first row wins; build made them unique).
    let mut periods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    // Looked up only, never walked: hashed (a tree of every unit's values compared the
    // three strings at each of its levels).
    let mut value: FxHashMap<(&str, &str, &str), f64> = FxHashMap::default();
    for i in 0..unit_outcomes.height() {
        let (Some(u), Some(p), Some(m)) = (u_unit[i], u_period[i], u_metric[i]) else { continue };
        periods.entry(m).or_default().insert(p);
        if let Some(v) = u_value[i] {
            value.entry((u, m, p)).or_insert(v);
        }
    }
    let compared: BTreeMap<&str, (Option<String>, String)> =
        periods.iter().map(|(m, ps)| (*m, compared(ps, ctx.period))).collect();

    // Per unit: how many cadres rows name it, and how many of those were trained in each
    // compared period, counted in one pass over the cadres in table order. Gathered
    // unit by unit, every cadre row was a cache miss and the period was parsed again for
    // each of them.
    let later: Vec<&str> = compared.values().map(|(_, l)| l.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let trained_in: Vec<Option<&Vec<bool>>> = later
        .iter()
        .map(|p| match p.trim().parse::<i64>() {
            Ok(y) => numbers.trained_in.get(&y),
            Err(_) => Some(&numbers.trained_any),
        })
        .collect();
    let k_unit = str_view(cadres, col::UNIT_ID, T)?;
    let mut unit_at: FxHashMap<&str, usize> = FxHashMap::default();
    let (mut members, mut trained) = (Vec::<usize>::new(), Vec::<usize>::new());
    let mut last: Option<(&str, usize)> = None;
    for i in 0..cadres.height() {
        let Some(u) = k_unit.get(i) else { continue };
        let k = match last {
            Some((prev, k)) if prev == u => k,
            _ => {
                let k = *unit_at.entry(u).or_insert_with(|| {
                    members.push(0);
                    trained.resize(trained.len() + later.len(), 0);
                    members.len() - 1
                });
                last = Some((u, k));
                k
            }
        };
        members[k] += 1;
        if let Some(c) = numbers.of_cadre_row[i] {
            for (p, t) in trained_in.iter().enumerate() {
                trained[k * later.len() + p] += usize::from(t.is_some_and(|t| t[c as usize]));
            }
        }
    }
    let share = |unit: &str, period: &str| -> (i64, Option<f64>) {
        let Some(&k) = unit_at.get(unit) else { return (0, None) };
        let p = later.iter().position(|l| *l == period).unwrap_or_default();
        let (n, t) = (members[k], trained[k * later.len() + p]);
        (n as i64, (n > 0).then(|| t as f64 / n as f64))
    };

    let mut unit_ids: BTreeSet<&str> = strs(units, col::UNIT_ID, T)?.into_iter().flatten().collect();
    unit_ids.extend(u_unit.iter().flatten().copied());
    struct Row<'a> {
        unit: &'a str,
        metric: &'a str,
        period: String,
        n: i64,
        share: Option<f64>,
        before: Option<f64>,
        after: Option<f64>,
    }
    let mut rows = Vec::new();
    for &u in &unit_ids {
        for (&m, (earlier, later)) in &compared {
            let (n, s) = share(u, later);
            rows.push(Row {
                unit: u,
                metric: m,
                period: later.clone(),
                n,
                share: s,
                before: earlier.as_deref().and_then(|p| value.get(&(u, m, p)).copied()),
                after: value.get(&(u, m, later.as_str())).copied(),
            });
        }
    }
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.n)).collect();
    let status = primary(&n, ctx.min_cell);
    let small: Vec<bool> = status.iter().map(Option::is_some).collect();
    let change: Vec<Option<f64>> = rows.iter().map(|r| Some(r.after? - r.before?)).collect();
    let df = Out::new(rows.len())
        .str(col::UNIT_ID, rows.iter().map(|r| Some(r.unit)))
        .str(col::PERIOD, rows.iter().map(|r| Some(r.period.as_str())))
        .str(col::METRIC, rows.iter().map(|r| Some(r.metric)))
        .f64(col::SHARE_TRAINED, rows.iter().map(|r| r.share))
        .f64(col::VALUE_BEFORE, rows.iter().map(|r| r.before))
        .f64(col::VALUE_AFTER, rows.iter().map(|r| r.after))
        .f64(col::CHANGE, change.clone())
        .finish(T)?;
    let units_df = suppress(df, &status, &[col::UNIT_ID, col::PERIOD, col::METRIC], T)?;

    // change ~ 1 + share over the published units of each metric.
    const F: &str = "unit_results_fit";
    let usable = group_by(rows.len(), |i| {
        (!small[i] && rows[i].share.is_some() && change[i].is_some()).then_some(rows[i].metric)
    });
    let none: Vec<usize> = Vec::new();
    let mut fits = Vec::new();
    for (&m, (_, later)) in &compared {
        let idx = usable.get(m).unwrap_or(&none);
        let x: Vec<[f64; 2]> = idx.iter().map(|&i| [1.0, rows[i].share.unwrap_or(f64::NAN)]).collect();
        let y: Vec<f64> = idx.iter().map(|&i| change[i].unwrap_or(f64::NAN)).collect();
        let clusters: Vec<usize> = (0..idx.len()).collect();
        let test = match ClusterOls::fit(&x, &y, &clusters, ClusterCovariance::Cr1) {
            Ok(model) => model.coef_test(1, ctx.alpha).map_err(serr(F))?,
            Err(StatsError::NotEnoughData { .. } | StatsError::SingularDesign { .. }) => None,
            Err(e) => return Err(serr(F)(e)),
        };
        fits.push((m, later.clone(), idx.len() as i64, test));
    }
    let n: Vec<Option<i64>> = fits.iter().map(|f| Some(f.2)).collect();
    let df = Out::new(fits.len())
        .str(col::METRIC, fits.iter().map(|f| Some(f.0)))
        .str(col::PERIOD, fits.iter().map(|f| Some(f.1.as_str())))
        .int(col::N_UNITS, n.clone())
        .f64(col::SLOPE, fits.iter().map(|f| f.3.map(|t| t.estimate)))
        .f64(col::SE, fits.iter().map(|f| f.3.map(|t| t.se)))
        .f64(col::T, fits.iter().map(|f| f.3.map(|t| t.t)))
        .f64(col::DF, fits.iter().map(|f| f.3.map(|t| t.df)))
        .f64(col::P_VALUE, fits.iter().map(|f| f.3.map(|t| t.p)))
        .f64(col::CI_LOW, fits.iter().map(|f| f.3.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, fits.iter().map(|f| f.3.map(|t| t.ci_high)))
        .finish(F)?;
    let fit = suppress(df, &primary(&n, ctx.min_cell), &[col::METRIC, col::PERIOD], F)?;
    Ok(ResultTables { units: units_df, fit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_compared_are_the_reporting_one_and_the_one_before() {
        let p: BTreeSet<&str> = ["2023", "2025", "2024", "10"].into_iter().collect();
        assert_eq!(compared(&p, "2024"), (Some("2023".into()), "2024".into()));
        // Not present: the latest; numeric order, not text order.
        assert_eq!(compared(&p, "2030"), (Some("2024".into()), "2025".into()));
        let q: BTreeSet<&str> = ["2025H1", "2024H2"].into_iter().collect();
        assert_eq!(compared(&q, "x"), (Some("2024H2".into()), "2025H1".into()));
        let one: BTreeSet<&str> = ["2025"].into_iter().collect();
        assert_eq!(compared(&one, "2025"), (None, "2025".into()));
    }
}
