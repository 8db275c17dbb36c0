//! Canonical table and column names, vocabularies and warehouse schemas.
//!
//! Every column name used anywhere in the crate is a constant here; the data
//! dictionary (`traineval schema`, `docs/warehouse.md`) is generated from [`TABLES`].

/// Column names.
pub mod col {
    pub const UNIT_ID: &str = "unit_id";
    pub const NAME: &str = "name";
    pub const KIND: &str = "kind";
    pub const REGION: &str = "region";
    pub const CADRE_ID: &str = "cadre_id";
    pub const GENDER: &str = "gender";
    pub const BIRTH_YEAR: &str = "birth_year";
    pub const CATEGORY: &str = "category";
    pub const RANK: &str = "rank";
    pub const PARTY_MEMBER: &str = "party_member";
    pub const JOIN_DATE: &str = "join_date";
    pub const PROMOTED_ON: &str = "promoted_on";
    pub const CLASS_ID: &str = "class_id";
    pub const TITLE: &str = "title";
    pub const TARGET_CATEGORY: &str = "target_category";
    pub const METHOD: &str = "method";
    pub const INSTITUTION: &str = "institution";
    pub const START_DATE: &str = "start_date";
    pub const END_DATE: &str = "end_date";
    pub const DAYS: &str = "days";
    pub const HOURS: &str = "hours";
    pub const COURSE_ID: &str = "course_id";
    pub const TEACHER_ID: &str = "teacher_id";
    pub const TOPIC: &str = "topic";
    pub const ATTENDED_HOURS: &str = "attended_hours";
    pub const LEAVE_HOURS: &str = "leave_hours";
    pub const DISCIPLINE_FLAGS: &str = "discipline_flags";
    pub const EXAM_SCORE: &str = "exam_score";
    pub const COMPLETED: &str = "completed";
    pub const ITEM_ID: &str = "item_id";
    pub const SCALE: &str = "scale";
    pub const WAVE: &str = "wave";
    pub const TEXT: &str = "text";
    pub const MIN: &str = "min";
    pub const MAX: &str = "max";
    pub const REVERSE: &str = "reverse";
    pub const VALUE: &str = "value";
    pub const CHOICE: &str = "choice";
    pub const SUBMITTED_AT: &str = "submitted_at";
    pub const DURATION_S: &str = "duration_s";
    pub const RATER_ID: &str = "rater_id";
    pub const RATER_ROLE: &str = "rater_role";
    pub const INDICATOR: &str = "indicator";
    pub const DIMENSION: &str = "dimension";
    pub const SCORE: &str = "score";
    pub const N_ITEMS: &str = "n_items";
    pub const REVIEW_DATE: &str = "review_date";
    pub const MORALITY: &str = "morality";
    pub const ABILITY: &str = "ability";
    pub const DILIGENCE: &str = "diligence";
    pub const ACHIEVEMENT: &str = "achievement";
    pub const INTEGRITY: &str = "integrity";
    pub const TOTAL: &str = "total";
    pub const GRADE: &str = "grade";
    pub const PERIOD: &str = "period";
    pub const METRIC: &str = "metric";
    pub const YEAR: &str = "year";
    // trainee_outcomes
    pub const PRE_SCORE: &str = "pre_score";
    pub const POST_SCORE: &str = "post_score";
    pub const GAIN: &str = "gain";
    pub const NORM_GAIN: &str = "norm_gain";
    pub const REACTION: &str = "reaction";
    pub const TRAINEE_ASSESSMENT: &str = "trainee_assessment";
    pub const SELF_ASSESSMENT: &str = "self_assessment";
    pub const REVIEW_BEFORE: &str = "review_before";
    pub const REVIEW_AFTER: &str = "review_after";
    pub const REVIEW_DELTA: &str = "review_delta";
    pub const ATTENDANCE_RATE: &str = "attendance_rate";
    pub const FOLLOW_3M: &str = "follow_3m_score";
    pub const FOLLOW_6M: &str = "follow_6m_score";
    pub const FOLLOW_12M: &str = "follow_12m_score";
    pub const REVIEW_BEFORE_DATE: &str = "review_before_date";
    pub const REVIEW_AFTER_DATE: &str = "review_after_date";
    // course-rating indicators of the default instrument
    pub const RELEVANCE: &str = "relevance";
    pub const THEORY: &str = "theory";
    pub const INFORMATION: &str = "information";
    pub const DELIVERY: &str = "delivery";
    pub const MANNER: &str = "manner";
    // indicator tables (SPEC Appendix B)
    pub const SUPPRESSED: &str = "suppressed";
    pub const SUPPRESSION: &str = "suppression";
    pub const NOTE: &str = "note";
    pub const IN_TESTS: &str = "in_tests";
    pub const D_Z_CI_LOW: &str = "d_z_ci_low";
    pub const D_Z_CI_HIGH: &str = "d_z_ci_high";
    pub const ICC: &str = "icc";
    pub const SCOPE: &str = "scope";
    pub const VARIANCE: &str = "variance";
    pub const LEARNING_RELIABILITY: &str = "learning_reliability";
    pub const ASSESSMENT_RELIABILITY: &str = "assessment_reliability";
    pub const TRANSFER_RELIABILITY: &str = "transfer_reliability";
    pub const INDEX_SE: &str = "index_se";
    pub const INDEX_RELIABILITY: &str = "index_reliability";
    pub const BAND_PROBABILITY: &str = "band_probability";
    pub const BAND_REASON: &str = "band_reason";
    pub const ICC1_CI_LOW: &str = "icc1_ci_low";
    pub const ICC1_CI_HIGH: &str = "icc1_ci_high";
    pub const ICC2K_CI_LOW: &str = "icc2k_ci_low";
    pub const ICC2K_CI_HIGH: &str = "icc2k_ci_high";
    pub const ALPHA_CI_LOW: &str = "alpha_ci_low";
    pub const ALPHA_CI_HIGH: &str = "alpha_ci_high";
    pub const OMEGA: &str = "omega";
    pub const MEAN: &str = "mean";
    pub const SD: &str = "sd";
    pub const DESIGN_EFFECT: &str = "design_effect";
    pub const N: &str = "n";
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
    pub const N_RATERS: &str = "n_raters";
    pub const N_COURSES: &str = "n_courses";
    pub const TOTAL_MEAN: &str = "total_mean";
    pub const TOTAL_SD: &str = "total_sd";
    pub const SHARE_EXCELLENT: &str = "share_excellent";
    pub const RANK_IN_CLASS: &str = "rank_in_class";
    pub const RANK_IN_YEAR: &str = "rank_in_year";
    pub const ICC1: &str = "icc1";
    pub const ICC2K: &str = "icc2k";
    pub const LENIENCY_SD: &str = "leniency_sd";
    pub const K_ITEMS: &str = "k_items";
    pub const ALPHA: &str = "alpha";
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
    // transfer claims (SPEC §7.2): flow, baseline, attrition, event study
    pub const DID_P: &str = "did_p";
    pub const DID_P_BH: &str = "did_p_bh";
    pub const CONTROL_BEFORE_MEAN: &str = "control_before_mean";
    pub const CONTROL_AFTER_MEAN: &str = "control_after_mean";
    pub const BASELINE_G: &str = "baseline_g";
    pub const BASELINE: &str = "baseline";
    pub const BASELINE_OK: &str = "baseline_ok";
    pub const CONTROL_ATTRITION: &str = "control_attrition";
    pub const OVERALL_ATTRITION: &str = "overall_attrition";
    pub const ATTRITION_DIFFERENTIAL: &str = "attrition_differential";
    pub const ATTRITION_OK: &str = "attrition_ok";
    pub const PRETREND_P: &str = "pretrend_p";
    pub const PRETREND_OK: &str = "pretrend_ok";
    pub const CLAIM: &str = "claim";
    pub const GROUP: &str = "group";
    pub const STAGE: &str = "stage";
    pub const SHARE_OF_ENROLLED: &str = "share_of_enrolled";
    pub const REL_PERIOD: &str = "rel_period";
    pub const ESTIMATE: &str = "estimate";
    pub const N_CONTROL: &str = "n_control";
    pub const FOLLOW_MEAN: &str = "follow_mean";
    pub const RETENTION: &str = "retention";
    pub const OTHERS_MEAN: &str = "others_mean";
    pub const SELF_MEAN: &str = "self_mean";
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
    pub const RULE: &str = "rule";
    pub const DAYS_TRAINED: &str = "days_trained";
    pub const HOURS_TRAINED: &str = "hours_trained";
    pub const DAYS_REQUIRED: &str = "days_required";
    pub const SHORTFALL_DAYS: &str = "shortfall_days";
    pub const MAKEUP_REQUIRED: &str = "makeup_required";
    pub const ROTATION_OVERDUE: &str = "rotation_overdue";
    pub const REPEATED_TOPICS: &str = "repeated_topics";
    pub const LEAVE_OVER_LIMIT: &str = "leave_over_limit";
    pub const WINDOW_YEARS: &str = "window_years";
    pub const DAYS_IN_WINDOW: &str = "days_in_window";
    pub const HOURS_IN_WINDOW: &str = "hours_in_window";
    pub const WINDOW_COMPLETE: &str = "window_complete";
    pub const N_RESPONDENTS: &str = "n_respondents";
    pub const TOPICS_REQUESTED: &str = "topics_requested";
    pub const TOPICS_TAUGHT: &str = "topics_taught";
    pub const COVERAGE: &str = "coverage";
    pub const UNMET_TOPICS: &str = "unmet_topics";
    pub const SHARE_TRAINED: &str = "share_trained";
    pub const VALUE_BEFORE: &str = "value_before";
    pub const VALUE_AFTER: &str = "value_after";
    pub const CHANGE: &str = "change";
    pub const PREVIOUS_YEAR: &str = "previous_year";
    pub const CHANGE_CI_LOW: &str = "change_ci_low";
    pub const CHANGE_CI_HIGH: &str = "change_ci_high";
    pub const CHANGE_P: &str = "change_p";
    pub const SERIES: &str = "series";
    pub const PERIOD_BEFORE: &str = "period_before";
    pub const N_UNITS: &str = "n_units";
    pub const SLOPE: &str = "slope";
    pub const LEARNING_Z: &str = "learning_z";
    pub const ASSESSMENT_Z: &str = "assessment_z";
    pub const TRANSFER_Z: &str = "transfer_z";
    pub const COMPLIANCE_SCORE: &str = "compliance_score";
    pub const INDEX: &str = "index";
    pub const PERCENTILE_IN_CATEGORY: &str = "percentile_in_category";
    pub const BAND: &str = "band";
    // rejects
    pub const TABLE: &str = "table";
    pub const FILE: &str = "file";
    pub const ROW: &str = "row";
    pub const COLUMN: &str = "column";
    pub const REASON: &str = "reason";
    pub const MESSAGE: &str = "message";
}

