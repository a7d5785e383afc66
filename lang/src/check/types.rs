//! Types as written (`List<Grant?>`) to resolved types.

use super::program::{Decl, ModuleId, Program, ScopeEntry, suggest};
use crate::diagnostics::{name_errors, syntax_errors, type_errors};
use crate::span::FileId;
use crate::syntax::ast::{TypeExpr, TypeExprKind};
use crate::typed::Ty;

/// Nesting deeper than this is reported (E0012) rather than followed.
pub(super) const MAX_DEPTH: u32 = 128;

/// Built-in type names and the number of type arguments each takes.
pub(super) const BUILTIN_TYPES: &[(&str, usize)] = &[
    ("Bool", 0),
    ("Int", 0),
    ("Money", 0),
    ("Percent", 0),
    ("Time", 0),
    ("Duration", 0),
    ("Address", 0),
    ("Hash", 0),
    ("Bytes", 0),
    ("String", 0),
    ("Decision", 0),
    ("List", 1),
    ("Set", 1),
    ("Map", 2),
];

/// Resolves a type written in `module`; reports and gives [`Ty::Error`] for what does
/// not resolve.
pub(super) fn resolve(program: &mut Program, module: ModuleId, ty: &TypeExpr) -> Ty {
    resolve_at(program, module, ty, 0)
}

fn resolve_at(program: &mut Program, module: ModuleId, ty: &TypeExpr, depth: u32) -> Ty {
    crate::stack::guarded(|| resolve_guarded(program, module, ty, depth))
}

fn resolve_guarded(program: &mut Program, module: ModuleId, ty: &TypeExpr, depth: u32) -> Ty {
    let file = program.file_of(module);
    if depth > MAX_DEPTH {
        program.report(syntax_errors::type_too_deep(file, ty.span, MAX_DEPTH));
        return Ty::Error;
    }
    match &ty.kind {
        TypeExprKind::Option(inner) => {
            Ty::Option(Box::new(resolve_at(program, module, inner, depth + 1)))
        }
        TypeExprKind::Tuple(items) => Ty::Tuple(
            items
                .iter()
                .map(|item| resolve_at(program, module, item, depth + 1))
                .collect(),
        ),
        TypeExprKind::Named { name, args } => {
            let resolved_args: Vec<Ty> = args
                .iter()
                .map(|arg| resolve_at(program, module, arg, depth + 1))
                .collect();
            if let Some(&(_, arity)) = BUILTIN_TYPES.iter().find(|(n, _)| *n == name.name) {
                if args.len() != arity {
                    report_arity(program, file, ty, &name.name, arity, args.len());
                    return Ty::Error;
                }
                return builtin(program, file, &name.name, resolved_args, args);
            }
            let decl = match program.lookup(module, &name.name).cloned() {
                Some(ScopeEntry::One(decl)) => decl,
                Some(ScopeEntry::Ambiguous(decls)) => {
                    program.report_ambiguous(file, name.span, &name.name, &decls);
                    return Ty::Error;
                }
                None => {
                    report_unknown(program, module, file, ty, &name.name);
                    return Ty::Error;
                }
            };
            let resolved = match decl {
                Decl::Enum(id) => Ty::Enum(id),
                Decl::Record(id) => Ty::Record(id),
                other => {
                    let kind = program.decl_kind(other);
                    let declared = program.decl_site(other);
                    program.report(name_errors::declaration_not_type(
                        file, name.span, kind, &name.name, declared,
                    ));
                    return Ty::Error;
                }
            };
            if !args.is_empty() {
                report_arity(program, file, ty, &name.name, 0, args.len());
                return Ty::Error;
            }
            resolved
        }
    }
}

fn builtin(
    program: &mut Program,
    file: FileId,
    name: &str,
    args: Vec<Ty>,
    written: &[TypeExpr],
) -> Ty {
    let mut args = args.into_iter();
    let mut next = || args.next().unwrap_or(Ty::Error);
    match name {
        "Bool" => Ty::Bool,
        "Int" => Ty::Int,
        "Money" => Ty::Money,
        "Percent" => Ty::Percent,
        "Time" => Ty::Time,
        "Duration" => Ty::Duration,
        "Address" => Ty::Address,
        "Hash" => Ty::Hash,
        "Bytes" => Ty::Bytes,
        "String" => Ty::String,
        "Decision" => Ty::Decision,
        "List" => Ty::List(Box::new(next())),
        "Set" => {
            let element = next();
            if let (Ty::Map(..), Some(arg)) = (&element, written.first()) {
                report_map_key(program, file, arg, "a set element");
            }
            Ty::Set(Box::new(element))
        }
        _ => {
            let key = next();
            let value = next();
            if let (Ty::Map(..), Some(arg)) = (&key, written.first()) {
                report_map_key(program, file, arg, "a map key");
            }
            Ty::Map(Box::new(key), Box::new(value))
        }
    }
}

fn report_map_key(program: &mut Program, file: FileId, arg: &TypeExpr, role: &str) {
    program.report(type_errors::map_in_key_type(file, arg.span, role));
}

fn report_arity(
    program: &mut Program,
    file: FileId,
    ty: &TypeExpr,
    name: &str,
    expected: usize,
    found: usize,
) {
    program.report(name_errors::wrong_type_arguments(
        file, ty.span, name, expected, found,
    ));
}

fn report_unknown(
    program: &mut Program,
    module: ModuleId,
    file: FileId,
    ty: &TypeExpr,
    name: &str,
) {
    let mut candidates: Vec<String> = BUILTIN_TYPES.iter().map(|(n, _)| n.to_string()).collect();
    if let Some(m) = program.module(module) {
        for (scope_name, entry) in &m.scope {
            if matches!(
                entry,
                ScopeEntry::One(Decl::Enum(_) | Decl::Record(_)) | ScopeEntry::Ambiguous(_)
            ) {
                candidates.push(scope_name.clone());
            }
        }
    }
    let close = suggest(name, candidates.iter().map(String::as_str));
    let diagnostic = name_errors::unknown_type(file, ty.span, name, close);
    program.report(diagnostic);
}
