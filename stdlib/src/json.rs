//! The JSON form of Assent values (LANGUAGE.md §3), used by the ABI, RPC and scenarios.

use std::fmt;

use serde_json::{Map as JsonMap, Value as Json, json};

use crate::time;
use crate::value::{Type, Value};

/// Why a JSON value is not a value of the expected type, and where (`grant.period.end`,
/// `purposes[2]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// Resolves names that may stand for an address (scenario account and contract names).
pub trait AddressNames {
    fn address_of(&self, name: &str) -> Option<[u8; 20]>;
}

/// No names: only hex addresses are accepted (RPC).
pub struct HexOnly;

impl AddressNames for HexOnly {
    fn address_of(&self, _name: &str) -> Option<[u8; 20]> {
        None
    }
}

/// The JSON form of `value`, a value of type `ty`.
pub fn to_json(value: &Value, ty: &Type) -> Json {
    match (value, ty) {
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Int(n), _) => json!(n),
        (Value::Money(cents), _) => Json::String(format_money(*cents)),
        (Value::Percent(points), _) => Json::String(format_percent(*points)),
        (Value::Time(seconds), _) => Json::String(time::format_time(*seconds)),
        (Value::Duration(seconds), _) => Json::String(time::format_duration(*seconds)),
        (Value::Address(bytes), _) => Json::String(hex(bytes)),
        (Value::Hash(bytes), _) => Json::String(hex(bytes)),
        (Value::Bytes(bytes), _) => Json::String(hex(bytes)),
        (Value::String(text), _) => Json::String(text.clone()),
        (Value::Enum(ordinal), Type::Enum(enumeration)) => enumeration
            .variants
            .get(*ordinal as usize)
            .map_or(Json::Null, |name| Json::String(name.clone())),
        (Value::Record(fields), Type::Record(record)) => Json::Object(
            record
                .fields
                .iter()
                .zip(fields)
                .map(|((name, field_type), field)| (name.clone(), to_json(field, field_type)))
                .collect(),
        ),
        (Value::Record(fields), Type::Decision) => {
            let mut object = JsonMap::new();
            for (name, (field, field_type)) in ["permitted", "rule"]
                .into_iter()
                .zip(fields.iter().zip([Type::Bool, Type::String]))
            {
                object.insert(name.to_string(), to_json(field, &field_type));
            }
            Json::Object(object)
        }
        (Value::Record(items), Type::Tuple(types)) => Json::Array(
            items
                .iter()
                .zip(types)
                .map(|(item, item_type)| to_json(item, item_type))
                .collect(),
        ),
        (Value::Option(None), _) => Json::Null,
        // `null` could not tell `none` from `some(none)` in a nested option, so the
        // outer `some` of an option of an option is written as a one-element array.
        (Value::Option(Some(inner)), Type::Option(inner_type)) => match **inner_type {
            Type::Option(_) => Json::Array(vec![to_json(inner, inner_type)]),
            _ => to_json(inner, inner_type),
        },
        (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
            Json::Array(items.iter().map(|item| to_json(item, element)).collect())
        }
        (Value::Map(entries), Type::Map(key_type, value_type)) => Json::Array(
            entries
                .iter()
                .map(|(key, value)| json!([to_json(key, key_type), to_json(value, value_type)]))
                .collect(),
        ),
        // A value that does not fit its type is a host bug; show it rather than panic.
        (other, _) => Json::String(format!("<{other:?}>")),
    }
}

/// The text of `value` (a value of type `ty`) in a string interpolation and `to_string`:
/// its JSON form, except that a string at the top (a `String`, a Money, a Time, an enum
/// variant, an address, …) is written without its quotes and a top-level `none` is
/// written `none`. Inside a record, tuple, list, set or map the parts keep their JSON form
/// (`{"until":"2026-01-31T00:00:00Z"}`, `["a",null]`).
pub fn to_text(value: &Value, ty: &Type) -> String {
    match to_json(value, ty) {
        Json::String(text) => text,
        Json::Null => "none".to_string(),
        other => other.to_string(),
    }
}

/// Reads a value of type `ty` from its JSON form; `names` resolves account names where
/// an address is expected.
///
/// # Errors
/// A [`JsonError`] naming the path of the offending part and what was expected.
pub fn from_json(json: &Json, ty: &Type, names: &dyn AddressNames) -> Result<Value, JsonError> {
    Reader { names }.value(json, ty, &mut String::new())
}

