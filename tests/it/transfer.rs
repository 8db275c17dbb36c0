//! The transfer family (issue 25, SPEC §7.2):
//! - against R clubSandwich on three small generated sets (`tests/data/r/transfer_event.R`
//!   builds the stacks from the raw rows on its own; its output is read here);
//! - each generator check fires on its planted violation and stays quiet on the clean
//!   default (3,000 cadres, seed 101: see `docs/indicators.md` for the clean rejection
//!   rate of the pre-trend test over seeds 101–120);
//! - the contaminated cadres of `--plant contamination` are no controls (a brute-force
//!   count from the raw rows).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use traineval::config::{IndicatorSettings, PipelineFile, TransferSettings};
use traineval::generate::{generate, GenerateOptions, Plant};
use traineval::indicators::transfer::{transfer_tables_from, TransferTables};
use traineval::indicators::Params;
use traineval::pipeline::{self, Silent};

fn r_data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/r").join(p)
}

/// A CSV file's columns by name (every value as text).
fn read_csv(path: &Path) -> BTreeMap<String, Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut cols: BTreeMap<String, Vec<String>> = header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for rec in r.records() {
        for (h, v) in header.iter().zip(rec.unwrap().iter()) {
            cols.get_mut(h).unwrap().push(v.to_string());
        }
    }
    cols
}

/// Days since 1970-01-01 of an ISO date.
fn day(s: &str) -> i32 {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"));
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

fn year_of(s: &str) -> i64 {
    s[..4].parse().unwrap()
}

fn dates(name: &str, v: &[String]) -> Column {
    Column::new(name.into(), v.iter().map(|s| day(s)).collect::<Vec<i32>>()).cast(&DataType::Date).unwrap()
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

/// The frames the transfer family reads, from one exported set's four files.
fn frames(set: &str) -> (DataFrame, DataFrame, DataFrame, DataFrame) {
    let dir = r_data(&format!("transfer/{set}"));
    let c = read_csv(&dir.join("classes.csv"));
    let year: Vec<i64> = c["start_date"].iter().map(|s| year_of(s)).collect();
    let class_year: BTreeMap<&str, i64> = c["class_id"].iter().map(String::as_str).zip(year.iter().copied()).collect();
    let classes = DataFrame::new(
        year.len(),
        vec![
            Column::new("class_id".into(), &c["class_id"]),
            Column::new("target_category".into(), &c["target_category"]),
            dates("start_date", &c["start_date"]),
            dates("end_date", &c["end_date"]),
            Column::new("year".into(), &year),
        ],
    )
    .unwrap();
    let e = read_csv(&dir.join("enrollments.csv"));
    let n = e["class_id"].len();
    let mut cols = vec![
        Column::new("class_id".into(), &e["class_id"]),
        Column::new("cadre_id".into(), &e["cadre_id"]),
        Column::new("year".into(), e["class_id"].iter().map(|k| class_year[k.as_str()]).collect::<Vec<i64>>()),
        Column::new("completed".into(), e["completed"].iter().map(|v| v == "true").collect::<Vec<bool>>()),
    ];
    for name in ["pre_score", "post_score", "follow_3m_score", "follow_6m_score", "follow_12m_score"] {
        cols.push(Column::full_null(name.into(), n, &DataType::Float64));
    }
    let outcomes = DataFrame::new(n, cols).unwrap();
    let k = read_csv(&dir.join("cadres.csv"));
    let cadres = DataFrame::new(
        k["cadre_id"].len(),
        vec![Column::new("cadre_id".into(), &k["cadre_id"]), Column::new("category".into(), &k["category"])],
    )
    .unwrap();
    let r = read_csv(&dir.join("reviews.csv"));
    let reviews = DataFrame::new(
        r["cadre_id"].len(),
        vec![
            Column::new("cadre_id".into(), &r["cadre_id"]),
            dates("review_date", &r["review_date"]),
            Column::new("kind".into(), &r["kind"]),
            Column::new("total".into(), r["total"].iter().map(|v| v.parse::<f64>().unwrap()).collect::<Vec<f64>>()),
        ],
    )
    .unwrap();
    (outcomes, classes, cadres, reviews)
}

fn tables(set: &str, min_cell: usize) -> TransferTables {
    tables_with(set, min_cell, 1)
}

fn tables_with(set: &str, min_cell: usize, washout_years: u32) -> TransferTables {
    let (outcomes, classes, cadres, reviews) = frames(set);
    let settings = PipelineFile {
        indicators: IndicatorSettings { min_cell, ..Default::default() },
        transfer: TransferSettings { washout_years },
        ..Default::default()
    };
    transfer_tables_from(&outcomes, &classes, &cadres, &reviews, &Params::new(&settings, "2025")).unwrap()
}

/// `key v1 v2 …` lines of `transfer_event.out`.
fn r_values() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(r_data("transfer_event.out")).unwrap();
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.map(str::to_string).collect()))
        })
        .collect()
}

