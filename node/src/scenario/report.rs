//! What `assent test` prints: a line per scenario, each failing step with its diffs, the
//! gas report, and the closing `N passed, M failed`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::runner::{GasSample, Report};
use crate::wording::count;

/// The lines for one scenario file.
pub fn scenario(path: &str, report: &Report) -> String {
    let mut out = String::new();
    if let Some(error) = &report.error {
        let _ = writeln!(out, "FAIL {path}");
        for line in error.lines() {
            let _ = writeln!(out, "  {line}");
        }
        return out;
    }
    if report.failures.is_empty() {
        let _ = writeln!(
            out,
            "ok   {path} ({})",
            count(report.steps, "step", "steps")
        );
        return out;
    }
    let _ = writeln!(
        out,
        "FAIL {path} ({} of {} failed)",
        report.failures.len(),
        count(report.steps, "step", "steps")
    );
    for failure in &report.failures {
        let _ = writeln!(out, "  step {}: {}", failure.index, failure.description);
        if let Some(note) = &failure.note {
            let _ = writeln!(out, "    ({note})");
        }
        for problem in &failure.problems {
            let _ = writeln!(out, "    {problem}");
        }
    }
    out
}

/// The decisions a scenario explained: each step, then its explanation indented.
pub fn explanations(report: &Report) -> String {
    let mut out = String::new();
    for explained in &report.explanations {
        let _ = writeln!(out, "  step {}: {}", explained.index, explained.description);
        for line in explained.text.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// Gas per entry point: calls, min, mean (rounded down) and max, sorted by contract and
/// entry point.
pub fn gas(samples: &[GasSample]) -> String {
    let mut table: BTreeMap<(&str, &str), Vec<u64>> = BTreeMap::new();
    for sample in samples {
        table
            .entry((&sample.contract, &sample.entry))
            .or_default()
            .push(sample.gas);
    }
    let rows: Vec<[String; 5]> = table
        .iter()
        .map(|((contract, entry), gas)| {
            let min = gas.iter().min().copied().unwrap_or(0);
            let max = gas.iter().max().copied().unwrap_or(0);
            let sum: u128 = gas.iter().map(|g| u128::from(*g)).sum();
            let mean = sum / (gas.len().max(1) as u128);
            [
                format!("{contract}.{entry}"),
                gas.len().to_string(),
                min.to_string(),
                mean.to_string(),
                max.to_string(),
            ]
        })
        .collect();
    let header = [
        "entry point".to_string(),
        "calls".into(),
        "min".into(),
        "mean".into(),
        "max".into(),
    ];
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let mut out = String::from("gas report\n");
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::from(" ");
        for (index, (cell, width)) in row.iter().zip(widths).enumerate() {
            if index == 0 {
                let _ = write!(line, " {cell:<width$}");
            } else {
                let _ = write!(line, "  {cell:>width$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// Where `assent test --gas-report` keeps its last table for the language server's hovers.
pub const GAS_CACHE: &str = assent_lang::GAS_REPORT_CACHE;

/// Writes the gas table as JSON (`{"Contract.entry": {"calls", "min", "mean", "max"}}`) to
/// [`GAS_CACHE`] under `dir`, through a temporary file so a reader never sees half of it.
///
/// # Errors
/// The directory or the file cannot be written.
pub fn write_gas_cache(samples: &[GasSample], dir: &std::path::Path) -> std::io::Result<()> {
    let mut table: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for sample in samples {
        let key = format!("{}.{}", sample.contract, sample.entry);
        table.entry(key).or_default().push(sample.gas);
    }
    let entries: serde_json::Map<String, serde_json::Value> = table
        .into_iter()
        .map(|(key, gas)| {
            let sum: u128 = gas.iter().map(|g| u128::from(*g)).sum();
            let mean = u64::try_from(sum / (gas.len().max(1) as u128)).unwrap_or(u64::MAX);
            let row = serde_json::json!({
                "calls": gas.len(),
                "min": gas.iter().min().copied().unwrap_or(0),
                "mean": mean,
                "max": gas.iter().max().copied().unwrap_or(0),
            });
            (key, row)
        })
        .collect();
    let path = dir.join(GAS_CACHE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let partial = path.with_extension(format!("json.{}", std::process::id()));
    std::fs::write(&partial, serde_json::Value::Object(entries).to_string())?;
    std::fs::rename(&partial, &path)
}
