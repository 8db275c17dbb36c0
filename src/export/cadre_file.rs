//! `traineval export --for cadre-file`: each cadre's training file (培训档案, SPEC §7.4).
//!
//! In: the warehouse under `OUT/warehouse/` (cadres, trainee_outcomes, classes,
//! courses, reviews, over every year it holds) and, when `traineval indicators` has
//! written it, `OUT/indicators/compliance.parquet`.
//! Out, under `OUT/exports/`:
//! - `cadre_file.xlsx`, for people, in the office's words ([`crate::export::labels`]):
//!   sheet 培训记录 (`enrollments` in English), one row per enrollment (cadre × class),
//!   sorted by cadre, start date and class; 考核记录 (`reviews`, one row per review) and
//!   学时达标 (`compliance`, one row per cadre and year); then 说明 (`legend`): every
//!   column's header, field name and meaning. Headers are the office's where the
//!   pipeline maps them, codes (category, method, grade) its labels, yes/no in words,
//!   numbers formatted but numbers; every text cell a string cell, never a formula
//!   (SPEC App. C.23, [`crate::export::write_workbook`]);
//! - `cadre_file.jsonl`, for tools (canonical names and codes): one JSON object per cadre (every cadre of the warehouse, with or
//!   without classes), sorted by cadre_id: the cadre's category, rank, unit and latest
//!   promotion, every class (title, institution, dates, method, days, hours, attendance,
//!   leave, completed, exam, the topics of its courses and those of them the cadre had
//!   already been taught in an earlier class, pre/post scores and gain, the assessment
//!   received from others and by self, the reaction the cadre gave), every review (date,
//!   kind, total, grade) and compliance by year;
//! - with `--cadre ID`: `cadre_file/<id>.html`, one cadre's file as a self-contained,
//!   escaped, print-ready page (`export::cadre_page`).
//!
//! Compliance by year comes from the `compliance` indicator table when it exists in OUT
//! (`compliance_source = "indicators"`: the rule, the requirement, shortfall, make-up,
//! rotation and repeats as the indicator judged them); otherwise from the warehouse
//! alone (`"warehouse"`: days and hours of completed classes, attendance, leave over the
//! limit and discipline per year, with no rule applied). Ids are those of the warehouse:
//! pseudonyms when it was built with `TRAINEVAL_ID_KEY`; `--cadre` takes the id as the
//! office knows it and pseudonymises it with the same key to find the file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::error::{ReportError, WarehouseError};
use crate::export::labels::{Labels, ASSESSMENT_RECEIVED, CLASS_TITLE, REACTION_GIVEN, TOPICS};
use crate::export::manifest;
use crate::export::workbook::{present, sheet, text_frame};
use crate::export::Sheet;
use crate::schema::{col as c, ind, wh};
use crate::warehouse::read::read_columns;

use crate::layout::{indicators_dir, warehouse_dir, EXPORTS_DIR, MANIFEST_FILE};
/// File names under `OUT/exports/`.
pub const XLSX_FILE: &str = "cadre_file.xlsx";
pub const JSONL_FILE: &str = "cadre_file.jsonl";
/// Directory of the one-cadre pages under `OUT/exports/`.
pub const PAGES_DIR: &str = "cadre_file";

/// Where compliance by year comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComplianceSource {
    /// `OUT/indicators/compliance.parquet`.
    Indicators,
    /// The warehouse alone: what was trained, no rule applied.
    Warehouse,
}

/// One class of a cadre's file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassEntry {
    pub year: i32,
    pub class_id: String,
    pub title: Option<String>,
    pub institution: Option<String>,
    /// The category the class was for: the cadre's category when it attended (the
    /// cadre's category today may differ after a promotion).
    pub target_category: Option<String>,
    pub method: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub days: Option<f64>,
    pub hours: Option<f64>,
    pub attended_hours: Option<f64>,
    pub leave_hours: Option<f64>,
    pub attendance_rate: Option<f64>,
    pub completed: Option<bool>,
    pub exam_score: Option<f64>,
    pub discipline_flags: Option<i64>,
    /// Topics of the class's courses, sorted.
    pub topics: Vec<String>,
    /// Those of them taught to the cadre in an earlier class (by start date).
    pub repeated_topics: Vec<String>,
    pub pre_score: Option<f64>,
    pub post_score: Option<f64>,
    pub gain: Option<f64>,
    /// Mean score received from class manager, teacher and peers.
    pub assessment_received: Option<f64>,
    pub self_assessment: Option<f64>,
    /// Mean course-rating total the cadre gave.
    pub reaction_given: Option<f64>,
}

