//! The solver's model read back as Assent values, and values shown as Assent literals.

use std::sync::Arc;

use assent_lang::typed::{Contract, Ty};
use assent_stdlib::json::{format_money, format_percent};
use assent_stdlib::time::{format_duration, format_time};
use assent_stdlib::value::Value;

use crate::sexpr::Sexpr;

/// How deeply a model value is followed.
const MAX_DEPTH: u32 = 64;

/// The value of type `ty` that the solver printed as `s`; `None` when it is not in a form
/// this reader knows (the counterexample then shows the solver's text).
pub fn decode(contract: &Contract, s: &Sexpr, ty: &Ty) -> Option<Value> {
    decode_at(contract, s, ty, 0)
}

fn decode_at(contract: &Contract, s: &Sexpr, ty: &Ty, depth: u32) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let next = depth + 1;
    match ty {
        Ty::Bool => match s.atom()? {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Ty::Int => Some(Value::Int(integer(s)?)),
        Ty::Money => Some(Value::Money(integer(s)?)),
        Ty::Percent => Some(Value::Percent(integer(s)?)),
        Ty::Time => Some(Value::Time(integer(s)?)),
        Ty::Duration => Some(Value::Duration(integer(s)?)),
        Ty::Address => {
            let bytes = bits(s)?;
            let mut out = [0u8; 20];
            copy_tail(&bytes, &mut out);
            Some(Value::Address(out))
        }
        Ty::Hash => {
            let bytes = bits(s)?;
            let mut out = [0u8; 32];
            copy_tail(&bytes, &mut out);
            Some(Value::Hash(out))
        }
        Ty::String => match s {
            Sexpr::Str(text) => Some(Value::String(unescape(text))),
            _ => None,
        },
        Ty::Bytes => match s {
            Sexpr::Str(text) => unescape(text)
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect::<Option<Vec<u8>>>()
                .map(Value::Bytes),
            _ => None,
        },
        Ty::Enum(_) => {
            let ordinal = bits64(s)?;
            Some(Value::Enum(u32::try_from(ordinal).ok()?))
        }
        Ty::Decision | Ty::Record(_) | Ty::Tuple(_) => {
            let types = crate::script::field_types(contract, ty)?;
            let items = s.list()?;
            let args = items.get(1..)?;
            if args.len() != types.len() {
                return None;
            }
            let mut fields = Vec::new();
            for (arg, t) in args.iter().zip(&types) {
                fields.push(decode_at(contract, arg, t, next)?);
            }
            Some(Value::Record(fields))
        }
        Ty::Option(inner) => match s {
            Sexpr::Atom(name) if name.starts_with("none@") => Some(Value::Option(None)),
            Sexpr::List(items) if items.len() == 2 => {
                let head = items.first()?.atom()?;
                if !head.starts_with("some@") {
                    return None;
                }
                let v = decode_at(contract, items.get(1)?, inner, next)?;
                Some(Value::Option(Some(Arc::new(v))))
            }
            _ => None,
        },
        Ty::List(inner) => {
            let mut items = Vec::new();
            seq_items(contract, s, inner, next, &mut items)?;
            Some(Value::List(items))
        }
        Ty::Set(inner) => {
            let (default, entries) = array_entries(s)?;
            // A set of every element: listed when the elements are finitely many.
            let mut items: Vec<Value> = match (default.atom(), inner.as_ref()) {
                (Some("false"), _) => Vec::new(),
                (Some("true"), Ty::Enum(id)) => {
                    let count = contract.enums.get(id.0 as usize)?.variants.len();
                    (0..count)
                        .map(|ordinal| u32::try_from(ordinal).ok().map(Value::Enum))
                        .collect::<Option<Vec<_>>>()?
                }
                (Some("true"), Ty::Bool) => vec![Value::Bool(false), Value::Bool(true)],
                _ => return None,
            };
            for (key, value) in entries.iter().rev() {
                let key = decode_at(contract, key, inner, next)?;
                // An ordinal past an enum's variants is no value of the language: the
                // contract never sees it (its loops and `in` tests ask only for variants).
                if let (Value::Enum(ordinal), Ty::Enum(id)) = (&key, inner.as_ref())
                    && contract
                        .enums
                        .get(id.0 as usize)
                        .is_none_or(|def| *ordinal as usize >= def.variants.len())
                {
                    continue;
                }
                items.retain(|k| *k != key);
                if value.atom() == Some("true") {
                    items.push(key);
                }
            }
            items.sort_by(|a, b| match (a.scalar_bits(), b.scalar_bits()) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => format!("{a:?}").cmp(&format!("{b:?}")),
            });
            Some(Value::Set(items))
        }
        Ty::Map(k, v) => {
            let (default, entries) = array_entries(s)?;
            if !default.atom().is_some_and(|a| a.starts_with("none@")) {
                return None;
            }
            let option = Ty::Option(v.clone());
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            for (key, value) in entries.iter().rev() {
                let key = decode_at(contract, key, k, next)?;
                pairs.retain(|(existing, _)| *existing != key);
                if let Value::Option(Some(inner)) = decode_at(contract, value, &option, next)? {
                    pairs.push((key, (*inner).clone()));
                }
            }
            Some(Value::Map(pairs))
        }
        _ => None,
    }
}

