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

    // CSV cut in the middle of a quoted field: the cut row is rejected, never half-read
    // (more cases in `a_file_cut_inside_a_quoted_field_never_enters_the_warehouse`).
    let (r, out) = build_dir(fixture_with("unit_outcomes.csv", b"unit_id,period,metric,value\nU1,2024,\"perf").path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(manifest(out.path())["tables"]["unit_outcomes"]["rejected_by_reason"]["truncated_row"], 1);
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
        "K1,C02,abc,0,0,80,true",   // text in a number
        "K1,C03,NaN,0,0,80,true",   // NaN
        "K1,C05,inf,0,0,80,true",   // infinity
        "K1,C06,-3,0,0,80,true",    // negative
        "K2,C01, 90 ,0,0,80,true",  // spaces around a number are fine
        "K2,C08,84,0,0,80,perhaps", // not a boolean
        "K2,C99,84,0,0,80,true",    // dangling reference
        "K2,C08,84,0,0,80,true",    // duplicate of the accepted row above? no: first C08 row was rejected
        "K2,C08,84,0,0,80,true",    // duplicate key
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
    let (r, out) = build_dir(
        fixture_with(
            "units.csv",
            "unit_id,name,colour,kind\nU1,a,red,party\nU2,b,blue,party\nU3,c,x,party\n".as_bytes(),
        )
        .path(),
    );
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
    // Rows as wide as the header (an Excel export pads them so).
    let pad = ",".repeat(100_000);
    body.push_str(&format!("\nU1,a,party,r{pad}\nU2,b,party,r{pad}\nU3,c,party,r{pad}\n"));
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
        for def in traineval::schema::TABLES {
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
        &[
            "generate",
            "--out",
            g.path().to_str().unwrap(),
            "--cadres",
            "1200",
            "--seed",
            "21",
            "--dirty",
            "0.005",
            "--format",
            "platform",
        ],
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
        let r = traineval(
            &["export", p.to_str().unwrap(), "--out", out.to_str().unwrap(), "--for", "assessment", "-q"],
            &[],
        );
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

// ------------------------------------------------------------------------------------
// Input defects of issue 23: cut rows, rows of another width, CRLF row numbers, mappings
// that name absent headers, control characters in what is shown. Each on real files
// (tests/data/dirty/inputs, and CRLF and XLSX copies of them) through the real binary.

/// A file of tests/data/dirty/inputs, with `\r\n` line endings when `crlf`.
fn input_file(name: &str, crlf: bool) -> Vec<u8> {
    let text = std::fs::read_to_string(data("dirty/inputs").join(name)).unwrap();
    if crlf {
        text.replace('\n', "\r\n").into_bytes()
    } else {
        text.into_bytes()
    }
}

fn validate_dir(dir: &Path) -> Run {
    let r = traineval(&["validate", dir.to_str().unwrap()], &[]);
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

/// (read, accepted, rejected) of an input in the manifest.
fn counts(out: &Path, t: &str) -> (u64, u64, u64) {
    let m = manifest(out);
    let g = |k: &str| m["tables"][t][k].as_u64().unwrap_or_else(|| panic!("{t}.{k}"));
    (g("read"), g("accepted"), g("rejected"))
}

fn reasons(out: &Path, t: &str) -> Vec<(String, u64)> {
    let m = manifest(out);
    m["tables"][t]["rejected_by_reason"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

/// One row of `_rejects/rejects.parquet`, every column.
#[derive(Debug, Clone)]
struct RejectRow {
    table: String,
    file: String,
    row: u64,
    column: String,
    value: String,
    reason: String,
    message: String,
}

fn reject_rows(out: &Path) -> Vec<RejectRow> {
    use polars::prelude::*;
    let f = std::fs::File::open(out.join("warehouse/_rejects/rejects.parquet")).unwrap();
    let df = ParquetReader::new(f).finish().unwrap();
    let s = |c: &str, i: usize| df.column(c).unwrap().str().unwrap().get(i).unwrap_or_default().to_string();
    (0..df.height())
        .map(|i| RejectRow {
            table: s("table", i),
            file: s("file", i),
            row: df.column("row").unwrap().u64().unwrap().get(i).unwrap(),
            column: s("column", i),
            value: s("value", i),
            reason: s("reason", i),
            message: s("message", i),
        })
        .collect()
}

/// (row, reason) of the rejects of one table.
fn rejected_lines(out: &Path, t: &str) -> Vec<(u64, String)> {
    reject_rows(out).into_iter().filter(|r| r.table == t).map(|r| (r.row, r.reason)).collect()
}

/// A one-sheet workbook: `rows[i]` on sheet row `i + 1`; an empty slice is a blank row.
fn write_xlsx(path: &Path, rows: &[Vec<&str>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(i as u32, j as u16, *cell).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

/// The cells of a CSV fixture as rows of text, for writing the same rows into a sheet.
fn csv_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.split('\n')
        .map(
            |l| if l.is_empty() { Vec::new() } else { l.split(',').map(|c| c.trim_matches('"').to_string()).collect() },
        )
        .collect()
}

#[test]
fn crlf_and_lf_files_point_at_the_same_rows() {
    for crlf in [false, true] {
        let dir = fixture_with("enrollments.csv", &input_file("enrollments.csv", crlf));
        let (r, out) = build_dir(dir.path());
        // 1 of 10 rows rejected is above the 5 % tolerance.
        assert_eq!(r.code, 1, "crlf {crlf}: {}", r.stderr);
        assert_eq!(counts(out.path(), "enrollments"), (10, 9, 1), "crlf {crlf}");
        assert_eq!(rejected_lines(out.path(), "enrollments"), [(11, "bad_value".to_string())], "crlf {crlf}");
        let v = validate_dir(dir.path());
        assert_eq!(v.code, 1);
        assert!(v.stdout.contains("enrollments.csv:11 [completed] bad_value"), "crlf {crlf}: {}", v.stdout);

        // Rows after a quoted field that holds a line break, and after rows of another width.
        let dir = fixture_with("units.csv", &input_file("units.csv", crlf));
        let (r, out) = build_dir(dir.path());
        assert_eq!(r.code, 1, "{}", r.stderr);
        let want: Vec<(u64, String)> =
            [(3, "bad_shape"), (4, "bad_shape"), (8, "bad_value")].map(|(l, w)| (l, w.to_string())).to_vec();
        assert_eq!(rejected_lines(out.path(), "units"), want, "crlf {crlf}");
        reconcile(out.path());
    }
    // The same rows in a sheet (row 5 blank): sheet row numbers.
    let dir = fixture_with("units.csv", &std::fs::read(data("canonical/units.csv")).unwrap());
    std::fs::remove_file(dir.path().join("enrollments.csv")).unwrap();
    let cells = csv_cells(&input_file("enrollments.csv", false));
    let rows: Vec<Vec<&str>> = cells.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    write_xlsx(&dir.path().join("enrollments.xlsx"), &rows);
    let (r, out) = build_dir(dir.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(counts(out.path(), "enrollments"), (10, 9, 1));
    assert_eq!(rejected_lines(out.path(), "enrollments"), [(11, "bad_value".to_string())]);
}

#[test]
fn a_file_cut_inside_a_quoted_field_never_enters_the_warehouse() {
    for crlf in [false, true] {
        // Cut inside the quoted value of the last row: `8` was accepted before.
        let dir = fixture_with("unit_outcomes.csv", &input_file("unit_outcomes.csv", crlf));
        let (r, out) = build_dir(dir.path());
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(counts(out.path(), "unit_outcomes"), (3, 2, 1), "crlf {crlf}");
        let rj = reject_rows(out.path());
        let cut: Vec<&RejectRow> = rj.iter().filter(|x| x.table == "unit_outcomes").collect();
        assert_eq!(cut.len(), 1);
        assert_eq!(
            (cut[0].row, cut[0].reason.as_str(), cut[0].column.as_str(), cut[0].value.as_str()),
            (4, "truncated_row", "", "")
        );
        assert_eq!(cut[0].file, "unit_outcomes.csv");
        assert!(cut[0].message.contains("cut off"), "{}", cut[0].message);
        let units: Vec<String> = table(out.path(), "unit_outcomes")
            .column("unit_id")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .map(String::from)
            .collect();
        assert_eq!(units, ["U1", "U2"]);
        reconcile(out.path());
        let v = validate_dir(dir.path());
        assert_eq!(v.code, 1);
        assert!(
            v.stdout.contains("unit_outcomes.csv:4 truncated_row: the file ends inside a quoted field"),
            "{}",
            v.stdout
        );
    }

    // Cut on the first data row, and right after an opening quote.
    for body in [&b"unit_id,period,metric,value\r\n\"U1,2024"[..], b"unit_id,period,metric,value\n\""] {
        let (r, out) = build_dir(fixture_with("unit_outcomes.csv", body).path());
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(counts(out.path(), "unit_outcomes"), (1, 0, 1));
        assert_eq!(rejected_lines(out.path(), "unit_outcomes"), [(2, "truncated_row".to_string())]);
        assert_eq!(table(out.path(), "unit_outcomes").height(), 0);
        reconcile(out.path());
    }

    // Cut inside a quoted field that already holds line breaks: the row's first line
    // is reported, and the message names the lines it runs over.
    let mut units = std::fs::read(data("canonical/units.csv")).unwrap();
    units.extend_from_slice("U4,\"东城区\r\n税务局\r\n第二".as_bytes());
    let (r, out) = build_dir(fixture_with("units.csv", &units).path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(counts(out.path(), "units"), (4, 3, 1));
    let cut = reject_rows(out.path()).into_iter().find(|x| x.table == "units").unwrap();
    assert_eq!((cut.row, cut.reason.as_str()), (5, "truncated_row"));
    assert!(cut.message.contains("lines 5-7"), "{}", cut.message);

    // A header cut inside a quote: the file is unusable, one line naming both lines.
    let (r, _) = build_dir(fixture_with("unit_outcomes.csv", b"unit_id,period,\"metric,value\nU1").path());
    one_line_error(&r, 2, &["unit_outcomes.csv", "line 1", "line 2", "quoted field"]);
}

#[test]
fn rows_whose_field_count_differs_from_the_header_are_bad_shape() {
    for crlf in [false, true] {
        let (r, out) = build_dir(fixture_with("units.csv", &input_file("units.csv", crlf)).path());
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(counts(out.path(), "units"), (6, 3, 3));
        assert_eq!(reasons(out.path(), "units"), [("bad_shape".to_string(), 2), ("bad_value".to_string(), 1)]);
        let rj = reject_rows(out.path());
        let shape: Vec<&RejectRow> = rj.iter().filter(|x| x.reason == "bad_shape").collect();
        assert!(shape[0].message.contains("row has 3 fields but the header has 4"), "{}", shape[0].message);
        assert!(shape[1].message.contains("row has 5 fields but the header has 4"), "{}", shape[1].message);
        assert!(shape.iter().all(|x| x.value.is_empty() && x.column.is_empty()));
        // The multi-line name is kept whole; `U3,…,institution,` has 4 fields, the last empty.
        let u = table(out.path(), "units").sort(["unit_id"], Default::default()).unwrap();
        let names: Vec<&str> = u.column("name").unwrap().str().unwrap().no_null_iter().collect();
        let eol = if crlf { "\r\n" } else { "\n" };
        assert_eq!(names[1], format!("东城区{eol}财政局"));
        assert_eq!(u.column("region").unwrap().str().unwrap().get(2), None);
        reconcile(out.path());
    }

    // A row of a million fields (a few MB): rejected with both counts, nothing of it kept.
    let mut body = std::fs::read(data("canonical/units.csv")).unwrap();
    body.extend_from_slice(b"U4,d,party,r");
    body.extend_from_slice(",x".repeat(1_000_000).as_bytes());
    body.extend_from_slice(b"\n");
    let dir = fixture_with("units.csv", &body);
    let (r, out) = build_dir(dir.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(counts(out.path(), "units"), (4, 3, 1));
    let rj = reject_rows(out.path());
    assert_eq!(rj.len(), 1);
    assert_eq!((rj[0].row, rj[0].reason.as_str(), rj[0].value.as_str()), (5, "bad_shape", ""));
    assert!(rj[0].message.contains("row has 1000004 fields but the header has 4"), "{}", rj[0].message);
    assert!(rj[0].message.len() < 200);
    let rejects_csv = std::fs::metadata(out.path().join("warehouse/_rejects/rejects.csv")).unwrap().len();
    assert!(rejects_csv < 1024, "rejects.csv holds {rejects_csv} bytes");
    assert_eq!(table(out.path(), "units").height(), 3);
    assert_eq!(validate_dir(dir.path()).code, 1);

    // A sheet: trailing blank cells are blank, a value beyond the header's last named
    // column breaks the shape; row numbers are sheet rows (row 4 blank).
    let dir = fixture_with("units.csv", b"");
    std::fs::remove_file(dir.path().join("units.csv")).unwrap();
    write_xlsx(
        &dir.path().join("units.xlsx"),
        &[
            vec!["unit_id", "name", "kind", "region"],
            vec!["U1", "a", "party", "r"],
            vec!["U2", "b", "party"],
            vec![],
            vec!["U3", "c", "party", "r", "", "stray"],
            vec!["U9", "", "", "", "", "", ""],
        ],
    );
    let (r, out) = build_dir(dir.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(counts(out.path(), "units"), (4, 3, 1));
    let rj = reject_rows(out.path());
    let bad = rj.iter().find(|x| x.table == "units").unwrap();
    assert_eq!((bad.row, bad.reason.as_str()), (5, "bad_shape"));
    assert!(bad.message.contains("row has 6 fields but the header has 4"), "{}", bad.message);
}

#[test]
fn survey_platform_exports_get_the_same_shape_rules() {
    let g = tmp();
    let r = traineval(
        &["generate", "--out", g.path().to_str().unwrap(), "--cadres", "200", "--seed", "5", "--format", "platform"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = g.path().join("pipeline.toml");
    let base = tmp();
    let r = traineval(&["build", p.to_str().unwrap(), "--out", base.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Two copies of the export's last row in GBK with CRLF endings: one with a field more
    // (a shifted row), one cut short by a field.
    let path = g.path().join("survey_pre.csv");
    let raw = std::fs::read(&path).unwrap();
    let (text, _, bad) = encoding_rs::GBK.decode(&raw);
    assert!(!bad);
    let lines: Vec<&str> = text.lines().collect();
    let last = lines[lines.len() - 1];
    let cut = &last[..last.rfind(',').unwrap()];
    let body = format!("{}\r\n{last},额外\r\n{cut}\r\n", lines.join("\r\n"));
    let (gbk, _, _) = encoding_rs::GBK.encode(&body);
    std::fs::write(&path, &gbk).unwrap();
    let out = tmp();
    let r = traineval(&["build", p.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let (read0, acc0, rej0) = counts(base.path(), "survey_pre");
    assert_eq!(counts(out.path(), "survey_pre"), (read0 + 2, acc0, rej0 + 2));
    let n = lines.len() as u64;
    let shaped: Vec<(u64, String)> =
        rejected_lines(out.path(), "survey_pre").into_iter().filter(|x| x.1 == "bad_shape").collect();
    assert_eq!(shaped, [(n + 1, "bad_shape".to_string()), (n + 2, "bad_shape".to_string())]);
    reconcile(out.path());
}

#[test]
fn a_mapping_that_names_an_absent_header_is_a_configuration_error() {
    // The mapped fixture (GBK roster with Chinese headers) and the canonical files it uses.
    let root = tmp();
    for sub in ["mapped", "canonical"] {
        std::fs::create_dir(root.path().join(sub)).unwrap();
        for f in std::fs::read_dir(data(sub)).unwrap().flatten() {
            std::fs::copy(f.path(), root.path().join(sub).join(f.file_name())).unwrap();
        }
    }
    let toml = root.path().join("mapped/mapped.toml");
    let good = std::fs::read_to_string(&toml).unwrap();
    assert!(good.contains("birth_year = \"出生年份\""));
    let bad =
        good.replace("birth_year = \"出生年份\"", "birth_year = \"出生年月\"\npromoted_on = \"任现职级时间\"").replace(
            "[inputs.units]\npath = \"../canonical/units.csv\"",
            "[inputs.units]\npath = \"../canonical/units.csv\"\ncolumns = { region = \"地区\" }",
        );
    std::fs::write(&toml, &bad).unwrap();
    let out = tmp();
    for cmd in ["validate", "build"] {
        let r = traineval(&[cmd, toml.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
        assert_eq!(r.code, 2, "{cmd}: {}{}", r.stdout, r.stderr);
        let lines: Vec<&str> = r.stderr.trim().lines().collect();
        // All three problems of the run, together; each names its file and lists the headers.
        assert_eq!(lines.len(), 4, "{}", r.stderr);
        assert!(lines[0].contains("3 problems"), "{}", r.stderr);
        assert!(r.stderr.contains("cadres_zh.csv: [inputs.cadres.columns] birth_year = \"出生年月\""), "{}", r.stderr);
        assert!(r.stderr.contains("promoted_on = \"任现职级时间\""), "{}", r.stderr);
        assert!(r.stderr.contains("units.csv: [inputs.units.columns] region = \"地区\""), "{}", r.stderr);
        assert!(r.stderr.contains("its headers: 干部编号, 姓名, 性别, 出生年份"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    assert!(!out.path().join("warehouse").exists(), "a configuration error writes nothing");

    // A key that is no column of the table.
    std::fs::write(&toml, good.replace("birth_year = \"出生年份\"", "birth_yaer = \"出生年份\"")).unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    one_line_error(
        &r,
        2,
        &["mapped.toml", "[inputs.cadres.columns] birth_yaer", "no column `birth_yaer`", "birth_year"],
    );

    // The roster as a sheet: the same check, from the sheet's header row.
    let rows = vec![vec!["干部编号", "性别", "出生年份", "干部类别"], vec!["C01", "男", "1975", "县处级领导干部"]];
    write_xlsx(&root.path().join("mapped/cadres.xlsx"), &rows);
    let sheet = good
        .replace("path = \"cadres_zh.csv\"", "path = \"cadres.xlsx\"")
        .replace("birth_year = \"出生年份\"", "birth_year = \"出生年月\"");
    std::fs::write(&toml, sheet).unwrap();
    let r = traineval(&["build", toml.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cadres.xlsx: [inputs.cadres.columns] birth_year = \"出生年月\""), "{}", r.stderr);
    assert!(r.stderr.contains("its headers: 干部编号, 性别, 出生年份, 干部类别"), "{}", r.stderr);

    // Put right, it builds.
    std::fs::write(&toml, &good).unwrap();
    let r = traineval(&["build", toml.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A Parquet input: its column names are read from the footer.
    use polars::prelude::*;
    let mut units =
        df!("编号" => ["U1", "U2", "U3"], "名称" => ["a", "b", "c"], "类型" => ["party", "party", "party"]).unwrap();
    ParquetWriter::new(std::fs::File::create(root.path().join("mapped/units.parquet")).unwrap())
        .finish(&mut units)
        .unwrap();
    let section = "[inputs.units]\npath = \"units.parquet\"\ncolumns = { unit_id = \"编号\", kind = \"类型\", region = \"地区\" }";
    let parquet = good.replace("[inputs.units]\npath = \"../canonical/units.csv\"", section);
    std::fs::write(&toml, &parquet).unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    one_line_error(
        &r,
        2,
        &["units.parquet: [inputs.units.columns] region = \"地区\"", "its headers: 编号, 名称, 类型"],
    );
    std::fs::write(&toml, parquet.replace(", region = \"地区\"", "")).unwrap();
    let r = traineval(&["build", toml.to_str().unwrap(), "--out", out.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(counts(out.path(), "units"), (3, 3, 0));
}

/// No byte of a terminal control sequence in what the binary printed.
fn assert_no_control_codes(r: &Run) {
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
        assert!(bad.is_empty(), "{what} holds {bad:?}: {text}");
    }
}

#[test]
fn control_characters_are_escaped_wherever_user_text_is_shown() {
    // Cells: a terminal escape as a kind, a formula-like kind, an id with a colour code.
    let units = "unit_id,name,kind,region\nU1,a,party,r\nU2,b,party,r\nU3,c,\u{1b}]0;pwned\u{7}\u{1b}[2J,r\nU4,d,\t=cmd|' /C calc'!A0,r\n";
    let dir = fixture_with("units.csv", units.as_bytes());
    let mut cadres = std::fs::read_to_string(data("canonical/cadres.csv")).unwrap();
    cadres.push_str("C09,某,male,1980,middle_level,科员,\"U\u{1b}[31m\n9\"\"\",true,\n");
    std::fs::write(dir.path().join("cadres.csv"), &cadres).unwrap();
    let v = validate_dir(dir.path());
    assert_eq!(v.code, 1, "{}", v.stderr);
    assert_no_control_codes(&v);
    assert!(
        v.stdout.contains("units.csv:4 [kind] bad_value: `kind` = \"\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\""),
        "{}",
        v.stdout
    );
    // Cells are trimmed (SPEC App. C.20), so the tab goes and the formula stays.
    assert!(v.stdout.contains("units.csv:5 [kind] bad_value: `kind` = \"=cmd"), "{}", v.stdout);
    assert!(v.stdout.contains("cadres.csv:10 [unit_id] unknown_id: unknown unit `U\\u{1b}[31m\\n9\"`"), "{}", v.stdout);
    let (r, out) = build_dir(dir.path());
    assert_eq!(r.code, 1);
    assert_no_control_codes(&r);
    // The rejects Parquet keeps the exact values; its messages are escaped.
    let rj = reject_rows(out.path());
    let value = |t: &str, row: u64| rj.iter().find(|x| x.table == t && x.row == row).unwrap().clone();
    assert_eq!(value("units", 4).value, "\u{1b}]0;pwned\u{7}\u{1b}[2J");
    assert_eq!(value("units", 5).value, "=cmd|' /C calc'!A0");
    assert_eq!(value("cadres", 10).value, "U\u{1b}[31m\n9\"");
    assert!(rj.iter().all(|x| !x.message.chars().any(char::is_control)));
    // The rejects CSV stays one record per reject, with the formula guard.
    let mut csv = csv::Reader::from_path(out.path().join("warehouse/_rejects/rejects.csv")).unwrap();
    let recs: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), rj.len());
    assert!(recs.iter().all(|r| r.len() == 7));
    let vals: Vec<&str> = recs.iter().map(|r| &r[4]).collect();
    assert!(vals.contains(&"'=cmd|' /C calc'!A0"), "{vals:?}");
    assert!(vals.contains(&"U\u{1b}[31m\n9\""), "{vals:?}");

    // Headers: a header cell with an escape sequence, listed in the error.
    let (r, _) = build_dir(fixture_with("units.csv", "\u{1b}[2Junit_id,name\nU1,a\n".as_bytes()).path());
    one_line_error(&r, 2, &["units.csv", "required column `unit_id`", "found: \\u{1b}[2Junit_id, name"]);
    assert_no_control_codes(&r);

    // File names: in rejects, in errors, in the warning about a file naming no table.
    let dir = tmp();
    let name = "u\u{1b}]0;x\u{7}.csv";
    std::fs::write(dir.path().join(name), units).unwrap();
    let toml = dir.path().join("p.toml");
    std::fs::write(&toml, "[inputs.units]\npath = \"u\\u001b]0;x\\u0007.csv\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_no_control_codes(&r);
    assert!(r.stdout.contains("u\\u{1b}]0;x\\u{7}.csv:4 [kind]"), "{}", r.stdout);
    std::fs::write(&toml, "[inputs.units]\npath = \"nope\\u001b[2J.csv\"\n").unwrap();
    let r = traineval(&["validate", toml.to_str().unwrap()], &[]);
    one_line_error(&r, 2, &["nope\\u{1b}[2J.csv"]);
    assert_no_control_codes(&r);
    let dir = fixture_with("units\u{1b}[2J.csv", units.as_bytes());
    let r = validate_dir(dir.path());
    assert!(r.stderr.contains("units\\u{1b}[2J.csv: file name does not name a table"), "{}", r.stderr);
    assert_no_control_codes(&r);
}

#[test]
fn every_reject_reason_is_named_in_both_report_languages() {
    use traineval::report::{i18n::Catalogue, Lang};
    for reason in traineval::validate::Reason::ALL {
        for lang in [Lang::Zh, Lang::En] {
            let key = format!("reason.{}", reason.code());
            assert!(Catalogue::new(lang).labels().contains_key(key.as_str()), "{key} has no {lang:?} text");
        }
    }
}
