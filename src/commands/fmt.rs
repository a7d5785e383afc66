//! `assent fmt [--check] FILES…`: rewrite contract files in the canonical layout, or show
//! what that would change.

use std::path::PathBuf;
use std::process::ExitCode;

use assent_lang::span::SourceMap;
use assent_lang::{diagnostics, format};

use assent_node::files;

#[derive(clap::Args)]
pub struct Args {
    /// Contract files, or directories searched for `*.assent` files
    #[arg(required = true, value_name = "FILES")]
    paths: Vec<PathBuf>,
    /// Change nothing; show as a unified diff what formatting would change in each file,
    /// and exit 1 if anything would
    #[arg(long)]
    check: bool,
}

/// A file that does not parse is reported and never rewritten.
pub fn run(args: &Args) -> ExitCode {
    let paths = match files::expand_paths(&args.paths, ".assent") {
        Ok(paths) => paths,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let color = files::use_color();
    let mut failed = false;
    let mut unformatted = 0usize;
    for path in &paths {
        let name = path.to_string_lossy().into_owned();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!(
                    "error: cannot read `{name}`: {}",
                    files::describe_io_error(&error)
                );
                failed = true;
                continue;
            }
        };
        let mut sources = SourceMap::new();
        let file = sources.add(name.clone(), text.clone());
        match format::format_source(file, &text) {
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                unformatted += 1;
                if args.check {
                    print!("{}", unified_diff(&name, &text, &formatted));
                    eprintln!("would reformat {name}");
                } else if let Err(error) = files::write_atomically(path, &formatted) {
                    eprintln!("error: cannot write `{name}`: {error}");
                    failed = true;
                } else {
                    println!("formatted {name}");
                }
            }
            Err(errors) => {
                eprint!("{}", diagnostics::render(&sources, &errors, color));
                eprintln!("error: `{name}` was not formatted because it does not parse");
                failed = true;
            }
        }
    }
    if failed || (args.check && unformatted > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// What formatting changes in a file, as a unified diff with three lines of context and
/// git's `a/` and `b/` prefixes, so `git apply` or `patch -p1` can apply it.
fn unified_diff(name: &str, text: &str, formatted: &str) -> String {
    let mut diff = similar::TextDiff::from_lines(text, formatted)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !diff.ends_with('\n') {
        diff.push('\n');
    }
    diff
}
