//! The office's words for the workbooks people read: column headers, category labels,
//! number formats and what each column means.
//!
//! In: the job (its `[inputs.<t>.columns]` header maps and `[inputs.<t>.values]` label
//! maps) and the export language (`[report] lang`, or `--lang`). Out: [`Labels`], which
//! answers "what is this column called" and "what is this code called" for a workbook,
//! and [`number_format`], the Excel format of a numeric column.
//!
//! Guarantees:
//! - a column the office mapped (`cadre_id = "干部编号"`) is headed by the office's own
//!   header, where the mapping means the same thing (a review's `kind` is never headed by
//!   the unit table's `kind`); every other column by a plain header in the export
//!   language from [`HEADERS`] (a test keeps every indicator column there), never by its
//!   code name;
//! - a code (`department_level`) is shown as the office's label when a value map gives
//!   one (of several labels for one code, the report's own term, else the longest), else
//!   as the report's label in the export language (`report::i18n`), else as it is;
//! - the machine-readable outputs (Parquet, CSV, JSON lines) never pass through here:
//!   they keep the canonical names and codes.

use std::collections::BTreeMap;

use crate::config::Job;
use crate::report::i18n::{Catalogue, Lang};
use crate::schema::{col, ind, wh};

/// Export-only column: the title of the row's class, next to `class_id`.
pub const CLASS_TITLE: &str = "class_title";
/// Export-only column: the title of the row's course, next to `course_id`.
pub const COURSE_TITLE: &str = "course_title";

/// Headers, labels and meanings of one export language.
#[derive(Debug, Clone)]
pub struct Labels {
    lang: Lang,
    catalogue: Catalogue,
    /// (input table, canonical column) → the office's header.
    headers: BTreeMap<(String, String), String>,
    /// vocabulary (or `table.column`) → code → the office's label.
    values: BTreeMap<String, BTreeMap<String, String>>,
}

