//! traineval — evaluation of cadre training, as reproducible batch jobs.
//!
//! The stages, in the only order data flows:
//!
//! 1. [`config`] — the pipeline file (or a canonical directory) → a resolved [`config::Job`].
//! 2. [`ingest`] — each source file (CSV in UTF-8/GBK, XLSX, Parquet, survey-platform
//!    exports) → rows of text cells with their source row numbers.
//! 3. [`validate`] — cells → typed rows by the declared rules of each table; bad rows
//!    become [`validate::Reject`]s with file, row, column and reason.
//! 4. [`warehouse`] — typed rows → hive-partitioned Parquet, `_manifest.json`,
//!    `_rejects/`, swapped into place atomically.
//! 5. [`indicators`] — warehouse → indicator tables (pure functions over frames,
//!    statistics from [`stats`]).
//! 6. [`report`] — indicator tables → self-contained HTML reports (inline SVG charts,
//!    Chinese or English, PDF optional) and the assessment export (XLSX + CSV).
//!
//! [`pipeline`] is the only module that chains the stages; [`app`] maps commands onto it.
//! [`init`] proposes a pipeline file for a folder of office files (and infers the one
//! of the directory mode).
//! [`stats`] is pure numerics and depends on nothing else in the crate.

pub mod alloc;
pub mod app;
pub mod cells;
pub mod cli;
pub mod config;
pub mod error;
pub mod export;
pub mod generate;
pub mod indicators;
pub mod ingest;
pub mod init;
pub mod layout;
pub mod pipeline;
pub mod pseudonym;
pub mod report;
pub mod schema;
pub mod stats;
pub mod validate;
pub mod warehouse;

/// The tool's version, recorded in manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
