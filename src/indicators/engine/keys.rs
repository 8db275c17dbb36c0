//! Cadre ids as dense integers, found once and shared by the families that work per
//! cadre (compliance, scorecard, transfer, results).
//!
//! In: the cadre id columns of `cadres` and `trainee_outcomes`, and the class year of
//! every outcome row. Out: [`Cadres`] — every distinct id numbered in byte order of its
//! string (so walking the numbers is walking the ids sorted, as the string-keyed plan
//! did), the number of each `cadres` row, both tables' rows grouped by number
//! ([`Groups`]), and who was trained in which year; the rows of another table (the
//! reviews) grouped by the same numbers on request ([`Cadres::rows_of`]).
//!
//! Why: at 10⁶ cadres each family hashed, sorted or tree-searched 10⁶ id strings on
//! its own, with a cache miss per lookup; here the strings are hashed once (in
//! parallel) and everything after is integer indexing.

use polars::prelude::DataFrame;
use polars_arrow::array::{Array, Utf8ViewArray};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::frame::{column, i64s, perr, strs};
use crate::error::IndicatorError;
use crate::schema::col;

/// Row numbers grouped by a dense key, each group's rows in input order (a stable
/// counting sort: the grouping `index_by` gives, without hashing).
pub struct Groups {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl Groups {
    /// Group the rows by `key` (`None` rows are left out); keys are `< n_keys`.
    pub fn new(n_keys: usize, key: &[Option<u32>]) -> Groups {
        Groups::of_parts(n_keys, &[key])
    }

    /// [`Groups::new`] of the keys of `parts` end to end (row numbers run on from one
    /// part to the next), without joining them into one vector first.
    fn of_parts(n_keys: usize, parts: &[&[Option<u32>]]) -> Groups {
        let mut start = vec![0u32; n_keys + 1];
        for k in parts.iter().flat_map(|p| p.iter()).flatten() {
            start[*k as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut rows = vec![0u32; start[n_keys] as usize];
        for (row, k) in parts.iter().flat_map(|p| p.iter()).enumerate() {
            if let Some(k) = k {
                let at = &mut next[*k as usize];
                rows[*at as usize] = row as u32;
                *at += 1;
            }
        }
        Groups { start, rows }
    }

    /// The rows of key `k`, in input order (empty for an unknown key).
    #[inline]
    pub fn get(&self, k: u32) -> &[u32] {
        let k = k as usize;
        if k + 1 >= self.start.len() {
            return &[];
        }
        &self.rows[self.start[k] as usize..self.start[k + 1] as usize]
    }

    /// Every row, key by key.
    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    /// What `pick` makes of the rows of each of `keys` (rows it gives `None` left out),
    /// gathered in one loop of independent loads before any key's rows are used: a
    /// key's rows lie scattered over their table, and gathered key by key between the
    /// computations that use them, about one cache miss was in flight at a time.
    pub fn gather<T>(&self, keys: impl Iterator<Item = u32>, mut pick: impl FnMut(u32) -> Option<T>) -> PickedRows<T> {
        let (mut items, mut ends) = (Vec::new(), Vec::with_capacity(keys.size_hint().0));
        for k in keys {
            items.extend(self.get(k).iter().filter_map(|&row| pick(row)));
            ends.push(items.len());
        }
        PickedRows { items, ends }
    }
}

/// The rows [`Groups::gather`] picked, key after key.
pub struct PickedRows<T> {
    items: Vec<T>,
    /// Where each key's items end in `items`.
    ends: Vec<usize>,
}

impl<T> PickedRows<T> {
    /// Each key's items, in the order of the keys gathered.
    pub fn each_mut(&mut self) -> impl Iterator<Item = &mut [T]> {
        let mut rest = &mut self.items[..];
        let mut from = 0;
        self.ends.iter().map(move |&to| {
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(to - from);
            rest = tail;
            from = to;
            mine
        })
    }
}

/// The position of each of `col`'s ids in `ids` (sorted, distinct), `None` when absent
/// ([`find_sorted`] with the ids' prefixes taken here).
pub(in crate::indicators) fn positions(ids: &[&str], col: &[Option<&str>]) -> Vec<Option<u32>> {
    let heads: Vec<u64> = ids.iter().map(|s| prefix(s)).collect();
    find_sorted(ids, &heads, col)
}

/// The position of each of `col`'s ids in `ids` (sorted, distinct), `None` when absent;
/// `heads` are the ids' [`prefix`]es. A column whose rows come in long ascending runs
/// (reviews: one sorted file per year) is merged with `ids` as it is; any other is
/// sorted first (outcomes come by class), which costs less than a binary search per row
/// with a cache miss at every step.
fn find_sorted(ids: &[&str], heads: &[u64], col: &[Option<&str>]) -> Vec<Option<u32>> {
    let descents = col.par_windows(2).filter(|w| matches!(w, [Some(a), Some(b)] if b < a)).count();
    if descents <= col.len() / 64 {
        return merge_sorted(ids, heads, col);
    }
    // Sorted by the ids' first eight bytes as integers, then by their lengths where both
    // are eight bytes or shorter (there the two say all), the whole strings compared
    // only where neither does: the rows of one cadre tie on their prefixes, and
    // comparing their strings fetched two rows of the column and two strings from
    // anywhere in memory.
    let text = |i: u32| col[i as usize].unwrap_or_default();
    let mut order: Vec<(u64, u32, u32)> = (0..col.len() as u32)
        .filter_map(|i| col[i as usize].map(|s| (prefix(s), i, u32::try_from(s.len()).unwrap_or(u32::MAX))))
        .collect();
    order.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| if a.2 <= 8 && b.2 <= 8 { a.2.cmp(&b.2) } else { text(a.1).cmp(text(b.1)) })
    });
    let sorted: Vec<Option<&str>> = order.iter().map(|&(_, i, _)| col[i as usize]).collect();
    let mut out = vec![None; col.len()];
    for (&(_, i, _), found) in order.iter().zip(merge_sorted(ids, heads, &sorted)) {
        out[i as usize] = found;
    }
    out
}

