//! The reliability family's fast path: `survey_responses` (≈ 2·10⁷ rows at 10⁶
//! cadres) streamed into every respondent's answers to every scale.
//!
//! In: the long table ([`LongTable`]), each wave's scales as the family defines them
//! (`reliability::scales`: which items, at which position, with which recoding), and
//! the recoding of an answer. Out: [`Answers`] — per (scale, wave) met, the complete
//! respondents' recoded answers (k each, items in position order), respondents in
//! (class_id, cadre_id) order, decoded to f64 one group at a time on request.
//!
//! Guarantees: a respondent is a cadre in a class; a respondent whose answers to one
//! scale come in several runs of rows has them merged in reading order, a later answer
//! to an item replacing an earlier one; a respondent is complete when every item of
//! the scale is answered (NaN is no answer). A group's answers are held as one byte
//! each while every one of them is a whole number 0–254 (Likert codes, also after
//! reverse coding), else as f64; either way the decoded values are the recoded f64
//! values bit for bit.

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
    /// Offset of the scale's k recoded answers in its group's [`Codes`].
    start: u32,
}

/// One group's answers, k places per respondent. Held as one byte each while every
/// answer is a whole number 0–254, since every answer of the period is held until the
/// family ends and f64 would take eight times the memory; a group with any other
/// answer turns to f64 for good.
#[derive(Debug, Clone)]
enum Codes {
    /// [`NO_ANSWER`] is a place not answered.
    Bytes(Vec<u8>),
    /// NaN is a place not answered.
    Floats(Vec<f64>),
}

/// The byte of a place not answered.
const NO_ANSWER: u8 = u8::MAX;

/// The byte of `v` when it decodes to `v` bit for bit (so not −0.0, NaN, fractions or
/// values out of 0–254).
fn byte(v: f64) -> Option<u8> {
    let b = v as u8;
    (b != NO_ANSWER && f64::from(b).to_bits() == v.to_bits()).then_some(b)
}

impl Default for Codes {
    fn default() -> Self {
        Codes::Bytes(Vec::new())
    }
}

impl Codes {
    fn len(&self) -> usize {
        match self {
            Codes::Bytes(b) => b.len(),
            Codes::Floats(f) => f.len(),
        }
    }

    /// Add `k` places not answered.
    fn push_empty(&mut self, k: usize) {
        match self {
            Codes::Bytes(b) => b.extend(std::iter::repeat_n(NO_ANSWER, k)),
            Codes::Floats(f) => f.extend(std::iter::repeat_n(f64::NAN, k)),
        }
    }

    /// Place `i` answered `v` (NaN: not answered).
    #[inline]
    fn set(&mut self, i: usize, v: f64) {
        match self {
            Codes::Bytes(b) => match byte(v) {
                Some(x) => b[i] = x,
                None => {
                    let mut f: Vec<f64> = b.iter().map(|&x| decode(x)).collect();
                    f[i] = v;
                    *self = Codes::Floats(f);
                }
            },
            Codes::Floats(f) => f[i] = v,
        }
    }

    /// The answer at place `i` (NaN: not answered).
    #[inline]
    fn get(&self, i: usize) -> f64 {
        match self {
            Codes::Bytes(b) => decode(b[i]),
            Codes::Floats(f) => f[i],
        }
    }

    /// Whether the `k` places from `start` are all answered.
    fn all_answered(&self, start: usize, k: usize) -> bool {
        match self {
            Codes::Bytes(b) => b[start..start + k].iter().all(|&x| x != NO_ANSWER),
            Codes::Floats(f) => f[start..start + k].iter().all(|x| !x.is_nan()),
        }
    }

    /// Append the `k` answers from `start` to `out` as f64.
    fn decode_into(&self, start: usize, k: usize, out: &mut Vec<f64>) {
        match self {
            Codes::Bytes(b) => out.extend(b[start..start + k].iter().map(|&x| decode(x))),
            Codes::Floats(f) => out.extend_from_slice(&f[start..start + k]),
        }
    }
}

