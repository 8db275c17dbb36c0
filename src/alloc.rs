//! Allocator tuning for the stage that churns large buffers.
//!
//! mimalloc returns freed memory to the system after `purge_delay` (1 s); memory
//! asked for again comes back as page faults, which on a VM that hands freed pages back
//! to its host are dear. `indicators` allocates and frees large column buffers all
//! along, so it keeps its freed memory for reuse: a little more peak memory for less
//! time in the kernel. `build` frees less that it asks for again and would pay more peak
//! memory for it, so it does not (the measurements are in `benches/results/history.md`).
//! A `MIMALLOC_PURGE_DELAY` set by the user wins.
//!
//! The setting is one for the whole process, and guards may live on several threads at
//! once (tests run pipelines side by side), so the guards do not each restore what they
//! found: they are counted, and the setting follows the live ones. A release outranks a
//! keep (a release phase nests inside a kept stage); with no guard alive the setting is
//! what it was before the first one.

use std::os::raw::c_long;
use std::sync::{Mutex, PoisonError};

/// mimalloc's index of its `purge_delay` option (v3; the order of `mi_option_t` is
/// checked by the test `the_allocator_keeps_freed_memory`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's own default `purge_delay` (milliseconds).
const DEFAULT_PURGE_DELAY: c_long = 1000;

/// `purge_delay` that keeps freed memory for good.
const NEVER_PURGE: c_long = -1;

#[derive(Clone, Copy)]
enum Phase {
    Keep,
    Release,
}

/// The guards alive in the process and the setting found before the first of them.
struct Live {
    keep: usize,
    release: usize,
    outside: c_long,
}

impl Live {
    /// The delay the live guards ask for.
    fn delay(&self) -> c_long {
        if self.release > 0 {
            DEFAULT_PURGE_DELAY
        } else if self.keep > 0 {
            NEVER_PURGE
        } else {
            self.outside
        }
    }

    /// A guard of `phase` starts; `current` reads the setting in force. Gives the delay to set.
    fn enter(&mut self, phase: Phase, current: impl FnOnce() -> c_long) -> c_long {
        if self.keep + self.release == 0 {
            self.outside = current();
        }
        match phase {
            Phase::Keep => self.keep += 1,
            Phase::Release => self.release += 1,
        }
        self.delay()
    }

    /// A guard of `phase` ends. Gives the delay to set.
    fn leave(&mut self, phase: Phase) -> c_long {
        match phase {
            Phase::Keep => self.keep = self.keep.saturating_sub(1),
            Phase::Release => self.release = self.release.saturating_sub(1),
        }
        self.delay()
    }
}

static LIVE: Mutex<Live> = Mutex::new(Live { keep: 0, release: 0, outside: DEFAULT_PURGE_DELAY });

fn get_purge_delay() -> c_long {
    // SAFETY: reads an integer option of the allocator; touches no memory of ours.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

fn set_purge_delay(delay: c_long) {
    // SAFETY: sets an integer option of the allocator (when mimalloc is not the global
    // allocator, an option nobody reads); touches no memory of ours.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) }
}

/// Counts a guard of `phase` in, unless the user set `MIMALLOC_PURGE_DELAY` (then
/// nothing changes and `false` comes back).
fn enter(phase: Phase) -> bool {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return false;
    }
    // The lock is held while the option is set so that two guards cannot set it out
    // of the order of their counts; a poisoned lock still holds consistent counts.
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    set_purge_delay(live.enter(phase, get_purge_delay));
    true
}

fn leave(phase: Phase) {
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    set_purge_delay(live.leave(phase));
}

/// While alive, freed memory is kept for reuse (unless a [`ReleaseFreedMemory`] is alive
/// too); the previous setting comes back when the last guard drops.
pub struct KeepFreedMemory {
    counted: bool,
}

impl KeepFreedMemory {
    pub fn new() -> KeepFreedMemory {
        KeepFreedMemory { counted: enter(Phase::Keep) }
    }
}

