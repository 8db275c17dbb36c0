//! The reports as an office gets them (issue 28): a missing input said in words in the
//! report itself, and the reports of two languages side by side.

use crate::common::*;

/// The office fixture (no trainee ratings, needs survey or unit outcomes) with its
/// pipeline file, under a temporary root.
fn office() -> tempfile::TempDir {
    let root = tmp();
    let dir = root.path().join("office");
    std::fs::create_dir(&dir).unwrap();
    for f in std::fs::read_dir(data("office")).unwrap().flatten() {
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    let r = traineval_in(root.path(), &["init", "office"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    root
}

#[test]
fn a_missing_input_is_named_in_words_in_the_report() {
    let root = office();
    let r = traineval_in(root.path(), &["run", "office/pipeline.toml", "--out", "out"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let html = std::fs::read_to_string(root.path().join("out/reports/2025/index.html")).unwrap();
    // Before the headline figures: the input and what it empties, in words.
    assert!(html.contains("本年度缺少的数据"), "no missing-data box");
    assert!(html.contains("未提供学员评价：评价一致性部分因此为空。"), "trainee ratings");
    assert!(html.contains("未提供单位考核：单位绩效部分因此为空。"), "unit outcomes");
    // No table or input code reaches the page (file paths are literals in <code>).
    let text: String = html.split("<code>").map(|p| p.split_once("</code>").map_or(p, |(_, rest)| rest)).collect();
    for code in
        ["assessment_by_class", "trainee_ratings", "unit_results", "needs_match", "survey_needs", "unit_outcomes"]
    {
        assert!(!text.contains(code), "code name {code} in the report");
    }
}

#[test]
fn two_languages_go_side_by_side() {
    let root = office();
    let at = root.path();
    let period = at.join("out/reports/2025");
    // `run` writes the pipeline's language only.
    let r = traineval_in(at, &["run", "office/pipeline.toml", "--out", "out"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(period.join("index.html").is_file() && !period.join("en").exists());
    let zh = std::fs::read(period.join("index.html")).unwrap();
    // `report --lang en` adds English beside it and leaves the Chinese report as it was.
    let r = traineval_in(at, &["report", "office/pipeline.toml", "--out", "out", "--lang", "en"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("reports/2025/en/index.html"), "{}", r.stdout);
    assert_eq!(std::fs::read(period.join("index.html")).unwrap(), zh, "the Chinese report was overwritten");
    let en = std::fs::read_to_string(period.join("en/index.html")).unwrap();
    assert!(en.contains("<html lang=\"en\">"));
    assert_eq!(std::fs::read_dir(period.join("en/class")).unwrap().count(), 4);
    // `[report] languages` makes `report` (and `run`) write both in one go.
    let pipeline = at.join("office/pipeline.toml");
    let mut toml = std::fs::read_to_string(&pipeline).unwrap();
    assert!(!toml.contains("[report]"), "the test adds the table itself");
    toml.push_str("\n[report]\nlanguages = [\"zh\", \"en\"]\n");
    std::fs::write(&pipeline, toml).unwrap();
    let r = traineval_in(at, &["run", "office/pipeline.toml", "--out", "out"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("reports/2025/index.html") && r.stdout.contains("reports/2025/en/index.html"),
        "{}",
        r.stdout
    );
    assert_eq!(std::fs::read(period.join("index.html")).unwrap(), zh, "same data, same bytes");
    assert_eq!(std::fs::read_to_string(period.join("en/index.html")).unwrap(), en);
    // A language the tool does not have is a configuration error.
    let bad = std::fs::read_to_string(&pipeline).unwrap().replace("\"en\"]", "\"fr\"]");
    std::fs::write(&pipeline, bad).unwrap();
    let r = traineval_in(at, &["report", "office/pipeline.toml", "--out", "out"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("report.languages: \"fr\" must be \"zh\" or \"en\""), "{}", r.stderr);
}
