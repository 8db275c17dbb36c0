//! Disclosure control: small-cell suppression that survives differencing, one
//! mechanism for every published table.
//!
//! **In:** the rows of the published tables as *cells* (each the number of people it
//! describes), and the *margins* that publish an aggregate of several cells (a method's
//! pooled row is the aggregate of its classes; the headline is the aggregate of every
//! class, and also of every method row).
//! **Out:** the suppression of every cell: `None` (published), [`Suppression::Primary`]
//! (it describes fewer than `min_cell` people) or [`Suppression::Secondary`]
//! (complementary: withheld so that a primary cell cannot be recovered by subtraction).
//! [`suppress`] then nulls every statistic *and every count* of a withheld row, keeping
//! only its keys and labels, and appends `suppression` and `suppressed`.
//!
//! **Guarantee** ([`Disclosure::protect`]): for every margin whose aggregate is
//! published, the withheld members that describe anyone (n > 0) are either none, or at
//! least two whose people together number at least `min_cell`. Subtracting the published
//! members from a published margin therefore never isolates one withheld cell, nor a
//! group of fewer than `min_cell` people. When a margin cannot be protected by withholding
//! another member (it has one member only, or every other member is withheld already),
//! the aggregate itself is withheld, which may in turn call for protection in the
//! margins it belongs to; the rule is applied until nothing changes.
//! Margins are protected smallest first, and secondary cells are chosen smallest first
//! (fewest people, then the lowest cell index), so the choice is deterministic and
//! withholds little.
//!
//! Per-person tables (`compliance`, `cadre_scorecard`) go through [`not_suppressed`]:
//! they are never published below the cell size, so they carry `suppressed = false`.

use polars::prelude::*;

use super::engine::perr;
use crate::error::IndicatorError;
use crate::schema::col;

/// Why a row is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suppression {
    /// The row describes fewer than `min_cell` people.
    Primary,
    /// The row is large enough, but publishing it would let a primary row be recovered
    /// by subtraction from a margin.
    Secondary,
}

impl Suppression {
    /// The value of the `suppression` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Secondary => "secondary",
        }
    }

    /// The status a `suppression` column value names (`None` for anything else).
    pub fn parse(s: &str) -> Option<Suppression> {
        match s {
            "primary" => Some(Suppression::Primary),
            "secondary" => Some(Suppression::Secondary),
            _ => None,
        }
    }
}

/// Rows whose count is below `min_cell` (a missing count counts as 0).
pub fn below(counts: &[Option<i64>], min_cell: usize) -> Vec<bool> {
    counts.iter().map(|n| n.unwrap_or(0) < min_cell as i64).collect()
}

/// Primary suppression of rows with these counts.
pub fn primary(counts: &[Option<i64>], min_cell: usize) -> Vec<Option<Suppression>> {
    below(counts, min_cell).into_iter().map(|s| s.then_some(Suppression::Primary)).collect()
}

/// Cells (rows of published tables) and the margins that aggregate them.
#[derive(Debug, Clone)]
pub struct Disclosure {
    min_cell: usize,
    n: Vec<u64>,
    status: Vec<Option<Suppression>>,
    /// (aggregate cell, its disjoint members).
    margins: Vec<(usize, Vec<usize>)>,
}

impl Disclosure {
    pub fn new(min_cell: usize) -> Self {
        Disclosure { min_cell, n: Vec::new(), status: Vec::new(), margins: Vec::new() }
    }

    /// Add one cell per count (a missing count is 0 people), each suppressed when it
    /// describes fewer than `min_cell` people; returns the index of the first.
    pub fn cells(&mut self, counts: &[Option<i64>]) -> usize {
        let first = self.n.len();
        self.status.extend(primary(counts, self.min_cell));
        self.n.extend(counts.iter().map(|n| n.unwrap_or(0).max(0) as u64));
        first
    }

    /// Declare that cell `aggregate` publishes the pooled figures of `members`.
    pub fn margin(&mut self, aggregate: usize, members: Vec<usize>) {
        self.margins.push((aggregate, members));
    }

    /// Add complementary (secondary) suppression until every margin is protected
    /// (see the module documentation), and return the status of every cell.
    pub fn protect(mut self) -> Vec<Option<Suppression>> {
        // Small margins first: a cell withheld for a method's few classes then often
        // protects the larger totals too, where the reverse order would withhold one
        // cell for the total and another for the method.
        self.margins.sort_by_key(|(aggregate, members)| (members.len(), *aggregate));
        let mut changed = true;
        while changed {
            changed = false;
            for m in 0..self.margins.len() {
                while let Some(cell) = self.exposed(m) {
                    self.status[cell] = Some(Suppression::Secondary);
                    changed = true;
                }
            }
        }
        self.status
    }

