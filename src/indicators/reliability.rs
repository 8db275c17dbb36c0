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

use super::frame::{bools, f64s, perr, serr, strs, Out};
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
    let (id, scale, wave, kind) = (
        strs(items, col::ITEM_ID, T)?,
        strs(items, col::SCALE, T)?,
        strs(items, col::WAVE, T)?,
        strs(items, col::KIND, T)?,
    );
    let (min, max, rev) = (f64s(items, col::MIN, T)?, f64s(items, col::MAX, T)?, bools(items, col::REVERSE, T)?);
    let mut out: BTreeMap<Key, BTreeMap<String, Item>> = BTreeMap::new();
    // Wave-specific rows first so that they win over a blank-wave row of the same item.
    let mut rows: Vec<usize> = (0..items.height()).collect();
    rows.sort_by_key(|&i| wave[i].is_none_or(str::is_empty));
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

/// `reliability` from `items` and `survey_responses` (lazy: the answers are joined to
/// their items, complete respondents kept and sorted by polars; only the recoded
/// values reach Rust, contiguous per respondent).
pub fn reliability(items: &DataFrame, responses: LazyFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    let err = perr(T);
    let present =
        responses.clone().select([col(col::WAVE)]).unique(None, UniqueKeepStrategy::Any).collect().map_err(&err)?;
    let mut waves: Vec<&str> = strs(&present, col::WAVE, T)?.into_iter().flatten().collect();
    waves.sort_by_key(|w| (wave_rank(w), *w));
    let scales = scales(items, &waves)?;
    let keys: Vec<&Key> = scales.keys().collect();

    // Lookup: (item_id, wave) → group, position, range, reverse, items in the group.
    let entries: Vec<(&str, &str, u32, &Item, u32)> = scales
        .iter()
        .enumerate()
        .flat_map(|(g, (key, m))| {
            m.iter().map(move |(id, item)| (id.as_str(), key.2.as_str(), g as u32, item, m.len() as u32))
        })
        .collect();
    let lookup = DataFrame::new(
        entries.len(),
        vec![
            Column::new(col::ITEM_ID.into(), entries.iter().map(|e| e.0).collect::<Vec<_>>()),
            Column::new(col::WAVE.into(), entries.iter().map(|e| e.1).collect::<Vec<_>>()),
            Column::new("g".into(), entries.iter().map(|e| e.2).collect::<Vec<_>>()),
            Column::new("pos".into(), entries.iter().map(|e| e.3.position as u32).collect::<Vec<_>>()),
            Column::new("lo".into(), entries.iter().map(|e| e.3.min).collect::<Vec<_>>()),
            Column::new("hi".into(), entries.iter().map(|e| e.3.max).collect::<Vec<_>>()),
            Column::new("rev".into(), entries.iter().map(|e| e.3.reverse).collect::<Vec<_>>()),
            Column::new("k".into(), entries.iter().map(|e| e.4).collect::<Vec<_>>()),
        ],
    )
    .map_err(&err)?;
    let keys3 = || [col("g"), col(col::CLASS_ID), col(col::CADRE_ID)];
    let answers = responses
        .filter(col(col::VALUE).is_not_null())
        .join(
            lookup.lazy(),
            [col(col::ITEM_ID), col(col::WAVE)],
            [col(col::ITEM_ID), col(col::WAVE)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([
            col("g"),
            col(col::CLASS_ID),
            col(col::CADRE_ID),
            col("pos"),
            col("k"),
            when(col("rev")).then(col("lo") + col("hi") - col(col::VALUE)).otherwise(col(col::VALUE)).alias("x"),
        ]);
    let complete = answers
        .clone()
        .group_by(keys3())
        .agg([len().alias("n"), col("k").first()])
        .filter(col("n").cast(DataType::UInt32).eq(col("k")))
        .select(keys3());
    let data = answers
        .join(complete, keys3(), keys3(), JoinArgs::new(JoinType::Semi))
        .sort(["g", col::CLASS_ID, col::CADRE_ID, "pos"], SortMultipleOptions::default())
        .select([col("g"), col("x")])
        .collect()
        .map_err(&err)?;
    let g: Vec<Option<u32>> = data.column("g").map_err(&err)?.u32().map_err(&err)?.iter().collect();
    let x = f64s(&data, "x", T)?;
    // Each group's answers are contiguous, k per complete respondent.
    let mut matrices: Vec<Vec<Vec<f64>>> = vec![Vec::new(); keys.len()];
    let mut i = 0;
    while i < g.len() {
        let Some(gi) = g[i].map(|v| v as usize).filter(|v| *v < keys.len()) else {
            i += 1;
            continue;
        };
        let k = scales[keys[gi]].len();
        let row: Vec<f64> = (i..(i + k).min(g.len())).map(|j| x[j].unwrap_or(f64::NAN)).collect();
        matrices[gi].push(row);
        i += k;
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
