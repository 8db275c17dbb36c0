//! `traineval export --for assessment`: the cadre scorecard in the layout an
//! assessment system imports — one row per cadre and period, keyed by `cadre_id`,
//! with a `category` column — as XLSX and CSV under `OUT/exports/`.
//!
//! In: `OUT/indicators/cadre_scorecard.parquet`, the `[scorecard]` settings and the
//! export's [`Labels`] (the office's headers and category labels, in `[report] lang`).
//! Out: `assessment.csv` and `assessment_weights.csv` for tools — canonical column
//! names and codes, numbers in full (`tests/python` reads them) — and
//! `assessment.xlsx` for people, sheets in this order:
//! - 评分表 (`scorecard` in English): the office's headers (`干部编号` where the
//!   pipeline maps `cadre_id`) and labels (`县处级领导干部` for `department_level`),
//!   z-scores and coefficients shown with 2 decimals, the compliance share as a
//!   percentage, the percentile whole (cells keep the full numbers);
//! - 权重 (`weights`): each component, its configured weight and share, what it
//!   measures and how its reliability is judged, the band cut-offs and the reliability
//!   below which a band is withheld — a panel reading a band should not need the
//!   pipeline file to know what it rests on;
//! - 说明 (`legend`): every column in plain words, what a z-score is, the bands A–D and
//!   how they are set, why a band is withheld, what reliability means;
//! - `codes`: the scorecard exactly as `assessment.csv` (canonical names and codes),
//!   for an assessment system that imports the workbook rather than the CSV.
//!
//! Guarantees: rows sorted by cadre_id (then period); a bold header row with frozen
//! panes and an autofilter; every text cell written as a string, and text that a
//! spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
//! carries a leading `'` (SPEC App. C.23), in the XLSX as in the CSV; ids as the
//! warehouse holds them (pseudonyms under `TRAINEVAL_ID_KEY`); same inputs, same bytes
//! (fixed document dates). `export` clears an `OUT/exports/` made from an older
//! warehouse first and refuses indicator tables older than the warehouse
//! ([`crate::export::manifest`]).

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::cells::write_csv;
use crate::config::ScorecardSettings;
use crate::error::{ReportError, WarehouseError};
use crate::export::labels::Labels;
use crate::export::workbook::{present, sheet, text_frame};
use crate::export::{manifest, write_workbook, Sheet};
use crate::indicators::scorecard::{reason, MIN_BAND_RELIABILITY};
use crate::report::columns::{self as c, table};
use crate::report::load::read_parquet;
use crate::schema::col;

use crate::layout::{EXPORTS_DIR, INDICATORS_DIR};
/// File names under `OUT/exports/`.
pub const XLSX_FILE: &str = "assessment.xlsx";
pub const CSV_FILE: &str = "assessment.csv";
pub const WEIGHTS_CSV_FILE: &str = "assessment_weights.csv";
/// The last sheet of the workbook: the scorecard in canonical names and codes.
pub const CODES_SHEET: &str = "codes";

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub xlsx: PathBuf,
    pub csv: PathBuf,
    pub weights_csv: PathBuf,
    pub rows: usize,
}

