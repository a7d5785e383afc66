//! `assent verify FILES…`: prove each `property` of the contracts, or show a
//! counterexample; `assent verify --compare OLD NEW POLICY`: what two versions of a policy
//! decide differently. The prover is `assent-verify`; the SMT solver (Z3) runs as a
//! subprocess.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use assent_lang::{check, diagnostics};
use assent_verify::compare::{self, Verdict};
use assent_verify::{Accounts, Reproduction, Setup, Solver, Status};
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
    /// The SMT solver to run: Z3 (reading SMT-LIB 2 with `-in`), or cvc5 when the
    /// program's name contains `cvc5`
    #[arg(long, default_value = "z3", value_name = "PROGRAM")]
    solver: String,
    /// Seconds the solver may spend on one property before it is `unknown`
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    timeout: u32,
    /// For each counterexample, search runs of the contract's actions from deployment that
    /// fail the property, and write the shortest as `DIR/<contract>.<property>.scenario.json`
    #[arg(long, value_name = "DIR", conflicts_with = "compare")]
    scenario: Option<PathBuf>,
    /// The most actions after deployment a run searched by `--scenario` takes (at most 8:
    /// each adds every action to the query)
    #[arg(long, default_value_t = 2, value_name = "K", requires = "scenario",
          value_parser = clap::value_parser!(u8).range(..=8))]
    depth: u8,
    /// Begin every run searched by `--scenario` with these actions, in this order
    /// (comma-separated names; their arguments, callers and times are searched), then at
    /// most K more: for states too many actions deep to search whole
    #[arg(
        long,
        value_name = "ACTIONS",
        value_delimiter = ',',
        requires = "scenario"
    )]
    prefix: Vec<String>,
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
        let mut scenarios = Vec::new();
        if let Some(dir) = &args.scenario {
            let depth = usize::from(args.depth);
            let search = Search {
                dir,
                depth,
                prefix: &args.prefix,
            };
            match scenarios_for(&contract, &results, path, &search, &solver) {
                Ok(found) => scenarios = found,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            }
        }
        for result in &results {
            match &result.status {
                Status::Proven => proven += 1,
                Status::Counterexample(_) => refuted += 1,
                Status::Unknown(_) => unknown += 1,
            }
            match args.format {
                Format::Human => println!("{}", result.line()),
                Format::Json => {
                    let mut object = result.to_json(&name);
                    if let Some((_, line, written, status)) =
                        scenarios.iter().find(|(p, ..)| *p == result.property)
                        && let Some(object) = object.as_object_mut()
                    {
                        let mut scenario = serde_json::Map::new();
                        scenario.insert("status".into(), (*status).into());
                        scenario.insert("summary".into(), line.clone().into());
                        if let Some(written) = written {
                            scenario.insert(
                                "file".into(),
                                written.to_string_lossy().into_owned().into(),
                            );
                        }
                        object.insert("scenario".into(), scenario.into());
                    }
                    json.push(object);
                }
            }
        }
        if args.format == Format::Human {
            for result in &results {
                let details = result.details();
                if !details.is_empty() {
                    print!("\n{details}");
                }
                if let Some((_, line, written, _)) =
                    scenarios.iter().find(|(p, ..)| *p == result.property)
                {
                    match written {
                        Some(file) => println!("    {line}: {}", file.display()),
                        None => println!("    {line}"),
                    }
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

/// The accounts of a reproducing scenario of `actions` actions: `party1`…, the first
/// deploying the contract.
fn accounts(actions: usize) -> Result<Accounts, String> {
    let mut parties = Vec::new();
    // Every transaction and the final views may each need a caller of their own.
    for n in 1..=actions.saturating_add(2) {
        let name = format!("party{n}");
        let address = assent_ledger::keys::dev_address(&name)
            .map_err(|error| format!("no key for `{name}`: {error}"))?;
        parties.push((name, address.0));
    }
    let deployer = parties
        .first()
        .map(|(_, address)| assent_ledger::Address(*address))
        .ok_or("no accounts")?;
    let contract = assent_ledger::tx::create_address(&deployer, 0).0;
    Ok(Accounts { parties, contract })
}

type Found = (String, String, Option<PathBuf>, &'static str);

/// What `--scenario` searches: where to write, how deep, and the actions runs start with.
struct Search<'a> {
    dir: &'a Path,
    depth: usize,
    prefix: &'a [String],
}

/// For each counterexample of `results`, a run of actions failing the property, written
/// to `dir`: per property, its name, the line to print, the file written and the status
/// (`reached`, `not_reached`, `unknown`).
fn scenarios_for(
    contract: &assent_lang::typed::Contract,
    results: &[assent_verify::PropertyResult],
    path: &Path,
    search: &Search<'_>,
    solver: &Solver,
) -> Result<Vec<Found>, String> {
    let Search { dir, depth, prefix } = *search;
    let mut found = Vec::new();
    let mut prefix_ids = Vec::new();
    for action in prefix {
        let id = assent_verify::action_named(contract, action)
            .ok_or_else(|| format!("--prefix: the contract has no action `{action}`"))?;
        prefix_ids.push(id);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "contract".to_string());
    // The contract's name in the scenario: the file's, when it is a plain word.
    let name = if !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !stem.starts_with("party")
    {
        stem.clone()
    } else {
        "contract".to_string()
    };
    for result in results {
        if !matches!(result.status, Status::Counterexample(_)) {
            continue;
        }
        let Some(property) = contract
            .properties
            .iter()
            .find(|p| p.name == result.property)
        else {
            continue;
        };
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create `{}`: {error}", dir.display()))?;
        let setup = Setup {
            accounts: accounts(prefix_ids.len() + depth)?,
            prefix: prefix_ids.clone(),
            depth,
            name: name.clone(),
            file: relative(dir, path)?,
        };
        let reproduction = assent_verify::reproduce(contract, property, solver, &setup)
            .map_err(|error| error.to_string())?;
        let line = reproduction.describe(&property.name);
        let written = match &reproduction {
            Reproduction::Reached { scenario, .. } => {
                let file = dir.join(format!("{stem}.{}.scenario.json", property.name));
                let text = serde_json::to_string_pretty(scenario).map_err(|e| e.to_string())?;
                std::fs::write(&file, format!("{text}\n"))
                    .map_err(|error| format!("cannot write `{}`: {error}", file.display()))?;
                Some(file)
            }
            _ => None,
        };
        let status = match reproduction {
            Reproduction::Reached { .. } => "reached",
            Reproduction::NotReached { .. } => "not_reached",
            Reproduction::Unknown(_) => "unknown",
        };
        found.push((property.name.clone(), line, written, status));
    }
    Ok(found)
}

/// `file` as a path relative to directory `dir` (both made absolute first).
fn relative(dir: &Path, file: &Path) -> Result<String, String> {
    let dir = std::fs::canonicalize(dir)
        .map_err(|error| format!("cannot read `{}`: {error}", dir.display()))?;
    let file = std::fs::canonicalize(file)
        .map_err(|error| format!("cannot read `{}`: {error}", file.display()))?;
    let dir_parts: Vec<_> = dir.components().collect();
    let file_parts: Vec<_> = file.components().collect();
    let common = dir_parts
        .iter()
        .zip(&file_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); dir_parts.len().saturating_sub(common)];
    parts.extend(
        file_parts
            .iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(parts.join("/"))
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
