//! Foundation: ingest, validation, warehouse (issue 3), on real files in tests/data.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::common::*;

fn counts(m: &serde_json::Value, table: &str) -> (u64, u64, u64, u64) {
    let t = &m["tables"][table];
    let g = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{table}.{k} missing in manifest"));
    (g("read"), g("accepted"), g("rejected"), g("superseded"))
}

fn reasons(m: &serde_json::Value, table: &str) -> BTreeMap<String, u64> {
    m["tables"][table]["rejected_by_reason"]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect())
        .unwrap_or_default()
}

fn build(input: &Path, out: &Path) -> Run {
    traineval(&["build", input.to_str().unwrap(), "--out", out.to_str().unwrap()], &[])
}

fn f64_col(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

#[test]
fn clean_canonical_directory_builds_every_table() {
    let out = tmp();
    let r = build(&data("canonical"), out.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let m = manifest(out.path());
    for (t, n) in [
        ("units", 3),
        ("cadres", 8),
        ("classes", 2),
        ("courses", 3),
        ("enrollments", 6),
        ("items", 4),
        ("survey_pre", 6),
        ("survey_post", 6),
        ("survey_needs", 3),
        ("course_ratings", 8),
        ("trainee_ratings", 6),
        ("reviews", 6),
        ("unit_outcomes", 4),
    ] {
        assert_eq!(counts(&m, t), (n, n, 0, 0), "{t}");
    }
    // Long tables: one row per answer / score.
    assert_eq!(table(out.path(), "survey_responses").height(), 15 + 18);
    assert_eq!(table(out.path(), "course_ratings").height(), 8 * 5);
    assert_eq!(table(out.path(), "trainee_ratings").height(), 6 * 4);
    assert_eq!(table(out.path(), "survey_choices").height(), 5);
    assert_eq!(m["warehouse"]["survey_responses"], 33);

    // Scale scores (App. A): reverse-coding, rescaling, more than half missing → null.
    let s = rows_where(&table(out.path(), "scale_scores"), &[("wave", "pre")])
        .sort(["cadre_id"], Default::default())
        .unwrap();
    let ids: Vec<&str> = s.column("cadre_id").unwrap().str().unwrap().no_null_iter().collect();
    assert_eq!(ids, ["C01", "C02", "C03", "C05", "C06", "C08"]);
    let score = f64_col(&s, "score");
    // C01: Q1 4, Q2 2 → 4 (reversed), Q3 4 → all 0.75 → 75
    assert_eq!(score[0], Some(75.0));
    // C02: 3,3,3 → 50
    assert_eq!(score[1], Some(50.0));
    // C03: 2, 4→2, 2 → 0.25 → 25
    assert_eq!(score[2], Some(25.0));
    // C05: Q1 4, Q2 2→4, Q3 missing: 2 of 3 answered → 75
    assert_eq!(score[3], Some(75.0));
    // C06: 1 of 3 answered → no score
    assert_eq!(score[4], None);

    // Values normalised at ingest: 女 → female, 是 → true, 称职 → competent.
    let cad = table(out.path(), "cadres").sort(["cadre_id"], Default::default()).unwrap();
    let g: Vec<&str> = cad.column("gender").unwrap().str().unwrap().no_null_iter().collect();
    assert_eq!(g, ["male", "female", "female", "male", "female", "male", "female", "male"]);
    let rev = table(out.path(), "reviews");
    let grades: Vec<Option<&str>> = rev.column("grade").unwrap().str().unwrap().iter().collect();
    assert!(grades.contains(&Some("competent")) && !grades.contains(&Some("称职")));
    let totals = f64_col(&rev.sort(["cadre_id", "review_date"], Default::default()).unwrap(), "total");
    assert!((totals[0].unwrap() - (85.0 + 80.0 + 82.0 + 79.0 + 88.0) / 5.0).abs() < 1e-12);
}

#[test]
fn warehouse_schemas_match_the_declared_tables() {
    let out = tmp();
    assert_eq!(build(&data("canonical"), out.path()).code, 0);
    for def in traineval::schema::TABLES {
        let df = table(out.path(), def.name);
        let mut expected: Vec<(String, DataType)> = def
            .columns
            .iter()
            .map(|c| (c.name.to_string(), traineval::warehouse::write::polars_dtype(c.dtype)))
            .collect();
        if def.partition.is_some() {
            expected.push(("year".into(), DataType::Int32));
        }
        let got: Vec<(String, DataType)> = df.schema().iter().map(|(n, d)| (n.to_string(), d.clone())).collect();
        assert_eq!(got, expected, "schema of {}", def.name);
    }
    // Partitions on disk follow the class year.
    assert!(out.path().join("warehouse/survey_responses/year=2025/part-survey_pre.parquet").is_file());
    assert!(out.path().join("warehouse/reviews/year=2024/part-reviews.parquet").is_file());
    assert!(out.path().join("warehouse/cadres/part-cadres.parquet").is_file());
}

#[test]
fn chinese_headers_in_gbk_are_mapped_by_the_pipeline_file() {
    let out = tmp();
    let r = build(&data("mapped/mapped.toml"), out.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let m = manifest(out.path());
    assert_eq!(counts(&m, "cadres"), (8, 8, 0, 0));
    let input = m["inputs"].as_array().unwrap().iter().find(|i| i["table"] == "cadres").unwrap();
    assert_eq!(input["encoding"], "gb18030");
    assert_eq!(input["path"], "cadres_zh.csv");
    let cad = table(out.path(), "cadres").sort(["cadre_id"], Default::default()).unwrap();
    let cats: Vec<&str> = cad.column("category").unwrap().str().unwrap().no_null_iter().collect();
    assert_eq!(cats[0], "department_level");
    assert_eq!(cats[3], "young_reserve");
    let joined = cad.column("join_date").unwrap().cast(&DataType::String).unwrap();
    assert_eq!(joined.str().unwrap().get(0), Some("1998-07-01"));
    // The roster's names never reach the warehouse.
    for f in files(&out.path().join("warehouse")) {
        let bytes = std::fs::read(out.path().join("warehouse").join(&f)).unwrap();
        for name in ["张伟", "王芳", "黄涛"] {
            assert!(!contains(&bytes, name.as_bytes()), "{name} found in {}", f.display());
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn xlsx_inputs_with_typed_cells_are_read() {
    let dir = tmp();
    for f in std::fs::read_dir(data("canonical")).unwrap().flatten() {
        if f.file_name() != "cadres.csv" {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
    }
    // Write cadres as an XLSX with number and date cells, as Excel users do.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let headers =
        ["cadre_id", "name", "gender", "birth_year", "category", "rank", "unit_id", "party_member", "join_date"];
    for (j, h) in headers.iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let rows = [
        ("C01", "department_level", "U1", 1975.0),
        ("C02", "middle_level", "U2", 1980.0),
        ("C03", "middle_level", "U2", 1985.0),
        ("C04", "young_reserve", "U3", 1990.0),
        ("C05", "middle_level", "U1", 1978.0),
        ("C06", "middle_level", "U3", 1982.0),
        ("C07", "civil_servant", "U2", 1988.0),
        ("C08", "department_level", "U1", 1970.0),
    ];
    for (i, (id, cat, unit, by)) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, "某某").unwrap();
        ws.write_string(r, 2, "男").unwrap();
        ws.write_number(r, 3, *by).unwrap();
        ws.write_string(r, 4, *cat).unwrap();
        ws.write_string(r, 5, "科员").unwrap();
        ws.write_string(r, 6, *unit).unwrap();
        ws.write_boolean(r, 7, true).unwrap();
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 7, 1).unwrap();
        ws.write_datetime_with_format(r, 8, &d, &date_fmt).unwrap();
    }
    wb.save(dir.path().join("cadres.xlsx")).unwrap();
    let out = tmp();
    let r = build(dir.path(), out.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let m = manifest(out.path());
    assert_eq!(counts(&m, "cadres"), (8, 8, 0, 0));
    let cad = table(out.path(), "cadres").sort(["cadre_id"], Default::default()).unwrap();
    assert_eq!(cad.column("birth_year").unwrap().i64().unwrap().get(0), Some(1975));
    let jd = cad.column("join_date").unwrap().cast(&DataType::String).unwrap();
    assert_eq!(jd.str().unwrap().get(7), Some("2000-07-01"));
    assert_eq!(cad.column("party_member").unwrap().bool().unwrap().get(0), Some(true));
}

/// Every validation rule, each broken by one row, with exact counts and reasons.
#[test]
fn dirty_rows_are_rejected_with_exact_reasons() {
    let out = tmp();
    let r = build(&data("dirty"), out.path());
    // Far more than 5 % of rows are bad: exit 1, but the warehouse is written.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("max_reject_share"), "{}", r.stderr);
    let m = manifest(out.path());
    // table, (read, accepted, rejected, superseded), rejects by reason
    type Expected<'a> = (&'a str, (u64, u64, u64, u64), &'a [(&'a str, u64)]);
    let expect: &[Expected] = &[
        ("units", (5, 2, 3, 0), &[("bad_value", 1), ("duplicate_key", 1), ("missing_value", 1)]),
        (
            "cadres",
            (11, 3, 8, 0),
            &[
                ("bad_date", 1),
                ("bad_number", 1),
                ("bad_shape", 1),
                ("bad_value", 2),
                ("duplicate_key", 1),
                ("missing_value", 1),
                ("unknown_id", 1),
            ],
        ),
        ("classes", (6, 2, 4, 0), &[("bad_date", 1), ("bad_value", 1), ("out_of_range", 2)]),
        ("courses", (4, 2, 2, 0), &[("bad_number", 1), ("unknown_id", 1)]),
        (
            "enrollments",
            (8, 3, 5, 0),
            &[("bad_value", 1), ("duplicate_key", 1), ("out_of_range", 1), ("unknown_id", 2)],
        ),
        ("items", (4, 2, 2, 0), &[("bad_value", 1), ("duplicate_key", 1)]),
        (
            "survey_pre",
            (10, 3, 6, 1),
            &[
                ("bad_date", 1),
                ("bad_number", 1),
                ("not_enrolled", 1),
                ("out_of_range", 1),
                ("speeder", 1),
                ("unknown_id", 1),
            ],
        ),
        (
            "course_ratings",
            (6, 1, 5, 0),
            &[("duplicate_key", 1), ("missing_value", 1), ("not_enrolled", 1), ("out_of_range", 1), ("unknown_id", 1)],
        ),
        (
            "trainee_ratings",
            (6, 1, 5, 0),
            &[("bad_number", 1), ("bad_value", 2), ("not_enrolled", 1), ("unknown_id", 1)],
        ),
        (
            "reviews",
            (8, 2, 6, 0),
            &[
                ("bad_date", 1),
                ("bad_value", 1),
                ("duplicate_key", 1),
                ("missing_value", 1),
                ("out_of_range", 1),
                ("unknown_id", 1),
            ],
        ),
        ("unit_outcomes", (4, 1, 3, 0), &[("bad_number", 1), ("duplicate_key", 1), ("unknown_id", 1)]),
    ];
    for (t, c, rs) in expect {
        assert_eq!(counts(&m, t), *c, "counts of {t}");
        let want: BTreeMap<String, u64> = rs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(reasons(&m, t), want, "reasons of {t}");
    }
    // Rejects name the source line (header = line 1; the blank line 5 of units is skipped
    // but still counts as a line) and the failing column.
    let rj = rejects(out.path());
    let find = |t: &str, row: u64| rj.iter().find(|r| r.0 == t && r.1 == row).cloned();
    assert_eq!(find("units", 4).unwrap().3, "duplicate_key");
    assert_eq!(find("units", 6), Some(("units".into(), 6, "kind".into(), "bad_value".into())));
    assert_eq!(find("cadres", 9).map(|r| r.3), Some("duplicate_key".into()));
    assert_eq!(find("cadres", 10).map(|r| r.3), Some("bad_shape".into()));
    assert_eq!(find("classes", 3), Some(("classes".into(), 3, "end_date".into(), "out_of_range".into())));
    assert_eq!(find("survey_pre", 4), Some(("survey_pre".into(), 4, "cadre_id".into(), "not_enrolled".into())));
    assert_eq!(find("survey_pre", 7), Some(("survey_pre".into(), 7, "Q1".into(), "out_of_range".into())));
    assert_eq!(find("course_ratings", 5).map(|r| r.2), Some("course_id".into()));
    // The later submission of C1 wins.
    let pre = rows_where(
        &table(out.path(), "survey_responses"),
        &[("cadre_id", "C1"), ("class_id", "K1"), ("item_id", "Q1")],
    );
    assert_eq!(f64_col(&pre, "value"), vec![Some(4.0)]);
    reconcile(out.path());
}

/// read = accepted + rejected + superseded for every input; the rejects file holds
/// exactly the rejected rows; `written` equals the rows in the warehouse.
pub fn reconcile(out: &Path) {
    let m = manifest(out);
    let mut total_rejected = 0;
    let mut by_table_written: BTreeMap<String, u64> = BTreeMap::new();
    for (t, c) in m["tables"].as_object().unwrap() {
        let (read, acc, rej, sup) = counts(&m, t);
        assert_eq!(read, acc + rej + sup, "{t}: read = accepted + rejected + superseded");
        let by_reason: u64 = reasons(&m, t).values().sum();
        assert_eq!(by_reason, rej, "{t}: reasons add up");
        total_rejected += rej;
        let input_rows: u64 = m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["table"] == *t)
            .map(|i| i["rows"].as_u64().unwrap())
            .sum();
        assert_eq!(input_rows, read, "{t}: rows per file add up");
        *by_table_written.entry(t.clone()).or_default() += c["written"].as_u64().unwrap();
    }
    assert_eq!(rejects(out).len() as u64, total_rejected);
    for (t, n) in m["warehouse"].as_object().unwrap() {
        assert_eq!(table(out, t).height() as u64, n.as_u64().unwrap(), "rows of warehouse table {t}");
    }
}

#[test]
fn clean_build_reconciles() {
    let out = tmp();
    assert_eq!(build(&data("canonical"), out.path()).code, 0);
    reconcile(out.path());
}

#[test]
fn rebuilds_are_byte_identical() {
    let (a, b) = (tmp(), tmp());
    assert_eq!(build(&data("dirty"), a.path()).code, 1);
    assert_eq!(build(&data("dirty"), b.path()).code, 1);
    assert_identical(&a.path().join("warehouse"), &b.path().join("warehouse"));
}

/// Same files, same bytes; the manifest may differ only in `run_at`.
pub fn assert_identical(a: &Path, b: &Path) {
    let fa = files(a);
    assert_eq!(fa, files(b));
    assert!(!fa.is_empty(), "no files under {}", a.display());
    for f in fa {
        let (x, y) = (std::fs::read(a.join(&f)).unwrap(), std::fs::read(b.join(&f)).unwrap());
        if f.ends_with("_manifest.json") {
            let strip = |v: Vec<u8>| {
                let mut j: serde_json::Value = serde_json::from_slice(&v).unwrap();
                j["run_at"] = serde_json::Value::Null;
                j
            };
            assert_eq!(strip(x), strip(y));
        } else {
            assert!(x == y, "{} differs", f.display());
        }
    }
}

#[test]
fn validate_reports_and_writes_nothing() {
    let out = tmp();
    let target = out.path().join("never");
    let r = traineval(&["validate", data("dirty").to_str().unwrap(), "--out", target.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1);
    assert!(!target.exists(), "validate must not write");
    assert!(r.stdout.contains("survey_pre"), "{}", r.stdout);
    assert!(r.stdout.contains("cadres.csv:4 [unit_id] unknown_id: unknown unit `U9`"), "{}", r.stdout);
    let ok = traineval(&["validate", data("canonical").to_str().unwrap()], &[]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

#[test]
fn usage_errors_exit_2_and_name_the_file() {
    let r = traineval(&["build", "/no/such/pipeline.toml"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/no/such/pipeline.toml"), "{}", r.stderr);

    let dir = tmp();
    let toml = dir.path().join("p.toml");
    std::fs::write(&toml, "period = \"2025\"\n\n[indicators]\nmin_cel = 5\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("min_cel") && r.stderr.contains("line 4"), "{}", r.stderr);

    std::fs::write(&toml, "[inputs.cadres]\npath = \"missing.csv\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);

    std::fs::write(dir.path().join("c.csv"), "id,name\n1,x\n").unwrap();
    std::fs::write(&toml, "[inputs.cadres]\npath = \"c.csv\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("c.csv") && r.stderr.contains("cadre_id"), "{}", r.stderr);
}

#[test]
fn a_failed_build_leaves_the_previous_warehouse_intact() {
    let out = tmp();
    assert_eq!(build(&data("canonical"), out.path()).code, 0);
    let before: Vec<_> = files(&out.path().join("warehouse"));
    let m1 = std::fs::read(out.path().join("warehouse/_manifest.json")).unwrap();
    // A canonical directory whose cadres file has no cadre_id column fails mid-build.
    let dir = tmp();
    for f in std::fs::read_dir(data("canonical")).unwrap().flatten() {
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    std::fs::write(dir.path().join("survey_post.csv"), "class,who\nK1,C02\n").unwrap();
    let r = build(dir.path(), out.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("survey_post.csv"), "{}", r.stderr);
    assert_eq!(files(&out.path().join("warehouse")), before);
    assert_eq!(std::fs::read(out.path().join("warehouse/_manifest.json")).unwrap(), m1);
    let leftovers: Vec<_> = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("warehouse")]);
}

#[test]
fn ids_are_pseudonymised_with_a_key() {
    let out = tmp();
    let r = traineval(
        &["build", data("canonical").to_str().unwrap(), "--out", out.path().to_str().unwrap()],
        &[("TRAINEVAL_ID_KEY", "office-secret")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = manifest(out.path());
    assert_eq!(m["pseudonymised"], true);
    let cad = table(out.path(), "cadres");
    let ids: Vec<String> = cad.column("cadre_id").unwrap().str().unwrap().no_null_iter().map(String::from).collect();
    assert!(ids.iter().all(|i| i.len() == 16 && i.chars().all(|c| c.is_ascii_hexdigit())), "{ids:?}");
    let expected = traineval::pseudonym::Pseudonymizer::new(Some("office-secret")).apply("C01");
    assert!(ids.contains(&expected));
    // Raters are cadres: their ids are pseudonymised the same way, so they still join.
    let raters = table(out.path(), "course_ratings");
    for r in raters.column("rater_id").unwrap().str().unwrap().no_null_iter() {
        assert!(ids.iter().any(|i| i == r), "{r}");
    }
    // Teacher and unit ids are kept.
    let tr = table(out.path(), "trainee_ratings");
    let rid: Vec<&str> = tr.column("rater_id").unwrap().str().unwrap().no_null_iter().collect();
    assert!(rid.contains(&"M1") && rid.contains(&"T1"));
    for f in files(&out.path().join("warehouse")) {
        let bytes = std::fs::read(out.path().join("warehouse").join(&f)).unwrap();
        assert!(!contains(&bytes, b"C01"), "raw id in {}", f.display());
    }
}

#[test]
fn data_dictionary_is_current() {
    let r = traineval(&["schema"], &[]);
    assert_eq!(r.code, 0);
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/warehouse.md")).unwrap_or_default();
    assert!(doc == r.stdout, "docs/warehouse.md is out of date: run `traineval schema > docs/warehouse.md`");
    let j: serde_json::Value = serde_json::from_str(&traineval(&["schema", "--format", "json"], &[]).stdout).unwrap();
    assert_eq!(j.as_array().unwrap().len(), traineval::schema::TABLES.len());
}

/// `indicators` sets mimalloc's option 15 to keep freed memory: the option the allocator
/// lists 16th (in `mi_option_t` order, at start-up with `MIMALLOC_VERBOSE`) must be
/// `purge_delay`, or an upgrade of mimalloc has moved it.
#[test]
fn the_allocator_keeps_freed_memory() {
    let r = traineval(&["--version"], &[("MIMALLOC_VERBOSE", "1")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let options: Vec<&str> = r.stderr.lines().filter_map(|l| l.strip_prefix("option '")?.split('\'').next()).collect();
    assert_eq!(options.get(15), Some(&"purge_delay"), "{options:?}");
}

/// A CSV file that is UTF-8 for its first megabytes and GBK after them (an export whose
/// Chinese text comes late) is read once until the GBK bytes, its input undone (a row
/// group of it was already written), and read again whole: the warehouse and the
/// rejects are those of the same text saved as UTF-8, and the manifest gives the
/// file's own hash and `gb18030`.
#[test]
fn a_file_that_is_not_utf8_only_late_builds_as_if_read_whole() {
    let src = data("canonical");
    let canonical = std::fs::read_to_string(src.join("cadres.csv")).unwrap();
    let (header, rows) = canonical.split_once('\n').unwrap();
    // More ASCII rows than a row group, with a few rejects among them; then the
    // canonical rows, whose names are Chinese.
    let mut text = format!("{header}\n");
    for i in 0..140_000 {
        let category = if i % 10_000 == 7 { "nonsense" } else { "middle_level" };
        text.push_str(&format!("X{i:06},n{i},male,1980,{category},,U1,true,2005-01-01\n"));
    }
    text.push_str(rows);
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy && std::str::from_utf8(&gbk).is_err() && std::str::from_utf8(&gbk[..4 << 20]).is_ok());
    let (dirs, outs) = ([tmp(), tmp()], [tmp(), tmp()]);
    for (dir, cadres) in dirs.iter().zip([gbk.to_vec(), text.clone().into_bytes()]) {
        for f in std::fs::read_dir(&src).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
        std::fs::write(dir.path().join("cadres.csv"), cadres).unwrap();
    }
    let mut logs = Vec::new();
    for (dir, out) in dirs.iter().zip(&outs) {
        let r = traineval(&["build", dir.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "-vv"], &[]);
        assert!(r.code <= 1, "{}{}", r.stdout, r.stderr);
        logs.push((r.code, r.stderr));
    }
    assert_eq!(logs[0].0, logs[1].0);
    let logs: Vec<String> = logs.into_iter().map(|l| l.1).collect();
    assert!(logs[0].contains("reading the input again") && !logs[1].contains("reading the input again"));
    let (a, b) = (outs[0].path().join("warehouse"), outs[1].path().join("warehouse"));
    let fa = files(&a);
    assert_eq!(fa, files(&b));
    // No directory is left behind by the undone rows: the same directories, none empty.
    let dirs_of = |root: &Path| {
        let mut d: Vec<_> = fa.iter().flat_map(|f| f.ancestors().skip(1)).map(|d| root.join(d)).collect();
        d.sort();
        d.dedup();
        d
    };
    for root in [&a, &b] {
        let mut all = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            all.push(d.clone());
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                }
            }
        }
        all.sort();
        assert_eq!(all, dirs_of(root));
    }
    for f in fa.iter().filter(|f| !f.ends_with("_manifest.json")) {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{} differs", f.display());
    }
    assert_eq!(counts(&manifest(outs[0].path()), "cadres").2, 14);
    // The manifests differ only in the file's hash and encoding (and so the build id).
    let (mut ma, mut mb) = (manifest(outs[0].path()), manifest(outs[1].path()));
    let entry = |m: &serde_json::Value| {
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .position(|i| i["path"].as_str().unwrap().ends_with("cadres.csv"))
            .unwrap()
    };
    let (ia, ib) = (entry(&ma), entry(&mb));
    assert_eq!(ma["inputs"][ia]["sha256"], traineval::ingest::sha256_hex(&gbk));
    assert_eq!(ma["inputs"][ia]["encoding"], "gb18030");
    assert_eq!(mb["inputs"][ib]["sha256"], traineval::ingest::sha256_hex(text.as_bytes()));
    assert_eq!(mb["inputs"][ib]["encoding"], "utf-8");
    for m in [&mut ma, &mut mb] {
        let i = entry(m);
        m["inputs"][i]["sha256"] = serde_json::Value::Null;
        m["inputs"][i]["encoding"] = serde_json::Value::Null;
        m["run_at"] = serde_json::Value::Null;
        for (_, y) in m["years"].as_object_mut().unwrap() {
            y["build"] = serde_json::Value::Null;
            y["inputs"][i]["sha256"] = serde_json::Value::Null;
            y["inputs"][i]["encoding"] = serde_json::Value::Null;
        }
    }
    assert_eq!(ma, mb);
}
