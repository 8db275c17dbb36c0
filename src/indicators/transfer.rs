//! L3 behaviour / transfer: performance reviews before and after a class, against
//! untrained cadres; and the follow-up survey waves against post.
//!
//! In: `trainee_outcomes` (review_before/after, outcome scores at every wave),
//! `classes`, `cadres`, the review histories built from `reviews` ([`Histories`], so
//! the reviews can be freed before the class rows are computed), the follow-up lag.
//! Out: `transfer_by_class` (SPEC App. B) and `follow_up`.
//! Conventions (App. C.12): review score = `total` (mean of the five dimensions, all
//! kinds); before = latest review dated before start_date; after = first review dated
//! on or after end_date + lag (two reviews on one date ordered by kind, as in the
//! join); n_trained = enrollment rows; n_followed = trainees with both; attrition =
//! 1 − n_followed / n_trained. Controls = cadres of the class's target category with
//! no enrollment in any class starting in the same calendar year, their reviews taken
//! at the class's own dates; did = mean_delta − control_delta with Welch's interval
//! ([`crate::stats::diff_in_diff`]). The row is suppressed when n_followed < min_cell;
//! when only the controls are fewer than min_cell, control_delta and the DiD are
//! withheld (null) on an otherwise published row.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::frame::{day_view, days, f64_view, f64s, group_by, i64s, index_by, pick, serr, str_view, strs, Out};
use super::keys::Cadres;
use super::suppress::{primary, suppress};
use super::Ctx;
use crate::error::IndicatorError;
use crate::stats;
use crate::warehouse::schema::col;

/// The control deltas of one control group: how many, and their moments.
struct Control {
    n: usize,
    deltas: stats::Accumulator,
}

/// A cadre's reviews sorted by (date, kind): (date in days, total).
type History = [(i32, f64)];

/// The review score before `start` and after `threshold` (both in days), if both exist
/// (what [`Pool::deltas`] computes for each of a pool's cadres; the tests hold them equal).
#[cfg(test)]
fn delta(h: &History, start: i32, threshold: i32) -> Option<f64> {
    let before = h.iter().rev().find(|r| r.0 < start)?;
    let after = h.iter().find(|r| r.0 >= threshold)?;
    Some(after.1 - before.1)
}

/// A class's control key: (target category, year, start, end + lag) in days.
type Key<'a> = (&'a str, i64, i32, i32);
/// A control key with its dates replaced by positions among the pool's review dates
/// (see [`canonical_key`]).
type Canonical<'a> = (&'a str, i64, usize, usize);

/// The untrained cadres of a (category, year) with reviews, in cadre order: their
/// reviews end to end, each date replaced by its rank among the sorted distinct dates
/// of the pool's reviews. A review is before a start (or from a threshold on) exactly
/// when its rank is below (at or above) the number of the pool's dates before it, so
/// a control delta needs the ranks only. Laid out flat, a pool (~4·10⁴ cadres at 10⁶)
/// is read from the cache by each of its ~20 distinct control groups: through
/// references into the histories, the 169 groups at 10⁶ took 0.21–0.29 s, flat
/// 0.11–0.13 s.
struct Pool {
    /// The pool's distinct review dates, sorted.
    dates: Vec<i32>,
    ranks: Vec<u32>,
    totals: Vec<f64>,
    /// Where each cadre's reviews end in `ranks` and `totals`.
    ends: Vec<usize>,
}

impl Pool {
    fn new(members: &[&History]) -> Pool {
        let mut dates: Vec<i32> = members.iter().flat_map(|h| h.iter().map(|r| r.0)).collect();
        dates.sort_unstable();
        dates.dedup();
        let reviews = members.iter().map(|h| h.len()).sum();
        let mut pool = Pool {
            dates,
            ranks: Vec::with_capacity(reviews),
            totals: Vec::with_capacity(reviews),
            ends: Vec::with_capacity(members.len()),
        };
        for h in members {
            for &(date, total) in h.iter() {
                let rank = pool.rank(date) as u32;
                pool.ranks.push(rank);
                pool.totals.push(total);
            }
            pool.ends.push(pool.ranks.len());
        }
        pool
    }

