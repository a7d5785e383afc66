//! The `json` fuzz target: see `assent_fuzz::json` and fuzz/README.md.
fn main() {
    afl::fuzz!(|data: &[u8]| assent_fuzz::json(data));
}
