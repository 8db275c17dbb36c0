//! The domain vocabulary of the synthetic training year.
//!
//! In: nothing (constants). Out: the nine cadre categories with their population shares,
//! ranks, eligible unit kinds, class programmes, methods, class lengths and topic pools;
//! the five unit kinds with name patterns; the ten training methods; topics, regions,
//! institutions, synthetic personal names and the survey instrument (`items.csv`).
//! Guarantees: every code matches SPEC §3 / Appendix A exactly; shares of each category
//! list sum to 1; every topic named in a pool is in [`TOPICS`]; personal-name characters
//! ([`GIVEN_CHARS`]) occur in no other vocabulary here, so a name never appears by chance
//! in a generated title or label (the privacy tests rely on that).
//!
//! Shapes follow the seed articles: classified and graded training by category, rotation
//! classes for county/division leaders, long young-reserve classes with attachment,
//! short on-site classes for village party secretaries, online classes for civil
//! servants and professionals.

/// A training method (SPEC §3 `classes.method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Centralized,
    Online,
    OnSite,
    Case,
    Scenario,
    RolePlay,
    Seminar,
    FieldVisit,
    Attachment,
    Mixed,
}

impl Method {
    /// All methods, `centralized` (the reference level) first.
    pub const ALL: [Method; 10] = [
        Method::Centralized,
        Method::Online,
        Method::OnSite,
        Method::Case,
        Method::Scenario,
        Method::RolePlay,
        Method::Seminar,
        Method::FieldVisit,
        Method::Attachment,
        Method::Mixed,
    ];

    /// Canonical code.
    pub fn code(self) -> &'static str {
        match self {
            Method::Centralized => "centralized",
            Method::Online => "online",
            Method::OnSite => "on_site",
            Method::Case => "case",
            Method::Scenario => "scenario",
            Method::RolePlay => "role_play",
            Method::Seminar => "seminar",
            Method::FieldVisit => "field_visit",
            Method::Attachment => "attachment",
            Method::Mixed => "mixed",
        }
    }

    /// Suffix of a course title taught this way.
    pub fn course_suffix(self) -> &'static str {
        match self {
            Method::Centralized => "专题讲座",
            Method::Online => "网络课程",
            Method::OnSite => "现场教学",
            Method::Case => "案例教学",
            Method::Scenario => "情景模拟",
            Method::RolePlay => "角色扮演演练",
            Method::Seminar => "专题研讨",
            Method::FieldVisit => "实地考察",
            Method::Attachment => "跟岗实践",
            Method::Mixed => "综合课程",
        }
    }

    /// Whether an exam closes a class taught this way (`enrollments.exam_score`).
    pub fn has_exam(self) -> bool {
        matches!(self, Method::Centralized | Method::Online | Method::Case | Method::Seminar | Method::Mixed)
    }
}

/// Course methods drawn for the courses of a `mixed` class.
pub const MIXED_COURSE_METHODS: [Method; 6] =
    [Method::Centralized, Method::Case, Method::Scenario, Method::Seminar, Method::FieldVisit, Method::Online];

/// A unit kind (SPEC §3 `units.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Party,
    Government,
    Enterprise,
    Institution,
    Township,
}

impl UnitKind {
    /// All kinds with their share of units.
    pub const SHARES: [(UnitKind, f64); 5] = [
        (UnitKind::Party, 0.15),
        (UnitKind::Government, 0.30),
        (UnitKind::Enterprise, 0.15),
        (UnitKind::Institution, 0.20),
        (UnitKind::Township, 0.20),
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Party => "party",
            UnitKind::Government => "government",
            UnitKind::Enterprise => "enterprise",
            UnitKind::Institution => "institution",
            UnitKind::Township => "township",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Name endings appended to a region name.
    pub fn name_suffixes(self) -> &'static [&'static str] {
        match self {
            UnitKind::Party => {
                &["委组织部", "委宣传部", "委统战部", "委政法委员会", "纪委监委", "委办公室", "委政策研究室"]
            }
            UnitKind::Government => &[
                "发展和改革局",
                "财政局",
                "教育局",
                "自然资源局",
                "生态环境局",
                "住房和城乡建设局",
                "交通运输局",
                "农业农村局",
                "商务局",
                "卫生健康委员会",
                "应急管理局",
                "市场监督管理局",
                "司法局",
                "民政局",
                "人力资源和社会保障局",
            ],
            UnitKind::Enterprise => &[
                "城市建设投资集团有限公司",
                "交通投资集团有限公司",
                "水务集团有限公司",
                "国有资本投资运营有限公司",
                "农业发展集团有限公司",
                "文化旅游发展有限公司",
            ],
            UnitKind::Institution => &[
                "人民医院",
                "中医院",
                "第一中学",
                "疾病预防控制中心",
                "农业技术推广中心",
                "融媒体中心",
                "规划设计研究院",
            ],
            UnitKind::Township => &[
                "城关镇人民政府",
                "河口镇人民政府",
                "柳树乡人民政府",
                "双桥镇人民政府",
                "石桥镇党委",
                "新民镇党委",
                "红旗乡人民政府",
                "桃源镇人民政府",
                "龙泉镇党委",
                "白塔乡人民政府",
            ],
        }
    }
}

