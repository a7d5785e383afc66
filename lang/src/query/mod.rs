//! Questions an editor asks about source text: what a name refers to, where it is used,
//! what type and documentation it has, and what may be written at a position.
//!
//! The answers come from the syntax trees of every file a check read (the contract, its
//! imports and the standard-library modules), resolved here by the language's scope
//! rules: a local or parameter first, then the file's own items, then what its imports
//! bring (every item of a `std` module; the enums, records, events and contract name of
//! an imported contract file), `std.module.item` paths, enum variants after `Enum.`,
//! and record or event fields after a value of that type. Types are those written in
//! declarations, followed through fields, indexing, `get` and calls; where a type cannot
//! be followed, no answer is invented. Because only the syntax tree is needed, the index
//! answers on half-typed code too (the parser recovers at the next statement or item).
//!
//! Reading order: [`Index::build`] (declare every item, then [`resolve`] every declared type and every body) →
//! [`Index::at`], [`Index::references`], [`Index::hover`] → [`complete`].

mod complete;
mod resolve;

pub use complete::{Completion, CompletionKind};

use std::collections::BTreeMap;

use crate::span::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// Identifies a [`Symbol`] of an [`Index`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SymbolId(pub u32);

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A standard-library module (`std.consent`).
    Module,
    /// `contract Name;`: also the interface other contracts call it through.
    Contract,
    Const,
    Enum,
    Variant,
    Record,
    Event,
    /// A field of a record or an event.
    Field,
    State,
    /// `init`, `action`, `view`, `fn`, `property` or `policy`: the keyword is
    /// [`Symbol::keyword`].
    Function,
    Param,
    Local,
}

impl SymbolKind {
    /// Items live at file level; renaming one renames it wherever the file uses it.
    pub fn is_item(self) -> bool {
        !matches!(
            self,
            SymbolKind::Field | SymbolKind::Variant | SymbolKind::Param | SymbolKind::Local
        )
    }
}

/// A declared name.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The declaring file and the span of the declared name.
    pub file: FileId,
    pub span: Span,
    /// The whole declaration (the item, the field, the parameter, the `let`).
    pub decl: Span,
    pub doc: Option<String>,
    /// For functions: `action`, `view`, …; for others, empty.
    pub keyword: &'static str,
    /// Its type, where one is known: of a state, parameter, local, field or constant,
    /// or the result of a function.
    pub ty: Option<Lite>,
    /// The record, event or enum a field or variant belongs to; the variant a nested
    /// variant specialises; the function a parameter or local belongs to.
    pub parent: Option<SymbolId>,
    /// Fields of a record or event, variants of an enum or variant, parameters of a
    /// function: in declaration order.
    pub children: Vec<SymbolId>,
}

/// A type as far as the index follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lite {
    /// `Int`, `Address`, …: a built-in type by name.
    Builtin(&'static str),
    /// A record, event or enum.
    Named(SymbolId),
    /// The interface of an imported contract: `PatientConsent(address)`.
    Interface(SymbolId),
    Option(Box<Lite>),
    List(Box<Lite>),
    Set(Box<Lite>),
    Map(Box<Lite>, Box<Lite>),
    Tuple(Vec<Lite>),
}

/// The fields of the built-in `Decision` (a policy's result), with their types.
const DECISION_FIELDS: &[(&str, &str)] = &[("permitted", "Bool"), ("rule", "String")];

/// One use (or the declaration) of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub file: FileId,
    pub span: Span,
    pub symbol: SymbolId,
    /// The declaring occurrence.
    pub declaration: bool,
    /// In a shorthand field initialiser (`Grant { purpose }`): the name is both the
    /// field and the value, so renaming either must spell the other out.
    pub shorthand: bool,
}

/// A local or parameter in scope over `from..to` of a file.
#[derive(Clone, Copy, Debug)]
struct Visible {
    file: FileId,
    from: u32,
    to: u32,
    symbol: SymbolId,
}

