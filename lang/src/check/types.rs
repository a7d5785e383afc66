//! Types as written (`List<Grant?>`) to resolved types.

use super::program::{Decl, ModuleId, Program, ScopeEntry, suggest};
use crate::diagnostics::{Code, Diagnostic, syntax_errors};
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
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownType,
                        file,
                        name.span,
                        format!("`{}` is a {kind}, not a type", name.name),
                    )
                    .with_label("expected a type");
                    if let Some((decl_file, decl_span)) = program.decl_site(other) {
                        diagnostic = diagnostic.with_secondary(
                            decl_file,
                            decl_span,
                            format!("the {kind} `{}` is declared here", name.name),
                        );
                    }
                    program.report(diagnostic);
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
    program.report(
        Diagnostic::new(
            Code::MapAsKey,
            file,
            arg.span,
            format!("a `Map` cannot be {role}"),
        )
        .with_label("this is a `Map`")
        .with_note("map keys and set elements may be any type except `Map`")
        .with_help("use a `List` of `(key, value)` tuples, or a record"),
    );
}

fn report_arity(
    program: &mut Program,
    file: FileId,
    ty: &TypeExpr,
    name: &str,
    expected: usize,
    found: usize,
) {
    let takes = match expected {
        0 => "takes no type arguments".to_string(),
        1 => "takes 1 type argument".to_string(),
        n => format!("takes {n} type arguments"),
    };
    let example = match name {
        "List" => Some("`List<Int>`"),
        "Set" => Some("`Set<Address>`"),
        "Map" => Some("`Map<Address, Money>`, from a key type to a value type"),
        _ => None,
    };
    let mut diagnostic = Diagnostic::new(
        Code::WrongTypeArguments,
        file,
        ty.span,
        format!(
            "`{name}` {takes}, but {found} {} given",
            if found == 1 { "was" } else { "were" }
        ),
    )
    .with_label(format!("`{name}` {takes}"));
    if let Some(example) = example {
        diagnostic = diagnostic.with_help(format!("write it as {example}"));
    }
    program.report(diagnostic);
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
    let mut diagnostic = Diagnostic::new(
        Code::UnknownType,
        file,
        ty.span,
        format!("unknown type `{name}`"),
    )
    .with_label("not a type in scope");
    if let Some(close) = suggest(name, candidates.iter().map(String::as_str)) {
        diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
    } else if matches!(name, "Integer" | "int" | "i64" | "Number") {
        diagnostic = diagnostic.with_help("the integer type is `Int`");
    } else {
        diagnostic = diagnostic.with_note(
            "types are `Bool`, `Int`, `Money`, `Percent`, `Time`, `Duration`, `Address`, `Hash`, \
             `Bytes`, `String`, `List<T>`, `Set<T>`, `Map<K, V>`, `T?`, tuples, and declared \
             enums and records",
        );
    }
    program.report(diagnostic);
}
