//! `OUT/exports/_manifest.json`: the warehouse build the exports were made from, so that
//! no export outlives it.
//!
//! In: OUT — its `warehouse/_manifest.json` and `exports/`. Out: the exports manifest:
//! `run_at` and `warehouse` (the build the exports belong to: its `run_at`, and a hash
//! of everything else its manifest says), `indicators_current` (whether the indicator
//! tables were computed from that warehouse), and the files each export wrote.
//!
//! Guarantees:
//! - `build` (also `--replace-year`) leaves no export of the warehouse it replaced:
//!   [`after_build`] swaps in an empty `exports/`, noting that the indicator tables now
//!   predate the warehouse;
//! - `run` and `indicators` rebuild `exports/` whole ([`refresh`]): the exports that
//!   `[exports] on_run` asks for and nothing else;
//! - `export` first clears an `exports/` made from another warehouse or of unknown
//!   origin, and refuses indicator tables older than the warehouse ([`open`]); then
//!   [`record`] adds its files to the manifest;
//! - a directory is replaced only through the one atomic swap
//!   ([`crate::warehouse::atomic::Staging`]): a reader sees the old or the new
//!   `exports/`, never a mix; the manifest is rewritten by rename;
//! - the manifest is deterministic but for `run_at` (SPEC App. C.18).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{ReportError, WarehouseError};
use crate::warehouse::atomic::Staging;

use crate::layout::{exports_dir, indicators_dir, warehouse_dir, EXPORTS_DIR, MANIFEST_FILE};
/// Names under which exports are recorded.
pub const ASSESSMENT: &str = "assessment";
pub const CADRE_FILE: &str = "cadre_file";
pub const CADRE_PAGES: &str = "cadre_pages";

/// `OUT/exports/_manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportsManifest {
    /// `run_at` of the warehouse build the exports belong to (the only clock value).
    pub run_at: Option<String>,
    /// That warehouse: the first 16 hex digits of SHA-256 over its manifest without `run_at`.
    pub warehouse: Option<String>,
    /// The indicator tables under OUT were computed from that warehouse (false once
    /// `build` has replaced it, until `indicators` runs again).
    pub indicators_current: bool,
    /// Files under `exports/` by export.
    #[serde(default)]
    pub exports: BTreeMap<String, Vec<String>>,
}

/// One warehouse build.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    run_at: String,
    id: String,
}

/// The build of the warehouse under OUT, if there is one.
fn stamp(out: &Path) -> Result<Option<Stamp>, WarehouseError> {
    use sha2::{Digest, Sha256};
    let path = warehouse_dir(out).join(MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(WarehouseError::io(&path, e)),
    };
    let mut v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| WarehouseError::frame(path.display().to_string(), e))?;
    let run_at = v.get("run_at").and_then(|r| r.as_str()).unwrap_or_default().to_string();
    if let Some(o) = v.as_object_mut() {
        o.remove("run_at");
    }
    let mut id = hex::encode(Sha256::digest(v.to_string().as_bytes()));
    id.truncate(16);
    Ok(Some(Stamp { run_at, id }))
}

impl ExportsManifest {
    fn of(stamp: Option<&Stamp>, indicators_current: bool) -> ExportsManifest {
        ExportsManifest {
            run_at: stamp.map(|s| s.run_at.clone()),
            warehouse: stamp.map(|s| s.id.clone()),
            indicators_current,
            exports: BTreeMap::new(),
        }
    }

    /// Made from this warehouse (anything goes when there is none to compare with).
    fn belongs_to(&self, stamp: Option<&Stamp>) -> bool {
        stamp.is_none_or(|s| {
            self.run_at.as_deref() == Some(s.run_at.as_str()) && self.warehouse.as_deref() == Some(s.id.as_str())
        })
    }