fn seq_items(
    contract: &Contract,
    s: &Sexpr,
    item: &Ty,
    depth: u32,
    out: &mut Vec<Value>,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    match s.head() {
        Some("seq.unit") => {
            out.push(decode_at(contract, s.list()?.get(1)?, item, depth + 1)?);
            Some(())
        }
        Some("seq.++") => {
            for part in s.list()?.get(1..)? {
                seq_items(contract, part, item, depth + 1, out)?;
            }
            Some(())
        }
        Some("as") => Some(()), // (as seq.empty (Seq …))
        _ => None,
    }
}

/// `(store (store ((as const (Array …)) d) k1 v1) k2 v2)`: the default and the stores,
/// innermost first.
fn array_entries(s: &Sexpr) -> Option<(Sexpr, Vec<(Sexpr, Sexpr)>)> {
    let mut entries = Vec::new();
    let mut current = s;
    for _ in 0..10_000 {
        let items = current.list()?;
        match items.first()? {
            Sexpr::Atom(head) if head == "store" => {
                entries.push((items.get(2)?.clone(), items.get(3)?.clone()));
                current = items.get(1)?;
            }
            Sexpr::List(inner) if inner.first()?.atom() == Some("as") => {
                entries.reverse();
                return Some((items.get(1)?.clone(), entries));
            }
            _ => return None,
        }
    }
    None
}

/// The bytes of a bit-vector literal (`#x…`, `#b…`, `(_ bvN W)`), most significant first.
fn bits(s: &Sexpr) -> Option<Vec<u8>> {
    let text = s.atom()?;
    if let Some(hex) = text.strip_prefix("#x") {
        let padded = if hex.len() % 2 == 1 {
            format!("0{hex}")
        } else {
            hex.to_string()
        };
        return (0..padded.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(padded.get(i..i + 2)?, 16).ok())
            .collect();
    }
    if let Some(binary) = text.strip_prefix("#b") {
        let mut out = Vec::new();
        let pad = (8 - binary.len() % 8) % 8;
        let padded = format!("{}{binary}", "0".repeat(pad));
        for i in (0..padded.len()).step_by(8) {
            out.push(u8::from_str_radix(padded.get(i..i + 8)?, 2).ok()?);
        }
        return Some(out);
    }
    None
}

/// An integer the solver printed: `42` or `(- 42)`, within the 64-bit range.
fn integer(s: &Sexpr) -> Option<i64> {
    match s {
        Sexpr::Atom(digits) => digits.parse::<i64>().ok(),
        Sexpr::List(items) => match items.as_slice() {
            [Sexpr::Atom(minus), Sexpr::Atom(digits)] if minus == "-" => {
                let magnitude = digits.parse::<i128>().ok()?;
                i64::try_from(-magnitude).ok()
            }
            _ => None,
        },
        Sexpr::Str(_) => None,
    }
}