/// One review of a cadre's file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReviewEntry {
    pub date: Option<String>,
    pub kind: Option<String>,
    pub total: Option<f64>,
    pub grade: Option<String>,
}

/// One cadre's training file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CadreFile {
    pub cadre_id: String,
    pub category: Option<String>,
    pub rank: Option<String>,
    pub unit_id: Option<String>,
    pub promoted_on: Option<String>,
    pub classes: Vec<ClassEntry>,
    pub reviews: Vec<ReviewEntry>,
    pub compliance_source: ComplianceSource,
    /// One object per year: the compliance table's columns (less cadre_id and the
    /// suppression columns), or the warehouse's own sums (module doc).
    pub compliance: Vec<BTreeMap<String, serde_json::Value>>,
}

/// What `export --for cadre-file` wrote.
#[derive(Debug, Clone)]
pub struct CadreFileSummary {
    pub xlsx: PathBuf,
    pub jsonl: PathBuf,
    pub cadres: usize,
    pub enrollments: usize,
    pub compliance_source: ComplianceSource,
}

fn frame_err(what: &str) -> impl Fn(PolarsError) -> WarehouseError + '_ {
    move |e| WarehouseError::frame(format!("cadre file: {what}"), e)
}

/// Everything the files are made of, each frame sorted by cadre_id.
struct Sources {
    cadres: DataFrame,
    enrollments: DataFrame,
    reviews: DataFrame,
    compliance: DataFrame,
    source: ComplianceSource,
    /// Topics of each class, sorted and distinct.
    topics: BTreeMap<String, Vec<String>>,
}

/// Read the warehouse (and the compliance table when present), keeping only the rows of
/// `only` when given.
fn load(out: &Path, only: Option<&str>) -> Result<Sources, ReportError> {
    let whd = warehouse_dir(out);
    if !whd.join(MANIFEST_FILE).is_file() {
        return Err(WarehouseError::Missing { path: whd }.into());
    }
    // The columns of `table` in that order, only `only`'s rows, stably sorted by `by`.
    let read = |table: &str, columns: &[&str], by: &[&str]| -> Result<DataFrame, WarehouseError> {
        let df = read_columns(&whd, table, columns)?;
        let df = match only {
            Some(id) => df.filter(&text(&df, c::CADRE_ID)?.equal(id)).map_err(frame_err(table))?,
            None => df,
        };
        sorted(&df, by, table)
    };
    let cadres = read(wh::CADRES, &[c::CADRE_ID, c::CATEGORY, c::RANK, c::UNIT_ID, c::PROMOTED_ON], &[c::CADRE_ID])?;
    let enrollments = read(
        wh::TRAINEE_OUTCOMES,
        &[
            c::CADRE_ID,
            c::CLASS_ID,
            "year",
            c::METHOD,
            c::TARGET_CATEGORY,
            c::START_DATE,
            c::END_DATE,
            c::DAYS,
            c::HOURS,
            c::ATTENDED_HOURS,
            c::LEAVE_HOURS,
            c::ATTENDANCE_RATE,
            c::COMPLETED,
            c::EXAM_SCORE,
            c::DISCIPLINE_FLAGS,
            c::PRE_SCORE,
            c::POST_SCORE,
            c::GAIN,
            c::TRAINEE_ASSESSMENT,
            c::SELF_ASSESSMENT,
            c::REACTION,
        ],
        &[c::CADRE_ID, c::START_DATE, c::CLASS_ID],
    )?;
    let enrollments =
        with_class_titles(enrollments, &read_columns(&whd, wh::CLASSES, &[c::CLASS_ID, c::TITLE, c::INSTITUTION])?)?;
    let reviews = read(
        wh::REVIEWS,
        &[c::CADRE_ID, c::REVIEW_DATE, c::KIND, c::TOTAL, c::GRADE],
        &[c::CADRE_ID, c::REVIEW_DATE, c::KIND],
    )?;
    let courses = read_columns(&whd, wh::COURSES, &[c::CLASS_ID, c::TOPIC])?;
    let mut topics: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (ids, ts) = (text(&courses, c::CLASS_ID)?, text(&courses, c::TOPIC)?);
    for (id, t) in ids.iter().zip(ts.iter()) {
        if let (Some(id), Some(t)) = (id, t) {
            let list = topics.entry(id.to_string()).or_default();
            if !list.iter().any(|x| x == t) {
                list.push(t.to_string());
            }
        }
    }
    topics.values_mut().for_each(|v| v.sort());
    let path = indicators_dir(out).join(format!("{}.parquet", ind::COMPLIANCE));
    let (compliance, source) = if path.is_file() {
        let file = std::fs::File::open(&path).map_err(|e| WarehouseError::io(&path, e))?;
        let df = ParquetReader::new(file).finish().map_err(frame_err(ind::COMPLIANCE))?;
        let kept: Vec<String> = df
            .get_column_names()
            .into_iter()
            .filter(|n| ![c::SUPPRESSION, c::SUPPRESSED].contains(&n.as_str()))
            .map(|n| n.to_string())
            .collect();
        let df = df.select(kept).map_err(frame_err(ind::COMPLIANCE))?;
        let df = match only {
            Some(id) => df.filter(&text(&df, c::CADRE_ID)?.equal(id)).map_err(frame_err(ind::COMPLIANCE))?,
            None => df,
        };
        (sorted(&df, &[c::CADRE_ID, c::YEAR], ind::COMPLIANCE)?, ComplianceSource::Indicators)
    } else {
        (warehouse_compliance(&enrollments)?, ComplianceSource::Warehouse)
    };
    Ok(Sources { cadres, enrollments, reviews, compliance, source, topics })
}