#[inline]
fn decode(x: u8) -> f64 {
    if x == NO_ANSWER {
        f64::NAN
    } else {
        f64::from(x)
    }
}

/// Every (scale, wave) group met in the answers, and every respondent's answers.
#[derive(Default)]
struct Gathered {
    /// (scale, wave, k) of each group, in order of discovery.
    groups: Vec<(String, String, usize)>,
    slots: Vec<Slot>,
    /// Per group, its respondents' answers.
    codes: Vec<Codes>,
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
                self.g.codes.push(Codes::default());
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
    fn file(
        &mut self,
        (cl, ca, w): (u32, u32, u32),
        (group, pos, item): Place<I>,
        v: f64,
    ) -> Result<(), IndicatorError> {
        let g = &mut self.g;
        if self.current.0 != (cl, ca, w) {
            self.current = ((cl, ca, w), Vec::new());
        }
        let codes = &mut g.codes[group as usize];
        let slot = match self.current.1.iter().find(|(gr, _)| *gr == group) {
            Some(&(_, s)) => s,
            None => {
                let k = g.groups[group as usize].2;
                g.slots.push(Slot { group, class: cl, cadre: ca, start: offset(codes.len())? });
                codes.push_empty(k);
                let s = (g.slots.len() - 1) as u32;
                self.current.1.push((group, s));
                s
            }
        };
        codes.set(g.slots[slot as usize].start as usize + pos, (self.recode)(&item, v));
        Ok(())
    }
}

/// A place in a group's answers as a slot holds it.
fn offset(len: usize) -> Result<u32, IndicatorError> {
    u32::try_from(len).map_err(|_| IndicatorError::Compute {
        indicator: T.into(),
        message: "more than 2^32 answers to one scale in one wave".into(),
    })
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
    // Reserved up front: grown by doubling, the slots were copied into fresh pages
    // again and again, each copy paid in page faults. A respondent's slot holds k ≥ 2
    // answers; pages reserved but never written cost nothing. The groups' answers
    // (a byte each, their split among groups unknown before reading) grow as they come.
    let rows = source.rows()?;
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
                r.file(respondent, place, v)?;
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
            r.file((c, a, w), place, v)?;
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
    /// Per group, where each complete respondent's k answers start in its codes.
    complete: Vec<Vec<u32>>,
    codes: Vec<Codes>,
}

