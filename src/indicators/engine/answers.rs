//! The reliability family's fast path: `survey_responses` (≈ 2·10⁷ rows at 10⁶
//! cadres) streamed into every respondent's answers to every scale.
//!
//! In: the long table ([`LongTable`]), each wave's scales as the family defines them
//! (`reliability::scales`: which items, at which position, with which recoding), and
//! the recoding of an answer. Out: [`Answers`] — per (scale, wave) met, the complete
//! respondents' recoded answers (k each, items in position order), respondents in
//! (class_id, cadre_id) order.
//!
//! Guarantees: a respondent is a cadre in a class; a respondent whose answers to one
//! scale come in several runs of rows has them merged in reading order, a later answer
//! to an item replacing an earlier one; a respondent is complete when every item of
//! the scale is answered (NaN is no answer).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::columnar::{Interner, LongTable, Scoped, StrCol, ViewMemo};
use crate::error::IndicatorError;
use crate::schema::col;

const T: &str = "reliability";

/// One scale of one wave as the family defines it: the scale's name and its items as
/// (item_id, position, the item's recoding).
pub(in crate::indicators) type WaveScale<I> = (String, Vec<(String, usize, I)>);

/// Where an item's answers go: (group, position, the item's recoding).
type Place<I> = (u32, usize, I);

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
struct Gathering<S, R, I> {
    /// A wave's scales (the family's definition).
    scales_of: S,
    recode: R,
    g: Gathered,
    waves: Interner,
    /// Per wave met: item_id → place.
    lookups: Vec<FxHashMap<String, Place<I>>>,
    /// The slots of the respondent of the previous row (rows of one respondent are
    /// adjacent); a respondent met again later gets new slots, merged after sorting.
    current: ((u32, u32, u32), Vec<(u32, u32)>),
}

impl<S, R, I> Gathering<S, R, I>
where
    S: FnMut(&str) -> Result<Vec<WaveScale<I>>, IndicatorError> + Send,
    R: Fn(&I, f64) -> f64 + Send,
    I: Copy + Send,
{
    /// The id of row `i`'s wave (`None` when null); a wave met for the first time gets
    /// its scales.
    fn wave(&mut self, wa: &StrCol<'_>, i: usize) -> Result<Option<u32>, IndicatorError> {
        let Some(w) = self.waves.id_at(wa, i) else { return Ok(None) };
        if w as usize == self.lookups.len() {
            let name = wa.str(i);
            self.g.waves.push(name.to_string());
            let mut lookup = FxHashMap::default();
            for (scale, items) in (self.scales_of)(name)? {
                let group = self.g.groups.len() as u32;
                for (id, position, item) in &items {
                    lookup.insert(id.clone(), (group, *position, *item));
                }
                self.g.groups.push((scale, name.to_string(), items.len()));
            }
            self.lookups.push(lookup);
        }
        Ok(Some(w))
    }

    /// The place of item `id` in wave `w`.
    fn place(&self, w: u32, id: &str) -> Option<Place<I>> {
        self.lookups.get(w as usize).and_then(|l| l.get(id).copied())
    }

    /// File answer `v` to the item at `place` of respondent (class `cl`, cadre `ca`
    /// within it, wave `w`).
    #[inline]
    fn file(&mut self, (cl, ca, w): (u32, u32, u32), (group, pos, item): Place<I>, v: f64) {
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
        g.values[g.slots[slot as usize].start + pos] = (self.recode)(&item, v);
    }
}

/// Read `survey_responses` chunk by chunk; recode every answer to a scale item of its
/// wave and file it under its respondent (cadre in a class) and (scale, wave).
fn gather<S, R, I>(source: &LongTable, scales_of: S, recode: R) -> Result<Gathered, IndicatorError>
where
    S: FnMut(&str) -> Result<Vec<WaveScale<I>>, IndicatorError> + Send,
    R: Fn(&I, f64) -> f64 + Send,
    I: Copy + Send,
{
    let mut r = Gathering {
        scales_of,
        recode,
        g: Gathered::default(),
        waves: Interner::default(),
        lookups: Vec::new(),
        current: ((u32::MAX, 0, 0), Vec::new()),
    };
    // Reserved up front: grown by doubling, the two vectors were copied into fresh
    // pages again and again, each copy paid in page faults. A respondent's
    // slot holds k ≥ 2 answers, usually all given; pages reserved but never written
    // cost nothing. A respondent who skips items still takes k places, so the answers
    // can outnumber the rows (by ~1 % at 10⁶ cadres; growing the vector then copied
    // all of it once): half as much again is reserved.
    let rows = source.rows()?;
    r.g.values.reserve(rows + rows / 2);
    r.g.slots.reserve(rows / 4);
    let mut item_of: ViewMemo<Option<Place<I>>> = ViewMemo::default();
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

/// What [`complete_answers`] gives: the waves met, and per (scale, wave) met its
/// complete respondents.
pub(in crate::indicators) struct Answers {
    /// The waves met, in order of discovery.
    pub waves: Vec<String>,
    /// (scale, wave, k) of each group, in order of discovery.
    groups: Vec<(String, String, usize)>,
    /// Per group, where each complete respondent's k answers start in `values`.
    complete: Vec<Vec<usize>>,
    values: Vec<f64>,
}

impl Answers {
    /// The complete respondents' answers to `scale` in `wave` (k each, in position
    /// order), respondents in (class_id, cadre_id) order; none when the group was not met.
    pub(in crate::indicators) fn complete(&self, scale: &str, wave: &str) -> Vec<&[f64]> {
        let Some(g) = self.groups.iter().position(|(s, w, _)| s == scale && w == wave) else { return Vec::new() };
        let k = self.groups[g].2;
        self.complete[g].iter().map(|&start| &self.values[start..start + k]).collect()
    }
}

/// Read `survey_responses` (see [`gather`]) and keep, per (scale, wave) met, its
/// complete respondents sorted by (class_id, cadre_id).
pub(in crate::indicators) fn complete_answers<S, R, I>(
    source: &LongTable,
    scales_of: S,
    recode: R,
) -> Result<Answers, IndicatorError>
where
    S: FnMut(&str) -> Result<Vec<WaveScale<I>>, IndicatorError> + Send,
    R: Fn(&I, f64) -> f64 + Send,
    I: Copy + Send,
{
    let g = gather(source, scales_of, recode)?;
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
    let mut complete: Vec<Vec<usize>> = vec![Vec::new(); g.groups.len()];
    let mut values = g.values;
    let mut answers = Vec::new();
    for run in order.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        let group = run[0].0 as usize;
        let k = g.groups[group].2;
        let start = match run {
            [one] => g.slots[one.3 as usize].start,
            _ => {
                answers.clear();
                answers.resize(k, f64::NAN);
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
            complete[group].push(start);
        }
    }
    Ok(Answers { waves: g.waves, groups: g.groups, complete, values })
}
