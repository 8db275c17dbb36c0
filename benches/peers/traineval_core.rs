//! The benchmark's like-for-like measure: the two tables the DuckDB and polars peers
//! compute (`learning_by_class`, `reaction_by_course`), computed by traineval's own
//! indicator code from the warehouse `build` wrote, and written as Parquet the way the
//! `indicators` stage writes them. `benches/run.py` times it beside the peers, so the
//! same work can be compared as well as the whole stage (which computes 19 tables).
//!
//!     cargo build --release --example traineval_core
//!     traineval_core OUT/warehouse PEER_OUT_DIR
//!
//! It computes all three reaction tables (the family computes them together) and
//! writes the two the peers write.

use std::path::Path;
use std::process::ExitCode;

use polars::prelude::*;
use traineval::config::PipelineFile;
use traineval::indicators::{learning, reaction, LongTable, Params};
use traineval::schema::{col, indicator_def};
use traineval::warehouse::read::read_columns;
use traineval::warehouse::write::{conform, write_documented};

// The allocator of the `traineval` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn read(warehouse: &Path, table: &str, cols: &[&str]) -> Result<DataFrame, String> {
    read_columns(warehouse, table, cols).map_err(|e| format!("{table}: {e}"))
}

fn write(name: &str, df: &DataFrame, out: &Path) -> Result<(), String> {
    let def = indicator_def(name).ok_or_else(|| format!("{name} is not an indicator table"))?;
    let df = conform(def, df).map_err(|e| e.to_string())?;
    write_documented(def, &df, &out.join(format!("{name}.parquet"))).map_err(|e| e.to_string())
}

fn run(warehouse: &Path, out: &Path) -> Result<(), String> {
    let settings = PipelineFile::default();
    let ctx = Params::new(&settings, "");
    let (outcomes, classes, courses) = (
        read(warehouse, "trainee_outcomes", &[col::CLASS_ID, col::PRE_SCORE, col::POST_SCORE])?,
        read(warehouse, "classes", &[col::CLASS_ID, col::METHOD, col::TARGET_CATEGORY, col::YEAR])?,
        read(warehouse, "courses", &[col::COURSE_ID, col::CLASS_ID, col::TEACHER_ID])?,
    );
    let ratings = LongTable::warehouse(
        warehouse,
        "course_ratings",
        &[col::CLASS_ID, col::COURSE_ID, col::RATER_ID, col::INDICATOR, col::SCORE],
    )
    .map_err(|e| e.to_string())?;
    let (learning, reaction) = rayon::join(
        || learning::learning_by_class(&outcomes, &classes, &ctx),
        || reaction::reaction_tables(&ratings, &courses, &classes, &ctx),
    );
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    write("learning_by_class", &learning.map_err(|e| e.to_string())?, out)?;
    write("reaction_by_course", &reaction.map_err(|e| e.to_string())?.by_course, out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [warehouse, out] = args.as_slice() else {
        eprintln!("usage: traineval_core WAREHOUSE_DIR OUT_DIR");
        return ExitCode::from(2);
    };
    let clock = std::time::Instant::now();
    match run(Path::new(warehouse), Path::new(out)) {
        Ok(()) => {
            println!("{{\"compute_s\": {:.4}, \"engine\": \"traineval\"}}", clock.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
