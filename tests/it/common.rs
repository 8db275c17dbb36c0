//! Helpers shared by the integration tests: run the real binary, read outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::*;

/// Output of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `traineval` with `args`, without TRAINEVAL_ID_KEY unless given in `env`.
pub fn traineval(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_traineval"));
    cmd.args(args).env_remove("TRAINEVAL_ID_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd)
}

/// Run `traineval` with `args` from the directory `cwd` (paths as a user types them).
pub fn traineval_in(cwd: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_traineval"));
    cmd.args(args).current_dir(cwd).env_remove("TRAINEVAL_ID_KEY");
    finish(cmd)
}

fn finish(mut cmd: Command) -> Run {
    let out = cmd.output().expect("spawn traineval");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fixture directory under tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("warehouse/_manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest json")
}

/// Read a warehouse table back with polars (hive partitions → `year`).
/// The rows of `df` whose text columns equal the given values.
pub fn rows_where(df: &DataFrame, equal: &[(&str, &str)]) -> DataFrame {
    let mut mask = BooleanChunked::full("mask".into(), true, df.height());
    for (column, value) in equal {
        mask = &mask & &df.column(column).unwrap().str().unwrap().equal(*value);
    }
    df.filter(&mask).unwrap()
}

pub fn table(out: &Path, name: &str) -> DataFrame {
    traineval::warehouse::read::read(&out.join("warehouse"), name).expect("read table")
}

/// Every regular file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).expect("prefix").to_path_buf());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// The rejects table as (table, row, column, reason) tuples.
pub fn rejects(out: &Path) -> Vec<(String, u64, String, String)> {
    let df = ParquetReader::new(std::fs::File::open(out.join("warehouse/_rejects/rejects.parquet")).expect("rejects"))
        .finish()
        .expect("read rejects");
    let t = df.column("table").unwrap().str().unwrap().clone();
    let r = df.column("row").unwrap().u64().unwrap().clone();
    let c = df.column("column").unwrap().str().unwrap().clone();
    let why = df.column("reason").unwrap().str().unwrap().clone();
    (0..df.height())
        .map(|i| {
            (
                t.get(i).unwrap().to_string(),
                r.get(i).unwrap(),
                c.get(i).unwrap().to_string(),
                why.get(i).unwrap().to_string(),
            )
        })
        .collect()
}
