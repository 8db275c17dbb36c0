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
use rustc_hash::FxHashMap;

use super::columnar::{Interner, Scoped, Source, StrCol, ViewMemo};
use super::frame::{bools, f64s, serr, strs, Out};
use super::suppress::{primary, suppress};
use super::Ctx;
use crate::error::IndicatorError;
use crate::schema::{col, Wave};
use crate::stats::{self, StatsError};

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

/// Where an item's answers go: (group, position, min, max, reverse).
type Place = (u32, usize, f64, f64, bool);

/// One respondent's answers to one scale in one wave, as they are gathered.
struct Slot {
    /// Index into the groups found while reading.
    group: u32,
    class: u32,
    /// The cadre's id within its class.
    cadre: u32,
    /// Offset of the scale's k recoded answers in `Gathered::values` (NaN until answered).
    start: usize,
}

/// Every (scale, wave) group met in the answers, and every respondent's answers.
#[derive(Default)]
struct Gathered {
    /// (scale, wave, k) of each group, in order of discovery.
    groups: Vec<(String, String, usize)>,
    slots: Vec<Slot>,
    values: Vec<f64>,
    classes: Interner,
    /// Cadres within their class.
    cadres: Scoped,
    waves: Vec<String>,
}

/// What [`gather`] keeps while it reads: the answers so far, the waves met with their
/// item lookups, and the slots of the respondent of the previous row.
struct Gathering<'i> {
    items: &'i DataFrame,
    g: Gathered,
    waves: Interner,
    /// Per wave met: item_id → (group, position, min, max, reverse).
    lookups: Vec<FxHashMap<String, Place>>,
    /// The slots of the respondent of the previous row (rows of one respondent are
    /// adjacent); a respondent met again later gets new slots, merged after sorting.
    current: ((u32, u32, u32), Vec<(u32, u32)>),
}

impl Gathering<'_> {
    /// The id of row `i`'s wave (`None` when null); a wave met for the first time gets
    /// its scales, as `scales` gives them for a present wave (each wave's scales depend
    /// on that wave only).
    fn wave(&mut self, wa: &StrCol<'_>, i: usize) -> Result<Option<u32>, IndicatorError> {
        let Some(w) = self.waves.id_at(wa, i) else { return Ok(None) };
        if w as usize == self.lookups.len() {
            let name = wa.str(i);
            self.g.waves.push(name.to_string());
            let mut lookup = FxHashMap::default();
            for ((scale, _, wave), m) in scales(self.items, &[name])? {
                if wave != name {
                    continue;
                }
                let group = self.g.groups.len() as u32;
                for (id, item) in &m {
                    lookup.insert(id.clone(), (group, item.position, item.min, item.max, item.reverse));
                }
                self.g.groups.push((scale, wave, m.len()));
            }
            self.lookups.push(lookup);
        }
        Ok(Some(w))
    }

    /// The place of item `id` in wave `w`.
    fn place(&self, w: u32, id: &str) -> Option<Place> {
        self.lookups.get(w as usize).and_then(|l| l.get(id).copied())
    }

    /// File answer `v` to the item at `place` of respondent (class `cl`, cadre `ca`
    /// within it, wave `w`).
    #[inline]
    fn file(&mut self, (cl, ca, w): (u32, u32, u32), (group, pos, lo, hi, rev): Place, v: f64) {
        let g = &mut self.g;
        if self.current.0 != (cl, ca, w) {
            self.current = ((cl, ca, w), Vec::new());
        }
        let slot = match self.current.1.iter().find(|(gr, _)| *gr == group) {
            Some(&(_, s)) => s,
            None => {
                let k = g.groups[group as usize].2;
                g.slots.push(Slot { group, class: cl, cadre: ca, start: g.values.len() });
                g.values.extend(std::iter::repeat_n(f64::NAN, k));
                let s = (g.slots.len() - 1) as u32;
                self.current.1.push((group, s));
                s
            }
        };
        g.values[g.slots[slot as usize].start + pos] = if rev { lo + hi - v } else { v };
    }
}

