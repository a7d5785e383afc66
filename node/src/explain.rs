//! A policy decision explained: how the plain run ended (its [`ViewResult`], or the answer
//! of `assent_explain`) and the notes of the run of the same contract built for explaining
//! ([`Explained`]), read against what each note is of ([`assent_lang::explain`]). Used by
//! `assent query --explain`, `assent test --explain` and scenario `view` steps with
//! `"explain": true`.

use assent_lang::Explaining;
use assent_lang::explain::{Ending, Explanation, explain};
use assent_ledger::executor::Outcome;
use serde_json::Value as Json;

use crate::executor::{Explained, ViewResult};

/// The explanation of a call of `method`, a policy of the contract `explaining` was built
/// from, that ended as `result`.
///
/// # Errors
/// When `method` is not a policy of that contract: only decisions are explained.
pub fn explanation(
    explaining: &Explaining,
    method: &str,
    result: &ViewResult,
    explained: &Explained,
) -> Result<Explanation, String> {
    let ending = match &result.outcome {
        Outcome::Ok => decided(&result.return_value),
        Outcome::Aborted { message, .. } => Ending::Aborted {
            message: message.clone(),
        },
        Outcome::OutOfGas { .. } => Ending::OutOfGas,
    };
    explain_ending(explaining, method, ending, explained)
}

/// The explanation from an `assent_explain` answer (`{result, notes, stopped}`).
///
/// # Errors
/// When `method` is not a policy of the contract, or the answer is not of that shape.
pub fn explanation_of_answer(
    explaining: &Explaining,
    method: &str,
    answer: &Json,
) -> Result<Explanation, String> {
    let malformed = || "the node's `assent_explain` answer is malformed".to_owned();
    let field = |json: &Json, key: &str| json.get(key).cloned().unwrap_or(Json::Null);
    let result = field(answer, "result");
    let ending = match result.get("status").and_then(Json::as_str) {
        Some("ok") => decided(&field(&result, "return")),
        Some("aborted") => Ending::Aborted {
            message: field(&result, "message")
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        },
        Some("out_of_gas") => Ending::OutOfGas,
        _ => return Err(malformed()),
    };
    let notes = answer
        .get("notes")
        .and_then(Json::as_array)
        .ok_or_else(malformed)?
        .iter()
        .map(|note| {
            let number = note
                .get(0)
                .and_then(Json::as_u64)
                .and_then(|n| u32::try_from(n).ok());
            match (number, note.get(1).and_then(Json::as_str)) {
                (Some(number), Some(value)) => Ok((number, value.to_owned())),
                _ => Err(malformed()),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let explained = Explained {
        notes,
        stopped: answer
            .get("stopped")
            .and_then(Json::as_str)
            .map(str::to_owned),
    };
    explain_ending(explaining, method, ending, &explained)
}

/// Whether `method` is a policy `explaining` can explain.
pub fn is_policy(explaining: &Explaining, method: &str) -> bool {
    explaining.sites.entry(method).is_some()
}

/// A policy's `Decision` in its JSON form → the ending.
fn decided(decision: &Json) -> Ending {
    Ending::Decided {
        permitted: decision.get("permitted") == Some(&Json::Bool(true)),
        rule: decision
            .get("rule")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned(),
    }
}

fn explain_ending(
    explaining: &Explaining,
    method: &str,
    ending: Ending,
    explained: &Explained,
) -> Result<Explanation, String> {
    let not_a_policy = || {
        format!("`{method}` is not a policy of the contract: only a policy's decision is explained")
    };
    let policy = explaining.sites.entry(method).ok_or_else(not_a_policy)?;
    explain(
        &explaining.sites,
        policy,
        &explained.notes,
        ending,
        explained.stopped.clone(),
    )
    .ok_or_else(not_a_policy)
}

/// Contract sources a node operator trusts, built for explaining, by the code hash of
/// the module each builds as deployed (`assent node --sources DIR`): `assent_explain`
/// without `code` explains a contract whose deployed code one of them builds exactly.
#[derive(Default)]
pub struct Sources {
    by_code: std::collections::BTreeMap<assent_ledger::Hash, std::sync::Arc<Explaining>>,
}

impl Sources {
    /// Builds every `*.assent` file under `paths` (files or directories). A file that
    /// does not compile is skipped and named in the returned warnings (a directory may
    /// hold libraries and drafts); nothing else is read.
    ///
    /// # Errors
    /// A path that cannot be read.
    pub fn load(paths: &[std::path::PathBuf]) -> Result<(Sources, Vec<String>), String> {
        let mut sources = Sources::default();
        let mut warnings = Vec::new();
        for file in crate::files::expand_paths(paths, ".assent")? {
            match crate::pipeline::compile_explaining_file(&file) {
                Ok(explaining) => {
                    let hash = assent_ledger::keccak256(&explaining.compilation.compiled.wasm);
                    sources
                        .by_code
                        .insert(hash, std::sync::Arc::new(explaining));
                }
                Err(_) => warnings.push(format!(
                    "`{}` does not compile; it explains nothing",
                    file.display()
                )),
            }
        }
        Ok((sources, warnings))
    }

    /// The build whose deployed module has this code hash.
    pub fn for_code(&self, code_hash: &assent_ledger::Hash) -> Option<std::sync::Arc<Explaining>> {
        self.by_code.get(code_hash).cloned()
    }
}
