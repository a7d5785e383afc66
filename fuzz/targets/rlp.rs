//! The `rlp` fuzz target: see `assent_fuzz::rlp` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::rlp(data));
}
