//! Reliability: Cronbach's α of every multi-item scale in every wave.
//!
//! In: `items` (scale, wave, min, max, reverse, kind) and `survey_responses` (one
//! numeric answer per row, latest submission only — `build` deduplicated them).
//! Out: `reliability` (SPEC App. B): scale, wave, n, k_items, alpha.
//! Conventions (App. C.11): per (scale, wave) for scales with ≥ 2 items in that wave,
//! all classes pooled; answers reverse-coded (x → min + max − x); listwise deletion,
//! n = complete respondents (a respondent is a cadre in a class); α from
//! [`crate::stats::cronbach_alpha`]. An item row with a blank wave applies to every
//! wave. `topics` items and items without a range are not scale items.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::engine::{bools, complete_answers, f64s, serr, strs, LongTable, Out, WaveScale};
use super::suppress::{primary, suppress};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::{col, Wave};
use crate::stats::{self, StatsError};

const T: &str = "reliability";

/// One scale item as it applies in one wave.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Its place among the scale's items (item_id order).
    pub position: usize,
    pub min: f64,
    pub max: f64,
    pub reverse: bool,
}

/// (scale, wave) → item_id → item, for scales with ≥ 2 items in the wave.
type ScaleKey = (String, usize, String);

/// Sort rank of a wave: canonical waves in time order, others after.
fn wave_rank(w: &str) -> usize {
    Wave::from_name(w).map_or(Wave::ALL.len(), |w| w as usize)
}

fn scales(items: &DataFrame, waves: &[&str]) -> Result<BTreeMap<ScaleKey, BTreeMap<String, Item>>, IndicatorError> {
    let (id, scale, wave, kind) = (
        strs(items, col::ITEM_ID, T)?,
        strs(items, col::SCALE, T)?,
        strs(items, col::WAVE, T)?,
        strs(items, col::KIND, T)?,
    );
    let (min, max, rev) = (f64s(items, col::MIN, T)?, f64s(items, col::MAX, T)?, bools(items, col::REVERSE, T)?);
    let mut out: BTreeMap<ScaleKey, BTreeMap<String, Item>> = BTreeMap::new();
    // Wave-specific rows first so that they win over a blank-wave row of the same item.
    let mut rows: Vec<usize> = (0..items.height()).collect();
    rows.sort_by_key(|&i| wave[i].is_none_or(str::is_empty));
    for i in rows {
        let (Some(id), Some(scale), Some(lo), Some(hi)) = (id[i], scale[i], min[i], max[i]) else {
            continue;
        };
        if scale.is_empty() || kind[i] == Some("topics") || hi <= lo {
            continue;
        }
        let applies: Vec<&str> = match wave[i] {
            Some(w) if !w.is_empty() => vec![w],
            _ => waves.to_vec(),
        };
        for w in applies {
            let entry = out.entry((scale.to_string(), wave_rank(w), w.to_string())).or_default();
            entry.entry(id.to_string()).or_insert(Item {
                position: 0,
                min: lo,
                max: hi,
                reverse: rev[i].unwrap_or(false),
            });
        }
    }
    out.retain(|_, m| m.len() >= 2);
    for m in out.values_mut() {
        for (p, item) in m.values_mut().enumerate() {
            item.position = p;
        }
    }
    Ok(out)
}

/// An answer `x` to `item` as the scale counts it: reverse-coded items as
/// min + max − x.
pub fn recode(item: &Item, x: f64) -> f64 {
    if item.reverse {
        item.min + item.max - x
    } else {
        x
    }
}

/// The reliability of one scale at one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleReliability {
    /// Cronbach's α of the complete respondents (n, k, α).
    pub alpha: stats::CronbachAlpha,
    /// Feldt's (1965) interval of α.
    pub ci: Option<stats::Interval>,
    /// McDonald's ω (one factor), when the factor solution converges without a Heywood
    /// case.
    pub omega: Option<f64>,
}

