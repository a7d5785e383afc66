//! Finding the scenario files of a directory tree, for the tests that run them all.

use std::path::{Path, PathBuf};

/// Every `*.scenario.json` under `dir`, sorted.
pub fn scenario_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scenario_files(&path, found);
        } else if path.to_string_lossy().ends_with(".scenario.json") {
            found.push(path);
        }
    }
}
