//! `assent fmt` of a 2,000-line source: parse, attach comments, lay out, print. Once on
//! canonical text (the `fmt --check` case) and once on the same text squeezed onto long
//! lines (every line break that is not needed removed), which exercises line breaking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use assent_lang::format::format_source;
use assent_lang::span::FileId;
use assent_lang::syntax;
use criterion::{Criterion, criterion_group, criterion_main};

/// The standard library's modules (comments, docs, enums, records, long functions),
/// repeated up to about `lines` lines.
fn canonical_source(lines: usize) -> String {
    let modules = [
        include_str!("../../stdlib/std/consent.assent"),
        include_str!("../../stdlib/std/claims.assent"),
        include_str!("../../stdlib/std/crypto.assent"),
    ];
    let mut source = String::new();
    while source.lines().count() < lines {
        for module in modules {
            source.push_str(module);
            source.push('\n');
        }
    }
    source
}

/// Every line break that does not end a line comment replaced by a space.
fn squeezed(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        out.push_str(line.trim());
        out.push(if line.contains("//") { '\n' } else { ' ' });
    }
    out
}

fn bench_format(c: &mut Criterion) {
    let canonical = canonical_source(2_000);
    let formatted = format_source(FileId(0), &canonical).unwrap();
    let squeezed = squeezed(&canonical);
    // Guards against measuring something else (a build whose formatter does nothing).
    let unsqueezed = format_source(FileId(0), &squeezed).unwrap();
    assert_ne!(unsqueezed, squeezed);
    assert_eq!(format_source(FileId(0), &unsqueezed).unwrap(), unsqueezed);
    let lines = formatted.lines().count();
    c.bench_function(&format!("fmt {lines}-line canonical source"), |b| {
        b.iter(|| format_source(FileId(0), black_box(&formatted)))
    });
    c.bench_function(
        &format!("fmt {lines}-line source squeezed onto long lines"),
        |b| b.iter(|| format_source(FileId(0), black_box(&squeezed))),
    );
    // For reference: the parse alone, which `fmt` includes.
    c.bench_function(&format!("parse {lines}-line canonical source"), |b| {
        b.iter(|| syntax::parse_library(FileId(0), black_box(&formatted)))
    });
}

criterion_group!(benches, bench_format);
criterion_main!(benches);