    /// The number of the pool's review dates before `day`.
    fn rank(&self, day: i32) -> usize {
        self.dates.partition_point(|d| *d < day)
    }

    /// Each cadre's review score before the start and from the threshold on, both given
    /// as [`Pool::rank`]s, in cadre order; cadres without either review are left out.
    fn deltas(&self, start: usize, threshold: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.ends.len());
        let mut from = 0;
        for &to in &self.ends {
            let ranks = &self.ranks[from..to];
            let before = ranks.iter().rposition(|&k| (k as usize) < start);
            let after = ranks.iter().position(|&k| k as usize >= threshold);
            if let (Some(b), Some(a)) = (before, after) {
                out.push(self.totals[from + a] - self.totals[from + b]);
            }
            from = to;
        }
        out
    }
}

/// The key with start and threshold replaced by the number of the pool's review dates
/// before each: keys equal here have equal control deltas.
fn canonical_key<'a>(pools: &BTreeMap<(&'a str, i64), Pool>, &(cat, y, s, thr): &Key<'a>) -> Option<Canonical<'a>> {
    let pool = pools.get(&(cat, y))?;
    Some((cat, y, pool.rank(s), pool.rank(thr)))
}

/// Review histories of every cadre, by cadre number, in blocks of [`Histories::BLOCK`]
/// cadres: each block holds its cadres' reviews end to end, and `ends[c]` is where
/// cadre `c`'s reviews end within its block (a cadre starts where the one before it
/// in the block ends, the block's first at 0). The blocks are built in parallel and
/// kept as they are (joining them copied ~45 MB into fresh memory at 10⁶ cadres).
/// Reviews of ids that neither `cadres` nor `trainee_outcomes` name belong to no
/// control pool and no class: they are left out.
pub struct Histories {
    ends: Vec<usize>,
    blocks: Vec<Vec<(i32, f64)>>,
}

impl Histories {
    const BLOCK: usize = 1 << 14;

    pub fn new(reviews: &DataFrame, keys: &Cadres) -> Result<Histories, IndicatorError> {
        const T: &str = "transfer_by_class";
        let review_rows = keys.rows_of(&strs(reviews, col::CADRE_ID, T)?);
        // Read in place: as vectors, the three columns of ~3·10⁶ rows at 10⁶ cadres took
        // ~110 MB of fresh memory.
        let (date, kind, total) = (
            day_view(reviews, col::REVIEW_DATE, T)?,
            str_view(reviews, col::KIND, T)?,
            f64_view(reviews, col::TOTAL, T)?,
        );
        let total = |i: usize| total.get(i).filter(|x| !x.is_nan());
        let n = keys.len();
        // Each block: its cadres' reviews end to end, and where each cadre's reviews end.
        type Block = (Vec<(i32, f64)>, Vec<usize>);
        let built: Vec<Block> = (0..n.div_ceil(Self::BLOCK))
            .into_par_iter()
            .map(|b| {
                let (mut flat, mut ends, mut rows) = (Vec::new(), Vec::with_capacity(Self::BLOCK), Vec::new());
                for c in b * Self::BLOCK..((b + 1) * Self::BLOCK).min(n) {
                    rows.clear();
                    rows.extend(
                        review_rows
                            .get(c as u32)
                            .iter()
                            .map(|&i| i as usize)
                            .filter(|&i| date.get(i).is_some() && total(i).is_some()),
                    );
                    rows.sort_by_key(|&i| (date.get(i), kind.get(i)));
                    flat.extend(rows.iter().map(|&i| (date.get(i).unwrap_or_default(), total(i).unwrap_or_default())));
                    ends.push(flat.len());
                }
                (flat, ends)
            })
            .collect();
        let mut ends = Vec::with_capacity(n);
        let mut blocks = Vec::with_capacity(built.len());
        for (flat, block_ends) in built {
            ends.extend(block_ends);
            blocks.push(flat);
        }
        Ok(Histories { ends, blocks })
    }

