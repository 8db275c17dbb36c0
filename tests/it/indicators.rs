//! `traineval indicators`: the tables of SPEC §4 / Appendix B, checked against
//! - the published reference values of `ORACLES.md` (the ANCOVA data set run through
//!   the method-comparison code path);
//! - values computed independently with scipy 1.17 / statsmodels 0.15 on a hand-made
//!   warehouse (`tests/data/handmade/make.py` writes its inputs and prints the
//!   expected values hard-coded below);
//! - the planted truth of a generated training year (`_truth.json`).
//!
//! Also: small-cell suppression, determinism, formula guarding and schemas.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use polars::prelude::*;
use serde_json::Value;
use traineval::config::PipelineFile;
use traineval::pipeline::{self, Silent};

const BIN: &str = env!("CARGO_BIN_EXE_traineval");

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(p)
}

fn run(args: &[&str]) -> std::process::Output {
    let out = Command::new(BIN).args(args).env_remove("TRAINEVAL_ID_KEY").output().expect("run traineval");
    out
}

fn ok(args: &[&str]) {
    let out = run(args);
    assert!(
        out.status.success(),
        "traineval {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_parquet(path: &Path) -> DataFrame {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn table(out: &Path, name: &str) -> DataFrame {
    read_parquet(&out.join("indicators").join(format!("{name}.parquet")))
}

fn f64_col(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

fn str_col(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

fn bool_col(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
    df.column(name).unwrap().bool().unwrap().iter().collect()
}

/// Equal to 1e-9 relative (or absolute near 0); `None` must match `None`.
fn close(got: Option<f64>, want: Option<f64>, what: &str) {
    match (got, want) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{what}: got {g}, want {w}"),
        _ => panic!("{what}: got {got:?}, want {want:?}"),
    }
}

/// A fresh directory under cargo's scratch space for integration tests, shared by the
/// tests of one run (and replaced by the next run, so nothing accumulates).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The hand-made warehouse, built and with indicators computed, once per test run.
fn handmade() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = scratch("indicators-handmade");
        let out = dir.join("out");
        let input = data("handmade");
        let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
        ok(&["build", i, "--out", o, "-q"]);
        ok(&["indicators", i, "--out", o, "-q"]);
        out
    })
}

// ---------------------------------------------------------------------------
// The hand-made warehouse: every column against scipy / statsmodels.

