//! Statistics core: pure functions on slices, no I/O, nothing from the rest
//! of the crate, distributions from `statrs`.
//!
//! **In:** `&[f64]` samples (or rows of a matrix, or one slice per group),
//! plus `alpha` for intervals (0.05 for 95 %).
//! **Out:** plain `Serialize` structs. A statistic that is undefined for the
//! data — n < 2, zero variance, all values tied, fewer than two groups or
//! non-zero differences — is `None`, never NaN and never a panic.
//! Malformed calls (slices of different lengths, `alpha` outside (0, 1),
//! ragged or rank-deficient matrices) are a [`StatsError`].
//!
//! **Guarantees and conventions**
//! - Missing values: non-finite inputs (NaN, ±∞) are ignored in single
//!   samples and groups; a pair (pre, post) with a non-finite side is
//!   dropped whole; matrix rows with one are dropped (listwise); NaN
//!   p-values passed to the adjustments stay NaN and are not counted.
//! - Standard deviations and variances use n − 1; p-values are two-sided.
//! - Ties (Wilcoxon, Kruskal–Wallis, Hake's "pre = max") are judged on
//!   values rounded to 9 decimals ([`round_for_ties`], SPEC Appendix C.5).
//! - Every number in `shared/ORACLES.md` is reproduced by a named test.
//!
//! | family | file | functions |
//! |---|---|---|
//! | descriptives | `descriptive.rs` | [`mean`], [`sd`], [`describe`], [`Accumulator`] |
//! | t tests | `ttest.rs` | [`one_sample_t`], [`paired_t`], [`welch_t`] |
//! | noncentral t | `noncentral.rs` | [`noncentral_t_cdf`], [`dz_interval`] (d_z, g_z CI) |
//! | signed ranks | `wilcoxon.rs` | [`wilcoxon_signed_rank`], [`wilcoxon_paired`] |
//! | k groups | `anova.rs` | [`one_way_anova`], [`welch_anova`], [`kruskal_wallis`] |
//! | measurement error | `measurement.rs` | [`residual_gains`], [`difference_reliability`], [`normal_interval_probability`] |
//! | regression | `ols.rs` | [`ClusterOls`] (CR1/CR2, contrasts, Wald F, HTZ Wald [`HtzTest`]; CR2 of a cell-means model from per-cluster sums, [`CellModel`], `ols/cells.rs`) |
//! | classical regression | `lm.rs` | [`Ols`] (OLS/WLS, t, contrasts, F with partial η², pairwise) |
//! | clustered data | `clustered.rs` | [`clustered_mean`], [`clustered_diff`] (CR2, Satterthwaite), [`icc_oneway`], [`design_effect`] |
//! | multiplicity | `padjust.rs` | [`holm`], [`benjamini_hochberg`] |
//! | quantiles | `quantile.rs` | [`quantile`], [`tukey_box`] |
//! | reliability | `reliability.rs` | [`cronbach_alpha`] with [`cronbach_alpha_ci`] (Feldt), [`icc`] with [`icc_intervals`] (McGraw & Wong), [`mcdonald_omega`] |
//! | gains | `gain.rs` | [`hake_gain`], [`hake_gains`] |
//! | transfer | `did.rs`, `smd.rs` | [`diff_in_diff`], [`hedges_g`] (baseline equivalence) |
//! | attrition | `wwc.rs` | [`wwc_attrition_ok`], [`wwc_cautious_boundary`] (WWC v5.0 cautious boundary) |
//! | individual scores | `scores.rs` | [`standardize`], [`percentile_ranks`], [`rank_desc`] |

#![deny(missing_docs)]

mod anova;
mod clustered;
mod descriptive;
mod did;
mod dist;
mod error;
mod gain;
mod linalg;
mod lm;
mod measurement;
mod noncentral;
mod ols;
mod padjust;
mod quantile;
mod rank;
mod reliability;
mod scores;
mod smd;
mod ttest;
mod wilcoxon;
mod wwc;

pub use anova::{kruskal_wallis, one_way_anova, welch_anova, KruskalWallis, OneWayAnova, WelchAnova};
pub use clustered::{clustered_diff, clustered_mean, design_effect, icc_oneway, ClusteredDiff, ClusteredMean};
pub use descriptive::{describe, mean, sd, variance, Accumulator, Summary};
pub use did::{diff_in_diff, diff_in_diff_from, DiffInDiff};
pub use error::StatsError;
pub use gain::{hake_gain, hake_gains, HakeGains};
pub use lm::{FTest, Ols};
pub use measurement::{difference_reliability, normal_interval_probability, residual_gains, Residuals};
pub use noncentral::{dz_interval, noncentral_t_cdf, DzInterval};
pub use ols::{CellModel, CellSums, ClusterCovariance, ClusterOls, HtzTest, PairwiseContrast, WaldTest};
pub use padjust::{benjamini_hochberg, holm};
pub use quantile::{quantile, quantile_hazen, tukey_box, TukeyBox};
pub use rank::round_for_ties;
pub use reliability::{
    cronbach_alpha, cronbach_alpha_ci, icc, icc_intervals, mcdonald_omega, CronbachAlpha, Icc, IccIntervals, Interval,
    McDonaldOmega,
};
pub use scores::{percentile_ranks, rank_desc, standardize};
pub use smd::hedges_g;
pub use ttest::{one_sample_t, paired_t, welch_t, PairedT, TTest, WelchT};
pub use wilcoxon::{
    wilcoxon_paired, wilcoxon_signed_rank, wilcoxon_signed_rank_with, Wilcoxon, WilcoxonMethod, WilcoxonPMethod,
    EXACT_MAX_N,
};
pub use wwc::{wwc_attrition_ok, wwc_cautious_boundary};

#[cfg(test)]
pub(crate) mod oracles;
#[cfg(test)]
pub(crate) mod testdata;
