//! Test fixtures: the CSV data sets of `tests/data/r/` (the inputs of the R
//! reference scripts there) read into designs, and the comparison helpers
//! the reference tests share. Test-only.

/// `|got − want| ≤ rel·max(|want|, 1e-300)` (or ≤ rel when want = 0).
#[track_caller]
pub(crate) fn close(got: f64, want: f64, rel: f64) {
    let tol = if want == 0.0 { rel } else { rel * want.abs() };
    assert!((got - want).abs() <= tol, "got {got:e}, want {want:e} (rel {rel})");
}

/// p-values: 1e-6 absolute and 1e-8 relative.
#[track_caller]
pub(crate) fn close_p(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-6, "got p {got}, want {want}");
    close(got, want, 1e-8);
}

/// Each element of `got` [`close`] to `want`.
#[track_caller]
pub(crate) fn close_all(got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "lengths");
    for (g, w) in got.iter().zip(want) {
        close(*g, *w, rel);
    }
}

pub(crate) const BALANCED: &str = include_str!("../../tests/data/r/balanced.csv");
pub(crate) const TWO_CLASSES: &str = include_str!("../../tests/data/r/two_classes.csv");
pub(crate) const UNBALANCED: &str = include_str!("../../tests/data/r/unbalanced.csv");
pub(crate) const ORACLE_ANCOVA: &str = include_str!("../../tests/data/oracles/ancova.csv");
const EVENT: &str = include_str!("../../tests/data/r/event.csv");
pub(crate) const RATERS: &str = include_str!("../../tests/data/r/raters.csv");
pub(crate) const ITEMS: &str = include_str!("../../tests/data/r/items.csv");

/// Rows of a CSV without quoting: the header and the fields of every line.
fn table(csv: &str) -> (Vec<&str>, Vec<Vec<&str>>) {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().expect("header").trim().split(',').collect();
    let rows = lines.map(|l| l.trim().split(',').collect()).collect();
    (header, rows)
}

/// A numeric matrix CSV (raters.csv, items.csv) as rows.
pub(crate) fn matrix(csv: &str) -> Vec<Vec<f64>> {
    table(csv).1.iter().map(|r| r.iter().map(|v| v.parse().expect("number")).collect()).collect()
}

/// One trainee of a class data set.
#[derive(Debug, Clone)]
pub(crate) struct Trainee {
    pub class: String,
    pub method: String,
    pub category: String,
    pub pre: f64,
    pub post: f64,
}

/// The trainees of `balanced.csv`, `two_classes.csv`, `unbalanced.csv` or
/// the oracle `ancova.csv` (no category column: every trainee in "A").
pub(crate) fn trainees(csv: &str) -> Vec<Trainee> {
    let (header, rows) = table(csv);
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (c, m, pre, post) = (
        col("class_id").expect("class_id"),
        col("method").expect("method"),
        col("pre").expect("pre"),
        col("post").expect("post"),
    );
    let cat = col("category");
    rows.iter()
        .map(|r| Trainee {
            class: r[c].to_string(),
            method: r[m].to_string(),
            category: cat.map_or("A".to_string(), |i| r[i].to_string()),
            pre: r[pre].parse().expect("pre"),
            post: r[post].parse().expect("post"),
        })
        .collect()
}

/// Method levels as R's `factor` gets them in the scripts: `centralized`
/// first (the reference), then alphabetical.
pub(crate) fn method_levels(ts: &[Trainee]) -> Vec<String> {
    let mut lv: Vec<String> = ts.iter().map(|t| t.method.clone()).collect();
    lv.sort();
    lv.dedup();
    lv.sort_by_key(|m| m != "centralized");
    lv
}

/// One class: its method, mean pre and post, size and share of category B.
#[derive(Debug, Clone)]
pub(crate) struct ClassMean {
    pub method: String,
    pub pre: f64,
    pub post: f64,
    pub size: f64,
    pub share_b: f64,
}

/// Class means in class-id order (R `aggregate` then `order(class_id)`).
pub(crate) fn class_means(ts: &[Trainee]) -> Vec<ClassMean> {
    let mut ids: Vec<&str> = ts.iter().map(|t| t.class.as_str()).collect();
    ids.sort();
    ids.dedup();
    ids.iter()
        .map(|id| {
            let members: Vec<&Trainee> = ts.iter().filter(|t| t.class == *id).collect();
            let pre: Vec<f64> = members.iter().map(|t| t.pre).collect();
            let post: Vec<f64> = members.iter().map(|t| t.post).collect();
            let b = members.iter().filter(|t| t.category == "B").count();
            ClassMean {
                method: members[0].method.clone(),
                pre: super::mean(&pre).expect("members"),
                post: super::mean(&post).expect("members"),
                size: members.len() as f64,
                share_b: b as f64 / members.len() as f64,
            }
        })
        .collect()
}

/// The class ANCOVA design `[1, pre, method dummies…(, share_b)]` with
/// `levels[0]` the reference, and the response (class mean post).
pub(crate) fn class_design(cms: &[ClassMean], levels: &[String], covariate: bool) -> (Vec<Vec<f64>>, Vec<f64>) {
    let x = cms
        .iter()
        .map(|c| {
            let mut row = vec![1.0, c.pre];
            row.extend(levels[1..].iter().map(|l| if c.method == *l { 1.0 } else { 0.0 }));
            if covariate {
                row.push(c.share_b);
            }
            row
        })
        .collect();
    (x, cms.iter().map(|c| c.post).collect())
}

/// The trainee-level design of `lm(post ~ pre + method + category)`:
/// `[1, pre, method dummies…, category dummies (levels after the first,
/// alphabetical)…]`, the response and each row's class index (class ids in
/// sorted order, as R's factor levels).
pub(crate) fn trainee_design(ts: &[Trainee], with_category: bool) -> (Vec<Vec<f64>>, Vec<f64>, Vec<usize>) {
    let levels = method_levels(ts);
    let mut cats: Vec<&str> = ts.iter().map(|t| t.category.as_str()).collect();
    cats.sort();
    cats.dedup();
    let mut ids: Vec<&str> = ts.iter().map(|t| t.class.as_str()).collect();
    ids.sort();
    ids.dedup();
    let x = ts
        .iter()
        .map(|t| {
            let mut row = vec![1.0, t.pre];
            row.extend(levels[1..].iter().map(|l| if t.method == *l { 1.0 } else { 0.0 }));
            if with_category {
                row.extend(cats[1..].iter().map(|c| if t.category == *c { 1.0 } else { 0.0 }));
            }
            row
        })
        .collect();
    let g = ts.iter().map(|t| ids.iter().position(|i| *i == t.class).expect("class")).collect();
    (x, ts.iter().map(|t| t.post).collect(), g)
}

/// One row of `event.csv`.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    /// Cluster index (ids in sorted order).
    pub cluster: usize,
    pub treated: f64,
    pub rel: i32,
    pub y: f64,
}

/// The rows of `event.csv`.
pub(crate) fn event_rows() -> Vec<EventRow> {
    let (_, rows) = table(EVENT);
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    ids.sort();
    ids.dedup();
    rows.iter()
        .map(|r| EventRow {
            cluster: ids.iter().position(|i| *i == r[0]).expect("cluster"),
            treated: r[2].parse().expect("treated"),
            rel: r[3].parse().expect("rel"),
            y: r[4].parse().expect("y"),
        })
        .collect()
}