/// Region (county/district) name stems; a region is a stem plus `县`, `区` or `市`.
pub const REGION_STEMS: &[&str] = &[
    "东城", "西城", "南湖", "北山", "青溪", "白沙", "临江", "石门", "清河", "金山", "长丰", "云岭", "新安", "永宁",
    "丰台", "江北", "河西", "高新", "武陵", "桂东",
];
/// Region name endings.
pub const REGION_ENDINGS: &[&str] = &["县", "区", "市"];

/// Training topics (`courses.topic`, the choices of the needs survey).
pub const TOPICS: &[&str] = &[
    "习近平新时代中国特色社会主义思想",
    "党性教育",
    "党风廉政建设",
    "意识形态工作",
    "经济形势与政策",
    "乡村振兴",
    "基层治理",
    "应急管理",
    "依法行政",
    "数字政府建设",
    "生态文明建设",
    "群众工作方法",
    "统一战线理论",
    "国有企业改革",
    "现代企业管理",
    "科技创新",
    "营商环境优化",
    "公文写作",
    "舆情应对",
    "领导力提升",
    "安全生产",
    "招商引资",
    "心理健康调适",
    "社会保障政策",
];

/// One cadre category and how it is trained.
#[derive(Debug, Clone, Copy)]
pub struct CategorySpec {
    /// Canonical code (SPEC §3 `cadres.category`).
    pub code: &'static str,
    /// Label used by survey platforms and office spreadsheets.
    pub label_zh: &'static str,
    /// Share of all cadres.
    pub share: f64,
    /// Share of the category's cadres enrolled in a class during the year.
    pub train_share: f64,
    /// Offset of the latent competence mean (points on 0–100).
    pub latent_offset: f64,
    /// Share of women (the `women` category is all women).
    pub female_share: f64,
    /// Share of Party members.
    pub party_share: f64,
    /// Age range (years) in the generated year.
    pub ages: (i32, i32),
    /// Ranks (free text) with weights.
    pub ranks: &'static [(&'static str, u32)],
    /// Unit kinds the category's cadres work in.
    pub unit_kinds: &'static [UnitKind],
    /// Programme titles (a class title is `YYYY年` + programme + `（第k期）`).
    pub programmes: &'static [&'static str],
    /// Methods with weights.
    pub methods: &'static [(Method, u32)],
    /// Class length range in days (online classes: equivalent days).
    pub days: (u32, u32),
    /// Topics taught to (and asked for by) the category.
    pub topics: &'static [&'static str],
    /// Institutions running the category's face-to-face classes.
    pub institutions: &'static [&'static str],
    /// Whether the office follows the category's classes up at 12 months (key classes).
    pub follow_12m: bool,
}

use Method::*;
use UnitKind::*;

const PARTY_GOV: &[UnitKind] = &[Party, Government, Institution, Township];