impl Labels {
    /// The labels of `job`'s office in `lang`.
    pub fn new(job: &Job, lang: Lang) -> Labels {
        let mut out = Labels::plain(lang);
        for input in &job.inputs {
            let table = input.table.name();
            for (canonical, header) in &input.spec.columns {
                out.headers.entry((table.clone(), canonical.clone())).or_insert_with(|| header.clone());
            }
            for (canonical, map) in &input.spec.values {
                let key = vocabulary(canonical).map_or_else(|| format!("{table}.{canonical}"), str::to_string);
                let report_term = |code: &str| {
                    REPORT_VOCABULARIES.contains(&key.as_str()).then(|| Catalogue::new(Lang::Zh).code(&key, code))
                };
                let into = out.values.entry(key.clone()).or_default();
                for (label, code) in map {
                    match into.get(code) {
                        Some(have) if !better_label(label, have, report_term(code).as_deref()) => {}
                        _ => {
                            into.insert(code.clone(), label.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// The labels of `lang` with no office maps (a canonical input directory).
    pub fn plain(lang: Lang) -> Labels {
        Labels { lang, catalogue: Catalogue::new(lang), headers: BTreeMap::new(), values: BTreeMap::new() }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Pick the text of a language.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En {
            en
        } else {
            zh
        }
    }

    /// The header of `column` in a sheet drawn from input `table` (when known): the
    /// office's own header where it mapped the column, else the plain header.
    pub fn header(&self, table: Option<&str>, column: &str) -> String {
        if let Some(h) = self.office_header(table, column) {
            return h.to_string();
        }
        match HEADERS.iter().find(|h| h.0 == column) {
            Some(h) => self.pick(h.1, h.2).to_string(),
            None => column.to_string(),
        }
    }

    fn office_header(&self, table: Option<&str>, column: &str) -> Option<&str> {
        let (column, homes): (&str, &[&str]) = match column {
            CLASS_TITLE => (col::TITLE, &[wh::CLASSES]),
            COURSE_TITLE => (col::TITLE, &[wh::COURSES]),
            c => (c, home_tables(c)),
        };
        let here = table.filter(|t| homes.contains(t)).into_iter();
        here.chain(homes.iter().copied())
            .find_map(|t| self.headers.get(&(t.to_string(), column.to_string())).map(String::as_str))
    }

    /// Whether `column` holds codes that [`Labels::value`] turns into words.
    pub fn is_code_column(&self, table: Option<&str>, column: &str) -> bool {
        vocabulary(column).is_some() || table.is_some_and(|t| self.values.contains_key(&format!("{t}.{column}")))
    }

    /// The label of `code` in `column` (of input `table`, when known): the office's
    /// label, else the report's label in the export language, else the code.
    pub fn value(&self, table: Option<&str>, column: &str, code: &str) -> String {
        let key = vocabulary(column).map_or_else(|| format!("{}.{column}", table.unwrap_or("")), str::to_string);
        if let Some(label) = self.values.get(&key).and_then(|m| m.get(code)) {
            return label.clone();
        }
        if code == "all" {
            return self.pick("全部", "all").to_string();
        }
        match vocabulary(column) {
            Some(v) if REPORT_VOCABULARIES.contains(&v) => self.catalogue.code(v, code),
            Some(v) => match CODES.iter().find(|c| c.0 == v && c.1 == code) {
                Some(c) => self.pick(c.2, c.3).to_string(),
                None => code.to_string(),
            },
            None => code.to_string(),
        }
    }

    /// A boolean in words.
    pub fn yes_no(&self, b: bool) -> String {
        self.catalogue.get(if b { "doc.yes" } else { "doc.no" })
    }

    /// A plain-language title of an indicator table, if the catalogue has one.
    pub fn table_title(&self, table: &str) -> Option<&'static str> {
        TABLE_TITLES.iter().find(|t| t.0 == table).map(|t| if self.lang == Lang::En { t.2 } else { t.1 })
    }
}

/// Whether `label` names `code` better than `have` does: the report's own Chinese term
/// first (the office's canonical word), then the longer (aliases are abbreviations).
fn better_label(label: &str, have: &str, report_term: Option<&str>) -> bool {
    if let Some(term) = report_term {
        if label == term || have == term {
            return label == term;
        }
    }
    let (a, b) = (label.chars().count(), have.chars().count());
    a > b || (a == b && label < have)
}

/// The vocabulary of a code column (shared by the columns holding the same codes).
fn vocabulary(column: &str) -> Option<&'static str> {
    Some(match column {
        col::CATEGORY | col::TARGET_CATEGORY => "category",
        col::METHOD | col::METHOD_A | col::METHOD_B => "method",
        col::WAVE => "wave",
        col::TEST => "test",
        col::STAGE => "stage",
        col::BASELINE => "baseline",
        col::CLAIM => "claim",
        col::NOTE => "note",
        col::BAND_REASON => "band_reason",
        col::SUPPRESSION => "suppression",
        col::GRADE => "grade",
        col::GENDER => "gender",
        col::RATER_ROLE => "rater_role",
        col::GROUP => "group",
        col::SCOPE => "scope",
        _ => return None,
    })
}

/// Vocabularies the report's catalogue labels (`report::i18n`, `<vocabulary>.<code>`).
const REPORT_VOCABULARIES: [&str; 8] = ["category", "method", "wave", "test", "stage", "baseline", "claim", "note"];

/// The input tables whose mapping of a column means what the column means in an export.
fn home_tables(column: &str) -> &'static [&'static str] {
    match column {
        col::CADRE_ID => &[wh::CADRES, wh::ENROLLMENTS, wh::REVIEWS, wh::TRAINEE_RATINGS],
        col::CLASS_ID => &[wh::CLASSES, wh::ENROLLMENTS, wh::COURSES, wh::COURSE_RATINGS, wh::TRAINEE_RATINGS],
        col::COURSE_ID => &[wh::COURSES, wh::COURSE_RATINGS],
        col::UNIT_ID => &[wh::UNITS, wh::CADRES, wh::UNIT_OUTCOMES],
        col::TEACHER_ID | col::TOPIC => &[wh::COURSES],
        col::CATEGORY
        | col::GENDER
        | col::BIRTH_YEAR
        | col::RANK
        | col::PARTY_MEMBER
        | col::JOIN_DATE
        | col::PROMOTED_ON => &[wh::CADRES],
        col::TITLE
        | col::TARGET_CATEGORY
        | col::METHOD
        | col::INSTITUTION
        | col::START_DATE
        | col::END_DATE
        | col::DAYS
        | col::HOURS => &[wh::CLASSES],
        col::ATTENDED_HOURS | col::LEAVE_HOURS | col::DISCIPLINE_FLAGS | col::EXAM_SCORE | col::COMPLETED => {
            &[wh::ENROLLMENTS]
        }
        col::REVIEW_DATE | col::KIND | col::TOTAL | col::GRADE => &[wh::REVIEWS],
        col::METRIC => &[wh::UNIT_OUTCOMES],
        _ => &[],
    }
}

/// Excel number format of a numeric column: p-values `0.000` and `<0.001` (the value
/// stays the number), z-scores and coefficients 2 decimals, scores 1, shares as
/// percentages with 1, counts and percentiles none. A column not listed: 2 decimals
/// (`integer` = whole numbers: none).
pub fn number_format(column: &str, integer: bool) -> &'static str {
    const P: &str = "[<0.001]\"<0.001\";0.000";
    match column {
        col::P_VALUE
        | col::WILCOXON_P
        | col::P_RAW
        | col::P_HOLM
        | col::P_BH
        | col::DID_P
        | col::DID_P_BH
        | col::CHANGE_P
        | col::PRETREND_P => P,
        col::ICC => "0.000",
        col::PERCENTILE_IN_CATEGORY => "0",
        col::SHARE_IMPROVED
        | col::SHARE_EXCELLENT
        | col::ATTRITION
        | col::CONTROL_ATTRITION
        | col::OVERALL_ATTRITION
        | col::ATTRITION_DIFFERENTIAL
        | col::SHARE_OF_ENROLLED
        | col::SHARE_TRAINED
        | col::COVERAGE
        | col::ATTENDANCE_RATE
        | col::COMPLIANCE_SCORE => "0.0%",
        col::PRE_MEAN
        | col::POST_MEAN
        | col::MEAN_DIFF
        | col::SD_DIFF
        | col::CI_LOW
        | col::CI_HIGH
        | col::TOTAL_MEAN
        | col::TOTAL_SD
        | col::RELEVANCE
        | col::THEORY
        | col::INFORMATION
        | col::DELIVERY
        | col::MANNER
        | col::LENIENCY_SD
        | col::BEFORE_MEAN
        | col::AFTER_MEAN
        | col::MEAN_DELTA
        | col::CONTROL_DELTA
        | col::DID
        | col::DID_CI_LOW
        | col::DID_CI_HIGH
        | col::CONTROL_BEFORE_MEAN
        | col::CONTROL_AFTER_MEAN
        | col::MEAN
        | col::SD
        | col::FOLLOW_MEAN
        | col::ESTIMATE
        | col::OTHERS_MEAN
        | col::SELF_MEAN
        | col::VALUE_BEFORE
        | col::VALUE_AFTER
        | col::CHANGE
        | col::CHANGE_CI_LOW
        | col::CHANGE_CI_HIGH
        | col::MEAN_GAIN
        | col::SD_GAIN
        | col::DIFF
        | col::DAYS_TRAINED
        | col::HOURS_TRAINED
        | col::DAYS_REQUIRED
        | col::SHORTFALL_DAYS
        | col::DAYS_IN_WINDOW
        | col::HOURS_IN_WINDOW
        | col::PRE_SCORE
        | col::POST_SCORE
        | col::GAIN
        | col::EXAM_SCORE
        | col::SELF_ASSESSMENT
        | col::TRAINEE_ASSESSMENT
        | col::REACTION
        | col::TOTAL
        | col::DAYS
        | col::HOURS
        | col::ATTENDED_HOURS
        | col::LEAVE_HOURS
        | col::WILCOXON_V
        | ASSESSMENT_RECEIVED
        | REACTION_GIVEN => "0.0",
        _ if integer => "0",
        _ => "0.00",
    }
}

/// Cadre-file columns that are not warehouse columns.
pub const ASSESSMENT_RECEIVED: &str = "assessment_received";
pub const REACTION_GIVEN: &str = "reaction_given";
pub const TOPICS: &str = "topics";

/// Labels of codes the report's catalogue does not hold: (vocabulary, code, zh, en).
const CODES: &[(&str, &str, &str, &str)] = &[
    ("band_reason", "fewer_than_two_components", "成分不足两项", "fewer than two components"),
    ("band_reason", "reliability_unknown", "信度未知", "reliability unknown"),
    ("band_reason", "low_reliability", "信度低于 0.7", "reliability below 0.7"),
    ("suppression", "primary", "人数不足，不予公布", "primary (too few people)"),
    ("suppression", "secondary", "为保护小单元一并不予公布", "secondary (protects a small row)"),
    ("grade", "excellent", "优秀", "excellent"),
    ("grade", "competent", "称职", "competent"),
    ("grade", "basically_competent", "基本称职", "basically competent"),
    ("grade", "incompetent", "不称职", "incompetent"),
    ("gender", "male", "男", "male"),
    ("gender", "female", "女", "female"),
    ("rater_role", "class_manager", "班主任", "class manager"),
    ("rater_role", "teacher", "教师", "teacher"),
    ("rater_role", "peer", "同学", "peer"),
    ("rater_role", "self", "本人", "self"),
    ("group", "trained", "参训组", "trained"),
    ("group", "control", "对照组", "control"),
    ("scope", "class", "单个班次", "class"),
];

/// Plain headers: (column, zh, en). Every column of every indicator table is here (a
/// test checks), and those of the cadre file.
pub const HEADERS: &[(&str, &str, &str)] = &[
    // keys and labels
    (col::CADRE_ID, "干部编号", "Cadre id"),
    (col::CLASS_ID, "班次编号", "Class id"),
    (CLASS_TITLE, "班次名称", "Class title"),
    (col::COURSE_ID, "课程编号", "Course id"),
    (COURSE_TITLE, "课程名称", "Course title"),
    (col::TITLE, "名称", "Title"),
    (col::TEACHER_ID, "教师编号", "Teacher id"),
    (col::UNIT_ID, "单位编号", "Unit id"),
    (col::CATEGORY, "干部类别", "Cadre category"),
    (col::TARGET_CATEGORY, "培训对象", "Trainees' category"),
    (col::METHOD, "培训方式", "Training method"),
    (col::METHOD_A, "培训方式甲", "Method A"),
    (col::METHOD_B, "培训方式乙（参照）", "Method B (reference)"),
    (col::RANK, "职级", "Rank"),
    (col::PROMOTED_ON, "任现职级时间", "Promoted on"),
    (col::INSTITUTION, "承办机构", "Institution"),
    (col::START_DATE, "开班日期", "Start date"),
    (col::END_DATE, "结业日期", "End date"),
    (col::DAYS, "天数", "Days"),
    (col::HOURS, "学时", "Class hours"),
    (col::YEAR, "年度", "Year"),
    (col::PERIOD, "评估期", "Period"),
    (col::PREVIOUS_YEAR, "上一年度", "Previous year"),
    (col::SCALE, "量表", "Scale"),
    (col::WAVE, "测量时点", "Wave"),
    (col::SCOPE, "范围", "Scope"),
    (col::GROUP, "组别", "Group"),
    (col::STAGE, "环节", "Stage"),
    (col::TEST, "检验", "Test"),
    (col::METRIC, "指标", "Metric"),
    (col::SERIES, "课程系列", "Course series"),
    (col::RULE, "适用规则", "Rule"),
    (col::NOTE, "说明", "Note"),
    (col::SUPPRESSION, "不予公布的原因", "Withheld because"),
    (col::SUPPRESSED, "不予公布", "Withheld"),
    (col::IN_TESTS, "参加检验", "In the tests"),
    // counts
    (col::N, "人数", "People (n)"),
    (col::N_PAIRS, "配对人数", "Pairs"),
    (col::N_CLASSES, "班次数", "Classes"),
    (col::N_RATERS, "评价人数", "Raters"),
    (col::N_COURSES, "课程数", "Courses"),
    (col::N_TRAINED, "参训人数", "Trained"),
    (col::N_FOLLOWED, "跟踪到的人数", "Followed"),
    (col::N_CONTROL, "对照观测数", "Control observations"),
    (col::CONTROL_N, "对照人数", "Controls"),
    (col::N_TRAINEES, "学员数", "Trainees"),
    (col::N_RESPONDENTS, "调研人数", "Respondents"),
    (col::N_UNITS, "单位数", "Units"),
    (col::K_ITEMS, "题目数", "Items"),
    (col::RANK_IN_CLASS, "班内排名", "Rank in class"),
    (col::RANK_IN_YEAR, "年度排名", "Rank in year"),
    (col::REL_PERIOD, "相对考核期", "Review relative to the class"),
    // learning
    (col::PRE_MEAN, "训前均分", "Mean before"),
    (col::POST_MEAN, "训后均分", "Mean after"),
    (col::MEAN_DIFF, "平均差值", "Mean difference"),
    (col::SD_DIFF, "差值标准差", "SD of differences"),
    (col::T, "t 值", "t statistic"),
    (col::DF, "自由度", "Degrees of freedom"),
    (col::DF1, "分子自由度", "df (numerator)"),
    (col::DF2, "分母自由度", "df (denominator)"),
    (col::P_VALUE, "p 值", "p"),
    (col::CI_LOW, "置信区间下限", "CI lower"),
    (col::CI_HIGH, "置信区间上限", "CI upper"),
    (col::D_Z, "效应量 d_z", "Effect size d_z"),
    (col::G_Z, "效应量 g_z", "Effect size g_z"),
    (col::D_AV, "效应量 d_av", "Effect size d_av"),
    (col::D_Z_CI_LOW, "d_z 置信区间下限", "d_z CI lower"),
    (col::D_Z_CI_HIGH, "d_z 置信区间上限", "d_z CI upper"),
    (col::WILCOXON_V, "符号秩和 V", "Signed-rank V"),
    (col::WILCOXON_P, "符号秩检验 p 值", "Signed-rank p"),
    (col::HAKE_G, "标准化增益（Hake）", "Normalised gain (Hake)"),
    (col::MEAN_INDIVIDUAL_GAIN, "个人标准化增益均值", "Mean individual normalised gain"),
    (col::SHARE_IMPROVED, "提高者占比", "Share improved"),
    (col::P_BH, "BH 校正 p 值", "p (BH-adjusted)"),
    (col::P_HOLM, "Holm 校正 p 值", "p (Holm-adjusted)"),
    (col::P_RAW, "未校正 p 值", "p (unadjusted)"),
    (col::ICC, "组内相关系数", "Intraclass correlation"),
    (col::DESIGN_EFFECT, "设计效应", "Design effect"),
    (col::MEAN, "均值", "Mean"),
    (col::SD, "标准差", "SD"),
    (col::SE, "标准误", "SE"),
    // reaction
    (col::RELEVANCE, "联系实际", "Relevance to practice"),
    (col::THEORY, "理论深度", "Theoretical depth"),
    (col::INFORMATION, "信息量", "Information"),
    (col::DELIVERY, "表达", "Delivery"),
    (col::MANNER, "教风", "Teaching manner"),
    (col::TOTAL_MEAN, "总分均值", "Mean total"),
    (col::TOTAL_SD, "总分标准差", "SD of totals"),
    (col::SHARE_EXCELLENT, "优秀率（≥ 90）", "Share ≥ 90"),
    (col::ICC1, "ICC(1)", "ICC(1)"),
    (col::ICC2K, "ICC(2,k)", "ICC(2,k)"),
    (col::ICC1_CI_LOW, "ICC(1) 置信区间下限", "ICC(1) CI lower"),
    (col::ICC1_CI_HIGH, "ICC(1) 置信区间上限", "ICC(1) CI upper"),
    (col::ICC2K_CI_LOW, "ICC(2,k) 置信区间下限", "ICC(2,k) CI lower"),
    (col::ICC2K_CI_HIGH, "ICC(2,k) 置信区间上限", "ICC(2,k) CI upper"),
    (col::LENIENCY_SD, "宽严度标准差", "Leniency SD"),
    (col::ALPHA, "Cronbach's α", "Cronbach's α"),
    (col::ALPHA_CI_LOW, "α 置信区间下限", "α CI lower"),
    (col::ALPHA_CI_HIGH, "α 置信区间上限", "α CI upper"),
    (col::OMEGA, "McDonald's ω", "McDonald's ω"),
    // transfer
    (col::ATTRITION, "流失率", "Attrition"),
    (col::BEFORE_MEAN, "训前考核均分", "Mean review before"),
    (col::AFTER_MEAN, "训后考核均分", "Mean review after"),
    (col::MEAN_DELTA, "考核平均变化", "Mean review change"),
    (col::CONTROL_DELTA, "对照组平均变化", "Controls' mean change"),
    (col::DID, "双重差分", "Difference in differences"),
    (col::DID_CI_LOW, "双重差分置信区间下限", "DiD CI lower"),
    (col::DID_CI_HIGH, "双重差分置信区间上限", "DiD CI upper"),
    (col::DID_P, "双重差分 p 值", "DiD p"),
    (col::DID_P_BH, "双重差分 BH 校正 p 值", "DiD p (BH-adjusted)"),
    (col::CONTROL_BEFORE_MEAN, "对照组训前考核均分", "Controls' mean review before"),
    (col::CONTROL_AFTER_MEAN, "对照组训后考核均分", "Controls' mean review after"),
    (col::BASELINE_G, "基线差异 g", "Baseline g"),
    (col::BASELINE, "基线等同性", "Baseline equivalence"),
    (col::BASELINE_OK, "基线检查通过", "Baseline check passed"),
    (col::CONTROL_ATTRITION, "对照组流失率", "Controls' attrition"),
    (col::OVERALL_ATTRITION, "总流失率", "Overall attrition"),
    (col::ATTRITION_DIFFERENTIAL, "流失率差", "Differential attrition"),
    (col::ATTRITION_OK, "流失检查通过", "Attrition check passed"),
    (col::PRETREND_P, "训前趋势检验 p 值", "Pre-trend p"),
    (col::PRETREND_OK, "训前趋势检查通过", "Pre-trend check passed"),
    (col::CLAIM, "结论性质", "Reading"),
    (col::SHARE_OF_ENROLLED, "占参训（或符合条件）人数比例", "Share of enrolled (or eligible)"),
    (col::ESTIMATE, "估计值", "Estimate"),
    (col::FOLLOW_MEAN, "跟踪均分", "Mean at follow-up"),
    (col::RETENTION, "保持率", "Retention"),
    (col::OTHERS_MEAN, "他评均分", "Mean rating by others"),
    (col::SELF_MEAN, "自评均分", "Mean self-rating"),
    // units
    (col::SHARE_TRAINED, "参训干部比例", "Share of cadres trained"),
    (col::VALUE_BEFORE, "上期数值", "Value before"),
    (col::VALUE_AFTER, "本期数值", "Value after"),
    (col::CHANGE, "变化", "Change"),
    (col::CHANGE_CI_LOW, "变化置信区间下限", "Change CI lower"),
    (col::CHANGE_CI_HIGH, "变化置信区间上限", "Change CI upper"),
    (col::CHANGE_P, "变化 p 值", "Change p"),
    (col::SLOPE, "斜率", "Slope"),
    // methods
    (col::MEAN_GAIN, "平均增益", "Mean gain"),
    (col::SD_GAIN, "增益标准差", "SD of gains"),
    (col::STATISTIC, "统计量", "Statistic"),
    (col::EFFECT, "偏 η²", "Partial η²"),
    (col::DIFF, "差值（甲 − 乙）", "Difference (A − B)"),
    // compliance
    (col::DAYS_TRAINED, "结业天数", "Days trained"),
    (col::HOURS_TRAINED, "结业学时", "Hours trained"),
    (col::DAYS_REQUIRED, "要求天数", "Days required"),
    (col::SHORTFALL_DAYS, "尚缺天数", "Days short"),
    (col::MAKEUP_REQUIRED, "需补训", "Make-up required"),
    (col::ROTATION_OVERDUE, "轮训逾期", "Rotation overdue"),
    (col::REPEATED_TOPICS, "重复专题", "Repeated topics"),
    (col::ATTENDANCE_RATE, "出勤率", "Attendance"),
    (col::LEAVE_OVER_LIMIT, "请假超限", "Leave over limit"),
    (col::DISCIPLINE_FLAGS, "违纪次数", "Discipline incidents"),
    (col::WINDOW_YEARS, "考核窗口（年）", "Window (years)"),
    (col::DAYS_IN_WINDOW, "窗口内天数", "Days in window"),
    (col::HOURS_IN_WINDOW, "窗口内学时", "Hours in window"),
    (col::WINDOW_COMPLETE, "窗口完整", "Window complete"),
    // needs
    (col::TOPICS_REQUESTED, "需求主题数", "Topics requested"),
    (col::TOPICS_TAUGHT, "开设主题数", "Topics taught"),
    (col::COVERAGE, "需求覆盖率", "Coverage"),
    (col::UNMET_TOPICS, "未覆盖的需求主题", "Unmet topics"),
    // scorecard
    (col::LEARNING_Z, "学习成效（标准分）", "Learning (z)"),
    (col::ASSESSMENT_Z, "培训考核（标准分）", "Assessment (z)"),
    (col::TRANSFER_Z, "训后转化（标准分）", "Transfer (z)"),
    (col::COMPLIANCE_SCORE, "学时完成度", "Hours requirement met"),
    (col::INDEX, "成果转化指数", "Transformation index"),
    (col::PERCENTILE_IN_CATEGORY, "类别内百分位", "Percentile in category"),
    (col::BAND, "档次", "Band"),
    (col::LEARNING_RELIABILITY, "学习成效信度", "Learning reliability"),
    (col::ASSESSMENT_RELIABILITY, "培训考核信度", "Assessment reliability"),
    (col::TRANSFER_RELIABILITY, "训后转化信度", "Transfer reliability"),
    (col::INDEX_SE, "指数标准误", "Index SE"),
    (col::INDEX_RELIABILITY, "指数信度", "Index reliability"),
    (col::BAND_PROBABILITY, "档次可信概率", "Band probability"),
    (col::BAND_REASON, "未定档原因", "Band withheld because"),
    // the cadre file
    (col::ATTENDED_HOURS, "出勤学时", "Hours attended"),
    (col::LEAVE_HOURS, "请假学时", "Hours of leave"),
    (col::COMPLETED, "结业", "Completed"),
    (col::EXAM_SCORE, "考试成绩", "Exam score"),
    (TOPICS, "专题", "Topics"),
    (col::PRE_SCORE, "训前得分", "Score before"),
    (col::POST_SCORE, "训后得分", "Score after"),
    (col::GAIN, "增益", "Gain"),
    (ASSESSMENT_RECEIVED, "他评得分", "Assessment by others"),
    (col::SELF_ASSESSMENT, "自评得分", "Self-assessment"),
    (col::TRAINEE_ASSESSMENT, "他评得分", "Assessment by others"),
    (REACTION_GIVEN, "本人给课程的评分", "Course rating given"),
    (col::REACTION, "本人给课程的评分", "Course rating given"),
    (col::REVIEW_DATE, "考核日期", "Review date"),
    (col::KIND, "考核类型", "Review kind"),
    (col::TOTAL, "考核得分", "Review score"),
    (col::GRADE, "考核等次", "Grade"),
];

/// Plain titles of the indicator tables: (table, zh, en).
pub const TABLE_TITLES: &[(&str, &str, &str)] = &[
    (ind::LEARNING_BY_CLASS, "各班学习成效", "Learning by class"),
    (ind::LEARNING_BY_CATEGORY, "各类别干部学习成效", "Learning by cadre category"),
    (ind::LEARNING_BY_METHOD, "各培训方式学习成效", "Learning by method"),
    (ind::LEARNING_BY_YEAR, "各年度学习成效", "Learning by year"),
    (ind::REACTION_BY_COURSE, "课程评价", "Course ratings"),
    (ind::REACTION_BY_CLASS, "各班课程评价", "Course ratings by class"),
    (ind::RATER_AGREEMENT, "评分者一致性", "Rater agreement"),
    (ind::RELIABILITY, "量表信度", "Scale reliability"),
    (ind::TRANSFER_BY_CLASS, "各班训后考核变化与双重差分", "Review change and DiD by class"),
    (ind::TRAJECTORY, "各测量时点得分", "Scores by wave"),
    (ind::FOLLOW_UP, "训后跟踪", "Follow-up"),
    (ind::PARTICIPANT_FLOW, "参训与跟踪人数流程", "Participant flow"),
    (ind::TRANSFER_EVENT_STUDY, "事件研究（训前训后各期）", "Event study"),
    (ind::TRANSFER_SUMMARY, "合并双重差分与检查", "Pooled DiD and its checks"),
    (ind::ASSESSMENT_BY_CLASS, "各班自评与他评", "Self-rating against others by class"),
    (ind::UNIT_RESULTS, "单位考核变化", "Unit results"),
    (ind::UNIT_RESULTS_FIT, "单位考核变化与参训比例", "Unit change against share trained"),
    (ind::METHOD_SUMMARY, "各培训方式汇总", "Methods summary"),
    (ind::METHOD_TESTS, "培训方式检验", "Tests of the methods"),
    (ind::METHOD_PAIRWISE, "培训方式两两比较", "Methods compared pairwise"),
    (ind::COMPLIANCE, "干部学时达标（个人）", "Training-hour compliance (per cadre)"),
    (ind::NEEDS_MATCH, "各班需求匹配", "Needs coverage by class"),
    (ind::NEEDS_BY_CATEGORY, "各类别需求匹配", "Needs coverage by category"),
    (ind::CADRE_SCORECARD, "干部成果转化评分（个人）", "Cadre scorecard (per cadre)"),
    (ind::TRENDS, "历年趋势", "Trends over the years"),
    (ind::COURSE_SERIES, "历年重复开设的课程", "Courses recurring across years"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn job(toml: &str) -> Job {
        let dir = tempfile::tempdir().unwrap();
        for f in ["cadres.csv", "classes.csv", "reviews.csv", "units.csv"] {
            std::fs::write(dir.path().join(f), "x\n").unwrap();
        }
        let p = dir.path().join("p.toml");
        std::fs::write(&p, toml).unwrap();
        Job::load(&p, None).unwrap()
    }

    const OFFICE: &str = r#"
[inputs.cadres]
path = "cadres.csv"
[inputs.cadres.columns]
cadre_id = "干部编号"
category = "干部类别"
[inputs.cadres.values.category]
"县处级" = "department_level"
"县处级领导干部" = "department_level"
"中层" = "middle_level"
[inputs.units]
path = "units.csv"
[inputs.units.columns]
kind = "单位性质"
[inputs.reviews]
path = "reviews.csv"
[inputs.reviews.values.kind]
"年度考核" = "annual"
[inputs.classes]
path = "classes.csv"
[inputs.classes.columns]
title = "培训班名称"
"#;

    #[test]
    fn office_headers_and_labels_come_back_where_they_mean_the_same() {
        let l = Labels::new(&job(OFFICE), Lang::En);
        assert_eq!(l.header(None, col::CADRE_ID), "干部编号");
        assert_eq!(l.header(Some("reviews"), col::CADRE_ID), "干部编号", "the roster's header for the same id");
        assert_eq!(l.header(None, col::CATEGORY), "干部类别");
        // The unit table's `kind` is not a review's kind.
        assert_eq!(l.header(Some("reviews"), col::KIND), "Review kind");
        assert_eq!(l.header(None, CLASS_TITLE), "培训班名称");
        assert_eq!(l.header(None, COURSE_TITLE), "Course title");
        assert_eq!(l.header(None, col::LEARNING_Z), "Learning (z)");
        // Of two labels of one code, the longer; the category map also names target categories.
        assert_eq!(l.value(None, col::CATEGORY, "department_level"), "县处级领导干部");
        assert_eq!(l.value(None, col::TARGET_CATEGORY, "middle_level"), "中层");
        // No office label: the report's, in the export language; unknown codes as they are.
        assert_eq!(l.value(None, col::CATEGORY, "women"), "Women cadres");
        assert_eq!(l.value(None, col::METHOD, "online"), "Online");
        assert_eq!(l.value(None, col::BAND_REASON, "low_reliability"), "reliability below 0.7");
        assert_eq!(l.value(None, col::CATEGORY, "astronauts"), "astronauts");
        assert_eq!(l.value(None, col::CATEGORY, "all"), "all");
        assert_eq!(l.value(Some("reviews"), col::KIND, "annual"), "年度考核");
        assert!(l.is_code_column(Some("reviews"), col::KIND));
        assert!(!l.is_code_column(Some("units"), col::KIND));
        let zh = Labels::plain(Lang::Zh);
        assert_eq!(zh.value(None, col::METHOD, "online"), "网络培训");
        assert_eq!(zh.value(None, col::GRADE, "basically_competent"), "基本称职");
        assert_eq!(zh.header(None, col::P_VALUE), "p 值");
        assert_eq!(zh.yes_no(true), "是");
    }

    #[test]
    fn every_indicator_column_has_a_plain_header_and_every_table_a_title() {
        for def in crate::schema::INDICATOR_TABLES {
            assert!(TABLE_TITLES.iter().any(|t| t.0 == def.name), "no title for table {}", def.name);
            for c in def.columns {
                assert!(HEADERS.iter().any(|h| h.0 == c.name), "no header for {}.{}", def.name, c.name);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for h in HEADERS {
            assert!(seen.insert(h.0), "{} twice", h.0);
            assert!(!h.1.is_empty() && !h.2.is_empty() && h.1 != h.0 && h.2 != h.0, "{} is not a plain header", h.0);
        }
    }

    #[test]
    fn p_values_keep_their_number_under_a_threshold_format() {
        assert_eq!(number_format(col::P_HOLM, false), "[<0.001]\"<0.001\";0.000");
        assert_eq!(number_format(col::LEARNING_Z, false), "0.00");
        assert_eq!(number_format(col::INDEX, false), "0.00");
        assert_eq!(number_format(col::BAND_PROBABILITY, false), "0.00");
        assert_eq!(number_format(col::PRE_MEAN, false), "0.0");
        assert_eq!(number_format(col::COMPLIANCE_SCORE, false), "0.0%");
        assert_eq!(number_format(col::PERCENTILE_IN_CATEGORY, false), "0");
        assert_eq!(number_format(col::N_PAIRS, true), "0");
    }
}