/// The `weights` sheet: one row per component, then the band rules.
pub fn weights_frame(s: &ScorecardSettings) -> Result<DataFrame, ReportError> {
    let w = &s.weights;
    let total = w.learning + w.assessment + w.transfer + w.compliance;
    let rows: [(&str, Option<f64>, String); 6] = [
        (
            "learning",
            Some(w.learning),
            "residual gain: mean post score regressed on mean pre score within the category, \
             shrunk toward 0 by its reliability, standardised; reliability from the outcome \
             scale's Cronbach's alpha at pre and post"
                .into(),
        ),
        (
            "assessment",
            Some(w.assessment),
            "mean score received from class managers, teachers and peers, standardised within \
             the category; reliability from the spread of the scores and their number"
                .into(),
        ),
        (
            "transfer",
            Some(w.transfer),
            "performance review after training minus the one before, standardised; reliability \
             of a difference of two reviews from the review score's Cronbach's alpha"
                .into(),
        ),
        (
            "compliance",
            Some(w.compliance),
            "share of the training-hours requirement met (0-1), standardised; an administrative \
             count, taken as error-free"
                .into(),
        ),
        (
            "bands",
            None,
            format!(
                "index = weighted mean of the components the cadre has (weights renormalised); \
                 bands A, B, C, ... at percentiles {} within the category",
                s.bands.iter().map(|b| format!("{b}")).collect::<Vec<_>>().join(", ")
            ),
        ),
        (
            "band_withheld",
            Some(MIN_BAND_RELIABILITY),
            "band left empty (band_reason) when the index rests on fewer than 2 components, a \
             component's reliability is unknown, or the index reliability is below this value"
                .into(),
        ),
    ];
    let share = |x: Option<f64>, i: usize| if i < 4 && total > 0.0 { x.map(|x| x / total) } else { None };
    df!(
        "component" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "weight" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "weight_share" => rows.iter().enumerate().map(|(i, r)| share(r.1, i)).collect::<Vec<_>>(),
        "definition" => rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>()
    )
    .map_err(|e| WarehouseError::frame("the weights sheet", e).into())
}

/// `export --for assessment`: write `OUT/exports/assessment.xlsx`, `assessment.csv` and
/// `assessment_weights.csv` from `OUT/indicators/cadre_scorecard.parquet` and the
/// `[scorecard]` settings, and record them in the exports manifest.
pub fn export_assessment(
    out: &Path,
    settings: &ScorecardSettings,
    labels: &Labels,
) -> Result<ExportSummary, ReportError> {
    scorecard_path(out)?;
    manifest::open(out, true)?;
    let summary = write_assessment(out, &out.join(EXPORTS_DIR), settings, labels)?;
    manifest::record(out, manifest::ASSESSMENT, &summary.files())?;
    Ok(summary)
}

impl ExportSummary {
    /// The files written, by name under `exports/`.
    pub fn files(&self) -> Vec<String> {
        [&self.csv, &self.weights_csv, &self.xlsx]
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect()
    }
}

/// The scorecard table under OUT, or what to run to make it.
fn scorecard_path(out: &Path) -> Result<PathBuf, ReportError> {
    let src = out.join(INDICATORS_DIR).join(format!("{}.parquet", table::CADRE_SCORECARD));
    if !src.is_file() {
        return Err(ReportError::Render {
            what: "export".into(),
            message: format!("{}: no cadre scorecard; run `traineval indicators` first", src.display()),
        });
    }
    Ok(src)
}

/// The three files from the scorecard under `out`, written into `dir`.
pub fn write_assessment(
    out: &Path,
    dir: &Path,
    settings: &ScorecardSettings,
    labels: &Labels,
) -> Result<ExportSummary, ReportError> {
    let df = sorted(read_parquet(&scorecard_path(out)?)?)?;
    std::fs::create_dir_all(dir).map_err(|e| WarehouseError::io(dir, e))?;
    let csv = dir.join(CSV_FILE);
    let xlsx = dir.join(XLSX_FILE);
    let weights_csv = dir.join(WEIGHTS_CSV_FILE);
    let weights = weights_frame(settings)?;
    write_csv(&df, &csv)?;
    write_csv(&weights, &weights_csv)?;
    write_xlsx(&df, settings, labels, &xlsx)?;
    Ok(ExportSummary { xlsx, csv, weights_csv, rows: df.height() })
}

/// Rows by cadre_id, then period (columns kept as the indicators stage wrote them).
fn sorted(df: DataFrame) -> Result<DataFrame, ReportError> {
    let keys: Vec<&str> = [col::CADRE_ID, col::PERIOD].into_iter().filter(|k| df.column(k).is_ok()).collect();
    if keys.is_empty() {
        return Err(ReportError::Render {
            what: "export".into(),
            message: "cadre_scorecard has no cadre_id column".into(),
        });
    }
    df.sort(keys, SortMultipleOptions::default().with_maintain_order(true))
        .map_err(|e| WarehouseError::frame("sorting the scorecard", e).into())
}

