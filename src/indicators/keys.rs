//! Cadre ids as dense integers, found once and shared by the families that work per
//! cadre (compliance, scorecard, transfer, results).
//!
//! In: the cadre id columns of `cadres`, `trainee_outcomes` and `reviews`, and the
//! class year of every outcome row. Out: [`Cadres`] — every distinct id numbered in
//! byte order of its string (so walking the numbers is walking the ids sorted, as the
//! string-keyed plan did), each row's number, rows grouped by number ([`Groups`]),
//! and who was trained in which year.
//!
//! Why: at 10⁶ cadres each family hashed, sorted or tree-searched 10⁶ id strings on
//! its own, with a cache miss per lookup; here the strings are hashed once (in
//! parallel) and everything after is integer indexing.

use polars::prelude::DataFrame;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::frame::{i64s, strs};
use crate::error::IndicatorError;
use crate::warehouse::schema::col;

/// Row numbers grouped by a dense key, each group's rows in input order (a stable
/// counting sort: the grouping `index_by` gives, without hashing).
pub struct Groups {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl Groups {
    /// Group the rows by `key` (`None` rows are left out); keys are `< n_keys`.
    pub fn new(n_keys: usize, key: &[Option<u32>]) -> Groups {
        let mut start = vec![0u32; n_keys + 1];
        for k in key.iter().flatten() {
            start[*k as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut rows = vec![0u32; start[n_keys] as usize];
        for (row, k) in key.iter().enumerate() {
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
}

/// Cadre ids numbered in byte order, with the number of every row that names one.
pub struct Cadres<'a> {
    /// The distinct ids of the three tables; a cadre's number is its position.
    pub ids: Vec<&'a str>,
    /// Number of each `cadres` row (`None` when its id is null).
    pub of_cadre_row: Vec<Option<u32>>,
    /// Number of each `trainee_outcomes` row.
    pub of_outcome: Vec<Option<u32>>,
    /// Number of each `reviews` row.
    pub of_review: Vec<Option<u32>>,
    /// `cadres` rows by number (a duplicated id keeps its rows in table order).
    pub cadre_rows: Groups,
    /// `trainee_outcomes` rows by number.
    pub outcome_rows: Groups,
    /// `reviews` rows by number.
    pub review_rows: Groups,
    /// For each calendar year of a class start, which cadres were enrolled in such a class.
    pub trained_in: FxHashMap<i64, Vec<bool>>,
    /// Which cadres were enrolled at all.
    pub trained_any: Vec<bool>,
}

impl<'a> Cadres<'a> {
    /// Number the ids of the three columns; `outcome_year` is each outcome row's class year.
    pub fn new(
        cadre: &[Option<&'a str>],
        outcome: &[Option<&'a str>],
        review: &[Option<&'a str>],
        outcome_year: &[Option<i64>],
    ) -> Cadres<'a> {
        let mut map: FxHashMap<&'a str, u32> = FxHashMap::default();
        map.reserve(cadre.len());
        let mut ids: Vec<&'a str> = Vec::with_capacity(cadre.len());
        let mut intern = |s: &'a str, map: &mut FxHashMap<&'a str, u32>| -> u32 {
            *map.entry(s).or_insert_with(|| {
                ids.push(s);
                (ids.len() - 1) as u32
            })
        };
        let mut of_cadre_row: Vec<Option<u32>> = cadre.iter().map(|c| c.map(|s| intern(s, &mut map))).collect();
        // The other tables name (almost) only known cadres: look them up in parallel,
        // then number the few unknown ids.
        let look = |col: &[Option<&'a str>]| -> Vec<Option<u32>> {
            col.par_iter().map(|c| c.and_then(|s| map.get(s).copied())).collect()
        };
        let (mut of_outcome, mut of_review) = (look(outcome), look(review));
        for (col, nums) in [(outcome, &mut of_outcome), (review, &mut of_review)] {
            for (c, n) in col.iter().zip(nums.iter_mut()) {
                if let (Some(s), true) = (c, n.is_none()) {
                    *n = Some(intern(s, &mut map));
                }
            }
        }
        drop(map);
        // Renumber in byte order (nothing to do when the cadres table was sorted).
        if !ids.is_sorted() {
            let mut order: Vec<u32> = (0..ids.len() as u32).collect();
            order.par_sort_unstable_by_key(|&i| ids[i as usize]);
            let mut remap = vec![0u32; ids.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old as usize] = new as u32;
            }
            ids = order.iter().map(|&i| ids[i as usize]).collect();
            for nums in [&mut of_cadre_row, &mut of_outcome, &mut of_review] {
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
            review_rows: Groups::new(n, &of_review),
            ids,
            of_cadre_row,
            of_outcome,
            of_review,
            trained_in,
            trained_any,
        }
    }

    /// The numbers of the cadre ids of `cadres`, `outcomes` (with their `year`) and,
    /// when given, `reviews`.
    pub fn from_frames(
        cadres: &'a DataFrame,
        outcomes: &'a DataFrame,
        reviews: Option<&'a DataFrame>,
        table: &str,
    ) -> Result<Cadres<'a>, IndicatorError> {
        let review = match reviews {
            Some(r) => strs(r, col::CADRE_ID, table)?,
            None => Vec::new(),
        };
        Ok(Cadres::new(
            &strs(cadres, col::CADRE_ID, table)?,
            &strs(outcomes, col::CADRE_ID, table)?,
            &review,
            &i64s(outcomes, col::YEAR, table)?,
        ))
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

    #[test]
    fn groups_keep_input_order_and_skip_missing_keys() {
        let g = Groups::new(3, &[Some(2), None, Some(0), Some(2), Some(0)]);
        assert_eq!((g.get(0), g.get(1), g.get(2), g.get(7)), (&[2, 4][..], &[][..], &[0, 3][..], &[][..]));
        assert_eq!(g.rows(), &[2, 4, 0, 3]);
    }

    #[test]
    fn numbers_follow_byte_order_across_the_three_tables() {
        let cadres = [Some("c2"), Some("c10"), None, Some("c1")];
        let outcomes = [Some("c1"), Some("zz"), Some("c2"), None];
        let reviews = [Some("a0"), Some("c10")];
        let years = [Some(2024), Some(2025), Some(2025), Some(2025)];
        let k = Cadres::new(&cadres, &outcomes, &reviews, &years);
        // a0 < c1 < c10 < c2 < zz
        assert_eq!(k.ids, vec!["a0", "c1", "c10", "c2", "zz"]);
        assert_eq!(k.of_cadre_row, vec![Some(3), Some(2), None, Some(1)]);
        assert_eq!(k.of_outcome, vec![Some(1), Some(4), Some(3), None]);
        assert_eq!(k.of_review, vec![Some(0), Some(2)]);
        assert_eq!(k.cadre_rows.get(3), &[0]);
        assert!(k.trained(2024, 1) && !k.trained(2025, 1) && k.trained(2025, 4) && !k.trained(2023, 4));
        assert_eq!(k.trained_any, vec![false, true, false, true, true]);
    }

    #[test]
    fn a_sorted_cadres_table_keeps_its_order() {
        let cadres = [Some("a"), Some("b"), Some("b"), Some("c")];
        let k = Cadres::new(&cadres, &[Some("c")], &[], &[None]);
        assert_eq!(k.ids, vec!["a", "b", "c"]);
        assert_eq!(k.cadre_rows.get(1), &[1, 2], "a duplicated id keeps both rows");
        assert!(k.trained_in.is_empty() && k.trained_any[2]);
    }
}
