//! The words offices use: file names that say which table a file holds, headers that
//! name a canonical column, labels that mean a canonical value. Compared folded
//! ([`crate::ingest::platform::course_key`]: no spaces, ASCII punctuation), so
//! `干部编号（必填）` still contains `干部编号`.

use crate::schema::{col, TableKind, Wave};

/// Words in a file name → the table it holds. The longest word found wins, so
/// `课程评估.csv` is course ratings and `课程安排.csv` courses.
pub const TABLE_WORDS: &[(&str, TableKind)] = &[
    ("单位名单", TableKind::Units),
    ("单位信息", TableKind::Units),
    ("单位", TableKind::Units),
    ("花名册", TableKind::Cadres),
    ("干部名册", TableKind::Cadres),
    ("干部信息", TableKind::Cadres),
    ("干部名单", TableKind::Cadres),
    ("人员信息", TableKind::Cadres),
    ("干部", TableKind::Cadres),
    ("班次", TableKind::Classes),
    ("培训班", TableKind::Classes),
    ("班级", TableKind::Classes),
    ("课程安排", TableKind::Courses),
    ("课程表", TableKind::Courses),
    ("课程", TableKind::Courses),
    ("学员名单", TableKind::Enrollments),
    ("参训名单", TableKind::Enrollments),
    ("参训", TableKind::Enrollments),
    ("报名", TableKind::Enrollments),
    ("考勤", TableKind::Enrollments),
    ("题目", TableKind::Items),
    ("题项", TableKind::Items),
    ("量表", TableKind::Items),
    ("需求调研", TableKind::Survey(Wave::Needs)),
    ("需求", TableKind::Survey(Wave::Needs)),
    ("培训前", TableKind::Survey(Wave::Pre)),
    ("训前", TableKind::Survey(Wave::Pre)),
    ("前测", TableKind::Survey(Wave::Pre)),
    ("培训后", TableKind::Survey(Wave::Post)),
    ("训后", TableKind::Survey(Wave::Post)),
    ("后测", TableKind::Survey(Wave::Post)),
    ("结业测评", TableKind::Survey(Wave::Post)),
    ("三个月", TableKind::Survey(Wave::Follow3m)),
    ("3个月", TableKind::Survey(Wave::Follow3m)),
    ("六个月", TableKind::Survey(Wave::Follow6m)),
    ("6个月", TableKind::Survey(Wave::Follow6m)),
    ("半年", TableKind::Survey(Wave::Follow6m)),
    ("十二个月", TableKind::Survey(Wave::Follow12m)),
    ("12个月", TableKind::Survey(Wave::Follow12m)),
    ("一年后", TableKind::Survey(Wave::Follow12m)),
    ("课程评估", TableKind::CourseRatings),
    ("课程评价", TableKind::CourseRatings),
    ("教学评估", TableKind::CourseRatings),
    ("教学评价", TableKind::CourseRatings),
    ("教学质量", TableKind::CourseRatings),
    ("学员评价", TableKind::TraineeRatings),
    ("学员考核", TableKind::TraineeRatings),
    ("学员互评", TableKind::TraineeRatings),
    ("学员鉴定", TableKind::TraineeRatings),
    ("年度考核", TableKind::Reviews),
    ("考核结果", TableKind::Reviews),
    ("考核", TableKind::Reviews),
    ("考评", TableKind::Reviews),
    ("单位绩效", TableKind::UnitOutcomes),
    ("绩效考核", TableKind::UnitOutcomes),
    ("双考核", TableKind::UnitOutcomes),
];

