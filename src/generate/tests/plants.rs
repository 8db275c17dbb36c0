//! Tests of `--null-methods` and `--plant`: the default is what the generator wrote
//! before them apart from the longer review histories and the equalised attrition
//! (hashes of a set written by the earlier generator), the null switches off the method
//! effects and nothing else, each plant changes what it should and leaves the rest byte
//! for byte, and planted sets are deterministic and pass the reference validator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::*;

/// SHA-256 of the canonical set `--cadres 400 --seed 5 --dirty 0.02` as the generator
/// wrote it before `--null-methods`, `--plant` and the seven-review histories (f650f0f).
const BEFORE: [(&str, &str); 17] = [
    ("_truth.json", "b7d495fa7765839d5ddeffc14586c5c099e9102415c9dddaaa8ebaf31ef943b9"),
    ("cadres.csv", "6c5b367381351c8d4773f31c90943b53ed37b6579187299d64adf604c5015d90"),
    ("classes.csv", "a2b69c78f920fab8299f64b2851194c0967e4924b217fa94593ac0c31bb856fa"),
    ("course_ratings.csv", "d69d304d4be6cc00ea3299ebef600d4848c1225d888a1f10d24f447608b7ba45"),
    ("courses.csv", "f89f1164012d7b67b1a41c3286e0b0412b19aa4f5233d1cd36a5303604f662c4"),
    ("enrollments.csv", "1261e19abefb587d5f31536f7644f4d38b99376bc0a710cc5e4a676d25a03acb"),
    ("items.csv", "b941ee7cc2d558408744f3c78f477362e768fd671d6657030d9651776e0f4b0f"),
    ("reviews.csv", "8489db9d8fbdba33bf57a5d5d2eae69ad9237b433da11d07e363d540d472d0aa"),
    ("survey_follow_12m.csv", "82a5491fffe9a96e0f073ab78d758e0e6aa1da3ab8ceacd82480d72c1c3c21b4"),
    ("survey_follow_3m.csv", "180bc5068681f2e1b1a701fbdd93ac8a63af1240915f541047be6710e047b9b4"),
    ("survey_follow_6m.csv", "c8f54259fe54d279a898f599eecc1175cc15c5864497068b3b37a2bc1fbe7c0c"),
    ("survey_needs.csv", "202fe5abcfd7993417cfda543d35dcdcadf6195b7b7f35ee2b13c30ff9bd191a"),
    ("survey_post.csv", "fd93573d84cfd618752139a6ca25ac5dd23070ca73ad4655f27abf1741bb9224"),
    ("survey_pre.csv", "b992b61251ebf9c160602ab290d392e104b44aaaba746150ebfab333c79188e9"),
    ("trainee_ratings.csv", "ae5a88e89e5c5ea72a45d608080a0d186a2ee1ff4b7384cc5f9122571ad33936"),
    ("unit_outcomes.csv", "fb0f3d89f1df6ace3b697763e2e35ea37d2d1f019deabaa1b5c3721d6ad96c43"),
    ("units.csv", "3bd34a0f23dca9ee6e724c16e21d882c7f8181a20f4d713d3d95e39acdd95bda"),
];

/// Files that attrition cannot reach: everything written before the follow-up waves.
const BEFORE_FOLLOW_UPS: [&str; 10] = [
    "units.csv",
    "cadres.csv",
    "classes.csv",
    "courses.csv",
    "items.csv",
    "enrollments.csv",
    "survey_needs.csv",
    "survey_pre.csv",
    "survey_post.csv",
    "unit_outcomes.csv",
];

const YEAR: i32 = 2025;

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))))
}

fn gen(dir: &Path, cadres: usize, seed: u64, null_methods: bool, plants: &[Plant]) -> serde_json::Value {
    let opts = GenerateOptions { null_methods, plants: plants.to_vec(), ..GenerateOptions::new(dir, cadres, seed) };
    generate(&opts).unwrap_or_else(|e| panic!("generate failed: {e}"));
    truth(dir)
}

