//! Receipts (LEDGER.md §4): what a transaction did, in RLP for the receipts trie and the
//! store, and in the JSON form with the spec's keys.

use super::rlp::{self, Item, ListBuilder, RlpError};
use assent_stdlib::primitives::{Address, Hash, encode_hex};
use serde_json::{Value, json};

/// How a transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Aborted,
    OutOfGas,
}

impl Status {
    /// The JSON name: `ok`, `aborted`, `out_of_gas`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Aborted => "aborted",
            Status::OutOfGas => "out_of_gas",
        }
    }

    fn code(self) -> u64 {
        match self {
            Status::Ok => 0,
            Status::Aborted => 1,
            Status::OutOfGas => 2,
        }
    }

    fn from_code(code: u64, offset: usize) -> Result<Status, RlpError> {
        match code {
            0 => Ok(Status::Ok),
            1 => Ok(Status::Aborted),
            2 => Ok(Status::OutOfGas),
            _ => Err(RlpError::IntegerTooLarge {
                offset,
                max_bytes: 1,
            }),
        }
    }
}

/// A place in contract source, 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcePosition {
    /// The source file, relative to the directory of the contract that was compiled (its
    /// own base name, `other.assent`, `std/claims.assent`); empty when the module did
    /// not name one.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl SourcePosition {
    /// `{file, line, column}` (LEDGER.md §4).
    pub fn to_json(&self) -> Value {
        json!({ "file": self.file, "line": self.line, "column": self.column })
    }
}

/// An event a transaction emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub contract: Address,
    pub name: String,
    /// The fields as a JSON object (LANGUAGE.md §3 form).
    pub fields: String,
    /// The names of the indexed fields.
    pub indexed: Vec<String>,
    /// An `audit` event (kept even when the transaction aborts) rather than an `emit` one.
    pub audit: bool,
}

/// What one transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub tx_hash: Hash,
    pub block: u64,
    pub index: u32,
    pub status: Status,
    /// Why it did not succeed; `None` when ok.
    pub message: Option<String>,
    pub position: Option<SourcePosition>,
    pub gas_used: u64,
    /// The return value as JSON text; `None` for none.
    pub return_value: Option<String>,
    /// The contract a deployment created.
    pub contract_address: Option<Address>,
    /// In emission order across contracts.
    pub events: Vec<Event>,
}

impl Receipt {
    /// The RLP form stored and committed to in the receipts root:
    /// `[tx_hash, block, index, status, message, position, gas_used, return, contract_address,
    /// events]`, with `position` a list `[file, line, column]` or empty, absent values the empty
    /// string, and each event `[contract, name, fields, [indexed…], audit]`.
    pub fn encode(&self) -> Vec<u8> {
        let position = match &self.position {
            Some(position) => ListBuilder::new()
                .bytes(position.file.as_bytes())
                .u64(u64::from(position.line))
                .u64(u64::from(position.column))
                .finish(),
            None => ListBuilder::new().finish(),
        };
        let events = self
            .events
            .iter()
            .fold(ListBuilder::new(), |list, event| {
                let indexed = event
                    .indexed
                    .iter()
                    .fold(ListBuilder::new(), |names, name| {
                        names.bytes(name.as_bytes())
                    })
                    .finish();
                list.raw(
                    &ListBuilder::new()
                        .bytes(&event.contract.0)
                        .bytes(event.name.as_bytes())
                        .bytes(event.fields.as_bytes())
                        .raw(&indexed)
                        .u64(u64::from(event.audit))
                        .finish(),
                )
            })
            .finish();
        ListBuilder::new()
            .bytes(&self.tx_hash.0)
            .u64(self.block)
            .u64(u64::from(self.index))
            .u64(self.status.code())
            .bytes(self.message.as_deref().unwrap_or_default().as_bytes())
            .raw(&position)
            .u64(self.gas_used)
            .bytes(self.return_value.as_deref().unwrap_or_default().as_bytes())
            .bytes(
                self.contract_address
                    .as_ref()
                    .map(|a| &a.0[..])
                    .unwrap_or_default(),
            )
            .raw(&events)
            .finish()
    }