impl Default for KeepFreedMemory {
    fn default() -> Self {
        KeepFreedMemory::new()
    }
}

impl Drop for KeepFreedMemory {
    fn drop(&mut self) {
        if self.counted {
            leave(Phase::Keep);
        }
    }
}

/// While alive (inside a [`KeepFreedMemory`]), freed memory goes back to the system
/// after mimalloc's default delay again; on drop, every thread of the rayon pool hands
/// back its freed pages, the purges scheduled so far are done at once, and the setting
/// follows the guards still alive. For a phase whose freed memory the next phases reuse
/// poorly (other sizes, other threads): kept, it would stay in the footprint to the end.
/// A `MIMALLOC_PURGE_DELAY` set by the user wins.
pub struct ReleaseFreedMemory {
    counted: bool,
}

impl ReleaseFreedMemory {
    pub fn new() -> ReleaseFreedMemory {
        ReleaseFreedMemory { counted: enter(Phase::Release) }
    }
}

impl Default for ReleaseFreedMemory {
    fn default() -> Self {
        ReleaseFreedMemory::new()
    }
}

impl Drop for ReleaseFreedMemory {
    fn drop(&mut self) {
        if self.counted {
            // A collect frees the calling thread's empty pages only; forced, it also
            // purges every arena's scheduled ranges (which no purge would reach once
            // the delay is negative again).
            // SAFETY: asks the allocator to collect its own free pages; touches no
            // memory of ours.
            rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
            // SAFETY: as above.
            unsafe { libmimalloc_sys::mi_collect(true) };
            leave(Phase::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Live {
        Live { keep: 0, release: 0, outside: 0 }
    }

    #[test]
    fn the_setting_comes_back_when_the_last_guard_drops() {
        let mut live = fresh();
        assert_eq!(live.enter(Phase::Keep, || 250), NEVER_PURGE);
        assert_eq!(live.enter(Phase::Release, || panic!("read once, before the first guard")), DEFAULT_PURGE_DELAY);
        assert_eq!(live.leave(Phase::Release), NEVER_PURGE);
        assert_eq!(live.leave(Phase::Keep), 250);
    }

    #[test]
    fn guards_of_other_threads_interleave_without_losing_the_setting() {
        // The order that once left a test reading -1 after its guard dropped: a release
        // of another pipeline starts first and ends while ours is still alive.
        let mut live = fresh();
        assert_eq!(live.enter(Phase::Keep, || 250), NEVER_PURGE); // pipeline A
        assert_eq!(live.enter(Phase::Release, || 0), DEFAULT_PURGE_DELAY); // A's indicators
        assert_eq!(live.enter(Phase::Keep, || 0), DEFAULT_PURGE_DELAY); // pipeline B
        assert_eq!(live.leave(Phase::Release), NEVER_PURGE);
        assert_eq!(live.leave(Phase::Keep), NEVER_PURGE); // A ends, B still keeps
        assert_eq!(live.enter(Phase::Release, || 0), DEFAULT_PURGE_DELAY); // B's indicators
        assert_eq!(live.leave(Phase::Release), NEVER_PURGE);
        assert_eq!(live.leave(Phase::Keep), 250);
        // The next first guard reads the setting afresh.
        assert_eq!(live.enter(Phase::Keep, || 300), NEVER_PURGE);
        assert_eq!(live.leave(Phase::Keep), 300);
    }

    #[test]
    fn a_live_release_sets_the_allocator_whatever_else_is_alive() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // Other tests' pipelines may hold guards meanwhile; a release outranks them all,
        // and a keep is outranked by theirs only, so these reads hold in any order.
        let _keep = KeepFreedMemory::new();
        assert!([NEVER_PURGE, DEFAULT_PURGE_DELAY].contains(&get_purge_delay()));
        {
            let _release = ReleaseFreedMemory::new();
            assert_eq!(get_purge_delay(), DEFAULT_PURGE_DELAY);
        }
        assert!([NEVER_PURGE, DEFAULT_PURGE_DELAY].contains(&get_purge_delay()));
    }
}
