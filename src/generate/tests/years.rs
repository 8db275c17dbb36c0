//! Sets of several years (`--years`): one year's files unchanged, determinism, the
//! careers of the same cadres, the planted year-over-year changes, dirty counts.

use super::*;
use crate::generate::model::MODEL;

/// The files of `--cadres 200 --seed 21 --dirty 0.02` (one year, 2025) as the
/// generator wrote them before sets of several years existed: adding them must not
/// change a byte of a one-year set.
const ONE_YEAR_SHA256: &[(&str, &str)] = &[
    ("_truth.json", "e99286a04c0bdd938481a661eddc936563f979898494633c05579ac9ff9bbb39"),
    ("cadres.csv", "4ba5a9b63f6e8c38338f0d1fe4fb941bd9f9f3288104666afdba7cc22f5bc166"),
    ("classes.csv", "4ae671165f340c984d6eb9d9b0fe4b9d029251680f7975972187fea97e5742a9"),
    ("course_ratings.csv", "0bafaad2f64c88a0bae9458174e9992bf522be82ef657fc21fd16ea68514100d"),
    ("courses.csv", "ae0b048a84e0dd3f3fa56054e53d28ad0c989f039b460c8ca3e4d7efab56288c"),
    ("enrollments.csv", "583a740a66af5ad2ddacaecf558336bd31872cdb5c3f4334632d2d26d532871e"),
    ("items.csv", "b941ee7cc2d558408744f3c78f477362e768fd671d6657030d9651776e0f4b0f"),
    ("reviews.csv", "69e44896ce6f571a72fc041e9e148e567b8a9fb8a2cd7462e15d6fafbf228414"),
    ("survey_follow_12m.csv", "32cf9df5cdb8ca32437106abc241c848766b65f480bd661e541e5df2a89e1312"),
    ("survey_follow_3m.csv", "9477977f10ed6666bdbb6f03037055ab6ce460e9ade86d8745226da0712f9553"),
    ("survey_follow_6m.csv", "3b9838f637853d27182363cf3b8ddf6f3adec74f8139fdef46485cbecbad20ec"),
    ("survey_needs.csv", "5f5200e9895e20d76a967fd491a4bba1a09e4eafaa59e70c571beffe3fd4e369"),
    ("survey_post.csv", "29615d41ad063836d75fd98cacfc4fd2375981e3726e051d79f663cb5a26ba57"),
    ("survey_pre.csv", "fbbbf888b5aec0f33af22bbd4d818edcbfc87cbe69316bdc543050a1b68cb8db"),
    ("trainee_ratings.csv", "524c0dd5a5c5e75437140bde961b6e9d538e427d2d766aed2dba9ff09494e11e"),
    ("unit_outcomes.csv", "8f60b67b840dd93344a37aee1df7921d233af1d3ebaffca6b7f0db9ac836bccd"),
    ("units.csv", "f638eae7603236f22cfe00d49048e1e477704fab6e628a81848ad28ef424c86d"),
];

fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))))
}

fn years(dir: &Path, cadres: usize, seed: u64, first: i32, last: i32, dirty: f64) -> GenerateSummary {
    let opts =
        GenerateOptions { dirty, year: last, first_year: Some(first), ..GenerateOptions::new(dir, cadres, seed) };
    generate(&opts).unwrap_or_else(|e| panic!("generate failed: {e}"))
}