/// Columns of the scorecard left out of the people's sheet: always null / false in a
/// per-person table (they stay on the `codes` sheet and in the CSV).
const NOT_FOR_PEOPLE: [&str; 2] = [col::SUPPRESSION, col::SUPPRESSED];

/// Write the workbook (module doc) of a sorted scorecard.
pub fn write_xlsx(
    df: &DataFrame,
    settings: &ScorecardSettings,
    labels: &Labels,
    path: &Path,
) -> Result<(), ReportError> {
    let people = df.drop_many(NOT_FOR_PEOPLE);
    let shown = present(&people, labels, None)?;
    let weights = weights_sheet(settings, labels)?;
    let legend = legend(&shown, settings, labels)?;
    let mut scores = sheet(labels.pick("评分表", "scorecard"), &shown, labels, None);
    let mut w = sheet(labels.pick("权重", "weights"), &weights, labels, None);
    w.headers = [
        labels.pick("成分", "Component"),
        labels.pick("权重", "Weight"),
        labels.pick("权重占比", "Share of weights"),
        labels.pick("定义", "Definition"),
    ]
    .map(str::to_string)
    .to_vec();
    w.formats = vec!["", "0.00", "0.0%", ""];
    w.widths = vec![18.0, 10.0, 12.0, 90.0];
    let mut l = Sheet::plain(labels.pick("说明", "legend"), &legend);
    l.headers =
        [labels.pick("项目", "Item"), labels.pick("字段名（CSV）", "Field (CSV)"), labels.pick("含义", "Meaning")]
            .map(str::to_string)
            .to_vec();
    l.widths = vec![24.0, 26.0, 100.0];
    let mut codes = Sheet::plain(CODES_SHEET, df);
    for (j, column) in df.get_column_names().iter().enumerate() {
        codes.formats[j] = match df.column(column.as_str()).map(|c| c.dtype().is_float()) {
            Ok(true) => "0.00",
            _ => "",
        };
    }
    scores.widths = Vec::new();
    let mut sheets = [scores, w, l, codes];
    for s in &mut sheets {
        s.quote_formulas = true;
    }
    Ok(write_workbook(&sheets, Some(labels.pick("干部培训成果转化评分", "Cadre training scorecard")), path)?)
}

/// The weights sheet in the export language.
fn weights_sheet(settings: &ScorecardSettings, labels: &Labels) -> Result<DataFrame, ReportError> {
    let mut df = weights_frame(settings)?;
    if labels.lang() == crate::report::Lang::En {
        return Ok(df);
    }
    let bands = settings.bands.iter().map(|b| format!("{b}")).collect::<Vec<_>>().join("、");
    let zh: [(&str, String); 6] = [
        ("学习成效", "残差增益：同一类别内训后得分对训前得分回归的残差，按其信度向 0 收缩后标准化；信度取自能力量表训前、训后的 Cronbach's α".into()),
        ("培训考核", "班主任、教师、同学评分的均值，在类别内标准化；信度取自评分的离散程度与评分人数".into()),
        ("训后转化", "培训后的考核得分减培训前的考核得分，标准化；两次考核之差的信度取自考核得分的 Cronbach's α".into()),
        ("学时完成度", "完成学时要求的比例（0–1），标准化；为行政记录，视为无误差".into()),
        ("分档", format!("指数 = 干部已有各成分的加权平均（权重按已有成分重新归一）；按类别内百分位 {bands} 依次分为 A、B、C、D 档")),
        ("不定档", "指数只有不足两个成分、某成分信度未知、或指数信度低于此值时，档次留空并注明原因".into()),
    ];
    let names: Vec<&str> = zh.iter().map(|r| r.0).collect();
    let defs: Vec<String> = zh.iter().map(|r| r.1.clone()).collect();
    df.replace("component", Column::new("component".into(), names))
        .and_then(|d| d.replace("definition", Column::new("definition".into(), defs)))
        .map_err(|e| WarehouseError::frame("the weights sheet", e))?;
    Ok(df)
}

