//! Reading the root file and everything it imports; import cycles.
//!
//! Imports are followed depth first with an explicit stack (a long chain of files cannot
//! overflow the native one). A module reached twice is loaded once, so its types are the
//! same types wherever they are used.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::FileLoader;
use super::program::{Module, ModuleId, ModuleKind, Program};
use crate::diagnostics::{Code, name_errors};
use crate::span::{FileId, Span};
use crate::syntax::{self, ast};

/// Loads `text` as the root module and follows its imports. Afterwards `program.order`
/// lists every module after the modules it imports.
pub(super) fn load(program: &mut Program, name: &str, text: &str, loader: &dyn FileLoader) {
    let root = new_module(program, name, text, ModuleKind::Root);
    let mut by_name: BTreeMap<String, ModuleId> = BTreeMap::new();
    by_name.insert(name.to_string(), root);
    let mut done = vec![false];
    // Each frame: a module, the index of the next item to look at, and the span of the
    // import (in the frame below) that led here.
    let mut stack: Vec<(ModuleId, usize, Span)> = vec![(root, 0, Span::default())];
    while let Some(&(module, next, _)) = stack.last() {
        let Some(import) = next_import(program, module, next) else {
            stack.pop();
            if let Some(flag) = done.get_mut(module) {
                *flag = true;
            }
            program.order.push(module);
            continue;
        };
        if let Some(frame) = stack.last_mut() {
            frame.1 = import.0 + 1;
        }
        let importer_file = program.file_of(module);
        let importer_name = program
            .module(module)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let (target, span, kind) = match &import.1 {
            ast::Import::Std { path } => {
                let target = path
                    .iter()
                    .map(|segment| segment.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let span = match (path.first(), path.last()) {
                    (Some(first), Some(last)) => first.span.to(last.span),
                    _ => Span::default(),
                };
                (target, span, ModuleKind::Std)
            }
            ast::Import::File { path, path_span } => (
                resolve_path(&importer_name, path),
                *path_span,
                ModuleKind::File,
            ),
        };
        if let Some(&existing) = by_name.get(&target) {
            if done.get(existing).copied().unwrap_or(true) {
                add_edge(program, module, existing, span);
            } else {
                report_cycle(program, &stack, existing, span);
            }
            continue;
        }
        let text = match kind {
            ModuleKind::Std => match assent_stdlib::module_source(&target) {
                Some(source) => source.to_string(),
                None => {
                    report_unknown_module(program, importer_file, span, &target);
                    continue;
                }
            },
            _ => match loader.load(&target) {
                Ok(text) => text,
                Err(message) => {
                    program.report(name_errors::unreadable_import(
                        importer_file,
                        span,
                        &target,
                        &message,
                    ));
                    continue;
                }
            },
        };
        let id = new_module(program, &target, &text, kind);
        by_name.insert(target.clone(), id);
        done.push(false);
        if kind == ModuleKind::File && program.module(id).is_some_and(|m| m.contract.is_none()) {
            program.report(name_errors::import_not_contract(
                importer_file,
                span,
                &target,
            ));
        }
        add_edge(program, module, id, span);
        stack.push((id, 0, span));
    }
}

/// The next import item of `module` at or after item `from`: its index and the import.
fn next_import(program: &Program, module: ModuleId, from: usize) -> Option<(usize, ast::Import)> {
    let ast = &program.module(module)?.ast;
    ast.items
        .iter()
        .enumerate()
        .skip(from)
        .find_map(|(index, item)| match &item.kind {
            ast::ItemKind::Import(import) => Some((index, import.clone())),
            _ => None,
        })
}

fn add_edge(program: &mut Program, from: ModuleId, to: ModuleId, span: Span) {
    if let Some(module) = program.modules.get_mut(from)
        && !module.imports.iter().any(|(m, _)| *m == to)
    {
        module.imports.push((to, span));
    }
}

fn new_module(program: &mut Program, name: &str, text: &str, kind: ModuleKind) -> ModuleId {
    let file = program.sources.add(name, text);
    let (unit, diagnostics) = match kind {
        ModuleKind::Std => syntax::parse_library(file, text),
        _ => syntax::parse(file, text),
    };
    for diagnostic in diagnostics {
        // An imported file without `contract Name;` is reported once, at the import
        // (E0113); standard-library modules have none by design.
        let missing_contract = diagnostic.code == Code::MissingContract && unit.contract.is_none();
        if kind == ModuleKind::Root || !missing_contract {
            program.report(diagnostic);
        }
    }
    let id = program.modules.len();
    program.modules.push(Module {
        name: name.to_string(),
        file,
        kind,
        contract: unit.contract.as_ref().map(|c| c.name.clone()),
        ast: Rc::new(unit),
        imports: Vec::new(),
        decls: BTreeMap::new(),
        item_decls: Vec::new(),
        scope: BTreeMap::new(),
        states: Vec::new(),
        functions: Vec::new(),
        init: None,
        interfaces: Vec::new(),
        interface_modules: Vec::new(),
        code_interfaces: Vec::new(),
    });
    id
}

fn report_unknown_module(program: &mut Program, file: crate::span::FileId, span: Span, path: &str) {
    let known: Vec<&str> = assent_stdlib::MODULES.iter().map(|m| m.path).collect();
    let close = super::program::suggest(path, known.iter().copied());
    program.report(name_errors::unknown_module(file, span, path, &known, close));
}

/// Reports the import at `span` (by the module on top of `stack`) that leads back to
/// `target`, which is still being loaded.
fn report_cycle(
    program: &mut Program,
    stack: &[(ModuleId, usize, Span)],
    target: ModuleId,
    span: Span,
) {
    let start = stack.iter().position(|(m, _, _)| *m == target).unwrap_or(0);
    let cycle = stack.get(start..).unwrap_or_default();
    let name = |program: &Program, m: ModuleId| {
        program
            .module(m)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    let mut path: Vec<String> = cycle.iter().map(|(m, _, _)| name(program, *m)).collect();
    path.push(name(program, target));
    let Some(&(current, _, _)) = stack.last() else {
        return;
    };
    // The imports along the cycle, each in the file that makes it.
    let imports: Vec<(FileId, Span, String)> = cycle
        .windows(2)
        .filter_map(|pair| match pair {
            [(importer, _, _), (imported, _, import_span)] => Some((
                program.file_of(*importer),
                *import_span,
                name(program, *imported),
            )),
            _ => None,
        })
        .collect();
    program.report(name_errors::import_cycle(
        program.file_of(current),
        span,
        &path,
        &imports,
    ));
}

/// Resolves an import path against the importing file's name: `dir/a.assent` importing
/// `b.assent` reads `dir/b.assent`. `.` and `..` segments are resolved lexically.
pub(crate) fn resolve_path(importer: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        match importer.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{path}"),
            None => path.to_string(),
        }
    };
    let absolute = joined.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.last().is_some_and(|last| *last != "..") {
                    segments.pop();
                } else if !absolute {
                    segments.push("..");
                }
            }
            other => segments.push(other),
        }
    }
    let body = segments.join("/");
    if absolute { format!("/{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::resolve_path;

    #[test]
    fn import_paths_resolve_against_the_importing_file() {
        assert_eq!(resolve_path("main.assent", "b.assent"), "b.assent");
        assert_eq!(resolve_path("dir/main.assent", "b.assent"), "dir/b.assent");
        assert_eq!(
            resolve_path("dir/main.assent", "./b.assent"),
            "dir/b.assent"
        );
        assert_eq!(resolve_path("dir/main.assent", "../b.assent"), "b.assent");
        assert_eq!(resolve_path("main.assent", "../b.assent"), "../b.assent");
        assert_eq!(
            resolve_path("a/b/main.assent", "/x/y.assent"),
            "/x/y.assent"
        );
        assert_eq!(
            resolve_path("/a/main.assent", "../../y.assent"),
            "/y.assent"
        );
    }
}
