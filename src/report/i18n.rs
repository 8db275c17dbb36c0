//! The one message catalogue of the reports: every label, caption, axis title and
//! plain-language sentence, in Chinese (the default) and English.
//!
//! In: a [`Lang`] and a key. Out: the message, with `{name}` placeholders filled by
//! [`Catalogue::fmt`]. Templates receive the whole catalogue of one language as `t`
//! and look labels up as `t["key"]`.
//! Guarantees: every key has both languages and the same placeholders in each
//! (tested); a key that is not in the catalogue renders as `⟦key⟧`, which the
//! tests look for in every rendered page, so a typo cannot ship silently.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use serde::Serialize;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en`, as in the pipeline file.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `zh` or `en`: the code of the pipeline file, and the directory of a report in a
    /// language other than the primary one.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// One message in both languages.
struct Msg {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
}

const fn m(key: &'static str, zh: &'static str, en: &'static str) -> Msg {
    Msg { key, zh, en }
}

/// Messages of one language, looked up by key.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    lang: Lang,
}

impl Catalogue {
    pub fn new(lang: Lang) -> Self {
        Catalogue { lang }
    }

    /// The message for `key`, or `⟦key⟧` when there is none.
    pub fn get(&self, key: &str) -> String {
        match find(key) {
            Some(msg) => self.pick(msg).to_string(),
            None => format!("⟦{key}⟧"),
        }
    }

    /// The message for `key` with each `{name}` replaced by its value.
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        match find(key) {
            Some(msg) => fill(self.pick(msg), args),
            None => fill_plain(self.get(key), args),
        }
    }

    /// The label of a vocabulary code (`category`, `method`, `wave`, `reason`, `test`),
    /// or the code itself when the catalogue does not know it (user-supplied codes).
    pub fn code(&self, vocabulary: &str, code: &str) -> String {
        // The key `{vocabulary}.{code}`, without the formatting machinery: codes are
        // looked up for every class page.
        let mut key = String::with_capacity(vocabulary.len() + 1 + code.len());
        key.push_str(vocabulary);
        key.push('.');
        key.push_str(code);
        match find(&key) {
            Some(msg) => self.pick(msg).to_string(),
            None => code.to_string(),
        }
    }

    /// Every message of this language, for the templates.
    pub fn labels(&self) -> BTreeMap<&'static str, &'static str> {
        MESSAGES.iter().map(|msg| (msg.key, self.pick(msg))).collect()
    }

    fn pick(&self, msg: &Msg) -> &'static str {
        match self.lang {
            Lang::Zh => msg.zh,
            Lang::En => msg.en,
        }
    }
}

/// `template` with each `{name}` of `args` replaced by its value, in the order of `args`
/// (the definition; see [`fill`]).
fn fill_plain(template: String, args: &[(&str, &dyn Display)]) -> String {
    let mut s = template;
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

/// Most arguments a message is filled with in one pass (more go through [`fill_plain`]).
const MAX_ARGS: usize = 8;

/// [`fill_plain`] in one pass over `template`: every message of every page is filled, and
/// the plain definition formats a pattern, searches and copies the whole string once per
/// argument. One pass gives the same string when no value and no name holds a brace and
/// no `{` of the template follows another `{` before a `}`: then replacing `{a}` can
/// neither create a `{b}` nor break one, so each `{name}` of the template gets the value
/// of the first argument of that name, which is what the pass writes. Otherwise (and for
/// more than [`MAX_ARGS`] arguments) it is [`fill_plain`].
fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    use std::fmt::Write as _;
    let plain = || fill_plain(template.to_string(), args);
    if args.len() > MAX_ARGS || args.iter().any(|(name, _)| name.contains(['{', '}'])) || !braces_alternate(template) {
        return plain();
    }
    // Each value formatted once, into one buffer.
    let mut values = String::new();
    let mut spans = [(0usize, 0usize); MAX_ARGS];
    for (span, (_, value)) in spans.iter_mut().zip(args) {
        let start = values.len();
        let _ = write!(values, "{value}");
        *span = (start, values.len());
    }
    if values.bytes().any(|b| b == b'{' || b == b'}') {
        return plain();
    }
    let mut out = String::with_capacity(template.len() + values.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        out.push_str(&rest[..open]);
        match args.iter().position(|(n, _)| *n == name) {
            Some(k) => out.push_str(&values[spans[k].0..spans[k].1]),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether every `{` of `s` is followed by a `}` before the next `{` (or by none at all
/// when it is the last).
fn braces_alternate(s: &str) -> bool {
    let mut open = false;
    for b in s.bytes() {
        match b {
            b'{' if open => return false,
            b'{' => open = true,
            b'}' => open = false,
            _ => {}
        }
    }
    true
}

fn find(key: &str) -> Option<&'static Msg> {
    // Looked up for every label of every page (10⁴ class pages): an index, not a scan;
    // Fx, not SipHash: the keys are the catalogue's own.
    static INDEX: OnceLock<FxHashMap<&'static str, &'static Msg>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = FxHashMap::with_capacity_and_hasher(MESSAGES.len(), Default::default());
        for msg in MESSAGES {
            // The first message of a key wins, as a scan in catalogue order would find it.
            index.entry(msg.key).or_insert(msg);
        }
        index
    });
    index.get(key).copied()
}

/// Whether the catalogue has a message for `key`.
pub fn has(key: &str) -> bool {
    find(key).is_some()
}

/// Every key of the catalogue (for tests and tooling).
pub fn keys() -> impl Iterator<Item = &'static str> {
    MESSAGES.iter().map(|msg| msg.key)
}

