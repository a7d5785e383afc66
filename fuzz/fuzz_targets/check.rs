//! Arbitrary bytes through the whole front end (parse, resolve, type-check) and the
//! formatter. Run with `cargo +nightly fuzz run check -- -dict=fuzz/assent.dict`.
#![no_main]

use assent_lang::check::{FileLoader, check_source};
use assent_lang::span::FileId;
use libfuzzer_sys::fuzz_target;

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _path: &str) -> Result<String, String> {
        Err("no files while fuzzing".to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = check_source("fuzz.assent", &text, &NoFiles);
    if let Ok(formatted) = assent_lang::format::format_source(FileId(0), &text) {
        // What the formatter prints parses again.
        let (_, diagnostics) = assent_lang::syntax::parse(FileId(0), &formatted);
        assert!(diagnostics.is_empty(), "{formatted}");
    }
});
