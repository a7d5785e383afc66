//! The typed tree as SMT-LIB terms: symbolic evaluation of a property and of everything
//! it calls, inlined (the call graph is acyclic).
//!
//! Every expression becomes a term of its type's sort. Evaluation is total in the
//! solver, so every way an evaluation can abort (a failed `require`, a missing key,
//! overflow, division by zero, `abort`, a denied `authorize`) is recorded as an
//! [`AbortSite`]: the condition, under the path that reaches it, in which it aborts.
//! Whatever the encoder does not translate is an [`Unsupported`] with its position: the
//! property is then `unknown`, never proven.

use std::collections::BTreeMap;

use assent_lang::typed::{
    BinaryOp, Block, Body, Builtin, ContextVar, Contract, Expr, ExprKind, ForIter, Function,
    FunctionId, Loc, LocalId, MutateOp, Pattern, PersistentOp, PlaceRoot, PolicyBody, PolicyStep,
    Projection, StateId, Stmt, StmtKind, Ty, UnaryOp,
};
use assent_lang::typed::{Effect, FunctionKind};
use assent_stdlib::value::Value;

use crate::script::{self, ENUM_BITS, Script, Term, WORD, and, int, ite, not, or, out_of_range};

/// A construct outside what the prover translates, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    pub loc: Loc,
    pub reason: String,
}

pub type R<T> = Result<T, Unsupported>;

/// Where and when an evaluation aborts.
#[derive(Clone, Debug)]
pub struct AbortSite {
    /// A Bool term: the evaluation reaches this site and aborts there.
    pub cond: Term,
    pub loc: Loc,
    pub what: String,
}

/// A free value of the query, shown in a counterexample.
#[derive(Clone, Debug)]
pub struct Input {
    pub label: String,
    pub term: Term,
    pub ty: Ty,
}

/// A read of an entry of a persistent `Map`/`Set` state: the key, shown with the entry.
#[derive(Clone, Debug)]
pub struct Read {
    pub state: StateId,
    pub array: Term,
    pub key: Term,
}

/// A call of one of the contract's own views or policies made by a property itself (not
/// by a function it calls): what a scenario's `view` step can ask, and the answer.
#[derive(Clone, Debug)]
pub struct Observed {
    pub function: FunctionId,
    /// The arguments, each a named term.
    pub args: Vec<Term>,
    /// The result, a named term.
    pub result: Term,
    /// Whether the evaluation reaches the call (a Bool term).
    pub reached: Term,
    /// Whether the call aborts, when reached (a Bool term).
    pub aborts: Term,
}

/// How deeply calls are inlined before the prover gives up (the call graph is acyclic,
/// so this bounds only very long call chains).
const MAX_INLINE_DEPTH: u32 = 64;

/// The values a function body sees: its parameters and locals.
struct Frame<'f> {
    function: &'f Function,
    params: Vec<Term>,
    locals: Vec<Option<Term>>,
    /// Whether a `return` was reached (a Bool term), and the value it returned.
    returned: Term,
    returned_value: Option<Term>,
}

impl<'f> Frame<'f> {
    fn new(function: &'f Function, params: Vec<Term>) -> Frame<'f> {
        Frame {
            function,
            params,
            locals: vec![None; function.locals.len()],
            returned: "false".to_string(),
            returned_value: None,
        }
    }
}

/// The symbolic evaluator of one contract, writing into a shared [`Script`].
pub struct Encoder<'c, 's> {
    pub contract: &'c Contract,
    pub script: &'s mut Script,
    /// Prefix of this contract's own names (state), so two versions can share a script.
    pub aborts: Vec<AbortSite>,
    /// Facts every free value satisfies (an enum value is one of its variants).
    pub facts: Vec<Term>,
    pub inputs: Vec<Input>,
    pub reads: Vec<Read>,
    states: BTreeMap<StateId, Term>,
    depth: u32,
    /// Percentages as fresh values bounded by facts of the exact operation, not its
    /// circuit: an over-approximation, so what it proves holds (see [`crate::prove`]).
    pub abstract_percent: bool,
    /// State starts as deployment leaves it (empty maps and sets, initialisers) instead of
    /// free, and `init` and actions may write it: each write replaces the state's term.
    pub from_deployment: bool,
    /// With [`Encoder::from_deployment`]: the entry count of each `Map`/`Set` state.
    lens: BTreeMap<StateId, Term>,
    /// Context values fixed by the caller (one transaction of a sequence), used instead
    /// of the shared free ones.
    pub fixed_context: Vec<(ContextVar, Term)>,
    /// When set, the property's own calls of views and policies are recorded here.
    pub observed: Option<Vec<Observed>>,
}

impl<'c, 's> Encoder<'c, 's> {
    pub fn new(contract: &'c Contract, script: &'s mut Script) -> Encoder<'c, 's> {
        Encoder {
            contract,
            script,
            aborts: Vec::new(),
            facts: Vec::new(),
            inputs: Vec::new(),
            reads: Vec::new(),
            states: BTreeMap::new(),
            depth: 0,
            abstract_percent: false,
            from_deployment: false,
            lens: BTreeMap::new(),
            fixed_context: Vec::new(),
            observed: None,
        }
    }

    fn unsupported<T>(&self, loc: Loc, reason: impl Into<String>) -> R<T> {
        Err(Unsupported {
            loc,
            reason: reason.into(),
        })
    }

    pub fn sort(&mut self, ty: &Ty, loc: Loc) -> R<String> {
        match self.script.sort(self.contract, ty) {
            Some(sort) => Ok(sort),
            None => {
                let name = self.contract.type_name(ty);
                self.unsupported(loc, format!("values of type `{name}` are not translated"))
            }
        }
    }

    /// A free value named `name`, shown in counterexamples as `label`.
    pub fn free(&mut self, name: &str, label: &str, ty: &Ty, loc: Loc) -> R<Term> {
        let sort = self.sort(ty, loc)?;
        let term = self.script.declare(name, &sort);
        self.well_formed(&term, ty);
        self.inputs.push(Input {
            label: label.to_string(),
            term: term.clone(),
            ty: ty.clone(),
        });
        Ok(term)
    }

    /// Records that a free value of type `ty` is a value of that type (enum ordinals
    /// name a variant), inside records, tuples and options.
    fn well_formed(&mut self, term: &str, ty: &Ty) {
        if let Some(fact) = self.well_formed_term(term, ty, 0) {
            self.facts.push(fact);
        }
    }

    fn well_formed_term(&mut self, term: &str, ty: &Ty, depth: u32) -> Option<Term> {
        if depth > 8 {
            return None;
        }
        match ty {
            Ty::Int | Ty::Money | Ty::Percent | Ty::Time | Ty::Duration => {
                Some(script::in_range(term))
            }
            Ty::Bytes => Some(format!("(str.in_re {term} {})", script::BYTE_RANGE)),
            Ty::Enum(id) => {
                let count = self.contract.enum_def(*id)?.variants.len();
                Some(format!(
                    "(bvult {term} {})",
                    script::ordinal(u32::try_from(count).ok()?)
                ))
            }
            Ty::Record(_) | Ty::Tuple(_) => {
                let field_types = script::field_types(self.contract, ty)?;
                let names = self.script.datatype(self.contract, ty)?;
                let mut facts = Vec::new();
                for (field, field_ty) in names.fields.iter().zip(&field_types) {
                    if let Some(fact) =
                        self.well_formed_term(&format!("({field} {term})"), field_ty, depth + 1)
                    {
                        facts.push(fact);
                    }
                }
                match facts.len() {
                    0 => None,
                    1 => facts.pop(),
                    _ => Some(format!("(and {})", facts.join(" "))),
                }
            }
            Ty::Option(inner) => {
                let names = self.script.datatype(self.contract, ty)?;
                let val = names.fields.first()?.clone();
                let inner_fact =
                    self.well_formed_term(&format!("({val} {term})"), inner, depth + 1)?;
                Some(format!(
                    "(=> ((_ is {}) {term}) {inner_fact})",
                    names.constructor
                ))
            }
            _ => None,
        }
    }

    fn abort(&mut self, guard: &str, cond: &str, loc: Loc, what: &str) {
        let cond = and(guard, cond);
        if cond == "false" {
            return;
        }
        let cond = self.script.define("abort", "Bool", &cond);
        self.aborts.push(AbortSite {
            cond,
            loc,
            what: what.to_string(),
        });
    }

    // ---- values --------------------------------------------------------------------------

