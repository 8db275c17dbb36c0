//! Names of the indicator tables as the report reads them (SPEC Appendix B, plus the
//! extra tables the indicators stage writes). Column names are the crate's one set of
//! constants, [`crate::schema::col`], re-exported here.

pub use crate::schema::col::*;

/// Indicator table names (file stems under `OUT/indicators/`).
pub mod table {
    pub const LEARNING_BY_CLASS: &str = "learning_by_class";
    pub const LEARNING_BY_CATEGORY: &str = "learning_by_category";
    pub const LEARNING_BY_METHOD: &str = "learning_by_method";
    pub const LEARNING_BY_YEAR: &str = "learning_by_year";
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
    pub const TRAJECTORY: &str = "trajectory";
    pub const ASSESSMENT_BY_CLASS: &str = "assessment_by_class";
    pub const NEEDS_BY_CATEGORY: &str = "needs_by_category";
    pub const TRENDS: &str = "trends";
    pub const COURSE_SERIES: &str = "course_series";
    pub const PARTICIPANT_FLOW: &str = "participant_flow";
    pub const TRANSFER_EVENT_STUDY: &str = "transfer_event_study";
    pub const TRANSFER_SUMMARY: &str = "transfer_summary";
    pub const UNIT_RESULTS: &str = "unit_results";
    pub const UNIT_RESULTS_FIT: &str = "unit_results_fit";
    /// Warehouse table written by the indicators stage (one row per cadre × class).
    pub const TRAINEE_OUTCOMES: &str = "trainee_outcomes";
}

/// The five course-rating indicators of the default instrument, in display order.
pub const COURSE_INDICATORS: [&str; 5] = crate::schema::COURSE_INDICATORS;
