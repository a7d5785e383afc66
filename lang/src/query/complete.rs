//! What may be written at a position: after `.`, the members of what precedes it (a
//! module's items, an enum's variants, a record's fields, another contract's entry
//! points); elsewhere, the names in scope and the keywords of the place.
//!
//! What precedes the cursor is read from the text as typed (`grants[caller].`,
//! `std.claims.`, `Purpose.Research.`), so a half-typed line needs no parse; the names
//! are resolved in the index of the last text that parsed, at the matching position.

use super::{DECISION_FIELDS, Index, Lite, Place, SymbolId, SymbolKind};
use crate::span::FileId;
use crate::syntax::token::{ITEM_KEYWORDS, RESERVED};

/// What a completion is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Module,
    Contract,
    Const,
    Enum,
    Variant,
    Record,
    Event,
    Field,
    State,
    Function,
    Param,
    Local,
    /// A built-in type name.
    Type,
}

/// One proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// A one-line description: a type, a signature, a variant's place in its hierarchy.
    pub detail: String,
    pub doc: Option<String>,
}

const BUILTIN_TYPES: &[&str] = &[
    "Bool", "Int", "Money", "Percent", "Time", "Duration", "Address", "Hash", "Bytes", "String",
    "List", "Set", "Map",
];

const POLICY_KEYWORDS: &[&str] = &[
    "permit", "deny", "when", "unless", "default", "let", "in", "true", "false", "some", "none",
    "caller", "origin", "now", "block", "self",
];

const BODY_EXTRA: &[&str] = &["break", "continue", "assume", "assert"];

/// One step of a member path typed before the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Name(String),
    /// `[…]`
    Index,
    /// `(…)`
    Call,
}

/// Where a member path leads.
enum Target {
    /// `std.`
    Std,
    Item(SymbolId),
    Value(Lite),
}

impl Index {
    /// Completions for the cursor at the end of `before` (the text of `file` up to the
    /// cursor, as typed). Names are resolved at `anchor`, the same place in the indexed
    /// text. Only proposals starting with the identifier being typed are given.
    pub fn complete(&self, file: FileId, before: &str, anchor: u32) -> Vec<Completion> {
        let typed_len = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .count();
        let split = before.len().saturating_sub(typed_len);
        let (rest, typed) = (
            before.get(..split).unwrap_or_default(),
            before.get(split..).unwrap_or_default(),
        );
        let mut proposals = match rest.strip_suffix('.') {
            Some(path) => {
                let (path, optional) = match path.strip_suffix('?') {
                    Some(path) => (path, true),
                    None => (path, false),
                };
                match member_path(path) {
                    Some(steps) => self
                        .follow(file, anchor, &steps, optional)
                        .map(|target| self.members(target))
                        .unwrap_or_default(),
                    None => Vec::new(),
                }
            }
            None => self.in_scope(file, anchor),
        };
        proposals.retain(|proposal| proposal.label.starts_with(typed));
        proposals
    }

    /// Follows a member path from a name in scope.
    fn follow(&self, file: FileId, anchor: u32, steps: &[Step], optional: bool) -> Option<Target> {
        let mut steps = steps.iter();
        let Some(Step::Name(root)) = steps.next() else {
            return None;
        };
        let scope = self.names_in_scope(file, anchor);
        let found = scope
            .iter()
            .find(|id| self.symbol(**id).is_some_and(|s| &s.name == root))
            .copied();
        let mut target = match found {
            Some(id) => self.target_of(id)?,
            None if root == "std" => Target::Std,
            None => return None,
        };
        for step in steps {
            target = match (target, step) {
                (Target::Std, Step::Name(name)) => {
                    Target::Item(*self.modules.get(&format!("std.{name}"))?)
                }
                (Target::Item(item), Step::Name(name)) => {
                    let symbol = self.symbol(item)?;
                    match symbol.kind {
                        SymbolKind::Module => {
                            let found = self
                                .module_items(item)
                                .into_iter()
                                .find(|id| self.symbol(*id).is_some_and(|s| &s.name == name))?;
                            self.target_of(found)?
                        }
                        SymbolKind::Enum | SymbolKind::Variant => Target::Item(
                            symbol
                                .children
                                .iter()
                                .find(|c| self.symbol(**c).is_some_and(|s| &s.name == name))
                                .copied()?,
                        ),
                        _ => return None,
                    }
                }
                (Target::Item(item), Step::Call) => {
                    let symbol = self.symbol(item)?;
                    match symbol.kind {
                        SymbolKind::Function => Target::Value(symbol.ty.clone()?),
                        SymbolKind::Contract => Target::Value(Lite::Interface(item)),
                        _ => return None,
                    }
                }
                (Target::Value(Lite::Builtin("Decision")), Step::Name(name)) => {
                    let (_, ty) = DECISION_FIELDS.iter().find(|(n, _)| n == name)?;
                    Target::Value(Lite::Builtin(ty))
                }
                (Target::Value(value), Step::Name(name)) => {
                    let owner = match value {
                        Lite::Option(inner) => *inner,
                        other => other,
                    };
                    let Lite::Named(owner) = owner else {
                        return None;
                    };
                    let field = self
                        .symbol(owner)?
                        .children
                        .iter()
                        .find(|c| self.symbol(**c).is_some_and(|s| &s.name == name))
                        .copied()?;
                    Target::Value(self.symbol(field)?.ty.clone()?)
                }
                (Target::Value(value), Step::Index) => match value {
                    Lite::Map(_, value) => Target::Value(*value),
                    Lite::List(element) => Target::Value(*element),
                    _ => return None,
                },
                _ => return None,
            };
        }
        if optional && let Target::Value(Lite::Option(inner)) = target {
            return Some(Target::Value(*inner));
        }
        Some(target)
    }

