//! Decisions that explain themselves. [`instrument`] makes a copy of a checked contract
//! whose policies *note*, as they run, the value of each `let`, each `when` and `unless`,
//! each condition joined by `&&`, `||` or `!`, and the operands and arguments that decided
//! them (a state read, a call, a local); [`explain`] turns the notes of one run into an
//! [`Explanation`]. The copy is compiled with [`crate::codegen::compile_explaining`] and
//! run only by a VM made for explaining: the deployed module is built from the contract
//! without notes, so explaining changes no byte and no gas on the ledger.
//!
//! In reading order: what a note is of ([`Sites`], here), [`instrument`] (the noted copy),
//! [`explain`] (notes → [`Explanation`], and its text).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::syntax::ast::Effect;

mod explanation;
mod instrument;

pub use explanation::{Closest, Ending, Explanation, Noted, Reached, RuleExplained, explain};
pub use instrument::instrument;

/// What one note is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A policy's `let`.
    Let,
    /// A rule's whole `when` (`true` for a rule without one).
    When,
    /// A rule's whole `unless`.
    Unless,
    /// One condition of a `when` or `unless` joined by `&&`, `||` or `!`.
    Condition,
    /// An operand or argument of a condition: what decided it.
    Value,
}

/// Where a note comes from: note `n` is `sites[n]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The policy, or the `fn` its conditions call (an index in [`Contract::functions`]).
    pub function: usize,
    /// The rule, by its place in evaluation order; `None` for a `let`.
    pub rule: Option<usize>,
    pub part: Part,
    /// The expression as written (whitespace runs made one space); `name = value` for a
    /// `let`.
    pub text: String,
    /// A condition under an odd number of `!`: it stands in the way when it holds.
    pub negated: bool,
}

/// A rule as the explanation lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSite {
    pub effect: Effect,
    pub label: String,
}

/// One step of a policy in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A `let`: its note.
    Let(u32),
    /// A rule: its index in [`PolicySites::rules`].
    Rule(usize),
}

/// A policy's rules and steps in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySites {
    pub name: String,
    /// An entry point of the contract (not a policy only its code calls).
    pub exported: bool,
    pub steps: Vec<Step>,
    pub rules: Vec<RuleSite>,
    pub default: Effect,
}

/// What [`instrument`] returns besides the noted contract: what each note is of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sites {
    pub sites: Vec<Site>,
    /// By function index, for every policy of the contract.
    pub policies: BTreeMap<usize, PolicySites>,
    /// By function index, the names of the `fn`s whose conditions are noted too (those
    /// that give a `Bool`: what a condition calls to decide).
    pub functions: BTreeMap<usize, String>,
}

impl Sites {
    /// The exported policy called `name`: its function index.
    pub fn entry(&self, name: &str) -> Option<usize> {
        self.policies
            .iter()
            .find(|(_, policy)| policy.exported && policy.name == name)
            .map(|(index, _)| *index)
    }
}
