//! Generated data (issue 4): `traineval generate` → `build` holds exactly the rows and
//! rejects the generator planted; the survey-platform format round-trips; the switches of
//! the inference checks (`--null-methods`, `--plant`, issues 24 and 25) reach the files.

use std::path::Path;

use crate::common::*;
use crate::foundation::assert_identical;

fn generate(dir: &Path, args: &[&str]) {
    let mut a = vec!["generate", "--out", dir.to_str().unwrap()];
    a.extend_from_slice(args);
    let r = traineval(&a, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The manifest of a build equals `_truth.json`'s `expected` block, table by table.
fn assert_matches_truth(gen: &Path, out: &Path) {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(gen.join("_truth.json")).unwrap()).unwrap();
    let m = manifest(out);
    let expected = truth["expected"].as_object().unwrap();
    assert_eq!(expected.len(), m["tables"].as_object().unwrap().len(), "same inputs");
    for (t, e) in expected {
        let got = &m["tables"][t];
        assert_eq!(got["read"], e["rows"], "{t}: read");
        assert_eq!(got["accepted"], e["accepted"], "{t}: accepted");
        assert_eq!(got["superseded"], e["superseded"], "{t}: superseded");
        assert_eq!(got["rejected_by_reason"], e["rejected"], "{t}: rejected by reason");
    }
}

#[test]
fn generated_dirty_set_builds_to_exactly_the_planted_rejects() {
    let (g, out) = (tmp(), tmp());
    generate(g.path(), &["--cadres", "1500", "--seed", "11", "--dirty", "0.01"]);
    let r = traineval(&["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert_matches_truth(g.path(), out.path());
    // A clean set has no rejects at all.
    let (g2, out2) = (tmp(), tmp());
    generate(g2.path(), &["--cadres", "800", "--seed", "12"]);
    let r = traineval(&["build", g2.path().to_str().unwrap(), "--out", out2.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_matches_truth(g2.path(), out2.path());
    assert!(rejects(out2.path()).is_empty());
}

#[test]
fn platform_exports_build_the_same_warehouse_as_canonical_files() {
    let (gc, gp) = (tmp(), tmp());
    generate(gc.path(), &["--cadres", "700", "--seed", "5", "--dirty", "0.01"]);
    generate(gp.path(), &["--cadres", "700", "--seed", "5", "--dirty", "0.01", "--format", "platform"]);
    let (oc, op) = (tmp(), tmp());
    let rc = traineval(&["build", gc.path().to_str().unwrap(), "--out", oc.path().to_str().unwrap()], &[]);
    let rp = traineval(
        &["build", gp.path().join("pipeline.toml").to_str().unwrap(), "--out", op.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(rc.code, rp.code, "{}\n{}", rc.stderr, rp.stderr);
    assert_matches_truth(gp.path(), op.path());
    // Every warehouse table is identical; only the inputs (files, hashes) differ.
    for def in traineval::schema::TABLES {
        let (a, b) = (table(oc.path(), def.name), table(op.path(), def.name));
        assert!(a.equals_missing(&b), "table {} differs between canonical and platform inputs", def.name);
    }
    // Rejects agree on table, row and reason (columns of platform files are canonical after mapping).
    let strip = |v: Vec<(String, u64, String, String)>| v.into_iter().map(|r| (r.0, r.1, r.3)).collect::<Vec<_>>();
    assert_eq!(strip(rejects(oc.path())), strip(rejects(op.path())));
}

#[test]
fn generated_builds_are_deterministic() {
    let g = tmp();
    generate(g.path(), &["--cadres", "600", "--seed", "3", "--dirty", "0.01", "--format", "platform"]);
    let (a, b) = (tmp(), tmp());
    let p = g.path().join("pipeline.toml");
    traineval(&["build", p.to_str().unwrap(), "--out", a.path().to_str().unwrap()], &[]);
    traineval(&["build", p.to_str().unwrap(), "--out", b.path().to_str().unwrap()], &[]);
    assert_identical(&a.path().join("warehouse"), &b.path().join("warehouse"));
}

/// `build` sums reaction and assessment while validating (over interned ids, rejected
/// rows left out); the result equals the reference derived from the long rating tables
/// it wrote, exactly, with pseudonymised ids too.
#[test]
fn rating_scores_gathered_at_validation_equal_the_long_tables() {
    use polars::prelude::*;
    use traineval::config::PipelineFile;
    use traineval::warehouse::join::{trainee_outcomes, RatingScores};
    let (g, out) = (tmp(), tmp());
    generate(g.path(), &["--cadres", "1200", "--seed", "21", "--dirty", "0.02"]);
    let r = traineval(
        &["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()],
        &[("TRAINEVAL_ID_KEY", "k")],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let wh = out.path().join("warehouse");
    let settings = PipelineFile::default();
    let reference = trainee_outcomes(&wh, &settings, RatingScores::from_warehouse(&wh, &settings).unwrap()).unwrap();
    let cols = ["class_id", "cadre_id", "reaction", "trainee_assessment", "self_assessment"];
    let pick = |df: &DataFrame| {
        df.select(cols).unwrap().sort(["class_id", "cadre_id"], SortMultipleOptions::default()).unwrap()
    };
    let (built, reference) = (pick(&table(out.path(), "trainee_outcomes")), pick(&reference));
    assert!(built.height() > 500);
    for c in &cols[2..] {
        assert!(built.column(c).unwrap().null_count() < built.height(), "{c} all null");
    }
    assert!(built.equals_missing(&reference), "{built}\n{reference}");
}

/// `--null-methods` and every `--plant` (repeated and comma-separated): the set, with the
/// classes of year ± 1 that contamination adds, builds to exactly the planted rows, the
/// classes land in their years' partitions, and `_truth.json` records the switches.
#[test]
fn planted_sets_build_to_exactly_the_planted_rows() {
    let (g, out) = (tmp(), tmp());
    let args = "--cadres 1500 --seed 13 --dirty 0.01 --null-methods --plant pretrend,attrition --plant contamination";
    generate(g.path(), &args.split(' ').collect::<Vec<_>>());
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(g.path().join("_truth.json")).unwrap()).unwrap();
    let params = &truth["params"];
    assert_eq!(params["null_methods"], true);
    assert!(params["method_effects"].as_object().unwrap().values().all(|v| v.as_f64() == Some(0.0)));
    let plants: Vec<&String> = params["plants"].as_object().unwrap().keys().collect();
    assert_eq!(plants, ["attrition", "contamination", "pretrend"]);
    let r = traineval(&["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert_matches_truth(g.path(), out.path());
    let years: Vec<String> = std::fs::read_dir(out.path().join("warehouse").join("classes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("year="))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(years, ["year=2024", "year=2025", "year=2026"], "washout and contamination classes in their years");
    // Without the switches the same seed writes none of it.
    let g2 = tmp();
    generate(g2.path(), &["--cadres", "1500", "--seed", "13"]);
    let plain: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(g2.path().join("_truth.json")).unwrap()).unwrap();
    assert_eq!(plain["params"]["null_methods"], false);
    assert_eq!(plain["params"]["plants"], serde_json::json!({}));
    let classes = std::fs::read_to_string(g2.path().join("classes.csv")).unwrap();
    assert!(classes.lines().skip(1).all(|l| l.split(',').nth(5).is_some_and(|d| d.starts_with("2025-"))));
}

#[test]
fn an_unknown_plant_is_a_usage_error() {
    let g = tmp();
    let r =
        traineval(&["generate", "--out", g.path().to_str().unwrap(), "--cadres", "10", "--plant", "selection"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pretrend") && r.stderr.contains("contamination"), "{}", r.stderr);
    assert!(!g.path().join("_truth.json").exists());
}
