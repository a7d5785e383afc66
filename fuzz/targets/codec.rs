//! The `codec` fuzz target: see `assent_fuzz::codec` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::codec(data));
}
