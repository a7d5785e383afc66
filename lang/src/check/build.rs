//! The typed contract: the root module's declarations and functions, the functions of
//! the standard-library modules it imports, callees first.

use std::collections::BTreeMap;

use assent_stdlib::value::Value;

use super::program::{ConstValue, ModuleKind, Program, ROOT};
use crate::typed::{self, Contract, ExprKind, FunctionId};

pub(super) fn contract(program: &mut Program) -> Option<Contract> {
    let root = program.module(ROOT)?;
    let name = root
        .contract
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let doc = root.ast.contract.as_ref().and_then(|c| c.doc.clone());
    let module_name = root.name.clone();
    // Only what the compiled code calls: an interface or entry used by properties alone
    // comes last (properties are checked last) and is left out.
    let interfaces: Vec<typed::Interface> = root
        .interfaces
        .iter()
        .zip(&root.code_interfaces)
        .filter(|(_, entries)| **entries > 0)
        .map(|(interface, entries)| {
            let mut interface = interface.clone();
            interface.entries.truncate(*entries);
            interface
        })
        .collect();
    let states: Vec<typed::StateDef> = root
        .states
        .iter()
        .map(|s| typed::StateDef {
            name: s.name.clone(),
            doc: s.doc.clone(),
            ty: s.ty.clone(),
            persistent: s.persistent,
            iterated: s.iterated,
            init: s.init.clone(),
        })
        .collect();

    // Standard-library modules reachable through imports, in load order.
    let mut std_modules = Vec::new();
    let mut stack = vec![ROOT];
    let mut seen = vec![ROOT];
    while let Some(module) = stack.pop() {
        for (imported, _) in program.module(module).map_or(&[][..], |m| &m.imports) {
            if !seen.contains(imported) {
                seen.push(*imported);
                if program
                    .module(*imported)
                    .is_some_and(|m| m.kind == ModuleKind::Std)
                {
                    std_modules.push(*imported);
                    stack.push(*imported);
                }
            }
        }
    }
    std_modules.sort_unstable();
    let mut included: Vec<FunctionId> = Vec::new();
    let mut property_ids: Vec<FunctionId> = Vec::new();
    for module in std_modules.iter().chain(std::iter::once(&ROOT)) {
        if let Some(m) = program.module(*module) {
            for id in &m.functions {
                let is_property = program
                    .function(*id)
                    .is_some_and(|f| f.kind == typed::FunctionKind::Property);
                if is_property {
                    if *module == ROOT {
                        property_ids.push(*id);
                    }
                } else {
                    included.push(*id);
                }
            }
        }
    }

    let order = callees_first(program, &included);
    let new_id: BTreeMap<FunctionId, FunctionId> = order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, FunctionId(u32::try_from(i).unwrap_or(u32::MAX))))
        .collect();
    let mut functions = Vec::with_capacity(order.len());
    let mut properties = Vec::with_capacity(property_ids.len());
    for (id, is_property) in order
        .iter()
        .map(|id| (id, false))
        .chain(property_ids.iter().map(|id| (id, true)))
    {
        let loc = program
            .function(*id)
            .map(|f| program.loc(f.file, f.name_span))
            .unwrap_or_default();
        let Some(info) = program.functions.get_mut(id.index()) else {
            continue;
        };
        let mut body = info.body.take()?;
        typed::visit::exprs_mut(&mut body, &mut |expr| {
            if let ExprKind::Call { function, .. } = &mut expr.kind
                && let Some(new) = new_id.get(function)
            {
                *function = *new;
            }
        });
        let module = info.module;
        let list = if is_property {
            &mut properties
        } else {
            &mut functions
        };
        list.push(typed::Function {
            name: info.name.clone(),
            kind: info.kind,
            doc: info.doc.clone(),
            module: String::new(),
            exported: module == ROOT && info.kind.is_entry(),
            params: info
                .params
                .iter()
                .map(|p| typed::Param {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                })
                .collect(),
            ret: info.ret.clone(),
            locals: std::mem::take(&mut info.locals),
            body,
            loc,
        });
        if let (Some(f), Some(m)) = (list.last_mut(), program.module(module)) {
            f.module = m.name.clone();
        }
    }

    Some(Contract {
        name,
        doc,
        module: module_name,
        files: position_files(program),
        enums: program.enums.iter().map(|e| e.def.clone()).collect(),
        records: program.records.iter().map(|r| r.def.clone()).collect(),
        events: program.events.iter().map(|e| e.def.clone()).collect(),
        consts: program
            .consts
            .iter()
            .map(|c| typed::ConstDef {
                name: c.name.clone(),
                ty: c.ty.clone(),
                value: match &c.value {
                    ConstValue::Done(v) => v.clone(),
                    _ => Value::Bool(false),
                },
            })
            .collect(),
        states,
        functions,
        interfaces,
        properties,
    })
}