    fn target_of(&self, id: SymbolId) -> Option<Target> {
        let symbol = self.symbol(id)?;
        Some(match symbol.kind {
            SymbolKind::Local | SymbolKind::Param | SymbolKind::State | SymbolKind::Const => {
                Target::Value(symbol.ty.clone()?)
            }
            _ => Target::Item(id),
        })
    }

    /// The members of what a path leads to.
    fn members(&self, target: Target) -> Vec<Completion> {
        match target {
            Target::Std => self
                .modules()
                .map(|(path, _)| Completion {
                    label: path.trim_start_matches("std.").to_owned(),
                    kind: CompletionKind::Module,
                    detail: path.to_owned(),
                    doc: None,
                })
                .collect(),
            Target::Item(item) => {
                let Some(symbol) = self.symbol(item) else {
                    return Vec::new();
                };
                match symbol.kind {
                    SymbolKind::Module => self
                        .module_items(item)
                        .into_iter()
                        .filter_map(|id| self.completion(id))
                        .collect(),
                    SymbolKind::Enum | SymbolKind::Variant => symbol
                        .children
                        .iter()
                        .filter_map(|id| self.completion(*id))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            Target::Value(Lite::Named(owner)) => self.symbol(owner).map_or_else(Vec::new, |s| {
                if matches!(s.kind, SymbolKind::Record | SymbolKind::Event) {
                    s.children
                        .iter()
                        .filter_map(|id| self.completion(*id))
                        .collect()
                } else {
                    Vec::new()
                }
            }),
            Target::Value(Lite::Interface(contract)) => {
                let Some(file) = self.symbol(contract).map(|c| c.file) else {
                    return Vec::new();
                };
                self.symbols
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        s.file == file
                            && s.kind == SymbolKind::Function
                            && matches!(s.keyword, "action" | "view" | "policy")
                    })
                    .filter_map(|(index, _)| self.completion(SymbolId(u32::try_from(index).ok()?)))
                    .collect()
            }
            Target::Value(Lite::Builtin("Decision")) => DECISION_FIELDS
                .iter()
                .map(|(name, ty)| Completion {
                    label: (*name).to_owned(),
                    kind: CompletionKind::Field,
                    detail: format!("Decision.{name}: {ty}"),
                    doc: None,
                })
                .collect(),
            Target::Value(_) => Vec::new(),
        }
    }

    /// Names in scope and the keywords of the place.
    fn in_scope(&self, file: FileId, anchor: u32) -> Vec<Completion> {
        let place = self.place(file, anchor);
        let keyword = |word: &&str| Completion {
            label: (*word).to_owned(),
            kind: CompletionKind::Keyword,
            detail: "keyword".to_owned(),
            doc: None,
        };
        let mut proposals: Vec<Completion> = match place {
            Place::TopLevel => return ITEM_KEYWORDS.iter().map(keyword).collect(),
            Place::Body => RESERVED
                .iter()
                .filter(|word| !matches!(**word, "when" | "unless"))
                .chain(BODY_EXTRA)
                .map(keyword)
                .collect(),
            Place::Policy => POLICY_KEYWORDS.iter().map(keyword).collect(),
            Place::Declaration => BUILTIN_TYPES
                .iter()
                .map(|name| Completion {
                    label: (*name).to_owned(),
                    kind: CompletionKind::Type,
                    detail: "built-in type".to_owned(),
                    doc: None,
                })
                .collect(),
        };
        let names = self.names_in_scope(file, anchor).into_iter().filter(|id| {
            let kind = self.symbol(*id).map(|s| s.kind);
            match place {
                Place::Declaration => matches!(
                    kind,
                    Some(SymbolKind::Enum | SymbolKind::Record | SymbolKind::Const)
                ),
                _ => true,
            }
        });
        proposals.extend(names.filter_map(|id| self.completion(id)));
        if place != Place::Declaration {
            proposals.push(Completion {
                label: "std".to_owned(),
                kind: CompletionKind::Module,
                detail: "the standard library".to_owned(),
                doc: None,
            });
        }
        proposals
    }