/// Headers that name a canonical column, per table (`None`: any table). The first
/// match in this order wins; a header is used for one column only.
pub const COLUMN_WORDS: &[(Option<TableKind>, &str, &[&str])] = &[
    (None, col::UNIT_ID, &["单位编号", "单位代码", "单位ID", "单位id"]),
    (Some(TableKind::Units), col::NAME, &["单位名称", "名称"]),
    (Some(TableKind::Units), col::KIND, &["单位类型", "单位性质", "类型"]),
    (Some(TableKind::Units), col::REGION, &["所属地区", "地区", "区县", "所在地"]),
    (None, col::CLASS_ID, &["班次编号", "班级编号", "培训班编号", "班次代码", "班次"]),
    (None, col::COURSE_ID, &["课程编号", "课程代码"]),
    (Some(TableKind::Cadres), col::CADRE_ID, &["干部编号", "人员编号", "工号", "编号"]),
    (Some(TableKind::Enrollments), col::CADRE_ID, &["干部编号", "学员编号", "人员编号", "工号"]),
    (Some(TableKind::TraineeRatings), col::CADRE_ID, &["学员编号", "干部编号", "被评学员"]),
    (Some(TableKind::Reviews), col::CADRE_ID, &["干部编号", "人员编号", "工号"]),
    (Some(TableKind::Cadres), col::NAME, &["姓名"]),
    (Some(TableKind::Cadres), col::GENDER, &["性别"]),
    (Some(TableKind::Cadres), col::BIRTH_YEAR, &["出生年份", "出生年"]),
    (Some(TableKind::Cadres), col::CATEGORY, &["干部类别", "人员类别", "类别"]),
    (Some(TableKind::Cadres), col::RANK, &["现任职级", "职级", "职务级别"]),
    (Some(TableKind::Cadres), col::PARTY_MEMBER, &["是否党员", "党员"]),
    (Some(TableKind::Cadres), col::JOIN_DATE, &["入党时间", "入党日期", "参加工作时间"]),
    (Some(TableKind::Cadres), col::PROMOTED_ON, &["任现职级时间", "任现职时间", "任职时间"]),
    (Some(TableKind::Classes), col::TITLE, &["班次名称", "培训班名称", "班级名称", "名称"]),
    (Some(TableKind::Classes), col::TARGET_CATEGORY, &["培训对象", "调训对象", "对象类别"]),
    (None, col::METHOD, &["培训方式", "教学方式", "培训形式", "方式"]),
    (Some(TableKind::Classes), col::INSTITUTION, &["承办单位", "培训机构", "举办单位"]),
    (Some(TableKind::Classes), col::START_DATE, &["开班日期", "开班时间", "开始日期", "开始时间"]),
    (Some(TableKind::Classes), col::END_DATE, &["结业日期", "结业时间", "结束日期", "结束时间"]),
    (Some(TableKind::Classes), col::DAYS, &["培训天数", "天数"]),
    (None, col::HOURS, &["学时数", "总学时", "学时"]),
    (Some(TableKind::Courses), col::TITLE, &["课程名称", "课程题目", "名称"]),
    (Some(TableKind::Courses), col::TEACHER_ID, &["教师编号", "授课教师", "主讲人", "教师"]),
    (Some(TableKind::Courses), col::TOPIC, &["专题", "主题", "课程类别"]),
    (Some(TableKind::Enrollments), col::ATTENDED_HOURS, &["实到学时", "出勤学时", "参训学时"]),
    (Some(TableKind::Enrollments), col::LEAVE_HOURS, &["请假学时", "请假时长"]),
    (Some(TableKind::Enrollments), col::DISCIPLINE_FLAGS, &["违纪次数", "违纪"]),
    (Some(TableKind::Enrollments), col::EXAM_SCORE, &["考试成绩", "结业考试", "成绩"]),
    (Some(TableKind::Enrollments), col::COMPLETED, &["是否结业", "结业", "完成"]),
    (Some(TableKind::Items), col::ITEM_ID, &["题目编号", "题号"]),
    (Some(TableKind::Items), col::SCALE, &["量表", "维度"]),
    (Some(TableKind::Items), col::WAVE, &["轮次", "测评轮次"]),
    (Some(TableKind::Items), col::TEXT, &["题目", "题干"]),
    (Some(TableKind::Items), col::MIN, &["最小值", "最低分"]),
    (Some(TableKind::Items), col::MAX, &["最大值", "最高分"]),
    (Some(TableKind::Items), col::REVERSE, &["反向计分", "反向"]),
    (Some(TableKind::Items), col::KIND, &["题型"]),
    (Some(TableKind::CourseRatings), col::RATER_ID, &["学员编号", "评价人编号", "评价人"]),
    (Some(TableKind::CourseRatings), col::RELEVANCE, &["理论联系实际", "联系实际", "针对性"]),
    (Some(TableKind::CourseRatings), col::THEORY, &["理论深度"]),
    (Some(TableKind::CourseRatings), col::INFORMATION, &["信息量", "内容丰富"]),
    (Some(TableKind::CourseRatings), col::DELIVERY, &["授课技巧", "授课方式"]),
    (Some(TableKind::CourseRatings), col::MANNER, &["教学态度", "授课态度"]),
    (Some(TableKind::TraineeRatings), col::RATER_ROLE, &["评价人类型", "评价人身份", "评价类型"]),
    (Some(TableKind::TraineeRatings), col::RATER_ID, &["评价人编号", "评价人"]),
    (Some(TableKind::TraineeRatings), "attitude", &["学习态度", "态度"]),
    (Some(TableKind::TraineeRatings), "discipline", &["遵守纪律", "组织纪律", "纪律"]),
    (Some(TableKind::TraineeRatings), "participation", &["课堂参与", "研讨参与", "参与"]),
    (Some(TableKind::TraineeRatings), "assignment", &["结业论文", "作业", "调研报告"]),
    (Some(TableKind::Reviews), col::REVIEW_DATE, &["考核日期", "考核时间", "评定日期"]),
    (Some(TableKind::Reviews), col::KIND, &["考核类型", "考核类别"]),
    (Some(TableKind::Reviews), col::MORALITY, &["德"]),
    (Some(TableKind::Reviews), col::ABILITY, &["能"]),
    (Some(TableKind::Reviews), col::DILIGENCE, &["勤"]),
    (Some(TableKind::Reviews), col::ACHIEVEMENT, &["绩"]),
    (Some(TableKind::Reviews), col::INTEGRITY, &["廉"]),
    (Some(TableKind::Reviews), col::GRADE, &["考核等次", "等次", "考核结果"]),
    (Some(TableKind::UnitOutcomes), col::PERIOD, &["年度", "考核年度", "期间"]),
    (Some(TableKind::UnitOutcomes), col::METRIC, &["指标", "考核指标"]),
    (Some(TableKind::UnitOutcomes), col::VALUE, &["数值", "得分", "分值"]),
];