    /// The manifest of an exports directory, if it has one.
    pub fn read(dir: &Path) -> Result<Option<ExportsManifest>, WarehouseError> {
        let path = dir.join(MANIFEST_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(serde_json::from_str(&text).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(WarehouseError::io(&path, e)),
        }
    }

    /// Write into `dir` (a temporary file renamed over the old one).
    fn write(&self, dir: &Path) -> Result<(), WarehouseError> {
        let path = dir.join(MANIFEST_FILE);
        let tmp = dir.join(format!(".{MANIFEST_FILE}.tmp-{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).map_err(|e| WarehouseError::frame("exports manifest", e))?;
        std::fs::write(&tmp, text + "\n").map_err(|e| WarehouseError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| WarehouseError::io(&path, e))
    }
}

/// Remove what killed runs left of `exports/` swaps (`.exports.tmp-<pid>`, `.exports.old-<pid>`).
fn clean_leftovers(out: &Path) {
    let Ok(rd) = std::fs::read_dir(out) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if [".tmp-", ".old-"].iter().any(|w| name.starts_with(&format!(".{EXPORTS_DIR}{w}"))) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Replace `exports/` by a directory holding only `manifest`.
fn swap_in_empty(out: &Path, manifest: &ExportsManifest) -> Result<(), WarehouseError> {
    let staging = Staging::new(&exports_dir(out))?;
    manifest.write(staging.path())?;
    staging.commit().map(|_| ())
}

/// After `build` replaced the warehouse: no export of the old one stays, and the
/// indicator tables (if any) are marked as older than the warehouse. Nothing is created
/// when OUT has neither exports nor indicator tables.
pub fn after_build(out: &Path) -> Result<(), WarehouseError> {
    clean_leftovers(out);
    if !exports_dir(out).exists() && !indicators_dir(out).is_dir() {
        return Ok(());
    }
    swap_in_empty(out, &ExportsManifest::of(stamp(out)?.as_ref(), false))
}

/// After `indicators`: rebuild `exports/` whole. `write` writes the wanted exports into
/// the directory it is given and returns their files by export; the directory then
/// replaces `exports/` at once. Nothing is created when nothing is wanted and there was
/// no `exports/`.
pub fn refresh<E: From<WarehouseError>>(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<BTreeMap<String, Vec<String>>, E>,
) -> Result<BTreeMap<String, Vec<String>>, E> {
    clean_leftovers(out);
    let dir = exports_dir(out);
    let staging = Staging::new(&dir)?;
    let exports = match write(staging.path()) {
        Ok(e) => e,
        Err(e) => {
            // The exports in place were made from older indicator tables: none of them
            // may stay, even when the new ones cannot be written.
            drop(staging);
            if dir.exists() {
                let _ = stamp(out).map(|s| swap_in_empty(out, &ExportsManifest::of(s.as_ref(), true)));
            }
            return Err(e);
        }
    };
    if exports.is_empty() && !dir.exists() {
        // Dropped uncommitted: removed.
        return Ok(exports);
    }
    let mut manifest = ExportsManifest::of(stamp(out)?.as_ref(), true);
    manifest.exports = exports.clone();
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(exports)
}

/// Before `export` writes into `OUT/exports/`: an `exports/` made from another
/// warehouse, or of unknown origin, is replaced by an empty one; an export that reads
/// the indicator tables (`reads_indicators`) is refused when they predate the warehouse.
pub fn open(out: &Path, reads_indicators: bool) -> Result<(), ReportError> {
    clean_leftovers(out);
    let stamp = stamp(out)?;
    match ExportsManifest::read(&exports_dir(out))? {
        Some(m) if m.belongs_to(stamp.as_ref()) => {
            let indicators = indicators_dir(out);
            if reads_indicators && !m.indicators_current && indicators.is_dir() {
                return Err(ReportError::Render {
                    what: "export".into(),
                    message: format!(
                        "{}: the indicator tables were computed from the warehouse that `traineval build` has \
                         replaced since; run `traineval indicators` first",
                        crate::error::display_path(&indicators)
                    ),
                });
            }
            Ok(())
        }
        _ => Ok(swap_in_empty(out, &ExportsManifest::of(stamp.as_ref(), true))?),
    }
}

/// Add `files` (names under `exports/`) to the manifest as written by `export`.
pub fn record(out: &Path, export: &str, files: &[String]) -> Result<(), WarehouseError> {
    let dir = exports_dir(out);
    let mut manifest = match ExportsManifest::read(&dir)? {
        Some(m) => m,
        None => ExportsManifest::of(stamp(out)?.as_ref(), true),
    };
    let entry = manifest.exports.entry(export.to_string()).or_default();
    entry.extend(files.iter().cloned());
    entry.sort();
    entry.dedup();
    manifest.write(&dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warehouse(out: &Path, run_at: &str, rows: u64) {
        let wh = warehouse_dir(out);
        std::fs::create_dir_all(&wh).unwrap();
        let m = serde_json::json!({"run_at": run_at, "tables": {"cadres": rows}});
        std::fs::write(wh.join(MANIFEST_FILE), m.to_string()).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn exports_of_an_older_warehouse_are_cleared_and_stale_indicators_refused() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        warehouse(out, "2025-01-01T00:00:00Z", 10);
        let dir = exports_dir(out);
        // Files of unknown origin (an older version wrote them): cleared on first export.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("assessment.xlsx"), "old").unwrap();
        open(out, true).unwrap();
        assert_eq!(names(&dir), [MANIFEST_FILE]);
        std::fs::write(dir.join("assessment.xlsx"), "new").unwrap();
        record(out, ASSESSMENT, &["assessment.xlsx".into()]).unwrap();
        // Same warehouse: kept.
        open(out, true).unwrap();
        assert_eq!(names(&dir), ["_manifest.json", "assessment.xlsx"]);
        // A new build (same content, new run): cleared, and the indicator tables are stale.
        std::fs::create_dir_all(indicators_dir(out)).unwrap();
        warehouse(out, "2025-01-02T00:00:00Z", 10);
        after_build(out).unwrap();
        assert_eq!(names(&dir), [MANIFEST_FILE]);
        let e = open(out, true).unwrap_err().to_string();
        assert!(e.contains("run `traineval indicators` first"), "{e}");
        open(out, false).unwrap();
        // `indicators` refreshes: the wanted exports, nothing else; no leftovers beside.
        let wrote = refresh(out, |d| -> Result<_, WarehouseError> {
            std::fs::write(d.join("assessment.csv"), "x").unwrap();
            Ok(BTreeMap::from([(ASSESSMENT.to_string(), vec!["assessment.csv".to_string()])]))
        })
        .unwrap();
        assert_eq!(wrote.len(), 1);
        assert_eq!(names(&dir), ["_manifest.json", "assessment.csv"]);
        open(out, true).unwrap();
        let m = ExportsManifest::read(&dir).unwrap().unwrap();
        assert!(m.indicators_current);
        assert_eq!(m.run_at.as_deref(), Some("2025-01-02T00:00:00Z"));
        assert_eq!(names(out), ["exports", "indicators", "warehouse"]);
        // Another warehouse with the same run time but other content: cleared too.
        warehouse(out, "2025-01-02T00:00:00Z", 11);
        open(out, false).unwrap();
        assert_eq!(names(&dir), [MANIFEST_FILE]);
    }

    #[test]
    fn nothing_is_created_when_there_is_nothing_to_clear() {
        let out = tempfile::tempdir().unwrap();
        warehouse(out.path(), "2025-01-01T00:00:00Z", 1);
        after_build(out.path()).unwrap();
        refresh(out.path(), |_| -> Result<_, WarehouseError> { Ok(BTreeMap::new()) }).unwrap();
        assert_eq!(names(out.path()), ["warehouse"]);
    }
}