/// [`find_sorted`] of a column in ascending runs: a repeat of the previous id is its
/// previous answer; an id above the previous one is searched forward from the previous
/// hit (galloping), a few comparisons a row; the first id of a run by a search from the
/// start. Comparisons look at the ids' prefixes first and at the strings only on a tie.
fn merge_sorted(ids: &[&str], heads: &[u64], col: &[Option<&str>]) -> Vec<Option<u32>> {
    col.par_chunks(1 << 15)
        .flat_map_iter(|chunk| {
            let mut prev: Option<(&str, u64, usize, Option<u32>)> = None;
            chunk.iter().map(move |c| {
                let s = (*c)?;
                let h = prefix(s);
                // Whether ids[i] < s.
                let below = |i: usize| heads[i] < h || (heads[i] == h && ids[i] < s);
                let mut lo = 0;
                if let Some((p, ph, at, found)) = prev {
                    if ph == h && p == s {
                        return found;
                    }
                    if ph < h || (ph == h && p < s) {
                        lo = at;
                    }
                }
                let mut step = 1;
                while lo + step < ids.len() && below(lo + step) {
                    lo += step;
                    step *= 2;
                }
                let (mut at, mut hi) = (lo, (lo + step + 1).min(ids.len()));
                while at < hi {
                    let mid = at + (hi - at) / 2;
                    if below(mid) {
                        at = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                let found = (at < ids.len() && heads[at] == h && ids[at] == s).then_some(at as u32);
                prev = Some((s, h, at, found));
                found
            })
        })
        .collect()
}

/// The first eight bytes of `s` (zero-padded) as a big-endian integer. A smaller prefix
/// means a smaller string in byte order; equal prefixes say nothing.
fn prefix(s: &str) -> u64 {
    let mut head = [0u8; 8];
    let n = s.len().min(8);
    head[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(head)
}

/// Cadre ids numbered in byte order, with the number of every row that names one.
pub struct Cadres<'a> {
    /// The distinct ids of the two tables; a cadre's number is its position.
    pub ids: Vec<&'a str>,
    /// Number of each `cadres` row (`None` when its id is null).
    pub of_cadre_row: Vec<Option<u32>>,
    /// `cadres` rows by number (a duplicated id keeps its rows in table order).
    pub cadre_rows: Groups,
    /// `trainee_outcomes` rows by number.
    pub outcome_rows: Groups,
    /// For each calendar year of a class start, which cadres were enrolled in such a class.
    pub trained_in: FxHashMap<i64, Vec<bool>>,
    /// Which cadres were enrolled at all.
    pub trained_any: Vec<bool>,
}

impl<'a> Cadres<'a> {
    /// Number the ids of the two columns; `outcome_year` is each outcome row's class year.
    pub fn new(cadre: &[Option<&'a str>], outcome: &[Option<&'a str>], outcome_year: &[Option<i64>]) -> Cadres<'a> {
        let (mut ids, mut of_cadre_row, mut of_outcome);
        if cadre.iter().all(Option::is_some) && cadre.is_sorted() {
            // The usual warehouse: the cadres table sorted by id. Its ids, deduplicated,
            // are the numbers; the other tables' ids are merged with them
            // ([`find_sorted`]), with no hash table of 10⁶ strings.
            ids = Vec::with_capacity(cadre.len());
            of_cadre_row = Vec::with_capacity(cadre.len());
            for s in cadre.iter().flatten() {
                if ids.last() != Some(s) {
                    ids.push(*s);
                }
                of_cadre_row.push(Some((ids.len() - 1) as u32));
            }
            let heads: Vec<u64> = ids.iter().map(|s| prefix(s)).collect();
            of_outcome = find_sorted(&ids, &heads, outcome);
            // Ids only the outcomes name, numbered after the known ones (renumbered below).
            let mut extra: FxHashMap<&'a str, u32> = FxHashMap::default();
            for (c, n) in outcome.iter().zip(of_outcome.iter_mut()) {
                if let (Some(s), true) = (c, n.is_none()) {
                    *n = Some(*extra.entry(s).or_insert_with(|| {
                        ids.push(s);
                        (ids.len() - 1) as u32
                    }));
                }
            }
        } else {
            let mut map: FxHashMap<&'a str, u32> = FxHashMap::default();
            map.reserve(cadre.len());
            ids = Vec::with_capacity(cadre.len());
            let mut intern = |s: &'a str, map: &mut FxHashMap<&'a str, u32>| -> u32 {
                *map.entry(s).or_insert_with(|| {
                    ids.push(s);
                    (ids.len() - 1) as u32
                })
            };
            of_cadre_row = cadre.iter().map(|c| c.map(|s| intern(s, &mut map))).collect();
            // The outcomes name (almost) only known cadres: look them up in parallel, then
            // number the few unknown ids.
            of_outcome = outcome.par_iter().map(|c| c.and_then(|s| map.get(s).copied())).collect();
            for (c, n) in outcome.iter().zip(of_outcome.iter_mut()) {
                if let (Some(s), true) = (c, n.is_none()) {
                    *n = Some(intern(s, &mut map));
                }
            }
        }
        // Renumber in byte order (nothing to do when the cadres table was sorted).
        if !ids.is_sorted() {
            let mut order: Vec<u32> = (0..ids.len() as u32).collect();
            order.par_sort_unstable_by_key(|&i| ids[i as usize]);
            let mut remap = vec![0u32; ids.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old as usize] = new as u32;
            }
            ids = order.iter().map(|&i| ids[i as usize]).collect();
            for nums in [&mut of_cadre_row, &mut of_outcome] {
                nums.par_iter_mut().flatten().for_each(|n| *n = remap[*n as usize]);
            }
        }
        let n = ids.len();
        let mut trained_in: FxHashMap<i64, Vec<bool>> = FxHashMap::default();
        let mut trained_any = vec![false; n];
        for (c, y) in of_outcome.iter().zip(outcome_year) {
            if let Some(c) = c {
                trained_any[*c as usize] = true;
                if let Some(y) = y {
                    trained_in.entry(*y).or_insert_with(|| vec![false; n])[*c as usize] = true;
                }
            }
        }
        Cadres {
            cadre_rows: Groups::new(n, &of_cadre_row),
            outcome_rows: Groups::new(n, &of_outcome),
            ids,
            of_cadre_row,
            trained_in,
            trained_any,
        }
    }

    /// The numbers of the cadre ids of `cadres` and `outcomes` (with their `year`).
    pub fn from_frames(
        cadres: &'a DataFrame,
        outcomes: &'a DataFrame,
        table: &str,
    ) -> Result<Cadres<'a>, IndicatorError> {
        Ok(Cadres::new(
            &strs(cadres, col::CADRE_ID, table)?,
            &strs(outcomes, col::CADRE_ID, table)?,
            &i64s(outcomes, col::YEAR, table)?,
        ))
    }

    /// The rows of another table's id column `col` grouped by number; rows naming no
    /// numbered cadre (or none) are left out. The ids are in byte order, so a column in
    /// long ascending runs (the reviews) is merged with them as it is.
    pub fn rows_of(&self, col: &[Option<&str>]) -> Groups {
        Groups::new(self.len(), &positions(&self.ids, col))
    }

    /// [`Cadres::rows_of`] of the string column `name` of `df`, read in place a piece at a
    /// time: the reviews' ids copied into one vector first were the largest allocation of
    /// their family (16 bytes a review), written once and read once.
    pub fn rows_of_column(&self, df: &DataFrame, name: &str, table: &str) -> Result<Groups, IndicatorError> {
        const PIECE: usize = 1 << 20;
        let ca = column(df, name, table)?.str().map_err(perr(table))?;
        let heads: Vec<u64> = self.ids.iter().map(|s| prefix(s)).collect();
        let pieces: Vec<(&Utf8ViewArray, usize)> =
            ca.downcast_iter().flat_map(|a| (0..a.len()).step_by(PIECE).map(move |at| (a, at))).collect();
        let found: Vec<Vec<Option<u32>>> = pieces
            .par_iter()
            .map(|&(a, at)| {
                let piece: Vec<Option<&str>> =
                    (at..(at + PIECE).min(a.len())).map(|j| a.is_valid(j).then(|| a.value(j))).collect();
                find_sorted(&self.ids, &heads, &piece)
            })
            .collect();
        let parts: Vec<&[Option<u32>]> = found.iter().map(Vec::as_slice).collect();
        Ok(Groups::of_parts(self.len(), &parts))
    }

    /// How many distinct cadres.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether cadre `c` was enrolled in a class starting in year `y`.
    pub fn trained(&self, y: i64, c: u32) -> bool {
        self.trained_in.get(&y).is_some_and(|t| t[c as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of each of `len` rows, from the rows grouped by number.
    fn numbers(groups: &Groups, len: usize) -> Vec<Option<u32>> {
        let mut out = vec![None; len];
        let mut k = 0u32;
        let mut seen = 0;
        while seen < groups.rows().len() {
            for &r in groups.get(k) {
                out[r as usize] = Some(k);
                seen += 1;
            }
            k += 1;
        }
        out
    }

    /// PickedRows, each key's picked rows are its group's, in order, key by key.
    #[test]
    fn gathered_rows_are_each_keys_picked_rows() {
        let groups = Groups::new(3, &[Some(1), None, Some(0), Some(1), Some(2), Some(1)]);
        let mut got = groups.gather([1, 2, 0, 7, 1].into_iter(), |row| (row != 3).then_some(row * 10));
        let got: Vec<Vec<u32>> = got.each_mut().map(|s| s.to_vec()).collect();
        assert_eq!(got, vec![vec![0, 50], vec![40], vec![20], vec![], vec![0, 50]]);
    }
    #[test]
    fn groups_keep_input_order_and_skip_missing_keys() {
        let g = Groups::new(3, &[Some(2), None, Some(0), Some(2), Some(0)]);
        assert_eq!((g.get(0), g.get(1), g.get(2), g.get(7)), (&[2, 4][..], &[][..], &[0, 3][..], &[][..]));
        assert_eq!(g.rows(), &[2, 4, 0, 3]);
    }

    #[test]
    fn numbers_follow_byte_order_across_both_tables() {
        let cadres = [Some("c2"), Some("c10"), None, Some("c1")];
        let outcomes = [Some("c1"), Some("zz"), Some("c2"), None];
        let years = [Some(2024), Some(2025), Some(2025), Some(2025)];
        let k = Cadres::new(&cadres, &outcomes, &years);
        // c1 < c10 < c2 < zz
        assert_eq!(k.ids, vec!["c1", "c10", "c2", "zz"]);
        assert_eq!(k.of_cadre_row, vec![Some(2), Some(1), None, Some(0)]);
        assert_eq!(numbers(&k.outcome_rows, 4), vec![Some(0), Some(3), Some(2), None]);
        assert_eq!(k.cadre_rows.get(2), &[0]);
        assert!(k.trained(2024, 0) && !k.trained(2025, 0) && k.trained(2025, 3) && !k.trained(2023, 3));
        assert_eq!(k.trained_any, vec![true, false, true, true]);
        // Another table's rows by number: an id neither table names is left out.
        let reviews = [Some("a0"), Some("zz"), None, Some("c10"), Some("c10")];
        assert_eq!(numbers(&k.rows_of(&reviews), 5), vec![None, Some(3), None, Some(1), Some(1)]);
    }

    /// A sorted cadres table (found without hashing) gives the numbers the hash path
    /// gives: other tables in ascending runs, in no order, with ids the cadres table
    /// lacks (before, between and after its ids) and nulls.
    #[test]
    fn the_sorted_path_numbers_as_the_hash_path_does() {
        let cadres: Vec<String> = (0..300).map(|i| format!("c{:04}", i * 3)).collect();
        let cadres: Vec<Option<&str>> = cadres.iter().map(|s| Some(s.as_str())).collect();
        let named: Vec<String> = (0..2000).map(|i| format!("c{:04}", (i * 7919) % 950)).collect();
        let mut runs: Vec<Option<&str>> = named.iter().map(|s| Some(s.as_str())).collect();
        runs[..1000].sort();
        runs[1000..].sort();
        runs.extend([None, Some("a"), Some("zz"), Some("c0001")]);
        let scattered: Vec<Option<&str>> =
            named.iter().rev().map(|s| Some(s.as_str())).chain([None, Some("b")]).collect();
        let years = vec![Some(2025); scattered.len()];
        let sorted = Cadres::new(&cadres, &scattered, &years);
        let mut shuffled = cadres.clone();
        shuffled.reverse();
        let hashed = Cadres::new(&shuffled, &scattered, &years);
        assert_eq!(sorted.ids, hashed.ids);
        assert!(sorted.ids.is_sorted() && sorted.ids.contains(&"b") && sorted.ids.contains(&"c0001"));
        let (outcomes, reviews) = (scattered.len(), runs.len());
        assert_eq!(numbers(&sorted.outcome_rows, outcomes), numbers(&hashed.outcome_rows, outcomes));
        let by_id = |k: &Cadres, rows: &[Option<u32>]| -> Vec<Option<String>> {
            rows.iter().map(|n| n.map(|n| k.ids[n as usize].to_string())).collect()
        };
        let want: Vec<Option<String>> = scattered.iter().map(|s| s.map(str::to_string)).collect();
        assert_eq!(by_id(&sorted, &numbers(&sorted.outcome_rows, outcomes)), want, "every id numbered as itself");
        // The runs' rows: each numbered as its id, those no table names ("a", "zz") left out.
        let want: Vec<Option<String>> =
            runs.iter().map(|s| s.filter(|s| !["a", "zz"].contains(s)).map(str::to_string)).collect();
        assert_eq!(by_id(&sorted, &numbers(&sorted.rows_of(&runs), reviews)), want);
        assert_eq!(sorted.trained_any, hashed.trained_any);
    }

    /// Ids that share their first eight bytes, are shorter than eight or hold a zero
    /// byte are found as a plain string search finds them.
    #[test]
    fn ids_sharing_a_prefix_are_found_by_their_whole_string() {
        let ids = ["", "a", "a\0", "a\0b", "abcdefgh", "abcdefgh1", "abcdefgh10", "abcdefgh2", "abcdefgi", "b"];
        assert!(ids.is_sorted());
        let mut col: Vec<Option<&str>> = Vec::new();
        for k in 0..40 {
            col.push(Some(ids[(k * 7) % ids.len()]));
            col.push(if k % 5 == 0 { None } else { Some(["abcdefgh0", "a\0a", "zz"][k % 3]) });
        }
        let want: Vec<Option<u32>> =
            col.iter().map(|c| c.and_then(|s| ids.iter().position(|i| *i == s)).map(|p| p as u32)).collect();
        let heads: Vec<u64> = ids.iter().map(|s| prefix(s)).collect();
        assert_eq!(find_sorted(&ids, &heads, &col), want);
        let mut runs = col.clone();
        runs.sort();
        let want: Vec<Option<u32>> =
            runs.iter().map(|c| c.and_then(|s| ids.iter().position(|i| *i == s)).map(|p| p as u32)).collect();
        assert_eq!(merge_sorted(&ids, &heads, &runs), want);
        assert!(prefix("a") < prefix("a\u{1}") && prefix("abcdefgh1") == prefix("abcdefgh2"));
    }

    #[test]
    fn a_sorted_cadres_table_keeps_its_order() {
        let cadres = [Some("a"), Some("b"), Some("b"), Some("c")];
        let k = Cadres::new(&cadres, &[Some("c")], &[None]);
        assert_eq!(k.ids, vec!["a", "b", "c"]);
        assert_eq!(k.cadre_rows.get(1), &[1, 2], "a duplicated id keeps both rows");
        assert!(k.trained_in.is_empty() && k.trained_any[2]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// The sort path (prefixes, then lengths of short ids, then whole strings) and the
        /// merge path find every id where a plain search finds it: ids of 0–11 bytes over
        /// an alphabet with a zero byte, so that many share their first eight bytes.
        #[test]
        fn find_sorted_agrees_with_a_plain_search(
            ids in proptest::collection::btree_set("[\\x00ab]{0,11}", 0..40),
            col in proptest::collection::vec(proptest::option::weighted(0.9, "[\\x00ab]{0,11}"), 0..300),
        ) {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let col: Vec<Option<&str>> = col.iter().map(|s| s.as_deref()).collect();
            let want: Vec<Option<u32>> =
                col.iter().map(|c| c.and_then(|s| ids.iter().position(|i| *i == s)).map(|p| p as u32)).collect();
            let heads: Vec<u64> = ids.iter().map(|s| prefix(s)).collect();
            proptest::prop_assert_eq!(find_sorted(&ids, &heads, &col), want.clone());
            let mut runs = col.clone();
            runs.sort();
            let want: Vec<Option<u32>> =
                runs.iter().map(|c| c.and_then(|s| ids.iter().position(|i| *i == s)).map(|p| p as u32)).collect();
            proptest::prop_assert_eq!(merge_sorted(&ids, &heads, &runs), want);
        }
    }
}
