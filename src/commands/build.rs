//! `assent build FILE [-o OUT] [--emit wasm|wat|abi]`: compiles a contract to its
//! WebAssembly module, the module's text form, or its ABI.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use assent_node::{files, pipeline};

#[derive(clap::Args)]
pub struct Args {
    /// The contract file to build
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write the output (default: FILE with the extension of what is emitted;
    /// `-` for standard output)
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// What to emit
    #[arg(long, value_enum, default_value_t = Emit::Wasm)]
    emit: Emit,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The WebAssembly module (with the ABI in its `assent.abi` section)
    Wasm,
    /// The module in the WebAssembly text format
    Wat,
    /// The ABI as JSON
    Abi,
}

impl Emit {
    fn extension(self) -> &'static str {
        match self {
            Emit::Wasm => "wasm",
            Emit::Wat => "wat",
            Emit::Abi => "abi.json",
        }
    }
}

/// Exit status 1 when the contract has an error, 2 when the output cannot be written.
pub fn run(args: &Args) -> ExitCode {
    let built = match pipeline::compile_file(&args.file, files::use_color()) {
        Ok(built) => built,
        Err(diagnostics) => {
            eprint!("{diagnostics}");
            return ExitCode::FAILURE;
        }
    };
    eprint!("{}", built.warnings);
    let bytes = match args.emit {
        Emit::Wasm => built.compiled.wasm,
        Emit::Wat => match wasmprinter::print_bytes(&built.compiled.wasm) {
            Ok(text) => text.into_bytes(),
            Err(error) => {
                eprintln!("error: cannot print the module as text: {error}");
                return ExitCode::FAILURE;
            }
        },
        Emit::Abi => match serde_json::to_string_pretty(&built.compiled.abi) {
            Ok(text) => format!("{text}\n").into_bytes(),
            Err(error) => {
                eprintln!("error: cannot write the ABI as JSON: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension(args.emit.extension()));
    if output.as_os_str() == "-" {
        if let Err(error) = std::io::stdout().write_all(&bytes) {
            eprintln!("error: cannot write to standard output: {error}");
            return ExitCode::from(2);
        }
        return ExitCode::SUCCESS;
    }
    match std::fs::write(&output, &bytes) {
        Ok(()) => {
            eprintln!(
                "wrote `{}` ({})",
                output.display(),
                assent_node::wording::count(bytes.len(), "byte", "bytes")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: cannot write `{}`: {}",
                output.display(),
                files::describe_io_error(&error)
            );
            ExitCode::from(2)
        }
    }
}