/// `python3 tests/data/handmade/make.py`: scipy.stats.ttest_rel (t, df, p, CI),
/// numpy (means, sds, d_z, g_z, d_av, Hake), scipy.stats.rankdata (V) and
/// scipy.stats.wilcoxon(post, pre) with its defaults (p).
/// Columns: n_pairs, pre_mean, post_mean, mean_diff, sd_diff, t, df, p_value, ci_low,
/// ci_high, d_z, g_z, d_av, wilcoxon_v, wilcoxon_p, hake_g, mean_individual_gain, share_improved.
#[rustfmt::skip]
const LEARNING: [(&str, [f64; 18]); 9] = [
    ("C01", [6.0, 68.33333333333333, 77.5, 9.166666666666666, 5.419102016632153, 4.143427436242821, 5.0, 0.00896712200341172, 3.4796678741806835, 14.853665459152648, 1.6915471675071985, 1.4244607726376408, 0.6214511910071121, 21.0, 0.03125, 0.28947368421052644, 0.40826323435019085, 1.0]),
    ("C02", [6.0, 59.333333333333336, 73.0, 13.666666666666666, 6.022181221672648, 5.558842981603064, 5.0, 0.0025910299279629525, 7.34677506273105, 19.98655827060228, 2.269388144196494, 1.911063700375995, 1.225384365649707, 21.0, 0.03125, 0.3360655737704918, 0.3585298504501944, 1.0]),
    ("C03", [6.0, 60.833333333333336, 62.5, 1.6666666666666667, 8.406346808612327, 0.48564293117863216, 5.0, 0.6477531622803037, -7.1552532756169756, 10.488586608950309, 0.19826289642953607, 0.16695822857224088, 0.21339027631220228, 10.0, 0.625, 0.042553191489361646, 0.004111216843851906, 0.6666666666666666]),
    ("C04", [6.0, 58.0, 76.0, 18.0, 3.8987177379235853, 11.309055523875779, 5.0, 9.450632650275506e-05, 13.908546655928337, 22.091453344071663, 4.616902584383194, 3.8879179657963734, 1.6303122844713887, 21.0, 0.03125, 0.42857142857142855, 0.44222246813710225, 1.0]),
    ("C05", [6.0, 54.666666666666664, 66.5, 11.833333333333334, 3.970726214015097, 7.299830575229902, 5.0, 0.0007553635735136403, 7.666311728076641, 16.00035493859003, 2.980143353013445, 2.5095944025376378, 1.3597945685793844, 21.0, 0.03125, 0.2610294117647059, 0.2713076665832051, 1.0]),
    ("C06", [6.0, 60.333333333333336, 80.5, 20.166666666666668, 9.45339445208263, 5.22542917218955, 5.0, 0.0033945710212226247, 10.245937610656183, 30.08739572267715, 2.1332725264863828, 1.7964400223043222, 2.827559592888747, 21.0, 0.03125, 0.5084033613445378, 0.484045948368199, 1.0]),
    ("C07", [6.0, 65.83333333333333, 72.16666666666667, 6.333333333333333, 3.7771241264574122, 4.10720816108761, 5.0, 0.00928915393414553, 2.369484658717938, 10.297182007948727, 1.6767607103432434, 1.4120090192364154, 0.5082506950034167, 21.0, 0.03125, 0.18536585365853683, 0.19460296097635318, 1.0]),
    ("C08", [6.0, 66.0, 68.33333333333333, 2.3333333333333335, 5.645056834671079, 1.0124744947456505, 5.0, 0.357770815565047, -3.5907904982089103, 8.257457164875577, 0.41334098161817534, 0.34807661609951607, 0.23774368962341036, 15.5, 0.34375, 0.06862745098039202, 0.008922164105090932, 0.6666666666666666]),
    ("C09", [6.0, 61.0, 75.33333333333333, 14.333333333333334, 4.546060565661952, 7.723027987151321, 5.0, 0.0005812374477333081, 9.562535354601984, 19.104131312064684, 3.152912972959096, 2.65508460880766, 1.225774641551953, 21.0, 0.03125, 0.3675213675213674, 0.38362240829346095, 1.0]),
];

const LEARNING_STATS: [&str; 18] = [
    "n_pairs",
    "pre_mean",
    "post_mean",
    "mean_diff",
    "sd_diff",
    "t",
    "df",
    "p_value",
    "ci_low",
    "ci_high",
    "d_z",
    "g_z",
    "d_av",
    "wilcoxon_v",
    "wilcoxon_p",
    "hake_g",
    "mean_individual_gain",
    "share_improved",
];

#[test]
fn handmade_learning_by_class_matches_scipy() {
    let df = table(handmade(), "learning_by_class");
    assert_eq!(df.height(), 10, "every class gets a row");
    let ids = str_col(&df, "class_id");
    let kind = str_col(&df, "suppression");
    for (i, (class, want)) in LEARNING.iter().enumerate() {
        assert_eq!(ids[i].as_deref(), Some(*class));
        // C04, the smallest other class of K10's method, is withheld with K10 (below).
        if *class == "C04" {
            assert_eq!(kind[i].as_deref(), Some("secondary"));
            assert!(LEARNING_STATS.iter().all(|name| f64_col(&df, name)[i].is_none()), "C04 withheld");
            continue;
        }
        for (c, name) in LEARNING_STATS.iter().enumerate() {
            close(f64_col(&df, name)[i], Some(want[c]), &format!("{class}.{name}"));
        }
        assert_eq!(bool_col(&df, "suppressed")[i], Some(false));
    }
    assert_eq!(kind[9].as_deref(), Some("primary"), "K10 has 3 pairs");
    assert_eq!(str_col(&df, "method")[3].as_deref(), Some("case"));
    assert_eq!(str_col(&df, "target_category")[3].as_deref(), Some("middle_level"));
}

// ---------------------------------------------------------------------------
// Suppression: class K10 has 3 trainees.

