//! Names of the indicator tables as the report reads them (SPEC Appendix B, plus the
//! extra tables the indicators stage writes). Column names are the crate's one set of
//! constants, [`crate::schema::col`], re-exported here.

pub use crate::schema::col::*;

/// Indicator table names (file stems under `OUT/indicators/`), and the warehouse's
/// `trainee_outcomes` (written by `build`) that the report reads beside them.
pub mod table {
    pub use crate::schema::ind::*;
    pub use crate::schema::wh::TRAINEE_OUTCOMES;
}

/// The five course-rating indicators of the default instrument, in display order.
pub const COURSE_INDICATORS: [&str; 5] = crate::schema::COURSE_INDICATORS;