/// The nine categories; shares sum to 1.
pub const CATEGORIES: [CategorySpec; 9] = [
    CategorySpec {
        code: "department_level",
        label_zh: "县处级领导干部",
        share: 0.03,
        train_share: 0.80,
        latent_offset: 8.0,
        female_share: 0.22,
        party_share: 0.97,
        ages: (40, 58),
        ranks: &[("正处", 2), ("副处", 3), ("division_chief", 1)],
        unit_kinds: &[Party, Government, Enterprise, Institution],
        programmes: &["县处级领导干部进修班", "领导干部专题轮训班"],
        methods: &[(Centralized, 4), (Case, 2), (Seminar, 3), (Scenario, 1), (FieldVisit, 1)],
        days: (5, 30),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "党风廉政建设",
            "经济形势与政策",
            "领导力提升",
            "意识形态工作",
            "应急管理",
            "营商环境优化",
            "数字政府建设",
            "依法行政",
        ],
        institutions: &["省委党校", "市委党校（市行政学院）"],
        follow_12m: true,
    },
    CategorySpec {
        code: "middle_level",
        label_zh: "中层干部",
        share: 0.15,
        train_share: 0.60,
        latent_offset: 3.0,
        female_share: 0.35,
        party_share: 0.90,
        ages: (32, 55),
        ranks: &[("正科", 3), ("副科", 3), ("section_chief", 1)],
        unit_kinds: PARTY_GOV,
        programmes: &["中层干部能力提升培训班", "科级干部任职培训班"],
        methods: &[(Centralized, 3), (Case, 2), (Online, 2), (RolePlay, 1), (Seminar, 2), (Mixed, 2)],
        days: (3, 12),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "依法行政",
            "公文写作",
            "舆情应对",
            "群众工作方法",
            "数字政府建设",
            "领导力提升",
            "安全生产",
            "心理健康调适",
        ],
        institutions: &["市委党校（市行政学院）", "县委党校"],
        follow_12m: false,
    },
    CategorySpec {
        code: "young_reserve",
        label_zh: "优秀年轻干部",
        share: 0.06,
        train_share: 0.90,
        latent_offset: 5.0,
        female_share: 0.40,
        party_share: 0.92,
        ages: (26, 40),
        ranks: &[("副处", 1), ("正科", 2), ("副科", 3), ("科员", 2)],
        unit_kinds: PARTY_GOV,
        programmes: &["优秀年轻干部培训班", "中青年干部培训班"],
        methods: &[(Centralized, 2), (Scenario, 2), (RolePlay, 2), (Attachment, 2), (FieldVisit, 1), (Case, 1)],
        days: (10, 30),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "基层治理",
            "乡村振兴",
            "应急管理",
            "群众工作方法",
            "舆情应对",
            "招商引资",
            "领导力提升",
            "科技创新",
        ],
        institutions: &["市委党校（市行政学院）", "省委党校"],
        follow_12m: true,
    },
    CategorySpec {
        code: "women",
        label_zh: "女干部",
        share: 0.08,
        train_share: 0.50,
        latent_offset: 0.0,
        female_share: 1.0,
        party_share: 0.85,
        ages: (28, 55),
        ranks: &[("副处", 1), ("正科", 2), ("副科", 3), ("科员", 3)],
        unit_kinds: PARTY_GOV,
        programmes: &["女干部综合能力提升培训班"],
        methods: &[(Centralized, 3), (Seminar, 2), (Case, 2), (Online, 1), (Mixed, 1)],
        days: (3, 10),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "群众工作方法",
            "社会保障政策",
            "心理健康调适",
            "依法行政",
            "基层治理",
            "舆情应对",
            "领导力提升",
        ],
        institutions: &["市委党校（市行政学院）", "县委党校"],
        follow_12m: false,
    },
    CategorySpec {
        code: "rural_secretary",
        label_zh: "村党组织书记",
        share: 0.10,
        train_share: 0.70,
        latent_offset: -6.0,
        female_share: 0.15,
        party_share: 1.0,
        ages: (30, 62),
        ranks: &[("村党组织书记", 5), ("村（社区）党组织书记", 2)],
        unit_kinds: &[Township],
        programmes: &["村党组织书记示范培训班", "村（社区）党组织书记轮训班"],
        methods: &[(OnSite, 3), (FieldVisit, 2), (Case, 2), (Centralized, 2), (Mixed, 1)],
        days: (3, 7),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "乡村振兴",
            "基层治理",
            "群众工作方法",
            "党风廉政建设",
            "安全生产",
            "社会保障政策",
            "生态文明建设",
        ],
        institutions: &["县委党校", "乡村振兴实训基地"],
        follow_12m: false,
    },
    CategorySpec {
        code: "civil_servant",
        label_zh: "公务员",
        share: 0.35,
        train_share: 0.60,
        latent_offset: 0.0,
        female_share: 0.42,
        party_share: 0.80,
        ages: (23, 58),
        ranks: &[("科员", 5), ("一级主任科员", 2), ("四级主任科员", 2), ("副科", 1), ("clerk", 1)],
        unit_kinds: &[Party, Government, Township],
        programmes: &["公务员在职培训班", "新录用公务员初任培训班", "公务员依法行政专题培训班"],
        methods: &[(Online, 4), (Centralized, 3), (Case, 2), (Mixed, 2), (RolePlay, 1)],
        days: (2, 12),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "党性教育",
            "依法行政",
            "公文写作",
            "数字政府建设",
            "营商环境优化",
            "舆情应对",
            "群众工作方法",
            "心理健康调适",
            "党风廉政建设",
        ],
        institutions: &["市委党校（市行政学院）", "县委党校"],
        follow_12m: false,
    },
    CategorySpec {
        code: "non_party",
        label_zh: "党外干部",
        share: 0.04,
        train_share: 0.50,
        latent_offset: 2.0,
        female_share: 0.38,
        party_share: 0.0,
        ages: (30, 58),
        ranks: &[("副处", 1), ("正科", 2), ("副科", 2), ("科员", 1)],
        unit_kinds: &[Government, Institution],
        programmes: &["党外干部培训班", "党外代表人士研修班"],
        methods: &[(Seminar, 3), (Centralized, 2), (FieldVisit, 2), (Case, 1)],
        days: (3, 10),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "统一战线理论",
            "经济形势与政策",
            "依法行政",
            "科技创新",
            "生态文明建设",
            "社会保障政策",
            "营商环境优化",
        ],
        institutions: &["社会主义学院", "市委党校（市行政学院）"],
        follow_12m: false,
    },
    CategorySpec {
        code: "business_leader",
        label_zh: "企业经营管理人员",
        share: 0.07,
        train_share: 0.50,
        latent_offset: 4.0,
        female_share: 0.25,
        party_share: 0.88,
        ages: (32, 58),
        ranks: &[("企业正职", 1), ("企业副职", 2), ("企业中层", 3)],
        unit_kinds: &[Enterprise],
        programmes: &["国有企业经营管理人员培训班", "国企领导人员能力提升班"],
        methods: &[(Case, 3), (Seminar, 2), (FieldVisit, 2), (Mixed, 2), (Scenario, 1)],
        days: (3, 10),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "国有企业改革",
            "现代企业管理",
            "科技创新",
            "安全生产",
            "党风廉政建设",
            "经济形势与政策",
            "招商引资",
            "领导力提升",
        ],
        institutions: &["高校继续教育学院", "市委党校（市行政学院）"],
        follow_12m: false,
    },
    CategorySpec {
        code: "professional",
        label_zh: "专业技术人员",
        share: 0.12,
        train_share: 0.50,
        latent_offset: 1.0,
        female_share: 0.48,
        party_share: 0.60,
        ages: (25, 60),
        ranks: &[("高级职称", 2), ("中级职称", 3), ("初级职称", 2)],
        unit_kinds: &[Institution],
        programmes: &["专业技术人才知识更新研修班", "专业技术人员继续教育班"],
        methods: &[(Online, 3), (Seminar, 2), (Centralized, 2), (OnSite, 2), (Mixed, 1)],
        days: (2, 8),
        topics: &[
            "习近平新时代中国特色社会主义思想",
            "科技创新",
            "数字政府建设",
            "生态文明建设",
            "安全生产",
            "心理健康调适",
            "公文写作",
            "社会保障政策",
        ],
        institutions: &["高校继续教育学院", "市委党校（市行政学院）"],
        follow_12m: false,
    },
];

