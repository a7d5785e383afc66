//! The SMT-LIB 2 text of one query: sorts for Assent types, declarations, definitions.
//!
//! Every Assent type has one sort, named by its shape, so two contracts that declare the
//! same record share its sort (which `--compare` needs: one state, two versions).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use assent_lang::typed::{Contract, Ty};

/// An SMT-LIB term, as text.
pub type Term = String;

/// The declarations of a query, in the order the solver must read them.
#[derive(Default)]
pub struct Script {
    text: String,
    /// Sort of each type shape (see [`Script::sort`]).
    sorts: BTreeMap<String, String>,
    /// Names given to record sorts: a second record of one name but another shape gets
    /// a suffix.
    record_names: BTreeMap<String, u32>,
    fresh: u32,
    /// Free constants declared once per name (shared context, shared state).
    declared: BTreeMap<String, String>,
}

/// The width of an enum ordinal.
pub const ENUM_BITS: u32 = 32;

impl Script {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A new name, unique in the script.
    pub fn fresh(&mut self, stem: &str) -> String {
        self.fresh += 1;
        format!("{stem}!{}", self.fresh)
    }

    /// `(define-fun name () sort term)` for a new name; the name.
    pub fn define(&mut self, stem: &str, sort: &str, term: &str) -> Term {
        if is_simple(term) {
            return term.to_string();
        }
        let name = self.fresh(stem);
        let _ = writeln!(self.text, "(define-fun {name} () {sort} {term})");
        name
    }

    /// `(declare-const name sort)`, once per name; the name.
    pub fn declare(&mut self, name: &str, sort: &str) -> Term {
        if !self.declared.contains_key(name) {
            self.declared.insert(name.to_string(), sort.to_string());
            let _ = writeln!(self.text, "(declare-const {name} {sort})");
        }
        name.to_string()
    }

    /// `(declare-fun name (args) result)`, once per name.
    pub fn declare_function(&mut self, name: &str, args: &str, result: &str) {
        if !self.declared.contains_key(name) {
            self.declared.insert(name.to_string(), result.to_string());
            let _ = writeln!(self.text, "(declare-fun {name} {args} {result})");
        }
    }

    /// `(assert term)`.
    pub fn assert(&mut self, term: &str) {
        let _ = writeln!(self.text, "(assert {term})");
    }

    /// A raw line (a function declaration).
    pub fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// The sort of `ty` in `contract`, declaring the datatypes it needs; `None` for a
    /// type the prover does not represent (`Bytes`, `Unit`).
    pub fn sort(&mut self, contract: &Contract, ty: &Ty) -> Option<String> {
        Some(match ty {
            Ty::Bool => "Bool".to_string(),
            Ty::Int | Ty::Money | Ty::Percent | Ty::Time | Ty::Duration => WORD.to_string(),
            Ty::Address => "(_ BitVec 160)".to_string(),
            Ty::Hash => "(_ BitVec 256)".to_string(),
            // A string of characters 0–255, one per byte (see `BYTE_RANGE`).
            Ty::String | Ty::Bytes => "String".to_string(),
            Ty::Enum(_) => format!("(_ BitVec {ENUM_BITS})"),
            Ty::List(item) => format!("(Seq {})", self.sort(contract, item)?),
            Ty::Set(item) => format!("(Array {} Bool)", self.sort(contract, item)?),
            Ty::Map(key, value) => {
                let key = self.sort(contract, key)?;
                let value = self.sort(contract, &Ty::Option(value.clone()))?;
                format!("(Array {key} {value})")
            }
            Ty::Decision | Ty::Record(_) | Ty::Option(_) | Ty::Tuple(_) => {
                return self.datatype(contract, ty).map(|d| d.name);
            }
            Ty::Unit | Ty::Never | Ty::Error => return None,
        })
    }

