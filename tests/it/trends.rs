//! Trends over several years: the `trends` and `course_series` tables on a generated
//! three-year set recover what the generator planted and observed.

use polars::prelude::*;

use crate::common::*;

fn column_f64(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

fn column_str(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

#[test]
fn trends_recover_the_generated_years() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    let r = traineval(&["generate", "--out", i, "--years", "2023-2025", "--cadres", "3000", "--seed", "7", "-q"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for step in ["build", "indicators"] {
        let r = traineval(&[step, i, "--out", o, "-q"], &[]);
        assert_eq!(r.code, 0, "{step}: {}", r.stderr);
    }
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(input.join("_truth.json")).unwrap()).unwrap();
    let t = ParquetReader::new(std::fs::File::open(out.join("indicators/trends.parquet")).unwrap()).finish().unwrap();
    let (metric, year, n, mean, change) = (
        column_str(&t, "metric"),
        column_f64(&t, "year"),
        column_f64(&t, "n"),
        column_f64(&t, "mean"),
        column_f64(&t, "change"),
    );
    let (lo, hi) = (column_f64(&t, "change_ci_low"), column_f64(&t, "change_ci_high"));
    let row =
        |m: &str, y: f64| (0..t.height()).find(|&k| metric[k].as_deref() == Some(m) && year[k] == Some(y)).unwrap();
    let years = truth["years"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    let mut previous: Option<f64> = None;
    for y in years {
        let k = row("learning_gain", y["year"].as_f64().unwrap());
        let observed = &y["observed"]["gain_all"];
        // The year's mean gain is the generator's own tally of the same trainees.
        assert_eq!(n[k], observed["n"].as_f64(), "n of {}", y["year"]);
        let m = observed["mean"].as_f64().unwrap();
        assert!((mean[k].unwrap() - m).abs() < 1e-9, "{}: {:?} vs {m}", y["year"], mean[k]);
        match previous {
            None => assert_eq!(change[k], None),
            Some(p) => {
                let d = change[k].unwrap();
                assert!((d - (m - p)).abs() < 1e-9, "change {d} vs {}", m - p);
                assert!(lo[k].unwrap() < d && d < hi[k].unwrap());
            }
        }
        previous = Some(m);
    }
    // Reaction: the planted yearly shift of the course-rating total is inside the
    // clustered interval of each year's change.
    let shift = |y: &serde_json::Value| y["planted"]["course_rating_total_shift"].as_f64().unwrap();
    for pair in years.windows(2) {
        let k = row("reaction", pair[1]["year"].as_f64().unwrap());
        let planted = shift(&pair[1]) - shift(&pair[0]);
        assert!(
            lo[k].unwrap() <= planted && planted <= hi[k].unwrap(),
            "reaction change [{:?}, {:?}] vs planted {planted}",
            lo[k],
            hi[k]
        );
    }
    // Courses taught again by the same teacher form series spanning two or more years.
    let s = ParquetReader::new(std::fs::File::open(out.join("indicators/course_series.parquet")).unwrap())
        .finish()
        .unwrap();
    assert!(s.height() > 0);
    let (series, syear) = (column_str(&s, "series"), column_f64(&s, "year"));
    let mut spans: std::collections::BTreeMap<String, std::collections::BTreeSet<i64>> = Default::default();
    for k in 0..s.height() {
        spans.entry(series[k].clone().unwrap()).or_default().insert(syear[k].unwrap() as i64);
    }
    assert!(spans.values().all(|y| y.len() >= 2), "every series spans two years or more");
}