    /// The cell to withhold next so that margin `m` no longer exposes anyone, or `None`
    /// when it is protected.
    fn exposed(&self, m: usize) -> Option<usize> {
        let (aggregate, members) = &self.margins[m];
        if self.status[*aggregate].is_some() {
            return None;
        }
        let withheld = members.iter().filter(|&&c| self.status[c].is_some() && self.n[c] > 0);
        let (count, people) = withheld.fold((0usize, 0u64), |(k, p), &c| (k + 1, p + self.n[c]));
        if count == 0 || (count >= 2 && people >= self.min_cell as u64) {
            return None;
        }
        // The smallest published member that describes anyone, else the aggregate.
        members
            .iter()
            .copied()
            .filter(|&c| self.status[c].is_none() && self.n[c] > 0)
            .min_by_key(|&c| (self.n[c], c))
            .or(Some(*aggregate))
    }
}

/// Null every column of `df` except `keep` (keys and labels) on the withheld rows, and
/// append `suppression` (null, `primary` or `secondary`) and `suppressed`.
pub fn suppress(
    mut df: DataFrame,
    status: &[Option<Suppression>],
    keep: &[&str],
    table: &str,
) -> Result<DataFrame, IndicatorError> {
    let err = perr(table);
    if status.len() != df.height() {
        return Err(IndicatorError::Compute {
            indicator: table.to_string(),
            message: format!("suppression mask has {} rows, table has {}", status.len(), df.height()),
        });
    }
    let visible: BooleanChunked = status.iter().map(Option::is_none).collect();
    let names: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
    if status.iter().any(Option::is_some) {
        for name in names {
            if keep.contains(&name.as_str()) {
                continue;
            }
            let c = df.column(name.as_str()).map_err(&err)?;
            let nulls = Column::full_null(name.clone(), c.len(), c.dtype());
            let masked = c.zip_with(&visible, &nulls).map_err(&err)?;
            df.with_column(masked).map_err(&err)?;
        }
    }
    let kind: StringChunked = status.iter().map(|s| s.map(Suppression::as_str)).collect();
    df.with_column(kind.with_name(col::SUPPRESSION.into()).into_column()).map_err(&err)?;
    df.with_column(Column::new(col::SUPPRESSED.into(), status.iter().map(Option::is_some).collect::<Vec<_>>()))
        .map_err(&err)?;
    Ok(df)
}

