//! The workbooks people read are in the office's words (its headers and labels from the
//! pipeline's maps, plain headers elsewhere, formatted numbers, a legend), the files
//! tools read keep the canonical names; and no export outlives the warehouse it was
//! made from (`run`, `build`, `indicators`, `export`).

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

use crate::common::{data, tmp, traineval};

/// The mapped fixture (Chinese roster headers and category labels) with an office label
/// for one method and one grade, in `lang`, writing `indicators.xlsx`, with `on_run`.
fn pipeline(dir: &Path, lang: &str, on_run: &str) -> PathBuf {
    let mapped = data("mapped");
    let canonical = data("canonical");
    let text = std::fs::read_to_string(mapped.join("mapped.toml")).unwrap();
    let text = text
        .replace("path = \"cadres_zh.csv\"", &format!("path = {:?}", mapped.join("cadres_zh.csv").to_str().unwrap()))
        .replace("path = \"../canonical/", &format!("path = \"{}/", canonical.to_str().unwrap()));
    let extra = format!(
        "\n[inputs.classes.values.method]\n\"案例式教学\" = \"case\"\n\n[inputs.reviews.values.grade]\n\"优秀\" = \"excellent\"\n\n\
         [indicators]\nmin_cell = 2\nxlsx = true\n\n[report]\nlang = \"{lang}\"\n\n[exports]\non_run = [{on_run}]\n"
    );
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, text + &extra).unwrap();
    p
}

fn ok(args: &[&str]) {
    let r = traineval(args, &[]);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
}

/// Every row of a sheet as text.
fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn sheets(path: &Path) -> Vec<String> {
    open_workbook_auto(path).unwrap().sheet_names()
}