    /// The literal of `value` of type `ty`.
    pub fn literal(&mut self, value: &Value, ty: &Ty, loc: Loc) -> R<Term> {
        Ok(match (value, ty) {
            (Value::Bool(b), _) => b.to_string(),
            (
                Value::Int(n)
                | Value::Money(n)
                | Value::Percent(n)
                | Value::Time(n)
                | Value::Duration(n),
                _,
            ) => int(*n),
            (Value::Address(bytes), _) => format!("#x{}", hex(bytes)),
            (Value::Hash(bytes), _) => format!("#x{}", hex(bytes)),
            (Value::String(text), _) => script::string(text),
            (Value::Bytes(bytes), _) => script::bytes(bytes),
            (Value::Enum(ordinal), _) => script::ordinal(*ordinal),
            (Value::Record(fields), Ty::Record(_) | Ty::Tuple(_) | Ty::Decision) => {
                let types = self.field_types(ty, loc)?;
                let names = self.datatype(ty, loc)?;
                let mut parts = Vec::new();
                for (field, field_ty) in fields.iter().zip(&types) {
                    parts.push(self.literal(field, field_ty, loc)?);
                }
                format!("({} {})", names.constructor, parts.join(" "))
            }
            (Value::Option(inner), Ty::Option(inner_ty)) => {
                let names = self.datatype(ty, loc)?;
                match inner {
                    None => names.none,
                    Some(v) => {
                        let v = self.literal(v, inner_ty, loc)?;
                        format!("({} {v})", names.constructor)
                    }
                }
            }
            (Value::List(items), Ty::List(item_ty)) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(self.literal(item, item_ty, loc)?);
                }
                self.seq(&parts, ty, loc)?
            }
            (Value::Set(items), Ty::Set(item_ty)) => {
                let sort = self.sort(ty, loc)?;
                let mut term = format!("((as const {sort}) false)");
                for item in items {
                    let item = self.literal(item, item_ty, loc)?;
                    term = format!("(store {term} {item} true)");
                }
                term
            }
            (Value::Map(pairs), Ty::Map(k, v)) => {
                let sort = self.sort(ty, loc)?;
                let option = Ty::Option(v.clone());
                let names = self.datatype(&option, loc)?;
                let mut term = format!("((as const {sort}) {})", names.none);
                for (key, value) in pairs {
                    let key = self.literal(key, k, loc)?;
                    let value = self.literal(value, v, loc)?;
                    term = format!("(store {term} {key} ({} {value}))", names.constructor);
                }
                term
            }
            _ => {
                let name = self.contract.type_name(ty);
                return self.unsupported(loc, format!("a constant of type `{name}`"));
            }
        })
    }

    fn seq(&mut self, parts: &[Term], ty: &Ty, loc: Loc) -> R<Term> {
        Ok(match parts {
            [] => format!("(as seq.empty {})", self.sort(ty, loc)?),
            [one] => format!("(seq.unit {one})"),
            many => format!(
                "(seq.++ {})",
                many.iter()
                    .map(|p| format!("(seq.unit {p})"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        })
    }

    fn datatype(&mut self, ty: &Ty, loc: Loc) -> R<script::Datatype> {
        match self.script.datatype(self.contract, ty) {
            Some(d) => Ok(d),
            None => {
                let name = self.contract.type_name(ty);
                self.unsupported(loc, format!("values of type `{name}` are not translated"))
            }
        }
    }

    fn field_types(&self, ty: &Ty, loc: Loc) -> R<Vec<Ty>> {
        match ty {
            Ty::Decision => Ok(vec![Ty::Bool, Ty::String]),
            Ty::Record(id) => match self.contract.record_def(*id) {
                Some(def) => Ok(def.fields.iter().map(|f| f.ty.clone()).collect()),
                None => self.unsupported(loc, "an unknown record"),
            },
            Ty::Tuple(items) => Ok(items.clone()),
            _ => self.unsupported(loc, "fields of a value without fields"),
        }
    }

    /// Field `index` of `base` (a record, tuple or Decision).
    fn field(&mut self, base: &str, ty: &Ty, index: u32, loc: Loc) -> R<Term> {
        let names = self.datatype(ty, loc)?;
        match names.fields.get(index as usize) {
            Some(field) => Ok(format!("({field} {base})")),
            None => self.unsupported(loc, "a field the type does not have"),
        }
    }

    /// The term of a state variable: a free constant (persistent `Map`/`Set` state is an
    /// array over its keys, with `none`/`false` where there is no entry).
    fn state(&mut self, id: StateId, loc: Loc) -> R<Term> {
        if let Some(term) = self.states.get(&id) {
            return Ok(term.clone());
        }
        let Some(def) = self.contract.states.get(id.index()) else {
            return self.unsupported(loc, "an unknown state");
        };
        let (name, ty) = (def.name.clone(), def.ty.clone());
        let sort = self.sort(&ty, loc)?;
        if self.from_deployment {
            let term = self.initial_state(&name, &ty, &sort, def.init.clone(), loc)?;
            self.states.insert(id, term.clone());
            return Ok(term);
        }
        // Named by name and sort, so two versions of a contract share a state of the same
        // name and type.
        let shape = script::shape(self.contract, &ty);
        let key = format!("st.{name}.{:x}", fnv(&shape));
        let term = self.script.declare(&key, &sort);
        if !def.persistent {
            self.well_formed(&term, &ty);
            self.inputs.push(Input {
                label: name,
                term: term.clone(),
                ty,
            });
        }
        self.states.insert(id, term.clone());
        Ok(term)
    }

    /// A state's value right after deployment, before `init` runs: `Map`/`Set` state
    /// empty, a scalar its initialiser (or, without one, a free value `init` assigns).
    fn initial_state(
        &mut self,
        name: &str,
        ty: &Ty,
        sort: &str,
        init: Option<Value>,
        loc: Loc,
    ) -> R<Term> {
        Ok(match (ty, init) {
            (Ty::Map(_, v), _) => {
                let none = self.datatype(&Ty::Option(v.clone()), loc)?.none;
                format!("((as const {sort}) {none})")
            }
            (Ty::Set(_), _) => format!("((as const {sort}) false)"),
            (_, Some(value)) => {
                let literal = self.literal(&value, ty, loc)?;
                self.script.define("init", sort, &literal)
            }
            (_, None) => {
                let term = self.script.declare(&format!("unset.{name}"), sort);
                self.well_formed(&term, ty);
                term
            }
        })
    }

    /// Replaces the value of state `id` by `value` where `guard` holds.
    fn write_state(&mut self, id: StateId, value: &str, guard: &str, loc: Loc) -> R<()> {
        if !self.from_deployment {
            return self.unsupported(loc, "a write to state");
        }
        if guard == "false" {
            return Ok(());
        }
        let current = self.state(id, loc)?;
        let ty = self
            .contract
            .states
            .get(id.index())
            .map(|d| d.ty.clone())
            .unwrap_or(Ty::Error);
        let sort = self.sort(&ty, loc)?;
        let term = self
            .script
            .define("st", &sort, &ite(guard, value, &current));
        self.states.insert(id, term);
        Ok(())
    }

    /// The entry count of `Map`/`Set` state `id` since deployment.
    fn len_of(&mut self, id: StateId) -> Term {
        self.lens.get(&id).cloned().unwrap_or_else(|| int(0))
    }

    /// Adds `delta` (an Int term) to the entry count of `id` where `guard` holds.
    fn count(&mut self, id: StateId, delta: &str, guard: &str) {
        let current = self.len_of(id);
        let term = self.script.define(
            "len",
            WORD,
            &ite(guard, &format!("(+ {current} {delta})"), &current),
        );
        self.lens.insert(id, term);
    }

    /// A context value (`now`, `caller`, …), shared by every contract of the script.
    pub fn context(&mut self, var: ContextVar) -> Term {
        if let Some((_, term)) = self.fixed_context.iter().find(|(v, _)| *v == var) {
            return term.clone();
        }
        let (name, ty) = match var {
            ContextVar::Caller => ("caller", Ty::Address),
            ContextVar::Origin => ("origin", Ty::Address),
            ContextVar::Now => ("now", Ty::Time),
            ContextVar::Block => ("block", Ty::Int),
            ContextVar::SelfAddress => ("self", Ty::Address),
        };
        let sort = match ty {
            Ty::Address => "(_ BitVec 160)",
            _ => WORD,
        };
        let term = format!("ctx.{name}");
        if !self.inputs.iter().any(|i| i.term == term) {
            self.script.declare(&term, sort);
            if sort == WORD {
                self.facts.push(script::in_range(&term));
            }
            self.inputs.push(Input {
                label: name.to_string(),
                term: term.clone(),
                ty,
            });
        }
        term
    }

    // ---- expressions ---------------------------------------------------------------------

    fn expr(&mut self, e: &Expr, frame: &mut Frame<'_>, guard: &str) -> R<Term> {
        assent_lang::stack::guarded(|| self.expr_inner(e, frame, guard))
    }

    fn expr_inner(&mut self, e: &Expr, frame: &mut Frame<'_>, guard: &str) -> R<Term> {
        let loc = e.loc;
        Ok(match &e.kind {
            ExprKind::Literal(value) => self.literal(value, &e.ty, loc)?,
            ExprKind::Param(index) => match frame.params.get(*index as usize) {
                Some(term) => term.clone(),
                None => return self.unsupported(loc, "an unknown parameter"),
            },
            ExprKind::Local(id) => match frame.locals.get(id.index()).cloned().flatten() {
                Some(term) => term,
                None => return self.unsupported(loc, "a local read before it is bound"),
            },
            ExprKind::Const(id) => {
                let Some(def) = self.contract.consts.get(id.index()) else {
                    return self.unsupported(loc, "an unknown constant");
                };
                let (value, ty) = (def.value.clone(), def.ty.clone());
                self.literal(&value, &ty, loc)?
            }
            ExprKind::State(id) => self.state(*id, loc)?,
            ExprKind::Context(var) => self.context(*var),
            ExprKind::Variant { ordinal, .. } => script::ordinal(*ordinal),
            ExprKind::Some(inner) => {
                let v = self.expr(inner, frame, guard)?;
                let names = self.datatype(&e.ty, loc)?;
                format!("({} {v})", names.constructor)
            }
            ExprKind::None => self.datatype(&e.ty, loc)?.none,
            ExprKind::Tuple(items) | ExprKind::Record { fields: items, .. } => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(self.expr(item, frame, guard)?);
                }
                let names = self.datatype(&e.ty, loc)?;
                format!("({} {})", names.constructor, parts.join(" "))
            }
            ExprKind::RecordUpdate { base, fields } => {
                let base_term = self.expr(base, frame, guard)?;
                let sort = self.sort(&e.ty, loc)?;
                let base_term = self.script.define("rec", &sort, &base_term);
                let names = self.datatype(&e.ty, loc)?;
                let mut parts: Vec<Term> = names
                    .fields
                    .iter()
                    .map(|f| format!("({f} {base_term})"))
                    .collect();
                for (index, value) in fields {
                    let v = self.expr(value, frame, guard)?;
                    if let Some(slot) = parts.get_mut(*index as usize) {
                        *slot = v;
                    }
                }
                format!("({} {})", names.constructor, parts.join(" "))
            }
            ExprKind::Field { base, index } => {
                let b = self.expr(base, frame, guard)?;
                self.field(&b, &base.ty, *index, loc)?
            }
            ExprKind::OptionalField { base, index } => {
                let b = self.expr(base, frame, guard)?;
                let Ty::Option(record_ty) = &base.ty else {
                    return self.unsupported(loc, "`?.` on a value that is not an option");
                };
                let base_sort = self.sort(&base.ty, loc)?;
                let b = self.script.define("opt", &base_sort, &b);
                let base_names = self.datatype(&base.ty, loc)?;
                let val = base_names.fields.first().cloned().unwrap_or_default();
                let inner = self.field(&format!("({val} {b})"), record_ty, *index, loc)?;
                let field_ty = self
                    .field_types(record_ty, loc)?
                    .get(*index as usize)
                    .cloned()
                    .unwrap_or(Ty::Error);
                let result_names = self.datatype(&e.ty, loc)?;
                let inner = if matches!(field_ty, Ty::Option(_)) {
                    inner
                } else {
                    format!("({} {inner})", result_names.constructor)
                };
                ite(
                    &format!("((_ is {}) {b})", base_names.constructor),
                    &inner,
                    &result_names.none,
                )
            }
            ExprKind::List(items) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(self.expr(item, frame, guard)?);
                }
                self.seq(&parts, &e.ty, loc)?
            }
            ExprKind::Set(items) => {
                let sort = self.sort(&e.ty, loc)?;
                let mut term = format!("((as const {sort}) false)");
                for item in items {
                    let v = self.expr(item, frame, guard)?;
                    term = format!("(store {term} {v} true)");
                }
                term
            }
            ExprKind::Map(pairs) => {
                let Ty::Map(_, value_ty) = &e.ty else {
                    return self.unsupported(loc, "a map literal of another type");
                };
                let sort = self.sort(&e.ty, loc)?;
                let names = self.datatype(&Ty::Option(value_ty.clone()), loc)?;
                let mut term = format!("((as const {sort}) {})", names.none);
                for (key, value) in pairs {
                    let k = self.expr(key, frame, guard)?;
                    let v = self.expr(value, frame, guard)?;
                    term = format!("(store {term} {k} ({} {v}))", names.constructor);
                }
                term
            }
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand, frame, guard)?;
                match op {
                    UnaryOp::Not => not(&v),
                    UnaryOp::Neg => {
                        self.abort(
                            guard,
                            &format!("(= {v} {})", int(i64::MIN)),
                            loc,
                            "integer overflow",
                        );
                        format!("(- {v})")
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e, frame, guard)?,
            ExprKind::Builtin { builtin, args } => self.builtin(*builtin, args, e, frame, guard)?,
            ExprKind::Persistent { state, op, args } => {
                self.persistent(*state, *op, args, e, frame, guard)?
            }
            ExprKind::Mutate { place, op, arg } => {
                if !place.path.is_empty() {
                    return self.unsupported(loc, "a change inside a local value");
                }
                let (current, target) = match place.root {
                    PlaceRoot::Local(local) => {
                        match frame.locals.get(local.index()).cloned().flatten() {
                            Some(t) => (t, Ok(local)),
                            None => {
                                return self.unsupported(loc, "a local changed before it is bound");
                            }
                        }
                    }
                    PlaceRoot::State(state) if self.from_deployment => {
                        (self.state(state, loc)?, Err(state))
                    }
                    _ => return self.unsupported(loc, "a change of state"),
                };
                let a = self.expr(arg, frame, guard)?;
                let updated = match op {
                    MutateOp::ListPush => format!("(seq.++ {current} (seq.unit {a}))"),
                    MutateOp::SetInsert => format!("(store {current} {a} true)"),
                    MutateOp::SetRemove => format!("(store {current} {a} false)"),
                    MutateOp::MapRemove => {
                        let Ty::Map(_, v) = &place.ty else {
                            return self.unsupported(loc, "`.remove` of a value that is not a map");
                        };
                        let names = self.datatype(&Ty::Option(v.clone()), loc)?;
                        format!("(store {current} {a} {})", names.none)
                    }
                    MutateOp::ListRemove => {
                        return self.unsupported(loc, "`.remove` on a list");
                    }
                };
                let sort = self.sort(&place.ty, loc)?;
                let updated = self.script.define("mut", &sort, &updated);
                match target {
                    Ok(local) => {
                        if let Some(slot) = frame.locals.get_mut(local.index()) {
                            *slot = Some(updated);
                        }
                    }
                    Err(state) => self.write_state(state, &updated, guard, loc)?,
                }
                "true".to_string()
            }
            ExprKind::Call { function, args } => {
                let mut values = Vec::new();
                for arg in args {
                    let v = self.expr(arg, frame, guard)?;
                    let sort = self.sort(&arg.ty, arg.loc)?;
                    values.push(self.script.define("arg", &sort, &v));
                }
                let record = self.observed.is_some()
                    && self.depth == 0
                    && self.contract.function(*function).is_some_and(|f| {
                        f.exported
                            && f.module == self.contract.module
                            && matches!(f.kind, FunctionKind::View | FunctionKind::Policy)
                    });
                let aborts_before = self.aborts.len();
                let result = self.call(*function, values.clone(), guard, loc)?;
                if record {
                    let aborts = self
                        .aborts
                        .get(aborts_before..)
                        .unwrap_or_default()
                        .iter()
                        .fold("false".to_string(), |acc, site| or(&acc, &site.cond));
                    let reached = self.script.define("reached", "Bool", guard);
                    let aborts = self.script.define("aborts", "Bool", &aborts);
                    if let Some(observed) = self.observed.as_mut() {
                        observed.push(Observed {
                            function: *function,
                            args: values,
                            result: result.clone(),
                            reached,
                            aborts,
                        });
                    }
                }
                result
            }
            ExprKind::CrossCall { .. } => {
                return self.unsupported(loc, "a call of another contract");
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond, frame, guard)?;
                let c = self.script.define("c", "Bool", &c);
                let branches = [(c.clone(), Some(&**then)), (not(&c), otherwise.as_deref())];
                self.branches(&branches, frame, guard)?
            }
            ExprKind::IfLet {
                pattern,
                value,
                then,
                otherwise,
            } => {
                let v = self.expr(value, frame, guard)?;
                let sort = self.sort(&value.ty, value.loc)?;
                let v = self.script.define("v", &sort, &v);
                let (cond, binds) = self.pattern(pattern, &v, &value.ty, loc)?;
                let cond = self.script.define("c", "Bool", &cond);
                let saved = frame.locals.clone();
                for (local, term) in &binds {
                    set_local(frame, *local, term.clone());
                }
                let then_guard = and(guard, &cond);
                let mut g = then_guard.clone();
                let then_value = self.block(then, frame, &mut g)?;
                let then_locals = std::mem::replace(&mut frame.locals, saved.clone());
                let else_guard = and(guard, &not(&cond));
                let mut g = else_guard;
                let else_value = match otherwise {
                    Some(b) => self.block(b, frame, &mut g)?,
                    None => "true".to_string(),
                };
                let else_locals = std::mem::replace(&mut frame.locals, saved);
                self.merge(
                    frame,
                    &[(cond.clone(), then_locals), ("true".into(), else_locals)],
                )?;
                ite(&cond, &then_value, &else_value)
            }
            ExprKind::Match { scrutinee, arms } => {
                let v = self.expr(scrutinee, frame, guard)?;
                let sort = self.sort(&scrutinee.ty, scrutinee.loc)?;
                let v = self.script.define("m", &sort, &v);
                let saved = frame.locals.clone();
                let mut untaken = "true".to_string();
                let mut results: Vec<(Term, Term)> = Vec::new();
                let mut envs = Vec::new();
                for (i, arm) in arms.iter().enumerate() {
                    let (cond, binds) = self.pattern(&arm.pattern, &v, &scrutinee.ty, arm.loc)?;
                    let cond = self.script.define("arm", "Bool", &cond);
                    let taken = and(&untaken, &cond);
                    for (local, term) in &binds {
                        set_local(frame, *local, term.clone());
                    }
                    let mut g = and(guard, &taken);
                    let value = self.block(&arm.body, frame, &mut g)?;
                    let last = i + 1 == arms.len();
                    let selector = if last { "true".to_string() } else { taken };
                    envs.push((
                        selector.clone(),
                        std::mem::replace(&mut frame.locals, saved.clone()),
                    ));
                    results.push((selector, value));
                    untaken = and(&untaken, &not(&cond));
                }
                frame.locals = saved;
                self.merge(frame, &envs)?;
                let mut term = results
                    .last()
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| "true".into());
                for (cond, value) in results.iter().rev().skip(1) {
                    term = ite(cond, value, &term);
                }
                term
            }
            ExprKind::Block(block) => {
                let mut g = guard.to_string();
                self.block(block, frame, &mut g)?
            }
        })
    }

    /// `if`/`else`: each branch under its condition, locals merged after.
    fn branches(
        &mut self,
        branches: &[(Term, Option<&Block>)],
        frame: &mut Frame<'_>,
        guard: &str,
    ) -> R<Term> {
        let saved = frame.locals.clone();
        let mut values = Vec::new();
        let mut envs = Vec::new();
        for (cond, block) in branches {
            let mut g = and(guard, cond);
            let value = match block {
                Some(block) => self.block(block, frame, &mut g)?,
                None => "true".to_string(),
            };
            envs.push((
                cond.clone(),
                std::mem::replace(&mut frame.locals, saved.clone()),
            ));
            values.push(value);
        }
        frame.locals = saved;
        self.merge(frame, &envs)?;
        Ok(match (branches.first(), values.as_slice()) {
            (Some((cond, _)), [a, b]) => ite(cond, a, b),
            (_, [a]) => a.clone(),
            _ => "true".to_string(),
        })
    }

    /// After branches: each local changed in some branch becomes the value of the branch
    /// taken (the conditions are tried in order; the last is the rest).
    fn merge(&mut self, frame: &mut Frame<'_>, envs: &[(Term, Vec<Option<Term>>)]) -> R<()> {
        for index in 0..frame.locals.len() {
            let before = frame.locals.get(index).cloned().flatten();
            let Some(before) = before else {
                continue;
            };
            let values: Vec<(Term, Term)> = envs
                .iter()
                .map(|(cond, locals)| {
                    (
                        cond.clone(),
                        locals
                            .get(index)
                            .cloned()
                            .flatten()
                            .unwrap_or_else(|| before.clone()),
                    )
                })
                .collect();
            if values.iter().all(|(_, v)| *v == before) {
                continue;
            }
            let mut term = values.last().map(|(_, v)| v.clone()).unwrap_or(before);
            for (cond, value) in values.iter().rev().skip(1) {
                term = ite(cond, value, &term);
            }
            let ty = frame
                .function
                .locals
                .get(index)
                .map(|l| l.ty.clone())
                .unwrap_or(Ty::Error);
            let sort = self.sort(&ty, frame.function.loc)?;
            let term = self.script.define("phi", &sort, &term);
            if let Some(slot) = frame.locals.get_mut(index) {
                *slot = Some(term);
            }
        }
        Ok(())
    }

    /// A pattern against `value` of type `ty`: the condition it matches and its bindings.
    fn pattern(
        &mut self,
        pattern: &Pattern,
        value: &str,
        ty: &Ty,
        loc: Loc,
    ) -> R<(Term, Vec<(LocalId, Term)>)> {
        Ok(match pattern {
            Pattern::Wildcard => ("true".into(), Vec::new()),
            Pattern::Bind(local) => ("true".into(), vec![(*local, value.to_string())]),
            Pattern::Literal(v) => {
                let lit = self.literal(v, ty, loc)?;
                (format!("(= {value} {lit})"), Vec::new())
            }
            Pattern::Variant { ordinal, end, .. } => (
                format!(
                    "(and (bvule {} {value}) (bvult {value} {}))",
                    script::ordinal(*ordinal),
                    script::ordinal(*end)
                ),
                Vec::new(),
            ),
            Pattern::None => {
                let names = self.datatype(ty, loc)?;
                (format!("((_ is {}) {value})", names.none), Vec::new())
            }
            Pattern::Some(inner) => {
                let Ty::Option(inner_ty) = ty else {
                    return self.unsupported(loc, "`some` pattern on a non-option");
                };
                let names = self.datatype(ty, loc)?;
                let val = names.fields.first().cloned().unwrap_or_default();
                let (cond, binds) =
                    self.pattern(inner, &format!("({val} {value})"), inner_ty, loc)?;
                (
                    and(&format!("((_ is {}) {value})", names.constructor), &cond),
                    binds,
                )
            }
            Pattern::Tuple(items) => {
                let types = self.field_types(ty, loc)?;
                let mut cond = "true".to_string();
                let mut binds = Vec::new();
                for (i, (item, item_ty)) in items.iter().zip(&types).enumerate() {
                    let field = self.field(value, ty, u32::try_from(i).unwrap_or(0), loc)?;
                    let (c, b) = self.pattern(item, &field, item_ty, loc)?;
                    cond = and(&cond, &c);
                    binds.extend(b);
                }
                (cond, binds)
            }
            Pattern::Or(alternatives) => {
                let mut conds = Vec::new();
                let mut all_binds: Vec<Vec<(LocalId, Term)>> = Vec::new();
                for alternative in alternatives {
                    let (c, b) = self.pattern(alternative, value, ty, loc)?;
                    conds.push(c);
                    all_binds.push(b);
                }
                let cond = conds.iter().fold("false".to_string(), |acc, c| or(&acc, c));
                // Each local takes its value from the first alternative that matches.
                let mut binds = Vec::new();
                if let Some(first) = all_binds.first() {
                    for (local, _) in first {
                        let mut term: Option<Term> = None;
                        for (c, b) in conds.iter().zip(&all_binds).rev() {
                            let Some((_, v)) = b.iter().find(|(l, _)| l == local) else {
                                continue;
                            };
                            term = Some(match term {
                                None => v.clone(),
                                Some(rest) => ite(c, v, &rest),
                            });
                        }
                        if let Some(term) = term {
                            binds.push((*local, term));
                        }
                    }
                }
                (cond, binds)
            }
        })
    }

    // ---- operators -----------------------------------------------------------------------

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        e: &Expr,
        frame: &mut Frame<'_>,
        guard: &str,
    ) -> R<Term> {
        use BinaryOp::*;
        let loc = e.loc;
        // Short-circuit and `??`: the right side is evaluated only when it is reached.
        match op {
            And | Or => {
                let a = self.expr(lhs, frame, guard)?;
                let a = self.script.define("c", "Bool", &a);
                let reach = if op == And { a.clone() } else { not(&a) };
                let b = self.expr(rhs, frame, &and(guard, &reach))?;
                return Ok(if op == And { and(&a, &b) } else { or(&a, &b) });
            }
            Default => {
                let a = self.expr(lhs, frame, guard)?;
                let sort = self.sort(&lhs.ty, lhs.loc)?;
                let a = self.script.define("o", &sort, &a);
                let names = self.datatype(&lhs.ty, loc)?;
                let is_some = format!("((_ is {}) {a})", names.constructor);
                let b = self.expr(rhs, frame, &and(guard, &not(&is_some)))?;
                let val = names.fields.first().cloned().unwrap_or_default();
                let present = if matches!(e.ty, Ty::Option(_)) && e.ty == lhs.ty {
                    a.clone()
                } else {
                    format!("({val} {a})")
                };
                return Ok(ite(&is_some, &present, &b));
            }
            _ => {}
        }
        let a = self.expr(lhs, frame, guard)?;
        let b = self.expr(rhs, frame, guard)?;
        let a = self.bind(&a, &lhs.ty, lhs.loc)?;
        let b = self.bind(&b, &rhs.ty, rhs.loc)?;
        Ok(match op {
            IntAdd | MoneyAdd | PercentAdd | DurationAdd | TimePlusDuration => {
                self.checked("+", &a, &b, guard, loc)
            }
            IntSub | MoneySub | PercentSub | DurationSub | TimeMinusDuration | TimeMinusTime => {
                self.checked("-", &a, &b, guard, loc)
            }
            IntMul | MoneyTimesInt | IntTimesMoney | DurationTimesInt => {
                self.checked("*", &a, &b, guard, loc)
            }
            IntDiv | DurationDivInt | DurationDivDuration => {
                self.abort(guard, &format!("(= {b} 0)"), loc, "division by zero");
                let q = self.script.define("quot", WORD, &truncated_div(&a, &b));
                self.abort(guard, &out_of_range(&q), loc, "integer overflow");
                q
            }
            IntRem | DurationRem => {
                self.abort(guard, &format!("(= {b} 0)"), loc, "division by zero");
                self.script.define("rem", WORD, &truncated_rem(&a, &b))
            }
            MoneyDivInt => {
                self.abort(guard, &format!("(= {b} 0)"), loc, "division by zero");
                let r = self.div_round(&a, &b);
                self.abort(guard, &out_of_range(&r), loc, "integer overflow");
                r
            }
            MoneyTimesPercent | IntTimesPercent => self.mul_percent(&a, &b, guard, loc)?,
            StringConcat => format!("(str.++ {a} {b})"),
            Eq => format!("(= {a} {b})"),
            Ne => format!("(not (= {a} {b}))"),
            Lt | Le | Gt | Ge => self.compare(op, &a, &b, &lhs.ty, loc)?,
            InList => format!("(seq.contains {b} (seq.unit {a}))"),
            InSet => format!("(select {b} {a})"),
            InMapKeys => {
                let Ty::Map(_, v) = &rhs.ty else {
                    return self.unsupported(loc, "`in` a value that is not a map");
                };
                let names = self.datatype(&Ty::Option(v.clone()), loc)?;
                format!("((_ is {}) (select {b} {a}))", names.constructor)
            }
            InEnum => {
                let end = match &rhs.kind {
                    ExprKind::Variant { end, .. } => script::ordinal(*end),
                    _ => self.enum_end(&b, &rhs.ty, loc)?,
                };
                format!("(and (bvule {b} {a}) (bvult {a} {end}))")
            }
            And | Or | Default => "true".to_string(),
        })
    }

    /// `n / d` rounded half away from zero (the host's `div_round`), for `d != 0`.
    fn div_round(&mut self, n: &str, d: &str) -> Term {
        let q = self.script.define("q", WORD, &truncated_div(n, d));
        let r = self.script.define("r", WORD, &truncated_rem(n, d));
        let rounded = format!(
            "(ite (>= (* 2 {}) {}) (ite (= (< {n} 0) (< {d} 0)) (+ {q} 1) (- {q} 1)) {q})",
            abs(&r),
            abs(d)
        );
        self.script.define("rounded", WORD, &rounded)
    }

    /// `a * p / 10000` rounded half away from zero, aborting when it does not fit in 64
    /// bits: the host's `mul_percent` (computed exactly, then checked).
    fn mul_percent(&mut self, a: &str, p: &str, guard: &str, loc: Loc) -> R<Term> {
        if self.abstract_percent {
            return Ok(self.mul_percent_abstract(a, p, guard, loc));
        }
        let n = self.script.define("n", WORD, &format!("(* {a} {p})"));
        let r = self.div_round(&n, "10000");
        self.abort(guard, &out_of_range(&r), loc, "integer overflow");
        Ok(r)
    }

    /// `a * p` rounded, as a fresh value with what holds of the exact result: with `p`
    /// between 0% and 100% it lies between 0 and `a` (and cannot overflow), it is 0 for
    /// 0% or `a == 0`, and `a` for 100%. Elsewhere it may be anything and may overflow.
    fn mul_percent_abstract(&mut self, a: &str, p: &str, guard: &str, loc: Loc) -> Term {
        let r = self.script.fresh("pct");
        self.script.declare(&r, WORD);
        let overflow = self.script.fresh("pct.overflow");
        self.script.declare(&overflow, "Bool");
        self.facts.push(script::in_range(&r));
        // What holds of the result is stated only for an operand in range: on a path where
        // computing the operand overflowed (and aborted), `a` is outside the range, and an
        // unconditional `r = a` would contradict `r`'s range and hide that abort.
        let operand_in_range = script::in_range(a);
        let in_range = format!("(and (>= {p} 0) (<= {p} 10000))");
        self.facts.push(format!(
            "(=> (and {operand_in_range} {in_range}) (and (not {overflow}) (=> (>= {a} 0) (and (<= 0 {r}) (<= {r} {a}))) (=> (<= {a} 0) (and (<= {a} {r}) (<= {r} 0)))))"
        ));
        self.facts.push(format!(
            "(=> {operand_in_range} (and (=> (or (= {p} 0) (= {a} 0)) (= {r} 0)) (=> (= {p} 10000) (= {r} {a}))))"
        ));
        self.abort(guard, &overflow, loc, "integer overflow");
        r
    }

    /// `a op b` (`+`, `-`, `*`) exactly, aborting when the result leaves the 64-bit range.
    fn checked(&mut self, op: &str, a: &str, b: &str, guard: &str, loc: Loc) -> Term {
        let r = self
            .script
            .define("arith", WORD, &format!("({op} {a} {b})"));
        self.abort(guard, &out_of_range(&r), loc, "integer overflow");
        r
    }

    /// One past the last descendant of the variant `v` of an enum, as a term.
    fn enum_end(&mut self, v: &str, ty: &Ty, loc: Loc) -> R<Term> {
        let Ty::Enum(id) = ty else {
            return self.unsupported(loc, "`in` on a value that is not an enum");
        };
        let Some(def) = self.contract.enum_def(*id) else {
            return self.unsupported(loc, "an unknown enum");
        };
        let ends: Vec<u32> = def.variants.iter().map(|v| v.end).collect();
        let mut term = script::ordinal(ends.last().copied().unwrap_or(0));
        for (ordinal, end) in ends.iter().enumerate().rev().skip(1) {
            let ordinal = u32::try_from(ordinal).unwrap_or(0);
            term = format!(
                "(ite (= {v} {}) {} {term})",
                script::ordinal(ordinal),
                script::ordinal(*end)
            );
        }
        Ok(self
            .script
            .define("end", &format!("(_ BitVec {ENUM_BITS})"), &term))
    }

    fn compare(&mut self, op: BinaryOp, a: &str, b: &str, ty: &Ty, loc: Loc) -> R<Term> {
        let signed = match ty {
            Ty::Int | Ty::Money | Ty::Percent | Ty::Time | Ty::Duration => true,
            Ty::Enum(_) | Ty::Address | Ty::Hash => false,
            Ty::Bool => {
                // false < true
                return Ok(match op {
                    BinaryOp::Lt => format!("(and (not {a}) {b})"),
                    BinaryOp::Le => format!("(=> {a} {b})"),
                    BinaryOp::Gt => format!("(and {a} (not {b}))"),
                    _ => format!("(=> {b} {a})"),
                });
            }
            other => {
                let name = self.contract.type_name(other);
                return self.unsupported(loc, format!("ordering of `{name}` values"));
            }
        };
        let name = match (op, signed) {
            (BinaryOp::Lt, true) => "<",
            (BinaryOp::Le, true) => "<=",
            (BinaryOp::Gt, true) => ">",
            (BinaryOp::Ge, true) => ">=",
            (BinaryOp::Lt, false) => "bvult",
            (BinaryOp::Le, false) => "bvule",
            (BinaryOp::Gt, false) => "bvugt",
            _ => "bvuge",
        };
        Ok(format!("({name} {a} {b})"))
    }

    /// Names a term (so it is not repeated inside larger terms).
    fn bind(&mut self, term: &str, ty: &Ty, loc: Loc) -> R<Term> {
        let sort = self.sort(ty, loc)?;
        Ok(self.script.define("t", &sort, term))
    }

    fn builtin(
        &mut self,
        builtin: Builtin,
        args: &[Expr],
        e: &Expr,
        frame: &mut Frame<'_>,
        guard: &str,
    ) -> R<Term> {
        let loc = e.loc;
        let supported = matches!(
            builtin,
            Builtin::Len
                | Builtin::Min
                | Builtin::Max
                | Builtin::Abs
                | Builtin::Seconds
                | Builtin::DurationSeconds
                | Builtin::Day
                | Builtin::Contains
                | Builtin::MapAt
                | Builtin::MapGet
                | Builtin::ListAt
                | Builtin::Sha3
                | Builtin::StrBytes
                | Builtin::ByteAt
        );
        if !supported {
            return self.unsupported(loc, format!("the built-in `{}`", builtin.name()));
        }
        let mut values = Vec::new();
        for arg in args {
            let v = self.expr(arg, frame, guard)?;
            values.push(self.bind(&v, &arg.ty, arg.loc)?);
        }
        let arg = |i: usize| values.get(i).cloned().unwrap_or_default();
        let arg_ty = |i: usize| args.get(i).map(|a| a.ty.clone()).unwrap_or(Ty::Error);
        Ok(match builtin {
            Builtin::Len => match arg_ty(0) {
                Ty::List(_) => format!("(seq.len {})", arg(0)),
                Ty::String | Ty::Bytes => format!("(str.len {})", arg(0)),
                other => {
                    let name = self.contract.type_name(&other);
                    return self.unsupported(loc, format!("the length of a `{name}`"));
                }
            },
            Builtin::Min | Builtin::Max => {
                let op = if builtin == Builtin::Min {
                    BinaryOp::Le
                } else {
                    BinaryOp::Ge
                };
                let c = self.compare(op, &arg(0), &arg(1), &e.ty, loc)?;
                ite(&c, &arg(0), &arg(1))
            }
            Builtin::Abs => {
                let v = arg(0);
                self.abort(
                    guard,
                    &format!("(= {v} {})", int(i64::MIN)),
                    loc,
                    "integer overflow",
                );
                abs(&v)
            }
            Builtin::Seconds | Builtin::DurationSeconds => arg(0),
            Builtin::Day => {
                // `t - t.rem_euclid(86400)`: `mod` by a positive number is Euclidean.
                let t = arg(0);
                let r = self
                    .script
                    .define("day", WORD, &format!("(- {t} (mod {t} 86400))"));
                self.abort(guard, &out_of_range(&r), loc, "integer overflow");
                r
            }
            Builtin::Contains => match arg_ty(0) {
                Ty::List(_) => format!("(seq.contains {} (seq.unit {}))", arg(0), arg(1)),
                Ty::Set(_) => format!("(select {} {})", arg(0), arg(1)),
                Ty::Map(_, v) => {
                    let names = self.datatype(&Ty::Option(v), loc)?;
                    format!(
                        "((_ is {}) (select {} {}))",
                        names.constructor,
                        arg(0),
                        arg(1)
                    )
                }
                _ => return self.unsupported(loc, "`.contains` of this type"),
            },
            Builtin::MapGet => format!("(select {} {})", arg(0), arg(1)),
            Builtin::MapAt => {
                let Ty::Map(_, v) = arg_ty(0) else {
                    return self.unsupported(loc, "`m[k]` of a value that is not a map");
                };
                let names = self.datatype(&Ty::Option(v), loc)?;
                let entry = self.script.define(
                    "entry",
                    &names.name,
                    &format!("(select {} {})", arg(0), arg(1)),
                );
                self.abort(
                    guard,
                    &format!("((_ is {}) {entry})", names.none),
                    loc,
                    "missing key",
                );
                format!(
                    "({} {entry})",
                    names.fields.first().cloned().unwrap_or_default()
                )
            }
            Builtin::ListAt => {
                let (l, i) = (arg(0), arg(1));
                self.abort(
                    guard,
                    &format!("(or (< {i} 0) (>= {i} (seq.len {l})))"),
                    loc,
                    "index out of range",
                );
                format!("(seq.nth {l} {i})")
            }
            Builtin::StrBytes => {
                // An ASCII text's bytes are its characters; any other text's are those of
                // a function into byte strings (its UTF-8 encoding is one such function,
                // so a proof holds for it too).
                let s = arg(0);
                self.script.declare_function("utf8", "(String)", "String");
                self.facts
                    .push(format!("(str.in_re (utf8 {s}) {})", script::BYTE_RANGE));
                if self.from_deployment {
                    // A run is replayed on the VM, where the bytes are UTF-8's: the runs
                    // searched give such a text only ASCII, whose bytes are exact.
                    self.facts.push(format!(
                        "(or (not {guard}) (str.in_re {s} {}))",
                        script::ASCII_RANGE
                    ));
                }
                format!(
                    "(ite (str.in_re {s} {}) {s} (utf8 {s}))",
                    script::ASCII_RANGE
                )
            }
            Builtin::ByteAt => {
                let (b, i) = (arg(0), arg(1));
                self.abort(
                    guard,
                    &format!("(or (< {i} 0) (>= {i} (str.len {b})))"),
                    loc,
                    "index out of range",
                );
                format!("(str.to_code (str.at {b} {i}))")
            }
            Builtin::Sha3 => {
                // Keccak-256 of one String: a function (equal texts, equal hashes), not its
                // algorithm; a proof holds for every such function, Keccak included.
                if args.len() != 1 || arg_ty(0) != Ty::String {
                    return self.unsupported(loc, "`sha3` of anything but one String");
                }
                self.script
                    .declare_function("sha3.string", "(String)", "(_ BitVec 256)");
                format!("(sha3.string {})", arg(0))
            }
            _ => return self.unsupported(loc, format!("the built-in `{}`", builtin.name())),
        })
    }

    fn persistent(
        &mut self,
        state: StateId,
        op: PersistentOp,
        args: &[Expr],
        e: &Expr,
        frame: &mut Frame<'_>,
        guard: &str,
    ) -> R<Term> {
        let loc = e.loc;
        let array = self.state(state, loc)?;
        let Some(def) = self.contract.states.get(state.index()) else {
            return self.unsupported(loc, "an unknown state");
        };
        let state_ty = def.ty.clone();
        if op == PersistentOp::Len && self.from_deployment {
            return Ok(self.len_of(state));
        }
        if op == PersistentOp::Len {
            // The count the host keeps: any non-negative number (not tied to the entries).
            let name = format!("{array}.len");
            let term = self.script.declare(&name, WORD);
            self.facts
                .push(format!("(and (>= {term} 0) (<= {term} {}))", int(i64::MAX)));
            if !self.inputs.iter().any(|i| i.term == term) {
                self.inputs.push(Input {
                    label: format!("len({})", def.name),
                    term: term.clone(),
                    ty: Ty::Int,
                });
            }
            return Ok(term);
        }
        let Some(key_expr) = args.first() else {
            return self.unsupported(loc, "a state operation without a key");
        };
        let key = self.expr(key_expr, frame, guard)?;
        let key = self.bind(&key, &key_expr.ty, key_expr.loc)?;
        self.reads.push(Read {
            state,
            array: array.clone(),
            key: key.clone(),
        });
        match (&state_ty, op) {
            (Ty::Set(_), PersistentOp::Contains) => Ok(format!("(select {array} {key})")),
            (Ty::Set(_), PersistentOp::SetInsert | PersistentOp::Remove) => {
                let present =
                    self.script
                        .define("present", "Bool", &format!("(select {array} {key})"));
                let (stored, delta) = if op == PersistentOp::SetInsert {
                    ("true", ite(&present, "0", "1"))
                } else {
                    ("false", ite(&present, "(- 1)", "0"))
                };
                self.write_state(
                    state,
                    &format!("(store {array} {key} {stored})"),
                    guard,
                    loc,
                )?;
                self.count(state, &delta, guard);
                Ok("true".to_string())
            }
            (Ty::Map(_, v), _) => {
                let option = Ty::Option(v.clone());
                let names = self.datatype(&option, loc)?;
                let entry =
                    self.script
                        .define("entry", &names.name, &format!("(select {array} {key})"));
                self.well_formed(&entry, &option);
                match op {
                    PersistentOp::MapGet => Ok(entry),
                    PersistentOp::Contains => Ok(format!("((_ is {}) {entry})", names.constructor)),
                    PersistentOp::Remove => {
                        let present = format!("((_ is {}) {entry})", names.constructor);
                        self.write_state(
                            state,
                            &format!("(store {array} {key} {})", names.none),
                            guard,
                            loc,
                        )?;
                        self.count(state, &ite(&present, "(- 1)", "0"), guard);
                        Ok("true".to_string())
                    }
                    PersistentOp::MapAt => {
                        self.abort(
                            guard,
                            &format!("((_ is {}) {entry})", names.none),
                            loc,
                            "missing key",
                        );
                        Ok(format!(
                            "({} {entry})",
                            names.fields.first().cloned().unwrap_or_default()
                        ))
                    }
                    _ => self.unsupported(loc, "a write to state"),
                }
            }
            _ => self.unsupported(loc, "a write to state"),
        }
    }

    // ---- calls, blocks, statements -------------------------------------------------------

    /// The result of calling `id` with `args`, inlined.
    pub fn call(&mut self, id: FunctionId, args: Vec<Term>, guard: &str, loc: Loc) -> R<Term> {
        let contract = self.contract;
        let Some(function) = contract.function(id) else {
            return self.unsupported(loc, "a call of an unknown function");
        };
        if self.depth >= MAX_INLINE_DEPTH {
            return self.unsupported(loc, "calls nested too deeply");
        }
        self.depth += 1;
        let mut frame = Frame::new(function, args);
        let result = match &function.body {
            Body::Block(block) => self.function_block(block, &mut frame, guard),
            Body::Policy(policy) => self.policy(policy, &mut frame, guard),
        };
        self.depth -= 1;
        let value = result?;
        if function.ret == Ty::Unit {
            return Ok("true".to_string());
        }
        let sort = self.sort(&function.ret, function.loc)?;
        Ok(self.script.define("ret", &sort, &value))
    }

    /// A function's body: the value of the `return` reached, or of the tail.
    fn function_block(&mut self, block: &Block, frame: &mut Frame<'_>, guard: &str) -> R<Term> {
        let mut g = guard.to_string();
        let tail = self.block(block, frame, &mut g)?;
        Ok(match &frame.returned_value {
            Some(value) => ite(&frame.returned, value, &tail),
            None => tail,
        })
    }

    /// A policy: its `let`s and denies in order, then permits, then the default, each
    /// evaluated only while no earlier rule decided.
    fn policy(&mut self, policy: &PolicyBody, frame: &mut Frame<'_>, guard: &str) -> R<Term> {
        let mut undecided = "true".to_string();
        let mut decisions: Vec<(Term, bool, String)> = Vec::new();
        let mut decide = |this: &mut Self,
                          rule: &assent_lang::typed::Rule,
                          frame: &mut Frame<'_>,
                          undecided: &mut Term|
         -> R<()> {
            let reach = and(guard, undecided);
            let when = match &rule.when {
                Some(w) => this.expr(w, frame, &reach)?,
                None => "true".to_string(),
            };
            let when = this.script.define("when", "Bool", &when);
            let unless = match &rule.unless {
                Some(u) => this.expr(u, frame, &and(&reach, &when))?,
                None => "false".to_string(),
            };
            let holds = this
                .script
                .define("holds", "Bool", &and(&when, &not(&unless)));
            let decided_here = and(undecided, &holds);
            decisions.push((
                decided_here,
                rule.effect == Effect::Permit,
                rule.label.clone(),
            ));
            *undecided = this
                .script
                .define("undecided", "Bool", &and(undecided, &not(&holds)));
            Ok(())
        };
        for step in &policy.deny_pass {
            match step {
                PolicyStep::Let { local, value } => {
                    let v = self.expr(value, frame, &and(guard, &undecided))?;
                    let ty = frame
                        .function
                        .locals
                        .get(local.index())
                        .map(|l| l.ty.clone())
                        .unwrap_or(Ty::Error);
                    let sort = self.sort(&ty, value.loc)?;
                    let v = self.script.define("let", &sort, &v);
                    set_local(frame, *local, v);
                }
                PolicyStep::Deny(rule) => decide(self, rule, frame, &mut undecided)?,
            }
        }
        for rule in &policy.permits {
            decide(self, rule, frame, &mut undecided)?;
        }
        let names = self.datatype(&Ty::Decision, frame.function.loc)?;
        let mut term = format!(
            "({} {} {})",
            names.constructor,
            policy.default == Effect::Permit,
            script::string("default")
        );
        for (cond, permitted, label) in decisions.iter().rev() {
            let decision = format!(
                "({} {permitted} {})",
                names.constructor,
                script::string(label)
            );
            term = ite(cond, &decision, &term);
        }
        Ok(term)
    }

    /// A block: statements in order (a `require` narrows the path after it), then the
    /// tail's value.
    fn block(&mut self, block: &Block, frame: &mut Frame<'_>, guard: &mut Term) -> R<Term> {
        for stmt in &block.stmts {
            self.stmt(stmt, frame, guard)?;
            if frame.returned != "false" {
                // The rest runs only on paths that did not return.
                *guard = and(guard, &not(&frame.returned));
            }
        }
        match &block.tail {
            Some(tail) => self.expr(tail, frame, guard),
            None => Ok("true".to_string()),
        }
    }

    fn stmt(&mut self, stmt: &Stmt, frame: &mut Frame<'_>, guard: &mut Term) -> R<()> {
        let loc = stmt.loc;
        match &stmt.kind {
            StmtKind::Let { local, value } => {
                let v = self.expr(value, frame, guard)?;
                let ty = local_ty(frame, *local);
                let sort = self.sort(&ty, value.loc)?;
                let v = self.script.define("let", &sort, &v);
                set_local(frame, *local, v);
            }
            StmtKind::LetTuple { locals, value } => {
                let v = self.expr(value, frame, guard)?;
                let v = self.bind(&v, &value.ty, value.loc)?;
                for (i, local) in locals.iter().enumerate() {
                    if let Some(local) = local {
                        let field =
                            self.field(&v, &value.ty, u32::try_from(i).unwrap_or(0), loc)?;
                        set_local(frame, *local, field);
                    }
                }
            }
            StmtKind::Assign { place, op, value } if !matches!(place.root, PlaceRoot::Local(_)) => {
                self.assign_state(place, *op, value, frame, guard, loc)?;
            }
            StmtKind::Assign { place, op, value } => {
                let PlaceRoot::Local(local) = place.root else {
                    return self.unsupported(loc, "a write to state");
                };
                let v = self.expr(value, frame, guard)?;
                let current = frame.locals.get(local.index()).cloned().flatten();
                let local_type = local_ty(frame, local);
                let updated = if place.path.is_empty() {
                    match op {
                        None => v,
                        Some(op) => {
                            let Some(current) = current else {
                                return self.unsupported(loc, "a local changed before it is bound");
                            };
                            self.apply_op(*op, &current, &v, &place.ty, guard, loc)?
                        }
                    }
                } else {
                    let Some(current) = current else {
                        return self.unsupported(loc, "a local changed before it is bound");
                    };
                    self.update_path(&current, &local_type, &place.path, &v, *op, guard, loc)?
                };
                let sort = self.sort(&local_type, loc)?;
                let updated = self.script.define("set", &sort, &updated);
                set_local(frame, local, updated);
            }
            StmtKind::Expr(e) => {
                self.expr(e, frame, guard)?;
            }
            StmtKind::For {
                binding,
                iter: ForIter::Range { start, end },
                body,
            } if constant_int(self.contract, start).is_some()
                && constant_int(self.contract, end).is_some() =>
            {
                let (Some(first), Some(last)) = (
                    constant_int(self.contract, start),
                    constant_int(self.contract, end),
                ) else {
                    return self.unsupported(loc, "a `for` loop over a range");
                };
                if last.saturating_sub(first) > MAX_UNROLLED {
                    return self.unsupported(
                        loc,
                        format!("a `for` loop of more than {MAX_UNROLLED} rounds"),
                    );
                }
                if has_jump(body) {
                    return self.unsupported(loc, "`break` or `continue` in a loop");
                }
                // A range with constant bounds: the rounds one after the other.
                for i in first..last {
                    if let assent_lang::typed::ForBinding::Name(Some(local)) = binding {
                        set_local(frame, *local, int(i));
                    }
                    let mut g = guard.clone();
                    self.block(body, frame, &mut g)?;
                    *guard = g;
                }
            }
            StmtKind::For {
                binding,
                iter: ForIter::Set(set),
                body,
            } if finite_elements(self.contract, &set.ty).is_some() => {
                // A set of a finite type (an enum's variants, Bool): one round per possible
                // element in the language's order, each run only when it is a member, as
                // `if e in set { body }` — so the loop is bounded by the type, not the set.
                let elements = finite_elements(self.contract, &set.ty).unwrap_or_default();
                if elements.len() > MAX_UNROLLED as usize {
                    return self.unsupported(
                        loc,
                        format!("a `for` loop of more than {MAX_UNROLLED} rounds"),
                    );
                }
                if has_jump(body) {
                    return self.unsupported(loc, "`break` or `continue` in a loop");
                }
                let v = self.expr(set, frame, guard)?;
                let sort = self.sort(&set.ty, set.loc)?;
                let v = self.script.define("s", &sort, &v);
                for element in elements {
                    if let assent_lang::typed::ForBinding::Name(Some(local)) = binding {
                        set_local(frame, *local, element.clone());
                    }
                    let member = format!("(select {v} {element})");
                    let member = self.script.define("member", "Bool", &member);
                    let branches = [(member.clone(), Some(body)), (not(&member), None)];
                    self.branches(&branches, frame, guard)?;
                }
            }
            StmtKind::For { iter, .. } => {
                let what = match iter {
                    ForIter::Range { .. } => "a `for` loop over a range",
                    ForIter::List(_) => "a `for` loop over a list (its length is not bounded)",
                    ForIter::Set(_) => "a `for` loop over a set (its size is not bounded)",
                    ForIter::Map(_) => "a `for` loop over a map (its size is not bounded)",
                    ForIter::Persistent { .. } => {
                        "a `for` loop over persistent state (its size is not bounded)"
                    }
                };
                return self.unsupported(loc, what);
            }
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    let v = self.expr(value, frame, guard)?;
                    let v = self.bind(&v, &value.ty, value.loc)?;
                    frame.returned_value = Some(match &frame.returned_value {
                        Some(previous) => ite(guard, &v, previous),
                        None => v,
                    });
                    if let Some(previous) = &frame.returned_value {
                        let sort = self.sort(&value.ty, value.loc)?;
                        let named = self.script.define("retval", &sort, previous);
                        frame.returned_value = Some(named);
                    }
                }
                let returned = or(&frame.returned, guard);
                frame.returned = self.script.define("returned", "Bool", &returned);
                *guard = "false".to_string();
            }
            StmtKind::Break | StmtKind::Continue => {
                return self.unsupported(loc, "`break` or `continue`");
            }
            StmtKind::Require { cond, .. } => {
                let c = self.expr(cond, frame, guard)?;
                let c = self.script.define("req", "Bool", &c);
                self.abort(guard, &not(&c), loc, "require failed");
                *guard = and(guard, &c);
            }
            StmtKind::Abort(_) => {
                self.abort(guard, "true", loc, "abort");
                *guard = "false".to_string();
            }
            StmtKind::Authorize(call) => {
                let d = self.expr(call, frame, guard)?;
                let d = self.bind(&d, &Ty::Decision, loc)?;
                let permitted = format!("(Decision.permitted {d})");
                self.abort(guard, &not(&permitted), loc, "authorize denied");
                *guard = and(guard, &permitted);
            }
            StmtKind::Emit { fields, .. } => {
                // An event changes no state; only its fields' aborts matter.
                if !self.from_deployment {
                    return self.unsupported(loc, "`emit`");
                }
                for field in fields {
                    self.expr(field, frame, guard)?;
                }
            }
            StmtKind::Assume(_) | StmtKind::Assert { .. } => {
                return self.unsupported(loc, "`assume` or `assert` outside a property");
            }
        }
        Ok(())
    }

    /// `state = v`, `state.f op= v`, `m[k] = v`, `m[k].f = v`: the state's term replaced.
    fn assign_state(
        &mut self,
        place: &assent_lang::typed::Place,
        op: Option<BinaryOp>,
        value: &Expr,
        frame: &mut Frame<'_>,
        guard: &str,
        loc: Loc,
    ) -> R<()> {
        if !self.from_deployment {
            return self.unsupported(loc, "a write to state");
        }
        match &place.root {
            PlaceRoot::Local(_) => self.unsupported(loc, "a write to a local as state"),
            PlaceRoot::State(id) => {
                let v = self.expr(value, frame, guard)?;
                let current = self.state(*id, loc)?;
                let ty = self
                    .contract
                    .states
                    .get(id.index())
                    .map(|d| d.ty.clone())
                    .unwrap_or(Ty::Error);
                let updated = self.update_path(&current, &ty, &place.path, &v, op, guard, loc)?;
                self.write_state(*id, &updated, guard, loc)
            }
            PlaceRoot::StateEntry { state, key } => {
                let k = self.expr(key, frame, guard)?;
                let k = self.bind(&k, &key.ty, key.loc)?;
                let v = self.expr(value, frame, guard)?;
                let array = self.state(*state, loc)?;
                let Some(Ty::Map(_, value_ty)) = self
                    .contract
                    .states
                    .get(state.index())
                    .map(|d| d.ty.clone())
                else {
                    return self.unsupported(loc, "`m[k] = v` on state that is not a map");
                };
                let option = Ty::Option(value_ty.clone());
                let names = self.datatype(&option, loc)?;
                let entry =
                    self.script
                        .define("entry", &names.name, &format!("(select {array} {k})"));
                self.well_formed(&entry, &option);
                let present = format!("((_ is {}) {entry})", names.constructor);
                let updated = if place.path.is_empty() && op.is_none() {
                    v
                } else {
                    // The entry is read, changed and written back: absent, it aborts.
                    self.abort(guard, &not(&present), loc, "missing key");
                    let val = names.fields.first().cloned().unwrap_or_default();
                    let current = format!("({val} {entry})");
                    self.update_path(&current, &value_ty, &place.path, &v, op, guard, loc)?
                };
                self.write_state(
                    *state,
                    &format!("(store {array} {k} ({} {updated}))", names.constructor),
                    guard,
                    loc,
                )?;
                self.count(*state, &ite(&present, "0", "1"), guard);
                Ok(())
            }
        }
    }

    fn apply_op(
        &mut self,
        op: BinaryOp,
        a: &str,
        b: &str,
        ty: &Ty,
        guard: &str,
        loc: Loc,
    ) -> R<Term> {
        let a = self.bind(a, ty, loc)?;
        let b = self.bind(b, ty, loc)?;
        Ok(match op {
            BinaryOp::IntAdd
            | BinaryOp::MoneyAdd
            | BinaryOp::PercentAdd
            | BinaryOp::DurationAdd => self.checked("+", &a, &b, guard, loc),
            BinaryOp::IntSub
            | BinaryOp::MoneySub
            | BinaryOp::PercentSub
            | BinaryOp::DurationSub => self.checked("-", &a, &b, guard, loc),
            BinaryOp::IntMul | BinaryOp::MoneyTimesInt | BinaryOp::DurationTimesInt => {
                self.checked("*", &a, &b, guard, loc)
            }
            _ => return self.unsupported(loc, format!("`{}=`", op.symbol())),
        })
    }

    /// `x.f.g = v` on a local record: the record rebuilt with the field replaced.
    #[allow(clippy::too_many_arguments)]
    fn update_path(
        &mut self,
        current: &str,
        ty: &Ty,
        path: &[Projection],
        value: &str,
        op: Option<BinaryOp>,
        guard: &str,
        loc: Loc,
    ) -> R<Term> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(match op {
                None => value.to_string(),
                Some(op) => self.apply_op(op, current, value, ty, guard, loc)?,
            });
        };
        let Projection::Field(index) = first else {
            return self.unsupported(loc, "an assignment into a list or map element");
        };
        let types = self.field_types(ty, loc)?;
        let names = self.datatype(ty, loc)?;
        let mut parts: Vec<Term> = names
            .fields
            .iter()
            .map(|f| format!("({f} {current})"))
            .collect();
        let field_ty = types.get(*index as usize).cloned().unwrap_or(Ty::Error);
        let Some(slot) = parts.get(*index as usize).cloned() else {
            return self.unsupported(loc, "a field the type does not have");
        };
        let updated = self.update_path(&slot, &field_ty, rest, value, op, guard, loc)?;
        if let Some(slot) = parts.get_mut(*index as usize) {
            *slot = updated;
        }
        Ok(format!("({} {})", names.constructor, parts.join(" ")))
    }

    // ---- properties ----------------------------------------------------------------------

    /// Encodes `property`; its parameters are free values named `p.<name>`. Returns the
    /// failures: each assert's violation and each abort, as named Bool terms.
    pub fn property(&mut self, property: &'c Function) -> R<Vec<Failure>> {
        let mut params = Vec::new();
        for p in &property.params {
            params.push(self.free(&format!("p.{}", p.name), &p.name, &p.ty, property.loc)?);
        }
        let mut frame = Frame::new(property, params);
        let Body::Block(body) = &property.body else {
            return self.unsupported(property.loc, "a property that is not a block");
        };
        let mut assumed = "true".to_string();
        let mut failures = Vec::new();
        for stmt in &body.stmts {
            match &stmt.kind {
                StmtKind::Assume(cond) => {
                    let c = self.expr(cond, &mut frame, &assumed)?;
                    let c = self.script.define("assume", "Bool", &c);
                    assumed = self.script.define("assumed", "Bool", &and(&assumed, &c));
                }
                StmtKind::Assert { cond, message } => {
                    let c = self.expr(cond, &mut frame, &assumed)?;
                    let violated = and(&assumed, &not(&c));
                    let term = self.script.define("violated", "Bool", &violated);
                    let message = match message.as_ref().map(|m| &m.kind) {
                        Some(ExprKind::Literal(Value::String(text))) => Some(text.clone()),
                        _ => None,
                    };
                    failures.push(Failure {
                        term,
                        loc: stmt.loc,
                        kind: FailureKind::Assert { message },
                    });
                }
                _ => {
                    let mut g = assumed.clone();
                    self.stmt(stmt, &mut frame, &mut g)?;
                }
            }
        }
        for site in std::mem::take(&mut self.aborts) {
            failures.push(Failure {
                term: site.cond,
                loc: site.loc,
                kind: FailureKind::Abort { what: site.what },
            });
        }
        Ok(failures)
    }
}