fn bits64(s: &Sexpr) -> Option<i64> {
    let value = match s.list() {
        // (_ bvN 64)
        Some([_, Sexpr::Atom(n), _]) => n.strip_prefix("bv")?.parse::<u64>().ok()?,
        _ => {
            let bytes = bits(s)?;
            let mut out = [0u8; 8];
            copy_tail(&bytes, &mut out);
            u64::from_be_bytes(out)
        }
    };
    Some(value as i64)
}

fn copy_tail(bytes: &[u8], out: &mut [u8]) {
    let n = bytes.len().min(out.len());
    let (src_start, dst_start) = (bytes.len() - n, out.len() - n);
    if let (Some(src), Some(dst)) = (bytes.get(src_start..), out.get_mut(dst_start..)) {
        dst.copy_from_slice(src);
    }
}

/// SMT-LIB string escapes `\u{…}` back to characters.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(index) = rest.find("\\u{") {
        out.push_str(rest.get(..index).unwrap_or_default());
        let after = rest.get(index + 3..).unwrap_or_default();
        match after.find('}') {
            Some(close) => {
                let code = u32::from_str_radix(after.get(..close).unwrap_or_default(), 16)
                    .ok()
                    .and_then(char::from_u32);
                match code {
                    Some(c) => out.push(c),
                    None => out.push('\u{fffd}'),
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(rest.get(index..).unwrap_or_default());
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A value in Assent literal syntax: `$12.50`, `PurposeOfUse.HMARKT`, `Grant { … }`.
pub fn show(contract: &Contract, value: &Value, ty: &Ty) -> String {
    match (value, ty) {
        (Value::Bool(b), _) => b.to_string(),
        (Value::Int(n), _) => n.to_string(),
        (Value::Money(n), _) => {
            let text = format_money(*n);
            match text.strip_prefix('-') {
                Some(rest) => format!("-${rest}"),
                None => format!("${text}"),
            }
        }
        (Value::Percent(n), _) => format_percent(*n),
        (Value::Time(n), _) => format!("@{}", format_time(*n)),
        (Value::Duration(n), _) => format_duration(*n),
        (Value::Address(bytes), _) => format!("0x{}", hex(bytes)),
        (Value::Hash(bytes), _) => format!("0x{}", hex(bytes)),
        (Value::Bytes(bytes), _) => format!("0x{}", hex(bytes)),
        (Value::String(text), _) => format!("{text:?}"),
        (Value::Enum(ordinal), Ty::Enum(id)) => match contract.enum_def(*id) {
            Some(def) => match def.variants.get(*ordinal as usize) {
                Some(v) => format!("{}.{}", def.name, v.name),
                None => format!("{}#{ordinal}", def.name),
            },
            None => ordinal.to_string(),
        },
        (Value::Record(fields), Ty::Decision) => format!(
            "Decision {{ permitted: {}, rule: {} }}",
            fields
                .first()
                .map_or_else(String::new, |f| show(contract, f, &Ty::Bool)),
            fields
                .get(1)
                .map_or_else(String::new, |f| show(contract, f, &Ty::String)),
        ),
        (Value::Record(fields), Ty::Record(id)) => match contract.record_def(*id) {
            Some(def) => format!(
                "{} {{ {} }}",
                def.name,
                def.fields
                    .iter()
                    .zip(fields)
                    .map(|(f, v)| format!("{}: {}", f.name, show(contract, v, &f.ty)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("{value:?}"),
        },
        (Value::Record(fields), Ty::Tuple(types)) => format!(
            "({})",
            fields
                .iter()
                .zip(types)
                .map(|(v, t)| show(contract, v, t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Value::Option(None), _) => "none".to_string(),
        (Value::Option(Some(v)), Ty::Option(inner)) => {
            format!("some({})", show(contract, v, inner))
        }
        (Value::List(items) | Value::Set(items), Ty::List(inner) | Ty::Set(inner)) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| show(contract, v, inner))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Value::Map(pairs), Ty::Map(k, v)) => {
            if pairs.is_empty() {
                return "[:]".to_string();
            }
            format!(
                "[{}]",
                pairs
                    .iter()
                    .map(|(key, value)| format!(
                        "{}: {}",
                        show(contract, key, k),
                        show(contract, value, v)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        _ => format!("{value:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