/// Statistic columns of a table (everything but keys, labels and counts).
fn stat_columns<'a>(df: &'a DataFrame, keep: &[&str]) -> Vec<&'a str> {
    df.get_column_names()
        .into_iter()
        .map(|s| s.as_str())
        .filter(|c| !keep.contains(c) && !["suppressed", "suppression"].contains(c))
        .collect()
}

fn assert_suppressed(df: &DataFrame, table: &str, rows: &[usize], keep: &[&str]) {
    let s = bool_col(df, "suppressed");
    for &i in rows {
        assert_eq!(s[i], Some(true), "{table} row {i} not suppressed");
        for c in stat_columns(df, keep) {
            assert!(df.column(c).unwrap().get(i).unwrap().is_null(), "{table} row {i}: `{c}` not null");
        }
        for c in keep {
            assert!(!df.column(c).unwrap().get(i).unwrap().is_null(), "{table} row {i}: `{c}` must stay");
        }
    }
}

fn rows_where(df: &DataFrame, col: &str, pred: impl Fn(&str) -> bool) -> Vec<usize> {
    str_col(df, col).iter().enumerate().filter(|(_, v)| v.as_deref().is_some_and(&pred)).map(|(i, _)| i).collect()
}

#[test]
fn class_of_three_is_suppressed_everywhere_it_is_published() {
    let out = handmade();
    let k10 = |c: &str| c == "K10";
    // Keys and labels stay; every statistic and every count is withheld (a published
    // n would make subtracting the class from a published total trivial).
    let cases: [(&str, &[&str]); 8] = [
        ("learning_by_class", &["class_id", "method", "target_category"]),
        ("reaction_by_class", &["class_id", "method", "target_category"]),
        ("rater_agreement", &["class_id"]),
        ("transfer_by_class", &["class_id"]),
        ("follow_up", &["class_id", "wave"]),
        ("assessment_by_class", &["class_id"]),
        ("needs_match", &["class_id"]),
        ("reaction_by_course", &["class_id", "course_id", "teacher_id"]),
    ];
    for (name, keep) in cases {
        let df = table(out, name);
        let rows = rows_where(&df, "class_id", k10);
        assert!(!rows.is_empty(), "{name} has no row for K10");
        assert_suppressed(&df, name, &rows, keep);
        for &i in &rows {
            assert_eq!(str_col(&df, "suppression")[i].as_deref(), Some("primary"), "{name} row {i}");
        }
    }
    // Suppressed courses are not ranked and not ranked against: the 18 other courses
    // of 2025 are ranked 1..=18 (ties share the lowest rank).
    let rc = table(out, "reaction_by_course");
    let ranks: Vec<f64> = f64_col(&rc, "rank_in_year").into_iter().flatten().collect();
    assert_eq!(ranks.len(), 18);
    assert!(ranks.iter().all(|r| (1.0..=18.0).contains(r)) && ranks.contains(&1.0));
    // The unit with the 3 trainees (U2, 3 cadres) is suppressed in unit_results.
    let ur = table(out, "unit_results");
    assert_suppressed(
        &ur,
        "unit_results",
        &rows_where(&ur, "unit_id", |u| u == "U2"),
        &["unit_id", "period", "metric"],
    );
    // Pooled tests include the suppressed class (57 = 54 + 3 pairs).
    let mt = table(out, "method_tests");
    assert!(f64_col(&mt, "n").iter().all(|n| *n == Some(57.0)));
    let ms = table(out, "method_summary");
    assert_eq!(f64_col(&ms, "n_classes")[1], Some(4.0), "case: C04–C06 and K10");
    // Per-person tables keep the three, unsuppressed.
    for name in ["compliance", "cadre_scorecard"] {
        let df = table(out, name);
        let rows = rows_where(&df, "cadre_id", |c| c.starts_with("K10-"));
        assert_eq!(rows.len(), 3, "{name}");
        assert!(rows.iter().all(|&i| bool_col(&df, "suppressed")[i] == Some(false)), "{name}");
    }
}

// ---------------------------------------------------------------------------
// Every output byte is a function of the inputs; text cells are guarded.

