//! Every fuzz target's body over its committed seeds (`seeds/<target>/`) and over every
//! input that ever crashed it (`regressions/<target>/`): plain `cargo test` keeps each
//! finding fixed, without AFL++.

use std::path::Path;

fn run_directory(target: &str, run: assent_fuzz::Target, kind: &str) -> usize {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&directory) else {
        return 0;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    for path in &paths {
        let data =
            std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        eprintln!("{target}: {}", path.display());
        run(&data);
    }
    paths.len()
}

/// Runs `run` over the seeds and regressions of `target`; a target without seeds fails.
fn corpus(target: &str, run: assent_fuzz::Target) {
    let seeds = run_directory(target, run, "seeds");
    assert!(
        seeds > 0,
        "the `{target}` target has no seeds in fuzz/seeds/{target}/"
    );
    run_directory(target, run, "regressions");
}

#[test]
fn parse_passes_its_corpus() {
    corpus("parse", assent_fuzz::parse);
}

#[test]
fn check_passes_its_corpus() {
    corpus("check", assent_fuzz::check);
}

#[test]
fn rlp_passes_its_corpus() {
    corpus("rlp", assent_fuzz::rlp);
}

#[test]
fn tx_passes_its_corpus() {
    corpus("tx", assent_fuzz::tx);
}

#[test]
fn codec_passes_its_corpus() {
    corpus("codec", assent_fuzz::codec);
}

#[test]
fn json_passes_its_corpus() {
    corpus("json", assent_fuzz::json);
}

#[test]
fn admission_passes_its_corpus() {
    corpus("admission", assent_fuzz::admission);
}

#[test]
fn every_target_has_a_corpus_test() {
    let tested = ["parse", "check", "rlp", "tx", "codec", "json", "admission"];
    let targets: Vec<&str> = assent_fuzz::TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(targets, tested);
    // `run.sh` (what CI runs) fuzzes the same targets.
    let script = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("run.sh"))
        .unwrap_or_default();
    let listed = script
        .lines()
        .find_map(|line| line.strip_prefix("ALL_TARGETS=("))
        .and_then(|rest| rest.strip_suffix(')'))
        .map(|names| names.split_whitespace().collect::<Vec<_>>());
    assert_eq!(listed, Some(targets));
}