/// Reads call arguments: a JSON object with every parameter by name. An omitted `T?`
/// parameter is `null`; a missing other parameter or an unknown key is an error.
///
/// # Errors
/// A [`JsonError`] naming the parameter.
pub fn args_from_json(
    json: &Json,
    params: &[(String, Type)],
    names: &dyn AddressNames,
) -> Result<Vec<Value>, JsonError> {
    let empty = JsonMap::new();
    let object = match json {
        Json::Object(object) => object,
        Json::Null => &empty,
        _ => {
            return Err(JsonError {
                path: String::new(),
                message: format!("arguments must be a JSON object, found {}", kind(json)),
            });
        }
    };
    Reader { names }.fields(object, params, &mut String::new())
}

struct Reader<'a> {
    names: &'a dyn AddressNames,
}

impl Reader<'_> {
    fn fields(
        &self,
        object: &JsonMap<String, Json>,
        fields: &[(String, Type)],
        path: &mut String,
    ) -> Result<Vec<Value>, JsonError> {
        if let Some(unknown) = object
            .keys()
            .find(|key| !fields.iter().any(|(name, _)| name == *key))
        {
            let expected: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
            return Err(JsonError {
                path: path.clone(),
                message: format!(
                    "unknown field `{unknown}` (expected {})",
                    list_or_none(&expected)
                ),
            });
        }
        let mut values = Vec::with_capacity(fields.len());
        for (name, field_type) in fields {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name);
            let value = match (object.get(name), field_type) {
                (Some(json), _) => self.value(json, field_type, path)?,
                (None, Type::Option(_)) => Value::Option(None),
                (None, _) => {
                    return Err(JsonError {
                        path: path.clone(),
                        message: format!("missing (a {} is required)", field_type.display()),
                    });
                }
            };
            path.truncate(len);
            values.push(value);
        }
        Ok(values)
    }

    fn value(&self, json: &Json, ty: &Type, path: &mut String) -> Result<Value, JsonError> {
        // The path of this value, for errors (inner values extend `path` as they go).
        let here = path.clone();
        let fail = |message: String| JsonError {
            path: here.clone(),
            message,
        };
        let expected = |what: &str| fail(format!("expected {what}, found {}", kind(json)));
        Ok(match ty {
            Type::Bool => Value::Bool(json.as_bool().ok_or_else(|| expected("true or false"))?),
            Type::Int => Value::Int(json.as_i64().ok_or_else(|| expected("an integer"))?),
            Type::Money => {
                let text = json.as_str().ok_or_else(|| expected("money as a string like \"12.50\""))?;
                Value::Money(parse_scaled(text, 2).map_err(|error| fail(scaled_message(text, error, false)))?)
            }
            Type::Percent => {
                let text = json.as_str().ok_or_else(|| expected("a percentage like \"12.5%\""))?;
                let points = match text.strip_suffix('%') {
                    Some(number) => parse_scaled(number, 2),
                    None => Err(ScaledError::Syntax),
                };
                Value::Percent(points.map_err(|error| fail(scaled_message(text, error, true)))?)
            }
            Type::Time => match json {
                Json::Number(number) => Value::Time(number.as_i64().ok_or_else(|| {
                    fail(format!("`{number}` is not a time: Unix seconds are a whole number from {} to {}", i64::MIN, i64::MAX))
                })?),
                Json::String(text) => Value::Time(time::parse_time_json(text).ok_or_else(|| {
                    fail(format!("`{text}` is not a time: write \"2026-01-31T08:30:00Z\" or \"2026-01-31\""))
                })?),
                _ => return Err(expected("a time like \"2026-01-31T08:30:00Z\"")),
            },
            Type::Duration => match json {
                Json::Number(number) => Value::Duration(number.as_i64().ok_or_else(|| {
                    fail(format!("`{number}` is not a duration: seconds are a whole number from {} to {}", i64::MIN, i64::MAX))
                })?),
                Json::String(text) => Value::Duration(time::read_duration(text).map_err(|error| fail(error.message(text)))?),
                _ => return Err(expected("a duration like \"30d\"")),
            },
            Type::Address => {
                let text = json.as_str().ok_or_else(|| expected("an address \"0x…\""))?;
                match parse_hex(text) {
                    Some(bytes) => Value::Address(bytes.try_into().map_err(|bytes: Vec<u8>| {
                        fail(format!("an address has 20 bytes, `{text}` has {}", bytes.len()))
                    })?),
                    None => Value::Address(self.names.address_of(text).ok_or_else(|| {
                        fail(format!("`{text}` is not an address (\"0x\" and 40 hex digits) nor a known name"))
                    })?),
                }
            }
            Type::Hash => {
                let text = json.as_str().ok_or_else(|| expected("a hash \"0x…\""))?;
                let bytes = parse_hex(text).ok_or_else(|| fail(format!("`{text}` is not hex \"0x…\"")))?;
                Value::Hash(bytes.try_into().map_err(|bytes: Vec<u8>| {
                    fail(format!("a hash has 32 bytes, `{text}` has {}", bytes.len()))
                })?)
            }
            Type::Bytes => {
                let text = json.as_str().ok_or_else(|| expected("bytes as hex \"0x…\""))?;
                Value::Bytes(parse_hex(text).ok_or_else(|| {
                    fail(format!("`{text}` is not hex: \"0x\" and an even number of hex digits"))
                })?)
            }
            Type::String => Value::String(json.as_str().ok_or_else(|| expected("a string"))?.to_string()),
            Type::Enum(enumeration) => {
                let text = json.as_str().ok_or_else(|| expected(&format!("a {} variant name", enumeration.name)))?;
                let ordinal = enumeration
                    .variants
                    .iter()
                    .position(|variant| variant == text)
                    .ok_or_else(|| fail(format!("`{text}` is not a variant of {}", enumeration.name)))?;
                Value::Enum(u32::try_from(ordinal).unwrap_or(u32::MAX))
            }
            Type::Record(record) => {
                let object = json.as_object().ok_or_else(|| expected(&format!("a {} object", record.name)))?;
                Value::Record(self.fields(object, &record.fields, path)?)
            }
            Type::Decision => {
                let object = json.as_object().ok_or_else(|| expected("a decision object"))?;
                let fields = [("permitted".to_string(), Type::Bool), ("rule".to_string(), Type::String)];
                Value::Record(self.fields(object, &fields, path)?)
            }
            Type::Tuple(types) => {
                let items = json.as_array().ok_or_else(|| expected(&format!("an array of {}", types.len())))?;
                if items.len() != types.len() {
                    return Err(fail(format!("expected {} elements, found {}", types.len(), items.len())));
                }
                Value::Record(self.elements(items.iter().zip(types), path)?)
            }
            Type::Option(inner) => match (json, &**inner) {
                (Json::Null, _) => Value::Option(None),
                (Json::Array(items), Type::Option(_)) => match items.as_slice() {
                    [item] => Value::some(self.value(item, inner, path)?),
                    _ => return Err(expected("null or a one-element array (an option of an option)")),
                },
                (_, Type::Option(_)) => {
                    return Err(expected("null or a one-element array (an option of an option)"));
                }
                _ => Value::some(self.value(json, inner, path)?),
            },
            Type::List(element) => {
                let items = json.as_array().ok_or_else(|| expected("an array"))?;
                Value::List(self.elements(items.iter().zip(std::iter::repeat(&**element)), path)?)
            }
            Type::Set(element) => {
                let items = json.as_array().ok_or_else(|| expected("an array"))?;
                Value::set_from(self.elements(items.iter().zip(std::iter::repeat(&**element)), path)?)
            }
            Type::Map(key_type, value_type) => {
                let items = json.as_array().ok_or_else(|| expected("an array of [key, value] pairs"))?;
                let mut entries = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{index}]"));
                    let pair = match item.as_array().map(Vec::as_slice) {
                        Some([key, value]) => (self.value(key, key_type, path)?, self.value(value, value_type, path)?),
                        _ => {
                            return Err(JsonError {
                                path: path.clone(),
                                message: format!("expected a [key, value] pair, found {}", kind(item)),
                            });
                        }
                    };
                    path.truncate(len);
                    entries.push(pair);
                }
                Value::map_from(entries).map_err(|key| {
                    fail(format!("the key {} appears twice", to_json(&key, key_type)))
                })?
            }
        })
    }

    fn elements<'t>(
        &self,
        items: impl Iterator<Item = (&'t Json, &'t Type)>,
        path: &mut String,
    ) -> Result<Vec<Value>, JsonError> {
        let mut values = Vec::new();
        for (index, (item, item_type)) in items.enumerate() {
            let len = path.len();
            path.push_str(&format!("[{index}]"));
            values.push(self.value(item, item_type, path)?);
            path.truncate(len);
        }
        Ok(values)
    }
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Lowercase `0x…` hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// `0x` + an even number of hex digits (`[0-9a-fA-F]`, nothing else: no sign, no
/// space), any case.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))?;
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Some((hex_digit(*high)? << 4) | hex_digit(*low)?),
            _ => None,
        })
        .collect()
}

