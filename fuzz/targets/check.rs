//! The `check` fuzz target: see `assent_fuzz::check` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::check(data));
}