fn pipeline_toml(dir: &Path, input: &Path, copies: bool) -> PathBuf {
    let mut s = String::from("period = \"2025\"\n");
    let mut names: Vec<String> = std::fs::read_dir(input)
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
        .filter(|n| !n.starts_with("make"))
        .collect();
    names.sort();
    for n in names {
        s += &format!("[inputs.{n}]\npath = {:?}\n", input.join(format!("{n}.csv")).to_str().unwrap());
    }
    s += &format!("[indicators]\ncsv = {copies}\nxlsx = {copies}\n");
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, s).unwrap();
    p
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walk(dir) {
        out.insert(e.strip_prefix(dir).unwrap().to_string_lossy().to_string(), std::fs::read(&e).unwrap());
    }
    out
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

#[test]
fn indicators_are_deterministic_and_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let toml = pipeline_toml(dir.path(), &data("handmade"), true);
    let (t, o) = (toml.to_str().unwrap(), dir.path().join("out"));
    let o = o.to_str().unwrap();
    ok(&["build", t, "--out", o, "-q"]);
    ok(&["indicators", t, "--out", o, "-q"]);
    let first = files(&Path::new(o).join("indicators"));
    ok(&["indicators", t, "--out", o, "-q"]);
    let second = files(&Path::new(o).join("indicators"));
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (k, v) in &first {
        assert!(v == &second[k], "{k} differs between runs");
    }
    assert!(first.contains_key("indicators.xlsx"));
    assert!(first.contains_key("csv/learning_by_class.csv"));
    // No temporary directory is left behind.
    let leftovers: Vec<_> =
        std::fs::read_dir(o).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty());

    // A topic "=1+1" requested in C01 (not taught there, with 乡村振兴 and 公文写作)
    // reaches the unmet topics of the category's row (C01's own row is withheld with
    // K10): guarded in CSV, a string (not a formula) in XLSX.
    let csv_text = String::from_utf8(first["csv/needs_by_category.csv"].clone()).unwrap();
    let line = csv_text.lines().find(|l| l.starts_with("middle_level,")).unwrap();
    assert!(line.contains(",'=1+1┋乡村振兴┋公文写作,"), "{line}");
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(Path::new(o).join("indicators/indicators.xlsx")).unwrap();
    // A legend sheet, then one sheet per table.
    assert_eq!(book.sheet_names().len(), traineval::schema::INDICATOR_TABLES.len() + 1);
    let range = book.worksheet_range("needs_by_category").unwrap();
    let cell = range.get((1, 5)).unwrap();
    assert_eq!(cell, &Data::String("=1+1┋乡村振兴┋公文写作".into()));
    let formulas = book.worksheet_formula("needs_by_category").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cells");
}

#[test]
fn by_default_the_tables_are_parquet_only() {
    // SPEC §1: Parquet, and CSV/XLSX where configured (the test above configures them).
    let names: Vec<String> = files(&handmade().join("indicators")).into_keys().collect();
    let mut want: Vec<String> =
        traineval::schema::INDICATOR_TABLES.iter().map(|d| format!("{}.parquet", d.name)).collect();
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn indicators_without_a_warehouse_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["indicators", data("handmade").to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("traineval build"), "{err}");
}

// ---------------------------------------------------------------------------
// trainee_outcomes: built once during `build`, one row per enrollment.