/// `df` stably sorted by the columns `by` (nulls first, as the frames have always been).
fn sorted(df: &DataFrame, by: &[&str], what: &str) -> Result<DataFrame, WarehouseError> {
    df.sort(by.iter().copied(), SortMultipleOptions::default().with_maintain_order(true)).map_err(frame_err(what))
}

/// `enrollments` with the `title` and `institution` of each row's class after its own
/// columns (null when the class is not in `classes`).
fn with_class_titles(mut enrollments: DataFrame, classes: &DataFrame) -> Result<DataFrame, WarehouseError> {
    let mut row_of: std::collections::HashMap<&str, IdxSize> = std::collections::HashMap::new();
    for (i, id) in text(classes, c::CLASS_ID)?.iter().enumerate() {
        if let Some(id) = id {
            if row_of.insert(id, i as IdxSize).is_some() {
                return Err(WarehouseError::frame(
                    format!("cadre file: {}", wh::CLASSES),
                    format!("class_id {id} twice"),
                ));
            }
        }
    }
    let rows: IdxCa =
        text(&enrollments, c::CLASS_ID)?.iter().map(|id| id.and_then(|id| row_of.get(id).copied())).collect();
    for name in [c::TITLE, c::INSTITUTION] {
        let column = classes.column(name).and_then(|s| s.take(&rows)).map_err(frame_err(wh::CLASSES))?;
        enrollments.with_column(column).map_err(frame_err(wh::ENROLLMENTS))?;
    }
    Ok(enrollments)
}

