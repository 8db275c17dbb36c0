//! Tests of the generator: determinism, a clean set that breaks no rule, dirty counts
//! that an independent reference validator reproduces exactly, platform files, and the
//! recovery of the planted effects.
//!
//! The reference validator below re-implements the rules of SPEC Appendix C in the
//! order the pipeline applies them (missing → unknown id → not enrolled → bad date →
//! bad number/value → out of range → speeder, then duplicates among passing rows), on the
//! canonical files only; it shares no code with the generator's writers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::dates::{civil_from_days, days_from_civil};
use super::*;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("traineval-gen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(dir: &Path, cadres: usize, seed: u64, dirty: f64, format: OutputFormat) -> GenerateSummary {
    let opts = GenerateOptions { dirty, format, ..GenerateOptions::new(dir, cadres, seed) };
    generate(&opts).unwrap_or_else(|e| panic!("generate failed: {e}"))
}

type Table = (Vec<String>, Vec<Vec<String>>);

fn read_csv(path: &Path) -> Table {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = r.headers().unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect()).collect();
    (h, rows)
}

fn truth(dir: &Path) -> serde_json::Value {
    let s = std::fs::read_to_string(dir.join("_truth.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------- reference validator

fn valid_date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    if p.len() != 3 || p[0].len() != 4 || p[1].len() != 2 || p[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (p[0].parse::<i32>(), p[1].parse::<u32>(), p[2].parse::<u32>()) else { return false };
    (1..=12).contains(&m) && (1..=31).contains(&d) && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
}

/// Seconds of a valid `YYYY-MM-DD HH:MM:SS`.
fn datetime(s: &str) -> Option<i64> {
    let (d, t) = s.split_once(' ')?;
    if !valid_date(d) {
        return None;
    }
    let t: Vec<u32> = t.split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    if t.len() != 3 || t[0] > 23 || t[1] > 59 || t[2] > 59 {
        return None;
    }
    let (y, m, dd) = (d[..4].parse().ok()?, d[5..7].parse().ok()?, d[8..].parse().ok()?);
    Some(days_from_civil(y, m, dd) * 86_400 + i64::from(t[0] * 3600 + t[1] * 60 + t[2]))
}

/// Counts per table: rows, rejects by reason, superseded.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    rows: u64,
    rejected: BTreeMap<String, u64>,
    superseded: u64,
}

/// First failing check of a row, in the pipeline's order.
#[derive(Default)]
struct Check(Option<(u8, &'static str)>);

impl Check {
    fn fail(&mut self, order: u8, reason: &'static str) {
        if self.0.is_none_or(|(o, _)| order < o) {
            self.0 = Some((order, reason));
        }
    }
    fn number(&mut self, s: &str, lo: f64, hi: f64) {
        match s.trim().parse::<f64>() {
            Err(_) => self.fail(4, "bad_number"),
            Ok(x) if x < lo || x > hi => self.fail(5, "out_of_range"),
            Ok(_) => {}
        }
    }
    fn vocab(&mut self, s: &str, allowed: &[&str]) {
        if !allowed.contains(&s) {
            self.fail(4, "bad_value");
        }
    }
}

/// The key of a row, for duplicate detection.
type KeyFn<'a> = &'a dyn Fn(&[String]) -> String;

struct Reference {
    tallies: BTreeMap<String, Tally>,
    problems: Vec<String>,
}

fn validate_dir(dir: &Path) -> Reference {
    let mut out = Reference { tallies: BTreeMap::new(), problems: Vec::new() };
    let ids = |t: &Table, c: usize| -> BTreeSet<String> { t.1.iter().map(|r| r[c].clone()).collect() };
    let units = read_csv(&dir.join("units.csv"));
    let cadres = read_csv(&dir.join("cadres.csv"));
    let classes = read_csv(&dir.join("classes.csv"));
    let courses = read_csv(&dir.join("courses.csv"));
    let enroll = read_csv(&dir.join("enrollments.csv"));
    let items = read_csv(&dir.join("items.csv"));
    let unit_ids = ids(&units, 0);
    let cadre_ids = ids(&cadres, 0);
    let class_hours: BTreeMap<String, f64> =
        classes.1.iter().map(|r| (r[0].clone(), r[8].parse().unwrap_or(f64::NAN))).collect();
    let course_class: BTreeMap<String, String> = courses.1.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let class_teachers: BTreeSet<(String, String)> = courses.1.iter().map(|r| (r[1].clone(), r[3].clone())).collect();

    let tally = |rows: &[Vec<String>], check: &dyn Fn(&[String]) -> Check, key: Option<KeyFn>| {
        let mut t = Tally { rows: rows.len() as u64, ..Tally::default() };
        let mut seen = BTreeSet::new();
        for r in rows {
            match check(r).0 {
                Some((_, reason)) => *t.rejected.entry(reason.to_string()).or_default() += 1,
                None => {
                    if let Some(k) = key {
                        if !seen.insert(k(r)) {
                            *t.rejected.entry("duplicate_key".into()).or_default() += 1;
                        }
                    }
                }
            }
        }
        t
    };

    out.tallies.insert(
        "units".into(),
        tally(
            &units.1,
            &|r| {
                let mut c = Check::default();
                c.vocab(&r[2], &["party", "government", "enterprise", "institution", "township"]);
                c
            },
            Some(&|r| r[0].clone()),
        ),
    );
    let cats: Vec<&str> = domain::CATEGORIES.iter().map(|c| c.code).collect();
    out.tallies.insert(
        "cadres".into(),
        tally(
            &cadres.1,
            &|r| {
                let mut c = Check::default();
                if !unit_ids.contains(&r[6]) {
                    c.fail(1, "unknown_id");
                }
                for d in [&r[8], &r[9]] {
                    if !d.is_empty() && !valid_date(d) {
                        c.fail(3, "bad_date");
                    }
                }
                c.vocab(&r[2], &["male", "female"]);
                c.vocab(&r[4], &cats);
                c.vocab(&r[7], &["true", "false"]);
                c.number(&r[3], 1900.0, 2100.0);
                c
            },
            Some(&|r| r[0].clone()),
        ),
    );
    let methods: Vec<&str> = domain::Method::ALL.iter().map(|m| m.code()).collect();
    out.tallies.insert(
        "classes".into(),
        tally(
            &classes.1,
            &|r| {
                let mut c = Check::default();
                if !valid_date(&r[5]) || !valid_date(&r[6]) {
                    c.fail(3, "bad_date");
                } else if r[6] < r[5] {
                    c.fail(5, "out_of_range");
                }
                c.vocab(&r[2], &cats);
                c.vocab(&r[3], &methods);
                c.number(&r[7], 0.0, 366.0);
                c.number(&r[8], 0.0, 5000.0);
                c
            },
            Some(&|r| r[0].clone()),
        ),
    );
    out.tallies.insert(
        "courses".into(),
        tally(
            &courses.1,
            &|r| {
                let mut c = Check::default();
                if !class_hours.contains_key(&r[1]) {
                    c.fail(1, "unknown_id");
                }
                if r[3].is_empty() {
                    c.fail(0, "missing_value");
                }
                c.vocab(&r[4], &methods);
                c.number(&r[5], 0.0, 5000.0);
                c
            },
            Some(&|r| r[0].clone()),
        ),
    );
    out.tallies.insert(
        "enrollments".into(),
        tally(
            &enroll.1,
            &|r| {
                let mut c = Check::default();
                let hours = class_hours.get(&r[0]).copied();
                if hours.is_none() || !cadre_ids.contains(&r[1]) {
                    c.fail(1, "unknown_id");
                }
                c.number(&r[2], 0.0, hours.unwrap_or(f64::INFINITY));
                c.number(&r[3], 0.0, hours.unwrap_or(f64::INFINITY));
                c.number(&r[4], 0.0, 1e9);
                if !r[5].is_empty() {
                    c.number(&r[5], 0.0, 100.0);
                }
                c.vocab(&r[6], &["true", "false"]);
                c
            },
            Some(&|r| format!("{}|{}", r[0], r[1])),
        ),
    );
    out.tallies.insert("items".into(), tally(&items.1, &|_| Check::default(), Some(&|r| format!("{}|{}", r[0], r[2]))));

    // Enrollments that passed: the reference for surveys and ratings.
    let enrolled: BTreeSet<(String, String)> = enroll
        .1
        .iter()
        .filter(|r| class_hours.contains_key(&r[0]) && cadre_ids.contains(&r[1]))
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let member = |class: &str, cadre: &str| enrolled.contains(&(class.to_string(), cadre.to_string()));

    for wave in Wave::ALL {
        let t = read_csv(&dir.join(format!("{}.csv", wave.table())));
        let ranges: Vec<Option<(f64, f64)>> = t.0[4..]
            .iter()
            .map(|id| {
                let row = items.1.iter().find(|r| r[0] == *id && r[2] == wave.as_str());
                match row {
                    Some(r) if r[7] != "topics" => Some((r[4].parse().unwrap_or(0.0), r[5].parse().unwrap_or(0.0))),
                    Some(_) => None,
                    None => {
                        out.problems.push(format!("{}: column {id} is not an item of the wave", wave.table()));
                        None
                    }
                }
            })
            .collect();
        let check = |r: &[String]| {
            let mut c = Check::default();
            if !class_hours.contains_key(&r[0]) || !cadre_ids.contains(&r[1]) {
                c.fail(1, "unknown_id");
            } else if !member(&r[0], &r[1]) {
                c.fail(2, "not_enrolled");
            }
            if datetime(&r[2]).is_none() {
                c.fail(3, "bad_date");
            }
            for (v, range) in r[4..].iter().zip(&ranges) {
                if let (false, Some((lo, hi))) = (v.is_empty(), range) {
                    c.number(v, *lo, *hi);
                }
            }
            match r[3].parse::<f64>() {
                Err(_) => c.fail(4, "bad_number"),
                Ok(d) if d < 30.0 => c.fail(6, "speeder"),
                Ok(_) => {}
            }
            c
        };
        let mut tl = Tally { rows: t.1.len() as u64, ..Tally::default() };
        let mut latest: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut passed = 0u64;
        for r in &t.1 {
            match check(r).0 {
                Some((_, reason)) => *tl.rejected.entry(reason.to_string()).or_default() += 1,
                None => {
                    passed += 1;
                    *latest.entry((r[0].clone(), r[1].clone())).or_default() += 1;
                }
            }
        }
        tl.superseded = passed - latest.len() as u64;
        // The later submission must be the later stamp (the one kept).
        let mut best: BTreeMap<(String, String), (i64, usize)> = BTreeMap::new();
        for (i, r) in t.1.iter().enumerate() {
            if check(r).0.is_none() {
                let s = datetime(&r[2]).unwrap_or(0);
                let e = best.entry((r[0].clone(), r[1].clone())).or_insert((s, i));
                if s >= e.0 {
                    *e = (s, i);
                }
            }
        }
        for (_, i) in best.values() {
            if t.1[*i][3].parse::<f64>().unwrap_or(0.0) < 30.0 {
                out.problems.push(format!("{}: a kept submission is a speeder", wave.table()));
            }
        }
        out.tallies.insert(wave.table().to_string(), tl);
    }

    let cr = read_csv(&dir.join("course_ratings.csv"));
    out.tallies.insert(
        "course_ratings".into(),
        tally(
            &cr.1,
            &|r| {
                let mut c = Check::default();
                if !class_hours.contains_key(&r[0])
                    || course_class.get(&r[1]) != Some(&r[0])
                    || !cadre_ids.contains(&r[2])
                {
                    c.fail(1, "unknown_id");
                } else if !member(&r[0], &r[2]) {
                    c.fail(2, "not_enrolled");
                }
                for v in &r[3..8] {
                    c.number(v, 0.0, 20.0);
                }
                c
            },
            Some(&|r| r[..3].join("|")),
        ),
    );
    let tr = read_csv(&dir.join("trainee_ratings.csv"));
    out.tallies.insert(
        "trainee_ratings".into(),
        tally(
            &tr.1,
            &|r| {
                let mut c = Check::default();
                if !class_hours.contains_key(&r[0]) || !cadre_ids.contains(&r[1]) {
                    c.fail(1, "unknown_id");
                } else if !member(&r[0], &r[1]) {
                    c.fail(2, "not_enrolled");
                }
                match r[2].as_str() {
                    "class_manager" if r[3].starts_with('M') => {}
                    "teacher" if class_teachers.contains(&(r[0].clone(), r[3].clone())) => {}
                    "peer" if member(&r[0], &r[3]) && r[3] != r[1] => {}
                    "self" if r[3] == r[1] => {}
                    _ => c.fail(4, "bad_value"),
                }
                for v in &r[4..8] {
                    c.number(v, 0.0, 100.0);
                }
                c
            },
            Some(&|r| r[..4].join("|")),
        ),
    );
    let rv = read_csv(&dir.join("reviews.csv"));
    out.tallies.insert(
        "reviews".into(),
        tally(
            &rv.1,
            &|r| {
                let mut c = Check::default();
                if !cadre_ids.contains(&r[0]) {
                    c.fail(1, "unknown_id");
                }
                if !valid_date(&r[1]) {
                    c.fail(3, "bad_date");
                }
                for v in &r[3..8] {
                    c.number(v, 0.0, 100.0);
                }
                c.vocab(&r[8], &["excellent", "competent", "basically_competent", "incompetent"]);
                c
            },
            Some(&|r| r[..3].join("|")),
        ),
    );
    let uo = read_csv(&dir.join("unit_outcomes.csv"));
    out.tallies.insert(
        "unit_outcomes".into(),
        tally(
            &uo.1,
            &|r| {
                let mut c = Check::default();
                if !unit_ids.contains(&r[0]) {
                    c.fail(1, "unknown_id");
                }
                c.number(&r[3], f64::NEG_INFINITY, f64::INFINITY);
                c
            },
            Some(&|r| r[..3].join("|")),
        ),
    );
    out
}

fn expected_tallies(t: &serde_json::Value) -> BTreeMap<String, Tally> {
    let exp = t["expected"].as_object().unwrap_or_else(|| panic!("no expected"));
    exp.iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, e)| {
            let rejected = e["rejected"]
                .as_object()
                .map(|m| m.iter().map(|(r, n)| (r.clone(), n.as_u64().unwrap_or(0))).collect())
                .unwrap_or_default();
            (
                k.clone(),
                Tally {
                    rows: e["rows"].as_u64().unwrap_or(0),
                    rejected,
                    superseded: e["superseded"].as_u64().unwrap_or(0),
                },
            )
        })
        .collect()
}

// ---------------------------------------------------------------- tests

mod plants;
mod years;

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (tmp("det-a"), tmp("det-b"), tmp("det-c"));
    let sa = run(&a, 600, 11, 0.03, OutputFormat::Canonical);
    run(&b, 600, 11, 0.03, OutputFormat::Canonical);
    run(&c, 600, 12, 0.03, OutputFormat::Canonical);
    for f in &sa.files {
        let x = std::fs::read(a.join(&f.file)).unwrap_or_default();
        assert!(!x.is_empty(), "{}", f.file);
        assert_eq!(x, std::fs::read(b.join(&f.file)).unwrap_or_default(), "{} differs for the same seed", f.file);
    }
    for f in ["cadres.csv", "survey_pre.csv", "course_ratings.csv", "reviews.csv"] {
        assert_ne!(std::fs::read(a.join(f)).ok(), std::fs::read(c.join(f)).ok(), "{f} equal for different seeds");
    }
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn clean_set_breaks_no_rule() {
    let dir = tmp("clean");
    let s = run(&dir, 2000, 5, 0.0, OutputFormat::Canonical);
    let r = validate_dir(&dir);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    for (table, t) in &r.tallies {
        assert!(t.rejected.is_empty(), "{table}: {:?}", t.rejected);
        assert_eq!(t.superseded, 0, "{table}");
    }
    // Every file is listed with its rows; the truth agrees.
    let truth = truth(&dir);
    assert_eq!(expected_tallies(&truth), r.tallies);
    for f in &s.files {
        if f.table != "_truth" {
            assert_eq!(truth["expected"][&f.table]["accepted"].as_u64(), Some(f.rows), "{}", f.table);
        }
    }
    let counts = &truth["params"]["counts"];
    assert_eq!(counts["enrollments"].as_u64(), Some(r.tallies["enrollments"].rows));
    assert_eq!(counts["cadres"].as_u64(), Some(2000));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn clean_set_has_the_domain_shape() {
    let dir = tmp("shape");
    run(&dir, 2000, 8, 0.0, OutputFormat::Canonical);
    let classes = read_csv(&dir.join("classes.csv"));
    let courses = read_csv(&dir.join("courses.csv"));
    let enroll = read_csv(&dir.join("enrollments.csv"));
    let mut size: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &enroll.1 {
        *size.entry(r[0].as_str()).or_default() += 1;
        let (att, leave, hours): (f64, f64, f64) =
            (r[2].parse().unwrap_or(-1.0), r[3].parse().unwrap_or(-1.0), class_hours(&classes, &r[0]));
        assert!(att >= 0.0 && leave >= 0.0 && att + leave <= hours + 1e-9, "{r:?}");
        assert_eq!(r[6] == "true", leave <= hours / 7.0 && r[6] == "true", "withdrawn trainees never complete");
    }
    let mut n_courses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &courses.1 {
        *n_courses.entry(r[1].as_str()).or_default() += 1;
    }
    for r in &classes.1 {
        let n = size.get(r[0].as_str()).copied().unwrap_or(0);
        assert!(n <= plan::CLASS_SIZE.1 && n >= 1, "{}: {n} trainees", r[0]);
        let k = n_courses.get(r[0].as_str()).copied().unwrap_or(0);
        assert!((4..=12).contains(&k), "{}: {k} courses", r[0]);
        assert!(r[5].starts_with("2025-") && r[6].starts_with("2025-"));
    }
    let big = size.values().filter(|&&n| n >= plan::CLASS_SIZE.0).count();
    assert!(big * 10 >= size.len() * 7, "most classes have 30–60 trainees");
    let methods: BTreeSet<&str> = classes.1.iter().map(|r| r[3].as_str()).collect();
    assert!(methods.len() >= 8, "{methods:?}");
    // Names are distinctive and never reused as another value.
    let cadres = read_csv(&dir.join("cadres.csv"));
    assert!(cadres.1.iter().all(|r| (2..=3).contains(&r[1].chars().count())));
    let _ = std::fs::remove_dir_all(dir);
}

fn class_hours(classes: &Table, id: &str) -> f64 {
    classes.1.iter().find(|r| r[0] == id).and_then(|r| r[8].parse().ok()).unwrap_or(f64::NAN)
}

#[test]
fn dirty_counts_match_an_independent_validator() {
    let dir = tmp("dirty");
    run(&dir, 1500, 9, 0.02, OutputFormat::Canonical);
    let r = validate_dir(&dir);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let t = truth(&dir);
    let expected = expected_tallies(&t);
    assert_eq!(expected, r.tallies);
    // Every kind is planted at least once where it applies.
    let has = |table: &str, reason: &str| expected[table].rejected.get(reason).copied().unwrap_or(0) > 0;
    assert!(has("enrollments", "unknown_id"));
    for w in Wave::ALL {
        for reason in ["not_enrolled", "bad_date", "out_of_range", "speeder"] {
            assert!(has(w.table(), reason), "{} {reason}", w.table());
        }
        assert!(expected[w.table()].superseded > 0, "{}", w.table());
    }
    for reason in ["unknown_id", "out_of_range", "bad_number", "duplicate_key"] {
        assert!(has("course_ratings", reason), "{reason}");
    }
    assert!(has("trainee_ratings", "out_of_range") && has("trainee_ratings", "bad_number"));
    assert!(has("reviews", "bad_date") && has("reviews", "out_of_range"));
    assert!(has("unit_outcomes", "unknown_id"));
    for table in ["units", "cadres", "classes", "courses", "items"] {
        assert!(expected[table].rejected.is_empty(), "{table} must stay clean");
    }
    // Around the rate: course ratings get ≈ 4 kinds × 2 %.
    let cr = &expected["course_ratings"];
    let share = cr.rejected.values().sum::<u64>() as f64 / cr.rows as f64;
    assert!((0.05..0.11).contains(&share), "{share}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dirty_rows_leave_the_clean_rows_alone() {
    let (a, b) = (tmp("keep-a"), tmp("keep-b"));
    run(&a, 800, 3, 0.0, OutputFormat::Canonical);
    run(&b, 800, 3, 0.05, OutputFormat::Canonical);
    let (ta, tb) = (truth(&a), truth(&b));
    assert_eq!(ta["observed"], tb["observed"]);
    assert_eq!(ta["params"], tb["params"]);
    // The clean file is a subsequence of the dirty one.
    for f in ["enrollments.csv", "survey_post.csv", "course_ratings.csv", "reviews.csv"] {
        let (clean, dirty) = (read_csv(&a.join(f)).1, read_csv(&b.join(f)).1);
        let mut it = dirty.iter();
        assert!(clean.iter().all(|r| it.any(|d| d == r)), "{f}");
    }
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn planted_effects_are_recoverable() {
    let dir = tmp("effects");
    run(&dir, 6000, 21, 0.0, OutputFormat::Canonical);
    let t = truth(&dir);
    let o = &t["observed"];
    let gain = |m: &str| o["gain_by_method"][m]["mean"].as_f64().unwrap_or(f64::NAN);
    let n = |m: &str| o["gain_by_method"][m]["n"].as_f64().unwrap_or(0.0);
    let pooled = |ms: &[&str]| {
        let w: f64 = ms.iter().map(|m| n(m)).sum();
        ms.iter().map(|m| gain(m) * n(m)).sum::<f64>() / w
    };
    let active = pooled(&["case", "scenario", "role_play"]);
    let lecture = pooled(&["seminar", "centralized"]);
    let online = gain("online");
    assert!(active > lecture + 2.0 && lecture > online + 2.0, "{active} {lecture} {online}");
    let all = o["gain_all"]["mean"].as_f64().unwrap_or(f64::NAN);
    assert!((5.0..15.0).contains(&all), "{all}");
    let infl = o["self_inflation"].as_f64().unwrap_or(f64::NAN);
    assert!((infl - 8.0).abs() < 1.0, "self inflation {infl}");
    // Attrition: the planted 8 % of trainees and of controls, no differential.
    let f = |k: &str| o[k].as_f64().unwrap_or(f64::NAN);
    let planted = t["params"]["model"]["attrition_trained"].as_f64().unwrap_or(f64::NAN);
    assert_eq!(planted, model::MODEL.attrition_untrained, "equal attrition in the default");
    assert!((f("attrition") - planted).abs() < 0.02, "attrition {}", f("attrition"));
    assert!((f("attrition_control") - planted).abs() < 0.02, "control attrition {}", f("attrition_control"));
    assert!(f("attrition_differential").abs() < 0.03, "differential {}", f("attrition_differential"));
    // Who is trained does not depend on the review level: equivalent baseline.
    assert!(f("baseline_g").abs() < 0.06, "baseline g {}", f("baseline_g"));
    // Transfer: trained delta minus the untrained drift over the same horizon mix.
    let trained = o["transfer_trained_delta"]["mean"].as_f64().unwrap_or(f64::NAN);
    let c1 = o["transfer_control_delta_1y"]["mean"].as_f64().unwrap_or(f64::NAN);
    let c2 = o["transfer_control_delta_2y"]["mean"].as_f64().unwrap_or(f64::NAN);
    assert!((c1 - 1.0).abs() < 0.3 && (c2 - 2.0).abs() < 0.3, "{c1} {c2}");
    assert!(trained - c2 > 2.5 && trained - c1 < 6.0, "trained {trained}");
    // Event study: flat before the class, the transfer effect from period 0 on, every
    // period observed for nearly every followed enrollment.
    let followed = o["attrition_followed"].as_u64().unwrap_or(0);
    let es = o["event_study"].as_array().unwrap_or_else(|| panic!("no event study"));
    let rels: Vec<i64> = es.iter().map(|e| e["rel_period"].as_i64().unwrap_or(99)).collect();
    assert_eq!(rels, vec![-3, -2, -1, 0, 1, 2]);
    for e in es {
        let (rel, est) = (e["rel_period"].as_i64().unwrap_or(99), e["estimate"].as_f64().unwrap_or(f64::NAN));
        let want = if rel < 0 { 0.0 } else { model::MODEL.transfer_effect };
        assert!((est - want).abs() < 0.35, "period {rel}: {est} vs {want}");
        assert_eq!(e["n_trained"].as_u64(), Some(followed), "period {rel} observed for every followed enrollment");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn platform_format_writes_wjx_files() {
    let dir = tmp("platform");
    let s = run(&dir, 700, 4, 0.02, OutputFormat::Platform);
    let files: BTreeSet<&str> = s.files.iter().map(|f| f.file.as_str()).collect();
    for f in
        ["cadres.xlsx", "survey_needs.xlsx", "survey_pre.csv", "survey_post.csv", "survey_follow_3m.csv", "units.csv"]
    {
        assert!(files.contains(f), "{f} missing: {files:?}");
    }
    assert!(!files.contains("cadres.csv") && !files.contains("survey_needs.csv"));
    let bytes = std::fs::read(dir.join("survey_pre.csv")).unwrap_or_default();
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK, not UTF-8");
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad);
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您的班次编号：,2、您的学员编号：,3、"),
        "{first}"
    );
    let second = text.lines().nth(1).unwrap_or("");
    assert!(second.contains("秒,") && second.contains(",10."), "{second}");
    assert!(text.contains("(跳过)") || text.contains(",-3"), "skips written as sentinels");
    let t = truth(&dir);
    assert_eq!(t["expected"]["cadres"]["file"], "cadres.xlsx");
    assert_eq!(t["expected"]["survey_needs"]["file"], "survey_needs.xlsx");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn options_are_checked() {
    let d = tmp("opts");
    for o in [
        GenerateOptions { cadres: 0, ..GenerateOptions::new(&d, 1, 1) },
        GenerateOptions { dirty: 0.9, ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { dirty: -0.1, ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { enrollments_per_cadre: Some(0.0), ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { enrollments_per_cadre: Some(3.5), ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { enrollments_per_cadre: Some(f64::NAN), ..GenerateOptions::new(&d, 10, 1) },
    ] {
        assert!(matches!(generate(&o), Err(GenerateError::Options(_))));
    }
}

#[test]
fn io_errors_name_the_path() {
    let d = tmp("io");
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    let blocker = d.join("file");
    std::fs::write(&blocker, b"x").unwrap_or_else(|e| panic!("{e}"));
    let err =
        generate(&GenerateOptions::new(blocker.join("out"), 10, 1)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("file"), "{err}");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn tiny_sets_still_work() {
    for n in [1, 7, 40] {
        let d = tmp(&format!("tiny{n}"));
        run(&d, n, 1, 0.1, OutputFormat::Canonical);
        let r = validate_dir(&d);
        assert_eq!(expected_tallies(&truth(&d)), r.tallies, "n = {n}");
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_denser_year_keeps_the_rules() {
    let dir = tmp("dense");
    let opts = GenerateOptions { enrollments_per_cadre: Some(1.2), ..GenerateOptions::new(&dir, 3000, 4) };
    generate(&opts).unwrap_or_else(|e| panic!("{e}"));
    let r = validate_dir(&dir);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.tallies.values().all(|t| t.rejected.is_empty() && t.superseded == 0));
    let classes = read_csv(&dir.join("classes.csv"));
    let span: BTreeMap<&str, (&str, &str)> =
        classes.1.iter().map(|r| (r[0].as_str(), (r[5].as_str(), r[6].as_str()))).collect();
    let enroll = read_csv(&dir.join("enrollments.csv"));
    let per_cadre = enroll.1.len() as f64 / 3000.0;
    assert!((1.1..=1.3).contains(&per_cadre), "{per_cadre} enrollments per cadre");
    let mut of: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for e in &enroll.1 {
        of.entry(e[1].as_str()).or_default().push(span[e[0].as_str()]);
    }
    // Some cadres are untrained in the year (the controls), many are in two or more
    // classes, and one cadre's classes never overlap (ISO dates compare as strings).
    assert!(of.len() <= 2700, "{} of 3000 cadres trained", of.len());
    assert!(of.values().filter(|v| v.len() >= 2).count() >= 1000);
    for (cadre, spans) in &mut of {
        spans.sort();
        assert!(spans.windows(2).all(|w| w[0].1 < w[1].0), "{cadre}: {spans:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The generator keeps its own names (it writes what a survey platform exports, and its
/// domain tables carry shares and effects beside each code), so this test is what ties
/// them to the schema the pipeline validates against.
#[test]
fn the_generator_speaks_the_schemas_vocabulary() {
    use crate::schema;
    let methods: Vec<&str> = Method::ALL.iter().map(|m| m.code()).collect();
    assert_eq!(methods, schema::METHODS);
    let categories: Vec<&str> = domain::CATEGORIES.iter().map(|c| c.code).collect();
    assert_eq!(categories, schema::CATEGORIES);
    let kinds: Vec<&str> = domain::UnitKind::SHARES.iter().map(|(k, _)| k.code()).collect();
    assert_eq!(kinds, schema::UNIT_KINDS);
    assert_eq!(domain::REVIEW_DIMENSIONS.as_slice(), schema::REVIEW_DIMENSIONS);
    let grades: BTreeSet<&str> = (0..=100).map(|s| domain::grade_of(f64::from(s))).collect();
    assert_eq!(grades, schema::GRADES.iter().copied().collect());
    // The generator's waves are the schema's; their input tables are the schema's too.
    for w in schema::Wave::ALL {
        assert_eq!(survey::WaveDesign::table(w), schema::TableKind::Survey(w).name());
    }
    // Every file a set holds is an input table, and the rater roles written are the schema's.
    let dir = tmp("vocabulary");
    run(&dir, 60, 3, 0.0, OutputFormat::Canonical);
    let inputs = schema::TableKind::input_names();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".csv") {
            assert!(inputs.iter().any(|t| t == stem), "{name} is not an input table");
        }
    }
    let ratings = read_csv(&dir.join("trainee_ratings.csv"));
    let role = ratings.0.iter().position(|h| h == schema::col::RATER_ROLE).unwrap_or(usize::MAX);
    let roles: BTreeSet<&str> = ratings.1.iter().map(|r| r[role].as_str()).collect();
    assert_eq!(roles, schema::RATER_ROLES.iter().copied().collect());
    let _ = std::fs::remove_dir_all(dir);
}
