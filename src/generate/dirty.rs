//! The ledger of planted bad rows (`--dirty RATE`).
//!
//! In: the rate, and for each block of clean rows (a class's rows of one table) the
//! number of clean rows. Out: how many bad rows of each kind to add to the block, and a
//! ledger of what was added, by table and reason. Guarantees: with rate 0 nothing is
//! ever asked for; with rate > 0 a kind is asked for in every block (≈ Binomial(rows,
//! rate)) and at least once per table — until the first one is actually written — so
//! every kind appears at least once; the ledger counts only rows the caller wrote.
//!
//! Every bad row is an *extra* row that fails exactly one validation check (SPEC C.1 order:
//! missing → unknown id → not enrolled → bad date → bad number → out of range →
//! speeder, then duplicates among rows that passed); no clean row is ever altered, so
//! nothing that other rows depend on is rejected and clean statistics are unchanged.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use rand_distr::{Binomial, Distribution};

/// Pseudo-reason of an earlier duplicate survey submission (not a reject).
pub const SUPERSEDED: &str = "superseded";

/// Bad values used by the planted rows.
pub mod values {
    /// Scores outside 0–20 (course ratings).
    pub const RATING_OUT_OF_RANGE: [i64; 2] = [25, -1];
    /// Scores outside 0–100 (trainee ratings, reviews).
    pub const SCORE_OUT_OF_RANGE: [i64; 2] = [120, 105];
    /// Non-numeric scores.
    pub const BAD_NUMBERS: [&str; 2] = ["abc", "优"];
    /// Likert answers outside 1–5 (neither is a platform missing sentinel).
    pub const LIKERT_OUT_OF_RANGE: [i64; 2] = [9, 0];
}

/// Per-table ledger.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub rejected: BTreeMap<&'static str, u64>,
    pub superseded: u64,
}

/// Decides and records the planted bad rows.
#[derive(Debug, Clone)]
pub struct Dirty {
    rate: f64,
    ledger: BTreeMap<&'static str, Ledger>,
    satisfied: BTreeSet<(&'static str, &'static str)>,
}

impl Dirty {
    pub fn new(rate: f64) -> Self {
        Dirty { rate, ledger: BTreeMap::new(), satisfied: BTreeSet::new() }
    }

    /// How many bad rows of `kind` to add to a block of `clean_rows` rows of `table`.
    pub fn want<R: Rng>(&self, rng: &mut R, table: &'static str, kind: &'static str, clean_rows: usize) -> usize {
        if self.rate <= 0.0 {
            return 0;
        }
        let n = match Binomial::new(clean_rows as u64, self.rate.min(1.0)) {
            Ok(b) => b.sample(rng) as usize,
            Err(_) => 0,
        };
        if self.satisfied.contains(&(table, kind)) {
            n
        } else {
            n.max(1)
        }
    }

    /// Count one written bad row (or one superseded submission when `kind` is [`SUPERSEDED`]).
    pub fn record(&mut self, table: &'static str, kind: &'static str) {
        self.satisfied.insert((table, kind));
        let l = self.ledger.entry(table).or_default();
        if kind == SUPERSEDED {
            l.superseded += 1;
        } else {
            *l.rejected.entry(kind).or_default() += 1;
        }
    }

    /// The ledger of one table (empty when nothing was planted).
    pub fn ledger(&self, table: &str) -> Ledger {
        self.ledger.get(table).cloned().unwrap_or_default()
    }
}
