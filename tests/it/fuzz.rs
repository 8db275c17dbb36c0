//! Property tests of every input parser and of the pipeline-file loader: arbitrary
//! bytes and text never panic, and errors are typed. Cases per property are kept small
//! for CI; set PROPTEST_CASES=10000 to run longer.

use proptest::prelude::*;

use traineval::config::{InputSpec, Job};
use traineval::ingest;
use traineval::validate::{parse_bool, parse_date, parse_datetime};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

/// Read every row of a source, as the validator would.
fn drain(path: &std::path::Path) -> Result<usize, String> {
    let mut src = ingest::open(path, &InputSpec::default()).map_err(|e| e.to_string())?;
    let (mut row, mut n) = (ingest::Row::new(), 0);
    while src.next_row(&mut row).map_err(|e| e.to_string())?.is_some() {
        n += 1;
    }
    Ok(n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn csv_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("units.csv");
        std::fs::write(&p, &bytes).unwrap();
        let _ = drain(&p);
    }

    #[test]
    fn csv_like_text_never_panics(text in "[a-z,\"\\n\\r\u{feff}中文┋ ]{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("units.csv");
        std::fs::write(&p, text.as_bytes()).unwrap();
        if let Ok(n) = drain(&p) {
            prop_assert!(n <= text.matches(['\n', '\r']).count() + 1);
        }
    }

    #[test]
    fn xlsx_and_parquet_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024), zip in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let mut b = if zip { b"PK\x03\x04".to_vec() } else { b"PAR1".to_vec() };
        b.extend_from_slice(&bytes);
        for name in ["x.xlsx", "x.xls", "x.parquet"] {
            let p = dir.path().join(name);
            std::fs::write(&p, &b).unwrap();
            prop_assert!(drain(&p).is_err() || b.len() > 8);
        }
    }

    #[test]
    fn cell_parsers_never_panic(s in "\\PC{0,40}") {
        let _ = parse_date(&s, None);
        let _ = parse_date(&s, Some("%Y/%m/%d"));
        let _ = parse_datetime(&s, None);
        let _ = parse_bool(&s);
    }

    #[test]
    fn valid_dates_round_trip(y in 1900i32..2100, m in 1u32..13, d in 1u32..29) {
        let s = format!("{y:04}-{m:02}-{d:02}");
        let days = parse_date(&s, None).unwrap().unwrap();
        let back = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days as i64);
        prop_assert_eq!(back.format("%Y-%m-%d").to_string(), s);
    }

    #[test]
    fn pipeline_files_never_panic(text in "[a-z_\\[\\]=\". \\n0-9{}]{0,300}") {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, text.as_bytes()).unwrap();
        let _ = Job::load(&p, None);
    }

    #[test]
    fn pipeline_keys_are_checked(key in "[a-z_]{1,12}") {
        let known = ["max_reject_share", "speeder_seconds"];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, format!("[validation]\n{key} = 0.1\n")).unwrap();
        let r = Job::load(&p, None);
        prop_assert_eq!(r.is_ok(), known.contains(&key.as_str()), "{:?}", r.err().map(|e| e.to_string()));
    }
}