#[test]
fn trainee_outcomes_has_one_row_per_enrollment() {
    let out = handmade();
    let wh = out.join("warehouse");
    let to = traineval::warehouse::read::read(&wh, "trainee_outcomes").unwrap();
    assert_eq!(to.height(), 57);
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(wh.join("_manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["warehouse"]["trainee_outcomes"], 57);
    // C01-1: pre 95, post 100 → gain 5, normalised gain 1; reviews Dec 2024 → Dec 2025.
    let i = str_col(&to, "cadre_id").iter().position(|c| c.as_deref() == Some("C01-1")).unwrap();
    assert_eq!(f64_col(&to, "pre_score")[i], Some(95.0));
    assert_eq!(f64_col(&to, "gain")[i], Some(5.0));
    assert_eq!(f64_col(&to, "norm_gain")[i], Some(1.0));
    assert!(f64_col(&to, "review_delta")[i].unwrap() > 0.0);
    assert_eq!(f64_col(&to, "attendance_rate")[i], Some(1.0));
    // The self score is not part of trainee_assessment.
    assert!(f64_col(&to, "self_assessment")[i] != f64_col(&to, "trainee_assessment")[i]);

    // A duplicated scale score makes the join fail instead of fanning out.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&wh, copy.path());
    let part = copy.path().join("scale_scores/year=2025");
    let first = std::fs::read_dir(&part)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .unwrap();
    std::fs::copy(&first, part.join("part-duplicate.parquet")).unwrap();
    let settings = PipelineFile::default();
    let ratings = traineval::warehouse::join::RatingScores::from_warehouse(copy.path(), &settings).unwrap();
    let err = traineval::warehouse::join::trainee_outcomes(copy.path(), &settings, ratings).unwrap_err();
    assert!(err.to_string().contains("trainee_outcomes"), "{err}");
}

/// A family that fails (a long table without a column it reads), a table that cannot be
/// read, or a sink that fails on one table, makes the whole computation an error naming
/// the cause, while the other families run concurrently; nothing panics.
#[test]
fn a_failing_family_or_sink_is_the_stage_error() {
    let wh = handmade().join("warehouse");
    let settings = PipelineFile::default();
    let sink_fails = |t: &traineval::indicators::IndicatorTable| {
        if t.name() == "follow_up" {
            Err(traineval::error::WarehouseError::frame("follow_up", "disk full"))
        } else {
            Ok(())
        }
    };
    let err = traineval::indicators::compute_all(&wh, &settings, "2025", &sink_fails).err().expect("an error");
    assert!(err.to_string().contains("disk full"), "{err}");

    let copy = without_column(&wh, "course_ratings", "score");
    let err = traineval::indicators::compute_all(copy.path(), &settings, "2025", &|_| Ok(())).err().expect("an error");
    assert!(err.to_string().contains("score"), "{err}");

    // A table read while the streaming families already run (reviews without `total`):
    // the read's error is the stage's, after those families have finished.
    let copy = without_column(&wh, "reviews", "total");
    let err = traineval::indicators::compute_all(copy.path(), &settings, "2025", &|_| Ok(())).err().expect("an error");
    assert!(err.to_string().contains("total"), "{err}");
}

/// A copy of warehouse `wh` whose `table` has lost `column` in every file.
fn without_column(wh: &Path, table: &str, column: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(wh, copy.path());
    let files = walk(&copy.path().join(table));
    assert!(!files.is_empty(), "{table} has files");
    for f in files {
        let mut df = read_parquet(&f).drop(column).unwrap();
        ParquetWriter::new(std::fs::File::create(&f).unwrap()).finish(&mut df).unwrap();
    }
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    for f in walk(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

// ---------------------------------------------------------------------------
// Schemas, read back with polars.

fn schema_of(df: &DataFrame) -> Vec<String> {
    df.schema().iter().map(|(n, t)| format!("{n}: {t}")).collect()
}

#[test]
fn indicator_schemas_are_stable() {
    let out = handmade();
    let mut all = BTreeMap::new();
    for def in traineval::schema::INDICATOR_TABLES {
        let df = table(out, def.name);
        let names: Vec<&str> = df.get_column_names().into_iter().map(|s| s.as_str()).collect();
        let declared: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        assert_eq!(names, declared, "{}", def.name);
        all.insert(def.name, schema_of(&df));
    }
    insta::assert_yaml_snapshot!("indicator_schemas", all);
    let to = traineval::warehouse::read::read(&out.join("warehouse"), "trainee_outcomes").unwrap();
    insta::assert_yaml_snapshot!("trainee_outcomes_schema", schema_of(&to));
}

// ---------------------------------------------------------------------------
// Planted truth of a generated year.

struct Generated {
    out: PathBuf,
    truth: Value,
}

fn generated() -> &'static Generated {
    static G: OnceLock<Generated> = OnceLock::new();
    G.get_or_init(|| {
        let dir = scratch("indicators-generated");
        let input = dir.join("in");
        traineval::generate::generate(&traineval::generate::GenerateOptions::new(&input, 5000, 2025)).unwrap();
        let out = dir.join("out");
        let job = traineval::init::load_job(&input, Some(&out)).unwrap();
        pipeline::build(&job, &Silent).unwrap();
        pipeline::indicators(&job, &Silent).unwrap();
        let truth = serde_json::from_str(&std::fs::read_to_string(input.join("_truth.json")).unwrap()).unwrap();
        Generated { out, truth }
    })
}

fn weighted_mean(df: &DataFrame, value: &str, weight: &str) -> f64 {
    let (v, w) = (f64_col(df, value), f64_col(df, weight));
    let (mut s, mut n) = (0.0, 0.0);
    for (v, w) in v.iter().zip(&w) {
        if let (Some(v), Some(w)) = (v, w) {
            s += v * w;
            n += w;
        }
    }
    s / n
}

#[test]
fn planted_method_ranking_is_recovered() {
    let g = generated();
    let ms = table(&g.out, "method_summary");
    let methods = str_col(&ms, "method");
    let (n, mean) = (f64_col(&ms, "n_trainees"), f64_col(&ms, "mean_gain"));
    let observed = &g.truth["observed"]["gain_by_method"];
    let planted = &g.truth["params"]["method_gain"];
    for (i, m) in methods.iter().enumerate() {
        let m = m.as_deref().unwrap();
        // The realised gains of the clean rows, exactly.
        assert_eq!(n[i], observed[m]["n"].as_f64(), "{m}: n");
        close(mean[i], observed[m]["mean"].as_f64(), &format!("{m}: mean gain"));
    }
    // Every pair of methods whose planted gains differ by ≥ 3 points is ordered as planted.
    for i in 0..methods.len() {
        for j in 0..methods.len() {
            let (a, b) = (methods[i].as_deref().unwrap(), methods[j].as_deref().unwrap());
            let (pa, pb) = (planted[a].as_f64().unwrap(), planted[b].as_f64().unwrap());
            if pa - pb >= 3.0 && n[i].unwrap() >= 100.0 && n[j].unwrap() >= 100.0 {
                assert!(mean[i] > mean[j], "{a} ({pa}) should beat {b} ({pb})");
            }
        }
    }
    // The ANCOVA contrasts against centralized have the planted sign where the planted
    // effect is at least 3 points.
    let pw = table(&g.out, "method_pairwise");
    for (i, b) in str_col(&pw, "method_b").iter().enumerate() {
        if b.as_deref() != Some("centralized") {
            continue;
        }
        let a = str_col(&pw, "method_a")[i].clone().unwrap();
        let effect = g.truth["params"]["method_effects"][&a].as_f64().unwrap();
        if effect.abs() >= 3.0 {
            assert_eq!(f64_col(&pw, "diff")[i].unwrap().signum(), effect.signum(), "{a}");
        }
    }
    // 69 classes of 10 methods, planted gains 4 to 15 points: the class ANCOVA finds
    // them clearly, and so do the robustness tests (the HTZ test is conservative).
    let mt = table(&g.out, "method_tests");
    assert_eq!(str_col(&mt, "test"), ["class_ancova", "class_kruskal", "ancova_cr2_htz"].map(|s| Some(s.to_string())));
    let p = f64_col(&mt, "p_value");
    assert!(p[0].unwrap() < 1e-6 && p[1].unwrap() < 1e-3 && p[2].unwrap() < 0.05, "methods differ: {p:?}");
}

#[test]
fn planted_transfer_effect_and_attrition_are_recovered() {
    let g = generated();
    let tr = table(&g.out, "transfer_by_class");
    let obs = &g.truth["observed"];
    let (trained, followed) = (f64_col(&tr, "n_trained"), f64_col(&tr, "n_followed"));
    let (nt, nf): (f64, f64) = (trained.iter().flatten().sum(), followed.iter().flatten().sum());
    assert_eq!(nt, obs["attrition_enrollments"].as_f64().unwrap());
    assert_eq!(nf, obs["attrition_followed"].as_f64().unwrap());
    close(Some(1.0 - nf / nt), obs["attrition"].as_f64(), "attrition");
    // Per-class attrition averages to the planted 10 %.
    assert!((weighted_mean(&tr, "attrition", "n_trained") - 0.10).abs() < 0.03);
    // Trained deltas: exactly the realised mean; DiD ≈ the planted +4 points.
    let delta = weighted_mean(&tr, "mean_delta", "n_followed");
    close(Some(delta), obs["transfer_trained_delta"]["mean"].as_f64(), "trained delta");
    let planted = g.truth["params"]["model"]["transfer_effect"].as_f64().unwrap();
    let did = weighted_mean(&tr, "did", "n_followed");
    assert!(did > 0.0 && (did - planted).abs() < 0.6, "did {did} vs planted {planted}");
    let lows: Vec<f64> = f64_col(&tr, "did_ci_low").into_iter().flatten().collect();
    assert!(lows.iter().filter(|l| **l > 0.0).count() * 10 >= lows.len() * 8, "most class intervals exclude 0");
}

#[test]
fn planted_rater_leniency_and_self_inflation_are_recovered() {
    let g = generated();
    let ra = table(&g.out, "rater_agreement");
    let mut len: Vec<f64> = f64_col(&ra, "leniency_sd").into_iter().flatten().collect();
    len.sort_by(f64::total_cmp);
    let median = len[len.len() / 2];
    let planted = g.truth["params"]["rater_leniency_sd_total"].as_f64().unwrap();
    // Rater means also carry rating noise (≈ 1 point over 4–12 courses).
    assert!((median - planted).abs() < 0.6, "leniency sd {median} vs planted {planted}");
    let icc2k: Vec<f64> = f64_col(&ra, "icc2k").into_iter().flatten().collect();
    assert!(icc2k.iter().all(|v| *v <= 1.0));

    // Self-rating inflation: self − others (class manager, 2 teachers, 2 peers per trainee).
    let ab = table(&g.out, "assessment_by_class");
    let inflation = weighted_mean(&ab, "mean_diff", "n_pairs");
    let roles = &g.truth["observed"]["trainee_rating_by_role"];
    let m = |r: &str| roles[r]["mean"].as_f64().unwrap();
    let realised = m("self") - (m("class_manager") + 2.0 * m("teacher") + 2.0 * m("peer")) / 5.0;
    assert!((inflation - realised).abs() < 0.1, "inflation {inflation} vs realised {realised}");
    let bias = &g.truth["params"]["rater_role_bias"];
    let planted = bias["self"].as_f64().unwrap() - 0.4 * bias["peer"].as_f64().unwrap();
    assert!((inflation - planted).abs() < 1.0, "inflation {inflation} vs planted {planted}");
}

#[test]
fn generated_year_other_tables() {
    let g = generated();
    let counts = &g.truth["params"]["counts"];
    // Compliance: every cadre × year; the planted leave and repeated topics.
    let co = table(&g.out, "compliance");
    assert_eq!(co.height() as u64, counts["cadres"].as_u64().unwrap());
    // leave_over_limit is per cadre and year; the truth counts enrollments (a repeater
    // may be withdrawn twice), so compare with the distinct cadres of those enrollments.
    let leave = bool_col(&co, "leave_over_limit").iter().filter(|b| **b == Some(true)).count();
    let to = traineval::warehouse::read::read(&g.out.join("warehouse"), "trainee_outcomes").unwrap();
    let (lh, h, who) = (f64_col(&to, "leave_hours"), f64_col(&to, "hours"), str_col(&to, "cadre_id"));
    let over: std::collections::BTreeSet<&Option<String>> =
        (0..to.height()).filter(|&i| lh[i].unwrap() > h[i].unwrap() / 7.0).map(|i| &who[i]).collect();
    let over_enrollments = (0..to.height()).filter(|&i| lh[i].unwrap() > h[i].unwrap() / 7.0).count();
    assert_eq!(over_enrollments as u64, counts["leave_over_limit"].as_u64().unwrap());
    assert_eq!(leave, over.len());
    let repeated = f64_col(&co, "repeated_topics").iter().filter(|r| r.unwrap_or(0.0) > 0.0).count();
    assert_eq!(repeated as u64, counts["repeated_topic_cadres"].as_u64().unwrap());
    // Scorecard: the trained cadres of the year; bands by percentile.
    let sc = table(&g.out, "cadre_scorecard");
    assert_eq!(sc.height() as u64, counts["trained_cadres"].as_u64().unwrap());
    let bands = str_col(&sc, "band");
    for b in ["A", "B", "C", "D"] {
        assert!(bands.iter().any(|x| x.as_deref() == Some(b)), "band {b}");
    }
    // Follow-up retention ≈ the planted 85 / 75 / 60 %.
    let fu = table(&g.out, "follow_up");
    for (wave, planted) in [("follow_3m", 0.85), ("follow_6m", 0.75), ("follow_12m", 0.60)] {
        let rows = rows_where(&fu, "wave", |w| w == wave);
        let mask: BooleanChunked = (0..fu.height()).map(|i| rows.contains(&i)).collect();
        let sub = fu.filter(&mask).unwrap();
        // A class ratio is unstable where the class gained little: compare medians.
        let mut r: Vec<f64> = f64_col(&sub, "retention").into_iter().flatten().collect();
        r.sort_by(f64::total_cmp);
        let median = r[r.len() / 2];
        assert!((median - planted).abs() < 0.12, "{wave}: median retention {median} vs planted {planted}");
    }
    // L4: the planted slope of unit change on the share trained (6 points).
    let fit = table(&g.out, "unit_results_fit");
    let slope = g.truth["params"]["model"]["unit_slope_per_share"].as_f64().unwrap();
    let (est, lo, hi) = (f64_col(&fit, "slope"), f64_col(&fit, "ci_low"), f64_col(&fit, "ci_high"));
    let covered = (0..fit.height()).filter(|&i| lo[i].unwrap() <= slope && slope <= hi[i].unwrap()).count();
    assert!(covered * 3 >= fit.height() * 2, "the planted slope is outside most intervals: {est:?}");
    let mean = est.iter().flatten().sum::<f64>() / fit.height() as f64;
    assert!((mean - slope).abs() < 3.0, "mean slope {mean} vs planted {slope}");
    // Reliability of the 8-item competence scale at every wave.
    let rel = table(&g.out, "reliability");
    let alpha = f64_col(&rel, "alpha");
    for (i, s) in str_col(&rel, "scale").iter().enumerate() {
        if s.as_deref() == Some("competence") {
            assert!(alpha[i].unwrap() > 0.6, "alpha {:?}", alpha[i]);
        }
    }
    // Every class and course has a row.
    assert_eq!(table(&g.out, "learning_by_class").height() as u64, counts["classes"].as_u64().unwrap());
    assert_eq!(table(&g.out, "reaction_by_course").height() as u64, counts["courses"].as_u64().unwrap());
}

/// Without the workbook, the stage keeps each written table as its `suppressed` column
/// only; the sink still gets every table whole, the same tables as when the frames are
/// kept (the workbook asked for), and the kept column gives the same rows and counts.
#[test]
fn tables_not_kept_are_written_whole_and_counted_alike() {
    use std::sync::Mutex;
    let wh = handmade().join("warehouse");
    let run = |xlsx: bool| {
        let mut settings = PipelineFile::default();
        settings.indicators.xlsx = xlsx;
        let sunk: Mutex<BTreeMap<String, DataFrame>> = Mutex::new(BTreeMap::new());
        let sink = |t: &traineval::indicators::IndicatorTable| {
            sunk.lock().unwrap().insert(t.name().to_string(), t.frame.clone());
            Ok(())
        };
        let tables = traineval::indicators::compute_all(&wh, &settings, "2025", &sink).unwrap();
        (tables, sunk.into_inner().unwrap())
    };
    let (kept, sunk_kept) = run(true);
    let (slim, sunk_slim) = run(false);
    assert_eq!(sunk_kept.len(), traineval::schema::INDICATOR_TABLES.len());
    assert_eq!(sunk_kept.keys().collect::<Vec<_>>(), sunk_slim.keys().collect::<Vec<_>>());
    for (name, whole) in &sunk_kept {
        assert!(whole.equals_missing(&sunk_slim[name]), "{name}: the sink got another table");
    }
    assert_eq!(kept.len(), slim.len());
    let mut some_rows = false;
    for (k, s) in kept.iter().zip(&slim) {
        assert_eq!(k.name(), s.name());
        assert!(k.frame.equals_missing(&sunk_kept[k.name()]), "{}: kept whole", k.name());
        assert_eq!(s.frame.get_column_names(), ["suppressed"], "{}", s.name());
        assert_eq!((s.frame.height(), s.suppressed()), (k.frame.height(), k.suppressed()), "{}", k.name());
        some_rows |= s.frame.height() > 0;
    }
    assert!(some_rows);
}
