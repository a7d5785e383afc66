//! The `parse` fuzz target: see `assent_fuzz::parse` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::parse(data));
}