/// The course-rating indicators of the default instrument, in column order: the
/// default of `[instrument] course_indicators` and the indicator columns of
/// `reaction_by_course`. The one list; everything else names it.
pub const COURSE_INDICATORS: [&str; 5] = [col::RELEVANCE, col::THEORY, col::INFORMATION, col::DELIVERY, col::MANNER];

/// The nine cadre categories.
pub const CATEGORIES: &[&str] = &[
    "department_level",
    "middle_level",
    "young_reserve",
    "women",
    "rural_secretary",
    "civil_servant",
    "non_party",
    "business_leader",
    "professional",
];
/// Unit kinds.
pub const UNIT_KINDS: &[&str] = &["party", "government", "enterprise", "institution", "township"];
/// Training methods; `centralized` is the reference level of method comparisons.
pub const METHODS: &[&str] = &[
    "centralized",
    "online",
    "on_site",
    "case",
    "scenario",
    "role_play",
    "seminar",
    "field_visit",
    "attachment",
    "mixed",
];
/// Who rates a trainee.
pub const RATER_ROLES: &[&str] = &["class_manager", "teacher", "peer", "self"];
/// Review grades, best first.
pub const GRADES: &[&str] = &["excellent", "competent", "basically_competent", "incompetent"];
/// Genders as stored.
pub const GENDERS: &[&str] = &["male", "female"];
/// Survey item kinds.
pub const ITEM_KINDS: &[&str] = &["likert", "score", "topics"];
/// Review dimensions (each 0–100); a review's score is their mean.
pub const REVIEW_DIMENSIONS: &[&str] = &[col::MORALITY, col::ABILITY, col::DILIGENCE, col::ACHIEVEMENT, col::INTEGRITY];

/// Survey waves, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Wave {
    Needs,
    Pre,
    Post,
    Follow3m,
    Follow6m,
    Follow12m,
}

impl Wave {
    pub const ALL: [Wave; 6] = [Wave::Needs, Wave::Pre, Wave::Post, Wave::Follow3m, Wave::Follow6m, Wave::Follow12m];

    pub fn as_str(self) -> &'static str {
        match self {
            Wave::Needs => "needs",
            Wave::Pre => "pre",
            Wave::Post => "post",
            Wave::Follow3m => "follow_3m",
            Wave::Follow6m => "follow_6m",
            Wave::Follow12m => "follow_12m",
        }
    }

    pub fn from_name(s: &str) -> Option<Wave> {
        Wave::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// Input tables (SPEC Appendix A), in the order they must be validated:
/// referenced tables before the tables that reference them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    Units,
    Cadres,
    Classes,
    Courses,
    Enrollments,
    Items,
    Survey(Wave),
    CourseRatings,
    TraineeRatings,
    Reviews,
    UnitOutcomes,
}

impl TableKind {
    /// All input tables in validation order.
    pub fn all() -> Vec<TableKind> {
        let mut v = vec![
            TableKind::Units,
            TableKind::Cadres,
            TableKind::Classes,
            TableKind::Courses,
            TableKind::Enrollments,
            TableKind::Items,
        ];
        v.extend(Wave::ALL.into_iter().map(TableKind::Survey));
        v.extend([TableKind::CourseRatings, TableKind::TraineeRatings, TableKind::Reviews, TableKind::UnitOutcomes]);
        v
    }

    /// Position in validation order.
    pub fn order(self) -> usize {
        TableKind::all().iter().position(|t| *t == self).unwrap_or(usize::MAX)
    }

    /// The input name (file stem or `[inputs.<name>]`).
    pub fn name(self) -> String {
        match self {
            TableKind::Survey(w) => format!("survey_{}", w.as_str()),
            other => other.base_name().to_string(),
        }
    }

    fn base_name(self) -> &'static str {
        match self {
            TableKind::Units => wh::UNITS,
            TableKind::Cadres => wh::CADRES,
            TableKind::Classes => wh::CLASSES,
            TableKind::Courses => wh::COURSES,
            TableKind::Enrollments => wh::ENROLLMENTS,
            TableKind::Items => wh::ITEMS,
            TableKind::Survey(_) => "survey",
            TableKind::CourseRatings => wh::COURSE_RATINGS,
            TableKind::TraineeRatings => wh::TRAINEE_RATINGS,
            TableKind::Reviews => wh::REVIEWS,
            TableKind::UnitOutcomes => wh::UNIT_OUTCOMES,
        }
    }

    pub fn from_name(s: &str) -> Option<TableKind> {
        if let Some(w) = s.strip_prefix("survey_") {
            return Wave::from_name(w).map(TableKind::Survey);
        }
        TableKind::all().into_iter().find(|t| !matches!(t, TableKind::Survey(_)) && t.base_name() == s)
    }

    pub fn input_names() -> Vec<String> {
        TableKind::all().into_iter().map(TableKind::name).collect()
    }
}

