//! The scorecard's fast path: `trainee_ratings` (≈ 3·10⁷ rows at 10⁶ cadres) streamed
//! into one small state per trainee (a cadre in a class).
//!
//! In: the long table ([`LongTable`]: class_id, cadre_id, rater_role, score), which
//! rater roles count, and the fold of one score into a trainee's state (the family's
//! rule, `scorecard::by_others` and `scorecard::Welford::push`, passed in so that the
//! rule lives with its family). Out: [`Trainees`] — per (class_id, cadre_id) named by a
//! counted row, the fold of its scores, looked up by the two ids.
//!
//! Guarantees: each state folds its trainee's scores in table order (the order of the
//! whole table read as one frame), so an order-sensitive fold rounds as it would there.
//! A row with a null class, cadre or role counts for nothing; a row with a null score
//! names its trainee but folds nothing (a NaN is folded: it is a value). Memory grows
//! with the trainees, not the ratings: two row groups' columns, the ids and one state
//! per trainee are held. `scorecard`'s property test checks that the states are those
//! of its plain definition, on random tables read both as a frame and as Parquet.

use super::columnar::{Interner, LongTable, Scoped, StrCol, ViewMemo};
use crate::error::IndicatorError;
use crate::schema::col;

const T: &str = "trainee_ratings";

/// Every trainee met, with its state.
pub(in crate::indicators) struct Trainees<A> {
    classes: Interner,
    /// Cadres within their class.
    cadres: Scoped,
    /// By first-seen class id, then by first-seen cadre id within the class.
    states: Vec<Vec<A>>,
}

impl<A: Default> Trainees<A> {
    /// The state of row `i`'s trainee (`None` when its class or cadre is null), made on
    /// first sight.
    #[inline]
    fn at(&mut self, cl: &StrCol<'_>, ca: &StrCol<'_>, i: usize) -> Option<(u32, u32)> {
        let a = self.classes.id_at(cl, i)?;
        let b = self.cadres.id_at(a, ca, i)?;
        let (au, bu) = (a as usize, b as usize);
        if self.states.len() <= au {
            self.states.resize_with(au + 1, Vec::new);
        }
        let of_class = &mut self.states[au];
        if of_class.len() <= bu {
            of_class.resize_with(bu + 1, A::default);
        }
        Some((a, b))
    }

    #[inline]
    fn state(&mut self, (a, b): (u32, u32)) -> &mut A {
        &mut self.states[a as usize][b as usize]
    }
}

impl<A> Trainees<A> {
    /// Trainees met.
    pub(in crate::indicators) fn len(&self) -> usize {
        self.states.iter().map(Vec::len).sum()
    }

    /// The state of trainee (`class`, `cadre`), if a counted row named it.
    pub(in crate::indicators) fn get(&self, class: &str, cadre: &str) -> Option<&A> {
        let a = self.classes.find(class)?;
        let b = self.cadres.find(a, cadre)?;
        self.states.get(a as usize)?.get(b as usize)
    }

    /// Every trainee as ((class_id, cadre_id), state): classes in order of first
    /// appearance, cadres within a class likewise.
    #[cfg(test)]
    pub(in crate::indicators) fn iter(&self) -> impl Iterator<Item = ((&str, &str), &A)> {
        self.states.iter().enumerate().flat_map(move |(a, of_class)| {
            let class = self.classes.name(a as u32);
            of_class.iter().enumerate().map(move |(b, s)| ((class, self.cadres.name(a as u32, b as u32)), s))
        })
    }
}

/// Read `trainee_ratings` chunk by chunk and fold every score of a rater whose role
/// `counts` into its trainee's state with `fold`, in table order.
pub(in crate::indicators) fn fold_trainees<A, C, F>(
    source: &LongTable,
    counts: C,
    fold: F,
) -> Result<Trainees<A>, IndicatorError>
where
    A: Default + Send,
    C: Fn(&str) -> bool + Sync,
    F: Fn(&mut A, f64) + Sync,
{
    let mut t: Trainees<A> = Trainees { classes: Interner::default(), cadres: Scoped::default(), states: Vec::new() };
    let mut counted_role: ViewMemo<bool> = ViewMemo::default();
    source.for_each_chunk(|df| {
        let (cl, ca, ro) = (df.str(col::CLASS_ID, T)?, df.str(col::CADRE_ID, T)?, df.str(col::RATER_ROLE, T)?);
        let score = df.f64(col::SCORE, T)?;
        let (values, valid) = (score.values().as_slice(), score.validity());
        if let (Some((ck, _)), Some((ak, _)), Some((rk, n_roles))) = (cl.dense_keys(), ca.dense_keys(), ro.dense_keys())
        {
            // Every key column without nulls (what `build` writes): a row's role is an
            // array index and a new trainee is a change of two keys.
            let counted: Vec<bool> = (0..n_roles as u32).map(|k| counts(ro.key_str(k))).collect();
            let (mut here, mut at) = ((u32::MAX, u32::MAX), (0, 0));
            for i in 0..ck.len().min(ak.len()).min(rk.len()).min(values.len()) {
                if !counted.get(rk[i] as usize).copied().unwrap_or(false) {
                    continue;
                }
                if (ck[i], ak[i]) != here {
                    let Some(ab) = t.at(&cl, &ca, i) else { continue };
                    (here, at) = ((ck[i], ak[i]), ab);
                }
                if valid.is_none_or(|v| v.get_bit(i)) {
                    fold(t.state(at), values[i]);
                }
            }
            return Ok(());
        }
        for (i, x) in score.iter().map(|x| x.copied()).enumerate().take(cl.len()) {
            if counted_role.get(&ro, i, &counts) != Some(true) {
                continue;
            }
            let Some(ab) = t.at(&cl, &ca, i) else { continue };
            if let Some(x) = x {
                fold(t.state(ab), x);
            }
        }
        Ok(())
    })?;
    Ok(t)
}
