//! How to read a survey-platform (问卷星-style) export: the `[inputs.<name>.platform]`
//! table of the pipeline file. The reading itself is `crate::ingest::platform`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a column is in the export: a question number (`3` → the header starting `3、`)
/// or a substring of its header (`"理论深度"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ColumnRef {
    Question(u32),
    Header(String),
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Question(n) => write!(f, "question {n}"),
            ColumnRef::Header(h) => write!(f, "the header containing \"{h}\""),
        }
    }
}

/// How to read one platform export (`[inputs.survey_<wave>.platform]`).
///
/// Every field has a default, so an empty table reads a wjx export whose question 1 is
/// the class id, question 2 the cadre id and questions 3, 4, … the wave's items in
/// `items` order.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    /// The class id column (default: question 1).
    #[serde(default = "default_class")]
    pub class_id: ColumnRef,
    /// The respondent's cadre id column (default: question 2).
    #[serde(default = "default_cadre")]
    pub cadre_id: ColumnRef,
    /// Items not listed in `items` are taken in order from this question on (default 3).
    #[serde(default = "default_first_item")]
    pub first_item_question: u32,
    /// Explicit item columns: item id → question number or header substring.
    #[serde(default)]
    pub items: BTreeMap<String, ColumnRef>,
    /// Format of the submission time (`%Y %m %d %H %M %S`; numbers need no padding;
    /// a space matches any run of spaces). Default `%Y/%m/%d %H:%M:%S`.
    #[serde(default = "default_time_format")]
    pub time_format: String,
    /// Answers that mean "not applicable / skipped" (compared after trimming).
    #[serde(default = "default_missing")]
    pub missing: Vec<String>,
    /// Header of the submission-time column (empty: the export has none).
    #[serde(default = "default_submitted")]
    pub submitted_column: String,
    /// Header of the completion-time column (empty: the export has none).
    #[serde(default = "default_duration")]
    pub duration_column: String,
    /// Course evaluations only: indicator → the words that name it in a column header
    /// (default: see [`default_indicator_words`]; an indicator without words is named by
    /// its own id).
    #[serde(default)]
    pub indicators: BTreeMap<String, Vec<String>>,
    /// Course evaluations only, for exports whose headers name the indicator but not the
    /// course (a matrix question per course, `3、(理论深度)`): question number → the
    /// course's title or id.
    #[serde(default)]
    pub courses: BTreeMap<String, String>,
}

fn default_class() -> ColumnRef {
    ColumnRef::Question(1)
}
fn default_cadre() -> ColumnRef {
    ColumnRef::Question(2)
}
fn default_first_item() -> u32 {
    3
}
fn default_time_format() -> String {
    "%Y/%m/%d %H:%M:%S".into()
}
fn default_missing() -> Vec<String> {
    vec!["-3".into(), "(跳过)".into(), "-2".into()]
}
fn default_submitted() -> String {
    "提交答卷时间".into()
}
fn default_duration() -> String {
    "所用时间".into()
}

impl Default for PlatformConfig {
    fn default() -> Self {
        PlatformConfig {
            class_id: default_class(),
            cadre_id: default_cadre(),
            first_item_question: default_first_item(),
            items: BTreeMap::new(),
            time_format: default_time_format(),
            missing: default_missing(),
            submitted_column: default_submitted(),
            duration_column: default_duration(),
            indicators: BTreeMap::new(),
            courses: BTreeMap::new(),
        }
    }
}

/// The words that name the indicators of the default course instrument in a platform
/// export's headers, longest first within each indicator.
pub fn default_indicator_words(indicator: &str) -> &'static [&'static str] {
    match indicator {
        "relevance" => &["理论联系实际", "联系实际", "贴近实际", "针对性", "实用性"],
        "theory" => &["理论深度", "理论性", "思想性"],
        "information" => &["内容丰富", "内容充实", "信息量"],
        "delivery" => &["授课技巧", "授课方式", "表达能力", "讲授"],
        "manner" => &["教学态度", "授课态度", "态度"],
        _ => &[],
    }
}
