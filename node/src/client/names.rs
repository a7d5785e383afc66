//! Names in `--args`: wherever an entry point's ABI expects an Address (a parameter, or
//! nested in a record field, a list or set element, a map key or value, a tuple item or
//! an option), a string that is not hex is a name, resolved here to its address before
//! the transaction or view is sent; the node itself takes hex only.
//!
//! A name is, in this order: a key in the keystore (`assent keys new`), an address stored
//! with `assent keys add`, or a development account (LEDGER.md §1).

use std::path::Path;

use assent_ledger::Address;
use assent_stdlib::abi::{ContractAbi, EntryAbi};
use assent_stdlib::value::Type;
use serde_json::Value;

use super::ClientError;
use super::keystore::{self, Source};

/// Where names come from, said in every error about one.
const NAME_SOURCES: &str = "a name is a key made with `assent keys new NAME`, an address \
     stored with `assent keys add NAME ADDRESS`, or a development account name (letters, \
     digits, `_`, `-`, `.`; e.g. `alice`)";

/// `args` (a JSON object) with every name where `entry` expects an Address replaced by
/// its address in hex. Parameters the entry point does not have, and values of another
/// shape than their type, are left as they are for the node to refuse with its reason.
///
/// # Errors
/// A name that is none of a key, a stored address or a development account name, with
/// the parameter's path.
pub fn resolve(
    args: &Value,
    abi: &ContractAbi,
    entry: &EntryAbi,
    keystore_dir: &Path,
) -> Result<Value, ClientError> {
    let Ok(types) = abi.resolve_types() else {
        return Ok(args.clone());
    };
    let mut resolved = args.clone();
    let Value::Object(object) = &mut resolved else {
        return Ok(resolved);
    };
    let mut resolver = Resolver {
        dir: keystore_dir,
        development: Vec::new(),
    };
    for param in &entry.params {
        let (Some(value), Some(ty)) = (object.get_mut(&param.name), types.get(param.ty as usize))
        else {
            continue;
        };
        let mut path = param.name.clone();
        resolver.value(value, ty, &mut path)?;
    }
    for (name, address) in &resolver.development {
        eprintln!("`{name}` in --args is the development account {address}");
    }
    Ok(resolved)
}

/// Whether `json` holds any string (only then can it hold a name).
pub fn has_text(json: &Value) -> bool {
    match json {
        Value::String(_) => true,
        Value::Array(items) => items.iter().any(has_text),
        Value::Object(object) => object.values().any(has_text),
        _ => false,
    }
}

struct Resolver<'a> {
    dir: &'a Path,
    /// Development account names used, for a note on stderr (a typo would silently be
    /// one, so the user sees which).
    development: Vec<(String, Address)>,
}

impl Resolver<'_> {
    fn value(&mut self, json: &mut Value, ty: &Type, path: &mut String) -> Result<(), ClientError> {
        match (ty, json) {
            (Type::Address, Value::String(text)) if Address::from_hex(text).is_none() => {
                let address = self.address_of(text, path)?;
                *text = address.to_string();
            }
            (Type::Record(record), Value::Object(object)) => {
                for (name, field_type) in &record.fields {
                    if let Some(field) = object.get_mut(name) {
                        self.nested(field, field_type, path, &format!(".{name}"))?;
                    }
                }
            }
            (Type::Tuple(types), Value::Array(items)) => {
                for (index, (item, item_type)) in items.iter_mut().zip(types).enumerate() {
                    self.nested(item, item_type, path, &format!("[{index}]"))?;
                }
            }
            (Type::List(element) | Type::Set(element), Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.nested(item, element, path, &format!("[{index}]"))?;
                }
            }
            (Type::Map(key_type, value_type), Value::Array(entries)) => {
                for (index, entry) in entries.iter_mut().enumerate() {
                    if let Value::Array(pair) = entry
                        && let [key, value] = pair.as_mut_slice()
                    {
                        self.nested(key, key_type, path, &format!("[{index}][0]"))?;
                        self.nested(value, value_type, path, &format!("[{index}][1]"))?;
                    }
                }
            }
            (Type::Option(inner), json) => match (&**inner, json) {
                (_, Value::Null) => {}
                // The outer `some` of an option of an option is a one-element array.
                (Type::Option(_), Value::Array(items)) => {
                    if let [item] = items.as_mut_slice() {
                        self.nested(item, inner, path, "[0]")?;
                    }
                }
                (_, json) => self.value(json, inner, path)?,
            },
            _ => {}
        }
        Ok(())
    }

    fn nested(
        &mut self,
        json: &mut Value,
        ty: &Type,
        path: &mut String,
        step: &str,
    ) -> Result<(), ClientError> {
        let len = path.len();
        path.push_str(step);
        let result = self.value(json, ty, path);
        path.truncate(len);
        result
    }

    fn address_of(&mut self, name: &str, path: &str) -> Result<Address, ClientError> {
        let unknown = |why: &str| {
            ClientError::Other(format!(
                "--args: `{path}` expects an Address, and `{name}` {why}; write \"0x\" and 40 \
                 hex digits or a name: {NAME_SOURCES}"
            ))
        };
        if name.starts_with("0x") || name.starts_with("0X") {
            return Err(unknown("is not \"0x\" and 40 hex digits"));
        }
        if keystore::check_name(name).is_err() {
            return Err(unknown("is not an address nor a name"));
        }
        let entry = keystore::named(self.dir, name)?;
        if entry.source == Source::Development
            && !self.development.iter().any(|(known, _)| known == name)
        {
            self.development.push((name.to_owned(), entry.address));
        }
        Ok(entry.address)
    }
}