    /// The datatype of a record, tuple, option or `Decision`, declared on first use.
    pub fn datatype(&mut self, contract: &Contract, ty: &Ty) -> Option<Datatype> {
        let shape = shape(contract, ty);
        if let Some(name) = self.sorts.get(&shape) {
            return Some(datatype_names(name, ty, contract));
        }
        // Components first: a datatype's fields must already be declared.
        let fields = fields(contract, ty)?;
        let mut field_sorts = Vec::new();
        for (_, field_ty) in &fields {
            field_sorts.push(self.sort(contract, field_ty)?);
        }
        let name = match ty {
            Ty::Decision => "Decision".to_string(),
            Ty::Record(id) => {
                let base = contract.record_def(*id).map_or("R", |r| r.name.as_str());
                let count = self.record_names.entry(base.to_string()).or_insert(0);
                *count += 1;
                if *count == 1 {
                    format!("R.{base}")
                } else {
                    format!("R.{base}~{count}")
                }
            }
            Ty::Option(_) => format!("Opt<{}>", self.mangle(contract, ty)),
            _ => format!("Tup<{}>", self.mangle(contract, ty)),
        };
        self.sorts.insert(shape, name.clone());
        let names = datatype_names(&name, ty, contract);
        let declaration = match ty {
            Ty::Option(_) => format!(
                "(declare-datatypes (({name} 0)) ((({none}) ({some} ({val} {sort})))))",
                none = names.none,
                some = names.constructor,
                val = names.fields.first().map_or("", String::as_str),
                sort = field_sorts.first().map_or("Bool", String::as_str),
            ),
            _ => {
                let fields: Vec<String> = names
                    .fields
                    .iter()
                    .zip(&field_sorts)
                    .map(|(f, s)| format!("({f} {s})"))
                    .collect();
                format!(
                    "(declare-datatypes (({name} 0)) ((({} {}))))",
                    names.constructor,
                    fields.join(" ")
                )
            }
        };
        self.line(&declaration);
        Some(names)
    }

    /// A symbol-safe name of a type's shape, for datatype names.
    fn mangle(&mut self, contract: &Contract, ty: &Ty) -> String {
        match ty {
            Ty::Option(inner) => self.mangle(contract, inner),
            Ty::Tuple(items) => items
                .iter()
                .map(|t| self.mangle_one(contract, t))
                .collect::<Vec<_>>()
                .join("+"),
            other => self.mangle_one(contract, other),
        }
    }

    fn mangle_one(&mut self, contract: &Contract, ty: &Ty) -> String {
        match ty {
            Ty::Enum(id) => format!(
                "E.{}",
                contract.enum_def(*id).map_or("?", |e| e.name.as_str())
            ),
            Ty::Record(_) | Ty::Decision => self
                .datatype(contract, ty)
                .map_or_else(|| "?".to_string(), |d| d.name),
            Ty::Option(inner) => format!("Opt<{}>", self.mangle(contract, inner)),
            Ty::List(inner) => format!("List<{}>", self.mangle_one(contract, inner)),
            Ty::Set(inner) => format!("Set<{}>", self.mangle_one(contract, inner)),
            Ty::Map(k, v) => format!(
                "Map<{}+{}>",
                self.mangle_one(contract, k),
                self.mangle_one(contract, v)
            ),
            Ty::Tuple(_) => format!("Tup<{}>", self.mangle(contract, ty)),
            other => contract.type_name(other),
        }
    }
}

/// The constructor, accessors and (for options) `none` of a datatype.
#[derive(Clone, Debug)]
pub struct Datatype {
    pub name: String,
    pub constructor: String,
    pub fields: Vec<String>,
    /// Options only.
    pub none: String,
}

/// The fields of a record, tuple, option or `Decision` datatype, in order, with their
/// types; `None` for any other type (or a record the contract does not have).
pub fn fields(contract: &Contract, ty: &Ty) -> Option<Vec<(String, Ty)>> {
    Some(match ty {
        Ty::Decision => vec![
            ("permitted".to_string(), Ty::Bool),
            ("rule".to_string(), Ty::String),
        ],
        Ty::Record(id) => contract
            .record_def(*id)?
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect(),
        Ty::Tuple(items) => items
            .iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), t.clone()))
            .collect(),
        Ty::Option(inner) => vec![("val".to_string(), (**inner).clone())],
        _ => return None,
    })
}

/// The types of a datatype's fields, in order (see [`fields`]).
pub fn field_types(contract: &Contract, ty: &Ty) -> Option<Vec<Ty>> {
    Some(
        fields(contract, ty)?
            .into_iter()
            .map(|(_, ty)| ty)
            .collect(),
    )
}