#[rustfmt::skip]
const MESSAGES: &[Msg] = &[
    // ---- document -------------------------------------------------------------------
    m("doc.title_default", "{period}年度干部教育培训成果转化评估报告", "Evaluation of the transformation of cadre training results, {period}"),
    m("doc.subtitle", "年度评估报告", "Annual evaluation report"),
    m("doc.period", "评估期", "Period"),
    m("doc.institution", "发布单位", "Issued by"),
    m("doc.generated_by", "本报告由 traineval {version} 根据数据仓库与指标表生成；同样的数据生成完全相同的报告。", "Produced by traineval {version} from the warehouse and the indicator tables; the same data always give the same report."),
    m("doc.contents", "目录", "Contents"),
    m("doc.pseudonymised", "本报告所依据数据中的干部编号已做假名化处理。", "Cadre identifiers in the underlying data are pseudonymised."),
    m("doc.na_table", "{what}尚未计算，本节暂无数据。", "The {what} have not been computed, so there is nothing to show here."),
    m("doc.na_columns", "{what}来自旧版本的指标计算，缺少本节所需的内容；重新计算指标后即可显示。", "The {what} come from an older version of the indicators and lack what this section needs; computing the indicators again will fill it."),
    m("doc.na_empty", "没有可以公布的{what}：每一项涉及的人数都少于 {min_cell} 人，或者没有数据。", "There are no {what} to publish: every row describes fewer than {min_cell} people, or there are none."),
    m("doc.suppressed_note", "“< {min_cell}”表示该行少于 {min_cell} 人，其数值（含人数）按小单元保护规则不予公布；“‡”表示该行人数虽够，但为防止从合计中减出小单元而一并不予公布（补充抑制）。", "\"< {min_cell}\" marks a row describing fewer than {min_cell} people: its figures, counts included, are withheld under the small-cell rule; \"‡\" marks a row large enough to publish but withheld as well, so that a small row cannot be worked out by subtraction from a total (complementary suppression)."),
    m("doc.dist_omitted", "图中略去 {k} 个不足 {min_n} 人或不予公布的组：人数很少时，分布图会显示出个人的得分。", "{k} groups of fewer than {min_n} people, or withheld, are not drawn: the distribution of a few people shows individual scores."),
    m("doc.chart_omitted", "图中略去 {k} 个不予公布的单元（少于 {min_cell} 人，或为保护小单元而一并不予公布）。", "{k} withheld rows (fewer than {min_cell} people, or withheld to protect such a row) are left out of the chart."),
    m("doc.chart_truncated", "图中显示 {shown} 项（共 {total} 项），完整数据见下表。", "The chart shows {shown} of {total}; the table below has them all."),
    m("doc.chart_no_data", "没有可绘制的数据（可公布的单元不足）。", "Nothing to draw: no cell is large enough to publish."),
    m("doc.back", "返回年度报告", "Back to the annual report"),
    m("doc.class_title", "{title}：培训效果评估", "{title}: training evaluation"),
    m("doc.class_subtitle", "培训班评估报告（供班次组织者使用）", "Class evaluation report (for the class organisers)"),
    m("doc.missing", "—", "—"),
    m("doc.yes", "是", "yes"),
    m("doc.no", "否", "no"),
    m("doc.n", "n = {n}", "n = {n}"),
    m("doc.join", "{a}；{b}", "{a}; {b}"),
    m("doc.list_sep", "、", ", "),
    m("doc.whiskers", "误差线为 {level}% 置信区间", "whiskers: {level}% confidence interval"),
    m("doc.table", "表", "Table"),
    m("doc.figure", "图", "Figure"),
    m("doc.page_of", "第 {page} 页", "Page {page}"),
    // ---- sections ---------------------------------------------------------------------
    m("sec.headline", "一、主要指标", "1. Headline figures"),
    m("sec.reaction", "二、课程反应评估", "2. Course reaction"),
    m("sec.learning", "三、学习成效", "3. Learning"),
    m("sec.methods", "四、培训方式比较", "4. Training methods compared"),
    m("sec.transfer", "五、成果转化与行为改变", "5. Transfer to the job"),
    m("sec.raters", "七、评价一致性与评分宽严", "7. Rater agreement and leniency"),
    m("sec.compliance", "八、学时达标、补训与轮训", "8. Training hours, make-up training and rotation"),
    m("sec.needs", "九、需求匹配", "9. Coverage of training needs"),
    m("sec.trends", "十、历年趋势", "10. Trends over the years"),
    m("sec.classes", "十一、培训班一览", "11. Classes"),
    m("sec.methodology", "附录一　方法说明", "Appendix A. Methodology"),
    m("sec.quality", "附录二　数据质量", "Appendix B. Data quality"),
    m("cls.table_learning", "本班学习成效", "Learning in this class"),
    m("cls.table_transfer", "本班训后考核变化与双重差分", "Review change and DiD of this class"),
    m("cls.table_raters", "本班课程评价的评分者一致性", "Agreement of this class's course ratings"),
    m("cls.table_needs", "本班需求匹配情况", "Needs coverage of this class"),
    m("cls.table_follow", "本班训后跟踪", "Follow-up of this class"),
    m("cls.table_self", "本班学员自评与他评比较", "Self-rating against others in this class"),
    m("cls.facts", "班次概况", "The class"),
    m("cls.reaction", "课程评价", "Course ratings"),
    m("cls.learning", "学习成效", "Learning"),
    m("cls.transfer", "训后转化", "Transfer"),
    m("cls.raters", "评价一致性", "Rater agreement"),
    m("cls.needs", "需求匹配", "Needs coverage"),
    // ---- headline -----------------------------------------------------------------------
    m("hl.classes", "培训班次", "Classes"),
    m("hl.trainees", "参训干部", "Trainees"),
    m("hl.hours", "培训学时", "Class hours"),
    m("hl.completion", "结业率", "Completion"),
    m("hl.reaction", "课程评价均分", "Mean course rating"),
    m("hl.gain", "平均学习增益", "Mean learning gain"),
    m("hl.transfer", "转化效应（双重差分）", "Transfer effect (DiD)"),
    m("hl.compliance", "学时达标率", "Hours compliance"),
    m("hl.n_classes", "n = {n} 个班次", "n = {n} classes"),
    m("hl.n_trainees", "n = {n} 人，{enrolments} 人次", "n = {n} cadres, {enrolments} enrolments"),
    m("hl.n_hours", "{n} 个班次合计", "total of {n} classes"),
    m("hl.n_enrolments", "n = {n} 人次", "n = {n} enrolments"),
    m("hl.n_ratings", "n = {n} 人次评价，{courses} 门课程", "n = {n} ratings of {courses} courses"),
    m("hl.n_pairs", "n = {n} 名学员（训前训后配对）", "n = {n} trainees with pre and post"),
    m("hl.n_followed", "n = {n} 名有训后考核的学员", "n = {n} trainees with a review after"),
    m("hl.n_cadres", "n = {n} 名适用学时要求的干部", "n = {n} cadres under an hour requirement"),
    m("hl.unit_points", "分", "points"),
    m("hl.unit_hours", "学时", "hours"),
    m("hl.with_ci", "{n}；{ci}", "{n}; {ci}"),
    m("hl.ci", "{level}% 置信区间 {lo} 至 {hi}", "{level}% CI {lo} to {hi}"),
    // ---- reaction -------------------------------------------------------------------------
    m("re.intro", "学员按联系实际、理论深度、信息量、表达、教风五项指标（每项 0–20 分，合计 100 分）评价每门课程。下图列出本年度得分最高和最低的课程；评价人数不足 {min_cell} 人的课程不参与排名。",
      "Trainees rate every course on five indicators — relevance to practice, theoretical depth, information, delivery and teaching manner — each 0–20, 100 in total. The charts show this year's highest and lowest rated courses; courses rated by fewer than {min_cell} trainees are not ranked."),
    m("re.chart_top", "评价最高的 {k} 门课程", "The {k} highest rated courses"),
    m("re.chart_bottom", "评价最低的 {k} 门课程", "The {k} lowest rated courses"),
    m("re.axis", "课程评价总分（分，满分 100）", "Course rating total (points of 100)"),
    m("re.axis_course", "课程", "Course"),
    m("re.subtitle", "n = {n} 门课程、{ratings} 人次评价；{whiskers}", "n = {n} courses, {ratings} ratings; {whiskers}"),
    m("re.chart_all", "课程评价排名", "Courses ranked by mean rating"),
    m("re.table_all", "课程评价排名", "Courses ranked by mean rating"),
    m("re.table_top", "评价最高的课程", "Highest rated courses"),
    m("re.table_bottom", "评价最低的课程", "Lowest rated courses"),
    m("re.table_classes", "各班课程评价", "Course ratings by class"),
    m("re.table_classes_note", "每名学员先求其所评课程总分的平均，再在学员间求均值与置信区间。", "Each trainee's mean total over the courses rated, then the mean and interval over trainees."),
    m("re.table_class", "本班各课程评价", "Ratings of this class's courses"),
    m("re.reading", "可排名的 {n} 门课程评价总分的中位数为 {median} 分；最高 {best}，最低 {worst}。", "The median total of the {n} ranked courses is {median} points; the highest is {best}, the lowest {worst}."),
    m("re.named", "“{name}”（{value} 分）", "\"{name}\" ({value})"),
    m("ind.relevance", "联系实际", "Relev\u{ad}ance"),
    m("ind.theory", "理论深度", "Theory"),
    m("ind.information", "信息量", "Inform\u{ad}ation"),
    m("ind.delivery", "表达", "Delivery"),
    m("ind.manner", "教风", "Manner"),
    // ---- learning -------------------------------------------------------------------------
    m("le.intro", "以训前、训后问卷中能力量表的得分（0–100 分）衡量学习成效，只统计训前训后都有得分的学员（配对样本）。增益 = 训后 − 训前。",
      "Learning is measured by the competence scale of the pre- and post-training surveys (0–100 points), on trainees scored at both (paired). Gain = post − pre."),
    m("le.chart_prepost", "各班训前与训后平均得分", "Mean score before and after training, by class"),
    m("le.axis_score", "能力自评得分（分，0–100）", "Self-assessed competence (points, 0–100)"),
    m("le.axis_class", "培训班", "Class"),
    m("le.axis_category", "干部类别", "Cadre category"),
    m("le.axis_gain", "增益（训后 − 训前，分）", "Gain (post − pre, points)"),
    m("le.legend_pre", "训前", "Before"),
    m("le.legend_post", "训后", "After"),
    m("le.subtitle_classes", "n = {n} 名学员、{classes} 个班次", "n = {n} trainees in {classes} classes"),
    m("le.chart_box", "训前与训后得分分布（按干部类别）", "Distribution of scores before and after, by cadre category"),
    m("le.chart_box_class", "本班训前与训后得分分布", "Distribution of this class's scores before and after"),
    m("le.box_note", "箱体为四分位距，中线为中位数，须线至 1.5 倍四分位距内的最远值", "box: interquartile range; line: median; whiskers: furthest value within 1.5 IQR"),
    m("le.chart_gain_cat", "各类别干部的平均学习增益", "Mean learning gain by cadre category"),
    m("le.chart_gain_class", "各班平均学习增益", "Mean learning gain by class"),
    m("le.table_class", "各班学习成效", "Learning by class"),
    m("le.table_category", "各类别干部学习成效", "Learning by cadre category"),
    m("le.table_method", "各培训方式学习成效", "Learning by training method"),
    m("le.table_note", "d_z：配对效应量；p (t)：配对 t 检验；p (BH)：按 Benjamini–Hochberg 方法对全部公布班次校正后的 p 值（同时检验许多班次时控制错误发现率）；p (W)：Wilcoxon 符号秩检验；Hake g：标准化增益 ⟨g⟩；加粗表示校正后 p < {alpha}。", "d_z: paired effect size; p (t): paired t test; p (BH): p adjusted by Benjamini–Hochberg over all published classes (many classes are tested at once: this controls the share of false discoveries); p (W): Wilcoxon signed-rank test; Hake g: normalised gain ⟨g⟩; bold: adjusted p < {alpha}."),
    m("le.table_note_pooled", "合并行跨越多个班次，同班学员并不独立：置信区间与 p (t) 按班次聚类（CR2）计算；设计效应 = 1 +（每班平均人数 − 1）× 组内相关系数，表示聚类使方差放大的倍数。加粗表示 p < {alpha}。", "A pooled row spans several classes, whose trainees are not independent: its interval and p (t) are clustered by class (CR2); design effect = 1 + (mean trainees per class − 1) × intraclass correlation, how much the clustering inflates the variance. Bold: p < {alpha}."),
    m("le.table_reliability", "量表信度", "Reliability of the scales"),
    m("le.reading", "{k} / {m} 个可公布的班次训后得分显著高于训前（配对 t 检验，按 BH 方法对各班次校正，α = {alpha}）；{neg} 个班次显著下降。", "In {k} of {m} publishable classes the post score is significantly above the pre score (paired t test, Benjamini–Hochberg adjusted over the classes, α = {alpha}); {neg} show a significant fall."),
    m("le.class_reading_up", "本班 {n} 名学员训后平均提高 {gain} 分（{ci}），配对 t 检验 {p}，差异显著。", "The {n} trainees of this class gained {gain} points on average ({ci}); paired t test {p}: significant."),
    m("le.class_reading_ns", "本班 {n} 名学员训后平均变化 {gain} 分（{ci}），配对 t 检验 {p}，差异不显著。", "The {n} trainees of this class changed by {gain} points on average ({ci}); paired t test {p}: not significant."),
    m("doc.class_secondary", "本班人数足以公布，但为防止从汇总数据中推算出其他小班的结果，本项结果一并不予公布（补充抑制）。", "This class is large enough to publish, but its results are withheld so that a smaller class cannot be worked out from the published totals (complementary suppression)."),
    m("le.class_suppressed", "本班训前训后都有得分的学员不足 {min_cell} 人，学习成效不予公布。", "Fewer than {min_cell} trainees of this class have both scores; learning results are withheld."),
    // ---- methods --------------------------------------------------------------------------
    m("me.intro", "比较不同培训方式的学习增益。培训方式是按班次安排的，同一班次的学员共享教师、时间和同学，因此比较以班次为单位：每个班次算一个观测值（其学员训前、训后的平均分）。主要检验是班次层面的协方差分析：班次训后均分 ~ 班次训前均分 + 培训方式，对培训方式项做 F 检验；两两比较取自同一模型，p 值经 Holm 与 Benjamini–Hochberg（BH）校正。稳健性检验有两项：班次平均增益的 Kruskal–Wallis 检验，以及学员层面、按班次聚类的 CR2 稳健协方差分析（HTZ 检验）。只有至少 {min_classes} 个班次采用的方式才参加检验。",
      "Compares the learning gain of the training methods. Methods are assigned to classes, and the trainees of a class share its teachers, dates and peers, so the comparison counts classes, not trainees: each class is one observation (the mean pre and post score of its trainees). The primary test is an ANCOVA on class means, class mean post ~ class mean pre + method, with an F test of the method terms; the pairwise comparisons come from the same model, with Holm and Benjamini–Hochberg (BH) adjusted p-values. Two robustness checks: a Kruskal–Wallis test on the class mean gains, and the trainee-level ANCOVA with CR2 standard errors clustered by class (HTZ test). Only methods taught in at least {min_classes} classes enter the tests."),
    m("me.chart", "各培训方式的平均学习增益", "Mean learning gain by training method"),
    m("me.axis_method", "培训方式", "Training method"),
    m("me.subtitle", "n = {n} 名学员、{classes} 个班次；{whiskers}（按班次聚类）", "n = {n} trainees in {classes} classes; {whiskers} (clustered by class)"),
    m("me.table_summary", "各培训方式的学习增益", "Learning gain by method"),
    m("me.summary_note", "置信区间按班次聚类（CR2），反映班次之间的差异；只在一两个班次中采用的方式区间很宽。", "Intervals are clustered by class (CR2) and so include the variation between classes; a method taught in one or two classes has a wide interval."),
    m("me.table_tests", "培训方式的检验（以班次为单位）", "Tests of the methods (classes as the unit)"),
    m("me.table_pairwise", "两两比较（班次协方差分析的对比）", "Pairwise comparisons (contrasts of the class ANCOVA)"),
    m("me.left_out", "以下方式采用的班次少于 {min_classes} 个，未参加检验（仅列出其描述统计）：{methods}。一个班次的结果无法与该班次本身的特点区分开。", "Taught in fewer than {min_classes} classes and left out of the tests (their summary is shown): {methods}. One class's result cannot be told apart from that class's own circumstances."),
    m("me.few_classes", "以下方式参加了检验，但采用的班次少于 5 个，其估计主要取决于少数几个班次，解读时应谨慎：{methods}。", "Tested, but taught in fewer than 5 classes, so their estimates rest on a few classes; read them with caution: {methods}."),
    m("me.primary_sig", "{test}（{classes} 个班次）：{stat}，{p}，各培训方式的增益差异显著。", "{test} ({classes} classes): {stat}, {p}: the methods' gains differ significantly."),
    m("me.primary_ns", "{test}（{classes} 个班次）：{stat}，{p}，未发现各培训方式之间有显著差异。", "{test} ({classes} classes): {stat}, {p}: no significant difference between the methods."),
    m("me.primary_na", "{test}：{why}，本年度不对培训方式之间的差异作结论，也不公布两两比较。", "{test}: {why}; no conclusion on differences between methods this year, and no pairwise comparisons."),
    m("me.na_withheld", "检验涉及的人数过少，不予公布", "too few people for the test to be published"),
    m("me.robust_agree", "稳健性检验结论一致：{tests}。", "The robustness checks agree: {tests}."),
    m("me.robust_weaker", "稳健性检验未达到显著：{tests}。这些检验更保守（培训方式的班次少时尤甚），差异的证据应视为中等。", "The robustness checks are not significant: {tests}. They are more conservative (especially when a method has few classes), so treat the evidence as moderate."),
    m("me.robust_stronger", "稳健性检验显示显著：{tests}；但结论以主要检验为准，不据此认定方式之间存在差异。", "A robustness check is significant: {tests}; the conclusion follows the primary test, which does not find a difference."),
    m("me.pairs_more", "另有 {k} 组两两差异经 Holm 校正后显著，见下方两两比较表。", "{k} more pairs differ significantly after Holm's adjustment; see the pairwise table."),
    m("me.pair_sig", "“{a}”比“{b}”{direction} {diff} 分（{ci}，Holm 校正 {p}），差异显著。", "\"{a}\" is {diff} points {direction} than \"{b}\" ({ci}; Holm-adjusted {p}): significant."),
    m("me.pair", "{a} − {b}", "{a} − {b}"),
    m("me.higher", "高", "higher"),
    m("me.lower", "低", "lower"),
    m("me.pairs_none", "经 Holm 校正后，{k} 组两两比较均未达到显著水平（α = {alpha}）。", "After Holm's adjustment none of the {k} pairwise differences is significant (α = {alpha})."),
    m("me.pairs_rest", "其余 {k} 组两两比较经 Holm 校正后均不显著。", "The other {k} pairs do not differ significantly after Holm's adjustment."),
    m("me.bh_extra", "若按 BH（控制错误发现率）校正，另有 {k} 组差异显著，可作为进一步观察的线索。", "Under the BH adjustment (false discovery rate) {k} more pairs are significant: leads worth watching, not findings."),
    m("me.caution", "显著性只说明差异不太可能由抽样误差造成，不能说明差异由培训方式本身造成：各方式的培训对象、班次规模和主办机构不同，方式并非随机分配。", "Significance only says a difference is unlikely to be sampling noise, not that the method caused it: the methods differ in who they train, class size and organiser, and were not assigned at random."),
    m("me.sig_yes", "显著", "significant"),
    m("me.sig_no", "不显著", "not significant"),
    m("me.stat_f", "F({df1}, {df2}) = {stat}", "F({df1}, {df2}) = {stat}"),
    m("me.stat_h", "H({df1}) = {stat}", "H({df1}) = {stat}"),
    m("me.tested", "参加检验", "tested"),
    m("me.tested_note", "参加检验（{note}）", "tested ({note})"),
    m("me.not_tested", "未参加检验", "not tested"),
    m("me.role_primary", "主要检验", "primary"),
    m("me.role_robustness", "稳健性检验", "robustness"),
    m("test.class_ancova", "班次协方差分析", "Class-level ANCOVA"),
    m("test.class_kruskal", "班次增益 Kruskal–Wallis 检验", "Kruskal–Wallis on class gains"),
    m("test.ancova_cr2_htz", "学员层面聚类稳健协方差分析（CR2，HTZ）", "Trainee-level ANCOVA, CR2 by class (HTZ)"),
    m("note.few_classes", "少于 5 个班次", "fewer than 5 classes"),
    m("note.too_few_classes", "班次过少", "too few classes"),
    m("note.fewer_than_two_methods", "参加检验的方式不足两种", "fewer than two methods to compare"),
    m("note.no_residual_df", "班次数不足以估计模型", "too few classes to fit the model"),
    m("note.singular", "模型不可估计（变量共线）", "the model cannot be estimated (collinear terms)"),
    m("note.perfect_fit", "数据无残差变异", "no residual variation in the data"),
    m("note.all_tied", "各班次增益完全相同", "every class has the same gain"),
    // ---- transfer -------------------------------------------------------------------------
    m("tr.intro", "以训前最近一次考核与结业 {lag} 天以后第一次考核的得分变化衡量转化，并与对照干部比较（双重差分，DiD）。对照干部是同一类别、本年度及前 {washout} 年均未参加培训、且两次考核之间也未参训的干部。训后 3、6、12 个月的跟踪问卷反映能力的保持情况。",
      "Transfer is the change from the latest review before the class to the first review at least {lag} days after it ends, set against the change of control cadres (difference in differences, DiD). Controls are cadres of the same category trained neither this year nor in the {washout} year(s) before, nor between their own two reviews. The 3-, 6- and 12-month follow-up surveys show whether the gain is kept."),
    m("tr.see_classes", "各班每个跟踪时点的明细见各班次报告。", "Each class's follow-up waves are detailed on its page."),
    m("tr.chart_traj", "训后能力保持轨迹", "Competence over time"),
    m("tr.chart_traj_class", "本班训后能力保持轨迹", "Competence over time in this class"),
    m("tr.axis_wave", "测量时点", "Survey wave"),
    m("tr.traj_clustered", "{whiskers}（按班次聚类）", "{whiskers}, clustered by class"),
    m("tr.traj_subtitle", "每点为该时点有得分学员的均值，点旁为人数；{whiskers}", "means of those scored at each wave; {whiskers}"),
    m("tr.series_all", "全体学员", "All trainees"),
    m("tr.chart_reviews", "各班训前与训后考核得分", "Review scores before and after training, by class"),
    m("tr.axis_review", "考核得分（分，0–100）", "Review score (points, 0–100)"),
    m("tr.legend_before", "训前考核", "Review before"),
    m("tr.legend_after", "训后考核", "Review after"),
    m("tr.chart_did", "各班转化效应（双重差分）", "Transfer effect by class (difference in differences)"),
    m("tr.axis_did", "考核得分变化之差（分）", "Difference in review-score change (points)"),
    m("tr.subtitle_did", "n = {n} 名跟踪学员、{classes} 个班次；{whiskers}", "n = {n} followed trainees in {classes} classes; {whiskers}"),
    m("tr.table", "各班训后考核变化与双重差分", "Review change and DiD by class"),
    m("tr.table_note", "变化加粗：训前训后配对 t 检验 p < {alpha}；双重差分加粗：经 Benjamini–Hochberg 多重比较校正后 p < {alpha}。基线 g 为参训组与对照组训前考核的 Hedges g（|g| ≤ 0.05 等同，≤ 0.25 需调整，否则不等同）；结论为“效应”须培训前趋势、基线与流失三项检验均通过，否则为“关联”。",
      "Change in bold: paired t test before/after p < {alpha}; DiD in bold: p < {alpha} after the Benjamini–Hochberg adjustment. Baseline g: Hedges' g of the trained against the controls' reviews before (|g| ≤ 0.05 equivalent, ≤ 0.25 adjust, else not equivalent); the reading is an \"effect\" only when the pre-trend, baseline and attrition checks all pass, else an \"association\"."),
    m("tr.follow_note", "变化 = 跟踪得分 − 训后得分（同一批学员），加粗：经 Benjamini–Hochberg 校正后显著；保持率 = (跟踪均值 − 训前均值) ÷ (训后均值 − 训前均值)，训后提高很少的班次该比值不稳定。", "Change = follow-up − post score (the same trainees), in bold when significant after the Benjamini–Hochberg adjustment; retention = (follow-up − pre) ÷ (post − pre) of the class means, unstable where a class gained little."),
    m("tr.reading", "经 Benjamini–Hochberg 多重比较校正，{k} / {m} 个可公布班次的双重差分显著大于零，{neg} 个显著小于零；平均流失率 {attrition}。", "After the Benjamini–Hochberg adjustment for the many classes, the DiD is significantly above zero in {k} of {m} publishable classes and significantly below in {neg}; mean attrition {attrition}."),
    m("tr.class_reading", "本班 {followed} / {trained} 名学员有训前和训后考核；训后考核得分平均变化 {delta} 分，同类未参训干部变化 {control} 分，双重差分 {did} 分（{ci}）。", "{followed} of {trained} trainees have reviews before and after; their score changed by {delta} points against {control} for untrained cadres of the category: DiD {did} ({ci})."),
    m("tr.class_suppressed", "本班有训前和训后考核的学员不足 {min_cell} 人，转化结果不予公布。", "Fewer than {min_cell} trainees of this class have reviews before and after; transfer results are withheld."),
    m("tr.claim_effect", "全部班次合并，参训干部训后考核得分比对照干部多提高 {did} 分（{ci}，按班次聚类）。培训前趋势、基线等同与流失三项检验均通过，可将其视为培训的转化效应。",
      "Pooled over the classes, the review scores of trained cadres rose {did} points more than those of the controls ({ci}, clustered by class). The pre-training trend, baseline equivalence and attrition checks all pass, so this can be read as an effect of the training."),
    m("tr.claim_association", "全部班次合并，参训干部训后考核得分比对照干部多提高 {did} 分（{ci}，按班次聚类）。但{reasons}，因此这一差异只能视为与培训相关联，不能认定为培训的效应。",
      "Pooled over the classes, the review scores of trained cadres rose {did} points more than those of the controls ({ci}, clustered by class). But {reasons}, so the difference is an association with the training, not an established effect of it."),
    m("tr.claim_na", "本年度没有可公布的合并双重差分，不对转化效应作出判断。", "No pooled DiD can be published this year; no claim about transfer is made."),
    m("tr.why_pretrend", "参训干部培训前的考核走势已与对照干部不同（联合检验 {p}）", "the trained cadres' reviews already moved differently from the controls' before the training (joint test {p})"),
    m("tr.why_pretrend_na", "培训前的考核走势无法检验（培训前考核不足）", "the trend before the training cannot be tested (too few earlier reviews)"),
    m("tr.why_baseline", "两组培训前的考核得分不等同（Hedges g = {g}）", "the two groups' reviews before the training are not equivalent (Hedges' g = {g})"),
    m("tr.why_baseline_na", "两组培训前的可比性无法判断", "the groups' comparability before the training cannot be judged"),
    m("tr.why_attrition", "训后考核的流失超出 WWC 谨慎标准（参训 {trained}、对照 {control}）", "attrition before the review after exceeds the WWC cautious boundary (trained {trained}, controls {control})"),
    m("tr.why_attrition_na", "流失无法评估", "attrition cannot be judged"),
    m("tr.why_join", "；", "; "),
    m("tr.hl_association", "转化关联（双重差分）", "Transfer association (DiD)"),
    m("tr.chart_flow", "参训学员与对照干部的流向", "Flow of trainees and controls"),
    m("tr.chart_flow_class", "本班学员与对照干部的流向", "Flow of this class's trainees and controls"),
    m("tr.flow_subtitle", "{n}；流失：参训 {trained}、对照 {control}（WWC 谨慎标准：{verdict}）", "{n}; lost: trained {trained}, controls {control} (WWC boundary: {verdict})"),
    m("tr.flow_n", "n = {trained} 人次参训、{control} 名对照", "n = {trained} enrolments, {control} controls"),
    m("tr.flow_ok", "通过", "met"),
    m("tr.flow_fail", "未通过", "not met"),
    m("tr.flow_na", "无法判断", "not judged"),
    m("tr.flow_trained", "参训学员（人次）", "Trainees (enrolments)"),
    m("tr.flow_control", "对照干部（人）", "Controls (cadres)"),
    m("tr.flow_box", "n = {n}（{share}）", "n = {n} ({share})"),
    m("stage.enrolled", "报名参训", "Enrolled"),
    m("stage.completed", "结业", "Completed"),
    m("stage.pre", "训前问卷", "Pre-training survey"),
    m("stage.post", "训后问卷", "Post-training survey"),
    m("stage.pair", "训前训后均作答", "Both surveys (pairs)"),
    m("stage.follow_3m", "训后 3 个月跟踪", "3-month follow-up"),
    m("stage.follow_6m", "训后 6 个月跟踪", "6-month follow-up"),
    m("stage.follow_12m", "训后 12 个月跟踪", "12-month follow-up"),
    m("stage.review_before", "有训前考核", "Review before"),
    m("stage.review_after", "有训前、训后考核（分析样本）", "Reviews before and after (analysed)"),
    m("stage.eligible", "符合对照条件", "Eligible as controls"),
    m("tr.chart_event", "培训前后考核得分的变化（事件研究）", "Review scores around the training (event study)"),
    m("tr.event_subtitle", "n = {trained} 名参训学员、{control} 人次对照；须线为 {level}% 置信区间（聚类）；培训前趋势检验 {p}", "n = {trained} trainees, {control} control observations; {level}% CI, clustered; pre-trend test {p}"),
    m("tr.axis_rel", "相对培训的考核（−1 为培训前最近一次）", "Review relative to the training (−1: the last before it)"),
    m("tr.axis_event", "较 −1 次考核的变化，参训减对照（分）", "Change from review −1, trained minus controls (points)"),
    m("tr.event_class", "培训", "training"),
    m("tr.table_summary", "合并双重差分与三项检验", "Pooled DiD and the three checks"),
    m("tr.summary_note", "合并双重差分为事件研究第 0 次考核的估计，参训学员按班次、对照干部按人聚类（CR2）。趋势检验为第 −3、−2 次考核估计的联合 HTZ 检验（p ≥ 0.10 通过）；流失检验采用 WWC 谨慎标准。", "The pooled DiD is the event study's estimate at review 0, clustered by class for trainees and by person for controls (CR2). The trend check is the joint HTZ test of the estimates at reviews −3 and −2 (passed at p ≥ 0.10); the attrition check uses the WWC cautious boundary."),
    m("tr.all", "全部班次", "All classes"),
    m("tr.class_claim_effect", "三项检验均通过，可视为本班培训的转化效应。", "All three checks pass: this can be read as an effect of the class."),
    m("tr.class_claim_association", "但{reasons}，这一差异只能视为与培训相关联。", "But {reasons}, so the difference is an association, not an established effect."),
    m("tr.class_few_controls", "本班对照干部不足 {min_cell} 人，不计算双重差分。", "Fewer than {min_cell} controls: no DiD for this class."),
    m("tr.method_checks", "事件研究：以培训前最近一次考核为基准（−1），取其前两次（−3、−2）和训后三次（0、+1、+2）考核，按班次堆叠参训学员与对照干部，估计各次考核参训组与对照组变化之差；参训学员按班次、对照干部按人聚类（CR2，Satterthwaite 自由度），培训前趋势以 −3、−2 两次估计的联合 HTZ 检验判断。合并双重差分即第 0 次的估计。基线等同以两组训前考核的 Hedges g 判断（WWC：|g| ≤ 0.05 等同，≤ 0.25 需调整）。流失按 WWC 第 5 版谨慎标准判断总体与差异流失。只有三项检验均通过时，报告才称双重差分为培训“效应”，否则称“关联”并说明原因。",
      "Event study: with the latest review before the class as reference (−1), the two before it (−3, −2) and three after it (0, +1, +2), trainees and controls are stacked by class and the difference between their changes is estimated at each review; trainees are clustered by class and controls by person (CR2, Satterthwaite df), and the trend before the training is judged by the joint HTZ test of the estimates at −3 and −2. The pooled DiD is the estimate at review 0. Baseline equivalence is judged by Hedges' g of the two groups' reviews before (WWC: |g| ≤ 0.05 equivalent, ≤ 0.25 adjust). Attrition is judged overall and differentially against the WWC v5.0 cautious boundary. Only when all three checks pass does the report call a DiD an \"effect\" of the training; otherwise it says \"association\" and why."),
    m("col.pretrend_p", "趋势检验 p", "Pre-trend p"),
    m("col.baseline_g", "基线 g", "Baseline g"),
    m("col.attrition_pair", "流失（参训 / 对照）", "Lost (trained / controls)"),
    m("col.wwc", "流失检验", "Attrition check"),
    m("col.claim", "结论", "Reading"),
    m("col.scope", "范围", "Scope"),
    m("claim.effect", "效应", "effect"),
    m("claim.association", "关联", "association"),
    m("baseline.equivalent", "等同", "equivalent"),
    m("baseline.adjust", "需调整", "adjust"),
    m("baseline.not_equivalent", "不等同", "not equivalent"),
    m("sec.limitations", "附录四　本年度数据的局限", "Appendix D. What this year's data cannot support"),
    m("lim.intro", "以下各项由本年度数据的检查自动生成，说明本报告的数据不能支持哪些结论。", "Generated from this year's checks: what the data of this report cannot support."),
    m("lim.self_rated", "学习成效（能力得分）来自学员本人在训前、训后和跟踪问卷中的自评，反映自我感知，并非客观测评；自评可能偏高。", "Learning (the competence score) comes from the trainees' own answers to the pre, post and follow-up surveys: it is self-perceived competence, not a test, and self-ratings can run high."),
    m("lim.self_inflation", "在双向评价中，学员自评平均比他评高 {diff} 分，自评结果应审慎解读。", "In the two-way assessment, trainees rated themselves {diff} points above the others' rating on average: read self-ratings with care."),
    m("lim.attrition", "训后考核的流失超出 WWC 谨慎标准：参训学员 {trained}、对照干部 {control}（相差 {diff} 个百分点）。流失者与留存者可能不同，训后考核的比较可能有偏。", "Attrition before the review after exceeds the WWC cautious boundary: trained {trained}, controls {control} ({diff} percentage points apart). Those lost may differ from those kept, so the comparison of reviews may be biased."),
    m("lim.attrition_classes", "{k} / {m} 个班次的流失超出 WWC 谨慎标准，这些班次的双重差分只能视为关联。", "In {k} of {m} classes attrition exceeds the WWC cautious boundary; their DiDs are associations only."),
    m("lim.pretrend", "参训干部培训前的考核走势已与对照干部不同（联合检验 {p}）：训后的差异可能部分来自原有走势，合并双重差分不能视为培训效应。", "Before the training, the trained cadres' reviews already moved differently from the controls' (joint test {p}): part of the later difference may be that trend, so the pooled DiD is not an effect of the training."),
    m("lim.pretrend_na", "培训前考核不足，无法检验培训前走势，双重差分所依赖的平行趋势假设未经检验。", "Too few earlier reviews: the trend before the training cannot be tested, so the parallel trends the DiD relies on are unchecked."),
    m("lim.baseline", "参训组与对照组培训前的考核得分不等同（Hedges g = {g}，WWC 要求 |g| ≤ 0.25）。", "The trained and control groups' reviews before the training are not equivalent (Hedges' g = {g}; WWC requires |g| ≤ 0.25)."),
    m("lim.baseline_classes", "{k} / {m} 个班次的参训组与对照组基线不等同。", "In {k} of {m} classes the trained and control groups are not equivalent at baseline."),
    m("lim.no_did", "本年度没有可公布的对照比较，训后考核的变化不能与未参训干部比较。", "No comparison with controls can be published this year: the change in reviews cannot be set against untrained cadres."),
    m("lim.few_classes", "以下培训方式的班次较少：{methods}。班次是推断的单位，关于这些方式的比较不够可靠。", "Few classes of these methods: {methods}. The class is the unit of inference, so comparisons involving them are weak."),
    m("lim.method_item", "{method}（{n} 个班次，{note}）", "{method} (classes: {n}; {note})"),
    m("lim.method_item_bare", "{method}（{note}）", "{method} ({note})"),
    m("lim.method_tests", "以下培训方式检验未能进行：{tests}。", "These tests of the methods could not be run: {tests}."),
    m("lim.test_item", "{test}（{note}）", "{test} ({note})"),
    m("lim.item_join", "；", "; "),
    // ---- raters ---------------------------------------------------------------------------
    m("ra.intro", "ICC(1) 衡量单个学员评分的一致程度，ICC(2,k) 衡量全班平均评分的可靠程度；宽严度标准差反映学员评分尺度的离散程度，数值大说明有学员明显偏宽或偏严。参照 Koo 与 Li（2016）：< 0.50 差，0.50–0.75 中等，0.75–0.90 良好，> 0.90 优秀。",
      "ICC(1) measures how far single trainees agree; ICC(2,k) how reliable the class's mean rating is. The leniency SD shows how much raters' scales differ: a large value means some raters are clearly lenient or severe. After Koo and Li (2016): < 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, > 0.90 excellent."),
    m("ra.table", "各班课程评价的评分者一致性", "Agreement of course ratings by class"),
    m("ra.table_self", "学员自评与他评（班主任、教师、同学）比较", "Self-rating against the rating by others (class manager, teachers, peers)"),
    m("ra.self_note", "差值 = 自评 − 他评，正值表示自评偏高。", "Difference = self − others; positive means trainees rate themselves higher."),
    m("ra.reading_self", "{k} / {m} 个可公布班次的学员自评显著高于他评。", "In {k} of {m} publishable classes trainees rate themselves significantly higher than others rate them."),
    m("ra.reading", "{good} / {m} 个班次的平均评分可靠性（ICC(2,k)）达到良好及以上（以置信区间下限判断）。", "In {good} of {m} classes the reliability of the mean rating (ICC(2,k)) is good or better (judged by the lower bound of its interval)."),
    m("icc.range", "{a}至{b}", "{a} to {b}"),
    m("icc.poor", "差", "poor"),
    m("icc.moderate", "中等", "moderate"),
    m("icc.good", "良好", "good"),
    m("icc.excellent", "优秀", "excellent"),
    // ---- compliance -----------------------------------------------------------------------
    m("co.intro", "按{preset}的要求核查每名干部本年度的培训天数与学时（1 天折合 {hours_per_day} 学时，天数或学时任一达标即视为达标）。个人明细只用于内部管理（见考核导出文件），本报告只公布不少于 {min_cell} 人的汇总。", "Each cadre's days and hours of training this year are checked against the requirements of the {preset} (1 day = {hours_per_day} hours; meeting either days or hours suffices). Per-person detail is for internal use only (the assessment export); this report publishes only groups of at least {min_cell} people."),
    m("co.chart", "各类别干部学时达标情况", "Training-hour compliance by cadre category"),
    m("co.axis_share", "干部占比（%）", "Share of cadres (%)"),
    m("co.subtitle", "n = {n} 名干部；每条为 100%", "n = {n} cadres; each bar is 100%"),
    m("co.met", "达标", "Met"),
    m("co.short", "参训但未达标", "Trained, short of hours"),
    m("co.none", "未参训", "No training"),
    m("co.table", "各类别干部学时达标、补训、轮训与重复培训", "Compliance, make-up, rotation and repeated training by category"),
    m("co.no_rule", "另有 {k} 名干部按所选规则没有学时要求（如企业经营管理人员、专业技术人员），未计入上述统计。", "{k} more cadres have no hour requirement under the rules (e.g. business leaders, professional staff) and are not counted above."),
    m("co.undecided", "另有 {k} 名干部适用多年滚动要求，而其考核窗口早于现有数据，尚未出现缺口，暂无法判定是否达标，未计入上述统计。", "{k} more cadres fall under a multi-year rolling requirement whose window reaches before the data and show no shortfall yet: they cannot be judged and are not counted above."),
    m("co.total", "合计", "Total"),
    m("co.reading", "{share} 的干部达到学时要求；{makeup} 人需补训，{rotation} 人轮训超期，{repeated} 人存在重复培训，{leave} 人请假超过规定比例。", "{share} of cadres met the hour requirement; {makeup} need make-up training, {rotation} are overdue for rotation, {repeated} had repeated training and {leave} exceeded the leave limit."),
    // ---- needs ----------------------------------------------------------------------------
    m("ne.intro", "将训前需求调研中学员提出的主题与班次实际开设的课程主题对照：覆盖率 = 已开设的需求主题数 ÷ 提出的需求主题数。",
      "Topics trainees asked for in the needs survey are set against the topics the class taught: coverage = requested topics taught ÷ requested topics."),
    m("ne.chart", "各班需求主题覆盖率", "Coverage of requested topics by class"),
    m("ne.axis", "覆盖率（%）", "Coverage (%)"),
    m("ne.subtitle", "n = {n} 名调研对象、{classes} 个班次", "n = {n} respondents in {classes} classes"),
    m("ne.table", "各班需求匹配情况", "Needs coverage by class"),
    m("ne.table_category", "各类别培训对象的需求匹配情况", "Needs coverage by target category"),
    m("ne.reading", "各班平均覆盖率为 {mean}；覆盖率最低的班次为“{worst}”（{worst_value}）。", "Mean coverage across classes is {mean}; the lowest is \"{worst}\" ({worst_value})."),
    // ---- trends ---------------------------------------------------------------------------
    m("tn.one_year", "仓库中只有一个年度的数据，暂无历年趋势。", "The data hold a single year: no trends yet."),
    m("tn.intro", "对 {first}—{last} 年（共 {k} 个年度）的培训作同口径比较：每年取当年开班的全部学员，均值的置信区间按班次聚类（同班学员并不相互独立）；相邻年度的变化同样按班次聚类检验。训后考核变化是受训学员本人训后与训前考核之差，没有对照组，不能视为培训效果。",
      "Training in {first}–{last} ({k} years) compared on the same basis: each year takes every trainee of the classes that started in it; the intervals of the means are clustered by class (trainees of one class are not independent), and so is the test of the change from one year held to the next. The review change is a trainee's review after the class minus the one before: without a comparison group it is not an effect of the training."),
    m("tn.chart", "历年{metric}", "{metric} by year"),
    m("tn.metric.reaction", "课程评价总分", "Course rating total"),
    m("tn.metric.learning_gain", "学习增益", "Learning gain"),
    m("tn.metric.review_change", "训后考核变化", "Review change"),
    m("tn.axis.reaction", "评价总分（0—100）", "Rating total (0–100)"),
    m("tn.axis.learning_gain", "训后减训前（分）", "Post − pre (points)"),
    m("tn.axis.review_change", "训后减训前考核（分）", "Review after − before (points)"),
    m("tn.table", "历年指标及相邻年度变化", "Figures by year and the change from the previous year"),
    m("tn.table_note", "变化 = 当年均值 − 上一有数据年度的均值，置信区间与 p 值按班次聚类（CR2）；加粗表示在所设显著性水平下不同。",
      "Change = the year's mean − the mean of the previous year held; interval and p clustered by class (CR2); bold where the change is significant at the report's level."),
    m("tn.col_metric", "指标", "Measure"),
    m("tn.col_year", "年度", "Year"),
    m("tn.col_mean", "均值", "Mean"),
    m("tn.col_change", "较上年变化", "Change"),
    m("tn.change_vs", "{d}（较 {year} 年）", "{d} (vs {year})"),
    m("tn.finding_sig", "{year} 年{metric}较 {previous} 年变化 {d} 分（{ci}，{p}），按班次聚类检验差异显著。",
      "{metric}: a change of {d} points from {previous} to {year} ({ci}, {p}), a difference that holds with classes as the unit."),
    m("tn.finding_ns", "{year} 年{metric}较 {previous} 年变化 {d} 分（{ci}，{p}），按班次聚类检验不足以认定存在变化。",
      "{metric}: a change of {d} points from {previous} to {year} ({ci}, {p}), not enough to conclude a change with classes as the unit."),
    m("tn.series_table", "跨年度重复开设的课程（课程评价总分，括号内为评价人数）", "Courses taught again across years (rating total, raters in brackets)"),
    m("tn.col_course", "课程", "Course"),
    m("tn.col_teacher", "授课教师", "Teacher"),
    m("tn.col_years", "历年评价", "Ratings by year"),
    m("tn.series_note", "同一课程编号在两个以上年度开设，或课程名称与授课教师相同，视为同一课程；按开设年数排列，列出 {shown} 门（共 {total} 门），完整列表见指标工作簿。",
      "A course recurs when its course id is taught in two or more years, or its title and teacher are the same; ordered by the number of years, {shown} of {total} shown; the full list is in the indicators workbook."),
    // ---- classes --------------------------------------------------------------------------
    m("cl.table", "本年度培训班", "Classes of the year"),
    m("cl.open", "查看", "open"),
    // ---- column headers ---------------------------------------------------------------------
    m("col.class", "培训班", "Class"),
    m("col.class_id", "班次编号", "Class id"),
    m("col.title", "班次名称", "Title"),
    m("col.course", "课程", "Course"),
    m("col.teacher", "教师", "Teacher"),
    m("col.method", "培训方式", "Method"),
    m("col.category", "干部类别", "Category"),
    m("col.institution", "承办机构", "Institution"),
    m("col.dates", "起止日期", "Dates"),
    m("col.days", "天数", "Days"),
    m("col.hours", "学时", "Hours"),
    m("col.page", "班次报告", "Class report"),
    m("col.n", "人数", "n"),
    m("col.n_raters", "评价人数", "Raters"),
    m("col.total", "总分", "Total"),
    m("col.ci", "置信区间", "CI"),
    m("col.design_effect", "设计效应", "Design effect"),
    m("col.omega", "McDonald's ω", "McDonald's ω"),
    m("col.ci_clustered", "置信区间（按班次聚类）", "CI (clustered by class)"),
    m("col.in_tests", "检验", "Tested"),
    m("col.role", "作用", "Role"),
    m("col.share_excellent", "优秀率（≥ 90）", "Share ≥ 90"),
    m("col.rank_year", "年度排名", "Rank in year"),
    m("col.rank_class", "班内排名", "Rank in class"),
    m("col.n_pairs", "配对人数", "Pairs"),
    m("col.pre", "训前", "Pre"),
    m("col.post", "训后", "Post"),
    m("col.gain", "增益", "Gain"),
    m("col.d_z", "d_z", "d_z"),
    m("col.p_t", "p (t)", "p (t)"),
    m("col.p_w", "p (W)", "p (W)"),
    m("col.hake", "Hake g", "Hake g"),
    m("col.improved", "提高占比", "Improved"),
    m("col.scale", "量表", "Scale"),
    m("col.wave", "测量时点", "Wave"),
    m("col.k_items", "题目数", "Items"),
    m("col.alpha", "Cronbach's α", "Cronbach's α"),
    m("col.n_classes", "班次数", "Classes"),
    m("col.n_trainees", "学员数", "Trainees"),
    m("col.mean_gain", "平均增益", "Mean gain"),
    m("col.sd", "标准差", "SD"),
    m("col.test", "检验", "Test"),
    m("col.statistic", "统计量", "Statistic"),
    m("col.p", "p 值", "p"),
    m("col.effect", "η²", "η²"),
    m("col.pair", "比较", "Comparison"),
    m("col.diff", "差值", "Difference"),
    m("col.se", "标准误", "SE"),
    m("col.t", "t", "t"),
    m("col.p_raw", "未校正 p", "p (raw)"),
    m("col.p_holm", "Holm 校正 p", "p (Holm)"),
    m("col.p_bh", "BH 校正 p", "p (BH)"),
    m("col.conclusion", "结论（Holm）", "Reading (Holm)"),
    m("col.n_trained", "参训人数", "Trained"),
    m("col.n_followed", "跟踪人数", "Followed"),
    m("col.attrition", "流失率", "Attrition"),
    m("col.before", "训前考核", "Before"),
    m("col.after", "训后考核", "After"),
    m("col.delta", "变化", "Change"),
    m("col.control_n", "对照人数", "Controls"),
    m("col.control_delta", "对照组变化", "Control Δ"),
    m("col.did", "双重差分", "DiD"),
    m("col.n_courses", "课程数", "Courses"),
    m("col.icc1", "ICC(1)", "ICC(1)"),
    m("col.icc2k", "ICC(2,k)", "ICC(2,k)"),
    m("col.leniency", "宽严度标准差", "Leniency SD"),
    m("col.reading", "评价", "Reading"),
    m("col.follow", "跟踪得分", "Follow-up"),
    m("col.retention", "保持率", "Retention"),
    m("col.self", "自评", "Self"),
    m("col.others", "他评", "Others"),
    m("col.rank", "排名", "Rank"),
    m("col.cadres", "干部数", "Cadres"),
    m("col.met_share", "达标率", "Met"),
    m("col.makeup", "需补训", "Make-up"),
    m("col.rotation", "轮训超期", "Rotation overdue"),
    m("col.repeated", "重复培训", "Repeated"),
    m("col.leave", "请假超限", "Leave over limit"),
    m("col.mean_hours", "人均学时", "Mean hours"),
    m("col.respondents", "调研人数", "Respondents"),
    m("col.requested", "需求主题数", "Topics requested"),
    m("col.taught", "开设主题数", "Topics taught"),
    m("col.coverage", "覆盖率", "Coverage"),
    m("col.unmet", "未覆盖的需求主题", "Unmet topics"),
    m("col.input", "输入表", "Input"),
    m("col.read", "读取", "Read"),
    m("col.accepted", "接收", "Accepted"),
    m("col.rejected", "拒收", "Rejected"),
    m("col.superseded", "被替换", "Superseded"),
    m("col.written", "写入", "Written"),
    m("col.reject_share", "拒收率", "Rejected share"),
    m("col.reason", "原因", "Reason"),
    m("col.count", "行数", "Rows"),
    m("col.file", "文件", "File"),
    m("col.encoding", "编码", "Encoding"),
    m("col.sha", "SHA-256（前 12 位）", "SHA-256 (first 12)"),
    // ---- class facts --------------------------------------------------------------------------
    m("fact.id", "班次编号", "Class id"),
    m("fact.category", "培训对象", "Trainees"),
    m("fact.method", "主要培训方式", "Main method"),
    m("fact.institution", "承办机构", "Institution"),
    m("fact.dates", "起止日期", "Dates"),
    m("fact.hours", "天数 / 学时", "Days / hours"),
    m("fact.enrolled", "参训人数", "Enrolled"),
    m("fact.courses", "课程数", "Courses"),
    // ---- methodology ----------------------------------------------------------------------------
    m("mt.intro", "本附录列出报告中每个指标的定义、公式与约定。参数取自本次运行的流水线配置。", "This appendix gives the definition, formula and conventions of every figure in the report, with the parameters of this run's pipeline."),
    m("mt.scores.t", "量表得分", "Scale scores"),
    m("mt.scores.b", "学员在某量表上的得分为各题得分的平均（反向题先按 x → min + max − x 反向计分），换算为 0–100 分：100 ×（均值 − min）÷（max − min）；缺答超过一半题目的不计分。同一学员同一时点重复提交的，以最后一次为准。",
      "A trainee's score on a scale is the mean of its items after reverse-coding (x → min + max − x), rescaled to 0–100 as 100 × (mean − min) ÷ (max − min); a trainee missing more than half of the items has no score. When a trainee answers a wave twice the latest submission counts."),
    m("mt.reaction.t", "课程评价（一级：反应）", "Course ratings (level 1: reaction)"),
    m("mt.reaction.b", "总分 = 五项指标之和（每项 0–20 分）。均值的置信区间为 t 区间 x̄ ± t(1−α/2, n−1) · s/√n。优秀率为总分 ≥ 90 的评价所占比例。排名按均值从高到低，并列者取相同的最小名次（SQL RANK）；年度排名在开班的同一日历年内进行。",
      "Total = sum of the five indicators (each 0–20). The confidence interval of a mean is the t interval x̄ ± t(1−α/2, n−1) · s/√n. The excellent share is the share of ratings with total ≥ 90. Ranks are by mean, descending; ties share the lowest rank (SQL RANK); the year rank is within the calendar year the class starts."),
    m("mt.learning.t", "学习成效（二级：学习）", "Learning (level 2)"),
    m("mt.learning.b", "配对差 d = 训后 − 训前。每个班次：配对 t = d̄ ÷ (s_d/√n)，自由度 n − 1，双侧 p；效应量 d_z = d̄ ÷ s_d，其置信区间由非中心 t 分布反推（与 R 的 MBESS/effectsize 相同）；Hedges g_z = d_z × (1 − 3 ÷ (4(n − 1) − 1))；d_av = d̄ ÷ ((s_训前 + s_训后)/2)。Wilcoxon 符号秩检验：V 为正差值的秩和，p 值按 scipy 默认规则（剔除零差值、不做连续性校正，小样本无结时用精确分布）。Hake 标准化增益 ⟨g⟩ = (训后均值 − 训前均值) ÷ (100 − 训前均值)；个人增益 (训后 − 训前) ÷ (100 − 训前) 仅对训前 < 100 者计算。提高者占比按四舍五入到 9 位小数后差值 > 0 计算。跨班次合并的行（按类别、方式、年度）见“以班次为单位的推断”。",
      "Paired difference d = post − pre. For each class: paired t = d̄ ÷ (s_d/√n) on n − 1 df, two-sided p; effect size d_z = d̄ ÷ s_d, its interval found by inverting the noncentral t distribution (as R's MBESS/effectsize); Hedges' g_z = d_z × (1 − 3 ÷ (4(n − 1) − 1)); d_av = d̄ ÷ ((s_pre + s_post)/2). Wilcoxon signed-rank test: V is the sum of ranks of positive differences, p by scipy's default rule (zero differences dropped, no continuity correction, exact for small samples without ties). Hake's normalised gain ⟨g⟩ = (post mean − pre mean) ÷ (100 − pre mean); the individual gain (post − pre) ÷ (100 − pre) only for pre < 100. Share improved counts differences > 0 after rounding to 9 decimals. Rows pooled over classes (by category, method, year): see \"The class as the unit of inference\"."),
    m("mt.reliability.t", "信度", "Reliability"),
    m("mt.reliability.b", "Cronbach's α = k/(k − 1) × (1 − Σ s²ᵢ ÷ s²ₓ)，按量表与测量时点计算，各班合并，只用答全所有题目的学员（列表删除）；置信区间按 Feldt（1965）的 F 分布方法。McDonald's ω 取单因子模型（最小残差法）：ω = (Σλ)² ÷ ((Σλ)² + Σψ)；因子解不收敛或出现负残差方差（Heywood 情形）时不报告。",
      "Cronbach's α = k/(k − 1) × (1 − Σ s²ᵢ ÷ s²ₓ), by scale and wave, all classes pooled, respondents who answered every item (listwise); its interval by Feldt's (1965) F method. McDonald's ω from a one-factor model (minimum residuals): ω = (Σλ)² ÷ ((Σλ)² + Σψ); not reported when the factor solution does not converge or gives a negative residual variance (a Heywood case)."),
    m("mt.raters.t", "评分者一致性与宽严度", "Rater agreement and leniency"),
    m("mt.raters.b", "以课程为评价对象、学员为评分者，只用评了本班全部课程的学员（剔除评分者，不剔除课程）。ICC(1) 为单向随机效应、单个评分者的组内相关；ICC(2,k) 为双向随机效应、k 个评分者平均的组内相关（Shrout 与 Fleiss，1979），置信区间按 McGraw 与 Wong（1996）的 F 分布方法。可靠性等级按 Koo 与 Li（2016）：< 0.5 差、0.5–0.75 中等、0.75–0.9 良好、> 0.9 优秀，并按他们的建议以置信区间判断（区间跨两级时写作“中等至良好”）。宽严度 = 每名评分者的均分减全班总均分，报告其标准差（n − 1）。",
      "Courses are the targets and trainees the raters; only raters who rated every course of the class count (raters are dropped, not courses). ICC(1) is the one-way random-effects ICC of a single rater; ICC(2,k) the two-way random-effects ICC of the mean of k raters (Shrout & Fleiss 1979), with McGraw & Wong's (1996) F intervals. Bands follow Koo & Li (2016): < 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, > 0.9 excellent, judged by the interval as they advise (an interval across two bands reads \"moderate to good\"). Leniency = each rater's mean minus the class's grand mean; its sd (n − 1) is reported."),
    m("mt.transfer.t", "成果转化（三级：行为）", "Transfer (level 3: behaviour)"),
    m("mt.transfer.b", "考核得分为德、能、勤、绩、廉五项的平均。训前考核为开班日期前最近一次，训后考核为结业 {lag} 天后的第一次。流失率 = 1 − 跟踪人数 ÷ 参训人数。对照组为同一类别、本年度及前 {washout} 年没有参加任何培训、且自己的两次考核之间也没有参训的干部，按本班的日期取其考核。DiD = 参训组平均变化 − 对照组平均变化，置信区间按 Welch 方法计算；各班 p 值经 Benjamini–Hochberg 校正。",
      "A review score is the mean of its five dimensions (morality, ability, diligence, achievement, integrity). The review before is the latest before the class starts; the review after the first at least {lag} days after it ends. Attrition = 1 − followed ÷ trained. Controls are cadres of the class's target category trained neither this year nor in the {washout} year(s) before, nor between their own two reviews, their reviews taken at the class's dates. DiD = mean change of the trained − mean change of the controls, with a Welch interval; the classes' p-values are adjusted by Benjamini–Hochberg."),
    m("mt.followup.t", "训后跟踪", "Follow-up"),
    m("mt.followup.b", "训后 3、6、12 个月的跟踪问卷使用与训前、训后相同的能力量表；每个时点只统计在该时点有得分的学员，因此各点人数不同，流失可能使后期均值偏高。",
      "The 3-, 6- and 12-month follow-up surveys use the same competence scale as pre and post; each wave counts the trainees scored at that wave, so the n differs from point to point and attrition may flatter later means."),
    m("mt.methods.t", "培训方式比较", "Comparing methods"),
    m("mt.methods.b", "培训方式按班次安排，因此比较以班次为单位。主要检验：班次层面的协方差分析，每个班次一个观测值（该班配对学员的训前、训后平均分），班次训后均分 ~ 班次训前均分 + 培训方式（另可加配置的班次协变量），用普通最小二乘估计，对培训方式项做 F 检验，效应量为偏 η²；两两比较取自同一模型（t 检验，自由度为残差自由度，附置信区间），p 值在全部组合上做 Holm 与 Benjamini–Hochberg 校正。稳健性检验：班次平均增益的 Kruskal–Wallis 检验；学员层面的协方差分析（训后 ~ 训前 + 培训方式），按班次聚类的 CR2 稳健协方差与 HTZ 检验。只有至少 {min_classes} 个班次采用的方式参加检验（少于 5 个班次的注明）；其余方式只列描述统计。无法估计的检验不给数值，注明原因，此时也不公布两两比较。以学员为单位的方差分析、Welch 方差分析和 Kruskal–Wallis 检验不再使用：模拟显示，在各方式实际效果相同时，它们在 65%–80% 的年份报告“显著差异”。",
      "Methods are assigned to classes, so the comparison counts classes. Primary test: an ANCOVA on class means, each class one observation (the mean pre and post score of its paired trainees), class mean post ~ class mean pre + method (plus the configured class covariates), ordinary least squares, an F test of the method terms with partial η²; pairwise comparisons from the same model (t on the residual df, with intervals), Holm and Benjamini–Hochberg adjusted over all pairs. Robustness checks: a Kruskal–Wallis test on the class mean gains; the trainee-level ANCOVA (post ~ pre + method) with CR2 standard errors clustered by class and the HTZ test. Only methods taught in at least {min_classes} classes are tested (those in fewer than 5 are flagged); the others are summarised only. A test that cannot be estimated gives no figures but its reason, and then no pairwise comparisons are published. Trainee-level ANOVA, Welch's ANOVA and Kruskal–Wallis are no longer used: in simulations where every method had the same effect they reported a \"significant difference\" in 65–80% of the years."),
    m("mt.inference.t", "以班次为单位的推断", "The class as the unit of inference"),
    m("mt.inference.b", "同一班次的学员由同一批教师在同一段时间、和同一批同学一起培训，彼此并不独立；把他们当作互不相关的个体，会把不确定性算小，把偶然差异误报为显著。因此：（1）跨班次合并的数字（按类别、方式、年度的学习成效，总体增益，能力变化曲线）的置信区间按班次聚类，用 CR2（Bell 与 McCaffrey）稳健标准误和 Satterthwaite 自由度，班次少时区间会明显变宽；同时报告组内相关系数（班次之间差异占总差异的比例）和设计效应 = 1 +（每班平均人数 − 1）× 组内相关系数，即聚类使方差放大的倍数。（2）比较培训方式时每个班次算一个观测值（见“培训方式比较”）。（3）同时检验许多班次时，部分班次会因偶然而“显著”；报告按 Benjamini–Hochberg 方法对全部公布班次的 p 值校正（控制错误发现率），并按校正后的 p 值统计显著班次数。（4）HTZ 检验（Pustejovsky 与 Tipton，2018）是聚类稳健检验的小样本修正，班次少时偏保守。以上方法在模拟中检验过：在各培训方式效果相同的 200 个模拟年度中，班次协方差分析的误报率为 6%，HTZ 检验为 1%，Holm 校正后任一两两比较显著的比例为 2.5%。",
      "Trainees of a class are trained by the same teachers, at the same time and with the same peers: they are not independent, and treating them as if they were understates the uncertainty and reports chance differences as significant. So: (1) figures pooled over classes (learning by category, method and year, the headline gain, the competence trajectory) have intervals clustered by class, with CR2 (Bell & McCaffrey) standard errors and Satterthwaite degrees of freedom, which widen markedly when classes are few; they also report the intraclass correlation (the share of the variation that lies between classes) and the design effect = 1 + (mean trainees per class − 1) × intraclass correlation, how much the clustering inflates the variance. (2) Methods are compared with each class as one observation (see \"Comparing methods\"). (3) When many classes are tested at once some will be \"significant\" by chance; the report adjusts the classes' p-values by Benjamini–Hochberg over the published classes (controlling the share of false discoveries) and counts significant classes by the adjusted p. (4) The HTZ test (Pustejovsky & Tipton 2018) is a small-sample correction of the cluster-robust test; it is conservative when classes are few. These methods were checked by simulation: over 200 simulated years in which every method had the same effect, the class ANCOVA reported a difference in 6% of the years, the HTZ test in 1%, and some Holm-adjusted pair in 2.5%."),
    m("mt.compliance.t", "学时达标", "Training-hour compliance"),
    m("mt.compliance.b", "规则：{preset}。天数与学时只计已结业的班次；1 天 = {hours_per_day} 学时；请假超过班次学时的 {leave_share} 视为超限；连续 {rotation_years} 年未参加集中培训（网络培训以外的方式）的领导干部列为轮训超期；{repeat_years} 年内同一主题培训两次及以上视为重复培训。年度规则与滚动窗口规则均以天数或学时任一达标为准。",
      "Rules: the {preset}. Days and hours count completed classes only; 1 day = {hours_per_day} hours; leave above {leave_share} of a class's hours exceeds the limit; leaders with no centralised (non-online) class in {rotation_years} years are overdue for rotation; the same topic twice within {repeat_years} years is repeated training. Annual and rolling-window rules are met by days or by hours."),
    m("mt.rules", "适用规则：{rules}。", "Rules applied: {rules}."),
    m("mt.rule", "“{name}”：{window} 年内不少于 {days} 天{hours}", "\"{name}\": at least {days} days{hours} in {window} year(s)"),
    m("mt.rule_hours", "或 {hours} 学时", " or {hours} hours"),
    m("mt.rule_for", "（适用于 {who}）", " (for {who})"),
    m("mt.preset.regulation-2023", "依据《干部教育培训工作条例》（2023）第十四、十五条：县处级以上领导干部每 5 年参加累计不少于 3 个月或 550 学时的脱产培训；乡科级领导干部和一级主任科员以下公务员每年参加累计不少于 12 天或 90 学时的培训。", "From the 2023 Regulations on Cadre Education and Training, art. 14–15: county/division-level leaders and above at least 3 months or 550 class hours of off-job training in every rolling 5 years; township/section-level leaders and civil servants at or below first-grade principal staff member at least 12 days or 90 class hours a year."),
    m("mt.preset.seeds", "依据基层党校通行做法：县处级领导干部每年不少于 12 天；中层干部、公务员、村党组织书记每年不少于 5 天；领导干部每 3–5 年轮训一遍。", "From common party-school practice: department-level leaders at least 12 days a year; middle-level cadres, civil servants and village Party secretaries at least 5 days a year; leaders rotated through centralised classes every 3–5 years."),
    m("mt.preset.none", "未启用预设规则。", "No preset rules."),
    m("mt.needs.t", "需求匹配", "Needs coverage"),
    m("mt.needs.b", "需求主题来自训前需求调研中的多选题；覆盖率 = 班次课程主题中包含的需求主题数 ÷ 学员提出的需求主题数。",
      "Requested topics come from the multiple-choice items of the needs survey; coverage = requested topics among the class's course topics ÷ requested topics."),
    m("mt.scorecard.t", "干部成果转化指数", "Cadre transformation index"),
    m("mt.scorecard.b", "学习成效取残差增益（同类别内训后得分对训前得分回归的残差，按其信度向 0 收缩），培训考核（班主任、教师、同学评价）与训后考核变化各自标准化为 z 分数，与学时达标得分加权合成：学习 {w_learning}、考核 {w_assessment}、转化 {w_transfer}、达标 {w_compliance}，缺项时在可得项间重新归一。每一分项附其信度，指数附标准误。另给出同类别内百分位与等级（A/B/C/D，百分位切点 {bands}）及真实指数落在该等级内的概率；指数少于两个分项、某分项信度未知或指数信度低于 {min_rel} 时不给等级并注明原因。个人指数只导入考核系统（导出文件附权重与各分项定义），不在本报告公布。",
      "Learning is the residual gain (the post score's residual on the pre score within the category, shrunk toward 0 by its reliability); it, the trainee assessment (class manager, teachers, peers) and the review change are standardised to z scores and combined with the compliance score with weights learning {w_learning}, assessment {w_assessment}, transfer {w_transfer}, compliance {w_compliance}, renormalised over the components present. Each component carries its reliability and the index its standard error. The percentile within the category gives the band (A/B/C/D, cut-offs {bands}) with the probability that the true index lies in that band; no band is given, with the reason, when the index rests on fewer than two components, a component's reliability is unknown, or the index reliability is below {min_rel}. Individual indices go to the assessment system only (the export lists the weights and what each component means) and are not published here."),
    m("mt.suppression.t", "小单元保护", "Small-cell suppression"),
    m("mt.suppression.b", "描述少于 {min_cell} 人的行不公布任何统计量，也不公布人数（表中显示“< {min_cell}”）。仅此还不够：合并行（某方式、某类别、全年）减去已公布的班次，就能算出被保护的班次。因此在每个公布的合并行中，被保护的成员不会只有一个，也不会合计少于 {min_cell} 人：否则把人数最少的另一个成员也一并保护（补充抑制，表中显示“‡”），没有可保护的成员时就保护合并行本身。分布图（箱线图、个人得分点）只对不少于 {min_distribution_n} 人的组绘制。个人层面的数据（学时达标、转化指数）只以不少于 {min_cell} 人的汇总出现。",
      "A row describing fewer than {min_cell} people publishes no statistic and no count (tables show \"< {min_cell}\"). That alone is not enough: a pooled row (a method, a category, the year) minus the published classes would give the withheld class back. So in every published pooled row the withheld members are never one alone, nor fewer than {min_cell} people together: otherwise the smallest other member is withheld as well (complementary suppression, shown as \"‡\"), or the pooled row itself when no member is left. Distributions (box plots, individual scores) are drawn only for groups of at least {min_distribution_n} people. Person-level data (hour compliance, the transformation index) appear only as summaries of at least {min_cell} people."),
    m("mt.significance.t", "显著性与数字格式", "Significance and number format"),
    m("mt.significance.b", "显著性水平 α = {alpha}，置信区间为 {level}%，p 值均为双侧，小于 0.001 时记为“< 0.001”。均值保留 1 位小数，效应量、相关与标准化增益保留 2 位，p 值保留 3 位，比例以百分数表示。",
      "Significance level α = {alpha}; intervals are {level}%; p-values are two-sided and shown as \"< 0.001\" below 0.001. Means have 1 decimal; effect sizes, correlations and normalised gains 2; p-values 3; shares are percentages."),
    m("mt.references.t", "参考文献", "References"),
    m("mt.references.b", "Kirkpatrick D. L., Kirkpatrick J. D. (2006) Evaluating Training Programs；Hake R. R. (1998) Am. J. Phys. 66:64；Shrout P. E., Fleiss J. L. (1979) Psychol. Bull. 86:420；McGraw K. O., Wong S. P. (1996) Psychol. Methods 1:30；Koo T. K., Li M. Y. (2016) J. Chiropr. Med. 15:155；Feldt L. S. (1965) Psychometrika 30:357；McDonald R. P. (1999) Test Theory；Holm S. (1979) Scand. J. Stat. 6:65；Benjamini Y., Hochberg Y. (1995) JRSS B 57:289；Bell R. M., McCaffrey D. F. (2002) Surv. Methodol. 28:169；Pustejovsky J. E., Tipton E. (2018) J. Bus. Econ. Stat. 36:672；Cameron A. C., Miller D. L. (2015) J. Hum. Resour. 50:317；《干部教育培训工作条例》（2023）。",
      "Kirkpatrick D. L., Kirkpatrick J. D. (2006) Evaluating Training Programs; Hake R. R. (1998) Am. J. Phys. 66:64; Shrout P. E., Fleiss J. L. (1979) Psychol. Bull. 86:420; McGraw K. O., Wong S. P. (1996) Psychol. Methods 1:30; Koo T. K., Li M. Y. (2016) J. Chiropr. Med. 15:155; Feldt L. S. (1965) Psychometrika 30:357; McDonald R. P. (1999) Test Theory; Holm S. (1979) Scand. J. Stat. 6:65; Benjamini Y., Hochberg Y. (1995) JRSS B 57:289; Bell R. M., McCaffrey D. F. (2002) Surv. Methodol. 28:169; Pustejovsky J. E., Tipton E. (2018) J. Bus. Econ. Stat. 36:672; Cameron A. C., Miller D. L. (2015) J. Hum. Resour. 50:317; Regulations on Cadre Education and Training (2023)."),
    // ---- data quality ---------------------------------------------------------------------------
    m("dq.pseudonymised", "干部编号已按 HMAC-SHA256 假名化。", "Cadre ids are pseudonymised with HMAC-SHA256."),
    m("dq.intro", "下表列出每个输入表读取、接收、拒收和被替换（同一学员重复提交问卷，以最后一次为准）的源数据行数；读取 = 接收 + 拒收 + 被替换。拒收的行连同文件、行号、列和原因保存在 warehouse/_rejects/。",
      "Source rows read, accepted, rejected and superseded (a repeated survey submission replaced by the trainee's latest) per input; read = accepted + rejected + superseded. Every rejected row is kept with its file, row, column and reason in warehouse/_rejects/."),
    m("dq.table_counts", "各输入表的行数", "Rows by input"),
    m("dq.table_reasons", "拒收原因", "Reasons for rejection"),
    m("dq.table_files", "输入文件", "Input files"),
    m("dq.warnings", "提示", "Warnings"),
    m("dq.warning", "{text}", "{text}"),
    m("dq.none_rejected", "没有拒收的行。", "No row was rejected."),
    m("dq.no_manifest", "数据仓库清单（_manifest.json）不可用，无法列出数据质量。", "The warehouse manifest (_manifest.json) is not available, so data quality cannot be shown."),
    m("dq.reading", "共读取 {read} 行源数据，接收 {accepted} 行，拒收 {rejected} 行（{share}），被替换 {superseded} 行。", "{read} source rows were read: {accepted} accepted, {rejected} rejected ({share}), {superseded} superseded."),
    m("reason.truncated_row", "行被截断（文件在引号字段内结束）", "row cut off (file ends inside a quoted field)"),
    m("reason.bad_shape", "字段数与表头不符", "field count differs from the header"),
    m("reason.missing_value", "必填值缺失", "missing value"),
    m("reason.unknown_id", "编号不存在", "unknown id"),
    m("reason.not_enrolled", "未报名该班", "not enrolled"),
    m("reason.bad_date", "日期无效", "bad date"),
    m("reason.bad_number", "数字无效", "bad number"),
    m("reason.bad_value", "取值不在允许范围", "value not allowed"),
    m("reason.out_of_range", "数值越界", "out of range"),
    m("reason.speeder", "答题过快", "speeder"),
    m("reason.duplicate_key", "重复记录", "duplicate key"),
    // ---- issue 28: footnotes, missing data in words, summaries at scale, L4, glossary ----
    m("fn.withheld", "不予公布：该行少于 {min_cell} 人，或为保护这样的行而一并不公布。", "withheld: the row describes fewer than {min_cell} people, or is withheld to protect such a row."),
    m("fn.not_computable", "无法计算：人数太少、没有变异，或没有可比较的对象（如第一个年度没有上一年）。", "not computable: too few people, no variation, or nothing to compare with (e.g. no previous year)."),
    m("fn.not_collected", "未收集：输入数据中没有这一项。", "not collected: the input data do not include it."),
    m("doc.na_input", "没有{inputs}数据，因此没有{what}。", "Not provided: {inputs}; so there are no {what}."),
    m("doc.na_input_class", "没有{inputs}数据，本班这一部分没有结果。", "Not provided: {inputs}; so this part has no results for the class."),
    m("doc.na_class", "本班没有这一部分的数据。", "There are no data on this for the class."),
    m("what.other", "本节所需的结果", "results this section needs"),
    m("what.learning_by_class", "各班学习成效", "learning results by class"),
    m("what.learning_by_category", "各类别干部的学习成效", "learning results by category"),
    m("what.learning_by_method", "各培训方式的学习成效", "learning results by method"),
    m("what.learning_by_year", "年度学习增益", "yearly learning gains"),
    m("what.reaction_by_course", "课程评价结果", "course rating results"),
    m("what.reaction_by_class", "各班课程评价", "course ratings by class"),
    m("what.rater_agreement", "评分者一致性结果", "rater agreement results"),
    m("what.reliability", "量表信度", "scale reliabilities"),
    m("what.transfer_by_class", "各班训后考核变化", "review changes by class"),
    m("what.participant_flow", "参训学员与对照干部的流向", "participant flow figures"),
    m("what.transfer_event_study", "事件研究结果", "event-study estimates"),
    m("what.transfer_summary", "合并双重差分结果", "pooled difference-in-differences results"),
    m("what.method_summary", "各培训方式的学习增益", "learning gains by method"),
    m("what.method_tests", "培训方式的检验", "tests of the methods"),
    m("what.method_pairwise", "培训方式的两两比较", "pairwise comparisons of the methods"),
    m("what.compliance", "学时达标核查结果", "training-hour compliance results"),
    m("what.needs_match", "需求匹配结果", "needs coverage results"),
    m("what.needs_by_category", "各类培训对象的需求匹配", "needs coverage by category"),
    m("what.cadre_scorecard", "干部成果转化指数", "cadre transformation indices"),
    m("what.follow_up", "训后跟踪结果", "follow-up results"),
    m("what.trajectory", "能力保持轨迹", "competence trajectories"),
    m("what.assessment_by_class", "学员自评与他评的比较", "self-rating comparisons"),
    m("what.trends", "历年趋势", "trends over the years"),
    m("what.course_series", "跨年度重复开设的课程", "courses taught again across years"),
    m("what.unit_results", "单位绩效变化", "unit results"),
    m("what.unit_results_fit", "单位绩效与参训比例的关系", "unit results against the share trained"),
    m("what.classes", "培训班名录", "class records"),
    m("what.courses", "课程名录", "course records"),
    m("what.enrollments", "报名与考勤记录", "enrolment records"),
    m("what.trainee_outcomes", "学员得分", "trainee scores"),
    m("doc.missing_title", "本年度缺少的数据", "Data missing this year"),
    m("doc.missing_all", "未提供{input}：报告的几乎所有部分都因此为空。", "Not provided: {input}. Nearly every part of the report is therefore empty."),
    m("doc.missing_empty", "未提供{input}：{parts}部分因此为空。", "Not provided: {input}. The parts on {parts} are therefore empty."),
    m("doc.missing_thin", "未提供{input}：{parts}部分因此不完整。", "Not provided: {input}. The parts on {parts} are therefore incomplete."),
    m("doc.missing_both", "未提供{input}：{parts}部分因此为空，{thin}部分不完整。", "Not provided: {input}. The parts on {parts} are therefore empty, and those on {thin} incomplete."),
    m("part.headline", "主要指标", "headline figures"),
    m("part.reaction", "课程反应评估", "course reaction"),
    m("part.learning", "学习成效", "learning"),
    m("part.methods", "培训方式比较", "training methods"),
    m("part.transfer", "成果转化", "transfer to the job"),
    m("part.results", "单位绩效", "unit results"),
    m("part.raters", "评价一致性", "rater agreement"),
    m("part.compliance", "学时达标", "training hours"),
    m("part.needs", "需求匹配", "needs coverage"),
    m("part.trends", "历年趋势", "trends"),
    m("doc.dist_summary", "{noun}：{m} 个可公布班次的中位数为 {median}，中间一半的班次在 {q1} 至 {q3} 之间。", "Across the {m} publishable classes the median {noun} is {median}; the middle half of them lie between {q1} and {q3}."),
    m("doc.dist_withheld", "另有 {k} 个班次人数不足或无法计算，结果不予公布，未计入分布与排名。", "{k} more classes are too small to publish or have no result, and are left out of the distribution and the rankings."),
    m("doc.dist_none", "没有可公布的班次：全部 {n} 个班次的{noun}均不予公布或无法计算。", "No class can be shown: the {noun} of all {n} classes is withheld or not computable."),
    m("doc.hist_title", "各班{noun}的分布", "Distribution of the classes' {noun}"),
    m("doc.hist_subtitle", "n = {m} 个可公布的班次；柱上数字为班次数", "n = {m} publishable classes; the number above a bar counts its classes"),
    m("doc.hist_count", "班次数", "Classes"),
    m("doc.rank_all", "全部 {m} 个可公布班次的{noun}（从高到低）", "All {m} publishable classes by {noun}, highest first"),
    m("doc.rank_top", "{noun}最高的 {k} 个班次", "The {k} classes with the highest {noun}"),
    m("doc.rank_bottom", "{noun}最低的 {k} 个班次", "The {k} classes with the lowest {noun}"),
    m("doc.full_pages_book", "全部 {n} 个班次的完整结果见各班次报告（点击表中的班次名称）和指标工作簿 indicators/indicators.xlsx。", "The full results of all {n} classes are on the class pages (click a class title) and in the indicators workbook, indicators/indicators.xlsx."),
    m("doc.full_pages_files", "全部 {n} 个班次的完整结果见各班次报告（点击表中的班次名称）和 indicators 文件夹中的指标数据表。", "The full results of all {n} classes are on the class pages (click a class title) and in the indicator tables of the indicators folder."),
    m("doc.full_book", "全部 {n} 个班次的完整结果见指标工作簿 indicators/indicators.xlsx。", "The full results of all {n} classes are in the indicators workbook, indicators/indicators.xlsx."),
    m("doc.full_files", "全部 {n} 个班次的完整结果见 indicators 文件夹中的指标数据表。", "The full results of all {n} classes are in the indicator tables of the indicators folder."),
    m("doc.full_units_book", "全部 {n} 个单位的完整结果见指标工作簿 indicators/indicators.xlsx。", "The full results of all {n} units are in the indicators workbook, indicators/indicators.xlsx."),
    m("doc.full_units_files", "全部 {n} 个单位的完整结果见 indicators 文件夹中的指标数据表。", "The full results of all {n} units are in the indicator tables of the indicators folder."),
    m("le.noun", "平均学习增益", "mean learning gain"),
    m("re.noun_class", "课程评价均分", "course rating"),
    m("tr.noun", "双重差分", "difference in differences"),
    m("ne.noun", "需求主题覆盖率", "coverage of requested topics"),
    m("ra.noun", "平均评分的可靠性 ICC(2,k)", "reliability of the mean rating, ICC(2,k)"),
    m("ra.axis", "ICC(2,k)", "ICC(2,k)"),
    m("ra.noun_self", "自评与他评之差", "self-rating minus others' rating"),
    m("ra.axis_self", "自评 − 他评（分）", "Self − others (points)"),
    m("cl.summary", "本年度共 {n} 个班次、{hours} 学时；每班参训人数的中位数为 {median} 人（最少 {min} 人，最多 {max} 人）。", "{n} classes with {hours} class hours this year; the median class has {median} trainees (from {min} to {max})."),
    m("cl.hist_title", "各班参训人数的分布", "Distribution of class sizes"),
    m("cl.hist_subtitle", "n = {m} 个班次；柱上数字为班次数", "n = {m} classes; the number above a bar counts its classes"),
    m("cl.hist_axis", "每班参训人数（人次）", "Trainees per class (enrolments)"),
    m("cl.table_method", "各培训方式的班次", "Classes by method"),
    m("cl.table_category", "各类培训对象的班次", "Classes by target category"),
    m("le.reliability_note", "α 达到 0.70 一般可以接受；区间按 Feldt 方法计算，ω 为单因子模型的估计。", "An α of 0.70 or more is usually acceptable; intervals by Feldt's method; ω from a one-factor model."),
    m("le.alpha_low_outcome", "“{scale}”（{wave}）的 α 为 {alpha}，低于 0.5：题目之间并不一致，学习成效的结论应审慎看待。", "\"{scale}\" ({wave}) has α = {alpha}, below 0.5: its items disagree, so read the learning results with caution."),
    m("le.alpha_low_unused", "“{scale}”（{wave}）的 α 为 {alpha}，低于 0.5（负值表示题目之间呈负相关）：这些题目并不测量同一种东西，不应相加为一个总分；本报告的结论不使用它的总分。", "\"{scale}\" ({wave}) has α = {alpha}, below 0.5 (a negative value means its items run against each other): they do not measure one thing and should not be added into one score; no conclusion of this report uses its total."),
    m("hl.na_input", "未收集：没有{inputs}数据", "not collected: {inputs} not provided"),
    m("hl.na_withheld", "不予公布：人数少于 {min_cell} 人", "withheld: fewer than {min_cell} people"),
    m("hl.na_none", "无法计算：数据不足", "not computable: too few data"),
    m("hl.gap", "{what}（{why}）", "{what} ({why})"),
    m("hl.s_volume", "{period}年共举办培训班 {classes} 期、{hours} 学时，{trainees} 名干部参训，结业率 {completion}。", "In {period}, {classes} classes with {hours} class hours trained {trainees} cadres; {completion} completed."),
    m("hl.s_volume_classes", "{period}年共举办培训班 {classes} 期、{hours} 学时。", "In {period}, {classes} classes were held with {hours} class hours."),
    m("hl.s_reaction", "学员对课程的平均评价为 {reaction} 分（百分制）。", "Trainees rated the courses {reaction} points out of 100 on average."),
    m("hl.s_gain_up", "训后能力自评平均提高 {gain} 分（{ci}）。", "Self-assessed competence rose by {gain} points on average ({ci})."),
    m("hl.s_gain", "训后能力自评平均变化 {gain} 分（{ci}）。", "Self-assessed competence changed by {gain} points on average ({ci})."),
    m("hl.s_did", "与同期同类未参训干部相比，参训干部训后考核得分的变化相差 {did} 分（{ci}），{claim}", "Relative to untrained cadres of the same category, the review scores of trained cadres changed by {did} points ({ci}); {claim}"),
    m("hl.s_claim_effect", "三项检验均通过，可视为培训的效应。", "the checks pass, so this can be read as an effect of the training."),
    m("hl.s_claim_association", "只能视为与培训相关联，不能认定为培训的效应（见第五节）。", "this is an association with the training, not an established effect (see section 5)."),
    m("hl.s_compliance", "在 {n} 名适用学时要求的干部中，{share} 达到本年度要求。", "Of the {n} cadres under an hour requirement, {share} met this year's."),
    m("hl.s_gaps", "以下数字本年度没有：{gaps}。", "Not available this year: {gaps}."),
    m("sec.results", "六、单位绩效（四级：结果）", "6. Unit results (level 4)"),
    m("rs.intro", "第四层（结果）：单位自身的考核指标（{metrics}）在本期与上一期之间的变化，与该单位干部在本期参训的比例对照。每个单位算一个观测值。", "Level 4 (results): how the units' own metrics ({metrics}) changed from the previous period to this one, set against the share of each unit's cadres trained in the period. Each unit is one observation."),
    m("rs.caution", "这是单位之间的比较：参训比例高的单位可能本来就在改进，或承担了不同的任务，因此下列结果只说明两者是否相关，不说明培训造成了变化。", "This compares units: those that trained more of their cadres may have been improving anyway, or had different tasks, so the results say whether the two go together, not that the training caused a change."),
    m("rs.table_units", "各单位{metric}的变化", "Change in {metric} by unit"),
    m("rs.fit_withheld", "{metric}：可公布的单位少于 {min_cell} 个，不作估计。", "{metric}: fewer than {min_cell} publishable units, so no estimate."),
    m("rs.fit_na", "{metric}：{n} 个单位的数据不足以估计参训比例与变化的关系。", "{metric}: the {n} units are not enough to estimate how the change relates to the share trained."),
    m("rs.fit_related", "{metric}：参训比例每高 10 个百分点的单位，变化平均相差 {slope}（{ci}，{p}，{n} 个单位）。两者相关，但这不说明培训造成了变化。", "{metric}: per 10 percentage points more of its cadres trained, a unit's change differs by {slope} on average ({ci}, {p}, {n} units). The two go together, which does not show that the training caused the change."),
    m("rs.fit_none", "{metric}：未发现参训比例与变化之间有可辨别的关系（每 10 个百分点 {slope}，{ci}，{p}，{n} 个单位）。", "{metric}: no discernible relation between the share trained and the change (per 10 percentage points {slope}, {ci}, {p}, {n} units)."),
    m("rs.table_fit", "单位指标变化与参训比例的关系", "Change in the units' metrics against the share trained"),
    m("rs.fit_note", "斜率为单位指标变化对参训比例的线性回归系数（HC1 稳健标准误），换算为参训比例每高 10 个百分点；只用可公布的单位。", "Slope of the units' change on their share trained (OLS with HC1 robust errors), per 10 percentage points of share; published units only."),
    m("rs.table_summary", "各指标的单位概况", "Units by metric"),
    m("rs.summary_note", "均值只按可公布的单位计算；少于 {min_cell} 名干部的单位不予公布。", "Means over the published units only; units with fewer than {min_cell} cadres are withheld."),
    m("rs.col_metric", "指标", "Metric"),
    m("rs.col_periods", "期间", "Period"),
    m("rs.col_units", "单位数", "Units"),
    m("rs.col_unit", "单位", "Unit"),
    m("rs.col_withheld", "不予公布", "Withheld"),
    m("rs.col_share", "参训比例", "Share trained"),
    m("rs.col_before", "上期", "Before"),
    m("rs.col_after", "本期", "After"),
    m("rs.col_change", "变化", "Change"),
    m("col.slope", "斜率（每 10 个百分点）", "Slope (per 10 points)"),
    m("metric.performance_score", "绩效考核得分", "Performance score"),
    m("metric.satisfaction_rate", "群众满意度", "Satisfaction rate"),
    m("metric.key_task_completion", "重点任务完成率", "Key-task completion"),
    m("preset.regulation-2023", "《干部教育培训工作条例》（2023）", "2023 Regulations on Cadre Education and Training"),
    m("preset.seeds", "基层党校通行做法", "common party-school practice"),
    m("preset.none", "自定义规则", "custom rules"),
    m("scale.competence", "能力自评量表", "Self-assessed competence"),
    m("scale.needs", "培训需求题组", "Training-needs items"),
    m("scale.topics", "需求主题", "Requested topics"),
    m("encoding.spreadsheet", "Excel 工作簿", "Excel workbook"),
    m("encoding.parquet", "Parquet 文件", "Parquet file"),
    m("dq.warnings_intro", "构建数据仓库时的提示：", "Notes from building the warehouse:"),
    m("dq.w_superseded", "{file}：{n} 份较早提交的问卷被同一学员后来的提交替换（以最后一次为准）。", "{file}: {n} earlier submissions were replaced by the same trainee's later one (the latest counts)."),
    m("dq.w_items_absent", "{file}：缺少题目 {items} 的列，这些题目按未作答处理。", "{file}: no column for the items {items}; their answers are taken as missing."),
    m("dq.w_extra_columns", "{file}：{n} 列不是问卷题目，已忽略：{columns}。", "{file}: {n} columns are not survey items and were ignored: {columns}."),
    m("dq.w_unchecked_refs", "没有{input}数据，{table}中引用的编号无法核对。", "Not provided: {input}; the references of the {table} to it are not checked."),
    m("sec.glossary", "附录三　术语表", "Appendix C. Glossary"),
    m("doc.terms", "本节术语：", "Terms used here: "),
    m("gl.intro", "报告中用到的统计术语，按出现的先后排列。正文和表头中带下划线的术语链接到这里。", "The statistical terms the report uses, in the order they appear. Terms in the text and in table headers link here."),
    m("gl.ci.t", "置信区间", "Confidence interval (CI)"),
    m("gl.ci.b", "在 {level}% 的把握下，真实值所在的范围。区间越窄，估计越精确；差值的区间不含 0 时，差异在 α = {alpha} 的水平上显著。", "The range that holds the true value with {level}% confidence. A narrow interval means a precise estimate; when the interval of a difference excludes 0, the difference is significant at α = {alpha}."),
    m("gl.p.t", "p 值", "p-value"),
    m("gl.p.b", "假如实际上没有差异，仅凭偶然得到至少这么大差异的概率。p 越小，越不像偶然；小于 {alpha} 称为“显著”。显著不等于重要，也不说明原因。", "The chance of a difference at least this large if there were really none. The smaller p, the less likely chance; below {alpha} the report calls a difference \"significant\". Significant is not the same as important, and says nothing about the cause."),
    m("gl.holm.t", "Holm 校正", "Holm adjustment"),
    m("gl.holm.b", "同时做多项比较时，总会有几项因偶然而“显著”。Holm 方法按比较的项数把每个 p 值调大，使整组比较中出现任何一次误报的概率不超过 {alpha}。", "When many comparisons are made, some come out \"significant\" by chance. Holm's method raises each p-value according to the number of comparisons, so that the chance of any false alarm in the whole set stays below {alpha}."),
    m("gl.bh.t", "BH 校正（错误发现率）", "Benjamini–Hochberg (BH) adjustment"),
    m("gl.bh.b", "同时检验许多班次时使用的 p 值校正，控制“显著”结果中误报所占的比例（错误发现率），比 Holm 宽松。报告按校正后的 p 值统计显著的班次数。", "A p-value adjustment for testing many classes at once: it keeps the share of false alarms among the \"significant\" results (the false discovery rate) low, and is less strict than Holm's. The report counts significant classes by the adjusted p."),
    m("gl.cluster.t", "按班次聚类（CR2）", "Clustered by class (CR2)"),
    m("gl.cluster.b", "同一班次的学员由同一批教师同时培训，彼此并不独立。合并多个班次的区间和检验以班次为单位计算误差（CR2 稳健标准误），因此比把学员当作互相独立时更宽，也更诚实。", "Trainees of one class share teachers, dates and peers, so they are not independent. Figures pooled over classes compute their error with the class as the unit (CR2 robust standard errors), which gives wider, and more honest, intervals than treating every trainee as independent."),
    m("gl.deff.t", "设计效应与组内相关", "Design effect and intraclass correlation"),
    m("gl.deff.b", "组内相关系数是班次之间的差异占总差异的比例；设计效应 = 1 +（每班平均人数 − 1）× 组内相关系数，表示按班次聚类使方差放大的倍数。设计效应为 3，意味着这些学员只相当于三分之一人数的独立样本。", "The intraclass correlation is the share of all variation that lies between classes; the design effect = 1 + (mean trainees per class − 1) × intraclass correlation is how much the clustering inflates the variance. A design effect of 3 means the trainees are worth a third of their number as independent observations."),
    m("gl.dz.t", "效应量 d_z", "Effect size d_z"),
    m("gl.dz.b", "平均变化除以个人变化的标准差：与量表的分值单位无关，便于比较。常用的粗略标准：0.2 小，0.5 中等，0.8 大。", "The mean change divided by the standard deviation of the individual changes: free of the scale's units, so it can be compared. A rough rule: 0.2 small, 0.5 medium, 0.8 large."),
    m("gl.hake.t", "Hake 标准化增益 g", "Hake's normalised gain g"),
    m("gl.hake.b", "实际提高占可提高空间的比例：(训后均分 − 训前均分) ÷ (100 − 训前均分)。训前分数已经很高的班次提高空间本来就小，这个比值把这一点考虑在内。", "The gain as a share of the room to improve: (post mean − pre mean) ÷ (100 − pre mean). A class that starts high has little room to rise; this ratio allows for that."),
    m("gl.wilcoxon.t", "Wilcoxon 符号秩检验 p (W)", "Wilcoxon signed-rank test, p (W)"),
    m("gl.wilcoxon.b", "与配对 t 检验回答同一个问题（训后是否高于训前），但只看变化的方向和名次，不受个别极端值左右；两者结论一致时更可信。", "Answers the same question as the paired t test (is post above pre?) from the signs and ranks of the changes only, so a few extreme values cannot drive it; when the two agree the result is firmer."),
    m("gl.ancova.t", "协方差分析（ANCOVA）", "Analysis of covariance (ANCOVA)"),
    m("gl.ancova.b", "比较各培训方式的训后均分，同时扣除训前均分的差异，使训前基础不同的班次也能公平比较。本报告中每个班次是一个观测值。", "Compares the methods' post-training means after allowing for their pre-training means, so that classes starting at different levels are compared fairly. Here each class is one observation."),
    m("gl.kruskal.t", "Kruskal–Wallis 检验", "Kruskal–Wallis test"),
    m("gl.kruskal.b", "按名次而不是按均值比较各组，不要求数据服从正态分布，用作稳健性检验。", "Compares groups by the ranks of their values instead of their means; it needs no normal distribution and serves as a robustness check."),
    m("gl.htz.t", "HTZ 检验", "HTZ test"),
    m("gl.htz.b", "按班次聚类的稳健检验在班次较少时的小样本修正（Pustejovsky 与 Tipton，2018）。它不会过于乐观，但班次少时偏保守，不易显著。", "A small-sample correction of the cluster-robust test (Pustejovsky & Tipton 2018). It is not over-optimistic, but with few classes it is conservative and rarely significant."),
    m("gl.eta.t", "偏 η²", "Partial η²"),
    m("gl.eta.b", "培训方式解释的差异占（培训方式与误差两者之和）的比例，取值 0 到 1，越大表示方式之间的差别越大。", "The share of the variation explained by the method, out of that and the error together: from 0 to 1, larger when the methods differ more."),
    m("gl.did.t", "双重差分（DiD）", "Difference in differences (DiD)"),
    m("gl.did.b", "参训干部训后与训前考核得分的变化，减去同期同类未参训干部的变化。减去对照组的变化，是为了去掉与培训无关的共同变化（如评分整体变宽）。只有三项检验都通过时，报告才称之为培训的“效应”，否则只称“关联”。", "The change in trained cadres' review scores from before to after, minus the change of untrained cadres of the same category over the same time. Subtracting the controls' change removes what would have happened anyway (say, reviews growing more lenient overall). The report calls it an \"effect\" of the training only when all three checks pass, and an \"association\" otherwise."),
    m("gl.event.t", "事件研究", "Event study"),
    m("gl.event.b", "把培训前后的每一次考核分别与培训前最近一次比较，画出参训组减对照组的差值。培训前各点应接近 0；如果两组在培训前就已分开，训后的差异就不能归功于培训。", "Compares each review before and after the class with the last one before it, and plots the trained-minus-control difference. Before the class the points should be near 0; if the groups were already drifting apart, the difference after cannot be credited to the training."),
    m("gl.pretrend.t", "培训前趋势检验", "Pre-trend test"),
    m("gl.pretrend.b", "检验事件研究中培训前的各点是否同时为 0（联合检验）。p ≥ 0.10 视为通过：两组培训前的走势没有可辨别的差别。", "Tests whether the event study's points before the class are all zero together (a joint test). p ≥ 0.10 passes: no discernible difference between the groups' trends before the training."),
    m("gl.baseline.t", "基线等同（Hedges g）", "Baseline equivalence (Hedges' g)"),
    m("gl.baseline.b", "参训组与对照组培训前考核得分之差，以标准差为单位。按 WWC 标准，|g| ≤ 0.05 为等同，≤ 0.25 需要在分析中调整，更大则两组不可比。", "The difference between trained and control cadres' reviews before the class, in standard deviations. By the WWC standard, |g| ≤ 0.05 is equivalent, up to 0.25 needs adjustment, and more means the groups are not comparable."),
    m("gl.attrition.t", "流失（WWC 谨慎标准）", "Attrition (WWC cautious boundary)"),
    m("gl.attrition.b", "参训或对照干部中没有训后考核、因而不能进入分析的比例。总流失率和两组流失率之差超过 WWC 谨慎标准时，留下的人可能已不具代表性。", "The share of trained or control cadres without a review after, who therefore drop out of the analysis. When overall attrition and the gap between the groups exceed the WWC cautious boundary, those left may no longer be representative."),
    m("gl.retention.t", "保持率", "Retention"),
    m("gl.retention.b", "训后跟踪时仍保持的提高所占比例：(跟踪均分 − 训前均分) ÷ (训后均分 − 训前均分)。100% 表示训后的提高全部保持；训后提高很少时，这个比值不稳定。", "How much of the gain is kept at follow-up: (follow-up − pre) ÷ (post − pre). 100% means the whole gain is kept; the ratio is unstable when the gain was small."),
    m("gl.icc.t", "组内相关系数 ICC", "Intraclass correlation (ICC)"),
    m("gl.icc.b", "评分者之间一致的程度。ICC(1) 衡量单个学员评分的可靠程度，ICC(2,k) 衡量全班平均评分的可靠程度。参照 Koo 与 Li（2016）：< 0.50 差，0.50–0.75 中等，0.75–0.90 良好，> 0.90 优秀。", "How far raters agree. ICC(1) is how reliable a single trainee's rating is; ICC(2,k) how reliable the class's mean rating is. After Koo and Li (2016): < 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, > 0.90 excellent."),
    m("gl.leniency.t", "宽严度标准差", "Leniency SD"),
    m("gl.leniency.b", "每名学员的平均评分与全班平均之差的标准差。数值大，说明有的学员打分明显偏宽，有的明显偏严。", "The standard deviation of each rater's mean minus the class mean. A large value means some trainees rate clearly more leniently, or more severely, than others."),
    m("gl.alpha.t", "信度系数 α 与 ω", "Reliability, α and ω"),
    m("gl.alpha.b", "衡量一组题目是否在测量同一种东西。一般 0.70 以上可以接受；很低甚至为负，说明这些题目各测各的，不应相加为一个总分。ω 是另一种估计，对题目质量不一更稳健。", "Whether a set of items measures one thing. Above 0.70 is usually acceptable; a very low or negative value means the items measure different things and should not be added into one score. ω is another estimate, more robust to items of unequal quality."),
    m("gl.slope.t", "单位层面的斜率", "Slope across units"),
    m("gl.slope.b", "单位参训比例每高 10 个百分点，单位指标的变化平均多（或少）多少。这是单位之间的比较：参训多的单位可能本来就在改进，它不说明培训造成了变化。", "How much more (or less) a unit's metric changed, on average, per 10 percentage points more of its cadres trained. It compares units: those that trained more may have been improving anyway, so it does not show that the training caused the change."),
    m("gl.withheld.t", "不予公布与“—”", "Withheld, and \"—\""),
    m("gl.withheld.b", "少于 {min_cell} 人的结果不公布，以免推算出个人情况：人数列显示“< {min_cell}”；为防止从合计中减出这样的小单元而一并不公布的行显示“‡”。表中的每个“—”都带有脚注标记：a 不予公布，b 无法计算（人数太少、没有变异或没有比较对象），c 未收集（输入数据中没有）。", "Results describing fewer than {min_cell} people are not published, so that no individual can be worked out: their count shows \"< {min_cell}\"; a row withheld so that such a row cannot be recovered by subtraction from a total shows \"‡\". Every \"—\" in a table carries a footnote mark: a withheld, b not computable (too few people, no variation or nothing to compare with), c not collected (absent from the input data)."),
    // ---- vocabularies ---------------------------------------------------------------------------
    m("category.department_level", "县处级领导干部", "Department-level leaders"),
    m("category.middle_level", "中层干部", "Middle-level cadres"),
    m("category.young_reserve", "优秀年轻干部", "Young reserve cadres"),
    m("category.women", "女干部", "Women cadres"),
    m("category.rural_secretary", "村党组织书记", "Village Party secretaries"),
    m("category.civil_servant", "公务员", "Civil servants"),
    m("category.non_party", "党外干部", "Non-Party cadres"),
    m("category.business_leader", "企业经营管理人员", "Business leaders"),
    m("category.professional", "专业技术人员", "Professional staff"),
    m("method.centralized", "集中授课", "Centralised"),
    m("method.online", "网络培训", "Online"),
    m("method.on_site", "现场教学", "On-site teaching"),
    m("method.case", "案例教学", "Case teaching"),
    m("method.scenario", "情景模拟", "Scenario simulation"),
    m("method.role_play", "角色扮演", "Role play"),
    m("method.seminar", "专题研讨", "Seminar"),
    m("method.field_visit", "实地考察", "Field visit"),
    m("method.attachment", "跟岗实践", "Job attachment"),
    m("method.mixed", "混合式", "Mixed"),
    m("wave.needs", "需求调研", "Needs"),
    m("wave.pre", "训前", "Pre"),
    m("wave.post", "训后", "Post"),
    m("wave.follow_3m", "训后 3 个月", "3 months"),
    m("wave.follow_6m", "训后 6 个月", "6 months"),
    m("wave.follow_12m", "训后 12 个月", "12 months"),
    m("table.units", "单位", "units"),
    m("table.cadres", "干部", "cadres"),
    m("table.classes", "培训班", "classes"),
    m("table.courses", "课程", "courses"),
    m("table.enrollments", "报名与考勤", "enrolments"),
    m("table.items", "问卷题目", "survey items"),
    m("table.survey_needs", "需求调研问卷", "needs survey"),
    m("table.survey_pre", "训前问卷", "pre-training survey"),
    m("table.survey_post", "训后问卷", "post-training survey"),
    m("table.survey_follow_3m", "3 个月跟踪问卷", "3-month follow-up"),
    m("table.survey_follow_6m", "6 个月跟踪问卷", "6-month follow-up"),
    m("table.survey_follow_12m", "12 个月跟踪问卷", "12-month follow-up"),
    m("table.course_ratings", "课程评价", "course ratings"),
    m("table.trainee_ratings", "学员评价", "trainee ratings"),
    m("table.reviews", "干部考核", "reviews"),
    m("table.unit_outcomes", "单位考核", "unit outcomes"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    out.push(after[..end].to_string());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        let mut seen = std::collections::BTreeSet::new();
        for msg in MESSAGES {
            assert!(seen.insert(msg.key), "duplicate key {}", msg.key);
            assert!(!msg.zh.trim().is_empty(), "{} has no Chinese text", msg.key);
            assert!(!msg.en.trim().is_empty(), "{} has no English text", msg.key);
            assert_eq!(placeholders(msg.zh), placeholders(msg.en), "placeholders differ in {}", msg.key);
        }
        for lang in [Lang::Zh, Lang::En] {
            let labels = Catalogue::new(lang).labels();
            for key in keys() {
                assert!(labels.contains_key(key), "{key} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn unknown_keys_and_codes_are_visible() {
        let c = Catalogue::new(Lang::En);
        assert_eq!(c.get("no.such.key"), "⟦no.such.key⟧");
        assert_eq!(c.code("category", "astronauts"), "astronauts");
        assert_eq!(c.code("method", "online"), "Online");
        assert_eq!(Catalogue::new(Lang::Zh).code("method", "online"), "网络培训");
    }

    #[test]
    fn one_pass_fills_as_the_plain_definition_does() {
        // Every message of the catalogue with values of every kind, and templates that
        // make the one pass fall back, against `fill_plain`.
        let values: [&dyn Display; 9] = [&"", &"x", &42, &-1.5, &"{n}", &"a}b", &"{", &"{{m}}", &"标题 <&>"];
        let names = ["n", "m", "what", "min_cell", "", "n", "x{", "}"];
        let mut templates: Vec<String> = MESSAGES.iter().flat_map(|m| [m.zh, m.en]).map(str::to_string).collect();
        templates.extend(
            [
                "",
                "{",
                "}",
                "{}",
                "{n}",
                "{n}{n}",
                "{{n}}",
                "{n}}",
                "{{n}",
                "{x{}",
                "a {m} b {n} c {what}",
                "{nope}",
                "}{n}{",
                "{m{n}}",
                "{min_cell} {n",
                "{}{x{}}",
            ]
            .map(str::to_string),
        );
        let mut checked = 0;
        for t in &templates {
            for k in 0..=names.len() {
                for shift in 0..values.len() {
                    let args: Vec<(&str, &dyn Display)> =
                        names[..k].iter().enumerate().map(|(i, n)| (*n, values[(i + shift) % values.len()])).collect();
                    assert_eq!(fill(t, &args), fill_plain(t.clone(), &args), "{t:?} with {k} args, shift {shift}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000);
        let many: Vec<(&str, &dyn Display)> = (0..MAX_ARGS + 2).map(|_| ("n", &7 as &dyn Display)).collect();
        assert_eq!(fill("{n}", &many), "7");
        assert!(braces_alternate("{a}{b}}") && !braces_alternate("{{a}") && braces_alternate("{"));
    }

    #[test]
    fn fills_placeholders() {
        let c = Catalogue::new(Lang::En);
        assert_eq!(c.fmt("doc.n", &[("n", &42)]), "n = 42");
        assert_eq!(
            c.fmt("doc.title_default", &[("period", &"2025")]),
            "Evaluation of the transformation of cadre training results, 2025"
        );
    }
}