/// α with its interval and ω of the complete respondents' reverse-coded answers (`rows`,
/// `k` items each).
pub fn scale_reliability(rows: &[&[f64]], k: usize, alpha: f64) -> Result<ScaleReliability, StatsError> {
    if rows.is_empty() {
        return Ok(ScaleReliability { alpha: stats::CronbachAlpha { n: 0, k, alpha: None }, ci: None, omega: None });
    }
    let a = stats::cronbach_alpha(rows)?;
    let ci = stats::cronbach_alpha_ci(&a, alpha)?;
    let omega = stats::mcdonald_omega(rows)?.omega;
    Ok(ScaleReliability { alpha: a, ci, omega })
}

/// The `reliability` table and, unsuppressed, each (scale, wave)'s α: the scorecard
/// needs the outcome scale's reliability even where the table withholds it.
pub struct Reliability {
    pub frame: DataFrame,
    pub alpha: BTreeMap<(String, String), f64>,
}

pub fn reliability(items: &DataFrame, responses: &LongTable, ctx: &Params) -> Result<Reliability, IndicatorError> {
    // Each wave's scales as `scales` gives them for a present wave (a wave's scales
    // depend on that wave's item rows and the blank-wave ones only).
    let scales_of = |wave: &str| -> Result<Vec<WaveScale<Item>>, IndicatorError> {
        Ok(scales(items, &[wave])?
            .into_iter()
            .filter(|((_, _, w), _)| w == wave)
            .map(|((scale, _, _), m)| (scale, m.into_iter().map(|(id, item)| (id, item.position, item)).collect()))
            .collect())
    };
    let answers = complete_answers(responses, scales_of, recode)?;
    let mut waves: Vec<&str> = answers.waves.iter().map(String::as_str).collect();
    waves.sort_by_key(|w| (wave_rank(w), *w));
    let scales = scales(items, &waves)?;
    let keys: Vec<&ScaleKey> = scales.keys().collect();
    // Each task decodes its group's answers to f64 and drops them when done, so no
    // more groups are decoded at once than the pool has threads.
    let results: Vec<ScaleReliability> = keys
        .par_iter()
        .map(|key| {
            let (k, flat) = answers.complete(&key.0, &key.2);
            let rows: Vec<&[f64]> = if k == 0 { Vec::new() } else { flat.chunks_exact(k).collect() };
            scale_reliability(&rows, scales[*key].len(), ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, _>>()?;
    drop(answers);
    let n: Vec<Option<i64>> = results.iter().map(|r| Some(r.alpha.n as i64)).collect();
    let df = Out::new(keys.len())
        .str(col::SCALE, keys.iter().map(|k| Some(k.0.as_str())))
        .str(col::WAVE, keys.iter().map(|k| Some(k.2.as_str())))
        .int(col::N, n.clone())
        .int(col::K_ITEMS, results.iter().map(|r| Some(r.alpha.k as i64)))
        .f64(col::ALPHA, results.iter().map(|r| r.alpha.alpha))
        .f64(col::ALPHA_CI_LOW, results.iter().map(|r| r.ci.map(|i| i.low)))
        .f64(col::ALPHA_CI_HIGH, results.iter().map(|r| r.ci.map(|i| i.high)))
        .f64(col::OMEGA, results.iter().map(|r| r.omega))
        .finish(T)?;
    let alpha =
        keys.iter().zip(&results).filter_map(|(k, r)| Some(((k.0.clone(), k.2.clone()), r.alpha.alpha?))).collect();
    Ok(Reliability {
        frame: suppress(df, &primary(&n, ctx.min_cell), &[col::SCALE, col::WAVE, col::K_ITEMS], T)?,
        alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IndicatorSettings, PipelineFile};

    fn items() -> DataFrame {
        // Scale `s`: three 1–5 items, q3 reverse-coded; `t` has one item only (no α);
        // `topics` items are never scale items.
        df!(
            "item_id" => ["q1", "q2", "q3", "t1", "tp"],
            "scale" => ["s", "s", "s", "t", "s"],
            "wave" => [None::<&str>, None, None, None, None],
            "min" => [1.0, 1.0, 1.0, 1.0, 1.0],
            "max" => [5.0, 5.0, 5.0, 5.0, 5.0],
            "reverse" => [false, false, true, false, false],
            "kind" => ["likert", "likert", "likert", "likert", "topics"]
        )
        .unwrap()
    }

    /// Long answers: (class, cadre, wave, item, value).
    fn responses(rows: &[(&str, &str, &str, &str, Option<f64>)]) -> LongTable {
        df!(
            "class_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "cadre_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "wave" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "item_id" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "value" => rows.iter().map(|r| r.4).collect::<Vec<_>>()
        )
        .unwrap()
        .into()
    }

    fn answers() -> Vec<(&'static str, &'static str, &'static str, &'static str, Option<f64>)> {
        let table: [(&str, &str, [Option<f64>; 3]); 6] = [
            ("A", "c1", [Some(4.0), Some(5.0), Some(2.0)]),
            ("A", "c2", [Some(3.0), Some(3.0), Some(3.0)]),
            ("A", "c3", [Some(2.0), Some(1.0), Some(5.0)]),
            ("B", "c1", [Some(5.0), Some(4.0), Some(1.0)]),
            ("B", "c4", [Some(1.0), Some(2.0), Some(4.0)]),
            // Incomplete: dropped (listwise).
            ("B", "c5", [Some(2.0), None, Some(4.0)]),
        ];
        let mut rows = Vec::new();
        for (class, cadre, v) in table {
            for (item, x) in ["q1", "q2", "q3"].iter().zip(v) {
                rows.push((class, cadre, "pre", *item, x));
            }
            rows.push((class, cadre, "pre", "t1", Some(3.0)));
        }
        rows
    }

    /// `reliability` of `rows`, the same whether read from a frame or, by key, from a
    /// Parquet file of 5-row groups (which split respondents).
    fn run(rows: &[(&str, &str, &str, &str, Option<f64>)]) -> DataFrame {
        let settings =
            PipelineFile { indicators: IndicatorSettings { min_cell: 1, ..Default::default() }, ..Default::default() };
        let ctx = Params::new(&settings, "2025");
        let source = responses(rows);
        let out = reliability(&items(), &source, &ctx).unwrap().frame;
        if let LongTable::Frame(df) = &source {
            if df.height() > 0 {
                let (_dir, files) = LongTable::parquet_for_test(df, 5);
                assert!(out.equals_missing(&reliability(&items(), &files, &ctx).unwrap().frame), "read by key");
            }
        }
        out
    }

    #[test]
    fn alpha_of_the_recoded_complete_respondents() {
        let out = run(&answers());
        assert_eq!(out.height(), 1, "only `s` has two or more items");
        let n = out.column("n").unwrap().i64().unwrap().get(0);
        assert_eq!(n, Some(5));
        // q3 reverse-coded as 6 − x; respondents in (class, cadre) order.
        let m = [[4.0, 5.0, 4.0], [3.0, 3.0, 3.0], [2.0, 1.0, 1.0], [5.0, 4.0, 5.0], [1.0, 2.0, 2.0]];
        let want = stats::cronbach_alpha(&m).unwrap().alpha.unwrap();
        let got = out.column("alpha").unwrap().f64().unwrap().get(0).unwrap();
        assert_eq!(got.to_bits(), want.to_bits());
    }

    #[test]
    fn scattered_rows_give_the_same_result_as_adjacent_ones() {
        // A respondent's answers need not be adjacent: reversed and interleaved order,
        // and the incomplete respondent's missing answer arriving from a second block.
        let mut rows = answers();
        rows.reverse();
        let (even, odd): (Vec<_>, Vec<_>) = rows.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let scattered: Vec<_> = even.into_iter().chain(odd).map(|(_, r)| *r).collect();
        assert!(run(&scattered).equals_missing(&run(&answers())));
        let mut completed = answers();
        completed.push(("B", "c5", "pre", "q2", Some(3.0)));
        let n = run(&completed).column("n").unwrap().i64().unwrap().get(0);
        assert_eq!(n, Some(6), "the late answer completes c5");
    }

    #[test]
    fn no_answers_give_no_rows() {
        assert_eq!(run(&[]).height(), 0);
    }
}
