//! `assent test PATH…`: runs `*.scenario.json` files on the ledger and reports each
//! failing step with a diff; closes with `N passed, M failed`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use assent_node::files;
use assent_node::scenario::{self, Options, report};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario files, or directories searched recursively for `*.scenario.json`
    #[arg(required = true, value_name = "PATHS")]
    paths: Vec<PathBuf>,
    /// Print the gas used per entry point (calls, min, mean, max)
    #[arg(long)]
    gas_report: bool,
    /// Print each scenario's trace as JSON lines on standard output: every block's
    /// number and state root with its receipt, every view's result
    #[arg(long)]
    trace: bool,
    /// Keep the ledger of the (single) scenario in DIR instead of memory, for
    /// `assent replay --data DIR`
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Explain every policy decision of a `view` step: each rule in evaluation order,
    /// whether its conditions held and the values that decided them, and for a denial
    /// the permit rules that came closest (steps with `"explain": true` always are)
    #[arg(long)]
    explain: bool,
}

/// Exit status 1 when any scenario fails, 2 when the paths cannot be read.
pub fn run(args: &Args) -> ExitCode {
    let paths = match files::expand_paths(&args.paths, ".scenario.json") {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if paths.is_empty() {
        eprintln!(
            "error: no `*.scenario.json` files found; give scenario files or directories holding them"
        );
        return ExitCode::from(2);
    }
    if args.data.is_some() && paths.len() != 1 {
        eprintln!(
            "error: `--data` keeps the ledger of one scenario, but {} were given",
            paths.len()
        );
        return ExitCode::from(2);
    }
    let options = Options {
        data: args.data.clone(),
        explain: args.explain,
    };
    let mut stdout = std::io::stdout().lock();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut gas = Vec::new();
    for path in &paths {
        let shown = path.display().to_string();
        let report = scenario::run(path, &options);
        if report.passed() {
            passed += 1;
        } else {
            failed += 1;
        }
        let _ = write!(stdout, "{}", report::scenario(&shown, &report));
        let _ = write!(stdout, "{}", report::explanations(&report));
        if args.trace {
            for entry in &report.trace {
                let _ = writeln!(stdout, "{entry}");
            }
        }
        gas.extend(report.gas);
    }
    if args.gas_report {
        let _ = write!(stdout, "{}", report::gas(&gas));
        // For the language server's hovers; a read-only directory only loses them.
        let _ = report::write_gas_cache(&gas, std::path::Path::new("."));
    }
    let _ = writeln!(stdout, "{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