/// Institution of online classes.
pub const ONLINE_INSTITUTION: &str = "干部网络学院";
/// Institutions of field-visit classes (red-education bases).
pub const FIELD_INSTITUTIONS: &[&str] = &["井冈山干部学院", "延安干部学院"];
/// Institution of attachment (挂职/跟岗) classes.
pub const ATTACHMENT_INSTITUTION: &str = "市委组织部（跟岗锻炼）";

/// Surnames of the synthetic personal names.
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭",
];
/// Given-name characters: rare in ordinary text and absent from every other vocabulary.
pub const GIVEN_CHARS: &[&str] = &[
    "梓", "皓", "瑾", "昕", "珂", "晗", "骞", "翊", "璟", "钰", "琰", "懿", "祎", "瑜", "骁", "沅", "玥", "湄", "岚",
    "霁", "彧", "澄", "砚", "昀", "璇", "韫", "曦", "娴", "鹭", "芊",
];

/// One survey item of the instrument (one row of `items.csv` per wave it is asked in).
#[derive(Debug, Clone, Copy)]
pub struct ItemSpec {
    pub item_id: &'static str,
    pub scale: &'static str,
    pub text: &'static str,
    /// `None` for `topics` items (no numeric range).
    pub range: Option<(i32, i32)>,
    pub reverse: bool,
    pub kind: &'static str,
}

