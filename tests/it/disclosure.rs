//! Disclosure control, attacked as a curious reader would: subtract every published
//! member row from every published margin and see what is left.
//!
//! Each case generates a year, builds it, and computes the indicators twice: with the
//! threshold under test (what is published) and with `min_cell = 1` (the truth the
//! reader does not have). For every published margin — a method's, a category's and
//! the year's learning row, a method's summary, a category's needs row, a class's
//! reaction row — the attack takes the margin's n and sums (n × mean) and subtracts the
//! published members'. What is left must belong to no one, or to at least two withheld
//! members with at least `min_cell` people together: never one withheld class, never a
//! group smaller than the threshold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::common::{tmp, traineval};

/// One indicator table of `out` with the columns the attack reads.
fn indicator(out: &Path, name: &str) -> DataFrame {
    let f = std::fs::File::open(out.join("indicators").join(format!("{name}.parquet"))).unwrap();
    ParquetReader::new(f).finish().unwrap()
}

fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

fn nums(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

fn withheld(df: &DataFrame) -> Vec<bool> {
    df.column("suppressed").unwrap().bool().unwrap().iter().map(|s| s == Some(true)).collect()
}

/// A pipeline over the generated directory with `min_cell`.
fn pipeline(dir: &Path, input: &Path, min_cell: usize) -> PathBuf {
    let mut s = String::from("period = \"2025\"\n");
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "xlsx")))
        .collect();
    files.sort();
    for f in files {
        let stem = f.file_stem().unwrap().to_str().unwrap();
        s += &format!("[inputs.{stem}]\npath = {:?}\n", f.to_str().unwrap());
    }
    s += &format!("[indicators]\nmin_cell = {min_cell}\n[report]\nmin_distribution_n = {}\n", min_cell.max(10));
    let p = dir.join(format!("pipeline-{min_cell}.toml"));
    std::fs::write(&p, s).unwrap();
    p
}