/// Compliance by year from the enrollments alone: days and hours of completed classes,
/// classes, attendance rate, whether any leave exceeded a seventh of the class hours,
/// discipline flags.
fn warehouse_compliance(enrollments: &DataFrame) -> Result<DataFrame, WarehouseError> {
    /// One cadre's year; sums skip missing values (a missing count adds nothing).
    #[derive(Default)]
    struct Year {
        classes: i64,
        days: f64,
        hours: f64,
        attended: f64,
        class_hours: f64,
        leave_over: bool,
        flags: i64,
    }
    let e = enrollments;
    let (ids, classes) = (text(e, c::CADRE_ID)?, text(e, c::CLASS_ID)?);
    let year = ints(e, "year")?;
    let (days, hours, attended, leave) =
        (floats(e, c::DAYS)?, floats(e, c::HOURS)?, floats(e, c::ATTENDED_HOURS)?, floats(e, c::LEAVE_HOURS)?);
    let flags = ints(e, c::DISCIPLINE_FLAGS)?;
    let completed = e.column(c::COMPLETED).and_then(|s| s.bool()).map_err(frame_err(c::COMPLETED))?;
    let mut by: BTreeMap<(&str, Option<i64>), Year> = BTreeMap::new();
    for i in 0..e.height() {
        let Some(id) = ids.get(i) else { continue };
        let y = by.entry((id, year.get(i))).or_default();
        y.classes += i64::from(classes.get(i).is_some());
        let done = completed.get(i).unwrap_or(false);
        // A completed class with no days (or hours) adds nothing; one not completed adds 0.
        y.days += if done { days.get(i).unwrap_or(0.0) } else { 0.0 };
        y.hours += if done { hours.get(i).unwrap_or(0.0) } else { 0.0 };
        y.attended += attended.get(i).unwrap_or(0.0);
        y.class_hours += hours.get(i).unwrap_or(0.0);
        y.leave_over |= matches!((leave.get(i), hours.get(i)), (Some(l), Some(h)) if l > h / 7.0);
        y.flags += flags.get(i).unwrap_or(0);
    }
    let keys: Vec<&(&str, Option<i64>)> = by.keys().collect();
    let years: Vec<&Year> = by.values().collect();
    let f = |g: fn(&Year) -> f64| years.iter().map(|y| g(y)).collect::<Vec<f64>>();
    let columns = vec![
        Column::new(c::CADRE_ID.into(), keys.iter().map(|k| k.0).collect::<Vec<_>>()),
        Column::new(c::YEAR.into(), keys.iter().map(|k| k.1).collect::<Vec<_>>()),
        Column::new(c::N_CLASSES.into(), years.iter().map(|y| y.classes).collect::<Vec<_>>()),
        Column::new(c::DAYS_TRAINED.into(), f(|y| y.days)),
        Column::new(c::HOURS_TRAINED.into(), f(|y| y.hours)),
        Column::new(c::ATTENDANCE_RATE.into(), f(|y| y.attended / y.class_hours)),
        Column::new(c::LEAVE_OVER_LIMIT.into(), years.iter().map(|y| y.leave_over).collect::<Vec<_>>()),
        Column::new(c::DISCIPLINE_FLAGS.into(), years.iter().map(|y| y.flags).collect::<Vec<_>>()),
    ];
    DataFrame::new(keys.len(), columns)
        .map_err(|e| WarehouseError::frame("cadre file: compliance from the warehouse", e))
}

fn text<'a>(df: &'a DataFrame, name: &str) -> Result<&'a StringChunked, WarehouseError> {
    df.column(name).and_then(|s| s.str()).map_err(|e| WarehouseError::frame(format!("cadre file: {name}"), e))
}

fn floats(df: &DataFrame, name: &str) -> Result<Float64Chunked, WarehouseError> {
    df.column(name)
        .and_then(|s| s.cast(&DataType::Float64))
        .and_then(|s| s.f64().cloned())
        .map_err(|e| WarehouseError::frame(format!("cadre file: {name}"), e))
}

fn ints(df: &DataFrame, name: &str) -> Result<Int64Chunked, WarehouseError> {
    df.column(name)
        .and_then(|s| s.cast(&DataType::Int64))
        .and_then(|s| s.i64().cloned())
        .map_err(|e| WarehouseError::frame(format!("cadre file: {name}"), e))
}

/// A date column as ISO text.
fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, WarehouseError> {
    let days = df
        .column(name)
        .and_then(|s| s.cast(&DataType::Int32))
        .and_then(|s| s.i32().cloned())
        .map_err(|e| WarehouseError::frame(format!("cadre file: {name}"), e))?;
    Ok(days.iter().map(|d| d.map(iso_date)).collect())
}

/// ISO text of a day number (days since 1970-01-01).
fn iso_date(days: i32) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn owned(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

/// Row ranges of each cadre in a frame sorted by cadre_id.
fn runs(ids: &StringChunked) -> BTreeMap<String, std::ops::Range<usize>> {
    let mut out: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        match out.get_mut(id) {
            Some(r) if r.end == i => r.end = i + 1,
            _ => {
                out.insert(id.to_string(), i..i + 1);
            }
        }
    }
    out
}