/// Where in a file a position is, for the keywords that may be written there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Between items.
    TopLevel,
    /// In the body of an `init`, action, view, `fn` or property.
    Body,
    /// In the body of a policy.
    Policy,
    /// In a record, event or enum declaration, a type, a constant, a state declaration.
    Declaration,
}

/// The names of every file of a check, resolved.
#[derive(Debug, Default)]
pub struct Index {
    symbols: Vec<Symbol>,
    /// Sorted by file and span.
    occurrences: Vec<Occurrence>,
    visible: Vec<Visible>,
    /// Each file's items with the [`Place`] of their insides.
    items: Vec<(FileId, Span, Place)>,
    /// Names in scope at file level, by file.
    scopes: BTreeMap<FileId, BTreeMap<String, SymbolId>>,
    /// Standard-library modules by path (`std.consent`).
    modules: BTreeMap<String, SymbolId>,
    texts: BTreeMap<FileId, String>,
}

impl Index {
    /// Indexes every file of `sources` (as a check read them: the contract first, then
    /// its imports and the standard-library modules).
    pub fn build(sources: &SourceMap) -> Index {
        let mut index = Index::default();
        let mut units = Vec::new();
        for (file, source) in sources.files() {
            let is_std = source.name.starts_with("std.");
            let (unit, _) = if is_std {
                syntax::parse_library(file, &source.text)
            } else {
                syntax::parse(file, &source.text)
            };
            index.texts.insert(file, source.text.clone());
            units.push((file, source.name.clone(), is_std, unit));
        }
        // Declarations first, so that bodies may use what is declared after them.
        let mut own: BTreeMap<FileId, BTreeMap<String, SymbolId>> = BTreeMap::new();
        let mut contracts: BTreeMap<FileId, SymbolId> = BTreeMap::new();
        for (file, name, is_std, unit) in &units {
            if *is_std {
                let id = index.add(Symbol {
                    name: name.clone(),
                    kind: SymbolKind::Module,
                    file: *file,
                    span: Span::default(),
                    decl: unit.span,
                    doc: None,
                    keyword: "",
                    ty: None,
                    parent: None,
                    children: Vec::new(),
                });
                index.modules.insert(name.clone(), id);
            }
            let declared = index.declare(*file, unit);
            if let Some(contract) = &unit.contract {
                let id = index.add(Symbol {
                    name: contract.name.name.clone(),
                    kind: SymbolKind::Contract,
                    file: *file,
                    span: contract.name.span,
                    decl: contract.span,
                    doc: contract.doc.clone(),
                    keyword: "contract",
                    ty: None,
                    parent: None,
                    children: Vec::new(),
                });
                contracts.insert(*file, id);
            }
            own.insert(*file, declared);
        }
        // Scopes: own items, then what each import brings (the first of a clash wins; the
        // checker reports the clash).
        for (file, name, _, unit) in &units {
            let mut scope = own.get(file).cloned().unwrap_or_default();
            for item in &unit.items {
                let ast::ItemKind::Import(import) = &item.kind else {
                    continue;
                };
                let (target, is_std) = match import {
                    ast::Import::Std { path } => (
                        path.iter()
                            .map(|segment| segment.name.as_str())
                            .collect::<Vec<_>>()
                            .join("."),
                        true,
                    ),
                    ast::Import::File { path, .. } => {
                        (crate::check::resolve_import_path(name, path), false)
                    }
                };
                let Some(imported) = sources.find(&target) else {
                    continue;
                };
                let Some(names) = own.get(&imported) else {
                    continue;
                };
                for (item_name, symbol) in names {
                    let kind = index.symbol(*symbol).map(|s| s.kind);
                    let brought = is_std
                        || matches!(
                            kind,
                            Some(SymbolKind::Enum | SymbolKind::Record | SymbolKind::Event)
                        );
                    if brought {
                        scope.entry(item_name.clone()).or_insert(*symbol);
                    }
                }
                if !is_std
                    && let Some(contract) = contracts.get(&imported)
                    && let Some(symbol) = index.symbol(*contract)
                {
                    let name = symbol.name.clone();
                    scope.entry(name).or_insert(*contract);
                }
            }
            index.scopes.insert(*file, scope);
        }
        for (file, _, _, unit) in &units {
            resolve::declarations(&mut index, *file, unit);
        }
        for (file, _, _, unit) in &units {
            resolve::bodies(&mut index, *file, unit);
        }
        index.occurrences.sort();
        index.occurrences.dedup();
        index
    }