/// The number format of the first number in column `j` of a sheet, with the number.
fn first_number(path: &Path, sheet: &str, j: usize) -> Option<(f64, String)> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let styles = wb.worksheet_style(sheet).unwrap();
    (1..range.height() as u32).find_map(|r| match range.get_value((r, j as u32)) {
        Some(Data::Float(x)) => {
            let f = styles.get((r, j as u32)).and_then(|s| s.number_format.as_ref()).map(|f| f.format_code.clone());
            Some((*x, f.unwrap_or_default()))
        }
        _ => None,
    })
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn every_workbook_speaks_the_office_language_and_tools_keep_the_codes() {
    let dir = tmp();
    let p = pipeline(dir.path(), "en", "\"assessment\"");
    let out = dir.path().join("out");
    let (p, o) = (p.to_str().unwrap(), out.to_str().unwrap());
    ok(&["run", p, "--out", o, "-q"]);
    ok(&["export", p, "--out", o, "--for", "cadre-file", "-q"]);
    let office = ["县处级领导干部", "中层干部", "优秀年轻干部", "公务员"];

    // assessment.xlsx, written by `run` as the pipeline asks: the office's header and
    // labels where it has them (Chinese, though the export is in English), plain
    // English elsewhere, numbers formatted, a legend, and the codes last.
    let a = out.join("exports/assessment.xlsx");
    assert_eq!(sheets(&a), ["scorecard", "weights", "legend", "codes"]);
    let score = rows(&a, "scorecard");
    assert_eq!(score[0][..4], ["干部编号", "Period", "干部类别", "Learning (z)"]);
    assert!(score[0].iter().all(|h| !canonical_names().contains(h)), "{:?}", score[0]);
    assert!(score.len() > 5);
    for r in &score[1..] {
        assert!(office.contains(&r[2].as_str()), "category {:?} is not the office's label", r[2]);
    }
    assert_eq!(first_number(&a, "scorecard", 3).expect("a learning z-score").1, "0.00");
    let numbers: Vec<f64> = score[1..].iter().flat_map(|r| r[3..].iter().filter_map(|c| c.parse().ok())).collect();
    assert!(
        numbers.iter().any(|x| (x * 100.0 - (x * 100.0).round()).abs() > 1e-6),
        "cells keep full numbers: {numbers:?}"
    );
    let pct = column(&score[0], "Percentile in category");
    assert_eq!(first_number(&a, "scorecard", pct).unwrap().1, "0");
    let share = column(&score[0], "Hours requirement met");
    assert_eq!(first_number(&a, "scorecard", share).unwrap().1, "0.0%");
    let legend = rows(&a, "legend");
    assert!(legend.iter().any(|r| r[0] == "Band A" && r[2] == "percentile in category ≥ 85"), "{legend:?}");
    assert!(legend.iter().any(|r| r[0] == "z-score"));
    let codes = rows(&a, "codes");
    assert_eq!(codes[0][..3], ["cadre_id", "period", "category"]);
    assert!(codes[1..].iter().all(|r| !office.contains(&r[2].as_str())), "codes stay codes");
    let csv = std::fs::read_to_string(out.join("exports/assessment.csv")).unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("cadre_id,period,category,learning_z,"), "{csv}");
    assert!(!office.iter().any(|l| csv.contains(l)), "the CSV keeps the codes");

    // indicators.xlsx: a legend first, titles beside ids, the office's method label, the
    // report's label where the office has none, p-values numbers under a threshold format.
    let i = out.join("indicators/indicators.xlsx");
    let names = sheets(&i);
    assert_eq!(names[0], "legend");
    assert_eq!(names.len(), traineval::schema::INDICATOR_TABLES.len() + 1);
    let l = rows(&i, "learning_by_class");
    assert_eq!(l[0][..4], ["Class id", "Class title", "Training method", "Trainees' category"]);
    let k1 = l.iter().find(|r| r[0] == "K1").expect("K1");
    assert_eq!(k1[1], "2025年中层干部能力提升班");
    assert_eq!(k1[2], "案例式教学", "the office's label");
    assert_eq!(k1[3], "中层干部", "the roster's category label names the target category too");
    let k2 = l.iter().find(|r| r[0] == "K2").expect("K2");
    assert_eq!(k2[2], "Centralised", "no office label: the report's");
    let p = column(&l[0], "p");
    let (x, f) = first_number(&i, "learning_by_class", p).expect("a p-value");
    assert!((0.0..=1.0).contains(&x));
    assert_eq!(f, "[<0.001]\"<0.001\";0.000");
    let legend = rows(&i, "legend");
    let row = legend.iter().find(|r| r[0] == "learning_by_class" && r[3] == "p_value").expect("p_value in the legend");
    assert_eq!(row[1], "Learning by class");
    assert_eq!(row[2], "p");
    assert!(row[4].contains("two-sided"), "{row:?}");
    let c = rows(&i, "reaction_by_course");
    assert_eq!(c[0][..4], ["Class id", "Class title", "Course id", "Course title"]);
    assert!(c.iter().any(|r| r[3] == "基层治理案例研讨"), "course titles beside course ids");
    // The tables tools read are unchanged.
    let parquet = traineval::report::load::read_parquet(&out.join("indicators/learning_by_class.parquet")).unwrap();
    assert!(parquet.column("class_title").is_err());
    let methods: Vec<Option<&str>> = parquet.column("method").unwrap().str().unwrap().iter().collect();
    assert!(methods.contains(&Some("case")));

    // cadre_file.xlsx: the same treatment; the JSON lines keep the codes.
    let cf = out.join("exports/cadre_file.xlsx");
    assert_eq!(sheets(&cf), ["enrollments", "reviews", "compliance", "legend"]);
    let e = rows(&cf, "enrollments");
    assert_eq!(e[0][..3], ["干部编号", "干部类别", "职级"], "the roster's own headers");
    assert_eq!(e[1][column(&e[0], "Class title")], "2025年县处级干部轮训班");
    let m = column(&e[0], "Training method");
    assert!(e.iter().any(|r| r[m] == "案例式教学"));
    let done = column(&e[0], "Completed");
    assert!(e[1..].iter().all(|r| ["yes", "no", ""].contains(&r[done].as_str())), "yes/no in words");
    let r = rows(&cf, "reviews");
    let g = column(&r[0], "Grade");
    assert!(r.iter().any(|row| row[g] == "优秀") && r.iter().any(|row| row[g] == "competent"), "{r:?}");
    let jsonl = std::fs::read_to_string(out.join("exports/cadre_file.jsonl")).unwrap();
    assert!(jsonl.contains("\"method\":\"case\"") && !jsonl.contains("案例式教学"));
    let legend = rows(&cf, "legend");
    assert!(legend.iter().any(|r| r[2] == "attendance_rate" && !r[3].is_empty()));
    // Every export is in the manifest.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("exports/_manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["exports"]["assessment"],
        serde_json::json!(["assessment.csv", "assessment_weights.csv", "assessment.xlsx"])
    );
    assert_eq!(m["exports"]["cadre_file"], serde_json::json!(["cadre_file.jsonl", "cadre_file.xlsx"]));
}