/// Every cadre's file, in cadre_id order (one cadre's when `only` is given).
fn files(s: &Sources) -> Result<Vec<CadreFile>, WarehouseError> {
    let e = &s.enrollments;
    let e_ids = text(e, c::CADRE_ID)?;
    let e_runs = runs(e_ids);
    let class_id = text(e, c::CLASS_ID)?;
    let (title, inst, method) = (text(e, c::TITLE)?, text(e, c::INSTITUTION)?, text(e, c::METHOD)?);
    let target = text(e, c::TARGET_CATEGORY)?;
    let (start, end) = (dates(e, c::START_DATE)?, dates(e, c::END_DATE)?);
    let year = ints(e, "year")?;
    let f = |n: &str| floats(e, n);
    let (days, hours, attended, leave, rate) =
        (f(c::DAYS)?, f(c::HOURS)?, f(c::ATTENDED_HOURS)?, f(c::LEAVE_HOURS)?, f(c::ATTENDANCE_RATE)?);
    let (exam, pre, post, gain) = (f(c::EXAM_SCORE)?, f(c::PRE_SCORE)?, f(c::POST_SCORE)?, f(c::GAIN)?);
    let (others, own, reaction) = (f(c::TRAINEE_ASSESSMENT)?, f(c::SELF_ASSESSMENT)?, f(c::REACTION)?);
    let flags = ints(e, c::DISCIPLINE_FLAGS)?;
    let completed =
        e.column(c::COMPLETED).and_then(|s| s.bool()).map_err(|x| WarehouseError::frame("cadre file", x))?;

    let r = &s.reviews;
    let r_runs = runs(text(r, c::CADRE_ID)?);
    let (r_date, r_kind, r_total, r_grade) =
        (dates(r, c::REVIEW_DATE)?, text(r, c::KIND)?, floats(r, c::TOTAL)?, text(r, c::GRADE)?);

    let k = &s.compliance;
    let k_runs = runs(text(k, c::CADRE_ID)?);
    let k_cols: Vec<&Column> = k.columns().iter().filter(|col| col.name().as_str() != c::CADRE_ID).collect();

    let m = &s.cadres;
    let (ids, cat, rank, unit) =
        (text(m, c::CADRE_ID)?, text(m, c::CATEGORY)?, text(m, c::RANK)?, text(m, c::UNIT_ID)?);
    let promoted = dates(m, c::PROMOTED_ON)?;
    let mut out = Vec::with_capacity(m.height());
    for (i, promoted_on) in promoted.into_iter().enumerate() {
        let Some(id) = ids.get(i) else { continue };
        let mut classes = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for j in e_runs.get(id).cloned().unwrap_or(0..0) {
            let cid = class_id.get(j).unwrap_or_default();
            let topics = s.topics.get(cid).cloned().unwrap_or_default();
            let repeated: Vec<String> = topics.iter().filter(|t| seen.contains(t)).cloned().collect();
            classes.push(ClassEntry {
                year: year.get(j).unwrap_or_default() as i32,
                class_id: cid.to_string(),
                title: owned(title.get(j)),
                institution: owned(inst.get(j)),
                target_category: owned(target.get(j)),
                method: owned(method.get(j)),
                start_date: start[j].clone(),
                end_date: end[j].clone(),
                days: days.get(j),
                hours: hours.get(j),
                attended_hours: attended.get(j),
                leave_hours: leave.get(j),
                attendance_rate: rate.get(j),
                completed: completed.get(j),
                exam_score: exam.get(j),
                discipline_flags: flags.get(j),
                repeated_topics: repeated,
                pre_score: pre.get(j),
                post_score: post.get(j),
                gain: gain.get(j),
                assessment_received: others.get(j),
                self_assessment: own.get(j),
                reaction_given: reaction.get(j),
                topics: topics.clone(),
            });
            for t in topics {
                if !seen.contains(&t) {
                    seen.push(t);
                }
            }
        }
        let reviews = r_runs
            .get(id)
            .cloned()
            .unwrap_or(0..0)
            .map(|j| ReviewEntry {
                date: r_date[j].clone(),
                kind: owned(r_kind.get(j)),
                total: r_total.get(j),
                grade: owned(r_grade.get(j)),
            })
            .collect();
        let mut compliance = Vec::new();
        for j in k_runs.get(id).cloned().unwrap_or(0..0) {
            let mut row = BTreeMap::new();
            for column in &k_cols {
                let v = column.get(j).map_err(|x| WarehouseError::frame("cadre file: compliance", x))?;
                row.insert(column.name().to_string(), json_value(&v));
            }
            compliance.push(row);
        }
        out.push(CadreFile {
            cadre_id: id.to_string(),
            category: owned(cat.get(i)),
            rank: owned(rank.get(i)),
            unit_id: owned(unit.get(i)),
            promoted_on,
            classes,
            reviews,
            compliance_source: s.source,
            compliance,
        });
    }
    Ok(out)
}