    fn completion(&self, id: SymbolId) -> Option<Completion> {
        let symbol = self.symbol(id)?;
        let kind = match symbol.kind {
            SymbolKind::Module => CompletionKind::Module,
            SymbolKind::Contract => CompletionKind::Contract,
            SymbolKind::Const => CompletionKind::Const,
            SymbolKind::Enum => CompletionKind::Enum,
            SymbolKind::Variant => CompletionKind::Variant,
            SymbolKind::Record => CompletionKind::Record,
            SymbolKind::Event => CompletionKind::Event,
            SymbolKind::Field => CompletionKind::Field,
            SymbolKind::State => CompletionKind::State,
            SymbolKind::Function => CompletionKind::Function,
            SymbolKind::Param => CompletionKind::Param,
            SymbolKind::Local => CompletionKind::Local,
        };
        let detail = if symbol.kind == SymbolKind::Variant {
            self.hierarchy(id)
        } else {
            self.signature(id)
        };
        Some(Completion {
            label: symbol.name.clone(),
            kind,
            detail,
            doc: symbol.doc.clone(),
        })
    }

    /// A variant's place in its enum: what it is a kind of, and its own kinds:
    /// `ETREAT is a TREAT, which is a PurposeOfUse; kinds of ETREAT: BTG, ERTREAT`.
    pub fn hierarchy(&self, variant: SymbolId) -> String {
        let Some(symbol) = self.symbol(variant) else {
            return String::new();
        };
        let mut ancestors = Vec::new();
        let mut current = symbol.parent;
        while let Some(id) = current {
            let Some(parent) = self.symbol(id) else {
                break;
            };
            ancestors.push(parent.name.clone());
            current = if parent.kind == SymbolKind::Enum {
                None
            } else {
                parent.parent
            };
        }
        let mut text = format!("{} is a {}", symbol.name, ancestors.join(", which is a "));
        let children: Vec<String> = symbol
            .children
            .iter()
            .filter_map(|c| self.symbol(*c).map(|s| s.name.clone()))
            .collect();
        if !children.is_empty() {
            text.push_str(&format!(
                "; kinds of {}: {}",
                symbol.name,
                children.join(", ")
            ));
        }
        text
    }
}

/// The member path at the end of `text` (just before a `.`), read backwards over names,
/// `.`, and balanced `[…]` and `(…)`; `None` when what precedes is not such a path.
fn member_path(text: &str) -> Option<Vec<Step>> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    let mut steps = Vec::new();
    loop {
        // Balanced groups right before `end`.
        while let Some(&close) = end.checked_sub(1).and_then(|i| bytes.get(i)) {
            let open = match close {
                b']' => b'[',
                b')' => b'(',
                _ => break,
            };
            let mut depth = 0usize;
            let mut index = end;
            loop {
                index = index.checked_sub(1)?;
                let byte = *bytes.get(index)?;
                if byte == close {
                    depth += 1;
                } else if byte == open {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
            }
            steps.push(if open == b'[' {
                Step::Index
            } else {
                Step::Call
            });
            end = index;
        }
        let start = text
            .get(..end)?
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
            .last()
            .map_or(end, |(index, _)| index);
        let name = text.get(start..end)?;
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        steps.push(Step::Name(name.to_owned()));
        end = start;
        match end.checked_sub(1).and_then(|i| bytes.get(i)) {
            Some(b'.') => {
                end -= 1;
                if bytes.get(end.wrapping_sub(1)) == Some(&b'?') {
                    end -= 1;
                }
            }
            _ => break,
        }
    }
    steps.reverse();
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_are_read_backwards_over_groups() {
        assert_eq!(
            member_path("  x = grants[caller]"),
            Some(vec![Step::Name("grants".into()), Step::Index])
        );
        assert_eq!(
            member_path("std.claims"),
            Some(vec![Step::Name("std".into()), Step::Name("claims".into())])
        );
        assert_eq!(
            member_path("PatientConsent(a(b)).x"),
            Some(vec![
                Step::Name("PatientConsent".into()),
                Step::Call,
                Step::Name("x".into())
            ])
        );
        assert_eq!(member_path("1"), None);
        assert_eq!(member_path(")"), None);
        assert_eq!(member_path(""), None);
    }
}