/// `roots` and every function they call, each after all of its callees (a depth-first
/// post-order with an explicit stack; the graph is acyclic once checked).
fn callees_first(program: &Program, roots: &[FunctionId]) -> Vec<FunctionId> {
    let mut order = Vec::new();
    let mut placed = vec![false; program.functions.len()];
    let mut visiting = vec![false; program.functions.len()];
    for &root in roots {
        if placed.get(root.index()).copied().unwrap_or(true) {
            continue;
        }
        let mut stack: Vec<(FunctionId, usize)> = vec![(root, 0)];
        if let Some(v) = visiting.get_mut(root.index()) {
            *v = true;
        }
        while let Some((id, next)) = stack.last_mut() {
            let id = *id;
            let callee = program
                .function(id)
                .and_then(|f| f.calls.get(*next))
                .map(|(c, _)| *c);
            *next += 1;
            match callee {
                Some(callee) => {
                    let done = placed.get(callee.index()).copied().unwrap_or(true)
                        || visiting.get(callee.index()).copied().unwrap_or(true);
                    if !done {
                        if let Some(v) = visiting.get_mut(callee.index()) {
                            *v = true;
                        }
                        stack.push((callee, 0));
                    }
                }
                None => {
                    stack.pop();
                    if let Some(p) = placed.get_mut(id.index()) {
                        *p = true;
                    }
                    order.push(id);
                }
            }
        }
    }
    order
}

/// The name each source file has in abort positions (LEDGER.md §4), by file id: relative
/// to the directory of the contract being compiled — its own base name, `other.assent`
/// for an imported contract, `std/claims.assent` inside the standard library — and never
/// absolute, so the same sources compile to the same bytes wherever they lie.
fn position_files(program: &Program) -> Vec<String> {
    let root = program
        .module(ROOT)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let root_dir = root.rsplit_once('/').map_or("", |(dir, _)| dir);
    program
        .sources
        .files()
        .map(|(id, file)| {
            let kind = program
                .modules
                .iter()
                .find(|m| m.file == id)
                .map_or(ModuleKind::File, |m| m.kind);
            match kind {
                ModuleKind::Std => format!("{}.assent", file.name.replace('.', "/")),
                _ => relative_to(root_dir, &file.name),
            }
        })
        .collect()
}

/// `path` relative to the directory `dir` (both as the loader resolved them: `/`
/// separated, normalised). A path that cannot be made relative (an absolute import beside
/// a relative root) keeps its base name only.
fn relative_to(dir: &str, path: &str) -> String {
    let segments = |text: &str| -> Vec<String> {
        text.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let base = || path.rsplit('/').next().unwrap_or(path).to_owned();
    if dir.starts_with('/') != path.starts_with('/') {
        return base();
    }
    let dir = segments(dir);
    let path = segments(path);
    let common = dir.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let up = dir.get(common..).unwrap_or_default();
    if up.iter().any(|segment| segment == "..") {
        return base();
    }
    let mut parts: Vec<String> = up.iter().map(|_| "..".to_owned()).collect();
    parts.extend(path.get(common..).unwrap_or_default().iter().cloned());
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative_to;

    #[test]
    fn position_files_are_relative_to_the_contract_directory() {
        let cases = [
            ("", "claims.assent", "claims.assent"),
            ("contracts/a", "contracts/a/x.assent", "x.assent"),
            ("contracts/a", "contracts/b/y.assent", "../b/y.assent"),
            ("/home/u/c", "/home/u/c/lib/z.assent", "lib/z.assent"),
            ("c", "/etc/w.assent", "w.assent"),
            ("..", "../v.assent", "v.assent"),
            ("../..", "../u.assent", "u.assent"),
        ];
        for (dir, path, expected) in cases {
            assert_eq!(relative_to(dir, path), expected, "{dir} {path}");
        }
    }
}
