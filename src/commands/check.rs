//! `assent check FILES…`: diagnostics for contract files, for people or (`--format json`) tools.

use std::path::PathBuf;
use std::process::ExitCode;

use assent_lang::{check, diagnostics};
use clap::ValueEnum;

use assent_node::files;
use assent_node::wording::count;

#[derive(clap::Args)]
pub struct Args {
    /// Contract files, or directories searched for `*.assent` files
    #[arg(required = true, value_name = "FILES")]
    paths: Vec<PathBuf>,
    /// Output format of the diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Source snippets with `file:line:col`, codes and help (on stderr)
    Human,
    /// One JSON array of diagnostics per run (on stdout)
    Json,
}

/// Exit status 1 when any file has an error; warnings alone leave it 0.
pub fn run(args: &Args) -> ExitCode {
    let paths = match files::expand_paths(&args.paths, ".assent") {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let color = files::use_color();
    let mut json = Vec::new();
    let (mut errors, mut warnings) = (0usize, 0usize);
    for path in &paths {
        let name = path.to_string_lossy();
        let checked = check::check_file(&name, &files::DiskLoader);
        let file_errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        errors += file_errors;
        warnings += checked.diagnostics.len() - file_errors;
        match args.format {
            Format::Human => {
                eprint!(
                    "{}",
                    diagnostics::render(&checked.sources, &checked.diagnostics, color)
                );
            }
            Format::Json => {
                if let serde_json::Value::Array(items) =
                    diagnostics::to_json(&checked.sources, &checked.diagnostics)
                {
                    json.extend(items);
                }
            }
        }
    }
    match args.format {
        Format::Human => eprintln!("{}", summary(paths.len(), errors, warnings)),
        Format::Json => println!("{}", serde_json::Value::Array(json)),
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(files: usize, errors: usize, warnings: usize) -> String {
    format!(
        "checked {}: {}, {}",
        count(files, "file", "files"),
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings")
    )
}
