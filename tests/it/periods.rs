//! A warehouse of several years (issue 27, SPEC §7.4): `generate --years`, a build that
//! holds every year, `build --replace-year` (other years kept byte for byte, atomic under
//! a kill at any moment), and each cadre's training file (`export --for cadre-file`).

use std::path::{Path, PathBuf};

use polars::prelude::SerReader;

use crate::common::*;
use crate::foundation::assert_identical;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn generate_years(dir: &Path, years: &str, cadres: &str, seed: &str) {
    let r = traineval(&["generate", "--out", s(dir), "--years", years, "--cadres", cadres, "--seed", seed], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn build(input: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut a = vec!["build", s(input), "--out", s(out)];
    a.extend_from_slice(extra);
    traineval(&a, env)
}

fn truth(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("_truth.json")).unwrap()).unwrap()
}

/// Every file under `a` and `b` relative, with those whose bytes differ (the manifest
/// compared without `run_at`).
fn differing(a: &Path, b: &Path) -> Vec<PathBuf> {
    let (fa, fb) = (files(a), files(b));
    let mut out: Vec<PathBuf> = fa.iter().filter(|f| !fb.contains(f)).cloned().collect();
    out.extend(fb.iter().filter(|f| !fa.contains(f)).cloned());
    for f in fa.iter().filter(|f| fb.contains(f)) {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        let same = if f.ends_with("_manifest.json") {
            let strip = |v: Vec<u8>| {
                let mut j: serde_json::Value = serde_json::from_slice(&v).unwrap();
                j["run_at"] = serde_json::Value::Null;
                j
            };
            strip(x) == strip(y)
        } else {
            x == y
        };
        if !same {
            out.push(f.clone());
        }
    }
    out.sort();
    out
}

