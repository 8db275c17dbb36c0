//! Replacing a whole output directory at once: the one implementation of the atomic
//! swap that `build` (also `--replace-year`) and `indicators` use.
//!
//! In: an output directory's parent (OUT) and a prefix naming what is staged. Out: a
//! [`Staging`] directory beside the final one, to be filled and then committed.
//! Guarantees:
//! - the staging directory is under the same parent as the final one, so a rename
//!   never crosses file systems;
//! - [`Staging::commit`] exchanges the two directories with one
//!   `renameat2(RENAME_EXCHANGE)` on Linux: at every instant the final path is either
//!   the complete old directory or the complete new one, even if the process is killed
//!   (`kill -9`) at any point. Where the exchange is unavailable (another OS, a file
//!   system without it), the old directory is renamed aside first and the new one
//!   renamed in: a reader may then find no directory for an instant, never a partial one;
//! - whatever a killed run leaves behind (a staging directory, the old directory moved
//!   aside) is named `.<name>.tmp-<pid>` / `.<name>.old-<pid>` and removed by
//!   [`clean_stale`] at the start of the next run; a staging directory that is dropped
//!   without being committed is removed at once;
//! - [`Staging::commit_keeping_old`] swaps the same way but leaves the old directory
//!   aside (`.<name>.old-<pid>-<n>`) instead of deleting it: a directory of 10⁴ files
//!   costs seconds to unlink, which the next run does on a background thread
//!   ([`stale_in`], [`remove_in_background`]) while it renders, instead of this one
//!   making its user wait.
//!
//! For tests of that guarantee, `TRAINEVAL_FAULT=before-swap` (or `after-swap`) aborts
//! the process just before the exchange (or just after it, before the old directory is
//! removed), as a kill at the worst moment would.

use std::path::{Path, PathBuf};

use crate::error::WarehouseError;

/// Environment variable of the fault hook (module doc).
pub const FAULT_ENV: &str = "TRAINEVAL_FAULT";

