//! The layout of an output directory (OUT): the one place that names where each stage
//! writes, for the stages and for the readers of their output. Depends on nothing.
//!
//! ```text
//! OUT/warehouse/            build (with _manifest.json and _rejects/)
//! OUT/indicators/           indicators
//! OUT/reports/<period>/     report
//! OUT/exports/              export (with its own _manifest.json)
//! ```

use std::path::{Path, PathBuf};

/// Directory name of the warehouse under OUT.
pub const WAREHOUSE_DIR: &str = "warehouse";
/// Directory name of the indicator tables under OUT.
pub const INDICATORS_DIR: &str = "indicators";
/// Directory name of the exports under OUT.
pub const EXPORTS_DIR: &str = "exports";
/// File name of the manifest of the warehouse and of the exports.
pub const MANIFEST_FILE: &str = "_manifest.json";

/// `OUT/warehouse`.
pub fn warehouse_dir(out: &Path) -> PathBuf {
    out.join(WAREHOUSE_DIR)
}

/// `OUT/indicators`.
pub fn indicators_dir(out: &Path) -> PathBuf {
    out.join(INDICATORS_DIR)
}

/// `OUT/exports`.
pub fn exports_dir(out: &Path) -> PathBuf {
    out.join(EXPORTS_DIR)
}