/// Logical column types of the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    Str,
    Int,
    Float,
    Bool,
    Date,
    Datetime,
}

/// One warehouse column, for the data dictionary and schema tests.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ColumnDef {
    pub name: &'static str,
    pub dtype: DType,
    pub doc: &'static str,
}

/// Calendar year of a day count since 1970-01-01: the `year=` partition of a dated row
/// and the year every stage files a class, a review or a promotion under.
pub fn year_of_day(d: i32) -> i32 {
    // Civil-from-days (Howard Hinnant's algorithm), year only: exact for every i32 day.
    let z = i64::from(d) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as i32
}

/// One warehouse table.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TableDef {
    pub name: &'static str,
    pub grain: &'static str,
    /// Hive partition key (`year=`) and where its value comes from.
    pub partition: Option<&'static str>,
    pub columns: &'static [ColumnDef],
}

const fn c(name: &'static str, dtype: DType, doc: &'static str) -> ColumnDef {
    ColumnDef { name, dtype, doc }
}

use DType::*;

/// The columns of a learning table after its key columns (SPEC App. B `learning_by_class`).
macro_rules! LEARNING_STATS {
    // Pooled rows (several classes) add how far the classes differ.
    (pooled: $($key:expr),*) => {
        LEARNING_STATS!($($key),* ;
            c(col::N_CLASSES, Int, "classes with at least one pair"),
            c(col::ICC, Float, "intraclass correlation of the differences between classes (one-way ANOVA estimator)"),
            c(col::DESIGN_EFFECT, Float, "1 + (mean pairs per class − 1) · icc: how much the clustering inflates the variance")
        )
    };
    ($($key:expr),* ; $($extra:expr),*) => {
        &[
            $($key,)*
            c(col::N_PAIRS, Int, "trainees scored on the outcome scale at pre and post"),
            c(col::PRE_MEAN, Float, "mean pre score (0–100)"),
            c(col::POST_MEAN, Float, "mean post score"),
            c(col::MEAN_DIFF, Float, "mean of post − pre"),
            c(col::SD_DIFF, Float, "sd (n − 1) of post − pre"),
            c(col::T, Float, "paired t (pooled rows: the mean difference over its CR2 standard error clustered by class)"),
            c(col::DF, Float, "degrees of freedom: n − 1 (pooled rows: Satterthwaite df of the clustered mean)"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of mean_diff, lower (pooled rows: clustered by class, CR2)"),
            c(col::CI_HIGH, Float, "interval of mean_diff, upper"),
            c(col::D_Z, Float, "Cohen's d_z = mean_diff / sd_diff"),
            c(col::G_Z, Float, "Hedges' g_z"),
            c(col::D_AV, Float, "mean_diff / mean of the pre and post sds"),
            c(col::WILCOXON_V, Float, "sum of ranks of positive differences (R's V); null in pooled rows"),
            c(col::WILCOXON_P, Float, "two-sided p as scipy.stats.wilcoxon defaults; null in pooled rows (it assumes independent trainees)"),
            c(col::HAKE_G, Float, "class-average normalised gain ⟨g⟩, max = 100"),
            c(col::MEAN_INDIVIDUAL_GAIN, Float, "mean individual normalised gain over pairs with pre < 100"),
            c(col::SHARE_IMPROVED, Float, "share of pairs with post > pre"),
            c(col::D_Z_CI_LOW, Float, "interval of d_z by the noncentral t, lower; null in pooled rows"),
            c(col::D_Z_CI_HIGH, Float, "interval of d_z by the noncentral t, upper"),
            $($extra,)*
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_pairs < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ]
    };
}

/// Names of the warehouse tables (directories under `OUT/warehouse/`; the input tables
/// carry the same names as their files).
pub mod wh {
    pub const UNITS: &str = "units";
    pub const CADRES: &str = "cadres";
    pub const CLASSES: &str = "classes";
    pub const COURSES: &str = "courses";
    pub const ENROLLMENTS: &str = "enrollments";
    pub const ITEMS: &str = "items";
    pub const SURVEY_RESPONSES: &str = "survey_responses";
    pub const SURVEY_CHOICES: &str = "survey_choices";
    pub const SCALE_SCORES: &str = "scale_scores";
    pub const COURSE_RATINGS: &str = "course_ratings";
    pub const TRAINEE_RATINGS: &str = "trainee_ratings";
    pub const REVIEWS: &str = "reviews";
    pub const UNIT_OUTCOMES: &str = "unit_outcomes";
    pub const TRAINEE_OUTCOMES: &str = "trainee_outcomes";
}

/// Names of the indicator tables (file stems under `OUT/indicators/`).
pub mod ind {
    pub const LEARNING_BY_CLASS: &str = "learning_by_class";
    pub const LEARNING_BY_CATEGORY: &str = "learning_by_category";
    pub const LEARNING_BY_METHOD: &str = "learning_by_method";
    pub const LEARNING_BY_YEAR: &str = "learning_by_year";
    pub const REACTION_BY_COURSE: &str = "reaction_by_course";
    pub const REACTION_BY_CLASS: &str = "reaction_by_class";
    pub const RATER_AGREEMENT: &str = "rater_agreement";
    pub const RELIABILITY: &str = "reliability";
    pub const TRANSFER_BY_CLASS: &str = "transfer_by_class";
    pub const TRAJECTORY: &str = "trajectory";
    pub const FOLLOW_UP: &str = "follow_up";
    pub const PARTICIPANT_FLOW: &str = "participant_flow";
    pub const TRANSFER_EVENT_STUDY: &str = "transfer_event_study";
    pub const TRANSFER_SUMMARY: &str = "transfer_summary";
    pub const ASSESSMENT_BY_CLASS: &str = "assessment_by_class";
    pub const UNIT_RESULTS: &str = "unit_results";
    pub const UNIT_RESULTS_FIT: &str = "unit_results_fit";
    pub const METHOD_SUMMARY: &str = "method_summary";
    pub const METHOD_TESTS: &str = "method_tests";
    pub const METHOD_PAIRWISE: &str = "method_pairwise";
    pub const COMPLIANCE: &str = "compliance";
    pub const NEEDS_MATCH: &str = "needs_match";
    pub const NEEDS_BY_CATEGORY: &str = "needs_by_category";
    pub const CADRE_SCORECARD: &str = "cadre_scorecard";
    pub const TRENDS: &str = "trends";
    pub const COURSE_SERIES: &str = "course_series";
}

/// Warehouse tables written by `build`.
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: wh::UNITS,
        grain: "one row per unit",
        partition: None,
        columns: &[
            c(col::UNIT_ID, Str, "unit identifier (kept as given)"),
            c(col::NAME, Str, "unit name (an organisation, not a person)"),
            c(col::KIND, Str, "party | government | enterprise | institution | township"),
            c(col::REGION, Str, "free text"),
        ],
    },
    TableDef {
        name: wh::CADRES,
        grain: "one row per cadre; names are dropped at ingest",
        partition: None,
        columns: &[
            c(col::CADRE_ID, Str, "cadre identifier; HMAC-SHA256 pseudonym when TRAINEVAL_ID_KEY is set"),
            c(col::GENDER, Str, "male | female"),
            c(col::BIRTH_YEAR, Int, "year of birth"),
            c(col::CATEGORY, Str, "one of the nine cadre categories"),
            c(col::RANK, Str, "rank as given (free text)"),
            c(col::UNIT_ID, Str, "→ units.unit_id"),
            c(col::PARTY_MEMBER, Bool, "member of the Party"),
            c(col::JOIN_DATE, Date, "date of joining (the Party or the service), optional"),
            c(col::PROMOTED_ON, Date, "date of the latest promotion, optional (compliance grace year)"),
        ],
    },
    TableDef {
        name: wh::CLASSES,
        grain: "one row per training run",
        partition: Some("year of start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "class identifier"),
            c(col::TITLE, Str, "class title"),
            c(col::TARGET_CATEGORY, Str, "cadre category the class is for (may be empty)"),
            c(col::METHOD, Str, "main training method"),
            c(col::INSTITUTION, Str, "training institution"),
            c(col::START_DATE, Date, "first day"),
            c(col::END_DATE, Date, "last day (≥ start_date)"),
            c(col::DAYS, Float, "length in days"),
            c(col::HOURS, Float, "class hours"),
        ],
    },
    TableDef {
        name: wh::COURSES,
        grain: "one row per course in a class",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::COURSE_ID, Str, "course identifier"),
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::TITLE, Str, "course title"),
            c(col::TEACHER_ID, Str, "teacher identifier (kept as given)"),
            c(col::METHOD, Str, "teaching method"),
            c(col::HOURS, Float, "class hours"),
            c(col::TOPIC, Str, "topic, matched against the needs survey"),
        ],
    },
    TableDef {
        name: wh::ENROLLMENTS,
        grain: "one row per cadre in a class",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::ATTENDED_HOURS, Float, "hours attended (≤ class hours)"),
            c(col::LEAVE_HOURS, Float, "hours of approved leave"),
            c(col::DISCIPLINE_FLAGS, Int, "number of discipline incidents"),
            c(col::EXAM_SCORE, Float, "end-of-class exam, 0–100, optional"),
            c(col::COMPLETED, Bool, "completed the class"),
        ],
    },
    TableDef {
        name: wh::ITEMS,
        grain: "one row per survey item and wave",
        partition: None,
        columns: &[
            c(col::ITEM_ID, Str, "item identifier (a column of survey_<wave>)"),
            c(col::SCALE, Str, "scale the item belongs to"),
            c(col::WAVE, Str, "wave; empty = every wave"),
            c(col::TEXT, Str, "question text"),
            c(col::MIN, Float, "lowest allowed answer"),
            c(col::MAX, Float, "highest allowed answer"),
            c(col::REVERSE, Bool, "reverse-coded (x → min + max − x)"),
            c(col::KIND, Str, "likert | score | topics"),
        ],
    },
    TableDef {
        name: wh::SURVEY_RESPONSES,
        grain: "one numeric answer (long format); latest submission per cadre, class and wave",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id (enrolled in the class)"),
            c(col::WAVE, Str, "needs | pre | post | follow_3m | follow_6m | follow_12m"),
            c(col::ITEM_ID, Str, "→ items.item_id"),
            c(col::VALUE, Float, "answer as given (not reverse-coded)"),
            c(col::SUBMITTED_AT, Datetime, "submission time"),
            c(col::DURATION_S, Float, "completion time in seconds"),
        ],
    },
    TableDef {
        name: wh::SURVEY_CHOICES,
        grain: "one chosen option of a multiple-choice (`topics`) item",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::WAVE, Str, "survey wave"),
            c(col::ITEM_ID, Str, "→ items.item_id"),
            c(col::CHOICE, Str, "one chosen option (from the ┋-separated answer)"),
        ],
    },
    TableDef {
        name: wh::SCALE_SCORES,
        grain: "one scale score per cadre, class, wave and scale",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::WAVE, Str, "survey wave"),
            c(col::SCALE, Str, "scale"),
            c(
                col::SCORE,
                Float,
                "0–100: 100·(mean − min)/(max − min) of reverse-coded items; null when more than half are missing",
            ),
            c(col::N_ITEMS, Int, "items answered"),
        ],
    },
    TableDef {
        name: wh::COURSE_RATINGS,
        grain: "one score of a course by a trainee on one indicator",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::COURSE_ID, Str, "→ courses.course_id (of this class)"),
            c(col::RATER_ID, Str, "the rating trainee's cadre_id (pseudonymised with the key)"),
            c(col::INDICATOR, Str, "relevance | theory | information | delivery | manner"),
            c(col::SCORE, Float, "0–20"),
        ],
    },
    TableDef {
        name: wh::TRAINEE_RATINGS,
        grain: "one score of a trainee by one rater on one dimension",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "the rated trainee"),
            c(col::RATER_ROLE, Str, "class_manager | teacher | peer | self"),
            c(col::RATER_ID, Str, "rater (a cadre_id for peer and self, pseudonymised with the key)"),
            c(col::DIMENSION, Str, "attitude | discipline | participation | assignment (configurable)"),
            c(col::SCORE, Float, "0–100"),
        ],
    },
    TableDef {
        name: wh::REVIEWS,
        grain: "one performance review of a cadre",
        partition: Some("year of review_date"),
        columns: &[
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::REVIEW_DATE, Date, "date of the review"),
            c(col::KIND, Str, "annual, key-node, … (free text)"),
            c(col::MORALITY, Float, "0–100"),
            c(col::ABILITY, Float, "0–100"),
            c(col::DILIGENCE, Float, "0–100"),
            c(col::ACHIEVEMENT, Float, "0–100"),
            c(col::INTEGRITY, Float, "0–100"),
            c(col::TOTAL, Float, "mean of the five dimensions"),
            c(col::GRADE, Str, "excellent | competent | basically_competent | incompetent"),
        ],
    },
    TableDef {
        name: wh::UNIT_OUTCOMES,
        grain: "one metric of a unit in a period",
        partition: None,
        columns: &[
            c(col::UNIT_ID, Str, "→ units.unit_id"),
            c(col::PERIOD, Str, "period as given (e.g. 2024, 2025)"),
            c(col::METRIC, Str, "metric name"),
            c(col::VALUE, Float, "value"),
        ],
    },
    TableDef {
        name: wh::TRAINEE_OUTCOMES,
        grain: "one row per enrollment (cadre × class), joined once from the tables above",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::CATEGORY, Str, "the cadre's category"),
            c(col::UNIT_ID, Str, "the cadre's unit"),
            c(col::METHOD, Str, "the class's main method"),
            c(col::TARGET_CATEGORY, Str, "the class's target category"),
            c(col::START_DATE, Date, "first day of the class"),
            c(col::END_DATE, Date, "last day of the class"),
            c(col::DAYS, Float, "class length in days"),
            c(col::HOURS, Float, "class hours"),
            c(col::ATTENDED_HOURS, Float, "hours attended"),
            c(col::LEAVE_HOURS, Float, "hours of leave"),
            c(col::DISCIPLINE_FLAGS, Int, "discipline incidents"),
            c(col::EXAM_SCORE, Float, "end-of-class exam, optional"),
            c(col::COMPLETED, Bool, "completed the class"),
            c(col::ATTENDANCE_RATE, Float, "attended_hours / class hours"),
            c(col::PRE_SCORE, Float, "outcome scale score (0–100) at the pre wave"),
            c(col::POST_SCORE, Float, "outcome scale score at the post wave"),
            c(col::GAIN, Float, "post_score − pre_score"),
            c(col::NORM_GAIN, Float, "individual Hake gain (post − pre)/(100 − pre); null when pre = 100"),
            c(col::FOLLOW_3M, Float, "outcome scale score at the 3-month follow-up"),
            c(col::FOLLOW_6M, Float, "outcome scale score at the 6-month follow-up"),
            c(col::FOLLOW_12M, Float, "outcome scale score at the 12-month follow-up"),
            c(
                col::REACTION,
                Float,
                "mean over courses of the course-rating total this trainee gave (complete ratings)",
            ),
            c(col::TRAINEE_ASSESSMENT, Float, "mean score received from class manager, teacher and peer raters"),
            c(col::SELF_ASSESSMENT, Float, "mean self-rating score"),
            c(col::REVIEW_BEFORE, Float, "total of the latest review dated before start_date"),
            c(col::REVIEW_BEFORE_DATE, Date, "its date"),
            c(col::REVIEW_AFTER, Float, "total of the first review dated on or after end_date + lag"),
            c(col::REVIEW_AFTER_DATE, Date, "its date"),
            c(col::REVIEW_DELTA, Float, "review_after − review_before"),
        ],
    },
];