impl Answers {
    /// The complete respondents' answers to `scale` in `wave` as f64, k after k (items
    /// in position order), respondents in (class_id, cadre_id) order, with k; none
    /// when the group was not met. Decoded on each call: a caller holds one group's
    /// f64 rows at a time, not the period's.
    pub(in crate::indicators) fn complete(&self, scale: &str, wave: &str) -> (usize, Vec<f64>) {
        let Some(g) = self.groups.iter().position(|(s, w, _)| s == scale && w == wave) else {
            return (0, Vec::new());
        };
        let k = self.groups[g].2;
        let mut out = Vec::with_capacity(self.complete[g].len() * k);
        for &start in &self.complete[g] {
            self.codes[g].decode_into(start as usize, k, &mut out);
        }
        (k, out)
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
    let mut complete: Vec<Vec<u32>> = vec![Vec::new(); g.groups.len()];
    let mut codes = g.codes;
    let mut answers = Vec::new();
    for run in order.chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2)) {
        let group = run[0].0 as usize;
        let k = g.groups[group].2;
        let codes = &mut codes[group];
        let start = match run {
            [one] => g.slots[one.3 as usize].start,
            _ => {
                answers.clear();
                answers.resize(k, f64::NAN);
                for &(_, _, _, i) in run {
                    let from = g.slots[i as usize].start as usize;
                    for (p, a) in answers.iter_mut().enumerate() {
                        let x = codes.get(from + p);
                        if !x.is_nan() {
                            *a = x;
                        }
                    }
                }
                let start = codes.len();
                codes.push_empty(k);
                for (p, &a) in answers.iter().enumerate() {
                    if !a.is_nan() {
                        codes.set(start + p, a);
                    }
                }
                offset(start)?
            }
        };
        if codes.all_answered(start as usize, k) {
            complete[group].push(start);
        }
    }
    Ok(Answers { waves: g.waves, groups: g.groups, complete, codes })
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;

    #[test]
    fn the_codes_give_back_every_value_bit_for_bit() {
        // Whole numbers stay bytes; 2.5 turns the group to f64, after which every value
        // (earlier bytes included) must read back exactly, −0.0 and 255 among them.
        let seq = [3.0, 0.0, 254.0, 1.0, 2.5, -0.0, 255.0, 4.0, 1e300];
        let mut codes = Codes::default();
        let mut want = Vec::new();
        codes.push_empty(seq.len() + 1);
        want.resize(seq.len() + 1, f64::NAN);
        for (i, &v) in seq.iter().enumerate() {
            codes.set(i, v);
            want[i] = v;
            assert_eq!(matches!(codes, Codes::Bytes(_)), i < 4, "bytes until 2.5 at {i}");
            for (j, w) in want.iter().enumerate() {
                assert_eq!(codes.get(j).to_bits(), w.to_bits(), "place {j} after {i}");
            }
        }
        for v in [-0.0, 255.0, 0.5, -1.0, f64::NAN, 256.0] {
            assert_eq!(byte(v), None, "{v} has no byte");
        }
        assert_eq!(byte(7.0), Some(7));
    }

    #[test]
    fn the_compact_store_gives_exactly_the_f64_rows() {
        // Scale `a` (q1, q2; q2 reverse-coded 6 − x): whole answers, held as bytes.
        // Scale `b` (r1, r2): one answer 2.5 after whole ones, so its group falls back
        // to f64. c3 skips q2 (incomplete); c2's r2 comes in a later run of rows.
        let rows: [(&str, &str, &str, f64); 11] = [
            ("K", "c2", "r1", 4.0),
            ("K", "c1", "q1", 5.0),
            ("K", "c1", "q2", 1.0),
            ("K", "c1", "r1", 1.0),
            ("K", "c1", "r2", 2.0),
            ("K", "c2", "q1", 3.0),
            ("K", "c2", "q2", 4.0),
            ("K", "c3", "q1", 2.0),
            ("K", "c3", "r1", 2.5),
            ("K", "c3", "r2", 3.0),
            ("K", "c2", "r2", 5.0),
        ];
        let source: LongTable = df!(
            "class_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "cadre_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "wave" => rows.iter().map(|_| "pre").collect::<Vec<_>>(),
            "item_id" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "value" => rows.iter().map(|r| r.3).collect::<Vec<_>>()
        )
        .unwrap()
        .into();
        let scales_of = |_: &str| -> Result<Vec<WaveScale<bool>>, IndicatorError> {
            Ok(vec![
                ("a".into(), vec![("q1".into(), 0, false), ("q2".into(), 1, true)]),
                ("b".into(), vec![("r1".into(), 0, false), ("r2".into(), 1, false)]),
            ])
        };
        let recode = |reverse: &bool, x: f64| if *reverse { 6.0 - x } else { x };
        let check = |answers: &Answers| {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let (k, a) = answers.complete("a", "pre");
            assert_eq!((k, bits(&a)), (2, bits(&[5.0, 5.0, 3.0, 2.0])), "a: c1, c2");
            let (k, b) = answers.complete("b", "pre");
            assert_eq!((k, bits(&b)), (2, bits(&[1.0, 2.0, 4.0, 5.0, 2.5, 3.0])), "b: c1, c2, c3");
            assert!(answers.complete("a", "post").1.is_empty(), "a group not met");
            assert!(matches!(answers.codes[0], Codes::Bytes(_)), "a stays bytes");
            assert!(matches!(answers.codes[1], Codes::Floats(_)), "b falls back to f64");
        };
        check(&complete_answers(&source, scales_of, recode).unwrap());
        if let LongTable::Frame(df) = &source {
            let (_dir, files) = LongTable::parquet_for_test(df, 3);
            check(&complete_answers(&files, scales_of, recode).unwrap());
        }
    }
}