    /// Decodes [`Receipt::encode`]'s form.
    ///
    /// # Errors
    /// Malformed or non-canonical bytes.
    pub fn decode(bytes: &[u8]) -> Result<Receipt, RlpError> {
        let [
            tx_hash,
            block,
            index,
            status,
            message,
            position,
            gas_used,
            return_value,
            contract_address,
            events,
        ] = rlp::decode(bytes)?.items_exact::<10>()?;
        let position = match position.items()?.as_slice() {
            [] => None,
            [file, line, column] => Some(SourcePosition {
                file: text(file)?,
                line: to_u32(line)?,
                column: to_u32(column)?,
            }),
            // Receipts written before positions named their file.
            [line, column] => Some(SourcePosition {
                file: String::new(),
                line: to_u32(line)?,
                column: to_u32(column)?,
            }),
            other => {
                return Err(RlpError::WrongItemCount {
                    offset: position.offset(),
                    expected: 3,
                    got: other.len(),
                });
            }
        };
        let contract_address = match contract_address.bytes()? {
            [] => None,
            _ => Some(Address(contract_address.fixed::<20>()?)),
        };
        let events = events
            .items()?
            .iter()
            .map(decode_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Receipt {
            tx_hash: Hash(tx_hash.fixed::<32>()?),
            block: block.u64()?,
            index: to_u32(&index)?,
            status: Status::from_code(status.u64()?, status.offset())?,
            message: optional_text(&message)?,
            position,
            gas_used: gas_used.u64()?,
            return_value: optional_text(&return_value)?,
            contract_address,
            events,
        })
    }

    /// The JSON form, with the keys of LEDGER.md §4.
    pub fn to_json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("tx_hash".into(), json!(self.tx_hash.to_string()));
        object.insert("block".into(), json!(self.block));
        object.insert("index".into(), json!(self.index));
        object.insert("status".into(), json!(self.status.name()));
        if let Some(message) = &self.message {
            object.insert("message".into(), json!(message));
        }
        if let Some(position) = &self.position {
            object.insert("position".into(), position.to_json());
        }
        object.insert("gas_used".into(), json!(self.gas_used));
        let return_value = self
            .return_value
            .as_deref()
            .map(|text| serde_json::from_str(text).unwrap_or_else(|_| json!(text)))
            .unwrap_or(Value::Null);
        object.insert("return".into(), return_value);
        if let Some(address) = self.contract_address {
            object.insert("contract_address".into(), json!(address.to_string()));
        }
        let events: Vec<Value> = self.events.iter().map(Event::to_json).collect();
        object.insert("events".into(), Value::Array(events));
        Value::Object(object)
    }
}

impl Event {
    /// The JSON form: `contract, name, fields, indexed, audit`.
    pub fn to_json(&self) -> Value {
        json!({
            "contract": encode_hex(&self.contract.0),
            "name": self.name,
            "fields": serde_json::from_str::<Value>(&self.fields).unwrap_or_else(|_| json!(self.fields)),
            "indexed": self.indexed,
            "audit": self.audit,
        })
    }
}

fn decode_event(item: &Item<'_>) -> Result<Event, RlpError> {
    let [contract, name, fields, indexed, audit] = item.items_exact::<5>()?;
    Ok(Event {
        contract: Address(contract.fixed::<20>()?),
        name: text(&name)?,
        fields: text(&fields)?,
        indexed: indexed
            .items()?
            .iter()
            .map(text)
            .collect::<Result<Vec<_>, _>>()?,
        audit: match audit.u64()? {
            0 => false,
            1 => true,
            _ => {
                return Err(RlpError::IntegerTooLarge {
                    offset: audit.offset(),
                    max_bytes: 1,
                });
            }
        },
    })
}

fn to_u32(item: &Item<'_>) -> Result<u32, RlpError> {
    u32::try_from(item.u64()?).map_err(|_| RlpError::IntegerTooLarge {
        offset: item.offset(),
        max_bytes: 4,
    })
}

fn text(item: &Item<'_>) -> Result<String, RlpError> {
    String::from_utf8(item.bytes()?.to_vec()).map_err(|_| RlpError::ExpectedBytes {
        offset: item.offset(),
    })
}

fn optional_text(item: &Item<'_>) -> Result<Option<String>, RlpError> {
    let text = text(item)?;
    Ok((!text.is_empty()).then_some(text))
}
