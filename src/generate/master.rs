//! Writes the master tables: units, cadres, classes, courses and items.
//!
//! In: the [`Plan`] and the output format. Out: `units.csv`, `cadres.csv` (platform
//! format: `cadres.xlsx` with an office's Chinese headers and values), `classes.csv`,
//! `courses.csv`, `items.csv`. Guarantees: columns exactly as SPEC Appendix A (cadres add
//! the optional `promoted_on`); ids unique; every reference resolves; nothing here is
//! ever dirty, because every other table depends on these rows.

use std::path::Path;

use crate::schema::wh;

use super::dates::iso_date;
use super::domain::CATEGORIES;
use super::plan::Plan;
use super::survey::{Wave, WaveDesign};
use super::writers::{Field, FileKind, FileSummary, InputWriter};
use super::{GenerateError, OutputFormat};

/// Chinese headers of `cadres.xlsx`, in the order of the canonical columns.
pub const CADRE_HEADERS_ZH: [&str; 10] =
    ["干部编号", "姓名", "性别", "出生年份", "干部类别", "职级", "单位编号", "是否党员", "入党日期", "任现职级时间"];
/// Canonical cadre columns.
pub const CADRE_HEADERS: [&str; 10] = [
    "cadre_id",
    "name",
    "gender",
    "birth_year",
    "category",
    "rank",
    "unit_id",
    "party_member",
    "join_date",
    "promoted_on",
];

pub fn write_units(dir: &Path, plan: &Plan) -> Result<FileSummary, GenerateError> {
    let mut w =
        InputWriter::create(dir, "units.csv", wh::UNITS, FileKind::Csv, &["unit_id", "name", "kind", "region"])?;
    for (i, u) in plan.units.iter().enumerate() {
        let (id, name) = (Plan::unit_id(i), plan.unit_name(u));
        w.row(&[Field::Str(&id), Field::Str(&name), Field::Str(u.kind.code()), Field::Str(&plan.regions[u.region])])?;
    }
    w.finish()
}

pub fn write_cadres(dir: &Path, plan: &Plan, format: OutputFormat) -> Result<FileSummary, GenerateError> {
    let zh = format == OutputFormat::Platform;
    let (file, kind, header) = if zh {
        ("cadres.xlsx", FileKind::Xlsx, CADRE_HEADERS_ZH)
    } else {
        ("cadres.csv", FileKind::Csv, CADRE_HEADERS)
    };
    let mut w = InputWriter::create(dir, file, wh::CADRES, kind, &header)?;
    for (i, c) in plan.cadres.iter().enumerate() {
        let spec = &CATEGORIES[c.category];
        let id = Plan::cadre_id(i);
        let name = Plan::cadre_name(c);
        let unit = Plan::unit_id(c.unit as usize);
        let join = c.join_day.map(iso_date).unwrap_or_default();
        let promoted = c.promoted_day.map(iso_date).unwrap_or_default();
        let (gender, category, party) = match (zh, c.female, c.party) {
            (true, f, p) => (if f { "女" } else { "男" }, spec.label_zh, if p { "是" } else { "否" }),
            (false, f, p) => (if f { "female" } else { "male" }, spec.code, if p { "true" } else { "false" }),
        };
        w.row(&[
            Field::Str(&id),
            Field::Str(&name),
            Field::Str(gender),
            Field::Int(i64::from(c.birth_year)),
            Field::Str(category),
            Field::Str(spec.ranks[c.rank].0),
            Field::Str(&unit),
            Field::Str(party),
            Field::Str(&join),
            Field::Str(&promoted),
        ])?;
    }
    w.finish()
}

pub fn write_classes(dir: &Path, plan: &Plan) -> Result<FileSummary, GenerateError> {
    let header =
        ["class_id", "title", "target_category", "method", "institution", "start_date", "end_date", "days", "hours"];
    let mut w = InputWriter::create(dir, "classes.csv", wh::CLASSES, FileKind::Csv, &header)?;
    for c in &plan.classes {
        let (title, start, end) = (plan.class_title(c), iso_date(c.start), iso_date(c.end));
        w.row(&[
            Field::Str(&c.id),
            Field::Str(&title),
            Field::Str(CATEGORIES[c.category].code),
            Field::Str(c.method.code()),
            Field::Str(c.institution),
            Field::Str(&start),
            Field::Str(&end),
            Field::Num(c.days),
            Field::Num(c.hours),
        ])?;
    }
    w.finish()
}