/// The value of one hex digit. (Not `from_str_radix`, which also takes a sign.)
fn hex_digit(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Cents as `"1250.00"` (always two decimals).
pub fn format_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `-?\d+(\.\d{1,2})?` to cents.
pub fn parse_money(text: &str) -> Option<i64> {
    parse_scaled(text, 2).ok()
}

/// Basis points as `"12.5%"`, with the fewest decimals.
pub fn format_percent(points: i64) -> String {
    let sign = if points < 0 { "-" } else { "" };
    let abs = points.unsigned_abs();
    let (whole, fraction) = (abs / 100, abs % 100);
    match fraction {
        0 => format!("{sign}{whole}%"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}%", f / 10),
        f => format!("{sign}{whole}.{f:02}%"),
    }
}

/// `-?\d+(\.\d{1,2})?%` to basis points.
pub fn parse_percent(text: &str) -> Option<i64> {
    parse_scaled(text.strip_suffix('%')?, 2).ok()
}

/// Why a decimal text is not a value of a scaled type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScaledError {
    /// Not `-?\d+(\.\d+)?`.
    Syntax,
    /// More digits after the point than the type keeps.
    Decimals,
    /// Outside the signed 64-bit range of the scaled integer.
    Range,
}

/// A decimal with at most `decimals` digits after the point, scaled to an integer. The
/// magnitude is accumulated negatively, so the most negative value (which has no
/// positive counterpart) is read like any other.
fn parse_scaled(text: &str, decimals: u32) -> Result<i64, ScaledError> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(whole) || fraction.is_some_and(|fraction| !digits_only(fraction)) {
        return Err(ScaledError::Syntax);
    }
    let fraction = fraction.unwrap_or_default();
    if fraction.len() > decimals as usize {
        return Err(ScaledError::Decimals);
    }
    let padding = decimals as usize - fraction.len();
    let digits = whole
        .bytes()
        .chain(fraction.bytes())
        .chain(std::iter::repeat_n(b'0', padding));
    let mut value: i64 = 0;
    for digit in digits {
        value = value
            .checked_mul(10)
            .and_then(|value| value.checked_sub(i64::from(digit - b'0')))
            .ok_or(ScaledError::Range)?;
    }
    if negative {
        Ok(value)
    } else {
        value.checked_neg().ok_or(ScaledError::Range)
    }
}

/// The message for a text that is not money (`what` = "money") or a percentage.
fn scaled_message(text: &str, error: ScaledError, percent: bool) -> String {
    let (what, example, min, max) = if percent {
        (
            "a percentage",
            "\"12.5%\"",
            format_percent(i64::MIN),
            format_percent(i64::MAX),
        )
    } else {
        (
            "money",
            "\"12.50\"",
            format_money(i64::MIN),
            format_money(i64::MAX),
        )
    };
    match error {
        ScaledError::Syntax if percent => format!(
            "`{text}` is not {what}: write digits with at most 2 decimals and `%`, like {example}"
        ),
        ScaledError::Syntax => {
            format!("`{text}` is not {what}: write digits with at most 2 decimals, like {example}")
        }
        ScaledError::Decimals => {
            format!("`{text}` is not {what}: it has more than 2 decimals, like {example} has")
        }
        ScaledError::Range => {
            format!("`{text}` is not {what}: it is out of range (from {min} to {max})")
        }
    }
}
