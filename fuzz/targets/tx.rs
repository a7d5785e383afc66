//! The `tx` fuzz target: see `assent_fuzz::tx` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::tx(data));
}
