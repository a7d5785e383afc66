//! Reading contract files from disk: the CLI's side of the compiler's `FileLoader`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use assent_lang::check::FileLoader;

/// Reads imports from the file system, relative to the current directory (the checker
/// has already resolved each import against the importing file's path).
pub struct DiskLoader;

impl FileLoader for DiskLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|error| describe_io_error(&error))
    }
}

pub use assent_lang::check::describe_io_error;

/// Expands the command line's paths: files as given, directories searched recursively
/// for `*.<extension>` files (sorted, so output order is stable). Hidden directories and
/// `target` are skipped.
pub fn expand_paths(paths: &[PathBuf], extension: &str) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_dir(path, extension, &mut files)
                .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("`{}`: no such file or directory", path.display()));
        }
    }
    Ok(files)
}

fn collect_dir(dir: &Path, extension: &str, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                collect_dir(&path, extension, files)?;
            }
        } else if name.ends_with(extension) {
            files.push(path);
        }
    }
    Ok(())
}

/// Whether to colour diagnostics: only on a terminal, and never with `NO_COLOR` set.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a rename,
/// so a crash never leaves a half-written source file.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{file_name}.assent-fmt.tmp"));
    std::fs::write(&temp, contents)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        // Keep the original's permissions; failing to copy them is not worth losing the write.
        let _ = std::fs::set_permissions(&temp, metadata.permissions());
    }
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