/// The outcome scale (SPEC App. A `outcome_scale`).
pub const COMPETENCE: &str = "competence";

/// The competence items, asked at pre, post and every follow-up. Two are reverse-coded.
pub const COMPETENCE_ITEMS: [ItemSpec; 8] = [
    likert("COMP1", COMPETENCE, "我能够准确把握党的路线方针政策并结合本岗位贯彻落实", false),
    likert("COMP2", COMPETENCE, "我能够运用新发展理念分析解决本地区本部门的实际问题", false),
    likert("COMP3", COMPETENCE, "遇到复杂矛盾和突发事件时，我常常感到无从下手", true),
    likert("COMP4", COMPETENCE, "我善于做群众工作，能够有效化解基层矛盾纠纷", false),
    likert("COMP5", COMPETENCE, "我能够依法依规履职，运用法治思维和法治方式开展工作", false),
    likert("COMP6", COMPETENCE, "我能够熟练运用数字化手段提升工作效能", false),
    likert("COMP7", COMPETENCE, "面对改革任务和新的工作要求，我缺乏推进落实的思路和办法", true),
    likert("COMP8", COMPETENCE, "我能够统筹协调各方力量，推动重点任务落地见效", false),
];

/// The needs-survey items: the topic choice and two Likert items of a `needs` scale.
pub const NEEDS_ITEMS: [ItemSpec; 3] = [
    ItemSpec {
        item_id: "NEED_TOPICS",
        scale: "topics",
        text: "您最希望参加哪些专题的培训？（可多选）",
        range: None,
        reverse: false,
        kind: "topics",
    },
    likert("NEED_URGENCY", "needs", "您认为自己参加本次培训的迫切程度", false),
    likert("NEED_GAP", "needs", "您认为自己当前本领与岗位要求之间的差距", false),
];

const fn likert(item_id: &'static str, scale: &'static str, text: &'static str, reverse: bool) -> ItemSpec {
    ItemSpec { item_id, scale, text, range: Some((1, 5)), reverse, kind: "likert" }
}

/// Course-rating indicators (5 × 20 points, SPEC §3).
pub const RATING_INDICATORS: [&str; 5] = crate::schema::COURSE_INDICATORS;
/// Trainee-rating dimensions (0–100 each).
pub const TRAINEE_DIMENSIONS: [&str; 4] = ["attitude", "discipline", "participation", "assignment"];
/// Review dimensions (0–100 each).
pub const REVIEW_DIMENSIONS: [&str; 5] = ["morality", "ability", "diligence", "achievement", "integrity"];
/// Unit-outcome metrics with their base level.
pub const UNIT_METRICS: [(&str, f64); 3] =
    [("performance_score", 82.0), ("satisfaction_rate", 86.0), ("key_task_completion", 90.0)];

/// Review grade of a review score (mean of the five dimensions).
pub fn grade_of(score: f64) -> &'static str {
    if score >= 90.0 {
        "excellent"
    } else if score >= 75.0 {
        "competent"
    } else if score >= 60.0 {
        "basically_competent"
    } else {
        "incompetent"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_pools_are_known() {
        let s: f64 = CATEGORIES.iter().map(|c| c.share).sum();
        assert!((s - 1.0).abs() < 1e-12);
        let u: f64 = UnitKind::SHARES.iter().map(|(_, s)| s).sum();
        assert!((u - 1.0).abs() < 1e-12);
        for c in &CATEGORIES {
            for t in c.topics {
                assert!(TOPICS.contains(t), "{t}");
            }
        }
    }

    #[test]
    fn name_characters_appear_in_no_other_vocabulary() {
        let mut vocab: Vec<&str> = TOPICS.to_vec();
        vocab.extend(REGION_STEMS);
        for c in &CATEGORIES {
            vocab.extend(c.programmes);
            vocab.extend(c.institutions);
            vocab.extend(c.ranks.iter().map(|r| r.0));
            vocab.push(c.label_zh);
        }
        for (k, _) in UnitKind::SHARES {
            vocab.extend(k.name_suffixes());
        }
        for m in Method::ALL {
            vocab.push(m.course_suffix());
        }
        vocab.extend(COMPETENCE_ITEMS.iter().map(|i| i.text));
        vocab.extend(NEEDS_ITEMS.iter().map(|i| i.text));
        for g in GIVEN_CHARS {
            assert!(vocab.iter().all(|v| !v.contains(g)), "{g} occurs in a vocabulary");
        }
    }
}
