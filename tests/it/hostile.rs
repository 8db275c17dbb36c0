//! Hostile inputs (issue 9): whatever a file contains, traineval gives a clear error
//! naming the file or clean rejects, the right exit code, no panic, and reconciliation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::foundation::reconcile;

/// A copy of the clean canonical fixture with `file` replaced by `bytes`.
fn fixture_with(file: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tmp();
    for f in std::fs::read_dir(data("canonical")).unwrap().flatten() {
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    std::fs::write(dir.path().join(file), bytes).unwrap();
    dir
}

fn build_dir(dir: &Path) -> (Run, tempfile::TempDir) {
    let out = tmp();
    let r = traineval(&["build", dir.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    (r, out)
}

fn one_line_error(r: &Run, code: i32, must_contain: &[&str]) {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let err = r.stderr.trim();
    assert_eq!(err.lines().count(), 1, "one-line message expected: {err}");
    for m in must_contain {
        assert!(err.contains(m), "`{m}` missing from: {err}");
    }
}

const ENROLL_HEAD: &str = "class_id,cadre_id,attended_hours,leave_hours,discipline_flags,exam_score,completed\n";

#[test]
fn encodings() {
    // UTF-8 with BOM: the BOM never leaks into the first header.
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend_from_slice(std::fs::read(data("canonical/units.csv")).unwrap().as_slice());
    let (r, out) = build_dir(fixture_with("units.csv", &b).path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(table(out.path(), "units").height(), 3);

    // UTF-16 LE with BOM.
    let text = std::fs::read_to_string(data("canonical/units.csv")).unwrap();
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    let (r, out) = build_dir(fixture_with("units.csv", &b).path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(table(out.path(), "units").height(), 3);

    // GBK without BOM.
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (r, _) = build_dir(fixture_with("units.csv", &gbk).path());
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Bytes that are neither UTF-8 nor GBK: one line naming the file and the line.
    let mut bad = text.as_bytes().to_vec();
    bad.extend_from_slice(b"U9,\xff\xfe\xff\x80,party,x\n");
    let (r, _) = build_dir(fixture_with("units.csv", &bad).path());
    one_line_error(&r, 3, &["units.csv", "line 5"]);
}

#[test]
fn truncated_and_empty_files() {
    // Empty file and header-only file.
    let (r, _) = build_dir(fixture_with("units.csv", b"").path());
    one_line_error(&r, 2, &["units.csv", "empty"]);
    let (r, out) = build_dir(fixture_with("unit_outcomes.csv", b"unit_id,period,metric,value\n").path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(manifest(out.path())["tables"]["unit_outcomes"]["read"], 0);

    // CSV cut in the middle of a quoted field.
    let (r, out) = build_dir(fixture_with("unit_outcomes.csv", b"unit_id,period,metric,value\nU1,2024,\"perf").path());
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    reconcile(out.path());

    // Truncated XLSX and Parquet.
    let dir = fixture_with("units.csv", b"unit_id\nU1\n");
    std::fs::remove_file(dir.path().join("cadres.csv")).unwrap();
    std::fs::write(dir.path().join("cadres.xlsx"), b"PK\x03\x04 this is not a whole zip").unwrap();
    let (r, _) = build_dir(dir.path());
    one_line_error(&r, 3, &["cadres.xlsx"]);
    let dir = fixture_with("units.csv", b"unit_id\nU1\n");
    std::fs::remove_file(dir.path().join("cadres.csv")).unwrap();
    std::fs::write(dir.path().join("cadres.parquet"), b"PAR1\x00\x00garbagePAR1").unwrap();
    let (r, _) = build_dir(dir.path());
    one_line_error(&r, 3, &["cadres.parquet"]);
}

#[test]
fn bad_cells_become_rejects_not_errors() {
    let rows = [
        "K1,C02,abc,0,0,80,true",       // text in a number
        "K1,C03,NaN,0,0,80,true",       // NaN
        "K1,C05,inf,0,0,80,true",       // infinity
        "K1,C06,-3,0,0,80,true",        // negative
        "K2,C01, 90 ,0,0,80,true",      // spaces around a number are fine
        "K2,C08,84,0,0,80,perhaps",     // not a boolean
        "K2,C99,84,0,0,80,true",        // dangling reference
        "K2,C08,84,0,0,80,true",        // duplicate of the accepted row above? no: first C08 row was rejected
        "K2,C08,84,0,0,80,true",        // duplicate key
    ];
    let body = format!("{ENROLL_HEAD}{}\n", rows.join("\n"));
    let (r, out) = build_dir(fixture_with("enrollments.csv", body.as_bytes()).path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let m = manifest(out.path());
    let t = &m["tables"]["enrollments"];
    assert_eq!((t["read"].as_u64(), t["accepted"].as_u64(), t["rejected"].as_u64()), (Some(9), Some(2), Some(7)));
    let rs = &t["rejected_by_reason"];
    assert_eq!(rs["bad_number"], 3);
    assert_eq!(rs["out_of_range"], 1);
    assert_eq!(rs["bad_value"], 1);
    assert_eq!(rs["unknown_id"], 1);
    assert_eq!(rs["duplicate_key"], 1);
    reconcile(out.path());
}

#[test]
fn dates_in_many_formats() {
    let mut body = String::from("cadre_id,review_date,kind,morality,ability,diligence,achievement,integrity,grade\n");
    let dates = [
        ("2025-12-20", true),
        ("2024-02-29", true),
        ("2025-02-29", false),
        ("2025-04-31", false),
        ("20251220", false),
        ("2025/12/20", false),
        ("12/20/2025", false),
        ("2025-1-5", false),
        ("0000-00-00", false),
        ("2025-12-20T00:00:00", false),
        ("二〇二五年", false),
    ];
    for (i, (d, _)) in dates.iter().enumerate() {
        body.push_str(&format!("C0{},{d},k{i},80,80,80,80,80,competent\n", 1 + i % 8));
    }
    let (r, out) = build_dir(fixture_with("reviews.csv", body.as_bytes()).path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let m = manifest(out.path());
    let good = dates.iter().filter(|d| d.1).count() as u64;
    assert_eq!(m["tables"]["reviews"]["accepted"], good);
    assert_eq!(m["tables"]["reviews"]["rejected_by_reason"]["bad_date"], dates.len() as u64 - good);
}

#[test]
fn extra_missing_and_duplicated_columns() {
    // Extra columns are ignored; a missing optional column is null; a missing required
    // column or a duplicated one is a configuration error naming it.
    let (r, out) = build_dir(fixture_with("units.csv", "unit_id,name,colour,kind\nU1,a,red,party\nU2,b,blue,party\nU3,c,x,party\n".as_bytes()).path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(table(out.path(), "units").column("region").unwrap().null_count(), 3);
    let (r, _) = build_dir(fixture_with("units.csv", b"name,kind\na,party\n").path());
    one_line_error(&r, 2, &["units.csv", "unit_id"]);
    let (r, _) = build_dir(fixture_with("units.csv", b"unit_id,kind,kind\nU1,party,party\n").path());
    one_line_error(&r, 2, &["units.csv", "kind"]);
}

#[test]
fn huge_headers_fields_and_blank_runs_are_bounded() {
    // A 100,000-column header.
    let mut head: Vec<String> = vec!["unit_id".into(), "name".into(), "kind".into(), "region".into()];
    head.extend((0..100_000).map(|i| format!("x{i}")));
    let mut body = head.join(",");
    body.push_str("\nU1,a,party,r\nU2,b,party,r\nU3,c,party,r\n");
    let start = Instant::now();
    let (r, _) = build_dir(fixture_with("units.csv", body.as_bytes()).path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(20));

    // A 50 MB field: rejected (not a valid kind), not a crash.
    let mut body = String::from("unit_id,name,kind,region\nU1,a,party,r\nU2,b,party,r\nU3,c,party,r\nU4,d,");
    body.push_str(&"x".repeat(50 * 1024 * 1024));
    body.push_str(",r\n");
    let (r, out) = build_dir(fixture_with("units.csv", body.as_bytes()).path());
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert_eq!(manifest(out.path())["tables"]["units"]["rejected_by_reason"]["bad_value"], 1);

    // A million empty lines between rows: skipped, not counted, line numbers still right.
    let mut body = String::from("unit_id,name,kind,region\nU1,a,party,r\n");
    body.push_str(&"\n".repeat(1_000_000));
    body.push_str("U2,b,party,r\nU3,c,party,r\nU1,dup,party,r\n");
    let start = Instant::now();
    let (r, out) = build_dir(fixture_with("units.csv", body.as_bytes()).path());
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert_eq!(manifest(out.path())["tables"]["units"]["read"], 4);
    let rj = rejects(out.path());
    assert_eq!(rj.iter().find(|x| x.0 == "units").map(|x| x.1), Some(1_000_005));
}

#[test]
fn pipeline_paths_cannot_escape_quietly() {
    // An input pointing at a system file is read and fails on its header, naming it.
    let dir = tmp();
    let toml = dir.path().join("p.toml");
    std::fs::write(&toml, "[inputs.units]\npath = \"../../../../../../../../etc/hostname\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert!(r.code == 2 || r.code == 3, "{}", r.stderr);
    assert!(r.stderr.contains("hostname"), "{}", r.stderr);
    // Wildcards are only allowed in the file name.
    std::fs::write(&toml, "[inputs.units]\npath = \"*/units.csv\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// SIGKILL a build at random moments: the previous warehouse is always complete
/// and readable, and no partial file is ever visible under a final name.
#[test]
#[cfg(unix)]
fn killed_builds_never_leave_a_partial_warehouse() {
    let g = tmp();
    let r = traineval(&["generate", "--out", g.path().to_str().unwrap(), "--cadres", "20000", "--seed", "9"], &[]);
    assert_eq!(r.code, 0);
    let out = tmp();
    let first = traineval(&["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "-q"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let wh: PathBuf = out.path().join("warehouse");
    let reference = files(&wh);
    let m0 = manifest(out.path());
    // Delays spread over the build (about a second at this size).
    for (i, delay_ms) in [5u64, 40, 120, 250, 400, 600, 800, 1100].into_iter().enumerate() {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_traineval"))
            .args(["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "-q"])
            .env_remove("TRAINEVAL_ID_KEY")
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(files(&wh), reference, "kill #{i} after {delay_ms} ms changed the file set");
        let m = manifest(out.path());
        assert_eq!(m["tables"], m0["tables"], "kill #{i}");
        for def in traineval::warehouse::schema::TABLES {
            let n = table(out.path(), def.name).height() as u64;
            assert_eq!(Some(n), m["warehouse"][def.name].as_u64().or(Some(0)), "{} after kill #{i}", def.name);
        }
    }
    // The next build cleans up what the killed ones left behind.
    let again = traineval(&["build", g.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "-q"], &[]);
    assert_eq!(again.code, 0);
    let names: Vec<_> = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("warehouse")]);
}

/// `run` twice on the same inputs: warehouse, indicators, reports and exports are
/// byte-identical (the manifest may differ only in `run_at`).
#[test]
fn every_output_is_deterministic_and_free_of_names() {
    let g = tmp();
    let r = traineval(
        &["generate", "--out", g.path().to_str().unwrap(), "--cadres", "1200", "--seed", "21", "--dirty", "0.005", "--format", "platform"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = g.path().join("pipeline.toml");
    // Tolerate the planted bad rows of the small survey files.
    let toml = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("[validation]\nmax_reject_share = 0.2\n\n{toml}")).unwrap();
    let (a, b) = (tmp(), tmp());
    for out in [a.path(), b.path()] {
        let r = traineval(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"], &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = traineval(&["export", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--for", "assessment", "-q"], &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for sub in ["warehouse", "indicators", "reports", "exports"] {
        crate::foundation::assert_identical(&a.path().join(sub), &b.path().join(sub));
    }
    // No output file contains a cadre's name from the roster.
    let names = roster_names(&g.path().join("cadres.xlsx"));
    assert!(names.len() >= 500, "{} names", names.len());
    for f in files(a.path()) {
        let text = readable_text(&a.path().join(&f));
        if let Some(n) = names.iter().find(|n| text.contains(n.as_str())) {
            panic!("name {n} found in {}", f.display());
        }
    }
}

/// A file's text as a reader sees it: Parquet and XLSX are compressed, so their
/// string cells are decoded; other files are read as bytes.
fn readable_text(path: &Path) -> String {
    use calamine::{open_workbook_auto, Reader};
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => {
            use polars::prelude::SerReader;
            let df = polars::prelude::ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
            let mut out = String::new();
            for c in df.columns() {
                if let Ok(ca) = c.str() {
                    for v in ca.iter().flatten() {
                        out.push_str(v);
                        out.push('\n');
                    }
                }
            }
            out
        }
        Some("xlsx") => {
            let mut wb = open_workbook_auto(path).unwrap();
            let mut out = String::new();
            for name in wb.sheet_names() {
                for row in wb.worksheet_range(&name).unwrap().rows() {
                    for cell in row {
                        out.push_str(&cell.to_string());
                        out.push('\n');
                    }
                }
            }
            out
        }
        _ => String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned(),
    }
}

/// The 姓名 column of a platform-format roster.
fn roster_names(xlsx: &Path) -> Vec<String> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(xlsx).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let mut rows = range.rows();
    let head = rows.next().unwrap();
    let col = head.iter().position(|c| matches!(c, Data::String(s) if s == "姓名")).unwrap();
    let mut names: Vec<String> = rows
        .filter_map(|r| match &r[col] {
            // Two-character names can occur inside other Chinese text by chance; the
            // distinctive three-character ones are searched.
            Data::String(s) if s.chars().count() >= 3 => Some(s.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
