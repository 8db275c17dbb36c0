//! An analyst's first hour (issue 28): her own folder of office files goes from
//! `init` to a report without editing Rust, and every configuration mistake she can
//! make is reported together, each with its fix, at the exit code the SPEC gives.

use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::*;

use crate::common::*;
use crate::foundation::reconcile;

/// A copy of a fixture directory (so that `init` and `run` may write into it).
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tmp();
    for f in std::fs::read_dir(data(name)).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
    }
    dir
}

fn str_col(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name).unwrap().str().unwrap().iter().map(|v| v.unwrap_or("").to_string()).collect()
}

#[test]
fn an_office_folder_goes_from_init_to_a_report() {
    let root = tmp();
    let dir = root.path().join("office");
    std::fs::create_dir(&dir).unwrap();
    for f in std::fs::read_dir(data("office")).unwrap().flatten() {
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    let at = root.path();

    // init: the pipeline file, with what to check and what is missing.
    let r = traineval_in(at, &["init", "office"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("wrote office/pipeline.toml"), "{}", r.stdout);
    assert!(r.stdout.contains("cadres               ← 干部花名册.xlsx  (check)"), "{}", r.stdout);
    assert!(r.stdout.contains("no `trainee_ratings` input: assessment_by_class will be empty"), "{}", r.stdout);
    let toml = std::fs::read_to_string(dir.join("pipeline.toml")).unwrap();
    for part in [
        "sheet = \"花名册\"",
        "header_row = 2",
        "date_format = \"%Y/%m/%d\"",
        "encoding = \"gbk\"",
        "format = \"platform\"",
        "path = \"课程评估_*.csv\"",
        "[inputs.survey_post.platform.items]",
        "\"县处级领导干部\" = \"department_level\"",
        "# \"其他\" = \"\"",
    ] {
        assert!(toml.contains(part), "`{part}` missing from:\n{toml}");
    }
    // A second init does not overwrite it.
    let again = traineval_in(at, &["init", "office"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("office/pipeline.toml exists; give --force"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("pipeline.toml")).unwrap(), toml);
    let printed = traineval_in(at, &["init", "office", "--print"]);
    assert_eq!((printed.code, printed.stdout.as_str()), (0, toml.as_str()));

    // validate --explain: header → column, the missing inputs, then the report.
    let v = traineval_in(at, &["validate", "--explain", "office/pipeline.toml"]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    for part in [
        "[inputs.cadres] office/干部花名册.xlsx",
        "read as: sheet \"花名册\" of 填表说明, 花名册; header on row 2",
        "干部编号 → cadre_id (mapped)",
        "联系电话 → not used",
        "4、我能够准确把握党的路线方针政策并结合本岗位贯彻落实 → item `COMP1`",
        "3、(习近平新时代中国特色社会主义思想专题)—理论深度 → course \"习近平新时代中国特色社会主义思想专题\", theory",
        "missing inputs:",
        "warning: no `trainee_ratings` input: assessment_by_class will be empty; cadre_scorecard will be incomplete",
        // Paths as typed from where the command ran, not relative to the pipeline file.
        "office/干部花名册.xlsx:43 [category] bad_value: `category` = \"其他\"",
        "office/学员名单.csv:34 [cadre_id] unknown_id: unknown cadre `C041`",
    ] {
        assert!(v.stdout.contains(part), "`{part}` missing from:\n{}", v.stdout);
    }

    // run: warehouse, indicators, report.
    let out = root.path().join("out");
    let r = traineval_in(at, &["run", "office/pipeline.toml", "--out", "out"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(out.join("reports/2025/index.html").is_file());
    assert_eq!(std::fs::read_dir(out.join("reports/2025/class")).unwrap().count(), 4);
    reconcile(&out);
    let m = manifest(&out);
    // Four exports, 32 trainees, 3 courses each: 96 ratings of five indicators.
    assert_eq!(m["tables"]["course_ratings"]["read"], 96);
    assert_eq!(m["tables"]["course_ratings"]["accepted"], 96);
    assert_eq!(table(&out, "course_ratings").height(), 480);
    assert_eq!(m["tables"]["cadres"]["rejected"], 1);
    // The course ids come from the titles in the headers.
    let ids = str_col(&table(&out, "course_ratings"), "course_id");
    assert!(ids.iter().all(|c| c.starts_with("K2500") && c.contains('-')), "{:?}", &ids[..5]);
    // The post export asks COMP2 first: its first row (C001) answered 2, skipped COMP1, then 4.
    let resp = rows_where(&table(&out, "survey_responses"), &[("cadre_id", "C001"), ("wave", "post")]);
    let answers: std::collections::BTreeMap<String, f64> = str_col(&resp, "item_id")
        .into_iter()
        .zip(resp.column("value").unwrap().f64().unwrap().iter().map(|v| v.unwrap()))
        .collect();
    assert_eq!((answers.get("COMP2"), answers.get("COMP1"), answers.get("COMP3")), (Some(&2.0), None, Some(&4.0)));
    let reaction = ParquetReader::new(std::fs::File::open(out.join("indicators/reaction_by_course.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(reaction.height(), 12);
    assert!(m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap_or("").starts_with("no `trainee_ratings` input")));
}

#[test]
fn configuration_mistakes_are_reported_together_each_with_its_fix() {
    let dir = copy_of("office");
    let p = dir.path().join("p.toml");
    // The roster read without sheet and header_row, a 问卷星 export read as canonical
    // columns, a misspelt sheet, a file that is not there.
    std::fs::write(
        &p,
        "[inputs.cadres]\npath = \"干部花名册.xlsx\"\ncolumns = { cadre_id = \"干部编号\", category = \"干部类别\" }\n\n\
         [inputs.classes]\npath = \"2025年培训班次.xlsx\"\nsheet = \"班次表\"\n\n\
         [inputs.items]\npath = \"items.csv\"\n\n\
         [inputs.survey_pre]\npath = \"培训前测评.csv\"\n\n\
         [inputs.reviews]\npath = \"考核.csv\"\n",
    )
    .unwrap();
    let r = traineval(&["validate", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let err = r.stderr.trim();
    assert!(err.starts_with("error: 4 problems in the pipeline and its inputs:"), "{err}");
    assert_eq!(err.lines().count(), 5, "{err}");
    for part in [
        "[inputs.reviews] path \"考核.csv\": file not found",
        "干部花名册.xlsx: [inputs.cadres.columns] cadre_id = \"干部编号\" names a header the file does not have",
        "(1 more mapped or required column(s) of this file are missing for the same reason)",
        "the data is on sheet \"花名册\" (the workbook's sheets: 填表说明, 花名册): set sheet = \"花名册\" and set header_row = 2 (the header is on row 2; above it: \"2025年度干部花名册\")",
        "2025年培训班次.xlsx: no sheet named \"班次表\" (the workbook's sheets: 班次); set `sheet` to one of them",
        "培训前测评.csv: this looks like a 问卷星 export",
        "add format = \"platform\" and an empty [inputs.survey_pre.platform] section",
    ] {
        assert!(err.contains(part), "`{part}` missing from:\n{err}");
    }
    // A wrong sheet alone exits 2, not 3.
    std::fs::write(&p, "[inputs.classes]\npath = \"2025年培训班次.xlsx\"\nsheet = \"班次表\"\n").unwrap();
    let r = traineval(&["validate", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    // A title row in a CSV: the hint names the line.
    let csv = dir.path().join("单位.csv");
    std::fs::write(&csv, "2025年单位名单,,\n单位编号,单位名称,单位类型\nU01,甲,party\n").unwrap();
    std::fs::write(&p, "[inputs.units]\npath = \"单位.csv\"\ncolumns = { unit_id = \"单位编号\" }\n").unwrap();
    let r = traineval(&["validate", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("set header_row = 2 (the header is on line 2; above it: \"2025年单位名单\")"),
        "{}",
        r.stderr
    );
    std::fs::write(&p, "[inputs.units]\npath = \"单位.csv\"\nheader_row = 2\ncolumns = { unit_id = \"单位编号\" }\n")
        .unwrap();
    let r = traineval(&["validate", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("units                         1          1"), "{}", r.stdout);
}

#[test]
fn pipeline_errors_keep_their_lines_and_out_must_be_a_directory() {
    let dir = tmp();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "period = \"2025\"\n[indicators\nmin_cell = 5\n").unwrap();
    let r = traineval(&["validate", p.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.lines().count() >= 3, "the snippet keeps its lines: {}", r.stderr);
    assert!(r.stderr.contains("[indicators") && r.stderr.contains('^'), "{}", r.stderr);

    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let r = traineval(&["build", data("canonical").to_str().unwrap(), "--out", file.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--out:") && r.stderr.contains("is a file, not a directory"), "{}", r.stderr);
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
}

#[test]
fn paths_are_shown_as_typed_from_where_the_command_ran() {
    let root = tmp();
    let (data_dir, pipes) = (root.path().join("data"), root.path().join("pipelines"));
    std::fs::create_dir(&data_dir).unwrap();
    std::fs::create_dir(&pipes).unwrap();
    std::fs::write(data_dir.join("units.csv"), "unit_id,kind\nU1,party\nU2,nope\n").unwrap();
    std::fs::write(pipes.join("p.toml"), "[inputs.units]\npath = \"../data/units.csv\"\n").unwrap();
    let r = traineval_in(root.path(), &["validate", "pipelines/p.toml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("  data/units.csv:3 [kind] bad_value"), "{}", r.stdout);
    std::fs::write(pipes.join("p.toml"), "[inputs.units]\npath = \"../data/unit.csv\"\n").unwrap();
    let r = traineval_in(root.path(), &["validate", "pipelines/p.toml"]);
    assert!(r.stderr.contains("file not found: data/unit.csv"), "{}", r.stderr);
    // The warehouse keeps paths relative to the pipeline file: the same wherever it ran.
    std::fs::write(pipes.join("p.toml"), "[inputs.units]\npath = \"../data/units.csv\"\n").unwrap();
    let r = traineval_in(root.path(), &["build", "pipelines/p.toml", "--out", "out"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(manifest(&root.path().join("out"))["inputs"][0]["path"], "../data/units.csv");
}

#[test]
fn missing_inputs_are_warned_with_the_tables_they_empty() {
    let dir = copy_of("canonical");
    std::fs::remove_file(dir.path().join("course_ratings.csv")).unwrap();
    let r = traineval(&["validate", dir.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("warning: no `course_ratings` input: reaction_by_course, reaction_by_class, rater_agreement, course_series will be empty; trends will be incomplete"),
        "{}",
        r.stdout
    );
    // The library gives the same list for the report to use.
    let job = traineval::init::load_job(dir.path(), None).unwrap();
    let m = traineval::validate::coverage::missing_inputs(&job);
    let cr = m.iter().find(|x| x.input == "course_ratings").unwrap();
    assert_eq!(cr.empties, ["reaction_by_course", "reaction_by_class", "rater_agreement", "course_series"]);
}

/// `sample_data` without its pipeline file: the directory mode infers what
/// `pipelines/sample.toml` says, so every input reads the same rows.
#[test]
fn the_directory_mode_infers_the_platform_sample() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let dir = tmp();
    for f in std::fs::read_dir(&sample).unwrap().flatten() {
        if f.file_name() != "pipeline.toml" {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
    }
    let table_lines = |s: &str| -> Vec<String> {
        s.lines().take_while(|l| !l.starts_with("warning") && !l.starts_with("first")).map(String::from).collect()
    };
    let inferred = traineval(&["validate", dir.path().to_str().unwrap()], &[]);
    let declared = traineval(
        &["validate", Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/sample.toml").to_str().unwrap()],
        &[],
    );
    assert_eq!(declared.code, 0, "{}", declared.stderr);
    // The three-year sample's planted dirt stays under the default tolerance of 5 %.
    assert_eq!(inferred.code, 0, "{}", inferred.stderr);
    assert_eq!(table_lines(&inferred.stdout), table_lines(&declared.stdout));
    assert_eq!(table_lines(&inferred.stdout).len(), 17);
}

#[test]
fn run_sample_data_reads_its_pipeline_file() {
    let out = tmp();
    let sample: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let r = traineval(&["run", sample.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(out.path().join("reports/2025/index.html").is_file());
}

#[test]
fn a_course_evaluation_export_rejects_what_it_cannot_place() {
    // The canonical fixture's ratings as a 问卷星 export: course titles in the headers,
    // one of them no course of the class, one row of another width.
    let dir = copy_of("canonical");
    let courses = std::fs::read_to_string(dir.path().join("courses.csv")).unwrap();
    let k1: Vec<(String, String)> = courses
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|c| c[1] == "K1")
        .map(|c| (c[0].clone(), c[2].clone()))
        .collect();
    assert!(k1.len() >= 2, "{courses}");
    let mut head = vec!["序号".to_string(), "提交答卷时间".into(), "1、班次编号".into(), "2、学员编号".into()];
    let words = ["联系实际", "理论深度", "信息量", "授课技巧", "教学态度"];
    for (q, (_, title)) in k1.iter().take(2).enumerate() {
        head.extend(words.iter().map(|w| format!("{}、({title})—{w}", q + 3)));
    }
    head.extend(words.iter().map(|w| format!("5、(不存在的课)—{w}")));
    let enrolled: Vec<String> = std::fs::read_to_string(dir.path().join("enrollments.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("K1,"))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    let mut text = head.join(",") + "\r\n";
    for (i, c) in enrolled.iter().enumerate() {
        let scores: Vec<String> = (0..15).map(|k| if k >= 10 && i > 0 { String::new() } else { "15".into() }).collect();
        text += &format!("{},2025/3/1 9:00:00,K1,{c},{}\r\n", i + 1, scores.join(","));
    }
    text += "99,2025/3/1 9:00:00,K1,C01,1,2\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.path().join("course_ratings.csv"), &gbk).unwrap();
    let out = tmp();
    let r = traineval(&["build", dir.path().to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    // The directory mode recognised the export by itself.
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    reconcile(out.path());
    let rj = rejects(out.path());
    let rated: Vec<&(String, u64, String, String)> = rj.iter().filter(|x| x.0 == "course_ratings").collect();
    let n = enrolled.len() as u64;
    // The unknown course once (first trainee), the short row once.
    assert_eq!(
        rated.iter().map(|x| (x.1, x.2.as_str(), x.3.as_str())).collect::<Vec<_>>(),
        [(2, "course_id", "unknown_id"), (n + 2, "", "bad_shape")],
        "{rated:?}"
    );
    let m = manifest(out.path());
    assert_eq!(m["tables"]["course_ratings"]["accepted"], 2 * n);
    let ids = str_col(&table(out.path(), "course_ratings"), "course_id");
    assert!(ids.iter().all(|c| *c == k1[0].0 || *c == k1[1].0), "{ids:?}");
}

/// One progress line as the pipeline drove it.
#[derive(Default)]
struct Line {
    name: String,
    counts_rows: bool,
    counts: Vec<u64>,
    ended: bool,
}

#[derive(Default)]
struct Recorder {
    lines: std::sync::Mutex<Vec<std::sync::Arc<std::sync::Mutex<Line>>>>,
}

struct RecordedStep(std::sync::Arc<std::sync::Mutex<Line>>);

impl traineval::pipeline::Step for RecordedStep {
    fn rows(&self, n: u64) {
        self.0.lock().unwrap().counts.push(n);
    }
}

impl Drop for RecordedStep {
    fn drop(&mut self) {
        self.0.lock().unwrap().ended = true;
    }
}

impl traineval::pipeline::Progress for Recorder {
    fn step(&self, what: &str, counts_rows: bool) -> Box<dyn traineval::pipeline::Step + '_> {
        let line =
            std::sync::Arc::new(std::sync::Mutex::new(Line { name: what.into(), counts_rows, ..Line::default() }));
        self.lines.lock().unwrap().push(line.clone());
        Box::new(RecordedStep(line))
    }
}

/// Each step's line shows its own count from the start, inputs of several files count
/// on across them (the four course-evaluation exports), stages without rows show none,
/// and every line ends.
#[test]
fn progress_lines_count_their_own_rows_and_end() {
    let dir = copy_of("office");
    let out = tmp();
    let job = traineval::init::load_job(dir.path(), Some(out.path())).unwrap();
    let rec = Recorder::default();
    let built = traineval::pipeline::build(&job, &rec).unwrap();
    traineval::pipeline::indicators(&job, &rec).unwrap();
    let lines = rec.lines.lock().unwrap();
    let names: Vec<String> = lines.iter().map(|l| l.lock().unwrap().name.clone()).collect();
    for l in lines.iter() {
        let l = l.lock().unwrap();
        assert!(l.ended, "{} still on screen", l.name);
        if !l.counts_rows {
            assert!(["trainee_outcomes", "indicators"].contains(&l.name.as_str()), "{}", l.name);
            assert!(l.counts.is_empty(), "{}: {:?}", l.name, l.counts);
            continue;
        }
        let read = built.ingested.report.tables[&l.name].read;
        assert!(l.counts.windows(2).all(|w| w[0] <= w[1]), "{}: {:?}", l.name, l.counts);
        assert_eq!(l.counts.last().copied(), Some(read), "{}: {:?}", l.name, l.counts);
    }
    let ratings = lines.iter().find(|l| l.lock().unwrap().name == "course_ratings").unwrap().lock().unwrap();
    assert_eq!(ratings.counts, [24, 48, 72, 96]);
    for stage in ["cadres", "survey_post", "course_ratings", "trainee_outcomes", "indicators"] {
        assert!(names.iter().any(|n| n == stage), "{stage} not in {names:?}");
    }
}

/// `validate --explain … | head`: the reader goes away before the output ends, and the
/// tool stops without a panic.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/sample.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_traineval"))
        .args(["validate", "--explain", sample.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
