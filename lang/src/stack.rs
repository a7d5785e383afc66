//! Deep recursion without stack overflow.
//!
//! Every pass over the tree (parser, checker, formatter, code generation) is
//! recursive, and nesting is bounded ([`crate::syntax::MAX_DEPTH`]) — but how many
//! bytes a level takes depends on the build (a debug build's frames are many times a
//! release build's). So each recursive step runs through [`guarded`], which moves to a
//! fresh heap-allocated stack segment when the current one runs low, as rustc does.

/// Room that must be left on the stack before a recursive step.
const RED_ZONE: usize = 256 * 1024;

/// The size of each new segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, on a new stack segment if the current one is nearly used up.
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