fn datatype_names(name: &str, ty: &Ty, contract: &Contract) -> Datatype {
    let fields = match ty {
        Ty::Decision => vec!["permitted".to_string(), "rule".to_string()],
        Ty::Record(id) => contract
            .record_def(*id)
            .map(|r| r.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default(),
        Ty::Tuple(items) => (0..items.len()).map(|i| i.to_string()).collect(),
        _ => vec!["val".to_string()],
    };
    if matches!(ty, Ty::Option(_)) {
        return Datatype {
            name: name.to_string(),
            constructor: format!("some@{name}"),
            fields: vec![format!("val@{name}")],
            none: format!("none@{name}"),
        };
    }
    Datatype {
        name: name.to_string(),
        constructor: format!("mk@{name}"),
        fields: fields.iter().map(|f| format!("{name}.{f}")).collect(),
        none: String::new(),
    }
}

/// The structure of a type, with enum variants and record fields spelt out: equal shapes
/// share a sort, whichever contract declares them.
pub fn shape(contract: &Contract, ty: &Ty) -> String {
    match ty {
        Ty::Enum(id) => match contract.enum_def(*id) {
            Some(def) => format!(
                "enum {}[{}]",
                def.name,
                def.variants
                    .iter()
                    .map(|v| format!("{}:{}", v.name, v.end))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => "enum ?".to_string(),
        },
        Ty::Record(id) => match contract.record_def(*id) {
            Some(def) => format!(
                "record {}{{{}}}",
                def.name,
                def.fields
                    .iter()
                    .map(|f| format!("{}:{}", f.name, shape(contract, &f.ty)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => "record ?".to_string(),
        },
        Ty::Option(inner) => format!("option {}", shape(contract, inner)),
        Ty::List(inner) => format!("list {}", shape(contract, inner)),
        Ty::Set(inner) => format!("set {}", shape(contract, inner)),
        Ty::Map(k, v) => format!("map {} {}", shape(contract, k), shape(contract, v)),
        Ty::Tuple(items) => format!(
            "tuple ({})",
            items
                .iter()
                .map(|t| shape(contract, t))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => contract.type_name(other),
    }
}

/// Atoms are used as they are; anything else gets a name.
fn is_simple(term: &str) -> bool {
    !term.contains(' ') && !term.contains('(')
}

/// An integer literal (Int, Money, Percent, Time and Duration are mathematical integers
/// in the solver, every result outside the signed 64-bit range an abort).
pub fn int(value: i64) -> Term {
    if value < 0 {
        format!("(- {})", value.unsigned_abs())
    } else {
        value.to_string()
    }
}

/// The sort of the 64-bit numbers.
pub const WORD: &str = "Int";

/// `t` lies outside the signed 64-bit range.
pub fn out_of_range(t: &str) -> Term {
    format!("(or (< {t} {}) (> {t} {}))", int(i64::MIN), int(i64::MAX))
}

/// `t` lies within the signed 64-bit range.
pub fn in_range(t: &str) -> Term {
    format!(
        "(and (<= {} {t}) (<= {t} {}))",
        int(i64::MIN),
        int(i64::MAX)
    )
}

/// An enum ordinal literal.
pub fn ordinal(value: u32) -> Term {
    format!("#x{value:08x}")
}

/// A string literal: `""` for a quote, `\u{…}` for anything but printable ASCII.
/// The characters a `Bytes` value's string holds: one per byte, 0–255.
pub const BYTE_RANGE: &str = "(re.* (re.range \"\\u{0}\" \"\\u{ff}\"))";

/// The characters of an ASCII text (whose UTF-8 bytes are its characters).
pub const ASCII_RANGE: &str = "(re.* (re.range \"\\u{0}\" \"\\u{7f}\"))";

/// A `Bytes` value as the string of its bytes.
pub fn bytes(bytes: &[u8]) -> Term {
    let text: String = bytes.iter().map(|byte| char::from(*byte)).collect();
    string(&text)
}

pub fn string(text: &str) -> Term {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\"\""),
            ' '..='~' if c != '\\' => out.push(c),
            other => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
            }
        }
    }
    out.push('"');
    out
}

/// `(and a b)`, simplified where one side is `true` or `false`.
pub fn and(a: &str, b: &str) -> Term {
    match (a, b) {
        ("true", other) | (other, "true") => other.to_string(),
        ("false", _) | (_, "false") => "false".to_string(),
        _ => format!("(and {a} {b})"),
    }
}

/// `(or a b)`, simplified.
pub fn or(a: &str, b: &str) -> Term {
    match (a, b) {
        ("false", other) | (other, "false") => other.to_string(),
        ("true", _) | (_, "true") => "true".to_string(),
        _ => format!("(or {a} {b})"),
    }
}

/// `(not a)`, simplified.
pub fn not(a: &str) -> Term {
    match a {
        "true" => "false".to_string(),
        "false" => "true".to_string(),
        _ => format!("(not {a})"),
    }
}

/// `(ite c a b)`, simplified.
pub fn ite(c: &str, a: &str, b: &str) -> Term {
    match c {
        "true" => a.to_string(),
        "false" => b.to_string(),
        _ if a == b => a.to_string(),
        _ => format!("(ite {c} {a} {b})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_smt_lib() {
        assert_eq!(int(-1), "(- 1)");
        assert_eq!(int(i64::MIN), "(- 9223372036854775808)");
        assert_eq!(int(10), "10");
        assert_eq!(string("a\"b\\é"), "\"a\"\"b\\u{5c}\\u{e9}\"");
        assert_eq!(and("true", "x"), "x");
        assert_eq!(ite("c", "x", "x"), "x");
    }
}
