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

use super::i18n::Lang;

const TEMPLATE: &str = include_str!("templates/cadre_file.html");

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
        ("repeated_note", "带波浪线的专题在此前的班次中已经学过（重复培训）。学时为班次学时；出勤率 = 实到学时 / 班次学时。"),
        ("no_classes", "档案期内没有参训记录。"),
        ("compliance", "年度学时达标"),
        ("source_indicators", "来源：指标表 compliance（按所配置的规则判定）。"),
        ("source_warehouse", "来源：仅数据仓库（结业班次的天数与学时、出勤、超假、违纪；未按规则判定，请先运行 traineval indicators）。"),
        ("no_compliance", "没有年度记录。"),
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
    let keys: Vec<String> = file.compliance.first().map(|r| r.keys().cloned().collect()).unwrap_or_default();
    // Year first, then the rest in the table's (alphabetical) order.
    let mut compliance_keys: Vec<String> = keys.iter().filter(|k| *k == "year").cloned().collect();
    compliance_keys.extend(keys.into_iter().filter(|k| k != "year"));
    let tmpl = env.get_template("cadre_file.html").map_err(err)?;
    tmpl.render(context! {
        f => Value::from_serialize(file),
        t => labels(lang),
        lang => if lang == Lang::En { "en" } else { "zh-CN" },
        css => CSS,
        shown_id => shown_id,
        pseudonym => shown_id != file.cadre_id,
        compliance_keys => compliance_keys,
    })
    .map_err(err)
}
