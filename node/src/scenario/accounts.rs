//! Names in a scenario: accounts (development keys, LEDGER.md §1) and deployed contracts,
//! both standing for addresses wherever an Address is expected.

use std::collections::BTreeMap;

use assent_ledger::Address;
use assent_ledger::keys::{dev_address, dev_key};
use assent_stdlib::json::AddressNames;
use k256::ecdsa::SigningKey;
use serde_json::Value as Json;

/// The names a scenario has used so far.
#[derive(Default)]
pub struct Names {
    /// Account name → its development key and address.
    accounts: BTreeMap<String, (SigningKey, Address)>,
    /// Deployed contract name → address.
    contracts: BTreeMap<String, Address>,
}

impl Names {
    /// The signing key of account `name`.
    ///
    /// # Errors
    /// `name` is a deployed contract's name.
    pub fn account(&mut self, name: &str) -> Result<(SigningKey, Address), String> {
        if self.contracts.contains_key(name) {
            return Err(format!(
                "`{name}` is a contract's name, so it cannot be an account too"
            ));
        }
        if let Some(account) = self.accounts.get(name) {
            return Ok(account.clone());
        }
        let key = dev_key(name).map_err(|error| format!("no key for `{name}`: {error}"))?;
        let address = dev_address(name).map_err(|error| format!("no key for `{name}`: {error}"))?;
        self.accounts
            .insert(name.to_owned(), (key.clone(), address));
        Ok((key, address))
    }

    /// Records a deployment.
    ///
    /// # Errors
    /// `name` was used as an account.
    pub fn deployed(&mut self, name: &str, address: Address) -> Result<(), String> {
        if self.accounts.contains_key(name) {
            return Err(format!(
                "`{name}` is an account's name, so it cannot name a contract too"
            ));
        }
        self.contracts.insert(name.to_owned(), address);
        Ok(())
    }

    /// The address of a deployed contract.
    pub fn contract(&self, name: &str) -> Option<Address> {
        self.contracts.get(name).copied()
    }

    /// The name an address is known by, for readable output.
    pub fn name_of(&self, address: &Address) -> Option<&str> {
        self.contracts
            .iter()
            .find(|(_, known)| *known == address)
            .map(|(name, _)| name.as_str())
            .or_else(|| {
                self.accounts
                    .iter()
                    .find(|(_, (_, known))| known == address)
                    .map(|(name, _)| name.as_str())
            })
    }

    /// `text` with every known address (`0x…`, lowercase) replaced by its name.
    pub fn rename_text(&self, text: &str) -> String {
        let mut text = text.to_owned();
        let contracts = self.contracts.iter();
        let accounts = self
            .accounts
            .iter()
            .map(|(name, (_, address))| (name, address));
        for (name, address) in contracts.chain(accounts) {
            text = text.replace(&address.to_string(), name);
        }
        text
    }

    /// `json` with every string that is a known address replaced by its name.
    pub fn rename(&self, json: &Json) -> Json {
        match json {
            Json::String(text) => Address::from_hex(text)
                .and_then(|address| self.name_of(&address))
                .map_or_else(|| json.clone(), |name| Json::String(name.to_owned())),
            Json::Array(items) => Json::Array(items.iter().map(|item| self.rename(item)).collect()),
            Json::Object(object) => Json::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.clone(), self.rename(value)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Resolves names for the JSON reader: a contract's name, else an account (created on
/// first use, as LEDGER.md §7 says any name used as an Address value is an account).
pub struct Resolver<'a>(pub std::cell::RefCell<&'a mut Names>);

impl AddressNames for Resolver<'_> {
    fn address_of(&self, name: &str) -> Option<[u8; 20]> {
        let mut names = self.0.try_borrow_mut().ok()?;
        if let Some(address) = names.contract(name) {
            return Some(address.0);
        }
        if name.is_empty() || name.starts_with("0x") {
            return None;
        }
        names.account(name).ok().map(|(_, address)| address.0)
    }
}
