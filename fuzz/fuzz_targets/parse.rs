//! Arbitrary bytes through the lexer and parser: no panic, no hang, no stack overflow,
//! every diagnostic inside the text. Run with `cargo +nightly fuzz run parse`.
#![no_main]

use assent_lang::span::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (_, diagnostics) = assent_lang::syntax::parse(FileId(0), &text);
    for diagnostic in &diagnostics {
        assert!(text.get(diagnostic.primary.span.range()).is_some());
    }
});