/// Labels that mean a canonical value, per canonical column. `target_category` uses
/// the `category` labels.
pub const VALUE_WORDS: &[(&str, &[(&str, &str)])] = &[
    (
        col::CATEGORY,
        &[
            ("县处级领导干部", "department_level"),
            ("县处级干部", "department_level"),
            ("处级干部", "department_level"),
            ("领导干部", "department_level"),
            ("中层干部", "middle_level"),
            ("中层管理人员", "middle_level"),
            ("优秀年轻干部", "young_reserve"),
            ("年轻干部", "young_reserve"),
            ("后备干部", "young_reserve"),
            ("女干部", "women"),
            ("村党组织书记", "rural_secretary"),
            ("村（社区）党组织书记", "rural_secretary"),
            ("村书记", "rural_secretary"),
            ("公务员", "civil_servant"),
            ("党外干部", "non_party"),
            ("企业经营管理人员", "business_leader"),
            ("企业领导人员", "business_leader"),
            ("专业技术人员", "professional"),
            ("专技人员", "professional"),
        ],
    ),
    (
        col::METHOD,
        &[
            ("集中培训", "centralized"),
            ("集中轮训", "centralized"),
            ("脱产培训", "centralized"),
            ("课堂讲授", "centralized"),
            ("专题讲座", "centralized"),
            ("网络培训", "online"),
            ("网络学习", "online"),
            ("线上培训", "online"),
            ("在线学习", "online"),
            ("现场教学", "on_site"),
            ("案例教学", "case"),
            ("情景模拟", "scenario"),
            ("情景教学", "scenario"),
            ("角色扮演", "role_play"),
            ("研讨式", "seminar"),
            ("专题研讨", "seminar"),
            ("研讨", "seminar"),
            ("实地考察", "field_visit"),
            ("考察调研", "field_visit"),
            ("挂职锻炼", "attachment"),
            ("跟岗学习", "attachment"),
            ("挂职", "attachment"),
            ("混合式", "mixed"),
            ("线上线下结合", "mixed"),
        ],
    ),
    (
        col::KIND,
        &[
            ("党委", "party"),
            ("党群", "party"),
            ("党委部门", "party"),
            ("政府", "government"),
            ("政府部门", "government"),
            ("行政机关", "government"),
            ("企业", "enterprise"),
            ("国有企业", "enterprise"),
            ("国企", "enterprise"),
            ("事业单位", "institution"),
            ("事业", "institution"),
            ("乡镇", "township"),
            ("乡镇（街道）", "township"),
            ("街道", "township"),
        ],
    ),
    (
        col::RATER_ROLE,
        &[
            ("班主任", "class_manager"),
            ("班级管理员", "class_manager"),
            ("教师", "teacher"),
            ("授课教师", "teacher"),
            ("同学", "peer"),
            ("学员互评", "peer"),
            ("互评", "peer"),
            ("自评", "self"),
            ("本人", "self"),
        ],
    ),
    (col::WAVE, &[("需求", "needs"), ("训前", "pre"), ("培训前", "pre"), ("训后", "post"), ("培训后", "post")]),
    (col::KIND, &[("李克特", "likert"), ("量表", "likert"), ("评分", "score"), ("多选", "topics")]),
];

