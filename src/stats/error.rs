//! Errors for misuse of the statistics API (mismatched lengths, an
//! impossible confidence level, a design that cannot be fitted).
//!
//! Data that merely make a statistic undefined (n < 2, zero variance, all
//! ties) are *not* errors: those results come back as `None` fields.

use thiserror::Error;

/// A call the statistics module cannot answer because the input is
/// malformed, as opposed to a statistic that is undefined for the data.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// Two slices that must be paired element by element differ in length.
    #[error("paired inputs differ in length: {left} vs {right}")]
    LengthMismatch {
        /// Length of the first input.
        left: usize,
        /// Length of the second input.
        right: usize,
    },
    /// `alpha` must lie strictly between 0 and 1.
    #[error("alpha must be strictly between 0 and 1, got {0}")]
    InvalidAlpha(f64),
    /// A matrix given as rows has rows of different lengths, or a flat
    /// buffer is not a whole number of rows.
    #[error("matrix is ragged: expected {expected} columns, found {found}")]
    Ragged {
        /// Columns expected (from the first row or `ncols`).
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// The design matrix does not have full column rank (a column is a
    /// linear combination of earlier ones, e.g. an empty factor level).
    #[error("design matrix is rank deficient: column {column} is collinear with earlier columns")]
    SingularDesign {
        /// 0-based index of the first column found to be collinear.
        column: usize,
    },
    /// Too few observations or clusters to estimate the model.
    #[error("not enough data: {what}")]
    NotEnoughData {
        /// What is missing, e.g. "at least 2 clusters".
        what: &'static str,
    },
    /// A contrast or restriction matrix does not match the number of
    /// coefficients, or its rows are linearly dependent.
    #[error("invalid restriction: {what}")]
    InvalidRestriction {
        /// Why the restriction was rejected.
        what: &'static str,
    },
    /// A regression weight is negative (weights must be ≥ 0; rows of weight 0
    /// are dropped).
    #[error("weights must be non-negative, got {0}")]
    InvalidWeight(f64),
}