/// Append `suppression = null` and `suppressed = false` to a per-person table.
pub fn not_suppressed(df: DataFrame, table: &str) -> Result<DataFrame, IndicatorError> {
    let n = df.height();
    suppress(df, &vec![None; n], &[], table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Suppression::{Primary, Secondary};

    #[test]
    fn withheld_rows_keep_keys_and_labels_only() {
        let df = DataFrame::new(
            3,
            vec![
                Column::new("class_id".into(), ["A", "B", "C"]),
                Column::new("n_pairs".into(), [10i64, 3, 40]),
                Column::new("mean".into(), [Some(1.5), Some(2.5), Some(3.0)]),
                Column::new("label".into(), ["x", "y", "z"]),
            ],
        )
        .unwrap();
        let status = [None, Some(Primary), Some(Secondary)];
        let out = suppress(df, &status, &["class_id", "label"], "t").unwrap();
        let names: Vec<&str> = out.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["class_id", "n_pairs", "mean", "label", "suppression", "suppressed"]);
        let mean: Vec<Option<f64>> = out.column("mean").unwrap().f64().unwrap().iter().collect();
        assert_eq!(mean, vec![Some(1.5), None, None]);
        // Counts are withheld too: a published n would make the subtraction trivial.
        let n: Vec<Option<i64>> = out.column("n_pairs").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, vec![Some(10), None, None]);
        let label: Vec<Option<&str>> = out.column("label").unwrap().str().unwrap().iter().collect();
        assert_eq!(label, vec![Some("x"), Some("y"), Some("z")]);
        let kind: Vec<Option<&str>> = out.column("suppression").unwrap().str().unwrap().iter().collect();
        assert_eq!(kind, vec![None, Some("primary"), Some("secondary")]);
        let s: Vec<Option<bool>> = out.column("suppressed").unwrap().bool().unwrap().iter().collect();
        assert_eq!(s, vec![Some(false), Some(true), Some(true)]);
    }

    #[test]
    fn a_lone_small_class_takes_the_smallest_other_with_it() {
        let mut d = Disclosure::new(5);
        let classes = d.cells(&[Some(30), Some(3), Some(12), Some(20)]);
        let total = d.cells(&[Some(65)]);
        d.margin(total, (classes..classes + 4).collect());
        let s = d.protect();
        assert_eq!(s, vec![None, Some(Primary), Some(Secondary), None, None]);
    }

    #[test]
    fn two_small_classes_under_min_cell_together_are_not_enough() {
        // 1 + 2 people withheld: the margin minus the rest would still show 3 people.
        let mut d = Disclosure::new(5);
        let classes = d.cells(&[Some(1), Some(2), Some(9), Some(20)]);
        let total = d.cells(&[Some(32)]);
        d.margin(total, (classes..classes + 4).collect());
        assert_eq!(d.protect(), vec![Some(Primary), Some(Primary), Some(Secondary), None, None]);
    }

    #[test]
    fn empty_classes_need_no_protection() {
        let mut d = Disclosure::new(5);
        let classes = d.cells(&[Some(0), Some(8), Some(9)]);
        let total = d.cells(&[Some(17)]);
        d.margin(total, (classes..classes + 3).collect());
        assert_eq!(d.protect(), vec![Some(Primary), None, None, None]);
    }

    #[test]
    fn a_margin_of_one_member_is_withheld_with_it() {
        // A method taught in one class publishes that class's figures under its own
        // name: when the class is withheld for another margin, so is the method's row;
        // the headline (all methods) then needs a second withheld method.
        let mut d = Disclosure::new(5);
        let classes = d.cells(&[Some(3), Some(6), Some(40), Some(50)]);
        let methods = d.cells(&[Some(9), Some(40), Some(50)]); // {c0,c1}, {c2}, {c3}
        let total = d.cells(&[Some(99)]);
        d.margin(methods, vec![classes, classes + 1]);
        d.margin(methods + 1, vec![classes + 2]);
        d.margin(methods + 2, vec![classes + 3]);
        d.margin(total, (classes..classes + 4).collect());
        d.margin(total, (methods..methods + 3).collect());
        let s = d.protect();
        // c0 primary → c1 secondary (method 0's margin); the headline over classes has
        // c0, c1 withheld (9 people): protected. Over methods nothing is withheld.
        assert_eq!(&s[..4], &[Some(Primary), Some(Secondary), None, None]);
        assert_eq!(&s[4..], &[None, None, None, None]);
    }

    #[test]
    fn withholding_cascades_through_single_member_margins() {
        let mut d = Disclosure::new(5);
        let classes = d.cells(&[Some(3), Some(40), Some(50)]);
        // Category margin of classes 0 and 1; method margins: {c0, c2} and {c1}.
        let cats = d.cells(&[Some(43), Some(50)]);
        let methods = d.cells(&[Some(53), Some(40)]);
        d.margin(cats, vec![classes, classes + 1]);
        d.margin(cats + 1, vec![classes + 2]);
        d.margin(methods, vec![classes, classes + 2]);
        d.margin(methods + 1, vec![classes + 1]);
        let s = d.protect();
        // c0 primary; category 0 withholds c1; method 1 = c1 alone, so method 1's row
        // goes too; method 0 withholds c2; category 1 = c2 alone, so it goes too.
        assert_eq!(
            s,
            vec![Some(Primary), Some(Secondary), Some(Secondary), None, Some(Secondary), None, Some(Secondary)]
        );
    }

    proptest! {
        /// After protection no published margin exposes fewer than two withheld cells or
        /// fewer than min_cell withheld people.
        #[test]
        fn every_published_margin_is_protected(
            sizes in proptest::collection::vec(0i64..25, 1..40),
            groups in proptest::collection::vec(0usize..4, 40),
        ) {
            let mut d = Disclosure::new(5);
            let counts: Vec<Option<i64>> = sizes.iter().map(|&n| Some(n)).collect();
            let classes = d.cells(&counts);
            let mut members = vec![Vec::new(); 4];
            for (k, _) in sizes.iter().enumerate() {
                members[groups[k]].push(classes + k);
            }
            let group_n: Vec<Option<i64>> =
                members.iter().map(|m| Some(m.iter().map(|&c| sizes[c - classes]).sum())).collect();
            let first_group = d.cells(&group_n);
            let total = d.cells(&[Some(sizes.iter().sum())]);
            for (g, m) in members.iter().enumerate() {
                d.margin(first_group + g, m.clone());
            }
            d.margin(total, (classes..classes + sizes.len()).collect());
            d.margin(total, (first_group..first_group + 4).collect());
            let margins = d.margins.clone();
            let n = d.n.clone();
            let s = d.protect();
            for (aggregate, members) in margins {
                if s[aggregate].is_some() {
                    continue;
                }
                let hidden: Vec<usize> = members.into_iter().filter(|&c| s[c].is_some() && n[c] > 0).collect();
                let people: u64 = hidden.iter().map(|&c| n[c]).sum();
                prop_assert!(hidden.is_empty() || (hidden.len() >= 2 && people >= 5), "{hidden:?} {people}");
            }
            for (k, &size) in sizes.iter().enumerate() {
                prop_assert_eq!(s[classes + k] == Some(Primary), size < 5);
            }
        }
    }
}
