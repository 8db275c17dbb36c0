//! Where on the disk a report's files go: a hint to the file system, nothing else.
//!
//! In: the directory a report is staged in and swapped into (`OUT/reports/`, or the
//! period's directory for another language).
//! Out: on ext2/3/4, that directory marked as the top of directory hierarchies
//! (`chattr +T`, `FS_TOPDIR_FL`); elsewhere, or when the mark is refused, nothing.
//! Guarantees: no file is read or written; the pages' bytes and paths do not depend on
//! it; it never fails the report.
//!
//! Why: a report is 10⁴–10⁵ new files in one directory, and each run replaces the
//! previous report, whose files are deleted a moment before or while the new ones are
//! created. ext4 puts a new file's inode in its directory's block group, and a file
//! system without a journal skips there, for every new inode, each free inode deleted
//! in the last minutes (and each one in an inode-table block that is dirty, which the
//! new inodes themselves make), testing them one by one: creating the pages beside the
//! freshly deleted ones costs time that grows with the square of their number, under
//! the directory's lock, so the two workers wait on each other too (`perf`: a quarter
//! of the report's CPU time in `open`, in `recently_deleted`). Under a directory marked
//! `+T` the allocator places each new subdirectory, here the staging directory of the
//! next report, in a block group with many free inodes and few directories instead of
//! beside its parent, so the new pages' inodes come from a group where nothing was
//! just deleted. The mark is the one `chattr +T` sets by hand; it stays on the
//! directory, and only changes where ext4 places the directories made in it.

use std::path::Path;

/// `FS_TOPDIR_FL` of `linux/fs.h`: "top of directory hierarchies" for the Orlov
/// allocator of ext2/3/4.
#[cfg(target_os = "linux")]
const FS_TOPDIR_FL: libc::c_int = 0x0002_0000;

/// Mark `dir` so that the directories made in it are spread over the disk (see the
/// module documentation); true when the mark is set (set now or already).
pub(crate) fn spread_subdirectories(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let Ok(file) = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_DIRECTORY).open(dir) else {
            return false;
        };
        let fd = file.as_raw_fd();
        let mut flags: libc::c_int = 0;
        // SAFETY: `fd` is an open directory for the whole call; FS_IOC_GETFLAGS writes one
        // `int` (the kernel's type for these flags, whatever the ioctl number says) into
        // `flags`, which lives on this stack frame.
        if unsafe { libc::ioctl(fd, libc::FS_IOC_GETFLAGS, &mut flags as *mut libc::c_int) } != 0 {
            return false;
        }
        if flags & FS_TOPDIR_FL != 0 {
            return true;
        }
        flags |= FS_TOPDIR_FL;
        // SAFETY: as above; FS_IOC_SETFLAGS reads one `int` from `flags`.
        unsafe { libc::ioctl(fd, libc::FS_IOC_SETFLAGS, &flags as *const libc::c_int) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_a_directory_leaves_its_contents_and_never_fails() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.html"), "a").unwrap();
        // Whether the mark holds depends on the file system the tests run on.
        let first = spread_subdirectories(dir.path());
        assert_eq!(spread_subdirectories(dir.path()), first, "idempotent");
        assert_eq!(std::fs::read_to_string(dir.path().join("a.html")).unwrap(), "a");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(dir.path().join("sub").is_dir());
        assert!(!spread_subdirectories(&dir.path().join("missing")));
        assert!(!spread_subdirectories(&dir.path().join("a.html")), "a file is not marked");
    }
}