/// A directory being filled, swapped into place by [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl Staging {
    /// A new, empty staging directory for `dest` (`<parent>/.<name>.tmp-<pid>`); a
    /// leftover of the same name is removed first.
    pub fn new(dest: &Path) -> Result<Staging, WarehouseError> {
        let dir = sibling(dest, "tmp");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| WarehouseError::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| WarehouseError::io(&dir, e))?;
        Ok(Staging { dir, dest: dest.to_path_buf(), committed: false })
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Put the staged directory in place of the destination, atomically (module doc).
    pub fn commit(mut self) -> Result<PathBuf, WarehouseError> {
        fault("before-swap");
        swap_into_place(&self.dir, &self.dest)?;
        self.committed = true;
        Ok(self.dest.clone())
    }

    /// Put the staged directory in place of the destination, atomically as
    /// [`Staging::commit`] does, and leave the previous directory aside under a name
    /// [`stale_in`] finds (`None` when there was none): its removal is the next run's.
    pub fn commit_keeping_old(mut self) -> Result<(PathBuf, Option<PathBuf>), WarehouseError> {
        fault("before-swap");
        let old = swap(&self.dir, &self.dest, true)?;
        self.committed = true;
        Ok((self.dest.clone(), old))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `<parent>/.<name>.<what>-<pid>` for `dest` = `<parent>/<name>`.
fn sibling(dest: &Path, what: &str) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Remove what killed runs left under `out`: staging directories and old directories
/// moved aside (`.<name>.tmp-<pid>`, `.<name>.old-<pid>`, and `.<name>.scratch-<pid>`
/// of `--replace-year`) for the directories this module swaps.
pub fn clean_stale(out: &Path) {
    const NAMES: [&str; 2] = [crate::layout::WAREHOUSE_DIR, crate::layout::INDICATORS_DIR];
    if let Ok(rd) = std::fs::read_dir(out) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let stale =
                NAMES.iter().any(|n| ["tmp", "old", "scratch"].iter().any(|w| name.starts_with(&format!(".{n}.{w}-"))));
            if stale {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Remove what killed runs left of the directories swapped under `root` whatever
/// their names (`.<name>.tmp-<pid>`, `.<name>.old-<pid>`): for directories of many
/// names, such as the reports of each period.
pub fn clean_stale_in(root: &Path) {
    for dir in stale_in(root) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The directories [`clean_stale_in`] would remove under `root`, listed now: a run lists
/// them before it stages its own, so that removing them meanwhile cannot touch its own.
pub fn stale_in(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(root) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let left = name.starts_with('.') && [".tmp-", ".old-"].iter().any(|w| name.contains(w));
            if left && e.path().is_dir() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Remove `dirs` (leftovers found by [`stale_in`]) on a thread of their own; join it to
/// know they are gone. A removal that fails leaves the directory for the next run.
pub fn remove_in_background(dirs: Vec<PathBuf>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for dir in dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    })
}

/// A scratch directory beside `dest` (`.<name>.scratch-<pid>`), removed when dropped:
/// for intermediate results that are never swapped in.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub fn new(dest: &Path) -> Result<Scratch, WarehouseError> {
        let dir = sibling(dest, "scratch");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| WarehouseError::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| WarehouseError::io(&dir, e))?;
        Ok(Scratch { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Atomically replace `final_dir` by `new_dir` (both under the same parent).
///
/// On Linux the two directories are exchanged with `renameat2(RENAME_EXCHANGE)` and the
/// old one is then deleted: at every instant `final_dir` is complete. Where that call is
/// unavailable, the old directory is renamed aside first (a reader may then briefly find
/// no directory, but never a partial one).
pub fn swap_into_place(new_dir: &Path, final_dir: &Path) -> Result<(), WarehouseError> {
    swap(new_dir, final_dir, false).map(|_| ())
}

/// [`swap_into_place`], which with `keep_old` leaves the old directory aside under a
/// fresh `.<name>.old-<pid>-<n>` and returns that path instead of deleting it.
fn swap(new_dir: &Path, final_dir: &Path, keep_old: bool) -> Result<Option<PathBuf>, WarehouseError> {
    if !final_dir.exists() {
        std::fs::rename(new_dir, final_dir).map_err(|e| WarehouseError::io(final_dir, e))?;
        sync_parent(final_dir);
        return Ok(None);
    }
    if exchange(new_dir, final_dir) {
        sync_parent(final_dir);
        fault("after-swap");
        // `new_dir` now holds the old directory.
        if keep_old {
            let aside = kept_name(final_dir);
            if std::fs::rename(new_dir, &aside).is_ok() {
                return Ok(Some(aside));
            }
        }
        std::fs::remove_dir_all(new_dir).map_err(|e| WarehouseError::io(new_dir, e))?;
        return Ok(None);
    }
    let old = if keep_old { kept_name(final_dir) } else { sibling(final_dir, "old") };
    std::fs::rename(final_dir, &old).map_err(|e| WarehouseError::io(final_dir, e))?;
    std::fs::rename(new_dir, final_dir).map_err(|e| WarehouseError::io(final_dir, e))?;
    sync_parent(final_dir);
    fault("after-swap");
    if keep_old {
        return Ok(Some(old));
    }
    std::fs::remove_dir_all(&old).map_err(|e| WarehouseError::io(&old, e))?;
    Ok(None)
}

/// A name for an old directory kept aside that no other directory has: one process may
/// swap the same destination several times, and an earlier one may still be being
/// removed in the background.
fn kept_name(dest: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let base = sibling(dest, "old");
    loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = base.with_file_name(format!("{}-{n}", base.file_name().unwrap_or_default().to_string_lossy()));
        if !p.exists() {
            return p;
        }
    }
}

/// Abort the process when the fault hook names `point` (module doc).
fn fault(point: &str) {
    if std::env::var(FAULT_ENV).is_ok_and(|v| v == point) {
        std::process::abort();
    }
}

/// Make the renames in `path`'s parent durable (best effort: a crash of the machine, not
/// only of the process, then finds the new entry).
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent() {
        if let Ok(d) = std::fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(ca), Ok(cb)) = (CString::new(a.as_os_str().as_bytes()), CString::new(b.as_os_str().as_bytes())) else {
        return false;
    };
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    rc == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_any_name_are_cleaned_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        for d in [".2025.tmp-123", ".2024.old-9", "2025", ".cache"] {
            std::fs::create_dir_all(root.path().join(d)).unwrap();
        }
        std::fs::write(root.path().join(".notes.tmp-1"), "a file, not a swap").unwrap();
        clean_stale_in(root.path());
        let mut left: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".cache", ".notes.tmp-1", "2025"]);
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn commit_replaces_the_whole_directory_and_leaves_nothing_behind() {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("warehouse");
        write(&dest, "old.txt", "old");
        let s = Staging::new(&dest).unwrap();
        write(s.path(), "new.txt", "new");
        s.commit().unwrap();
        assert!(dest.join("new.txt").is_file());
        assert!(!dest.join("old.txt").exists(), "the old directory is gone whole");
        let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("warehouse")]);
        // A first commit (no destination yet) is a plain rename.
        let other = out.path().join("indicators");
        let s = Staging::new(&other).unwrap();
        write(s.path(), "t.parquet", "x");
        s.commit().unwrap();
        assert!(other.join("t.parquet").is_file());
    }

    #[test]
    fn commit_keeping_old_leaves_the_old_directory_aside_for_the_next_run() {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("2025");
        write(&dest.join("class"), "old.html", "old");
        let s = Staging::new(&dest).unwrap();
        write(s.path(), "new.html", "new");
        let (dir, old) = s.commit_keeping_old().unwrap();
        assert_eq!(dir, dest);
        assert!(dest.join("new.html").is_file() && !dest.join("class").exists(), "the new directory, whole");
        let old = old.expect("the previous directory is kept aside");
        assert_eq!(std::fs::read_to_string(old.join("class/old.html")).unwrap(), "old", "intact");
        assert_eq!(stale_in(out.path()), vec![old.clone()], "the next run finds it");
        // A second swap in the same process keeps its old directory under another name,
        // while the first is removed in the background.
        let cleaner = remove_in_background(stale_in(out.path()));
        let s = Staging::new(&dest).unwrap();
        write(s.path(), "newer.html", "newer");
        let (_, old2) = s.commit_keeping_old().unwrap();
        cleaner.join().unwrap();
        let old2 = old2.unwrap();
        assert_ne!(old2, old);
        assert!(!old.exists() && old2.join("new.html").is_file() && dest.join("newer.html").is_file());
        // Nothing to keep on a first commit.
        let first = out.path().join("2026");
        let s = Staging::new(&first).unwrap();
        assert_eq!(s.commit_keeping_old().unwrap().1, None);
    }

    #[test]
    fn an_uncommitted_staging_is_removed_and_stale_ones_are_cleaned() {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("warehouse");
        write(&dest, "keep.txt", "old");
        let staged = {
            let s = Staging::new(&dest).unwrap();
            write(s.path(), "half.txt", "partial");
            s.path().to_path_buf()
        };
        assert!(!staged.exists(), "dropped without commit: removed");
        assert!(dest.join("keep.txt").is_file());
        for stale in [".warehouse.tmp-1", ".warehouse.old-2", ".warehouse.scratch-3", ".indicators.tmp-4"] {
            write(&out.path().join(stale), "x", "x");
        }
        write(&out.path().join(".other.tmp-5"), "x", "x");
        clean_stale(out.path());
        let mut left: Vec<String> =
            std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left, vec![".other.tmp-5".to_string(), "warehouse".to_string()]);
    }
}
