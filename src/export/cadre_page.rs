//! One cadre's training file (培训档案) as a self-contained HTML page, for the cadre's
//! own review or an assessment panel (`traineval export --for cadre-file --cadre ID`).
//!
//! In: a [`CadreFile`] (built by `export::cadre_file` from the warehouse and, when
//! present, the compliance indicator table), the id as the office gave it, the language.
//! Out: one HTML string: inline CSS, no script, no network, A4 print layout.
//! Guarantees: HTML auto-escaping is on for the template (every value of the file —
//! titles, topics, ids — is escaped); only the fixed stylesheet is inserted unescaped;
//! the same file renders the same bytes.

use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

use crate::error::ReportError;
use crate::export::cadre_file::CadreFile;
use crate::schema::col;

use crate::report::i18n::Lang;

const TEMPLATE: &str = include_str!("../report/templates/cadre_file.html");

const CSS: &str = "
:root { --ink:#222; --muted:#5f5f5f; --accent:#1f3a5f; --rule:#c9ced6; --tint:#f3f5f8; }
* { box-sizing: border-box; }
html { background: #e9e9e9; }
body { margin: 0; color: var(--ink); font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif; font-size: 10pt; line-height: 1.55; }
main { width: 210mm; margin: 12px auto; background: #fff; padding: 14mm 14mm 16mm; box-shadow: 0 1px 6px rgba(0,0,0,.18); }
h1 { font-size: 20pt; color: var(--accent); margin: 0 0 4mm; }
h2 { font-size: 13pt; color: var(--accent); border-bottom: 2px solid var(--accent); padding-bottom: 1.5mm; margin: 7mm 0 3mm; }
h2 .n { font-weight: 400; color: var(--muted); font-size: 10pt; }
.kicker { letter-spacing: .2em; color: var(--muted); margin: 0 0 2mm; }
.facts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1mm 6mm; border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); padding: 2mm 0; margin: 0; }
.facts div { display: flex; gap: 3mm; }
.facts dt { color: var(--muted); min-width: 18mm; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 0 0 2mm; }
table.narrow { width: auto; min-width: 60%; }
th, td { border-bottom: 1px solid var(--rule); padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: var(--tint); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.nowrap { white-space: nowrap; }
.small { font-size: 7.5pt; }
.muted, .note, .fine { color: var(--muted); }
.note { font-size: 8.5pt; margin: 0 0 2mm; }
.fine { font-size: 8pt; margin-top: 8mm; border-top: 1px solid var(--rule); padding-top: 2mm; }
.topic.repeated { text-decoration: underline wavy #a33; font-weight: 600; }
.na { color: var(--muted); border: 1px dashed var(--rule); padding: 3mm; text-align: center; }
@page { size: A4; margin: 12mm; }
@media print { html { background: #fff; } main { width: auto; margin: 0; padding: 0; box-shadow: none; } }
";

/// The page's labels.
fn labels(lang: Lang) -> Value {
    let zh = [
        ("kicker", "干部教育培训档案"),
        ("title", "培训档案"),
        ("cadre_id", "干部编号"),
        ("pseudonym", "化名编号"),
        ("category", "干部类别"),
        ("rank", "职级"),
        ("unit", "单位"),
        ("promoted_on", "最近晋升"),
        ("classes", "参训记录"),
        ("year", "年度"),
        ("class", "班次"),
        ("for", "面向"),
        ("dates", "起止日期"),
        ("method", "方式"),
        ("hours", "学时"),
        ("attendance", "出勤率"),
        ("completed", "结业"),
        ("topics", "专题（波浪线：此前已学）"),
        ("gain", "能力提升"),
        ("assessment", "班级评价"),
        ("yes", "是"),
        ("no", "否"),
        (
            "repeated_note",
            "带波浪线的专题在此前的班次中已经学过（重复培训）。学时为班次学时；出勤率 = 实到学时 / 班次学时。",
        ),
        ("no_classes", "档案期内没有参训记录。"),
        ("compliance", "年度学时达标"),
        ("source_indicators", "来源：指标表 compliance（按所配置的规则判定）。"),
        (
            "source_warehouse",
            "来源：仅数据仓库（结业班次的天数与学时、出勤、超假、违纪；未按规则判定，请先运行 traineval indicators）。",
        ),
        ("no_compliance", "没有年度记录。"),
        ("days_unit", "天"),
        ("years_unit", "年"),
        ("reviews", "考核记录"),
        ("date", "日期"),
        ("kind", "类型"),
        ("score", "得分"),
        ("grade", "等次"),
        ("no_reviews", "没有考核记录。"),
        ("fine", "本页由 traineval 根据培训数据仓库生成，仅供干部本人核对及考核工作使用。"),
    ];
    let en = [
        ("kicker", "CADRE TRAINING FILE"),
        ("title", "Training file"),
        ("cadre_id", "Cadre"),
        ("pseudonym", "pseudonym"),
        ("category", "Category"),
        ("rank", "Rank"),
        ("unit", "Unit"),
        ("promoted_on", "Latest promotion"),
        ("classes", "Classes attended"),
        ("year", "Year"),
        ("class", "Class"),
        ("for", "for"),
        ("dates", "Dates"),
        ("method", "Method"),
        ("hours", "Hours"),
        ("attendance", "Attendance"),
        ("completed", "Completed"),
        ("topics", "Topics (wavy: taught before)"),
        ("gain", "Gain"),
        ("assessment", "Assessment"),
        ("yes", "yes"),
        ("no", "no"),
        ("repeated_note", "Topics underlined with a wave were already taught to the cadre in an earlier class (repeated training). Hours are class hours; attendance = hours attended / class hours."),
        ("no_classes", "No class in the period held."),
        ("compliance", "Compliance by year"),
        ("source_indicators", "Source: the compliance indicator table (judged by the configured rule)."),
        ("source_warehouse", "Source: the warehouse alone (days and hours of completed classes, attendance, leave over the limit, discipline; no rule applied — run traineval indicators first)."),
        ("no_compliance", "No year on record."),
        ("days_unit", "days"),
        ("years_unit", "yr"),
        ("reviews", "Reviews"),
        ("date", "Date"),
        ("kind", "Kind"),
        ("score", "Score"),
        ("grade", "Grade"),
        ("no_reviews", "No review on record."),
        ("fine", "Generated by traineval from the training warehouse, for the cadre's own review and for assessment work only."),
    ];
    let pick = if lang == Lang::En { en } else { zh };
    Value::from_iter(pick.iter().map(|(k, v)| (*k, *v)))
}

/// A number with at most one decimal (— when absent).
fn num(v: Value) -> String {
    match f64::try_from(v) {
        Ok(x) if x.is_finite() => {
            let r = (x * 10.0).round() / 10.0;
            if r.fract() == 0.0 {
                format!("{r:.0}")
            } else {
                format!("{r:.1}")
            }
        }
        _ => "—".to_string(),
    }
}

/// A share as a percentage (— when absent).
fn pct(v: Value) -> String {
    match f64::try_from(v) {
        Ok(x) if x.is_finite() => format!("{:.0} %", x * 100.0),
        _ => "—".to_string(),
    }
}

/// A compliance cell: numbers as [`num`], booleans as ✓/✗, text as is.
fn cell(v: Value) -> String {
    if v.is_none() || v.is_undefined() {
        return "—".to_string();
    }
    if let Some(b) = v.as_str() {
        return b.to_string();
    }
    match v.kind() {
        minijinja::value::ValueKind::Bool => if v.is_true() { "✓" } else { "✗" }.to_string(),
        minijinja::value::ValueKind::Number => num(v),
        _ => v.to_string(),
    }
}

/// The compliance columns the page shows, in this order, with their labels (zh, en) and
/// whether the value is a share: those of the indicator table and those of the
/// warehouse's own sums. The page has room for about a dozen columns on A4, so the
/// category (shown above), the rule's requirement and window (shown under the rule) are
/// not columns; the XLSX and JSON lines files keep every column.
const COMPLIANCE_COLUMNS: &[(&str, &str, &str, bool)] = &[
    (col::YEAR, "年度", "Year", false),
    (col::RULE, "规则", "Rule", false),
    (col::N_CLASSES, "班次", "Classes", false),
    (col::DAYS_TRAINED, "结业天数", "Days", false),
    (col::HOURS_TRAINED, "结业学时", "Hours", false),
    (col::DAYS_IN_WINDOW, "窗口内天数", "Days in window", false),
    (col::HOURS_IN_WINDOW, "窗口内学时", "Hours in window", false),
    (col::WINDOW_COMPLETE, "窗口完整", "Window complete", false),
    (col::SHORTFALL_DAYS, "尚缺天数", "Days short", false),
    (col::MAKEUP_REQUIRED, "需补训", "Make-up due", false),
    (col::ROTATION_OVERDUE, "轮训逾期", "Rotation overdue", false),
    (col::REPEATED_TOPICS, "重复专题", "Repeated topics", false),
    (col::ATTENDANCE_RATE, "出勤率", "Attendance", true),
    (col::LEAVE_OVER_LIMIT, "超假", "Leave over limit", false),
    (col::DISCIPLINE_FLAGS, "违纪", "Discipline", false),
];

/// One column of the compliance table on the page.
#[derive(serde::Serialize)]
struct ComplianceColumn {
    key: &'static str,
    label: &'static str,
    share: bool,
}

/// The columns of [`COMPLIANCE_COLUMNS`] that `file`'s compliance rows have.
fn compliance_columns(file: &CadreFile, lang: Lang) -> Vec<ComplianceColumn> {
    let Some(first) = file.compliance.first() else { return Vec::new() };
    COMPLIANCE_COLUMNS
        .iter()
        .filter(|(key, ..)| first.contains_key(*key))
        .map(|&(key, zh, en, share)| ComplianceColumn { key, label: if lang == Lang::En { en } else { zh }, share })
        .collect()
}

/// Render `file` (`shown_id`: the id as the office gave it).
pub fn render(file: &CadreFile, shown_id: &str, lang: Lang) -> Result<String, ReportError> {
    let err = |e: minijinja::Error| ReportError::Render { what: "cadre_file.html".into(), message: e.to_string() };
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.add_function("num", num);
    env.add_function("pct", pct);
    env.add_function("cell", cell);
    env.add_template("cadre_file.html", TEMPLATE).map_err(err)?;
    let tmpl = env.get_template("cadre_file.html").map_err(err)?;
    tmpl.render(context! {
        f => Value::from_serialize(file),
        t => labels(lang),
        lang => if lang == Lang::En { "en" } else { "zh-CN" },
        css => CSS,
        shown_id => shown_id,
        pseudonym => shown_id != file.cadre_id,
        compliance_columns => compliance_columns(file, lang),
    })
    .map_err(err)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::export::cadre_file::ComplianceSource;

    /// A file whose compliance rows carry every column of the indicator table.
    fn file() -> CadreFile {
        let row: BTreeMap<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "year": 2024, "category": "middle_level", "rule": "township_12d_or_90h",
            "days_trained": 7.0, "hours_trained": 52.5, "days_required": 12.0, "shortfall_days": 5.0,
            "makeup_required": true, "rotation_overdue": null, "repeated_topics": 2,
            "attendance_rate": 0.875, "leave_over_limit": false, "discipline_flags": 0,
            "window_years": 1, "days_in_window": 7.0, "hours_in_window": 52.5, "window_complete": true,
        }))
        .unwrap();
        CadreFile {
            cadre_id: "C1".into(),
            category: Some("middle_level".into()),
            rank: None,
            unit_id: None,
            promoted_on: None,
            classes: Vec::new(),
            reviews: Vec::new(),
            compliance_source: ComplianceSource::Indicators,
            compliance: vec![row],
        }
    }

    #[test]
    fn compliance_shows_labelled_columns_that_fit_the_page() {
        let html = render(&file(), "C1", Lang::Zh).unwrap();
        let table = &html[html.find("年度学时达标").unwrap()..html.find("考核记录").unwrap()];
        let cells = table.split("<th").skip(1).filter(|h| !h.starts_with("ead"));
        let heads: Vec<&str> = cells.map(|h| &h[h.find('>').unwrap() + 1..h.find("</th>").unwrap()]).collect();
        assert_eq!(
            heads,
            [
                "年度",
                "规则",
                "结业天数",
                "结业学时",
                "窗口内天数",
                "窗口内学时",
                "窗口完整",
                "尚缺天数",
                "需补训",
                "轮训逾期",
                "重复专题",
                "出勤率",
                "超假",
                "违纪"
            ]
        );
        // No raw column name reaches the page; the requirement sits under the rule.
        assert!(!table.contains("hours_in_window") && !table.contains("days_required"), "{table}");
        assert!(table.contains("12 天 / 1 年"), "{table}");
        assert!(table.contains("88 %") && table.contains("✓") && table.contains("—"), "{table}");
        let en = render(&file(), "C1", Lang::En).unwrap();
        assert!(en.contains("<th class=\"num\">Hours in window</th>") && en.contains("12 days / 1 yr"));
    }

    #[test]
    fn the_warehouse_source_shows_its_own_sums() {
        let mut f = file();
        f.compliance_source = ComplianceSource::Warehouse;
        f.compliance = vec![serde_json::from_value(serde_json::json!({
            "year": 2024, "n_classes": 2, "days_trained": 7.0, "hours_trained": 52.5,
            "attendance_rate": 1.0, "leave_over_limit": false, "discipline_flags": 1,
        }))
        .unwrap()];
        let html = render(&f, "C1", Lang::Zh).unwrap();
        let table = &html[html.find("年度学时达标").unwrap()..html.find("考核记录").unwrap()];
        assert!(table.contains(">班次</th>") && !table.contains(">规则</th>"), "{table}");
        assert!(table.contains("仅数据仓库") && table.contains("100 %"), "{table}");
    }
}