pub fn write_courses(dir: &Path, plan: &Plan) -> Result<FileSummary, GenerateError> {
    let header = ["course_id", "class_id", "title", "teacher_id", "method", "hours", "topic"];
    let mut w = InputWriter::create(dir, "courses.csv", wh::COURSES, FileKind::Csv, &header)?;
    for c in &plan.classes {
        for k in &plan.courses[c.courses.clone()] {
            let (id, title, teacher) =
                (Plan::course_id(&c.id, k.number), Plan::course_title(k), Plan::teacher_id(k.teacher));
            w.row(&[
                Field::Str(&id),
                Field::Str(&c.id),
                Field::Str(&title),
                Field::Str(&teacher),
                Field::Str(k.method.code()),
                Field::Num(k.hours),
                Field::Str(super::domain::TOPICS[k.topic]),
            ])?;
        }
    }
    w.finish()
}

/// `items.csv`: one row per (item, wave) — SPEC C.4.
pub fn write_items(dir: &Path) -> Result<FileSummary, GenerateError> {
    let header = ["item_id", "scale", "wave", "text", "min", "max", "reverse", "kind"];
    let mut w = InputWriter::create(dir, "items.csv", wh::ITEMS, FileKind::Csv, &header)?;
    for wave in Wave::ALL {
        for it in wave.items() {
            let (lo, hi) = match it.range {
                Some((lo, hi)) => (Field::Int(i64::from(lo)), Field::Int(i64::from(hi))),
                None => (Field::Empty, Field::Empty),
            };
            w.row(&[
                Field::Str(it.item_id),
                Field::Str(it.scale),
                Field::Str(wave.as_str()),
                Field::Str(it.text),
                lo,
                hi,
                Field::Str(if it.reverse { "true" } else { "false" }),
                Field::Str(it.kind),
            ])?;
        }
    }
    w.finish()
}

/// `pipeline.toml` for a platform-format set: every input with its path, the survey
/// files read through the platform adapter (defaults: question 1 = class id, question 2
/// = cadre id, items in `items.csv` order from question 3), and `cadres.xlsx` mapped
/// from its Chinese headers and category labels. Canonical sets need no pipeline file.
pub fn write_platform_pipeline(dir: &Path) -> Result<FileSummary, GenerateError> {
    let mut t = String::from(
        "# Written by `traineval generate --format platform`: maps the platform-style files of\n\
         # this directory to the canonical tables. Run `traineval run pipeline.toml`.\n\n",
    );
    for table in [
        wh::UNITS,
        wh::CLASSES,
        wh::COURSES,
        wh::ENROLLMENTS,
        wh::ITEMS,
        wh::COURSE_RATINGS,
        wh::TRAINEE_RATINGS,
        wh::REVIEWS,
        wh::UNIT_OUTCOMES,
    ] {
        t.push_str(&format!("[inputs.{table}]\npath = \"{table}.csv\"\n\n"));
    }
    t.push_str("[inputs.cadres]\npath = \"cadres.xlsx\"\n\n[inputs.cadres.columns]\n");
    for (canonical, zh) in CADRE_HEADERS.iter().zip(CADRE_HEADERS_ZH) {
        t.push_str(&format!("{canonical} = \"{zh}\"\n"));
    }
    t.push_str("\n[inputs.cadres.values.category]\n");
    for c in &CATEGORIES {
        t.push_str(&format!("\"{}\" = \"{}\"\n", c.label_zh, c.code));
    }
    for wave in Wave::ALL {
        let (file, encoding) = if wave == Wave::Needs {
            (format!("{}.xlsx", wave.table()), String::new())
        } else {
            (format!("{}.csv", wave.table()), "encoding = \"gbk\"\n".to_string())
        };
        t.push_str(&format!(
            "\n[inputs.{}]\npath = \"{file}\"\n{encoding}format = \"platform\"\n\n[inputs.{}.platform]\n",
            wave.table(),
            wave.table()
        ));
    }
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, &t).map_err(|source| GenerateError::Io { path, source })?;
    Ok(FileSummary {
        table: "_pipeline".into(),
        file: "pipeline.toml".into(),
        format: "toml".into(),
        rows: 0,
        bytes: t.len() as u64,
    })
}