/// Copy a directory of input files.
fn copy_inputs(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Rewrite a CSV input: `edit` may change or drop (None) each record.
fn edit_csv(path: &Path, edit: impl Fn(Vec<String>) -> Option<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let rows: Vec<Vec<String>> =
        r.records().map(|x| x.unwrap().iter().map(String::from).collect()).filter_map(&edit).collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

/// A generated 2021–2023 set, and a copy whose 2022 post survey lost a third of its rows.
fn three_years() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let g = tmp();
    let (first, second) = (g.path().join("v1"), g.path().join("v2"));
    generate_years(&first, "2021-2023", "500", "31");
    copy_inputs(&first, &second);
    let n = std::cell::Cell::new(0usize);
    edit_csv(&second.join("survey_post.csv"), |row| {
        n.set(n.get() + 1);
        let drop = row[0].starts_with("K2022") && n.get().is_multiple_of(3);
        (!drop).then_some(row)
    });
    (g, first, second)
}

#[test]
fn several_years_generate_and_build_deterministically() {
    let g = tmp();
    let (a, b) = (g.path().join("a"), g.path().join("b"));
    generate_years(&a, "2021-2023", "400", "5");
    generate_years(&b, "2021-2023", "400", "5");
    assert!(differing(&a, &b).is_empty(), "{:?}", differing(&a, &b));
    let (oa, ob) = (tmp(), tmp());
    assert_eq!(build(&a, oa.path(), &[], &[]).code, 0);
    assert_eq!(build(&a, ob.path(), &[], &[]).code, 0);
    assert_identical(&oa.path().join("warehouse"), &ob.path().join("warehouse"));
    // Every year is held, and the manifest records each with its build and rows.
    let m = manifest(oa.path());
    let classes = table(oa.path(), "classes");
    let years: Vec<i32> = {
        let mut y: Vec<i32> = classes.column("year").unwrap().i32().unwrap().into_no_null_iter().collect();
        y.dedup();
        y
    };
    assert_eq!(years, vec![2021, 2022, 2023]);
    for y in ["2021", "2022", "2023"] {
        let rec = &m["years"][y];
        assert_eq!(rec["how"], "full");
        assert_eq!(rec["inputs"].as_array().unwrap().len(), m["inputs"].as_array().unwrap().len());
        assert!(rec["rows"]["enrollments"].as_u64().unwrap() > 100, "{rec}");
    }
    // Reviews run from three years before the first to three after the last.
    assert!(m["years"]["2018"]["rows"]["reviews"].as_u64().unwrap() > 0);
    assert!(m["years"]["2026"]["rows"]["reviews"].as_u64().unwrap() > 0);
    assert_eq!(m["period"], "2023");
}

#[test]
fn replace_year_keeps_the_other_years_byte_for_byte() {
    let (_g, v1, v2) = three_years();
    let (full1, full2, replaced) = (tmp(), tmp(), tmp());
    assert_eq!(build(&v1, full1.path(), &[], &[]).code, 0);
    assert_eq!(build(&v2, full2.path(), &[], &[]).code, 0);
    assert_eq!(build(&v1, replaced.path(), &[], &[]).code, 0);
    let r = build(&v2, replaced.path(), &["--replace-year", "2022"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("year 2022 replaced"), "{}", r.stdout);
    let (w1, w2, wr) =
        (full1.path().join("warehouse"), full2.path().join("warehouse"), replaced.path().join("warehouse"));
    // Against the warehouse it replaced: only year 2022 of the tables the edit touches
    // changed; every other year of every table is the same bytes.
    let changed = differing(&w1, &wr);
    assert!(!changed.is_empty());
    for f in &changed {
        let p = f.to_string_lossy();
        let expected = p.contains("year=2022")
            || p.starts_with("_manifest.json")
            || p.starts_with("unit_outcomes/")
            || p.starts_with("_rejects/");
        assert!(expected, "{p} changed although only 2022 was replaced");
    }
    assert!(changed.iter().any(|f| f.to_string_lossy().starts_with("survey_responses/year=2022")));
    // And it is the warehouse a full build of the new inputs writes (they differ only in
    // 2022), but for the row order of unit_outcomes and the manifest's record of builds.
    let rest: Vec<PathBuf> = differing(&w2, &wr)
        .into_iter()
        .filter(|f| !f.starts_with("unit_outcomes") && !f.ends_with("_manifest.json"))
        .collect();
    assert!(rest.is_empty(), "{rest:?}");
    let sorted = |out: &Path| {
        let df = table(out, "unit_outcomes");
        df.sort(["unit_id", "period", "metric"], Default::default()).unwrap()
    };
    assert!(sorted(full2.path()).equals_missing(&sorted(replaced.path())));
    let (m1, m) = (manifest(full1.path()), manifest(replaced.path()));
    assert_eq!(m["years"]["2022"]["how"], "replace-year");
    assert_ne!(m["years"]["2022"]["build"], m1["years"]["2022"]["build"]);
    assert_eq!(m["years"]["2021"]["build"], m1["years"]["2021"]["build"], "kept years keep their build");
    assert_eq!(m["years"]["2021"]["inputs"], m1["years"]["2021"]["inputs"]);
    assert_eq!(m["warehouse"], manifest(full2.path())["warehouse"]);
    // Nothing is left beside the warehouse.
    let left: Vec<String> = std::fs::read_dir(replaced.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["warehouse".to_string()]);
}

#[test]
fn replace_year_into_an_empty_out_holds_that_year_alone() {
    let (_g, v1, _) = three_years();
    let out = tmp();
    let r = build(&v1, out.path(), &["--replace-year", "2023"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let classes = table(out.path(), "classes");
    assert!(classes.column("year").unwrap().i32().unwrap().into_no_null_iter().all(|y| y == 2023));
    assert_eq!(
        table(out.path(), "reviews").column("year").unwrap().i32().unwrap().into_no_null_iter().max(),
        Some(2023)
    );
    // A warehouse built with the key cannot take a year built without it.
    let keyed = tmp();
    assert_eq!(build(&v1, keyed.path(), &[], &[("TRAINEVAL_ID_KEY", "k")]).code, 0);
    let r = build(&v1, keyed.path(), &["--replace-year", "2022"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("TRAINEVAL_ID_KEY"), "{}", r.stderr);
}

/// The kill test: a replace-year killed at any moment leaves the previous warehouse
/// whole, or the new one whole, never a mix; the next run cleans up what it left.
#[test]
fn a_killed_replace_year_leaves_a_whole_warehouse() {
    let (_g, v1, v2) = three_years();
    let (old, new) = (tmp(), tmp());
    assert_eq!(build(&v1, old.path(), &[], &[]).code, 0);
    assert_eq!(build(&v1, new.path(), &[], &[]).code, 0);
    assert_eq!(build(&v2, new.path(), &["--replace-year", "2022"], &[]).code, 0);
    let (w_old, w_new) = (old.path().join("warehouse"), new.path().join("warehouse"));
    let is_old_or_new = |w: &Path| differing(w, &w_old).is_empty() || differing(w, &w_new).is_empty();

    // At the worst moments, by the fault hook: just before and just after the exchange.
    let out = tmp();
    assert_eq!(build(&v1, out.path(), &[], &[]).code, 0);
    let r = build(&v2, out.path(), &["--replace-year", "2022"], &[("TRAINEVAL_FAULT", "before-swap")]);
    assert_ne!(r.code, 0, "the hook aborts");
    let w = out.path().join("warehouse");
    assert!(differing(&w, &w_old).is_empty(), "aborted before the swap: the old warehouse, whole");
    assert!(std::fs::read_dir(out.path()).unwrap().count() > 1, "the staging directory is left behind");
    let r = build(&v2, out.path(), &["--replace-year", "2022"], &[("TRAINEVAL_FAULT", "after-swap")]);
    assert_ne!(r.code, 0);
    assert!(differing(&w, &w_new).is_empty(), "aborted after the swap: the new warehouse, whole");
    // The next run removes what the killed ones left (here: an indicators run).
    let r = traineval(&["indicators", s(&v2), "--out", s(out.path())], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut left: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec!["indicators".to_string(), "warehouse".to_string()]);

    // At random moments: kill -9 of a child, then look.
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(27);
    let clock = std::time::Instant::now();
    assert_eq!(build(&v2, out.path(), &["--replace-year", "2022"], &[]).code, 0);
    let run_ms = clock.elapsed().as_millis().max(20) as u64;
    let mut outcomes = (0, 0);
    for _ in 0..12 {
        let out = tmp();
        assert_eq!(build(&v1, out.path(), &[], &[]).code, 0);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_traineval"))
            .args(["-q", "build", s(&v2), "--out", s(out.path()), "--replace-year", "2022"])
            .env_remove("TRAINEVAL_ID_KEY")
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.gen_range(0..run_ms + run_ms / 4)));
        let _ = child.kill();
        let _ = child.wait();
        let w = out.path().join("warehouse");
        assert!(is_old_or_new(&w), "a kill left a mixed warehouse: {:?}", differing(&w, &w_old));
        if differing(&w, &w_old).is_empty() {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
    }
    eprintln!("killed runs: {} left the old warehouse, {} the new", outcomes.0, outcomes.1);
}

/// The example cadre of the truth file: promoted into another category and taught a
/// topic twice across years.
fn example_cadre(gen: &Path) -> (String, serde_json::Value) {
    let t = truth(gen);
    let id = t["careers"]["examples_promoted_with_repeated_topic"][0].as_str().expect("an example cadre").to_string();
    let change = t["careers"]["example_changes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["cadre_id"] == id.as_str())
        .cloned()
        .unwrap();
    (id, change)
}

fn jsonl(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("exports/cadre_file.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_cadre_file_shows_promotions_and_repeated_topics_across_years() {
    let (g, out) = (tmp(), tmp());
    generate_years(g.path(), "2021-2023", "600", "14");
    assert_eq!(build(g.path(), out.path(), &[], &[]).code, 0);
    let r = traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("warehouse alone"), "no indicators yet: {}", r.stdout);
    let files = jsonl(out.path());
    assert_eq!(files.len(), 600, "one object per cadre");
    let ids: Vec<&str> = files.iter().map(|f| f["cadre_id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by cadre_id");
    let enrollments: usize = files.iter().map(|f| f["classes"].as_array().unwrap().len()).sum();
    assert_eq!(enrollments, table(out.path(), "enrollments").height());

    let (id, change) = example_cadre(g.path());
    let f = files.iter().find(|f| f["cadre_id"] == id.as_str()).unwrap();
    assert_eq!(f["promoted_on"], change["date"], "{f}");
    assert_eq!(f["category"], change["to_category"]);
    let classes = f["classes"].as_array().unwrap();
    let years: std::collections::BTreeSet<i64> = classes.iter().map(|k| k["year"].as_i64().unwrap()).collect();
    assert!(years.len() >= 2, "{f}");
    assert!(classes.iter().any(|k| !k["repeated_topics"].as_array().unwrap().is_empty()), "a repeated topic: {f}");
    // The classes before the promotion were for the old category, those after for the new.
    let date = change["date"].as_str().unwrap();
    for k in classes {
        let before = k["start_date"].as_str().unwrap() < date;
        let want = if before { &change["from_category"] } else { &change["to_category"] };
        assert_eq!(&k["target_category"], want, "{k}");
    }
    let hours: f64 = classes.iter().filter(|k| k["completed"] == true).map(|k| k["hours"].as_f64().unwrap()).sum();
    let by_year: f64 = f["compliance"].as_array().unwrap().iter().map(|y| y["hours_trained"].as_f64().unwrap()).sum();
    assert!((hours - by_year).abs() < 1e-9, "compliance by year sums the completed hours");
    assert!(f["reviews"].as_array().unwrap().len() >= 6);

    // The workbook: one row per enrollment.
    use calamine::{open_workbook_auto, Reader};
    let mut wb = open_workbook_auto(out.path().join("exports/cadre_file.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), vec!["培训记录", "考核记录", "学时达标", "说明"]);
    assert_eq!(wb.worksheet_range("培训记录").unwrap().height(), enrollments + 1);

    // One cadre's page, and the compliance table once the indicators exist.
    assert_eq!(traineval(&["indicators", s(g.path()), "--out", s(out.path())], &[]).code, 0);
    let r = traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file", "--cadre", &id], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(out.path().join(format!("exports/cadre_file/{id}.html"))).unwrap();
    assert!(page.contains(date), "the promotion date is on the page");
    assert!(page.contains("topic repeated"), "a repeated topic is marked");
    assert!(page.contains("来源：指标表 compliance"), "compliance from the indicator table");
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "self-contained");
    let r = traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file"], &[]);
    assert!(r.stdout.contains("compliance indicator table"), "{}", r.stdout);
    let f = jsonl(out.path()).into_iter().find(|f| f["cadre_id"] == id.as_str()).unwrap();
    assert_eq!(f["compliance_source"], "indicators");
    assert!(f["compliance"][0].get("rule").is_some(), "{f}");
    // An unknown cadre is a usage error.
    let r =
        traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file", "--cadre", "nobody"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no cadre `nobody`"), "{}", r.stderr);
}

#[test]
fn the_cadre_file_guards_formulas_and_escapes_html() {
    let (g, out) = (tmp(), tmp());
    generate_years(g.path(), "2022-2023", "300", "3");
    let hostile = "=HYPERLINK(\"http://evil.example\",\"<script>alert(1)</script>\")";
    let mut target = String::new();
    edit_csv(&g.path().join("classes.csv"), |mut row| {
        if row[0].ends_with("00001") && row[0].starts_with("K2022") {
            row[1] = hostile.to_string();
        }
        Some(row)
    });
    let enrolled = csv::Reader::from_path(g.path().join("enrollments.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[0].starts_with("K2022") && r[0].ends_with("00001"))
        .unwrap();
    target.push_str(&enrolled[1]);
    assert_eq!(build(g.path(), out.path(), &[], &[]).code, 0);
    assert_eq!(traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file"], &[]).code, 0);
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(out.path().join("exports/cadre_file.xlsx")).unwrap();
    let range = wb.worksheet_range("培训记录").unwrap();
    let cells: Vec<&Data> =
        range.rows().flat_map(|r| r.iter()).filter(|c| matches!(c, Data::String(t) if t == hostile)).collect();
    assert!(!cells.is_empty(), "the title is in the workbook, as a string cell");
    let formulas = wb.worksheet_formula("培训记录").unwrap();
    assert!(formulas.rows().flat_map(|r| r.iter()).all(|f| f.is_empty()), "no formula cell");
    let r = traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file", "--cadre", &target], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(out.path().join(format!("exports/cadre_file/{target}.html"))).unwrap();
    assert!(page.contains("&lt;script&gt;alert(1)"), "escaped");
    assert!(!page.contains("<script>"), "never raw");
}

#[test]
fn the_cadre_file_is_pseudonymised_with_the_key() {
    let (g, out) = (tmp(), tmp());
    generate_years(g.path(), "2022-2023", "300", "9");
    let key = [("TRAINEVAL_ID_KEY", "office-secret")];
    assert_eq!(build(g.path(), out.path(), &[], &key).code, 0);
    let r = traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file"], &key);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = jsonl(out.path());
    assert!(files.iter().all(|f| {
        let id = f["cadre_id"].as_str().unwrap();
        id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit())
    }));
    let text = std::fs::read_to_string(out.path().join("exports/cadre_file.jsonl")).unwrap();
    assert!(!text.contains("C0000"), "no raw cadre id in the file");
    // `--cadre` takes the id as the office knows it.
    let pseudonym = traineval::pseudonym::Pseudonymizer::new(Some("office-secret")).apply("C0000007");
    let r =
        traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file", "--cadre", "C0000007"], &key);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(out.path().join(format!("exports/cadre_file/{pseudonym}.html"))).unwrap();
    assert!(page.contains("C0000007") && page.contains(&pseudonym));
    // Without the key the raw id is not in the warehouse.
    let r =
        traineval(&["export", s(g.path()), "--out", s(out.path()), "--for", "cadre-file", "--cadre", "C0000007"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// The period's tables describe the period's classes: computed from a warehouse holding
/// three years they equal those computed from the period's year alone (only the families
/// that look across years — transfer controls and pre-periods, compliance windows, the
/// scorecard, trends, course series, L4 — may differ), and the report has a page for each
/// of the period's classes and for no other.
#[test]
fn the_period_describes_its_own_classes_only() {
    let (_g, v1, _) = three_years();
    let (all, alone) = (tmp(), tmp());
    assert_eq!(build(&v1, all.path(), &[], &[]).code, 0);
    assert_eq!(build(&v1, alone.path(), &["--replace-year", "2023"], &[]).code, 0);
    for out in [&all, &alone] {
        let r = traineval(&["indicators", s(&v1), "--out", s(out.path()), "-q"], &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let read = |out: &Path, name: &str| {
        polars::prelude::ParquetReader::new(
            std::fs::File::open(out.join(format!("indicators/{name}.parquet"))).unwrap(),
        )
        .finish()
        .unwrap()
    };
    let period_tables = [
        "learning_by_class",
        "learning_by_category",
        "learning_by_method",
        "learning_by_year",
        "reaction_by_course",
        "reaction_by_class",
        "rater_agreement",
        "reliability",
        "trajectory",
        "follow_up",
        "assessment_by_class",
        "method_summary",
        "method_tests",
        "method_pairwise",
        "needs_match",
        "needs_by_category",
    ];
    for name in period_tables {
        let (a, b) = (read(all.path(), name), read(alone.path(), name));
        assert!(a.height() > 0, "{name} is empty");
        assert!(a.equals_missing(&b), "{name} differs:\n{a}\n{b}");
    }
    // The 2023 classes, and every class a period table names is one of them.
    let classes = table(alone.path(), "classes");
    let ids: std::collections::BTreeSet<String> =
        classes.column("class_id").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
    assert!(table(all.path(), "classes").height() > ids.len(), "the three-year warehouse holds more classes");
    for name in ["learning_by_class", "reaction_by_class", "transfer_by_class", "needs_match"] {
        let named = read(all.path(), name);
        let named: std::collections::BTreeSet<String> =
            named.column("class_id").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
        assert_eq!(named, ids, "{name}");
    }
    // The report's class pages: the period's classes, no other.
    let r = traineval(&["report", s(&v1), "--out", s(all.path()), "-q"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pages: std::collections::BTreeSet<String> = std::fs::read_dir(all.path().join("reports/2023/class"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.path().file_stem().and_then(|x| x.to_str()).map(String::from))
        .collect();
    assert_eq!(pages, ids);
}