/// A cell as JSON (non-finite numbers as null).
fn json_value(v: &AnyValue<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        AnyValue::Null => J::Null,
        AnyValue::Boolean(b) => J::Bool(*b),
        AnyValue::String(s) => J::String(s.to_string()),
        AnyValue::StringOwned(s) => J::String(s.to_string()),
        AnyValue::Int64(x) => J::from(*x),
        AnyValue::Int32(x) => J::from(*x),
        AnyValue::UInt32(x) => J::from(*x),
        AnyValue::UInt64(x) => J::from(*x),
        other => match other.extract::<f64>() {
            Some(x) if x.is_finite() => serde_json::Number::from_f64(x).map_or(J::Null, J::Number),
            Some(_) => J::Null,
            None => J::String(crate::cells::cell_text(other)),
        },
    }
}

/// `export --for cadre-file`: every cadre's file as XLSX and JSON lines under
/// `OUT/exports/` (an `exports/` of an older warehouse is cleared first; see
/// [`crate::export::manifest`]).
pub fn export_all(out: &Path, labels: &Labels) -> Result<CadreFileSummary, ReportError> {
    manifest::open(out, true)?;
    let summary = write_all(out, &out.join(EXPORTS_DIR), labels)?;
    manifest::record(out, manifest::CADRE_FILE, &summary.files())?;
    Ok(summary)
}

/// Every cadre's file from the warehouse and indicators under `out`, written into `dir`.
pub fn write_all(out: &Path, dir: &Path, labels: &Labels) -> Result<CadreFileSummary, ReportError> {
    let s = load(out, None)?;
    std::fs::create_dir_all(dir).map_err(|e| WarehouseError::io(dir, e))?;
    let all = files(&s)?;
    let jsonl = dir.join(JSONL_FILE);
    write_jsonl(&all, &jsonl)?;
    let xlsx = dir.join(XLSX_FILE);
    let enrollments = enrollment_sheet(&all)?;
    let reviews = review_sheet(&all)?;
    write_workbook(&enrollments, &reviews, &s.compliance, labels, &xlsx)?;
    Ok(CadreFileSummary {
        xlsx,
        jsonl,
        cadres: all.len(),
        enrollments: enrollments.height(),
        compliance_source: s.source,
    })
}

/// The workbook for people: the three sheets in the office's words (headers, category,
/// method and grade labels, yes/no), numbers formatted, and a legend sheet.
fn write_workbook(
    enrollments: &DataFrame,
    reviews: &DataFrame,
    compliance: &DataFrame,
    labels: &Labels,
    path: &Path,
) -> Result<(), WarehouseError> {
    let parts = [
        (labels.pick("培训记录", "enrollments"), enrollments, None),
        (labels.pick("考核记录", "reviews"), reviews, Some(wh::REVIEWS)),
        (labels.pick("学时达标", "compliance"), compliance, None),
    ];
    let mut shown = Vec::with_capacity(parts.len());
    for (name, df, table) in parts {
        shown.push((name, present(df, labels, table)?, table));
    }
    let mut rows: Vec<[String; 4]> = Vec::new();
    for (name, df, table) in &shown {
        for column in df.get_column_names() {
            let column = column.as_str();
            rows.push([name.to_string(), labels.header(*table, column), column.to_string(), meaning(column, labels)]);
        }
    }
    let column = |k: usize| rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>();
    let legend =
        text_frame(vec![("sheet", column(0)), ("column", column(1)), ("field", column(2)), ("meaning", column(3))])?;
    let mut sheets: Vec<Sheet<'_>> = shown.iter().map(|(name, df, table)| sheet(name, df, labels, *table)).collect();
    let mut l = Sheet::plain(labels.pick("说明", "legend"), &legend);
    l.headers = [
        labels.pick("工作表", "Sheet"),
        labels.pick("列名", "Column"),
        labels.pick("字段名（JSON lines）", "Field (JSON lines)"),
        labels.pick("含义", "Meaning"),
    ]
    .map(str::to_string)
    .to_vec();
    l.widths = vec![14.0, 24.0, 22.0, 90.0];
    sheets.push(l);
    crate::export::write_workbook(&sheets, Some(labels.pick("干部培训档案", "Cadre training files")), path)
}

