//! The index over small contracts: what the name at a marked place resolves to, and what
//! completes there. One helper per question; `‸` marks the place (and is removed).

use super::{CompletionKind, Index};
use crate::check::{FileLoader, check_source};
use crate::span::FileId;

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _path: &str) -> Result<String, String> {
        Err("no such file".into())
    }
}

/// The source without its marker, the index of it, and the marker's offset.
fn indexed(marked: &str) -> (String, Index, u32) {
    let at = marked.find('‸').unwrap_or_default();
    let text = marked.replacen('‸', "", 1);
    let checked = check_source("c.assent", &text, &NoFiles);
    let index = Index::build(&checked.sources);
    (text, index, u32::try_from(at).unwrap_or_default())
}

/// `kind name` of the declaration the marked name resolves to, with the declaring line's
/// text, or `unresolved`.
fn definition(marked: &str) -> String {
    let (_, index, at) = indexed(marked);
    let Some(symbol) = index.at(FileId(0), at).and_then(|o| index.symbol(o.symbol)) else {
        return "unresolved".into();
    };
    let text = index.text(symbol.file);
    let start = symbol.span.start as usize;
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text
        .get(line_start..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default();
    format!("{:?} {}: {}", symbol.kind, symbol.name, line.trim())
}

/// The labels completion proposes at the marker, with their kinds.
fn completions(marked: &str) -> Vec<String> {
    let (text, index, at) = indexed(marked);
    let before = text.get(..at as usize).unwrap_or_default();
    index
        .complete(FileId(0), before, at)
        .into_iter()
        .filter(|c| c.kind != CompletionKind::Keyword)
        .map(|c| format!("{} {:?}", c.label, c.kind))
        .collect()
}

const CONTRACT: &str = "contract C;
import std.consent;
enum Purpose { Care { Urgent }, Billing }
record Grant { purpose: Purpose, period: Period }
state grants: Map<Address, Grant>;
state count: Int;
action a(count: Int) {
    let g = grants[caller];
    let p = g.purpose;
    if true { let count = 2; require count > 0, \"x\"; }
    require count > 1, \"y\";
    match p { Purpose.Care.Urgent => {}, Billing => {}, _ => {} }
    require std.consent.active(g.period, now), \"z\";
}
";

/// The contract with `‸` where `·` is in `marker` (the first place `marker` matches).
fn at(marker: &str) -> String {
    let plain = marker.replacen('·', "", 1);
    CONTRACT.replacen(&plain, &marker.replacen('·', "‸", 1), 1)
}

#[test]
fn names_resolve_to_their_declarations() {
    let cases = [
        (
            "let p = g.·purpose",
            "Field purpose: record Grant { purpose: Purpose, period: Period }",
        ),
        (
            "let g = ·grants",
            "State grants: state grants: Map<Address, Grant>;",
        ),
        (
            "require ·count > 0",
            "Local count: if true { let count = 2; require count > 0, \"x\"; }",
        ),
        ("require ·count > 1", "Param count: action a(count: Int) {"),
        (
            "Purpose.Care.·Urgent",
            "Variant Urgent: enum Purpose { Care { Urgent }, Billing }",
        ),
        (
            "·Billing =>",
            "Variant Billing: enum Purpose { Care { Urgent }, Billing }",
        ),
        (
            "std.consent.·active",
            "Function active: fn active(p: Period, t: Time) -> Bool {",
        ),
        (
            "period: ·Period",
            "Record Period: record Period { start: Time, end: Time? }",
        ),
        ("match ·p", "Local p: let p = g.purpose;"),
    ];
    for (marker, expected) in cases {
        let marked = at(marker);
        assert_eq!(definition(&marked), expected, "at {marker}");
    }
}

#[test]
fn members_complete_after_a_dot() {
    let typed = |line: &str| {
        let text = CONTRACT.replacen(
            "    let p = g.purpose;",
            &format!("    {line}‸\n    let p = g.purpose;"),
            1,
        );
        completions(&text)
    };
    assert_eq!(typed("let x = g."), ["purpose Field", "period Field"]);
    assert_eq!(typed("let x = grants[caller].pe"), ["period Field"]);
    assert_eq!(
        typed("let x = Purpose."),
        ["Care Variant", "Billing Variant"]
    );
    assert_eq!(typed("let x = Purpose.Care."), ["Urgent Variant"]);
    assert_eq!(typed("let x = std.cons"), ["consent Module"]);
    assert_eq!(typed("let x = g.period."), ["start Field", "end Field"]);
    assert_eq!(typed("let x = co"), ["count Param"]);
}

/// Half-typed code: every sample contract cut every few bytes, and at places all over each
/// cut, the index answers what a name is, its signature and completions without panicking.
#[test]
fn every_truncation_of_every_sample_is_indexed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    let mut samples: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    samples.retain(|path| path.extension().is_some_and(|ext| ext == "assent"));
    samples.sort();
    assert!(!samples.is_empty());
    for path in samples {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for cut in (0..=text.len()).step_by(97) {
            let Some(prefix) = text.get(..cut) else {
                continue;
            };
            let checked = check_source("c.assent", prefix, &NoFiles);
            let index = Index::build(&checked.sources);
            for at in (0..=cut).step_by((cut / 16).max(1)) {
                let at = u32::try_from(at).unwrap_or_default();
                if let Some(occurrence) = index.at(FileId(0), at) {
                    index.signature(occurrence.symbol);
                    index.hierarchy(occurrence.symbol);
                    index.references(occurrence.symbol);
                }
                let before = prefix.get(..at as usize).unwrap_or_default();
                index.complete(FileId(0), before, at);
            }
        }
    }
}