/// The most rounds of a constant range a loop is unrolled to.
const MAX_UNROLLED: i64 = 64;

/// The value of an Int literal or constant.
fn constant_int(contract: &Contract, e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Literal(Value::Int(n)) => Some(*n),
        ExprKind::Const(id) => match contract.consts.get(id.index()).map(|c| &c.value) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a loop body holds `break` or `continue` of its own loop (nested loops are
/// refused on their own).
/// Every value a set of this type can hold, as terms in the language's order, when they
/// are finitely many: an enum's variants by ordinal, or `false` then `true`.
fn finite_elements(contract: &Contract, ty: &Ty) -> Option<Vec<Term>> {
    match ty {
        Ty::Set(inner) => match inner.as_ref() {
            Ty::Enum(id) => {
                let count = contract.enums.get(id.0 as usize)?.variants.len();
                Some(
                    (0..count)
                        .filter_map(|ordinal| u32::try_from(ordinal).ok())
                        .map(script::ordinal)
                        .collect(),
                )
            }
            Ty::Bool => Some(vec!["false".to_string(), "true".to_string()]),
            _ => None,
        },
        _ => None,
    }
}

fn has_jump(block: &Block) -> bool {
    block.stmts.iter().any(|stmt| match &stmt.kind {
        StmtKind::Break | StmtKind::Continue => true,
        StmtKind::Expr(e) => expr_has_jump(e),
        _ => false,
    })
}

fn expr_has_jump(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If {
            then, otherwise, ..
        } => has_jump(then) || otherwise.as_deref().is_some_and(has_jump),
        ExprKind::IfLet {
            then, otherwise, ..
        } => has_jump(then) || otherwise.as_deref().is_some_and(has_jump),
        ExprKind::Match { arms, .. } => arms.iter().any(|a| has_jump(&a.body)),
        ExprKind::Block(b) => has_jump(b),
        _ => false,
    }
}

/// One way a property can fail.
#[derive(Clone, Debug)]
pub struct Failure {
    pub term: Term,
    pub loc: Loc,
    pub kind: FailureKind,
}

/// Asserts the encoding's `facts`, and that at least one of `failures` happens: the
/// query whose model is a counterexample (and whose unsatisfiability is a proof).
pub fn assert_some_failure(
    script: &mut crate::script::Script,
    facts: &[Term],
    failures: &[Failure],
) {
    for fact in facts {
        script.assert(fact);
    }
    let any = failures
        .iter()
        .map(|f| f.term.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    script.assert(&format!("(or false {any})"));
}

#[derive(Clone, Debug)]
pub enum FailureKind {
    Assert { message: Option<String> },
    Abort { what: String },
}

fn set_local(frame: &mut Frame<'_>, local: LocalId, term: Term) {
    if let Some(slot) = frame.locals.get_mut(local.index()) {
        *slot = Some(term);
    }
}

fn local_ty(frame: &Frame<'_>, local: LocalId) -> Ty {
    frame
        .function
        .locals
        .get(local.index())
        .map(|l| l.ty.clone())
        .unwrap_or(Ty::Error)
}

/// `|t|` of an integer.
fn abs(t: &str) -> Term {
    format!("(ite (< {t} 0) (- {t}) {t})")
}

/// `a / b` toward zero (SMT-LIB's `div` rounds toward negative infinity for a positive
/// divisor, so signs are taken apart).
fn truncated_div(a: &str, b: &str) -> Term {
    format!(
        "(ite (= (< {a} 0) (< {b} 0)) (div {} {}) (- (div {} {})))",
        abs(a),
        abs(b),
        abs(a),
        abs(b)
    )
}

/// The remainder of [`truncated_div`]: the sign of `a`.
fn truncated_rem(a: &str, b: &str) -> Term {
    format!(
        "(ite (< {a} 0) (- (mod {} {})) (mod {a} {}))",
        abs(a),
        abs(b),
        abs(b)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short stable hash of a text (FNV-1a), for names.
fn fnv(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}