fn same_file(a: &Path, b: &Path, f: &str) -> bool {
    std::fs::read(a.join(f)).ok() == std::fs::read(b.join(f)).ok()
}

/// Each cadre's reviews: (calendar year, score = mean of the five dimensions), by date.
fn reviews(dir: &Path) -> BTreeMap<String, Vec<(i32, f64)>> {
    let mut out: BTreeMap<String, Vec<(i32, f64)>> = BTreeMap::new();
    for r in read_csv(&dir.join("reviews.csv")).1 {
        let year: i32 = r[1][..4].parse().unwrap_or(0);
        let score = r[3..8].iter().map(|x| x.parse::<f64>().unwrap_or(f64::NAN)).sum::<f64>() / 5.0;
        out.entry(r[0].clone()).or_default().push((year, score));
    }
    out
}

/// The start years of each enrolled cadre's classes.
fn class_years(dir: &Path) -> BTreeMap<String, Vec<i32>> {
    let start: BTreeMap<String, i32> = read_csv(&dir.join("classes.csv"))
        .1
        .into_iter()
        .map(|r| (r[0].clone(), r[5][..4].parse().unwrap_or(0)))
        .collect();
    let mut out: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for r in read_csv(&dir.join("enrollments.csv")).1 {
        out.entry(r[1].clone()).or_default().push(start.get(&r[0]).copied().unwrap_or(0));
    }
    out
}

fn score_in(h: &[(i32, f64)], year: i32) -> Option<f64> {
    h.iter().find(|(y, _)| *y == year).map(|r| r.1)
}

/// Mean of `f` over the histories of `cadres` where it is defined.
fn mean_over<'a>(
    hist: &'a BTreeMap<String, Vec<(i32, f64)>>,
    cadres: impl Iterator<Item = &'a String>,
    f: impl Fn(&[(i32, f64)]) -> Option<f64>,
) -> (f64, usize) {
    let v: Vec<f64> = cadres.filter_map(|c| hist.get(c).and_then(|h| f(h))).collect();
    (v.iter().sum::<f64>() / v.len().max(1) as f64, v.len())
}