#[test]
fn chinese_is_the_default_and_no_code_name_heads_a_column() {
    let dir = tmp();
    let p = pipeline(dir.path(), "zh", "\"assessment\", \"cadre-file\"");
    let out = dir.path().join("out");
    ok(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    let a = out.join("exports/assessment.xlsx");
    assert_eq!(sheets(&a), ["评分表", "权重", "说明", "codes"]);
    let i = out.join("indicators/indicators.xlsx");
    let l = rows(&i, "transfer_by_class");
    assert_eq!(l[0][..2], ["班次编号", "班次名称"]);
    let names = canonical_names();
    let cf = out.join("exports/cadre_file.xlsx");
    for (book, skip) in [(&i, ""), (&a, "codes"), (&cf, "")] {
        for sheet in sheets(book).iter().filter(|s| s.as_str() != skip) {
            let head = &rows(book, sheet)[0];
            assert!(head.iter().all(|h| !names.contains(h)), "{sheet}: {head:?}");
        }
    }
    let codes = &rows(&a, "codes")[0];
    assert!(codes.iter().all(|h| names.contains(h)), "{codes:?}");
}

#[test]
fn no_export_outlives_the_warehouse_it_was_made_from() {
    let dir = tmp();
    let p = pipeline(dir.path(), "zh", "");
    let out = dir.path().join("out");
    let exports = out.join("exports");
    let (p, o) = (p.to_str().unwrap(), out.to_str().unwrap());
    let listing = || {
        let mut v: Vec<String> = std::fs::read_dir(&exports)
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    // Nothing asked for, nothing there: `run` makes no exports directory.
    ok(&["run", p, "--out", o, "-q"]);
    assert!(!exports.exists());
    ok(&["export", p, "--out", o, "--for", "assessment", "-q"]);
    assert_eq!(listing(), ["_manifest.json", "assessment.csv", "assessment.xlsx", "assessment_weights.csv"]);

    // The issue: `run` used to leave the old assessment beside the new warehouse.
    ok(&["run", p, "--out", o, "-q"]);
    assert_eq!(listing(), ["_manifest.json"], "`run` cleared the exports of the replaced warehouse");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exports.join("_manifest.json")).unwrap()).unwrap();
    assert_eq!(m["run_at"], crate::common::manifest(&out)["run_at"], "stamped with the new warehouse");

    // `build` alone: exports cleared, and the indicator tables it left are refused.
    ok(&["export", p, "--out", o, "--for", "cadre-file", "-q"]);
    ok(&["build", p, "--out", o, "-q"]);
    assert_eq!(listing(), ["_manifest.json"]);
    let r = traineval(&["export", p, "--out", o, "--for", "assessment"], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("run `traineval indicators` first"), "{}", r.stderr);
    assert!(!exports.join("assessment.xlsx").exists());
    ok(&["indicators", p, "--out", o, "-q"]);
    ok(&["export", p, "--out", o, "--for", "assessment", "-q"]);
    assert!(exports.join("assessment.xlsx").is_file());

    // Exports of unknown origin (an older version, no manifest) are cleared by the next export.
    std::fs::remove_file(exports.join("_manifest.json")).unwrap();
    std::fs::create_dir_all(exports.join("cadre_file")).unwrap();
    std::fs::write(exports.join("cadre_file/C01.html"), "old").unwrap();
    ok(&["export", p, "--out", o, "--for", "cadre-file", "-q"]);
    assert_eq!(listing(), ["_manifest.json", "cadre_file.jsonl", "cadre_file.xlsx"]);

    // What the pipeline asks for is rebuilt by `run`, from the new warehouse, and nothing else.
    let p2 = pipeline(dir.path(), "zh", "\"assessment\"");
    ok(&["run", p2.to_str().unwrap(), "--out", o, "-q"]);
    assert_eq!(listing(), ["_manifest.json", "assessment.csv", "assessment.xlsx", "assessment_weights.csv"]);
    let left: Vec<String> =
        std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|n| !n.starts_with('.')), "no staging directory left: {left:?}");
}

#[test]
fn exports_are_deterministic() {
    let dir = tmp();
    let p = pipeline(dir.path(), "zh", "\"assessment\", \"cadre-file\"");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        ok(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    }
    crate::foundation::assert_identical(&a.join("exports"), &b.join("exports"));
    crate::foundation::assert_identical(&a.join("indicators"), &b.join("indicators"));
    let first = &rows(&a.join("exports/assessment.xlsx"), "评分表")[1][0];
    assert!(first.starts_with('C'), "ids as the warehouse holds them: {first}");
}

/// Every canonical column name (warehouse, indicators, and the columns exports add).
fn canonical_names() -> std::collections::BTreeSet<String> {
    use traineval::schema::{INDICATOR_TABLES, TABLES};
    let extra = ["class_title", "course_title", "topics", "assessment_received", "reaction_given"];
    TABLES
        .iter()
        .chain(INDICATOR_TABLES)
        .flat_map(|t| t.columns.iter().map(|c| c.name.to_string()))
        .chain(extra.map(String::from))
        .collect()
}
