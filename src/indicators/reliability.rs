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

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use rayon::prelude::*;

use super::frame::{bools, f64s, serr, strs, Out};
use super::suppress::{below, suppress};
use super::Ctx;
use crate::error::IndicatorError;
use crate::stats;
use crate::warehouse::schema::{col, Wave};

const T: &str = "reliability";

/// One scale item as it applies in one wave.
#[derive(Debug, Clone)]
struct Item {
    position: usize,
    min: f64,
    max: f64,
    reverse: bool,
}

/// (scale, wave) → item_id → item, for scales with ≥ 2 items in the wave.
type Key = (String, usize, String);

/// Sort rank of a wave: canonical waves in time order, others after.
fn wave_rank(w: &str) -> usize {
    Wave::from_name(w).map_or(Wave::ALL.len(), |w| w as usize)
}

fn scales(items: &DataFrame, waves: &[&str]) -> Result<BTreeMap<Key, BTreeMap<String, Item>>, IndicatorError> {
    let (id, scale, wave, kind) =
        (strs(items, col::ITEM_ID, T)?, strs(items, col::SCALE, T)?, strs(items, col::WAVE, T)?, strs(items, col::KIND, T)?);
    let (min, max, rev) = (f64s(items, col::MIN, T)?, f64s(items, col::MAX, T)?, bools(items, col::REVERSE, T)?);
    let mut out: BTreeMap<Key, BTreeMap<String, Item>> = BTreeMap::new();
    // Wave-specific rows first so that they win over a blank-wave row of the same item.
    let mut rows: Vec<usize> = (0..items.height()).collect();
    rows.sort_by_key(|&i| wave[i].map_or(true, str::is_empty));
    for i in rows {
        let (Some(id), Some(scale), Some(lo), Some(hi)) = (id[i], scale[i], min[i], max[i]) else { continue };
        if scale.is_empty() || kind[i] == Some("topics") || hi <= lo {
            continue;
        }
        let applies: Vec<&str> = match wave[i] {
            Some(w) if !w.is_empty() => vec![w],
            _ => waves.to_vec(),
        };
        for w in applies {
            let entry = out.entry((scale.to_string(), wave_rank(w), w.to_string())).or_default();
            entry.entry(id.to_string()).or_insert(Item { position: 0, min: lo, max: hi, reverse: rev[i].unwrap_or(false) });
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

/// `reliability` from `items` and `survey_responses`.
pub fn reliability(items: &DataFrame, responses: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    let (class, cadre, wave, item) = (
        strs(responses, col::CLASS_ID, T)?,
        strs(responses, col::CADRE_ID, T)?,
        strs(responses, col::WAVE, T)?,
        strs(responses, col::ITEM_ID, T)?,
    );
    // A blank-wave item applies to every wave that has answers.
    let mut waves: Vec<&str> = wave.iter().flatten().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    waves.sort_by_key(|w| (wave_rank(w), *w));
    let scales = scales(items, &waves)?;
    // (item_id, wave) → (scale group index, item); one lookup per answer.
    let keys: Vec<&Key> = scales.keys().collect();
    let mut lookup: HashMap<(&str, &str), Vec<(usize, &Item)>> = HashMap::new();
    for (g, (key, m)) in scales.iter().enumerate() {
        for (id, item) in m {
            lookup.entry((id.as_str(), key.2.as_str())).or_default().push((g, item));
        }
    }
    let value = f64s(responses, col::VALUE, T)?;
    // One matrix per scale group: respondent rows in order of first appearance.
    let mut index: Vec<HashMap<(&str, &str), usize>> = vec![HashMap::new(); keys.len()];
    let mut matrices: Vec<Vec<Vec<f64>>> = vec![Vec::new(); keys.len()];
    for i in 0..responses.height() {
        let (Some(cl), Some(ca), Some(w), Some(it)) = (class[i], cadre[i], wave[i], item[i]) else { continue };
        let Some(targets) = lookup.get(&(it, w)) else { continue };
        for &(g, def) in targets {
            let k = scales[keys[g]].len();
            let next = matrices[g].len();
            let row = *index[g].entry((cl, ca)).or_insert(next);
            if row == next {
                matrices[g].push(vec![f64::NAN; k]);
            }
            let x = value[i].unwrap_or(f64::NAN);
            matrices[g][row][def.position] = if def.reverse { def.min + def.max - x } else { x };
        }
    }
    let results: Vec<stats::CronbachAlpha> = matrices
        .par_iter()
        .zip(keys.par_iter())
        .map(|(m, key)| {
            let k = scales[*key].len();
            if m.is_empty() {
                Ok(stats::CronbachAlpha { n: 0, k, alpha: None })
            } else {
                stats::cronbach_alpha(m).map_err(serr(T))
            }
        })
        .collect::<Result<_, _>>()?;
    let n: Vec<Option<i64>> = results.iter().map(|r| Some(r.n as i64)).collect();
    let df = Out::new(keys.len())
        .str(col::SCALE, keys.iter().map(|k| Some(k.0.as_str())))
        .str(col::WAVE, keys.iter().map(|k| Some(k.2.as_str())))
        .int(col::N, n.clone())
        .int(col::K_ITEMS, results.iter().map(|r| Some(r.k as i64)))
        .f64(col::ALPHA, results.iter().map(|r| r.alpha))
        .finish(T)?;
    suppress(df, &below(&n, ctx.min_cell), &[col::SCALE, col::WAVE, col::N, col::K_ITEMS], T)
}