/// What a column of the cadre file holds: the data dictionary's words (warehouse tables,
/// then the compliance indicator table), or those of the columns made here.
fn meaning(column: &str, labels: &Labels) -> String {
    let own = match column {
        TOPICS => Some(labels.pick("本班课程的专题（、分隔）", "topics of the class's courses (、-separated)")),
        c::REPEATED_TOPICS => Some(labels.pick(
            "培训记录：本班专题中此前班次已讲过的；学时达标：当年重复的专题数",
            "enrollments: the class's topics already taught to the cadre in an earlier class; compliance: repeated topics in the year",
        )),
        ASSESSMENT_RECEIVED => Some(labels.pick("班主任、教师、同学评分的均值", "mean score from class manager, teachers and peers")),
        REACTION_GIVEN => Some(labels.pick("本人给本班课程评分的均值", "mean course-rating total the cadre gave")),
        c::N_CLASSES => Some(labels.pick("当年参加的班次数", "classes in the year")),
        CLASS_TITLE => Some(labels.pick("班次名称", "title of the class")),
        _ => None,
    };
    if let Some(m) = own {
        return m.to_string();
    }
    let docs = crate::schema::TABLES.iter().chain(crate::schema::indicator_def(ind::COMPLIANCE));
    let tables = [wh::CADRES, wh::CLASSES, wh::ENROLLMENTS, wh::REVIEWS, wh::TRAINEE_OUTCOMES, ind::COMPLIANCE];
    tables
        .iter()
        .find_map(|t| docs.clone().find(|d| d.name == *t).and_then(|d| d.columns.iter().find(|x| x.name == column)))
        .map_or_else(String::new, |x| x.doc.to_string())
}

impl CadreFileSummary {
    /// The files written, by name under `exports/`.
    pub fn files(&self) -> Vec<String> {
        [&self.jsonl, &self.xlsx]
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect()
    }
}

/// `file` with its codes in the office's words (category, target category, method,
/// review kind and grade), for the one-cadre page.
pub fn in_words(file: &CadreFile, labels: &Labels) -> CadreFile {
    let word =
        |table: Option<&str>, column: &str, v: &Option<String>| v.as_ref().map(|v| labels.value(table, column, v));
    let mut f = file.clone();
    f.category = word(None, c::CATEGORY, &file.category);
    for k in &mut f.classes {
        k.target_category = word(None, c::TARGET_CATEGORY, &k.target_category);
        k.method = word(None, c::METHOD, &k.method);
    }
    for r in &mut f.reviews {
        r.kind = word(Some(wh::REVIEWS), c::KIND, &r.kind);
        r.grade = word(Some(wh::REVIEWS), c::GRADE, &r.grade);
    }
    f
}

/// One cadre's file, looked up by the id as the office knows it (pseudonymised with
/// `TRAINEVAL_ID_KEY` when set, as `build` did). `None` when the warehouse has no such cadre.
pub fn one(out: &Path, known_id: &str) -> Result<Option<CadreFile>, ReportError> {
    let id = crate::pseudonym::Pseudonymizer::from_env().apply(known_id);
    let s = load(out, Some(&id))?;
    Ok(files(&s)?.into_iter().next())
}

/// Where `export --cadre` writes the page of the cadre stored as `stored_id`.
pub fn page_path(out: &Path, stored_id: &str) -> PathBuf {
    out.join(EXPORTS_DIR).join(PAGES_DIR).join(format!("{}.html", crate::report::paths::safe_stem(stored_id)))
}