    fn add(&mut self, symbol: Symbol) -> SymbolId {
        let id = SymbolId(u32::try_from(self.symbols.len()).unwrap_or(u32::MAX));
        self.occurrences.push(Occurrence {
            file: symbol.file,
            span: symbol.span,
            symbol: id,
            declaration: true,
            shorthand: false,
        });
        self.symbols.push(symbol);
        id
    }

    fn symbol_mut(&mut self, id: SymbolId) -> Option<&mut Symbol> {
        self.symbols.get_mut(id.0 as usize)
    }

    /// The symbol `id` names.
    pub fn symbol(&self, id: SymbolId) -> Option<&Symbol> {
        self.symbols.get(id.0 as usize)
    }

    /// The text of an indexed file.
    pub fn text(&self, file: FileId) -> &str {
        self.texts.get(&file).map_or("", String::as_str)
    }

    /// Declares the items of one file; its own names.
    fn declare(&mut self, file: FileId, unit: &ast::SourceUnit) -> BTreeMap<String, SymbolId> {
        let mut names = BTreeMap::new();
        for item in &unit.items {
            let symbol = |name: &ast::Ident, kind: SymbolKind, keyword: &'static str| Symbol {
                name: name.name.clone(),
                kind,
                file,
                span: name.span,
                decl: item.span,
                doc: item.doc.clone(),
                keyword,
                ty: None,
                parent: None,
                children: Vec::new(),
            };
            let (id, place) = match &item.kind {
                ast::ItemKind::Import(_) => continue,
                ast::ItemKind::Const(decl) => (
                    self.add(symbol(&decl.name, SymbolKind::Const, "const")),
                    Place::Declaration,
                ),
                ast::ItemKind::State(decl) => (
                    self.add(symbol(&decl.name, SymbolKind::State, "state")),
                    Place::Declaration,
                ),
                ast::ItemKind::Enum(decl) => {
                    let id = self.add(symbol(&decl.name, SymbolKind::Enum, "enum"));
                    self.declare_variants(file, id, &decl.variants);
                    (id, Place::Declaration)
                }
                ast::ItemKind::Record(decl) => {
                    let id = self.add(symbol(&decl.name, SymbolKind::Record, "record"));
                    self.declare_fields(file, id, &decl.fields);
                    (id, Place::Declaration)
                }
                ast::ItemKind::Event(decl) => {
                    let id = self.add(symbol(&decl.name, SymbolKind::Event, "event"));
                    self.declare_fields(file, id, &decl.fields);
                    (id, Place::Declaration)
                }
                ast::ItemKind::Function(decl) => {
                    let keyword = match decl.kind {
                        ast::FunctionKind::Init => "init",
                        ast::FunctionKind::Action => "action",
                        ast::FunctionKind::View => "view",
                        ast::FunctionKind::Fn => "fn",
                        ast::FunctionKind::Property => "property",
                    };
                    (
                        self.add(symbol(&decl.name, SymbolKind::Function, keyword)),
                        Place::Body,
                    )
                }
                ast::ItemKind::Policy(decl) => (
                    self.add(symbol(&decl.name, SymbolKind::Function, "policy")),
                    Place::Policy,
                ),
            };
            self.items.push((file, item.span, place));
            if let Some(symbol) = self.symbol(id) {
                names.entry(symbol.name.clone()).or_insert(id);
            }
        }
        names
    }

    fn declare_variants(&mut self, file: FileId, parent: SymbolId, variants: &[ast::Variant]) {
        for variant in variants {
            let id = self.add(Symbol {
                name: variant.name.name.clone(),
                kind: SymbolKind::Variant,
                file,
                span: variant.name.span,
                decl: variant.span,
                doc: variant.doc.clone(),
                keyword: "",
                ty: None,
                parent: Some(parent),
                children: Vec::new(),
            });
            if let Some(symbol) = self.symbol_mut(parent) {
                symbol.children.push(id);
            }
            self.declare_variants(file, id, &variant.children);
        }
    }

    fn declare_fields(&mut self, file: FileId, parent: SymbolId, fields: &[ast::FieldDecl]) {
        for field in fields {
            let id = self.add(Symbol {
                name: field.name.name.clone(),
                kind: SymbolKind::Field,
                file,
                span: field.name.span,
                decl: field.span,
                doc: field.doc.clone(),
                keyword: if field.indexed.is_some() {
                    "indexed"
                } else {
                    ""
                },
                ty: None,
                parent: Some(parent),
                children: Vec::new(),
            });
            if let Some(symbol) = self.symbol_mut(parent) {
                symbol.children.push(id);
            }
        }
    }

    /// The occurrence of a name at byte `offset` of `file` (touching its start or end).
    pub fn at(&self, file: FileId, offset: u32) -> Option<Occurrence> {
        let touching = |o: &&Occurrence| {
            o.file == file && o.span.start <= offset && offset <= o.span.end && !o.span.is_empty()
        };
        // A name the offset is inside wins over one it merely touches at the end.
        self.occurrences
            .iter()
            .filter(touching)
            .min_by_key(|o| (o.span.end == offset, o.span.len()))
            .copied()
    }

    /// Every occurrence of `symbol`, the declaration included, in file and span order.
    pub fn references(&self, symbol: SymbolId) -> Vec<Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.symbol == symbol)
            .copied()
            .collect()
    }

    /// The type as written in source: `Map<Address, Grant?>`.
    pub fn type_name(&self, ty: &Lite) -> String {
        match ty {
            Lite::Builtin(name) => (*name).to_owned(),
            Lite::Named(id) | Lite::Interface(id) => self
                .symbol(*id)
                .map_or_else(|| "?".to_owned(), |s| s.name.clone()),
            Lite::Option(inner) => format!("{}?", self.type_name(inner)),
            Lite::List(inner) => format!("List<{}>", self.type_name(inner)),
            Lite::Set(inner) => format!("Set<{}>", self.type_name(inner)),
            Lite::Map(key, value) => {
                format!("Map<{}, {}>", self.type_name(key), self.type_name(value))
            }
            Lite::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(|item| self.type_name(item))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The path of a variant from its enum: `Purpose.Research.Genomic`.
    pub fn variant_path(&self, variant: SymbolId) -> String {
        let mut names = Vec::new();
        let mut current = Some(variant);
        while let Some(id) = current {
            let Some(symbol) = self.symbol(id) else {
                break;
            };
            names.push(symbol.name.clone());
            if symbol.kind == SymbolKind::Enum {
                break;
            }
            current = symbol.parent;
        }
        names.reverse();
        names.join(".")
    }

    /// The declaration as source would write it: `state grants: Map<Address, Grant>`,
    /// `action grant(purpose: Purpose, until: Time)`, `Grant.until: Time`.
    pub fn signature(&self, id: SymbolId) -> String {
        let Some(symbol) = self.symbol(id) else {
            return String::new();
        };
        let text = self.text(symbol.file);
        let ty = symbol.ty.as_ref().map(|ty| self.type_name(ty));
        let typed = |prefix: String| match &ty {
            Some(ty) => format!("{prefix}: {ty}"),
            None => prefix,
        };
        match symbol.kind {
            SymbolKind::Module => format!("import {}", symbol.name),
            SymbolKind::Contract => format!("contract {}", symbol.name),
            SymbolKind::Const => typed(format!("const {}", symbol.name)),
            SymbolKind::State => typed(format!("state {}", symbol.name)),
            SymbolKind::Param => typed(symbol.name.clone()),
            SymbolKind::Local => typed(format!("let {}", symbol.name)),
            SymbolKind::Enum | SymbolKind::Record | SymbolKind::Event => {
                let keyword = match symbol.kind {
                    SymbolKind::Enum => "enum",
                    SymbolKind::Record => "record",
                    _ => "event",
                };
                format!("{keyword} {}", symbol.name)
            }
            SymbolKind::Variant => self.variant_path(id),
            SymbolKind::Field => {
                let owner = symbol
                    .parent
                    .and_then(|parent| self.symbol(parent))
                    .map_or("", |parent| parent.name.as_str());
                let indexed = if symbol.keyword.is_empty() {
                    ""
                } else {
                    "indexed "
                };
                typed(format!("{indexed}{owner}.{}", symbol.name))
            }
            SymbolKind::Function => {
                // The header as written, up to the body, on one line.
                let start = symbol.decl.start as usize;
                let header = text
                    .get(start..symbol.decl.end as usize)
                    .and_then(|item| item.split('{').next())
                    .unwrap_or_default();
                let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
                let header = header
                    .replace("( ", "(")
                    .replace(" )", ")")
                    .replace(",)", ")");
                if header.is_empty() {
                    format!("{} {}", symbol.keyword, symbol.name)
                } else {
                    header
                }
            }
        }
    }

    /// Where `offset` of `file` is: between items, in a body, in a policy.
    pub fn place(&self, file: FileId, offset: u32) -> Place {
        self.items
            .iter()
            .find(|(f, span, _)| *f == file && span.start < offset && offset < span.end)
            .map_or(Place::TopLevel, |(_, _, place)| *place)
    }

    /// The names a position may use without a qualifier: locals and parameters in scope
    /// (innermost first), then the file's items and what its imports bring.
    pub fn names_in_scope(&self, file: FileId, offset: u32) -> Vec<SymbolId> {
        let mut names: Vec<SymbolId> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for visible in self.visible.iter().rev() {
            if visible.file == file
                && visible.from <= offset
                && offset <= visible.to
                && let Some(symbol) = self.symbol(visible.symbol)
                && seen.insert(symbol.name.clone())
            {
                names.push(visible.symbol);
            }
        }
        if let Some(scope) = self.scopes.get(&file) {
            for (name, id) in scope {
                if seen.insert(name.clone()) {
                    names.push(*id);
                }
            }
        }
        names
    }

    /// The contract `file` declares (`contract Name;`).
    pub fn contract(&self, file: FileId) -> Option<SymbolId> {
        self.symbols
            .iter()
            .position(|s| s.file == file && s.kind == SymbolKind::Contract)
            .and_then(|index| u32::try_from(index).ok())
            .map(SymbolId)
    }

    /// The standard-library modules, by path.
    pub fn modules(&self) -> impl Iterator<Item = (&str, SymbolId)> {
        self.modules.iter().map(|(name, id)| (name.as_str(), *id))
    }

    /// The items a standard-library module declares, in declaration order.
    pub fn module_items(&self, module: SymbolId) -> Vec<SymbolId> {
        let Some(file) = self.symbol(module).map(|m| m.file) else {
            return Vec::new();
        };
        self.symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.file == file && s.kind.is_item() && s.kind != SymbolKind::Module)
            .map(|(index, _)| SymbolId(u32::try_from(index).unwrap_or(u32::MAX)))
            .collect()
    }
}

#[cfg(test)]
mod tests;