/// Headers of a platform export's question that holds the class id, and the cadre id.
pub const CLASS_QUESTION_WORDS: &[&str] = &["班次", "班级", "培训班", "期次"];
pub const CADRE_QUESTION_WORDS: &[&str] = &["学员编号", "干部编号", "人员编号", "工号", "编号"];

/// The labels of `column` (a `target_category` uses the `category` labels).
pub fn value_words(column: &str) -> Vec<(&'static str, &'static str)> {
    let column = if column == col::TARGET_CATEGORY { col::CATEGORY } else { column };
    VALUE_WORDS.iter().filter(|(c, _)| *c == column).flat_map(|(_, w)| w.iter().copied()).collect()
}

/// The table a file name names, by its longest known word, if any.
pub fn table_of_name(stem: &str) -> Option<TableKind> {
    TABLE_WORDS.iter().filter(|(w, _)| stem.contains(w)).max_by_key(|(w, _)| w.chars().count()).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_word_decides() {
        assert_eq!(table_of_name("2025年课程评估"), Some(TableKind::CourseRatings));
        assert_eq!(table_of_name("课程安排"), Some(TableKind::Courses));
        assert_eq!(table_of_name("2025年度干部花名册"), Some(TableKind::Cadres));
        assert_eq!(table_of_name("培训前测评（问卷星）"), Some(TableKind::Survey(Wave::Pre)));
        assert_eq!(table_of_name("学员名单"), Some(TableKind::Enrollments));
        assert_eq!(table_of_name("说明"), None);
        assert_eq!(value_words(col::TARGET_CATEGORY), value_words(col::CATEGORY));
    }

    #[test]
    fn every_value_is_canonical() {
        use crate::schema::{CATEGORIES, ITEM_KINDS, METHODS, RATER_ROLES, UNIT_KINDS};
        for (column, words) in VALUE_WORDS {
            for (label, value) in words.iter() {
                let vocab: Vec<&str> = match *column {
                    col::CATEGORY => CATEGORIES.to_vec(),
                    col::METHOD => METHODS.to_vec(),
                    col::KIND => UNIT_KINDS.iter().chain(ITEM_KINDS).copied().collect(),
                    col::RATER_ROLE => RATER_ROLES.to_vec(),
                    col::WAVE => Wave::ALL.iter().map(|w| w.as_str()).collect(),
                    other => panic!("no vocabulary for {other}"),
                };
                assert!(vocab.contains(value), "{label} → {value} is not a {column}");
            }
        }
    }
}