fn write_jsonl(all: &[CadreFile], path: &Path) -> Result<(), WarehouseError> {
    let file = std::fs::File::create(path).map_err(|e| WarehouseError::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    for f in all {
        serde_json::to_writer(&mut w, f)
            .map_err(|e| WarehouseError::frame(format!("writing {}", path.display()), e))?;
        w.write_all(b"\n").map_err(|e| WarehouseError::io(path, e))?;
    }
    w.flush().map_err(|e| WarehouseError::io(path, e))
}

/// The `enrollments` sheet: one row per class of every file (topics `、`-joined).
fn enrollment_sheet(all: &[CadreFile]) -> Result<DataFrame, WarehouseError> {
    let rows: Vec<(&CadreFile, &ClassEntry)> = all.iter().flat_map(|f| f.classes.iter().map(move |k| (f, k))).collect();
    let s =
        |g: &dyn Fn(&CadreFile, &ClassEntry) -> Option<String>| rows.iter().map(|(f, k)| g(f, k)).collect::<Vec<_>>();
    let x = |g: &dyn Fn(&ClassEntry) -> Option<f64>| rows.iter().map(|(_, k)| g(k)).collect::<Vec<_>>();
    let n = rows.len();
    let columns = vec![
        Column::new(c::CADRE_ID.into(), s(&|f, _| Some(f.cadre_id.clone()))),
        Column::new(c::CATEGORY.into(), s(&|f, _| f.category.clone())),
        Column::new(c::RANK.into(), s(&|f, _| f.rank.clone())),
        Column::new(c::UNIT_ID.into(), s(&|f, _| f.unit_id.clone())),
        Column::new(c::PROMOTED_ON.into(), s(&|f, _| f.promoted_on.clone())),
        Column::new(c::YEAR.into(), rows.iter().map(|(_, k)| i64::from(k.year)).collect::<Vec<_>>()),
        Column::new(c::CLASS_ID.into(), s(&|_, k| Some(k.class_id.clone()))),
        Column::new(CLASS_TITLE.into(), s(&|_, k| k.title.clone())),
        Column::new(c::INSTITUTION.into(), s(&|_, k| k.institution.clone())),
        Column::new(c::TARGET_CATEGORY.into(), s(&|_, k| k.target_category.clone())),
        Column::new(c::METHOD.into(), s(&|_, k| k.method.clone())),
        Column::new(c::START_DATE.into(), s(&|_, k| k.start_date.clone())),
        Column::new(c::END_DATE.into(), s(&|_, k| k.end_date.clone())),
        Column::new(c::DAYS.into(), x(&|k| k.days)),
        Column::new(c::HOURS.into(), x(&|k| k.hours)),
        Column::new(c::ATTENDED_HOURS.into(), x(&|k| k.attended_hours)),
        Column::new(c::LEAVE_HOURS.into(), x(&|k| k.leave_hours)),
        Column::new(c::ATTENDANCE_RATE.into(), x(&|k| k.attendance_rate)),
        Column::new(c::COMPLETED.into(), rows.iter().map(|(_, k)| k.completed).collect::<Vec<_>>()),
        Column::new(c::EXAM_SCORE.into(), x(&|k| k.exam_score)),
        Column::new(c::DISCIPLINE_FLAGS.into(), rows.iter().map(|(_, k)| k.discipline_flags).collect::<Vec<_>>()),
        Column::new(TOPICS.into(), s(&|_, k| Some(k.topics.join("、")))),
        Column::new(c::REPEATED_TOPICS.into(), s(&|_, k| Some(k.repeated_topics.join("、")))),
        Column::new(c::PRE_SCORE.into(), x(&|k| k.pre_score)),
        Column::new(c::POST_SCORE.into(), x(&|k| k.post_score)),
        Column::new(c::GAIN.into(), x(&|k| k.gain)),
        Column::new(ASSESSMENT_RECEIVED.into(), x(&|k| k.assessment_received)),
        Column::new(c::SELF_ASSESSMENT.into(), x(&|k| k.self_assessment)),
        Column::new(REACTION_GIVEN.into(), x(&|k| k.reaction_given)),
    ];
    DataFrame::new(n, columns).map_err(|e| WarehouseError::frame("cadre file: enrollments sheet", e))
}

/// The `reviews` sheet: one row per review of every file.
fn review_sheet(all: &[CadreFile]) -> Result<DataFrame, WarehouseError> {
    let rows: Vec<(&str, &ReviewEntry)> =
        all.iter().flat_map(|f| f.reviews.iter().map(move |r| (f.cadre_id.as_str(), r))).collect();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(c::CADRE_ID.into(), rows.iter().map(|(id, _)| *id).collect::<Vec<_>>()),
            Column::new(c::REVIEW_DATE.into(), rows.iter().map(|(_, r)| r.date.clone()).collect::<Vec<_>>()),
            Column::new(c::KIND.into(), rows.iter().map(|(_, r)| r.kind.clone()).collect::<Vec<_>>()),
            Column::new(c::TOTAL.into(), rows.iter().map(|(_, r)| r.total).collect::<Vec<_>>()),
            Column::new(c::GRADE.into(), rows.iter().map(|(_, r)| r.grade.clone()).collect::<Vec<_>>()),
        ],
    )
    .map_err(|e| WarehouseError::frame("cadre file: reviews sheet", e))
}