fn nums(r: &BTreeMap<String, Vec<String>>, key: &str) -> Vec<f64> {
    r.get(key).unwrap_or_else(|| panic!("no {key} in transfer_event.out")).iter().map(|v| v.parse().unwrap()).collect()
}

fn close(got: Option<f64>, want: f64, tol: f64, what: &str) {
    let g = got.unwrap_or_else(|| panic!("{what}: null, want {want}"));
    assert!((g - want).abs() <= tol * want.abs().max(1.0), "{what}: got {g}, want {want}");
}

/// The `all` rows of the event study and the per-class DiDs equal clubSandwich's and
/// R's on the same rows, for a clean, a pre-trend and a contaminated set.
#[test]
fn event_study_and_class_dids_match_r() {
    let r = r_values();
    // Anchors, should the .out file be regenerated by mistake (clean set, R 4.x,
    // clubSandwich 0.5.8).
    assert_eq!(r["clean.event.pretrend"][3], "0.33463967627089963");
    assert_eq!(r["pretrend.event.estimate"][0], "-2.85593495934959");
    for set in ["clean", "pretrend", "contamination"] {
        let t = tables(set, 1);
        let es = &t.event_study;
        let (cat, rel) = (str_col(es, "category"), f64_col(es, "rel_period"));
        let rows: Vec<usize> =
            (0..es.height()).filter(|&i| cat[i].as_deref() == Some("all") && rel[i] != Some(-1.0)).collect();
        assert_eq!(rows.len(), 5, "{set}");
        for (key, column) in [
            ("estimate", "estimate"),
            ("se", "se"),
            ("df", "df"),
            ("p", "p_value"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("n_trained", "n_trained"),
            ("n_control", "n_control"),
        ] {
            let want = nums(&r, &format!("{set}.event.{key}"));
            let got = f64_col(es, column);
            for (j, &i) in rows.iter().enumerate() {
                // p-values to 1e-6 absolute (ORACLES.md); the rest to 1e-8 relative.
                let tol = if key == "p" { 1e-6 } else { 1e-8 };
                close(got[i], want[j], tol, &format!("{set} {key} at {:?}", rel[i]));
            }
        }
        let pre = nums(&r, &format!("{set}.event.pretrend"));
        close(f64_col(es, "pretrend_p")[rows[0]], pre[3], 1e-8, &format!("{set} pretrend_p"));

        // Per class: control counts, the Welch DiD, Hedges' g and BH over the classes.
        let bc = &t.by_class;
        let ids: Vec<String> = r[&format!("{set}.class.ids")].clone();
        assert_eq!(str_col(bc, "class_id"), ids.iter().map(|s| Some(s.clone())).collect::<Vec<_>>(), "{set}");
        for (key, column) in [
            ("control_n", "control_n"),
            ("did", "did"),
            ("did_ci_low", "did_ci_low"),
            ("did_ci_high", "did_ci_high"),
            ("did_p", "did_p"),
            ("baseline_g", "baseline_g"),
            ("p_bh", "p_bh"),
            ("did_p_bh", "did_p_bh"),
        ] {
            let want = nums(&r, &format!("{set}.class.{key}"));
            for (k, (g, w)) in f64_col(bc, column).into_iter().zip(want).enumerate() {
                close(g, w, if key.contains("p") { 1e-6 } else { 1e-8 }, &format!("{set} {key} of {}", ids[k]));
            }
        }
    }
}

/// With the default cell size the same tables withhold what describes too few people:
/// counts below 5 and every figure about fewer than 5 analysed controls.
#[test]
fn small_control_groups_are_withheld() {
    let t = tables("clean", 5);
    let bc = &t.by_class;
    let (n, did, g) = (f64_col(bc, "control_n"), f64_col(bc, "did"), f64_col(bc, "baseline_g"));
    let r = r_values();
    let want = nums(&r, "clean.class.control_n");
    for k in 0..bc.height() {
        if want[k] < 5.0 {
            assert_eq!((n[k], did[k], g[k]), (None, None, None), "class {k} has {} controls", want[k]);
        } else {
            assert_eq!(n[k], Some(want[k]));
            assert!(did[k].is_some() && g[k].is_some());
        }
    }
    // The flow's control rows of those classes are withheld too.
    let f = &t.flow;
    let (id, group, stage, fnum) = (str_col(f, "class_id"), str_col(f, "group"), str_col(f, "stage"), f64_col(f, "n"));
    let ids = str_col(bc, "class_id");
    for k in 0..bc.height() {
        let i = (0..f.height())
            .find(|&i| {
                id[i] == ids[k] && group[i].as_deref() == Some("control") && stage[i].as_deref() == Some("review_after")
            })
            .unwrap();
        assert_eq!(fnum[i].is_none(), want[k] < 5.0, "flow of class {k}");
    }
}

/// `[transfer] washout_years`: with the default 1 a cadre trained in a class of 2024 is
/// no control of the 2025 classes; with 0 it is one again (its 2024 class ends before its
/// December 2024 review, so no class lies between its two reviews); with 2 nothing
/// changes on a set without classes of 2023. Counted from the contamination set's files.
#[test]
fn the_washout_years_decide_who_is_eligible() {
    let dir = r_data("transfer/contamination");
    let (c, e, k) =
        (read_csv(&dir.join("classes.csv")), read_csv(&dir.join("enrollments.csv")), read_csv(&dir.join("cadres.csv")));
    let year: BTreeMap<&str, i64> =
        c["class_id"].iter().map(String::as_str).zip(c["start_date"].iter().map(|s| year_of(s))).collect();
    assert!(!year.values().any(|&y| y == 2023), "no class of 2023 in the set");
    let targets: BTreeSet<&str> = (0..c["class_id"].len())
        .filter(|&i| year_of(&c["start_date"][i]) == 2025)
        .map(|i| c["target_category"][i].as_str())
        .collect();
    let mut years: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (class, cadre) in e["class_id"].iter().zip(&e["cadre_id"]) {
        years.entry(cadre.as_str()).or_default().insert(year[class.as_str()]);
    }
    let category: BTreeMap<&str, &str> =
        k["cadre_id"].iter().map(String::as_str).zip(k["category"].iter().map(String::as_str)).collect();
    let washed_out = years
        .iter()
        .filter(|(cadre, ys)| ys.contains(&2024) && !ys.contains(&2025) && targets.contains(category[*cadre]))
        .count();
    assert!(washed_out > 0, "the set trains would-be controls in 2024");
    let eligible = |t: &TransferTables| {
        let f = &t.flow;
        let (id, group, stage, n) = (str_col(f, "class_id"), str_col(f, "group"), str_col(f, "stage"), f64_col(f, "n"));
        let i = (0..f.height())
            .find(|&i| {
                id[i].as_deref() == Some("all")
                    && group[i].as_deref() == Some("control")
                    && stage[i].as_deref() == Some("eligible")
            })
            .unwrap();
        n[i].unwrap()
    };
    let (zero, one, two) =
        (tables_with("contamination", 1, 0), tables_with("contamination", 1, 1), tables_with("contamination", 1, 2));
    assert_eq!(eligible(&zero) - eligible(&one), washed_out as f64);
    assert_eq!(eligible(&two), eligible(&one));
    // Each class keeps its controls and may gain some.
    let (n0, n1) = (f64_col(&zero.by_class, "control_n"), f64_col(&one.by_class, "control_n"));
    assert!(n0.iter().zip(&n1).all(|(a, b)| a >= b) && n0 != n1, "{n0:?} vs {n1:?}");
}

/// A generated year built and computed for period 2025.
struct Built {
    dir: PathBuf,
    out: PathBuf,
    truth: serde_json::Value,
}

fn built(name: &str, plants: &[Plant]) -> Built {
    built_with(name, plants, 101)
}

fn built_with(name: &str, plants: &[Plant], seed: u64) -> Built {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("transfer-{name}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let input = dir.join("in");
    let opts = GenerateOptions { plants: plants.to_vec(), ..GenerateOptions::new(&input, 3000, seed) };
    generate(&opts).unwrap();
    let out = dir.join("out");
    let mut job = traineval::init::load_job(&input, Some(&out)).unwrap();
    // The contamination plant writes classes of 2026: the period must be said.
    job.period = Some("2025".into());
    pipeline::build(&job, &Silent).unwrap();
    pipeline::indicators(&job, &Silent).unwrap();
    let truth = serde_json::from_str(&std::fs::read_to_string(input.join("_truth.json")).unwrap()).unwrap();
    Built { dir: input, out, truth }
}

fn indicator(b: &Built, name: &str) -> DataFrame {
    ParquetReader::new(std::fs::File::open(b.out.join("indicators").join(format!("{name}.parquet"))).unwrap())
        .finish()
        .unwrap()
}

/// The `all` row of `transfer_summary`: (pretrend_p, baseline, attrition_ok, claim).
fn headline(b: &Built) -> (Option<f64>, Option<String>, Option<bool>, Option<String>) {
    let s = indicator(b, "transfer_summary");
    assert_eq!(str_col(&s, "category")[0].as_deref(), Some("all"));
    (
        f64_col(&s, "pretrend_p")[0],
        str_col(&s, "baseline")[0].clone(),
        bool_col(&s, "attrition_ok")[0],
        str_col(&s, "claim")[0].clone(),
    )
}

#[test]
fn the_clean_default_passes_every_check() {
    let b = built("clean", &[]);
    let (p, baseline, attrition_ok, claim) = headline(&b);
    assert!(p.unwrap() >= 0.10, "pretrend_p {p:?}");
    assert_eq!((baseline.as_deref(), attrition_ok, claim.as_deref()), (Some("equivalent"), Some(true), Some("effect")));
    // The pooled DiD recovers the planted effect, its interval clustered.
    let s = indicator(&b, "transfer_summary");
    let planted = b.truth["params"]["model"]["transfer_effect"].as_f64().unwrap();
    let (lo, hi) = (f64_col(&s, "ci_low")[0].unwrap(), f64_col(&s, "ci_high")[0].unwrap());
    assert!(lo < planted && planted < hi, "[{lo}, {hi}] misses {planted}");
    // The realised event study of the truth agrees with the estimates within their
    // noise: the same trainees, but the truth's controls are every untrained cadre of any
    // category by calendar year, weighted by the trainees' years, where the indicator
    // takes the class's category at the class's dates, each class once (on seed 101 the
    // two differ by 0.05–0.10 points at every period, 0.6–1.1 se, the same sign: the
    // control composition). Two se bound that with room, and still catch a period off by
    // one review (a difference of the drift, 1 point a year).
    let es = indicator(&b, "transfer_event_study");
    let (cat, rel, est, se) =
        (str_col(&es, "category"), f64_col(&es, "rel_period"), f64_col(&es, "estimate"), f64_col(&es, "se"));
    for e in b.truth["observed"]["event_study"].as_array().unwrap() {
        let r = e["rel_period"].as_f64().unwrap();
        let i = (0..es.height()).find(|&i| cat[i].as_deref() == Some("all") && rel[i] == Some(r)).unwrap();
        let want = e["estimate"].as_f64().unwrap();
        let tol = se[i].map_or(1e-12, |s| s);
        assert!((est[i].unwrap() - want).abs() <= 2.0 * tol, "period {r}: {:?} vs {want} (se {tol})", est[i]);
    }
    // Flow: the trainees' stages are the truth's enrollments and followed.
    let f = indicator(&b, "participant_flow");
    let (id, group, stage, n) = (str_col(&f, "class_id"), str_col(&f, "group"), str_col(&f, "stage"), f64_col(&f, "n"));
    let at = |g: &str, s: &str| {
        n[(0..f.height())
            .find(|&i| {
                id[i].as_deref() == Some("all") && group[i].as_deref() == Some(g) && stage[i].as_deref() == Some(s)
            })
            .unwrap()]
    };
    let obs = &b.truth["observed"];
    assert_eq!(at("trained", "enrolled"), obs["attrition_enrollments"].as_f64());
    assert_eq!(at("trained", "review_after"), obs["attrition_followed"].as_f64());
    // Controls: every untrained cadre (the clean set trains no one in 2024).
    assert_eq!(
        at("control", "eligible").unwrap() as u64,
        b.truth["params"]["counts"]["cadres"].as_u64().unwrap()
            - b.truth["params"]["counts"]["trained_cadres"].as_u64().unwrap()
    );
    let _ = std::fs::remove_dir_all(b.dir.parent().unwrap());
}

#[test]
fn a_planted_pretrend_is_found_and_worded_as_an_association() {
    let b = built("pretrend", &[Plant::Pretrend]);
    let (p, _, attrition_ok, claim) = headline(&b);
    assert!(p.unwrap() < 0.10, "pretrend_p {p:?}");
    assert_eq!((attrition_ok, claim.as_deref()), (Some(true), Some("association")));
    // The estimates before the class are the planted −2·1.5 and −1.5 points.
    let es = indicator(&b, "transfer_event_study");
    let (cat, rel, est) = (str_col(&es, "category"), f64_col(&es, "rel_period"), f64_col(&es, "estimate"));
    for (r, want) in [(-3.0, -3.0), (-2.0, -1.5)] {
        let i = (0..es.height()).find(|&i| cat[i].as_deref() == Some("all") && rel[i] == Some(r)).unwrap();
        assert!((est[i].unwrap() - want).abs() < 0.4, "period {r}: {:?}", est[i]);
    }
    let _ = std::fs::remove_dir_all(b.dir.parent().unwrap());
}

#[test]
fn planted_attrition_fails_the_wwc_boundary() {
    let b = built("attrition", &[Plant::Attrition]);
    let (_, _, attrition_ok, claim) = headline(&b);
    assert_eq!((attrition_ok, claim.as_deref()), (Some(false), Some("association")));
    let s = indicator(&b, "transfer_summary");
    let diff = f64_col(&s, "attrition_differential")[0].unwrap();
    let want = b.truth["observed"]["attrition_differential"].as_f64().unwrap();
    assert!((diff - want).abs() < 0.03, "differential {diff} vs realised {want}");
    let _ = std::fs::remove_dir_all(b.dir.parent().unwrap());
}

/// Each class's analysed controls, counted by brute force from the generated rows: the
/// category's cadres with no class in 2024–2025, both reviews, and no class of their
/// own between them.
#[test]
fn contaminated_cadres_are_no_controls() {
    let b = built("contamination", &[Plant::Contamination]);
    let read = |t: &str| read_csv(&b.dir.join(format!("{t}.csv")));
    let c = read("classes");
    let class: BTreeMap<&str, (&str, i32, i32)> = (0..c["class_id"].len())
        .map(|i| {
            (
                c["class_id"][i].as_str(),
                (c["target_category"][i].as_str(), day(&c["start_date"][i]), day(&c["end_date"][i])),
            )
        })
        .collect();
    let year: BTreeMap<&str, i64> =
        c["class_id"].iter().map(String::as_str).zip(c["start_date"].iter().map(|s| year_of(s))).collect();
    let e = read("enrollments");
    // Each cadre's classes: (start, end, year).
    let mut own: BTreeMap<&str, Vec<(i32, i32, i64)>> = BTreeMap::new();
    for (k, cadre) in e["class_id"].iter().zip(&e["cadre_id"]) {
        let (_, s, end) = class[k.as_str()];
        own.entry(cadre.as_str()).or_default().push((s, end, year[k.as_str()]));
    }
    let cadres = read("cadres");
    let category: BTreeMap<&str, &str> =
        cadres["cadre_id"].iter().map(String::as_str).zip(cadres["category"].iter().map(String::as_str)).collect();
    let r = read("reviews");
    let mut hist: BTreeMap<&str, Vec<(i32, &str)>> = BTreeMap::new();
    for ((id, date), kind) in r["cadre_id"].iter().zip(&r["review_date"]).zip(&r["kind"]) {
        hist.entry(id.as_str()).or_default().push((day(date), kind.as_str()));
    }
    for h in hist.values_mut() {
        h.sort();
    }
    let bc = indicator(&b, "transfer_by_class");
    let ids = str_col(&bc, "class_id");
    let control_n = f64_col(&bc, "control_n");
    let mut excluded = 0;
    for (k, id) in ids.iter().enumerate() {
        let (cat, s, e) = class[id.as_deref().unwrap()];
        let thr = e + 90;
        let (mut want, mut naive) = (0, 0);
        for (cadre, c) in &category {
            if *c != cat {
                continue;
            }
            let classes = own.get(cadre).cloned().unwrap_or_default();
            if classes.iter().any(|&(_, _, y)| y == 2024 || y == 2025) {
                continue;
            }
            let Some(h) = hist.get(cadre) else { continue };
            let (Some(before), Some(after)) = (h.iter().rev().find(|r| r.0 < s), h.iter().find(|r| r.0 >= thr)) else {
                continue;
            };
            naive += 1;
            if !classes.iter().any(|&(cs, ce, _)| ce > before.0 && cs < after.0) {
                want += 1;
            }
        }
        excluded += naive - want;
        if want >= 5 {
            assert_eq!(control_n[k], Some(want as f64), "class {id:?}");
        } else {
            assert_eq!(control_n[k], None, "class {id:?}: {want} controls are withheld");
        }
    }
    // The family's per-class tables hold the period's classes only: the plant's classes
    // of 2024 and 2026 disqualify controls and are reported nowhere here.
    let of_period: BTreeSet<&str> = year.iter().filter(|(_, y)| **y == 2025).map(|(k, _)| *k).collect();
    assert!(year.values().any(|y| *y != 2025), "the plant writes classes of other years");
    for name in ["transfer_by_class", "follow_up", "assessment_by_class", "participant_flow"] {
        let ids: BTreeSet<String> =
            str_col(&indicator(&b, name), "class_id").into_iter().flatten().filter(|k| k != "all").collect();
        assert_eq!(ids.iter().map(String::as_str).collect::<BTreeSet<_>>(), of_period, "{name}");
    }
    let planted = b.truth["params"]["plants"]["contamination"]["cadres"].as_u64().unwrap();
    assert!(excluded > 0 && planted > 0, "the contamination check removed {excluded} control slots");
    let (_, _, attrition_ok, _) = headline(&b);
    assert_eq!(attrition_ok, Some(true), "contamination is not attrition");
    let _ = std::fs::remove_dir_all(b.dir.parent().unwrap());
}

/// How often each check fires over seeds 101–120 (3,000 cadres), on the clean default
/// and on each plant: the reason seed 101 is not a lucky pick for the tests above. A
/// benchmark, not a unit test (`cargo test --release --test it transfer_check_rates --
/// --ignored --nocapture`); the figures are in `docs/indicators.md`. It fails only when
/// a check misses most of its planted cases or fires on most clean ones.
#[test]
#[ignore]
fn transfer_check_rates_over_seeds() {
    let seeds = 101..=120u64;
    for (name, plants) in [
        ("clean", &[][..]),
        ("pretrend", &[Plant::Pretrend][..]),
        ("attrition", &[Plant::Attrition][..]),
        ("contamination", &[Plant::Contamination][..]),
    ] {
        let (mut pretrend, mut adjust, mut unequal, mut attrition, mut association, mut covered) = (0, 0, 0, 0, 0, 0);
        for seed in seeds.clone() {
            let b = built_with(&format!("rates-{name}"), plants, seed);
            let (p, base, ok, claim) = headline(&b);
            let s = indicator(&b, "transfer_summary");
            let (lo, hi) = (f64_col(&s, "ci_low")[0], f64_col(&s, "ci_high")[0]);
            let planted = b.truth["params"]["model"]["transfer_effect"].as_f64().unwrap();
            eprintln!(
                "{name} seed {seed}: pretrend_p {p:?} baseline_g {:?} ({base:?}) attrition_ok {ok:?} claim {claim:?} did {:?} [{lo:?}, {hi:?}]",
                f64_col(&s, "baseline_g")[0],
                f64_col(&s, "did")[0],
            );
            pretrend += usize::from(p.is_none_or(|p| p < 0.10));
            adjust += usize::from(base.as_deref() == Some("adjust"));
            unequal += usize::from(base.as_deref() != Some("equivalent") && base.as_deref() != Some("adjust"));
            attrition += usize::from(ok != Some(true));
            association += usize::from(claim.as_deref() != Some("effect"));
            covered += usize::from(lo.zip(hi).is_some_and(|(lo, hi)| lo < planted && planted < hi));
            let _ = std::fs::remove_dir_all(b.dir.parent().unwrap());
        }
        let n = seeds.clone().count();
        eprintln!(
            "{name}: of {n} sets, pretrend_p < 0.10 in {pretrend}, baseline to adjust in {adjust} and not equivalent in {unequal}, attrition not ok in {attrition}, association in {association}, CI covers the planted DiD in {covered}"
        );
        match name {
            "clean" => {
                assert!(association * 2 < n, "the clean default reads as an association in {association} of {n}")
            }
            "pretrend" => assert!(pretrend * 2 > n, "pretrend found in {pretrend} of {n}"),
            "attrition" => assert!(attrition * 2 > n, "attrition found in {attrition} of {n}"),
            _ => {}
        }
    }
}
