//! Names of the indicator tables and their columns as the report reads them
//! (SPEC Appendix B, plus the extra tables the indicators stage writes).
//!
//! Warehouse column names come from [`crate::warehouse::schema::col`]; the
//! indicator columns live here until the indicators stage publishes its own
//! constants, after which these become re-exports of those.

/// Indicator table names (file stems under `OUT/indicators/`).
pub mod table {
    pub const LEARNING_BY_CLASS: &str = "learning_by_class";
    pub const LEARNING_BY_CATEGORY: &str = "learning_by_category";
    pub const LEARNING_BY_METHOD: &str = "learning_by_method";
    pub const REACTION_BY_COURSE: &str = "reaction_by_course";
    pub const RATER_AGREEMENT: &str = "rater_agreement";
    pub const RELIABILITY: &str = "reliability";
    pub const TRANSFER_BY_CLASS: &str = "transfer_by_class";
    pub const METHOD_SUMMARY: &str = "method_summary";
    pub const METHOD_TESTS: &str = "method_tests";
    pub const METHOD_PAIRWISE: &str = "method_pairwise";
    pub const COMPLIANCE: &str = "compliance";
    pub const NEEDS_MATCH: &str = "needs_match";
    pub const CADRE_SCORECARD: &str = "cadre_scorecard";
    // Extra tables of the indicators stage (SPEC §4 names them, Appendix B does not).
    pub const REACTION_BY_CLASS: &str = "reaction_by_class";
    pub const FOLLOW_UP: &str = "follow_up";
    pub const ASSESSMENT_BY_CLASS: &str = "assessment_by_class";
    pub const NEEDS_BY_CATEGORY: &str = "needs_by_category";
    /// Warehouse table written by the indicators stage (one row per cadre × class).
    pub const TRAINEE_OUTCOMES: &str = "trainee_outcomes";
}

pub const SUPPRESSED: &str = "suppressed";
pub const N: &str = "n";
// learning
pub const N_PAIRS: &str = "n_pairs";
pub const PRE_MEAN: &str = "pre_mean";
pub const POST_MEAN: &str = "post_mean";
pub const MEAN_DIFF: &str = "mean_diff";
pub const SD_DIFF: &str = "sd_diff";
pub const T: &str = "t";
pub const DF: &str = "df";
pub const P_VALUE: &str = "p_value";
pub const CI_LOW: &str = "ci_low";
pub const CI_HIGH: &str = "ci_high";
pub const D_Z: &str = "d_z";
pub const G_Z: &str = "g_z";
pub const D_AV: &str = "d_av";
pub const WILCOXON_V: &str = "wilcoxon_v";
pub const WILCOXON_P: &str = "wilcoxon_p";
pub const HAKE_G: &str = "hake_g";
pub const MEAN_INDIVIDUAL_GAIN: &str = "mean_individual_gain";
pub const SHARE_IMPROVED: &str = "share_improved";
// reaction
pub const N_RATERS: &str = "n_raters";
pub const TOTAL_MEAN: &str = "total_mean";
pub const TOTAL_SD: &str = "total_sd";
pub const SHARE_EXCELLENT: &str = "share_excellent";
pub const RANK_IN_CLASS: &str = "rank_in_class";
pub const RANK_IN_YEAR: &str = "rank_in_year";
/// The five course-rating indicators of the default instrument, in display order.
pub const COURSE_INDICATORS: [&str; 5] = ["relevance", "theory", "information", "delivery", "manner"];
// rater agreement and reliability
pub const N_COURSES: &str = "n_courses";
pub const ICC1: &str = "icc1";
pub const ICC2K: &str = "icc2k";
pub const LENIENCY_SD: &str = "leniency_sd";
pub const K_ITEMS: &str = "k_items";
pub const ALPHA: &str = "alpha";
// transfer
pub const N_TRAINED: &str = "n_trained";
pub const N_FOLLOWED: &str = "n_followed";
pub const ATTRITION: &str = "attrition";
pub const BEFORE_MEAN: &str = "before_mean";
pub const AFTER_MEAN: &str = "after_mean";
pub const MEAN_DELTA: &str = "mean_delta";
pub const CONTROL_N: &str = "control_n";
pub const CONTROL_DELTA: &str = "control_delta";
pub const DID: &str = "did";
pub const DID_CI_LOW: &str = "did_ci_low";
pub const DID_CI_HIGH: &str = "did_ci_high";
pub const FOLLOW_MEAN: &str = "follow_mean";
pub const RETENTION: &str = "retention";
// self-assessment against the others' ratings
pub const OTHERS_MEAN: &str = "others_mean";
pub const SELF_MEAN: &str = "self_mean";
// method comparison
pub const N_CLASSES: &str = "n_classes";
pub const N_TRAINEES: &str = "n_trainees";
pub const MEAN_GAIN: &str = "mean_gain";
pub const SD_GAIN: &str = "sd_gain";
pub const TEST: &str = "test";
pub const STATISTIC: &str = "statistic";
pub const DF1: &str = "df1";
pub const DF2: &str = "df2";
pub const EFFECT: &str = "effect";
pub const METHOD_A: &str = "method_a";
pub const METHOD_B: &str = "method_b";
pub const DIFF: &str = "diff";
pub const SE: &str = "se";
pub const P_RAW: &str = "p_raw";
pub const P_HOLM: &str = "p_holm";
pub const P_BH: &str = "p_bh";
// compliance
pub const RULE: &str = "rule";
pub const DAYS_TRAINED: &str = "days_trained";
pub const HOURS_TRAINED: &str = "hours_trained";
pub const DAYS_REQUIRED: &str = "days_required";
pub const SHORTFALL_DAYS: &str = "shortfall_days";
pub const MAKEUP_REQUIRED: &str = "makeup_required";
pub const ROTATION_OVERDUE: &str = "rotation_overdue";
pub const REPEATED_TOPICS: &str = "repeated_topics";
pub const LEAVE_OVER_LIMIT: &str = "leave_over_limit";
// needs
pub const N_RESPONDENTS: &str = "n_respondents";
pub const TOPICS_REQUESTED: &str = "topics_requested";
pub const TOPICS_TAUGHT: &str = "topics_taught";
pub const COVERAGE: &str = "coverage";
pub const UNMET_TOPICS: &str = "unmet_topics";
/// Separator of the topics in `unmet_topics` (as in the survey platforms' exports).
pub const TOPIC_SEPARATOR: char = '┋';
// scorecard
pub const LEARNING_Z: &str = "learning_z";
pub const ASSESSMENT_Z: &str = "assessment_z";
pub const TRANSFER_Z: &str = "transfer_z";
pub const COMPLIANCE_SCORE: &str = "compliance_score";
pub const INDEX: &str = "index";
pub const PERCENTILE_IN_CATEGORY: &str = "percentile_in_category";
pub const BAND: &str = "band";