/// Generate, build, and compute the indicators published at `min_cell` and the truth.
fn year(dir: &Path, cadres: usize, seed: u64, min_cell: usize) -> (PathBuf, PathBuf) {
    let input = dir.join("in");
    let (n, s) = (cadres.to_string(), seed.to_string());
    let run = traineval(&["generate", "--out", input.to_str().unwrap(), "--cadres", &n, "--seed", &s, "-q"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut outs = Vec::new();
    for m in [min_cell, 1] {
        let p = pipeline(dir, &input, m);
        let out = dir.join(format!("out-{m}"));
        for stage in ["build", "indicators"] {
            let run = traineval(&[stage, p.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"], &[]);
            assert!(run.code <= 1, "{stage}: {}", run.stderr);
        }
        outs.push(out);
    }
    (outs.remove(0), outs.remove(0))
}

/// A published margin: its n and the sums of its statistics, and its member rows.
struct Margin {
    name: String,
    n: f64,
    sums: Vec<f64>,
    members: Vec<usize>,
}

/// The attack on one family: margins over member rows; `count` and `means` name the
/// columns of both tables (the count and the means whose n-weighted sums add up).
struct Family<'a> {
    what: &'a str,
    members: &'a DataFrame,
    truth: &'a DataFrame,
    count: &'a str,
    means: &'a [&'a str],
}

impl Family<'_> {
    /// Subtract the published members from every margin; what is left must be nobody or
    /// a group of ≥ 2 withheld members with ≥ `min_cell` people. Returns the number of
    /// margins that had withheld members (so a case can show it attacked something).
    fn attack(&self, margins: &[Margin], min_cell: usize) -> usize {
        let hidden = withheld(self.members);
        let n_pub = nums(self.members, self.count);
        let n_true = nums(self.truth, self.count);
        let mean_pub: Vec<Vec<Option<f64>>> = self.means.iter().map(|c| nums(self.members, c)).collect();
        let mut attacked = 0;
        for m in margins {
            let (mut n_left, mut sums_left) = (m.n, m.sums.clone());
            let mut withheld_people = Vec::new();
            for &k in &m.members {
                if hidden[k] {
                    let people = n_true[k].unwrap_or(0.0);
                    if people > 0.0 {
                        withheld_people.push(people);
                    }
                    continue;
                }
                let n = n_pub[k].unwrap_or(0.0);
                n_left -= n;
                for (s, col) in sums_left.iter_mut().zip(&mean_pub) {
                    *s -= n * col[k].unwrap_or(0.0);
                }
            }
            let hidden_total: f64 = withheld_people.iter().sum();
            let what = format!("{} {}", self.what, m.name);
            // The attack's arithmetic is exact: what is left is the withheld members.
            assert!((n_left - hidden_total).abs() < 1e-6, "{what}: left {n_left}, withheld {hidden_total}");
            if withheld_people.is_empty() {
                continue;
            }
            attacked += 1;
            assert!(
                withheld_people.len() >= 2 && hidden_total >= min_cell as f64,
                "{what}: subtraction isolates {withheld_people:?} (sums left {sums_left:?})"
            );
        }
        attacked
    }
}

/// The published margins of `table` keyed by `key`, members matched by `member_key` of
/// the member table (`None`: every member row belongs to the one margin row).
fn margins(
    table: &DataFrame,
    key: Option<&str>,
    members: &DataFrame,
    member_key: Option<&str>,
    count: &str,
    means: &[&str],
) -> Vec<Margin> {
    let hidden = withheld(table);
    let keys = key.map(|k| strs(table, k));
    let member_keys = member_key.map(|k| strs(members, k));
    let n = nums(table, count);
    let cols: Vec<Vec<Option<f64>>> = means.iter().map(|c| nums(table, c)).collect();
    (0..table.height())
        .filter(|&i| !hidden[i])
        .map(|i| {
            let name = keys.as_ref().and_then(|k| k[i].clone()).unwrap_or_else(|| "all".into());
            let rows = (0..members.height())
                .filter(|&k| match (&keys, &member_keys) {
                    (Some(a), Some(b)) => a[i].is_some() && a[i] == b[k],
                    _ => true,
                })
                .collect();
            let total = n[i].unwrap_or(0.0);
            Margin { name, n: total, sums: cols.iter().map(|c| total * c[i].unwrap_or(0.0)).collect(), members: rows }
        })
        .collect()
}

/// Every margin of one published year; the number of margins with withheld members.
fn attack_year(published: &Path, truth: &Path, min_cell: usize) -> usize {
    let t = |name: &str| (indicator(published, name), indicator(truth, name));
    let mut attacked = 0;

    // Learning: classes under their method, and under the year; the methods and the
    // categories under the year (one year here, so each partitions it).
    let (by_class, by_class_truth) = t("learning_by_class");
    let means = ["pre_mean", "post_mean", "mean_diff"];
    let learning =
        Family { what: "learning", members: &by_class, truth: &by_class_truth, count: "n_pairs", means: &means };
    let by_method = indicator(published, "learning_by_method");
    let by_year = indicator(published, "learning_by_year");
    attacked +=
        learning.attack(&margins(&by_method, Some("method"), &by_class, Some("method"), "n_pairs", &means), min_cell);
    attacked += learning.attack(&margins(&by_year, None, &by_class, None, "n_pairs", &means), min_cell);
    let (_, by_method_truth) = t("learning_by_method");
    let methods = Family {
        what: "learning by method",
        members: &by_method,
        truth: &by_method_truth,
        count: "n_pairs",
        means: &means,
    };
    attacked += methods.attack(&margins(&by_year, None, &by_method, None, "n_pairs", &means), min_cell);
    let (by_category, by_category_truth) = t("learning_by_category");
    let categories = Family {
        what: "learning by category",
        members: &by_category,
        truth: &by_category_truth,
        count: "n_pairs",
        means: &means,
    };
    attacked += categories.attack(&margins(&by_year, None, &by_category, None, "n_pairs", &means), min_cell);

    // The method summary pools the same pairs as the method's learning row.
    let summary = indicator(published, "method_summary");
    let gains = ["mean_diff"];
    let learning_gain =
        Family { what: "method_summary", members: &by_class, truth: &by_class_truth, count: "n_pairs", means: &gains };
    let mut pooled = margins(&summary, Some("method"), &by_class, Some("method"), "n_trainees", &["mean_gain"]);
    for m in &mut pooled {
        m.sums = vec![m.sums[0]];
    }
    attacked += learning_gain.attack(&pooled, min_cell);

    // Needs: classes under their target category (counts of respondents add up).
    let (needs, needs_truth) = t("needs_match");
    let by_target = indicator(published, "needs_by_category");
    let classes = indicator(published, "learning_by_class");
    let target_of: BTreeMap<String, String> = strs(&classes, "class_id")
        .into_iter()
        .zip(strs(&classes, "target_category"))
        .filter_map(|(c, t)| Some((c?, t?)))
        .collect();
    let with_target = |df: &DataFrame| {
        let t: Vec<Option<String>> =
            strs(df, "class_id").iter().map(|c| c.as_ref().and_then(|c| target_of.get(c)).cloned()).collect();
        let mut df = df.clone();
        df.with_column(Column::new("target_category".into(), t)).unwrap();
        df
    };
    let (needs, needs_truth) = (with_target(&needs), with_target(&needs_truth));
    let family = Family { what: "needs", members: &needs, truth: &needs_truth, count: "n_respondents", means: &[] };
    attacked += family.attack(
        &margins(&by_target, Some("target_category"), &needs, Some("target_category"), "n_respondents", &[]),
        min_cell,
    );

    // Reaction: the courses of each published class. The class row is not an n-weighted
    // sum of its courses, so only who is left is checked, not the arithmetic of means.
    let (courses, courses_truth) = t("reaction_by_course");
    let by_class_r = indicator(published, "reaction_by_class");
    let hidden_class = withheld(&by_class_r);
    let course_class = strs(&courses, "class_id");
    let hidden_course = withheld(&courses);
    let course_n = nums(&courses_truth, "n_raters");
    for (i, class) in strs(&by_class_r, "class_id").into_iter().enumerate() {
        if hidden_class[i] {
            continue;
        }
        let people: Vec<f64> = (0..courses.height())
            .filter(|&k| course_class[k] == class && hidden_course[k])
            .filter_map(|k| course_n[k].filter(|n| *n > 0.0))
            .collect();
        if !people.is_empty() {
            attacked += 1;
            let total: f64 = people.iter().sum();
            assert!(people.len() >= 2 && total >= min_cell as f64, "reaction {class:?}: courses {people:?}");
        }
    }
    attacked
}

#[test]
fn subtracting_published_members_from_margins_recovers_nobody() {
    // (cadres, seed, min_cell): a year of tiny classes; a small office's year and a
    // province's year where many classes are "tiny" against a high threshold; an
    // ordinary year.
    let cases = [(60, 3, 5), (300, 5, 14), (2000, 11, 40), (2000, 4, 5)];
    let mut attacked = Vec::new();
    for (cadres, seed, min_cell) in cases {
        let dir = tmp();
        let (published, truth) = year(dir.path(), cadres, seed, min_cell);
        attacked.push(attack_year(&published, &truth, min_cell));
    }
    // The attack had something to attack in the years with small classes.
    assert!(attacked[..3].iter().all(|&a| a > 0), "margins with withheld members: {attacked:?}");
}