/// Read `survey_responses` chunk by chunk; recode every answer to a scale item of its
/// wave and file it under its respondent (cadre in a class) and (scale, wave).
fn gather(items: &DataFrame, source: &Source) -> Result<Gathered, IndicatorError> {
    let mut r = Gathering {
        items,
        g: Gathered::default(),
        waves: Interner::default(),
        lookups: Vec::new(),
        current: ((u32::MAX, 0, 0), Vec::new()),
    };
    // Reserved up front: grown by doubling, the two vectors were copied into fresh
    // pages again and again (0.2–0.4 s of page faults at 10⁶ cadres). A respondent's
    // slot holds k ≥ 2 answers, usually all given; pages reserved but never written
    // cost nothing. A respondent who skips items still takes k places, so the answers
    // can outnumber the rows (by ~1 % at 10⁶ cadres; growing the vector then copied
    // all of it once): half as much again is reserved.
    let rows = source.rows()?;
    r.g.values.reserve(rows + rows / 2);
    r.g.slots.reserve(rows / 4);
    let mut item_of: ViewMemo<Option<Place>> = ViewMemo::default();
    let mut item_wave = u32::MAX;
    source.for_each_chunk(|df| {
        let (cl, ca, wa, it) =
            (df.str(col::CLASS_ID, T)?, df.str(col::CADRE_ID, T)?, df.str(col::WAVE, T)?, df.str(col::ITEM_ID, T)?);
        let value = df.f64(col::VALUE, T)?;
        if let (Some((ck, _)), Some((ak, _)), Some((wk, n_waves)), Some((ik, n_items))) =
            (cl.dense_keys(), ca.dense_keys(), wa.dense_keys(), it.dense_keys())
        {
            // Every column as keys without nulls (what `build` writes): a row's wave and
            // item are array indexes and a new respondent is a change of three keys.
            let mut wave_of = vec![u32::MAX; n_waves];
            // The place of each item key in wave `places_wave`, `None` until looked up.
            let (mut places, mut places_wave) = (vec![None; n_items], u32::MAX);
            let (values, valid) = (value.values().as_slice(), value.validity());
            let (mut here, mut respondent) = ((u32::MAX, u32::MAX, u32::MAX), (0, 0, 0));
            for i in 0..ck.len().min(values.len()) {
                let w = match wave_of[wk[i] as usize] {
                    u32::MAX => match r.wave(&wa, i)? {
                        Some(w) => {
                            wave_of[wk[i] as usize] = w;
                            w
                        }
                        None => continue,
                    },
                    w => w,
                };
                let v = values[i];
                if v.is_nan() || valid.is_some_and(|b| !b.get_bit(i)) {
                    continue;
                }
                if w != places_wave {
                    places.fill(None);
                    places_wave = w;
                }
                let place = *places[ik[i] as usize].get_or_insert_with(|| r.place(w, it.key_str(ik[i])));
                let Some(place) = place else { continue };
                if (ck[i], ak[i], wk[i]) != here {
                    let Some(c) = r.g.classes.id_at(&cl, i) else { continue };
                    let Some(a) = r.g.cadres.id_at(c, &ca, i) else { continue };
                    (here, respondent) = ((ck[i], ak[i], wk[i]), (c, a, w));
                }
                r.file(respondent, place, v);
            }
            return Ok(());
        }
        for (i, v) in value.iter().map(|x| x.copied()).enumerate().take(cl.len()) {
            let Some(w) = r.wave(&wa, i)? else { continue };
            let Some(v) = v.filter(|v| !v.is_nan()) else {
                continue;
            };
            if w != item_wave {
                // The memo maps item views to their place in one wave's lookup.
                item_of = ViewMemo::default();
                item_wave = w;
            }
            let lookups = &r.lookups;
            let Some(Some(place)) = item_of.get(&it, i, |id| lookups[w as usize].get(id).copied()) else {
                continue;
            };
            let Some(c) = r.g.classes.id_at(&cl, i) else { continue };
            let Some(a) = r.g.cadres.id_at(c, &ca, i) else { continue };
            r.file((c, a, w), place, v);
        }
        Ok(())
    })?;
    Ok(r.g)
}

/// `reliability` from `items` and `survey_responses`, streamed (see [`gather`]);
/// complete respondents of each group reach the statistics core sorted by
/// (class_id, cadre_id), items in position order.
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

pub fn reliability(items: &DataFrame, responses: &Source, ctx: &Ctx) -> Result<Reliability, IndicatorError> {
    let g = gather(items, responses)?;
    let mut waves: Vec<&str> = g.waves.iter().map(String::as_str).collect();
    waves.sort_by_key(|w| (wave_rank(w), *w));
    let scales = scales(items, &waves)?;
    let keys: Vec<&Key> = scales.keys().collect();
    let final_of: FxHashMap<(&str, &str), usize> =
        keys.iter().enumerate().map(|(i, k)| ((k.0.as_str(), k.2.as_str()), i)).collect();
    let (_, rank_class) = g.classes.finish();
    let rank_cadre = g.cadres.finish(&rank_class);
    // Slots by (group, class, cadre); a respondent's slots of one group (more than one
    // only when their rows were not adjacent) merge in reading order, later answers
    // replacing earlier ones, and the respondent is complete when every item is answered.
    let mut order: Vec<(u32, u32, u32, u32)> = g
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let class = rank_class[s.class as usize];
            (s.group, class, rank_cadre[class as usize].1[s.cadre as usize], i as u32)
        })
        .collect();
    order.par_sort_unstable();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    let mut values = g.values;
    let mut answers = Vec::new();
    for run in order.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        let (scale, wave, k) = &g.groups[run[0].0 as usize];
        let Some(&f) = final_of.get(&(scale.as_str(), wave.as_str())) else {
            continue;
        };
        let start = match run {
            [one] => g.slots[one.3 as usize].start,
            _ => {
                answers.clear();
                answers.resize(*k, f64::NAN);
                for &(_, _, _, i) in run {
                    let from = g.slots[i as usize].start;
                    for (a, &x) in answers.iter_mut().zip(&values[from..from + k]) {
                        if !x.is_nan() {
                            *a = x;
                        }
                    }
                }
                values.extend_from_slice(&answers);
                values.len() - k
            }
        };
        if values[start..start + k].iter().all(|x| !x.is_nan()) {
            members[f].push(start);
        }
    }
    let results: Vec<ScaleReliability> = members
        .par_iter_mut()
        .zip(keys.par_iter())
        .map(|(m, key)| {
            let k = scales[*key].len();
            let rows: Vec<&[f64]> = m.iter().map(|&start| &values[start..start + k]).collect();
            scale_reliability(&rows, k, ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, _>>()?;
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
    fn responses(rows: &[(&str, &str, &str, &str, Option<f64>)]) -> Source {
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
        let ctx = Ctx::new(&settings, "2025");
        let source = responses(rows);
        let out = reliability(&items(), &source, &ctx).unwrap().frame;
        if let Source::Frame(df) = &source {
            if df.height() > 0 {
                let (_dir, files) = Source::parquet_for_test(df, 5);
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
