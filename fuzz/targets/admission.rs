//! The `admission` fuzz target: see `assent_fuzz::admission` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::admission(data));
}
