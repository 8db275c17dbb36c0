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
    // rejects
    pub const TABLE: &str = "table";
    pub const FILE: &str = "file";
    pub const ROW: &str = "row";
    pub const COLUMN: &str = "column";
    pub const REASON: &str = "reason";
    pub const MESSAGE: &str = "message";
}

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
            TableKind::Units => "units",
            TableKind::Cadres => "cadres",
            TableKind::Classes => "classes",
            TableKind::Courses => "courses",
            TableKind::Enrollments => "enrollments",
            TableKind::Items => "items",
            TableKind::Survey(_) => "survey",
            TableKind::CourseRatings => "course_ratings",
            TableKind::TraineeRatings => "trainee_ratings",
            TableKind::Reviews => "reviews",
            TableKind::UnitOutcomes => "unit_outcomes",
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

/// Warehouse tables written by `build`.
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: "units",
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
        name: "cadres",
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
        name: "classes",
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
        name: "courses",
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
        name: "enrollments",
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
        name: "items",
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
        name: "survey_responses",
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
        name: "survey_choices",
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
        name: "scale_scores",
        grain: "one scale score per cadre, class, wave and scale",
        partition: Some("year of the class's start_date"),
        columns: &[
            c(col::CLASS_ID, Str, "→ classes.class_id"),
            c(col::CADRE_ID, Str, "→ cadres.cadre_id"),
            c(col::WAVE, Str, "survey wave"),
            c(col::SCALE, Str, "scale"),
            c(col::SCORE, Float, "0–100: 100·(mean − min)/(max − min) of reverse-coded items; null when more than half are missing"),
            c(col::N_ITEMS, Int, "items answered"),
        ],
    },
    TableDef {
        name: "course_ratings",
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
        name: "trainee_ratings",
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
        name: "reviews",
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
        name: "unit_outcomes",
        grain: "one metric of a unit in a period",
        partition: None,
        columns: &[
            c(col::UNIT_ID, Str, "→ units.unit_id"),
            c(col::PERIOD, Str, "period as given (e.g. 2024, 2025)"),
            c(col::METRIC, Str, "metric name"),
            c(col::VALUE, Float, "value"),
        ],
    },
];

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
}