fn event(t: &serde_json::Value, rel: i64) -> f64 {
    let es = t["observed"]["event_study"].as_array().unwrap_or_else(|| panic!("no event study"));
    let e = es.iter().find(|e| e["rel_period"].as_i64() == Some(rel)).unwrap_or_else(|| panic!("no period {rel}"));
    e["estimate"].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn the_default_is_as_before_apart_from_reviews_and_attrition() {
    let dir = tmp("before");
    let opts = GenerateOptions { dirty: 0.02, ..GenerateOptions::new(&dir, 400, 5) };
    // With the earlier attrition (10 % of trainees, 5 % of the others) only the review
    // histories, and so the truth, differ from the earlier generator's set.
    let earlier = Design { attrition_trained: 0.10, attrition_untrained: 0.05, ..Design::of(&opts) };
    generate_with(&opts, &earlier).unwrap_or_else(|e| panic!("{e}"));
    for (f, h) in BEFORE {
        if f == "reviews.csv" || f == "_truth.json" {
            assert_ne!(sha256(&dir.join(f)), h, "{f} should have changed");
        } else {
            assert_eq!(sha256(&dir.join(f)), h, "{f} differs from the earlier generator's");
        }
    }
    // The default's equal attrition changes who answers the follow-ups (and with them the
    // rest of those classes' streams); nothing written before the follow-ups changes.
    generate(&opts).unwrap_or_else(|e| panic!("{e}"));
    let before: BTreeMap<&str, &str> = BEFORE.into_iter().collect();
    for f in BEFORE_FOLLOW_UPS {
        assert_eq!(sha256(&dir.join(f)), before[f], "{f} differs from the earlier generator's");
    }
    for f in ["survey_follow_3m.csv", "reviews.csv"] {
        assert_ne!(sha256(&dir.join(f)), before[f], "{f} should have changed");
    }
    let t = truth(&dir);
    assert_eq!(t["params"]["null_methods"], false);
    assert_eq!(t["params"]["plants"], serde_json::json!({}), "a clean set plants nothing");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn null_methods_switches_off_the_method_effects_only() {
    let (a, b) = (tmp("null-a"), tmp("null-b"));
    let ta = gen(&a, 4000, 21, false, &[]);
    let tb = gen(&b, 4000, 21, true, &[]);
    assert_eq!(tb["params"]["null_methods"], true);
    let base = tb["params"]["model"]["base_gain"].as_f64().unwrap_or(f64::NAN);
    for m in Method::ALL {
        assert_eq!(tb["params"]["method_effects"][m.code()].as_f64(), Some(0.0), "{}", m.code());
        assert_eq!(tb["params"]["method_gain"][m.code()].as_f64(), Some(base), "{}", m.code());
    }
    assert_ne!(ta["params"]["method_effects"], tb["params"]["method_effects"]);
    // The same draws: what does not depend on a method's effect is byte-identical.
    for f in [
        "units.csv",
        "cadres.csv",
        "classes.csv",
        "courses.csv",
        "survey_needs.csv",
        "survey_pre.csv",
        "reviews.csv",
        "unit_outcomes.csv",
    ] {
        assert!(same_file(&a, &b, f), "{f} changed under the null");
    }
    for f in ["survey_post.csv", "enrollments.csv", "course_ratings.csv"] {
        assert!(!same_file(&a, &b, f), "{f} should carry the method effects");
    }
    // Realised gains: the default's active > lecture > online by 2+ points (see
    // planted_effects_are_recoverable); under the null within a class effect's noise.
    let o = &tb["observed"]["gain_by_method"];
    let pooled = |ms: &[&str]| {
        let n: f64 = ms.iter().map(|m| o[*m]["n"].as_f64().unwrap_or(0.0)).sum();
        ms.iter().map(|m| o[*m]["mean"].as_f64().unwrap_or(0.0) * o[*m]["n"].as_f64().unwrap_or(0.0)).sum::<f64>() / n
    };
    let g = [pooled(&["case", "scenario", "role_play"]), pooled(&["seminar", "centralized"]), pooled(&["online"])];
    let spread = g.iter().cloned().fold(f64::MIN, f64::max) - g.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 2.0, "method gains under the null: {g:?}");
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn pretrend_lowers_trainees_reviews_before_their_class_only() {
    let (a, b) = (tmp("pre-a"), tmp("pre-b"));
    let ta = gen(&a, 3000, 31, false, &[]);
    let tb = gen(&b, 3000, 31, false, &[Plant::Pretrend]);
    let per_year = model::PLANTS.pretrend_per_year;
    assert_eq!(tb["params"]["plants"]["pretrend"]["per_year"].as_f64(), Some(per_year));
    for (f, _) in BEFORE {
        if f != "reviews.csv" && f != "_truth.json" {
            assert!(same_file(&a, &b, f), "{f} changed with the pretrend plant");
        }
    }
    // Only trainees' reviews before December of year − 1 move, by per_year a year back.
    let (ra, rb) = (reviews(&a), reviews(&b));
    let enrolled = class_years(&b);
    let trained: BTreeSet<String> =
        enrolled.iter().filter(|(_, ys)| ys.contains(&YEAR)).map(|(c, _)| c.clone()).collect();
    let mut shift: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    for (c, ha) in &ra {
        let hb = &rb[c];
        assert_eq!(ha.len(), hb.len(), "{c}");
        for ((y, sa), (_, sb)) in ha.iter().zip(hb) {
            if trained.contains(c) && *y < YEAR - 1 {
                let e = shift.entry(*y).or_default();
                e.0 += sb - sa;
                e.1 += 1;
            } else {
                assert_eq!(sa, sb, "{c} {y}: only trainees' earlier reviews move");
            }
        }
    }
    for (y, (sum, n)) in shift {
        let want = -per_year * f64::from(YEAR - 1 - y);
        assert!((sum / n as f64 - want).abs() < 0.1, "{y}: {} vs {want}", sum / n as f64);
    }
    // The trainees' slope over the three years before exceeds the controls' by per_year.
    let slope = |h: &[(i32, f64)]| Some((score_in(h, YEAR - 1)? - score_in(h, YEAR - 3)?) / 2.0);
    let controls: BTreeSet<&String> = rb.keys().filter(|c| !enrolled.contains_key(*c)).collect();
    let (st, nt) = mean_over(&rb, trained.iter(), slope);
    let (sc, nc) = mean_over(&rb, controls.iter().copied(), slope);
    assert!(nt > 1500 && nc > 500, "{nt} trainees, {nc} controls");
    assert!((st - sc - per_year).abs() < 0.25, "slope difference {}", st - sc);
    // The realised event study shows it; the default's is flat before the class.
    assert!((event(&tb, -3) + 2.0 * per_year).abs() < 0.35, "{}", event(&tb, -3));
    assert!((event(&tb, -2) + per_year).abs() < 0.35, "{}", event(&tb, -2));
    assert!(event(&ta, -3).abs() < 0.35 && event(&ta, -2).abs() < 0.35);
    for rel in 0..=2 {
        assert_eq!(event(&ta, rel), event(&tb, rel), "period {rel} unchanged");
    }
    assert_eq!(ta["observed"]["baseline_g"], tb["observed"]["baseline_g"], "the −1 review is unchanged");
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn attrition_plant_loses_more_and_weaker_trainees() {
    let (a, b) = (tmp("attr-a"), tmp("attr-b"));
    let ta = gen(&a, 3000, 41, false, &[]);
    let tb = gen(&b, 3000, 41, false, &[Plant::Attrition]);
    let p = model::PLANTS;
    assert_eq!(tb["params"]["plants"]["attrition"]["trained"].as_f64(), Some(p.attrition_trained));
    assert_eq!(tb["params"]["model"]["attrition_trained"].as_f64(), Some(p.attrition_trained));
    assert_eq!(tb["params"]["model"]["attrition_untrained"].as_f64(), Some(p.attrition_untrained));
    let o = |t: &serde_json::Value, k: &str| t["observed"][k].as_f64().unwrap_or(f64::NAN);
    assert!((o(&tb, "attrition") - p.attrition_trained).abs() < 0.04, "{}", o(&tb, "attrition"));
    assert!((o(&tb, "attrition_control") - p.attrition_untrained).abs() < 0.025, "{}", o(&tb, "attrition_control"));
    assert!(o(&tb, "attrition_differential") > 0.25, "{}", o(&tb, "attrition_differential"));
    assert!(o(&ta, "attrition_differential").abs() < 0.04, "{}", o(&ta, "attrition_differential"));
    for f in BEFORE_FOLLOW_UPS {
        assert!(same_file(&a, &b, f), "{f} changed with the attrition plant");
    }
    // The lost trainees are the weaker ones: lower reviews before the class.
    let gap = |dir: &Path| {
        let hist = reviews(dir);
        let trained: Vec<String> =
            class_years(dir).into_iter().filter(|(_, ys)| ys.contains(&YEAR)).map(|(c, _)| c).collect();
        let lost = |c: &&String| hist[*c].iter().all(|(y, _)| *y < YEAR);
        let before = |h: &[(i32, f64)]| score_in(h, YEAR - 1);
        let (l, nl) = mean_over(&hist, trained.iter().filter(lost), before);
        let (k, nk) = mean_over(&hist, trained.iter().filter(|c| !lost(c)), before);
        (k - l, nl as f64 / (nl + nk) as f64)
    };
    let (gap_b, lost_b) = gap(&b);
    let (gap_a, _) = gap(&a);
    assert!((lost_b - p.attrition_trained).abs() < 0.04, "{lost_b}");
    assert!(gap_b > 2.0, "lost trainees {gap_b} points below the followed");
    assert!(gap_a.abs() < 1.0, "default: lost at random ({gap_a})");
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn contamination_trains_would_be_controls_outside_the_year() {
    let (a, b) = (tmp("cont-a"), tmp("cont-b"));
    let ta = gen(&a, 3000, 51, false, &[]);
    let tb = gen(&b, 3000, 51, false, &[Plant::Contamination]);
    for f in ["units.csv", "cadres.csv", "items.csv", "unit_outcomes.csv"] {
        assert!(same_file(&a, &b, f), "{f} changed with the contamination plant");
    }
    // The year's rows come first, as without the plant; then the classes of year ± 1.
    for f in
        ["classes.csv", "courses.csv", "enrollments.csv", "survey_pre.csv", "course_ratings.csv", "trainee_ratings.csv"]
    {
        let (x, y) = (read_csv(&a.join(f)).1, read_csv(&b.join(f)).1);
        assert!(y.len() > x.len() && y[..x.len()] == x[..], "{f}: the year's rows are not a prefix");
    }
    let classes = read_csv(&b.join("classes.csv")).1;
    let n_year = read_csv(&a.join("classes.csv")).1.len();
    let (mut later, mut earlier): (BTreeSet<String>, BTreeSet<String>) = Default::default();
    for r in &classes[n_year..] {
        let (start, end) = (&r[5], &r[6]);
        if start.starts_with(&format!("{}-", YEAR + 1)) {
            assert!(start.as_str() >= "2026-01-01" && end.as_str() <= "2026-06-30", "{r:?}");
            assert!(r[1].starts_with("2026年"), "{}", r[1]);
            later.insert(r[0].clone());
        } else {
            assert!(start.as_str() >= "2024-03-01" && end.as_str() <= "2024-11-30", "{r:?}");
            earlier.insert(r[0].clone());
        }
    }
    let mut members: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut classes_of: BTreeMap<String, usize> = BTreeMap::new();
    for r in read_csv(&b.join("enrollments.csv")).1 {
        *classes_of.entry(r[1].clone()).or_default() += 1;
        let kind = if later.contains(&r[0]) {
            "later"
        } else if earlier.contains(&r[0]) {
            "earlier"
        } else {
            "year"
        };
        members.entry(kind).or_default().insert(r[1].clone());
    }
    // Would-be controls only: no class in the year, one class each.
    for kind in ["later", "earlier"] {
        for c in &members[kind] {
            assert!(!members["year"].contains(c), "{c} of a {kind} class is trained in the year");
            assert_eq!(classes_of[c], 1, "{c}");
        }
    }
    let pc = &tb["params"]["plants"]["contamination"];
    let count = |k: &str| pc[k].as_u64().unwrap_or(0) as usize;
    assert_eq!(count("cadres"), members["later"].len());
    assert_eq!(count("classes"), later.len());
    assert_eq!(count("washout_cadres"), members["earlier"].len());
    assert_eq!(count("washout_classes"), earlier.len());
    let share = count("cadres") as f64 / count("eligible") as f64;
    let washout = count("washout_cadres") as f64 / count("eligible") as f64;
    assert!((share - model::PLANTS.contamination_share).abs() < 0.02, "{share}");
    assert!((washout - model::PLANTS.washout_share).abs() < 0.02, "{washout}");
    assert_eq!(pc["first_start"].as_str().map(|s| &s[..4]), Some("2026"));
    // Their surveys are written as for any class.
    let pre: BTreeSet<String> = read_csv(&b.join("survey_pre.csv")).1.into_iter().map(|r| r[0].clone()).collect();
    assert!(later.iter().chain(&earlier).all(|k| pre.contains(k)), "every planted class has pre surveys");
    // The transfer effect follows their class: contaminated cadres gain between December
    // of the year and of year + 1, washout cadres between year − 2 and year − 1.
    let (ra, rb) = (reviews(&a), reviews(&b));
    let clean: Vec<&String> = rb.keys().filter(|c| !classes_of.contains_key(*c)).collect();
    let change = |from: i32, to: i32| move |h: &[(i32, f64)]| Some(score_in(h, to)? - score_in(h, from)?);
    let effect = model::MODEL.transfer_effect;
    let (x, _) = mean_over(&rb, members["later"].iter(), change(YEAR, YEAR + 1));
    let (y, _) = mean_over(&rb, clean.iter().copied(), change(YEAR, YEAR + 1));
    assert!((x - y - effect).abs() < 0.6, "contaminated: {}", x - y);
    let (x, _) = mean_over(&rb, members["earlier"].iter(), change(YEAR - 2, YEAR - 1));
    let (y, _) = mean_over(&rb, clean.iter().copied(), change(YEAR - 2, YEAR - 1));
    assert!((x - y - effect).abs() < 0.8, "washout: {}", x - y);
    // No other cadre's reviews move; those of planted cadres do unless they were lost
    // before their class of year + 1.
    let planted: BTreeSet<&String> = members["later"].iter().chain(&members["earlier"]).collect();
    let mut moved = 0;
    for (c, h) in &ra {
        if planted.contains(c) {
            moved += usize::from(rb[c] != *h);
        } else {
            assert_eq!(rb[c], *h, "{c}");
        }
    }
    assert!(moved * 100 >= planted.len() * 85, "{moved} of {} planted cadres", planted.len());
    // The planted cadres are lost as often as the others: the clean controls keep the
    // planted attrition.
    let o = |t: &serde_json::Value, k: &str| t["observed"][k].as_f64().unwrap_or(f64::NAN);
    assert!((o(&tb, "attrition_control") - o(&ta, "attrition_control")).abs() < 0.02);
    // The year's realised statistics are those of the clean set.
    for k in ["gain_by_method", "course_rating_total", "trainee_rating_by_role", "transfer_trained_delta", "attrition"]
    {
        assert_eq!(ta["observed"][k], tb["observed"][k], "{k}");
    }
    let r = validate_dir(&b);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(expected_tallies(&tb), r.tallies);
    assert!(r.tallies.values().all(|t| t.rejected.is_empty()), "a clean planted set breaks no rule");
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn planted_sets_are_deterministic_and_count_their_bad_rows() {
    let (a, b) = (tmp("plants-a"), tmp("plants-b"));
    let opts = |dir: &Path| GenerateOptions {
        dirty: 0.02,
        null_methods: true,
        plants: vec![Plant::Contamination, Plant::Pretrend, Plant::Attrition, Plant::Pretrend],
        ..GenerateOptions::new(dir, 1200, 61)
    };
    let s = generate(&opts(&a)).unwrap_or_else(|e| panic!("{e}"));
    generate(&opts(&b)).unwrap_or_else(|e| panic!("{e}"));
    for f in &s.files {
        assert!(same_file(&a, &b, &f.file), "{} differs for the same seed and plants", f.file);
    }
    let t = truth(&a);
    let keys: Vec<&String> = t["params"]["plants"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["attrition", "contamination", "pretrend"]);
    let r = validate_dir(&a);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(expected_tallies(&t), r.tallies);
    // Tiny sets: categories without controls, classes or would-be controls.
    for n in [1, 7, 40] {
        let d = tmp(&format!("plants-tiny{n}"));
        let o = GenerateOptions { cadres: n, ..opts(&d) };
        generate(&o).unwrap_or_else(|e| panic!("n = {n}: {e}"));
        assert_eq!(expected_tallies(&truth(&d)), validate_dir(&d).tallies, "n = {n}");
        let _ = std::fs::remove_dir_all(d);
    }
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}