#[test]
fn one_year_sets_keep_their_bytes() {
    let (a, b) = (tmp("one-year-a"), tmp("one-year-b"));
    run(&a, 200, 21, 0.02, OutputFormat::Canonical);
    for (file, hash) in ONE_YEAR_SHA256 {
        assert_eq!(sha256(&a.join(file)), *hash, "{file} changed for a one-year set");
    }
    // `--years 2025-2025` is the one-year set.
    years(&b, 200, 21, 2025, 2025, 0.02);
    for (file, hash) in ONE_YEAR_SHA256 {
        assert_eq!(sha256(&b.join(file)), *hash, "{file}: --years Y-Y differs from --year Y");
    }
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn several_years_same_seed_same_bytes_in_both_formats() {
    for format in [OutputFormat::Canonical, OutputFormat::Platform] {
        let (a, b) = (tmp("years-det-a"), tmp("years-det-b"));
        for d in [&a, &b] {
            let opts = GenerateOptions {
                dirty: 0.01,
                format,
                year: 2024,
                first_year: Some(2022),
                ..GenerateOptions::new(d, 400, 8)
            };
            generate(&opts).unwrap_or_else(|e| panic!("{e}"));
        }
        let sa = std::fs::read_dir(&a).unwrap().count();
        assert!(sa >= 17, "{sa} files");
        for e in std::fs::read_dir(&a).unwrap().flatten() {
            let f = e.file_name();
            assert_eq!(sha256(&a.join(&f)), sha256(&b.join(&f)), "{f:?} differs for the same seed ({format:?})");
        }
        for d in [a, b] {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

#[test]
fn several_years_hold_the_same_cadres_with_careers() {
    let dir = tmp("years-careers");
    years(&dir, 1500, 4, 2021, 2025, 0.0);
    let r = validate_dir(&dir);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let classes = read_csv(&dir.join("classes.csv"));
    let cadres = read_csv(&dir.join("cadres.csv"));
    let enrollments = read_csv(&dir.join("enrollments.csv"));
    assert_eq!(cadres.1.len(), 1500, "one row per cadre, whatever the years");
    // Classes in every year, ids carrying their year, titles their year.
    let year_of: BTreeMap<String, i32> =
        classes.1.iter().map(|r| (r[0].clone(), r[5][..4].parse::<i32>().unwrap_or(0))).collect();
    for y in 2021..=2025 {
        let n = year_of.values().filter(|&&v| v == y).count();
        assert!(n >= 10, "{n} classes in {y}");
    }
    for r in &classes.1 {
        assert!(r[0].starts_with(&format!("K{}", &r[5][..4])) && r[1].starts_with(&r[5][..4]), "{r:?}");
    }
    // Most cadres trained in several years; the class's target category is the cadre's
    // category of that year, so a promoted cadre's classes change category.
    let t = truth(&dir);
    let careers = &t["careers"];
    let examples = careers["examples_promoted_with_repeated_topic"].as_array().unwrap();
    assert!(!examples.is_empty(), "{careers}");
    assert!(careers["category_changed_cadres"].as_u64().unwrap() > 20, "{careers}");
    assert!(careers["never_trained"].as_u64().unwrap() > 0);
    let target: BTreeMap<String, String> = classes.1.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
    let start: BTreeMap<String, String> = classes.1.iter().map(|r| (r[0].clone(), r[5].clone())).collect();
    for change in careers["example_changes"].as_array().unwrap() {
        let id = change["cadre_id"].as_str().unwrap();
        let date = change["date"].as_str().unwrap();
        let (from, to) = (change["from_category"].as_str().unwrap(), change["to_category"].as_str().unwrap());
        for e in enrollments.1.iter().filter(|e| e[1] == id) {
            let cat = &target[&e[0]];
            if start[&e[0]].as_str() < date {
                assert_ne!(cat, to, "{id}: a class before the promotion of {date} is for {cat}");
            } else {
                assert_ne!(cat, from, "{id}: a class after the promotion of {date} is for {cat}");
            }
        }
        // The latest promotion is the cadre's promoted_on.
        let row = cadres.1.iter().find(|r| r[0] == id).unwrap();
        assert!(row[9].as_str() >= date, "{id}: promoted_on {} before {date}", row[9]);
    }
    // Per year: counts add up to the files.
    let years = t["years"].as_array().unwrap();
    assert_eq!(years.len(), 5);
    let total: u64 = years.iter().map(|y| y["counts"]["enrollments"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, enrollments.1.len());
    let promotions: u64 = years.iter().map(|y| y["counts"]["promotions"].as_u64().unwrap()).sum();
    assert!(promotions > 0 && years[0]["counts"]["promotions"] == 0, "promotions from the second year on");
    assert!(years[1]["counts"]["repeated_topic_cadres"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_years_plant_the_year_over_year_changes() {
    let dir = tmp("years-trend");
    years(&dir, 3000, 6, 2021, 2024, 0.0);
    let t = truth(&dir);
    let years = t["years"].as_array().unwrap();
    let f = |y: &serde_json::Value, path: &[&str]| path.iter().fold(y, |v, k| &v[*k]).as_f64().unwrap();
    let p = model::PERIODS;
    for (k, y) in years.iter().enumerate() {
        let k = k as f64;
        assert_eq!(f(y, &["planted", "base_gain"]), MODEL.base_gain + p.gain_per_year * k);
        assert_eq!(f(y, &["planted", "course_rating_total_shift"]), 5.0 * p.reaction_per_year * k);
        assert_eq!(f(y, &["planted", "transfer_effect"]), MODEL.transfer_effect + p.transfer_per_year * k);
    }
    // Realised: the course-rating total rises by about 2.5 points a year (rounding and the
    // 0–20 clamp take a little), the mean gain rises year on year.
    let rating: Vec<f64> = years.iter().map(|y| f(y, &["observed", "course_rating_total", "mean"])).collect();
    for w in rating.windows(2) {
        let step = w[1] - w[0];
        assert!((1.5..3.5).contains(&step), "course-rating total step {step}: {rating:?}");
    }
    let gain: Vec<f64> = years.iter().map(|y| f(y, &["observed", "gain_all", "mean"])).collect();
    assert!(gain[3] - gain[0] > 2.0, "gain by year {gain:?}");
    // The first-class cohort of the first year carries the planted effect (plus a year of
    // drift); the top-level `observed` is the last year's.
    let first = f(&years[0], &["observed", "transfer_first_class_delta", "mean"]);
    let planted = MODEL.transfer_effect + MODEL.review_drift_per_year;
    assert!((first - planted).abs() < 1.0, "{first} vs {planted}");
    assert_eq!(t["observed"]["gain_all"], years[3]["observed"]["gain_all"]);
    assert_eq!(t["params"]["first_year"], 2021);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_years_dirty_counts_match_an_independent_validator() {
    let dir = tmp("years-dirty");
    years(&dir, 600, 12, 2022, 2024, 0.02);
    let r = validate_dir(&dir);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(expected_tallies(&truth(&dir)), r.tallies);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn several_years_options_are_checked() {
    let d = tmp("years-opts");
    let bad = [
        GenerateOptions { year: 2021, first_year: Some(2025), ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { year: 2040, first_year: Some(2000), ..GenerateOptions::new(&d, 10, 1) },
        GenerateOptions { first_year: Some(2023), plants: vec![Plant::Pretrend], ..GenerateOptions::new(&d, 10, 1) },
    ];
    for o in bad {
        assert!(matches!(generate(&o), Err(GenerateError::Options(_))), "{o:?}");
    }
    let _ = std::fs::remove_dir_all(d);
}
