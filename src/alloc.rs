//! Allocator tuning for the stage that churns large buffers.
//!
//! mimalloc returns freed memory to the system after `purge_delay` (1 s); memory
//! asked for again comes back as page faults, which on a VM that hands freed pages back
//! to its host are dear. `indicators` allocates and frees large column buffers all
//! along, so it keeps its freed memory for reuse: a little more peak memory for less
//! time in the kernel. `build` frees less that it asks for again and would pay more peak
//! memory for it, so it does not (the measurements are in `benches/results/history.md`).
//! A `MIMALLOC_PURGE_DELAY` set by the user wins.

use std::os::raw::c_long;

/// mimalloc's index of its `purge_delay` option (v3; the order of `mi_option_t` is
/// checked by the test `the_allocator_keeps_freed_memory`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Set mimalloc's `purge_delay` and give the setting it replaces, unless the user set
/// `MIMALLOC_PURGE_DELAY` (then nothing changes and `None` comes back).
fn set_purge_delay(delay: c_long) -> Option<c_long> {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return None;
    }
    // SAFETY: reads and sets an integer option of the allocator (when mimalloc is
    // not the global allocator, an option nobody reads); touches no memory of ours.
    Some(unsafe {
        let previous = libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay);
        previous
    })
}

/// While alive, freed memory is kept for reuse; the previous setting comes back on drop.
pub struct KeepFreedMemory {
    previous: Option<c_long>,
}

impl KeepFreedMemory {
    pub fn new() -> KeepFreedMemory {
        KeepFreedMemory { previous: set_purge_delay(-1) }
    }
}

impl Default for KeepFreedMemory {
    fn default() -> Self {
        KeepFreedMemory::new()
    }
}

impl Drop for KeepFreedMemory {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            // SAFETY: as in `set_purge_delay`.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, previous) }
        }
    }
}

/// mimalloc's own default `purge_delay` (milliseconds).
const DEFAULT_PURGE_DELAY: c_long = 1000;

/// While alive (inside a [`KeepFreedMemory`]), freed memory goes back to the system
/// after mimalloc's default delay again; on drop, every thread of the rayon pool hands
/// back its freed pages, the purges scheduled so far are done at once, and the previous
/// setting comes back. For a phase whose freed memory the next phases reuse poorly
/// (other sizes, other threads): kept, it would stay in the footprint to the end.
/// A `MIMALLOC_PURGE_DELAY` set by the user wins.
pub struct ReleaseFreedMemory {
    previous: Option<c_long>,
}

impl ReleaseFreedMemory {
    pub fn new() -> ReleaseFreedMemory {
        ReleaseFreedMemory { previous: set_purge_delay(DEFAULT_PURGE_DELAY) }
    }
}

impl Default for ReleaseFreedMemory {
    fn default() -> Self {
        ReleaseFreedMemory::new()
    }
}

impl Drop for ReleaseFreedMemory {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            // A collect frees the calling thread's empty pages only; forced, it also
            // purges every arena's scheduled ranges (which no purge would reach once
            // the delay is negative again).
            // SAFETY: asks the allocator to collect its own free pages; touches no
            // memory of ours.
            rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
            // SAFETY: as above, and as in `KeepFreedMemory::drop`.
            unsafe {
                libmimalloc_sys::mi_collect(true);
                libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, previous);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_comes_back_when_the_guard_drops() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: as in `set_purge_delay`.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        let before = get();
        {
            let _keep = KeepFreedMemory::new();
            assert_eq!(get(), -1);
        }
        assert_eq!(get(), before);
    }

    #[test]
    fn releasing_purges_after_the_default_delay_then_keeps_again() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: as in `set_purge_delay`.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        let _keep = KeepFreedMemory::new();
        {
            let _release = ReleaseFreedMemory::new();
            assert_eq!(get(), DEFAULT_PURGE_DELAY);
        }
        assert_eq!(get(), -1);
    }
}