/// Plain words for each column of the scorecard sheet: (column, zh, en).
const MEANINGS: &[(&str, &str, &str)] = &[
    (col::CADRE_ID, "干部编号（设置 TRAINEVAL_ID_KEY 时为化名编号，与数据仓库一致）", "cadre id (a pseudonym when TRAINEVAL_ID_KEY is set, as in the warehouse)"),
    (col::PERIOD, "评估期（年度）", "the period assessed (year)"),
    (col::CATEGORY, "干部类别；标准分、百分位和档次都在同一类别的干部中比较", "cadre category; z-scores, percentiles and bands compare cadres of the same category"),
    (c::LEARNING_Z, "学习成效标准分：同类别内训后得分对训前得分回归的残差，按信度向 0 收缩；0 为类别平均", "learning z-score: residual of the post score on the pre score within the category, shrunk toward 0 by its reliability; 0 is the category's mean"),
    (c::ASSESSMENT_Z, "培训考核标准分：班主任、教师、同学评分的均值，在类别内标准化", "assessment z-score: mean score from class managers, teachers and peers, standardised within the category"),
    (c::TRANSFER_Z, "训后转化标准分：训后考核得分减训前考核得分，在类别内标准化", "transfer z-score: the review after training minus the one before, standardised within the category"),
    (c::COMPLIANCE_SCORE, "学时完成度：完成学时要求的比例（0–100%，封顶），视为无误差", "share of the training-hours requirement met (0–100 %, capped), taken as error-free"),
    (c::INDEX, "成果转化指数：已有成分标准分的加权平均（权重见“权重”表）", "transformation index: weighted mean of the z-scores the cadre has (weights on the weights sheet)"),
    (c::PERCENTILE_IN_CATEGORY, "指数在本类别干部中的百分位（0–100，越高越好）", "percentile of the index among cadres of the category (0–100, higher is better)"),
    (c::BAND, "档次 A–D，按类别内百分位划分（见下）；为空时见“未定档原因”", "band A–D by the percentile within the category (below); empty: see why"),
    (col::BAND_PROBABILITY, "真实指数落在所给档次内的概率（按测量误差、正态近似）；越接近 1 越可信", "chance that the true index lies in the band given (from the measurement error, normal); the nearer 1, the surer"),
    (col::BAND_REASON, "未定档的原因（见下）", "why the band is withheld (below)"),
    (col::INDEX_SE, "指数的标准误：来自各成分的测量误差，与标准分同单位", "standard error of the index from the components' measurement error, in z units"),
    (col::INDEX_RELIABILITY, "指数信度 = 1 − 标准误² ÷ 类别内指数方差；低于 0.7 不定档", "index reliability = 1 − SE² / variance of the index in the category; below 0.7 no band"),
    (col::LEARNING_RELIABILITY, "学习成效的信度（0–1）", "reliability of the learning component (0–1)"),
    (col::ASSESSMENT_RELIABILITY, "本人培训考核的信度（0–1，评分越多越高）", "reliability of this cadre's assessment (0–1; more scores, higher)"),
    (col::TRANSFER_RELIABILITY, "训后转化的信度（0–1）", "reliability of the transfer component (0–1)"),
];