    /// The reviews of cadre `c` (empty when it has none).
    fn of(&self, c: u32) -> &History {
        let c = c as usize;
        let start = if c.is_multiple_of(Self::BLOCK) { 0 } else { self.ends[c - 1] };
        &self.blocks[c / Self::BLOCK][start..self.ends[c]]
    }
}

/// `transfer_by_class`: one row per class, sorted by class_id.
pub fn transfer_by_class(
    outcomes: &DataFrame,
    classes: &DataFrame,
    cadres: &DataFrame,
    hist: &Histories,
    numbers: &Cadres,
    ctx: &Ctx,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "transfer_by_class";
    let lag = ctx.settings.indicators.follow_up_lag_days as i32;
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let (before, after) = (f64s(outcomes, col::REVIEW_BEFORE, T)?, f64s(outcomes, col::REVIEW_AFTER, T)?);
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    // Cadres by category in id order.
    let k_cat = strs(cadres, col::CATEGORY, T)?;
    let by_category = group_by(numbers.cadre_rows.rows().len(), |k| k_cat[numbers.cadre_rows.rows()[k] as usize]);

    let (cl, target, start, end, year) = (
        strs(classes, col::CLASS_ID, T)?,
        strs(classes, col::TARGET_CATEGORY, T)?,
        days(classes, col::START_DATE, T)?,
        days(classes, col::END_DATE, T)?,
        i64s(classes, col::YEAR, T)?,
    );
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| cl[i]);

    // Control deltas per distinct (category, year, start, end + lag), computed once.
    let key_of =
        |i: usize| -> Option<Key> { Some((target[i].filter(|t| !t.is_empty())?, year[i]?, start[i]?, end[i]? + lag)) };
    let keys: Vec<Key> =
        order.iter().filter_map(|&i| key_of(i)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    // The untrained cadres of each (category, year), with their histories, found once.
    let pool_keys: std::collections::BTreeSet<(&str, i64)> = keys.iter().map(|k| (k.0, k.1)).collect();
    // Each pool by the ranks of its review dates: a control's delta depends on (start,
    // threshold) only through how many of those dates lie before each, so classes with
    // the same two counts share their control deltas (computed once).
    let pools: BTreeMap<(&str, i64), Pool> = pool_keys
        .into_par_iter()
        .map(|(cat, y)| {
            let members: Vec<&History> = by_category
                .get(cat)
                .map(|ks| {
                    ks.iter()
                        .filter_map(|&k| numbers.of_cadre_row[numbers.cadre_rows.rows()[k] as usize])
                        .filter(|&c| !numbers.trained(y, c))
                        .map(|c| hist.of(c))
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            ((cat, y), Pool::new(&members))
        })
        .collect();
    let groups: std::collections::BTreeSet<Canonical> = keys.iter().filter_map(|k| canonical_key(&pools, k)).collect();
    let groups: Vec<Canonical> = groups.into_iter().collect();
    // Summarised once per distinct control group (a pool holds ~4·10⁴ cadres at 10⁶, and
    // many classes share a group).
    let deltas_of: BTreeMap<Canonical, Control> = groups
        .par_iter()
        .map(|&(cat, y, s, thr)| {
            let d = pools.get(&(cat, y)).map(|p| p.deltas(s, thr)).unwrap_or_default();
            ((cat, y, s, thr), Control { n: d.len(), deltas: stats::Accumulator::from_slice(&d) })
        })
        .collect();
    let controls: BTreeMap<Key, &Control> =
        keys.iter().filter_map(|k| Some((*k, deltas_of.get(&canonical_key(&pools, k)?)?))).collect();

    let empty: Vec<usize> = Vec::new();
    let no_controls = Control { n: 0, deltas: stats::Accumulator::new() };
    struct Row {
        n_trained: usize,
        paired: stats::PairedT,
        control_n: usize,
        did: stats::DiffInDiff,
    }
    let rows: Vec<Row> = order
        .par_iter()
        .map(|&i| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            let (b, a) = (pick(&before, idx), pick(&after, idx));
            let paired = stats::paired_t(&b, &a, ctx.alpha).map_err(serr(T))?;
            let treated: Vec<f64> = b.iter().zip(&a).map(|(b, a)| a - b).filter(|d| d.is_finite()).collect();
            let control = key_of(i).and_then(|k| controls.get(&k).copied()).unwrap_or(&no_controls);
            let treated = stats::Accumulator::from_slice(&treated);
            let did = stats::diff_in_diff_from(&treated, &control.deltas, ctx.alpha).map_err(serr(T))?;
            Ok(Row { n_trained: idx.len(), paired, control_n: control.n, did })
        })
        .collect::<Result<_, IndicatorError>>()?;
    let few_controls = |r: &Row| r.control_n < ctx.min_cell;
    let n_followed: Vec<Option<i64>> = rows.iter().map(|r| Some(r.paired.n as i64)).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .int(col::N_TRAINED, rows.iter().map(|r| Some(r.n_trained as i64)))
        .int(col::N_FOLLOWED, n_followed.clone())
        .f64(
            col::ATTRITION,
            rows.iter().map(|r| (r.n_trained > 0).then(|| 1.0 - r.paired.n as f64 / r.n_trained as f64)),
        )
        .f64(col::BEFORE_MEAN, rows.iter().map(|r| r.paired.mean_pre))
        .f64(col::AFTER_MEAN, rows.iter().map(|r| r.paired.mean_post))
        .f64(col::MEAN_DELTA, rows.iter().map(|r| r.paired.mean_diff))
        .f64(col::T, rows.iter().map(|r| r.paired.test.map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| r.paired.test.map(|t| t.df)))
        .f64(col::P_VALUE, rows.iter().map(|r| r.paired.test.map(|t| t.p)))
        .f64(col::CI_LOW, rows.iter().map(|r| r.paired.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.paired.test.map(|t| t.ci_high)))
        .f64(col::D_Z, rows.iter().map(|r| r.paired.d_z))
        .int(col::CONTROL_N, rows.iter().map(|r| Some(r.control_n as i64)))
        .f64(col::CONTROL_DELTA, rows.iter().map(|r| if few_controls(r) { None } else { r.did.control_delta }))
        .f64(col::DID, rows.iter().map(|r| if few_controls(r) { None } else { r.did.did }))
        .f64(col::DID_CI_LOW, rows.iter().map(|r| if few_controls(r) { None } else { r.did.test.map(|t| t.ci_low) }))
        .f64(col::DID_CI_HIGH, rows.iter().map(|r| if few_controls(r) { None } else { r.did.test.map(|t| t.ci_high) }))
        .finish(T)?;
    suppress(df, &primary(&n_followed, ctx.min_cell), &[col::CLASS_ID], T)
}

/// `follow_up`: one row per class and follow-up wave (3, 6, 12 months): the outcome
/// at the follow-up against post (paired, differences follow − post), and the share of
/// the pre→post gain retained, `(follow̄ − prē)/(post̄ − prē)` over trainees scored at
/// all three (null when the class gained nothing at 9 decimals).
pub fn follow_up(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "follow_up";
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let (pre, post) = (f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let waves = [("follow_3m", col::FOLLOW_3M), ("follow_6m", col::FOLLOW_6M), ("follow_12m", col::FOLLOW_12M)];
    let follows: Vec<Vec<Option<f64>>> = waves.iter().map(|w| f64s(outcomes, w.1, T)).collect::<Result<_, _>>()?;
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let cl = strs(classes, col::CLASS_ID, T)?;
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| cl[i]);
    let cells: Vec<(usize, usize)> = order.iter().flat_map(|&i| (0..waves.len()).map(move |w| (i, w))).collect();
    let empty: Vec<usize> = Vec::new();
    let rows: Vec<(stats::PairedT, Option<f64>)> = cells
        .par_iter()
        .map(|&(i, w)| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            let (p, f) = (pick(&post, idx), pick(&follows[w], idx));
            let paired = stats::paired_t(&p, &f, ctx.alpha).map_err(serr(T))?;
            let triples: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&j| pre[j].is_some() && post[j].is_some() && follows[w][j].is_some())
                .collect();
            let means = (
                stats::mean(&pick(&pre, &triples)),
                stats::mean(&pick(&post, &triples)),
                stats::mean(&pick(&follows[w], &triples)),
            );
            let retention = match means {
                (Some(a), Some(b), Some(f)) if stats::round_for_ties(b - a) != 0.0 => Some((f - a) / (b - a)),
                _ => None,
            };
            Ok((paired, retention))
        })
        .collect::<Result<_, IndicatorError>>()?;
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.0.n as i64)).collect();
    let df = Out::new(cells.len())
        .str(col::CLASS_ID, cells.iter().map(|&(i, _)| cl[i]))
        .str(col::WAVE, cells.iter().map(|&(_, w)| Some(waves[w].0)))
        .int(col::N_PAIRS, n.clone())
        .f64(col::POST_MEAN, rows.iter().map(|r| r.0.mean_pre))
        .f64(col::FOLLOW_MEAN, rows.iter().map(|r| r.0.mean_post))
        .f64(col::MEAN_DIFF, rows.iter().map(|r| r.0.mean_diff))
        .f64(col::SD_DIFF, rows.iter().map(|r| r.0.sd_diff))
        .f64(col::T, rows.iter().map(|r| r.0.test.map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| r.0.test.map(|t| t.df)))
        .f64(col::P_VALUE, rows.iter().map(|r| r.0.test.map(|t| t.p)))
        .f64(col::CI_LOW, rows.iter().map(|r| r.0.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.0.test.map(|t| t.ci_high)))
        .f64(col::RETENTION, rows.iter().map(|r| r.1))
        .finish(T)?;
    suppress(df, &primary(&n, ctx.min_cell), &[col::CLASS_ID, col::WAVE], T)
}

