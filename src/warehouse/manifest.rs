//! `_manifest.json`: schema version, tool version, input hashes, row counts per input
//! table (read = accepted + rejected + superseded), rows per warehouse table, and the
//! validation report. Only `run_at` depends on the clock.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::WarehouseError;
use crate::validate::{InputFile, TableCounts, ValidationReport};

/// Bumped whenever a warehouse table changes shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool: String,
    pub run_at: String,
    pub period: String,
    pub pseudonymised: bool,
    pub inputs: Vec<ManifestInput>,
    pub tables: BTreeMap<String, ManifestCounts>,
    /// Rows per warehouse table.
    pub warehouse: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    /// Every year the warehouse holds (a `year=` partition of any table): the build that
    /// wrote it, that build's inputs, and the rows of the year per table. A full build
    /// writes every year of its inputs; `build --replace-year Y` rewrites the entry of Y
    /// and keeps the others (`inputs`, `tables` and `warnings` above are the latest
    /// build's).
    #[serde(default)]
    pub years: BTreeMap<String, YearRecord>,
}

/// One year held by the warehouse.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct YearRecord {
    /// The build that wrote the year: the first 16 hex digits of SHA-256 over its
    /// inputs' paths and hashes (the same inputs, the same id; no clock).
    pub build: String,
    /// `full` (a build of all its inputs' years) or `replace-year`.
    pub how: String,
    /// The inputs of that build.
    pub inputs: Vec<ManifestInput>,
    /// Rows of the year per partitioned table.
    pub rows: BTreeMap<String, u64>,
}

/// The id of a build with these inputs (see [`YearRecord::build`]).
pub fn build_id(inputs: &[ManifestInput]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&ManifestInput> = inputs.iter().collect();
    sorted.sort_by(|a, b| (&a.path, &a.table).cmp(&(&b.path, &b.table)));
    let mut h = Sha256::new();
    for i in sorted {
        h.update(i.path.as_bytes());
        h.update([0]);
        h.update(i.table.as_bytes());
        h.update([0]);
        h.update(i.sha256.as_bytes());
        h.update([b'\n']);
    }
    let mut id = hex::encode(h.finalize());
    id.truncate(16);
    id
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestInput {
    pub path: String,
    pub sha256: String,
    pub table: String,
    pub rows: u64,
    pub encoding: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub superseded: u64,
    pub written: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
}

impl From<&TableCounts> for ManifestCounts {
    fn from(c: &TableCounts) -> Self {
        ManifestCounts {
            read: c.read,
            accepted: c.accepted,
            rejected: c.rejected,
            superseded: c.superseded,
            written: c.written,
            rejected_by_reason: c.by_reason.clone(),
        }
    }
}

impl Manifest {
    pub fn new(
        period: &str,
        pseudonymised: bool,
        files: &[InputFile],
        report: &ValidationReport,
        warehouse: BTreeMap<String, u64>,
    ) -> Self {
        Manifest {
            schema_version: SCHEMA_VERSION,
            tool: format!("traineval {}", crate::VERSION),
            run_at: now_utc(),
            period: period.to_string(),
            pseudonymised,
            inputs: files
                .iter()
                .map(|f| ManifestInput {
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                    table: f.table.clone(),
                    rows: f.rows,
                    encoding: f.encoding.clone(),
                })
                .collect(),
            tables: report.tables.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
            warehouse,
            warnings: report.warnings.clone(),
            years: BTreeMap::new(),
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), WarehouseError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| WarehouseError::frame("manifest", e))?;
        std::fs::write(path, text + "\n").map_err(|e| WarehouseError::io(path, e))
    }

    pub fn read(path: &Path) -> Result<Manifest, WarehouseError> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WarehouseError::Missing { path: path.to_path_buf() },
            _ => WarehouseError::io(path, e),
        })?;
        serde_json::from_str(&text).map_err(|e| WarehouseError::frame(format!("{}", path.display()), e))
    }
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