/// The legend sheet: every column, then the bands, the reasons a band is withheld,
/// z-scores, reliability, the number formats and the `codes` sheet.
fn legend(shown: &DataFrame, settings: &ScorecardSettings, labels: &Labels) -> Result<DataFrame, ReportError> {
    let mut rows: Vec<[String; 3]> = Vec::new();
    for column in shown.get_column_names() {
        let column = column.as_str();
        let meaning =
            MEANINGS.iter().find(|m| m.0 == column).map(|m| labels.pick(m.1, m.2).to_string()).unwrap_or_else(|| {
                crate::schema::indicator_def(table::CADRE_SCORECARD)
                    .and_then(|d| d.columns.iter().find(|x| x.name == column))
                    .map_or_else(String::new, |x| x.doc.to_string())
            });
        rows.push([labels.header(None, column), column.to_string(), meaning]);
    }
    let band = labels.header(None, c::BAND);
    let cuts = &settings.bands;
    let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for k in 0..=cuts.len().min(25) {
        let letter = &letters[k..k + 1];
        let rule = match (k.checked_sub(1).and_then(|i| cuts.get(i)), cuts.get(k)) {
            (None, Some(lo)) => {
                labels.pick("类别内百分位 ≥ {lo}", "percentile in category ≥ {lo}").replace("{lo}", &lo.to_string())
            }
            (Some(hi), Some(lo)) => labels
                .pick("{lo} ≤ 类别内百分位 < {hi}", "{lo} ≤ percentile in category < {hi}")
                .replace("{lo}", &lo.to_string())
                .replace("{hi}", &hi.to_string()),
            (Some(hi), None) => {
                labels.pick("类别内百分位 < {hi}", "percentile in category < {hi}").replace("{hi}", &hi.to_string())
            }
            (None, None) => labels.pick("所有干部", "every cadre").to_string(),
        };
        rows.push([format!("{band} {letter}"), format!("{}={letter}", c::BAND), rule]);
    }
    for (code, zh, en) in [
        (reason::FEWER_THAN_TWO_COMPONENTS, "指数只有一个成分，不足以定档", "the index rests on a single component"),
        (
            reason::RELIABILITY_UNKNOWN,
            "某成分的信度无法估计（如量表的 α 未知）",
            "a component's reliability cannot be estimated (e.g. the scale's α is unknown)",
        ),
        (
            reason::LOW_RELIABILITY,
            "指数信度低于 {min}：档次很可能不可靠",
            "the index reliability is below {min}: the band would likely be wrong",
        ),
    ] {
        let text = labels.pick(zh, en).replace("{min}", &MIN_BAND_RELIABILITY.to_string());
        rows.push([labels.value(None, col::BAND_REASON, code), format!("{}={code}", col::BAND_REASON), text]);
    }
    for (item, zh, en) in [
        (
            labels.pick("标准分", "z-score"),
            "0 为本类别干部的平均，+1 为高于平均一个标准差，−1 为低于平均一个标准差；约三分之二的干部在 −1 到 +1 之间",
            "0 is the mean of the cadres of the category, +1 one standard deviation above it, −1 one below; about two in three cadres lie between −1 and +1",
        ),
        (
            labels.pick("信度", "reliability"),
            "0–1：得分差异中真实差异所占的比例；1 为没有测量误差，0.7 以上可用于区分个人",
            "0–1: the share of the differences in a score that are real; 1 is no measurement error, 0.7 or more tells individuals apart",
        ),
        (
            labels.pick("数字格式", "number format"),
            "标准分、指数、信度、概率显示 2 位小数，学时完成度为百分数，百分位为整数；单元格中是完整数值",
            "z-scores, the index, reliabilities and probabilities show 2 decimals, the compliance share a percentage, the percentile none; cells hold the full numbers",
        ),
        (
            CODES_SHEET,
            "最后一个工作表：与 assessment.csv 相同的规范字段名与代码，供考核系统导入",
            "the last sheet: canonical field names and codes as in assessment.csv, for an assessment system to import",
        ),
    ] {
        rows.push([item.to_string(), String::new(), labels.pick(zh, en).to_string()]);
    }
    let column = |k: usize| rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>();
    Ok(text_frame(vec![("item", column(0)), ("field", column(1)), ("meaning", column(2))])?)
}

/// Columns of the scorecard an assessment system expects (SPEC Appendix B).
pub const SCORECARD_COLUMNS: &[&str] = &[
    col::CADRE_ID,
    col::PERIOD,
    col::CATEGORY,
    c::LEARNING_Z,
    c::ASSESSMENT_Z,
    c::TRANSFER_Z,
    c::COMPLIANCE_SCORE,
    c::INDEX,
    c::PERCENTILE_IN_CATEGORY,
    c::BAND,
];