/// `assessment_by_class`: the two-way assessment's self-rating against the ratings
/// by class managers, teachers and peers (paired per trainee, differences self −
/// others: the self-rating inflation).
pub fn assessment_by_class(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "assessment_by_class";
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let (others, own) = (f64s(outcomes, col::TRAINEE_ASSESSMENT, T)?, f64s(outcomes, col::SELF_ASSESSMENT, T)?);
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let cl = strs(classes, col::CLASS_ID, T)?;
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| cl[i]);
    let empty: Vec<usize> = Vec::new();
    let rows: Vec<stats::PairedT> = order
        .par_iter()
        .map(|&i| {
            let idx = cl[i].and_then(|c| by_class.get(c)).unwrap_or(&empty);
            stats::paired_t(&pick(&others, idx), &pick(&own, idx), ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, IndicatorError>>()?;
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.n as i64)).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .int(col::N_PAIRS, n.clone())
        .f64(col::OTHERS_MEAN, rows.iter().map(|r| r.mean_pre))
        .f64(col::SELF_MEAN, rows.iter().map(|r| r.mean_post))
        .f64(col::MEAN_DIFF, rows.iter().map(|r| r.mean_diff))
        .f64(col::SD_DIFF, rows.iter().map(|r| r.sd_diff))
        .f64(col::T, rows.iter().map(|r| r.test.map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| r.test.map(|t| t.df)))
        .f64(col::P_VALUE, rows.iter().map(|r| r.test.map(|t| t.p)))
        .f64(col::CI_LOW, rows.iter().map(|r| r.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.test.map(|t| t.ci_high)))
        .finish(T)?;
    suppress(df, &primary(&n, ctx.min_cell), &[col::CLASS_ID], T)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_is_strictly_before_the_start_and_after_is_from_end_plus_lag() {
        let h: &History = &[(10, 70.0), (20, 72.0), (100, 75.0), (130, 80.0)];
        // start 20: the review on day 20 is not "before".
        assert_eq!(delta(h, 20, 100), Some(75.0 - 70.0));
        // threshold 101: the day-100 review is too early, the next one counts.
        assert_eq!(delta(h, 21, 101), Some(80.0 - 72.0));
        assert_eq!(delta(h, 10, 100), None, "nothing before");
        assert_eq!(delta(h, 21, 131), None, "nothing after");
    }

    #[test]
    fn a_pool_gives_each_cadres_delta_for_every_start_and_threshold() {
        // Cadres with one review, several, reviews on the same day, and none.
        let members: [&History; 5] = [
            &[(10, 70.0), (20, 72.0), (100, 75.0), (130, 80.0)],
            &[(50, 60.0)],
            &[(20, 61.0), (20, 62.0), (140, 66.0)],
            &[],
            &[(5, 90.0), (200, 95.5)],
        ];
        let pool = Pool::new(&members);
        assert_eq!(pool.dates, [5, 10, 20, 50, 100, 130, 140, 200]);
        let mut groups = 0;
        for start in 0..=210 {
            for threshold in start..=210 {
                let want: Vec<f64> = members.iter().filter_map(|h| delta(h, start, threshold)).collect();
                let got = pool.deltas(pool.rank(start), pool.rank(threshold));
                assert_eq!(got, want, "start {start}, threshold {threshold}");
                groups += usize::from(!want.is_empty());
            }
        }
        assert!(groups > 1000, "most (start, threshold) have some delta");
    }

    /// Every cadre's reviews, sorted by (date, kind), over more cadres than a block
    /// holds: cadres at the blocks' edges, cadres without reviews, reviews out of order.
    #[test]
    fn histories_across_blocks() {
        let n = Histories::BLOCK + 7;
        let id = |c: usize| format!("C{c:06}");
        let (mut who, mut date, mut kind, mut total) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for c in (0..n).rev() {
            // c % 3 reviews: two on one date told apart by kind, listed backwards.
            for r in (0..c % 3).rev() {
                who.push(id(c));
                date.push(1000 + (c % 5) as i32);
                kind.push(if r == 0 { "annual" } else { "key_node" });
                total.push(c as f64 + r as f64 / 10.0);
            }
        }
        // A review of an id no other table names: in no history.
        who.push("X1".into());
        date.push(1000);
        kind.push("annual");
        total.push(1.0);
        let who_len = who.len();
        let reviews = DataFrame::new(
            who.len(),
            vec![
                Column::new("cadre_id".into(), who),
                Column::new("review_date".into(), date).cast(&DataType::Date).unwrap(),
                Column::new("kind".into(), kind),
                Column::new("total".into(), total),
            ],
        )
        .unwrap();
        let cadres = df!("cadre_id" => (0..n).map(id).collect::<Vec<_>>()).unwrap();
        let outcomes = df!("cadre_id" => Vec::<String>::new(), "year" => Vec::<i32>::new()).unwrap();
        let keys = Cadres::from_frames(&cadres, &outcomes, "t").unwrap();
        let h = Histories::new(&reviews, &keys).unwrap();
        assert_eq!((h.blocks.len(), h.ends.len()), (2, n));
        assert_eq!(h.blocks.iter().map(Vec::len).sum::<usize>(), who_len - 1);
        let number: std::collections::HashMap<&str, u32> =
            keys.ids.iter().enumerate().map(|(k, s)| (*s, k as u32)).collect();
        for c in 0..n {
            let number = number[id(c).as_str()];
            let want: Vec<(i32, f64)> =
                (0..c % 3).map(|r| (1000 + (c % 5) as i32, c as f64 + r as f64 / 10.0)).collect();
            assert_eq!(h.of(number), want.as_slice(), "cadre {c}");
        }
    }
}