/// The meaning of every published table's `suppression` column.
const SUPPRESSION_DOC: &str = "null, primary (the row describes fewer than min_cell people) or secondary (withheld so that no primary row can be recovered by subtraction from a published margin)";

/// Indicator tables written by `indicators`, in the order they are computed. Every
/// table ends with `suppressed`. Column names and order are a public interface.
pub const INDICATOR_TABLES: &[TableDef] = &[
    TableDef {
        name: ind::LEARNING_BY_CLASS,
        grain: "one row per class (every class, even with no pairs)",
        partition: None,
        columns: LEARNING_STATS!(c(col::CLASS_ID, Str, "class"), c(col::METHOD, Str, "main method"), c(col::TARGET_CATEGORY, Str, "target category"); c(col::P_BH, Float, "p_value adjusted by Benjamini–Hochberg over the published classes")),
    },
    TableDef {
        name: ind::LEARNING_BY_CATEGORY,
        grain: "one row per cadre category of the trainees",
        partition: None,
        columns: LEARNING_STATS!(pooled: c(col::CATEGORY, Str, "the trainees' cadre category")),
    },
    TableDef {
        name: ind::LEARNING_BY_METHOD,
        grain: "one row per main method of the class",
        partition: None,
        columns: LEARNING_STATS!(pooled: c(col::METHOD, Str, "main method of the class")),
    },
    TableDef {
        name: ind::LEARNING_BY_YEAR,
        grain: "one row per calendar year of the classes' start (the headline figure)",
        partition: None,
        columns: LEARNING_STATS!(pooled: c(col::YEAR, Int, "calendar year of the class start")),
    },
    TableDef {
        name: ind::REACTION_BY_COURSE,
        grain: "one row per course (every course, even unrated)",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::COURSE_ID, Str, "course"),
            c(col::TEACHER_ID, Str, "teacher"),
            c(col::N_RATERS, Int, "trainees who scored every indicator"),
            c(col::RELEVANCE, Float, "mean score, relevance to practice"),
            c(col::THEORY, Float, "mean score, theoretical depth"),
            c(col::INFORMATION, Float, "mean score, information"),
            c(col::DELIVERY, Float, "mean score, delivery"),
            c(col::MANNER, Float, "mean score, teaching manner"),
            c(col::TOTAL_MEAN, Float, "mean of the per-rater totals (sum of the indicators)"),
            c(col::TOTAL_SD, Float, "sd (n − 1) of the totals"),
            c(col::CI_LOW, Float, "t interval of the mean total, lower"),
            c(col::CI_HIGH, Float, "t interval of the mean total, upper"),
            c(col::SHARE_EXCELLENT, Float, "share of totals ≥ 90 % of the maximum"),
            c(col::RANK_IN_CLASS, Int, "rank by total_mean within the class (SQL RANK, descending)"),
            c(col::RANK_IN_YEAR, Int, "rank by total_mean within the calendar year of the class start"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_raters < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::REACTION_BY_CLASS,
        grain: "one row per class: trainees' mean course-rating totals",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::METHOD, Str, "main method"),
            c(col::TARGET_CATEGORY, Str, "target category"),
            c(col::N_COURSES, Int, "courses with at least one complete rating"),
            c(col::N_RATERS, Int, "trainees with at least one complete rating"),
            c(col::TOTAL_MEAN, Float, "mean over raters of each rater's mean total"),
            c(col::TOTAL_SD, Float, "sd (n − 1) over raters"),
            c(col::CI_LOW, Float, "t interval, lower"),
            c(col::CI_HIGH, Float, "t interval, upper"),
            c(col::SHARE_EXCELLENT, Float, "share of rating totals ≥ 90 % of the maximum"),
            c(col::RANK_IN_YEAR, Int, "rank by total_mean within the calendar year (SQL RANK, descending)"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_raters < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::RATER_AGREEMENT,
        grain: "one row per class: agreement of trainees rating the class's courses",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::N_COURSES, Int, "courses with at least one rating (the targets)"),
            c(col::N_RATERS, Int, "raters who rated every such course (complete cases)"),
            c(col::ICC1, Float, "ICC(1,1) on course totals"),
            c(col::ICC2K, Float, "ICC(2,k) on course totals"),
            c(col::LENIENCY_SD, Float, "sd (n − 1) of each rater's mean minus the class grand mean"),
            c(col::ICC1_CI_LOW, Float, "interval of ICC(1,1), lower (McGraw & Wong 1996 F interval, as psych::ICC)"),
            c(col::ICC1_CI_HIGH, Float, "interval of ICC(1,1), upper"),
            c(col::ICC2K_CI_LOW, Float, "interval of ICC(2,k), lower"),
            c(col::ICC2K_CI_HIGH, Float, "interval of ICC(2,k), upper"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_raters < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::RELIABILITY,
        grain: "one row per scale (≥ 2 items) and wave, all classes pooled",
        partition: None,
        columns: &[
            c(col::SCALE, Str, "scale"),
            c(col::WAVE, Str, "wave"),
            c(col::N, Int, "complete respondents (listwise)"),
            c(col::K_ITEMS, Int, "items of the scale in this wave"),
            c(col::ALPHA, Float, "Cronbach's α of the reverse-coded items"),
            c(col::ALPHA_CI_LOW, Float, "Feldt (1965) interval of α, lower"),
            c(col::ALPHA_CI_HIGH, Float, "Feldt interval of α, upper"),
            c(col::OMEGA, Float, "McDonald's ω of a one-factor solution; null when it does not converge or gives a Heywood case"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::TRANSFER_BY_CLASS,
        grain: "one row per class of the period: reviews before vs after, the DiD against eligible controls, baseline equivalence and attrition",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::N_TRAINED, Int, "enrollment rows"),
            c(col::N_FOLLOWED, Int, "trainees with a review before and after"),
            c(col::ATTRITION, Float, "1 − n_followed / n_trained"),
            c(col::BEFORE_MEAN, Float, "mean review score before"),
            c(col::AFTER_MEAN, Float, "mean review score after"),
            c(col::MEAN_DELTA, Float, "mean of after − before"),
            c(col::T, Float, "paired t"),
            c(col::DF, Float, "degrees of freedom"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of mean_delta, lower"),
            c(col::CI_HIGH, Float, "interval of mean_delta, upper"),
            c(col::D_Z, Float, "Cohen's d_z"),
            c(col::CONTROL_N, Int, "eligible controls (target category, untrained in the period and the washout years) with reviews before and after and no class between them"),
            c(col::CONTROL_DELTA, Float, "their mean delta (null when control_n < min_cell)"),
            c(col::DID, Float, "mean_delta − control_delta"),
            c(col::DID_CI_LOW, Float, "Welch interval of did, lower"),
            c(col::DID_CI_HIGH, Float, "Welch interval of did, upper"),
            c(col::DID_P, Float, "two-sided Welch p of did"),
            c(col::CONTROL_BEFORE_MEAN, Float, "mean review score before of the controls with both reviews"),
            c(col::CONTROL_AFTER_MEAN, Float, "mean review score after of the same controls"),
            c(col::BASELINE_G, Float, "Hedges' g of the reviews before, followed trainees vs controls with both reviews (WWC baseline equivalence)"),
            c(col::BASELINE, Str, "equivalent (|g| ≤ 0.05) | adjust (|g| ≤ 0.25: the DiD's differencing is the adjustment) | not_equivalent"),
            c(col::CONTROL_ATTRITION, Float, "1 − controls with both reviews / eligible controls"),
            c(col::OVERALL_ATTRITION, Float, "1 − (followed trainees + controls with both reviews) / (n_trained + eligible controls)"),
            c(col::ATTRITION_DIFFERENTIAL, Float, "attrition − control_attrition"),
            c(col::ATTRITION_OK, Bool, "low attrition under the WWC v5.0 cautious boundary (|differential| within the boundary for the overall rate)"),
            c(col::PRETREND_P, Float, "pretrend_p of the class's target category in transfer_event_study (of all classes when that row group is withheld)"),
            c(col::CLAIM, Str, "effect (pretrend_p ≥ 0.10, baseline not not_equivalent, attrition_ok) | association (any check fails or cannot be made); null without a DiD"),
            c(col::P_BH, Float, "p_value adjusted by Benjamini–Hochberg over the published classes of the period"),
            c(col::DID_P_BH, Float, "did_p adjusted by Benjamini–Hochberg over the published classes with a DiD"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_followed < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::TRAJECTORY,
        grain: "one row per wave for all classes pooled, then per class and wave: the outcome scale's mean",
        partition: None,
        columns: &[
            c(col::SCOPE, Str, "all (every class pooled) | class"),
            c(col::CLASS_ID, Str, "class (null for all)"),
            c(col::WAVE, Str, "pre | post | follow_3m | follow_6m | follow_12m"),
            c(col::N, Int, "trainees scored at the wave"),
            c(col::MEAN, Float, "mean score (0–100)"),
            c(col::SD, Float, "sd (n − 1)"),
            c(col::CI_LOW, Float, "interval of the mean, lower: t interval for a class, clustered by class (CR2) for all"),
            c(col::CI_HIGH, Float, "interval of the mean, upper"),
            c(col::N_CLASSES, Int, "classes with a score at the wave"),
            c(col::ICC, Float, "intraclass correlation of the scores between classes (all only)"),
            c(col::DESIGN_EFFECT, Float, "1 + (mean trainees per class − 1) · icc (all only)"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::FOLLOW_UP,
        grain: "one row per class of the period and follow-up wave: outcome at follow-up against post",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::WAVE, Str, "follow_3m | follow_6m | follow_12m"),
            c(col::N_PAIRS, Int, "trainees scored at post and at this wave"),
            c(col::POST_MEAN, Float, "mean post score of the pairs"),
            c(col::FOLLOW_MEAN, Float, "mean follow-up score of the pairs"),
            c(col::MEAN_DIFF, Float, "mean of follow − post"),
            c(col::SD_DIFF, Float, "sd of follow − post"),
            c(col::T, Float, "paired t"),
            c(col::DF, Float, "degrees of freedom"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of mean_diff, lower"),
            c(col::CI_HIGH, Float, "interval of mean_diff, upper"),
            c(col::RETENTION, Float, "(follow − pre)/(post − pre) of the class means, trainees scored at pre, post and follow-up"),
            c(col::P_BH, Float, "p_value adjusted by Benjamini–Hochberg over the published rows (classes × waves) of the period"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_pairs < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::PARTICIPANT_FLOW,
        grain: "one row per (all classes of the period, then each class) × group × stage: how many trainees or controls reached it",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class, or `all` (every class of the period; controls counted once however many classes they serve)"),
            c(col::GROUP, Str, "trained | control (the class's control group)"),
            c(col::STAGE, Str, "trained: enrolled, completed, pre, post, pair, follow_3m, follow_6m, follow_12m, review_before, review_after (before and after); control: eligible, review_before, review_after"),
            c(col::N, Int, "enrollment rows (trained) or cadres (control) at the stage"),
            c(col::SHARE_OF_ENROLLED, Float, "n / enrolled (trained) or n / eligible (control)"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n < min_cell, or secondary): n and share null, keys kept"),
        ],
    },
    TableDef {
        name: ind::TRANSFER_EVENT_STUDY,
        grain: "one row per row group (all classes of the period, then each target category) and relative period −3 … +2",
        partition: None,
        columns: &[
            c(col::CATEGORY, Str, "`all`, or the target category of the classes"),
            c(col::REL_PERIOD, Int, "review relative to the class: −1 the latest before the start (reference), −2/−3 the ones before it; 0 the first on or after end + lag, +1/+2 the ones after it"),
            c(col::ESTIMATE, Float, "trainees' mean change from −1 minus the controls' (stacked by class; 0 at −1)"),
            c(col::SE, Float, "CR2 standard error: a class's trainees one cluster, each control (all its copies) another"),
            c(col::DF, Float, "Satterthwaite degrees of freedom"),
            c(col::CI_LOW, Float, "interval of estimate, lower"),
            c(col::CI_HIGH, Float, "interval of estimate, upper"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::N_TRAINED, Int, "trainee observations (an enrollment with reviews at −1 and at this period)"),
            c(col::N_CONTROL, Int, "control observations (a control counts once per class it serves)"),
            c(col::N_CLASSES, Int, "classes with a trainee observed at period 0"),
            c(col::PRETREND_P, Float, "HTZ Wald test (CR2) of the −3 and −2 estimates being 0; the same on every row of the group"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (fewer than min_cell trainee or control observations, or secondary): statistics and counts null, keys kept"),
        ],
    },
    TableDef {
        name: ind::TRANSFER_SUMMARY,
        grain: "one row per row group (all classes of the period, then each target category): the pooled DiD and the checks a transfer claim needs",
        partition: None,
        columns: &[
            c(col::CATEGORY, Str, "`all` (the headline), or the target category of the classes"),
            c(col::N_CLASSES, Int, "classes with a followed trainee"),
            c(col::N_TRAINED, Int, "followed trainees (enrollments with reviews before and after)"),
            c(col::N_CONTROL, Int, "control observations at period 0 (a control counts once per class it serves)"),
            c(col::DID, Float, "pooled difference in differences: transfer_event_study at period 0"),
            c(col::SE, Float, "CR2 standard error, clustered as transfer_event_study"),
            c(col::DF, Float, "Satterthwaite degrees of freedom"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of did, lower"),
            c(col::CI_HIGH, Float, "interval of did, upper"),
            c(col::PRETREND_P, Float, "joint pre-trend test of the group (transfer_event_study)"),
            c(col::BASELINE_G, Float, "Hedges' g of the reviews before, followed trainees vs controls with both reviews (stacked by class)"),
            c(col::BASELINE, Str, "equivalent | adjust | not_equivalent (as transfer_by_class)"),
            c(col::ATTRITION, Float, "1 − followed / enrolled trainees"),
            c(col::CONTROL_ATTRITION, Float, "1 − controls with both reviews / eligible controls (distinct cadres)"),
            c(col::OVERALL_ATTRITION, Float, "attrition of trainees and controls together"),
            c(col::ATTRITION_DIFFERENTIAL, Float, "attrition − control_attrition"),
            c(col::ATTRITION_OK, Bool, "low attrition under the WWC v5.0 cautious boundary"),
            c(col::PRETREND_OK, Bool, "pretrend_p ≥ 0.10 (null: not testable)"),
            c(col::BASELINE_OK, Bool, "baseline is not not_equivalent (null: no g)"),
            c(col::CLAIM, Str, "effect (pretrend_ok, baseline_ok and attrition_ok all true) | association"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld with the group's period-0 row of transfer_event_study"),
        ],
    },
    TableDef {
        name: ind::ASSESSMENT_BY_CLASS,
        grain: "one row per class: self-rating against the ratings by others (two-way assessment)",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::N_PAIRS, Int, "trainees with a self-rating and a rating by others"),
            c(col::OTHERS_MEAN, Float, "mean score from class manager, teachers and peers"),
            c(col::SELF_MEAN, Float, "mean self-rating"),
            c(col::MEAN_DIFF, Float, "mean of self − others (self-rating inflation)"),
            c(col::SD_DIFF, Float, "sd of self − others"),
            c(col::T, Float, "paired t"),
            c(col::DF, Float, "degrees of freedom"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of mean_diff, lower"),
            c(col::CI_HIGH, Float, "interval of mean_diff, upper"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_pairs < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::UNIT_RESULTS,
        grain: "one row per unit and metric",
        partition: None,
        columns: &[
            c(col::UNIT_ID, Str, "unit"),
            c(col::PERIOD, Str, "the later period compared"),
            c(col::METRIC, Str, "metric"),
            c(col::SHARE_TRAINED, Float, "share of the unit's cadres enrolled in a class starting in that period"),
            c(col::VALUE_BEFORE, Float, "value in the period before"),
            c(col::VALUE_AFTER, Float, "value in the period"),
            c(col::CHANGE, Float, "value_after − value_before"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (the unit has fewer than min_cell cadres, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::UNIT_RESULTS_FIT,
        grain: "one row per metric: change ~ share_trained across units (OLS, HC1)",
        partition: None,
        columns: &[
            c(col::METRIC, Str, "metric"),
            c(col::PERIOD, Str, "the later period compared"),
            c(col::N_UNITS, Int, "units with a change and a share (unsuppressed)"),
            c(col::SLOPE, Float, "change per unit of share_trained (0 → 1)"),
            c(col::SE, Float, "heteroscedasticity-robust (HC1) standard error"),
            c(col::T, Float, "t"),
            c(col::DF, Float, "degrees of freedom"),
            c(col::P_VALUE, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of the slope, lower"),
            c(col::CI_HIGH, Float, "interval of the slope, upper"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_units < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::METHOD_SUMMARY,
        grain: "one row per method present among the pairs (centralized first, then alphabetical)",
        partition: None,
        columns: &[
            c(col::METHOD, Str, "main method of the class"),
            c(col::N_CLASSES, Int, "classes with at least one pair"),
            c(col::N_TRAINEES, Int, "pairs (trainees scored at pre and post)"),
            c(col::MEAN_GAIN, Float, "mean gain (post − pre) over the pairs"),
            c(col::SD_GAIN, Float, "sd (n − 1) of the gains"),
            c(col::CI_LOW, Float, "interval of the mean gain clustered by class (CR2, Satterthwaite df), lower"),
            c(col::CI_HIGH, Float, "interval of the mean gain clustered by class, upper"),
            c(col::IN_TESTS, Bool, "the method has at least methods.min_classes classes and enters the tests"),
            c(col::NOTE, Str, "null | few_classes (tested, fewer than 5 classes) | too_few_classes (not tested)"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_trainees < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::METHOD_TESTS,
        grain: "one row per test of the methods: class_ancova (primary), class_kruskal, ancova_cr2_htz",
        partition: None,
        columns: &[
            c(col::TEST, Str, "class_ancova | class_kruskal | ancova_cr2_htz"),
            c(col::STATISTIC, Float, "F of the method terms (class means), tie-corrected H (class mean gains), or the HTZ F (trainees, CR2 by class)"),
            c(col::DF1, Float, "numerator df (methods − 1)"),
            c(col::DF2, Float, "denominator df: residual df of the class ANCOVA, the HTZ df; null for class_kruskal"),
            c(col::P_VALUE, Float, "p-value"),
            c(col::EFFECT, Float, "partial η² of the method terms (class_ancova), null otherwise"),
            c(col::N, Int, "pairs in the tested classes"),
            c(col::N_CLASSES, Int, "classes in the test (methods with at least methods.min_classes classes)"),
            c(col::NOTE, Str, "why the test is null: fewer_than_two_methods | no_residual_df | singular | perfect_fit | all_tied"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n < min_cell): statistics and counts null"),
        ],
    },
    TableDef {
        name: ind::METHOD_PAIRWISE,
        grain: "one row per pair of tested methods: contrasts of the class ANCOVA",
        partition: None,
        columns: &[
            c(col::METHOD_A, Str, "the later level"),
            c(col::METHOD_B, Str, "the earlier level"),
            c(col::DIFF, Float, "coef(a) − coef(b) of the class ANCOVA, adjusted for the class mean pre score"),
            c(col::SE, Float, "standard error (classical, classes as observations)"),
            c(col::T, Float, "t"),
            c(col::DF, Float, "residual df of the class ANCOVA"),
            c(col::P_RAW, Float, "two-sided p"),
            c(col::CI_LOW, Float, "interval of diff, lower"),
            c(col::CI_HIGH, Float, "interval of diff, upper"),
            c(col::P_HOLM, Float, "Holm-adjusted over all pairs"),
            c(col::P_BH, Float, "Benjamini–Hochberg-adjusted over all pairs"),
            c(col::NOTE, Str, "why the contrast is null (the class ANCOVA's reason)"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld with either method's row"),
        ],
    },
    TableDef {
        name: ind::COMPLIANCE,
        grain: "one row per cadre and calendar year with classes (per person: never suppressed)",
        partition: None,
        columns: &[
            c(col::CADRE_ID, Str, "cadre"),
            c(col::YEAR, Int, "calendar year"),
            c(col::CATEGORY, Str, "cadre category"),
            c(col::RULE, Str, "rule applied (`none` when no rule applies)"),
            c(col::DAYS_TRAINED, Float, "class days of completed enrollments in the year"),
            c(col::HOURS_TRAINED, Float, "class hours of completed enrollments in the year"),
            c(col::DAYS_REQUIRED, Float, "the rule's minimum days over its window"),
            c(col::SHORTFALL_DAYS, Float, "days still missing (0 when days or hours suffice)"),
            c(col::MAKEUP_REQUIRED, Bool, "short, with the window complete and no promotion grace"),
            c(col::ROTATION_OVERDUE, Bool, "leader without a centralised class in the rotation window (null: unknown)"),
            c(col::REPEATED_TOPICS, Int, "topics taught to the cadre in this year that it was already taught within the repeat window"),
            c(col::ATTENDANCE_RATE, Float, "Σ attended hours / Σ class hours (null without enrollment)"),
            c(col::LEAVE_OVER_LIMIT, Bool, "any enrollment with leave above the allowed share of class hours"),
            c(col::DISCIPLINE_FLAGS, Int, "Σ discipline incidents"),
            c(col::WINDOW_YEARS, Int, "length of the rule's window in years"),
            c(col::DAYS_IN_WINDOW, Float, "days counted by the rule over the window"),
            c(col::HOURS_IN_WINDOW, Float, "hours counted by the rule over the window"),
            c(col::WINDOW_COMPLETE, Bool, "the window lies within the years the data covers"),
            c(col::SUPPRESSION, Str, "always null (per-person table)"),
            c(col::SUPPRESSED, Bool, "always false (per-person table)"),
        ],
    },
    TableDef {
        name: ind::NEEDS_MATCH,
        grain: "one row per class: topics requested in the needs survey vs topics taught",
        partition: None,
        columns: &[
            c(col::CLASS_ID, Str, "class"),
            c(col::N_RESPONDENTS, Int, "trainees who chose at least one topic in the needs survey"),
            c(col::TOPICS_REQUESTED, Int, "distinct topics requested"),
            c(col::TOPICS_TAUGHT, Int, "distinct course topics of the class"),
            c(col::COVERAGE, Float, "share of the requested topics that are taught"),
            c(col::UNMET_TOPICS, Str, "requested topics not taught, sorted, ┋-joined"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_respondents < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::NEEDS_BY_CATEGORY,
        grain: "one row per target category: needs coverage over its classes",
        partition: None,
        columns: &[
            c(col::TARGET_CATEGORY, Str, "target category of the classes"),
            c(col::N_RESPONDENTS, Int, "respondents over the classes"),
            c(col::TOPICS_REQUESTED, Int, "(class, topic) requests, distinct per class"),
            c(col::TOPICS_TAUGHT, Int, "distinct topics taught over the classes"),
            c(col::COVERAGE, Float, "share of the requests taught in the class that asked"),
            c(col::UNMET_TOPICS, Str, "topics unmet in at least one class, sorted, ┋-joined"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n_respondents < min_cell, or secondary): statistics and counts null, keys and labels kept"),
        ],
    },
    TableDef {
        name: ind::CADRE_SCORECARD,
        grain: "one row per cadre trained in the period (per person: never suppressed)",
        partition: None,
        columns: &[
            c(col::CADRE_ID, Str, "cadre"),
            c(col::PERIOD, Str, "period"),
            c(col::CATEGORY, Str, "cadre category"),
            c(col::LEARNING_Z, Float, "residual gain (post regressed on pre within category), shrunk by its reliability (empirical Bayes), in sd units"),
            c(col::ASSESSMENT_Z, Float, "trainee assessment by others, standardised within category"),
            c(col::TRANSFER_Z, Float, "review delta, standardised within category"),
            c(col::COMPLIANCE_SCORE, Float, "share of the compliance requirement met, 0–1 (capped); taken as error-free"),
            c(col::INDEX, Float, "weighted mean of the available standardised components"),
            c(col::PERCENTILE_IN_CATEGORY, Float, "percentile rank (0–100) of index within category"),
            c(col::BAND, Str, "A | B | C | D by percentile cut-offs; null when withheld (band_reason)"),
            c(col::LEARNING_RELIABILITY, Float, "reliability of the residual gain in the category (null: the scale's α unknown)"),
            c(col::ASSESSMENT_RELIABILITY, Float, "reliability of this cadre's assessment (more scores, more reliable)"),
            c(col::TRANSFER_RELIABILITY, Float, "reliability of a review difference in the category"),
            c(col::INDEX_SE, Float, "standard error of the index from the components' measurement error"),
            c(col::INDEX_RELIABILITY, Float, "1 − index_se² / variance of the index in the category"),
            c(col::BAND_PROBABILITY, Float, "chance that the true index lies within the published band (normal error)"),
            c(col::BAND_REASON, Str, "why the band is withheld: fewer_than_two_components | reliability_unknown | low_reliability"),
            c(col::SUPPRESSION, Str, "always null (per-person table)"),
            c(col::SUPPRESSED, Bool, "always false (per-person table)"),
        ],
    },
    TableDef {
        name: ind::TRENDS,
        grain: "one row per metric and year held: reaction, learning_gain, review_change",
        partition: None,
        columns: &[
            c(col::METRIC, Str, "reaction | learning_gain | review_change"),
            c(col::YEAR, Int, "calendar year of the class start"),
            c(col::PREVIOUS_YEAR, Int, "the previous year held (the change's base); null for the first"),
            c(col::N, Int, "trainees with the metric"),
            c(col::N_CLASSES, Int, "their classes"),
            c(col::MEAN, Float, "mean over the trainees"),
            c(col::CI_LOW, Float, "interval of the mean clustered by class (CR2), lower"),
            c(col::CI_HIGH, Float, "upper"),
            c(col::CHANGE, Float, "mean − the previous year's mean"),
            c(col::CHANGE_CI_LOW, Float, "interval of the change clustered by class (CR2), lower"),
            c(col::CHANGE_CI_HIGH, Float, "upper"),
            c(col::CHANGE_P, Float, "two-sided p of the change"),
            c(col::SUPPRESSION, Str, SUPPRESSION_DOC),
            c(col::SUPPRESSED, Bool, "withheld (n < min_cell, or the year's classes under min_cell hold together fewer than min_cell; changes involving a withheld year too): statistics and counts null"),
        ],
    },
    TableDef {
        name: ind::COURSE_SERIES,
        grain: "one row per course of a series recurring in two or more years",
        partition: None,
        columns: &[
            c(col::SERIES, Str, "id:<course_id> when the id recurs, else title:<title>|<teacher_id>"),
            c(col::YEAR, Int, "calendar year of the class start"),
            c(col::CLASS_ID, Str, "class"),
            c(col::COURSE_ID, Str, "course"),
            c(col::TITLE, Str, "course title"),
            c(col::TEACHER_ID, Str, "teacher"),
            c(col::N_RATERS, Int, "as in reaction_by_course"),
            c(col::TOTAL_MEAN, Float, "as in reaction_by_course"),
            c(col::CI_LOW, Float, "as in reaction_by_course"),
            c(col::CI_HIGH, Float, "as in reaction_by_course"),
            c(col::SUPPRESSION, Str, "that of the reaction_by_course row"),
            c(col::SUPPRESSED, Bool, "that of the reaction_by_course row"),
        ],
    },
];

/// Look up an indicator table definition by name.
pub fn indicator_def(name: &str) -> Option<&'static TableDef> {
    INDICATOR_TABLES.iter().find(|t| t.name == name)
}

/// Look up a warehouse table definition by name.
pub fn table_def(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_round_trip() {
        for t in TableKind::all() {
            assert_eq!(TableKind::from_name(&t.name()), Some(t), "{}", t.name());
        }
        assert_eq!(TableKind::from_name("survey_x"), None);
        assert_eq!(TableKind::from_name("survey"), None);
    }

    #[test]
    fn column_names_unique_per_table() {
        for t in TABLES {
            let mut names: Vec<_> = t.columns.iter().map(|c| c.name).collect();
            names.sort();
            let n = names.len();
            names.dedup();
            assert_eq!(n, names.len(), "{}", t.name);
        }
    }

    #[test]
    fn year_of_day_matches_the_calendar() {
        assert_eq!(year_of_day(0), 1970);
        assert_eq!(year_of_day(-1), 1969);
        // 2024-12-31 = 20088, 2025-01-01 = 20089
        assert_eq!(year_of_day(20088), 2024);
        assert_eq!(year_of_day(20089), 2025);
        // 2000-02-29 = 11016
        assert_eq!(year_of_day(11016), 2000);
    }

    #[test]
    fn year_of_day_agrees_with_chrono() {
        use chrono::Datelike;
        for d in (-800_000..800_000).step_by(97).chain([-1, 0, 59, 60, 365, 20_088, 20_089]) {
            let y = chrono::DateTime::from_timestamp(i64::from(d) * 86_400, 0).unwrap().year();
            assert_eq!(year_of_day(d), y, "day {d}");
        }
    }
}
