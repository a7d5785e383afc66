//! `assent verify FILES…`: prove each `property` of the contracts, or show a
//! counterexample; `assent verify --compare OLD NEW POLICY`: what two versions of a policy
//! decide differently. The prover is `assent-verify`; the SMT solver (Z3) runs as a
//! subprocess.

use std::path::PathBuf;
use std::process::ExitCode;

use assent_lang::{check, diagnostics};
use assent_verify::compare::{self, Verdict};
use assent_verify::{Solver, Status};
use clap::ValueEnum;

use assent_node::files;
use assent_node::wording::count;

#[derive(clap::Args)]
pub struct Args {
    /// Contract files, or directories searched for `*.assent` files
    #[arg(value_name = "FILES", required_unless_present = "compare")]
    paths: Vec<PathBuf>,
    /// Compare policy POLICY of two versions of a contract: the requests one permits and
    /// the other denies
    #[arg(long, num_args = 3, value_names = ["OLD", "NEW", "POLICY"], conflicts_with = "paths")]
    compare: Option<Vec<String>>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The SMT solver to run (Z3, reading SMT-LIB 2 with `-in`)
    #[arg(long, default_value = "z3", value_name = "PROGRAM")]
    solver: String,
    /// Seconds the solver may spend on one property before it is `unknown`
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    timeout: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per property, then the counterexamples
    Human,
    /// One JSON array of `{file, property, status, counterexample?, reason?}`
    Json,
}

/// Exit status 0 when every property is proven, 1 otherwise, 2 when a file does not
/// check or the solver cannot be run.
pub fn run(args: &Args) -> ExitCode {
    let solver = Solver {
        program: args.solver.clone(),
        timeout_seconds: args.timeout.max(1),
    };
    if let Err(error) = solver.probe() {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    if let Some(compare) = &args.compare {
        return run_compare(args, compare, &solver);
    }
    let paths = match files::expand_paths(&args.paths, ".assent") {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let color = files::use_color();
    let mut json = Vec::new();
    let (mut proven, mut refuted, mut unknown, mut broken) = (0usize, 0usize, 0usize, 0usize);
    for path in &paths {
        let name = path.to_string_lossy();
        let checked = check::check_file(&name, &files::DiskLoader);
        let Some(contract) = checked.contract else {
            broken += 1;
            eprint!(
                "{}",
                diagnostics::render(&checked.sources, &checked.diagnostics, color)
            );
            continue;
        };
        let results = match assent_verify::verify_contract(&contract, &solver) {
            Ok(results) => results,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        };
        for result in &results {
            match &result.status {
                Status::Proven => proven += 1,
                Status::Counterexample(_) => refuted += 1,
                Status::Unknown(_) => unknown += 1,
            }
            match args.format {
                Format::Human => println!("{}", result.line()),
                Format::Json => json.push(result.to_json(&name)),
            }
        }
        if args.format == Format::Human {
            for result in &results {
                let details = result.details();
                if !details.is_empty() {
                    print!("\n{details}");
                }
            }
        }
    }
    match args.format {
        Format::Human => eprintln!(
            "verified {}: {} proven, {}, {} unknown",
            count(proven + refuted + unknown, "property", "properties"),
            proven,
            count(refuted, "counterexample", "counterexamples"),
            unknown
        ),
        Format::Json => println!("{}", serde_json::Value::Array(json)),
    }
    if broken > 0 {
        ExitCode::from(2)
    } else if refuted > 0 || unknown > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_compare(args: &Args, compare: &[String], solver: &Solver) -> ExitCode {
    let [old, new, policy] = compare else {
        eprintln!("error: --compare takes OLD NEW POLICY");
        return ExitCode::from(2);
    };
    let color = files::use_color();
    let mut contracts = Vec::new();
    for path in [old, new] {
        let checked = check::check_file(path, &files::DiskLoader);
        match checked.contract {
            Some(contract) => contracts.push(contract),
            None => {
                eprint!(
                    "{}",
                    diagnostics::render(&checked.sources, &checked.diagnostics, color)
                );
                return ExitCode::from(2);
            }
        }
    }
    let [old_contract, new_contract] = contracts.as_slice() else {
        return ExitCode::from(2);
    };
    let verdict = match compare::compare(old_contract, new_contract, policy, solver) {
        Ok(Ok(verdict)) => verdict,
        Ok(Err(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match args.format {
        Format::Human => match &verdict {
            Verdict::Equivalent => println!("{policy}: equivalent"),
            Verdict::Unknown(reason) => println!("{policy}: unknown: {reason}"),
            Verdict::Differences(differences) => {
                println!(
                    "{policy}: {}",
                    count(differences.len(), "difference", "differences")
                );
                for difference in differences {
                    print!("\n{}", difference.describe());
                }
            }
        },
        Format::Json => println!("{}", compare::to_json(policy, &verdict)),
    }
    match verdict {
        Verdict::Equivalent => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
