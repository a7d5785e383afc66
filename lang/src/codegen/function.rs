//! One WebAssembly function: locals, the instruction buffer, and the entry shapes
//! (block bodies, policies, the synthetic `init`).

use assent_stdlib::abi::HostFn;
use assent_stdlib::value::Value;
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

use super::data::StaticData;
use super::imports::Emitted;
use super::layout::MAX_SLOTS;
use super::types::TypeTable;
use super::{CodegenError, error};
use crate::typed::{self, Body, Contract, Effect, Loc, PolicyBody, PolicyStep, Rule, Ty};

/// Where function indices start, in the provisional index space of [`super::imports`].
#[derive(Clone, Copy, Debug)]
pub struct Indices {
    pub import_count: u32,
    /// The first checked-arithmetic helper.
    pub runtime_base: u32,
}

pub struct FunctionCompiler<'a, 'c> {
    pub(super) contract: &'c Contract,
    pub(super) types: &'a mut TypeTable<'c>,
    pub(super) data: &'a mut StaticData,
    pub(super) enum_tables: &'a [u32],
    pub(super) indices: Indices,
    pub(super) function: Option<&'c typed::Function>,
    param_count: u32,
    /// Locals after the parameters: first one per [`typed::LocalId`], then temporaries.
    locals: Vec<ValType>,
    instructions: Vec<I<'static>>,
    /// How many `block`, `loop` and `if` are open where the next instruction goes: what
    /// a branch to an enclosing label counts from.
    open_labels: u32,
    /// The `for` loops around the next instruction, innermost last.
    pub(super) loops: Vec<LoopLabels>,
    /// Building for explaining: a policy goes on past a deciding `deny` through its
    /// permit rules, so that the explanation can say which came closest.
    explaining: bool,
}

/// Where `break` and `continue` of one `for` loop branch to, as values of
/// [`FunctionCompiler::open_labels`] just inside each label.
#[derive(Clone, Copy, Debug)]
pub(super) struct LoopLabels {
    /// Inside the `block` around the whole loop: branching to it leaves the loop.
    pub break_label: u32,
    /// Inside the `block` around the body: branching to it goes on with the next round.
    pub continue_label: u32,
}

/// Whether a value of this type is left on the stack.
pub fn has_value(ty: &Ty) -> bool {
    !matches!(ty, Ty::Unit | Ty::Never)
}

pub fn block_type(ty: &Ty) -> BlockType {
    if has_value(ty) {
        BlockType::Result(ValType::I64)
    } else {
        BlockType::Empty
    }
}

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    pub fn new(
        contract: &'c Contract,
        types: &'a mut TypeTable<'c>,
        data: &'a mut StaticData,
        enum_tables: &'a [u32],
        indices: Indices,
        function: Option<usize>,
    ) -> Self {
        let function = function.and_then(|index| contract.functions.get(index));
        let param_count = function.map_or(0, |f| f.params.len() as u32);
        let locals = function.map_or_else(Vec::new, |f| vec![ValType::I64; f.locals.len()]);
        FunctionCompiler {
            contract,
            types,
            data,
            enum_tables,
            indices,
            function,
            param_count,
            locals,
            instructions: Vec::new(),
            open_labels: 0,
            loops: Vec::new(),
            explaining: false,
        }
    }

    /// The same compiler building for explaining (see [`super::compile_explaining`]).
    pub fn explaining(mut self, explaining: bool) -> Self {
        self.explaining = explaining;
        self
    }

    // ---- emission ----------------------------------------------------------------------

    pub(super) fn emit(&mut self, instruction: I<'static>) {
        match instruction {
            I::Block(_) | I::Loop(_) | I::If(_) => self.open_labels += 1,
            I::End => self.open_labels = self.open_labels.saturating_sub(1),
            _ => {}
        }
        self.instructions.push(instruction);
    }

    /// The open labels so far: just inside a `block` emitted last, the value that names it.
    pub(super) fn open_labels(&self) -> u32 {
        self.open_labels
    }

    /// A branch to the label that `label` (a value of [`Self::open_labels`]) names.
    pub(super) fn branch_to(&mut self, label: u32) {
        let depth = self.open_labels.saturating_sub(label);
        self.emit(I::Br(depth));
    }

    pub(super) fn host(&mut self, function: HostFn) {
        self.emit(I::Call(function.index()));
    }

    /// A fresh `i64` local.
    pub(super) fn temp(&mut self) -> u32 {
        self.locals.push(ValType::I64);
        self.param_count + self.locals.len() as u32 - 1
    }

    /// The WebAssembly local of a [`typed::LocalId`].
    pub(super) fn local(&self, id: typed::LocalId) -> u32 {
        self.param_count + id.0
    }

    pub(super) fn local_def(&self, id: typed::LocalId) -> Option<&'c typed::LocalDef> {
        self.function.and_then(|f| f.locals.get(id.index()))
    }

    pub(super) fn i32_const(&mut self, value: u32) {
        self.emit(I::I32Const(value as i32));
    }

    /// Turns an `i32` truth value into a `Bool` (`i64` 0 or 1).
    pub(super) fn bool_from_i32(&mut self) {
        self.emit(I::I64ExtendI32U);
    }

    /// Turns a `Bool` into an `i32` condition.
    pub(super) fn condition(&mut self) {
        self.emit(I::I32WrapI64);
    }

    /// Stores the locals into the scratch slots, in order (for `record_new`, `emit`, …).
    pub(super) fn store_slots(&mut self, locals: &[u32]) -> Result<(), CodegenError> {
        if locals.len() as u32 > MAX_SLOTS {
            return Err(error(format!(
                "more than {MAX_SLOTS} values in one record, event or call"
            )));
        }
        for (index, local) in locals.iter().enumerate() {
            self.i32_const(0);
            self.emit(I::LocalGet(*local));
            self.emit(I::I64Store(MemArg {
                offset: index as u64 * 8,
                align: 3,
                target: wasm_encoder::MemArgTarget::Memory(0),
                ordering: None,
            }));
        }
        Ok(())
    }

    /// `file:line:col` of `loc` in static data, packed as the helpers take it.
    pub(super) fn position(&mut self, loc: Loc) -> (u32, u32) {
        let text = self.contract.position(loc);
        let piece = self.data.string(&text);
        (piece.address, piece.len)
    }

    pub(super) fn packed_position(&mut self, loc: Loc) -> i64 {
        let (address, len) = self.position(loc);
        (i64::from(address) << 32) | i64::from(len)
    }

    /// Aborts with the `String` handle on the stack as the message.
    pub(super) fn abort_with_message_on_stack(&mut self, loc: Loc) {
        let (address, len) = self.position(loc);
        self.i32_const(address);
        self.i32_const(len);
        self.host(HostFn::Abort);
        self.emit(I::Unreachable);
    }

    /// Aborts with a fixed message.
    pub(super) fn abort_static(&mut self, message: &str, loc: Loc) {
        let piece = self.data.string(message);
        let (address, len) = self.position(loc);
        self.i32_const(piece.address);
        self.i32_const(piece.len);
        self.i32_const(address);
        self.i32_const(len);
        self.host(HostFn::AbortStatic);
        self.emit(I::Unreachable);
    }

    /// A `String`, `Bytes`, `Address` or `Hash` constant as a handle.
    pub(super) fn raw_constant(&mut self, ty: &Ty, bytes: &[u8]) {
        let type_id = self.types.id(ty);
        let piece = self.data.intern(bytes);
        self.i32_const(type_id);
        self.i32_const(piece.address);
        self.i32_const(piece.len);
        self.host(HostFn::ValConst);
    }

    /// A `Decision` with a constant rule label.
    pub(super) fn decision(&mut self, permitted: bool, rule: &str) -> Result<(), CodegenError> {
        let value = Value::decision(permitted, rule);
        self.value(&value, &Ty::Decision)
    }

    // ---- whole functions ---------------------------------------------------------------

    pub fn compile(mut self) -> Result<Emitted, CodegenError> {
        let Some(function) = self.function else {
            return Err(error("no function to compile"));
        };
        if function.kind == typed::FunctionKind::Init {
            self.state_initialisers()?;
        }
        match &function.body {
            Body::Block(block) => {
                let wants = has_value(&function.ret);
                self.block(block, wants)?;
                if wants {
                    // Every path returned (the checker proved it); the end is unreachable.
                    if !has_value(&block.ty) {
                        self.emit(I::Unreachable);
                    }
                }
            }
            Body::Policy(policy) => self.policy(policy)?,
        }
        Ok(self.finish())
    }

    /// `init` for a contract without one, writing the state initialisers.
    pub fn compile_synthetic_init(mut self) -> Result<Emitted, CodegenError> {
        self.state_initialisers()?;
        Ok(self.finish())
    }

    fn state_initialisers(&mut self) -> Result<(), CodegenError> {
        for (index, state) in self.contract.states.iter().enumerate() {
            if let Some(value) = &state.init {
                self.i32_const(index as u32);
                self.value(value, &state.ty)?;
                self.host(HostFn::StateStore);
            }
        }
        Ok(())
    }

    fn policy(&mut self, policy: &'c PolicyBody) -> Result<(), CodegenError> {
        if self.explaining {
            return self.policy_explaining(policy);
        }
        for step in &policy.deny_pass {
            match step {
                PolicyStep::Let { local, value } => self.policy_let(*local, value)?,
                PolicyStep::Deny(rule) => self.rule(rule)?,
            }
        }
        for rule in &policy.permits {
            self.rule(rule)?;
        }
        self.decision(policy.default == Effect::Permit, "default")
    }

    /// A policy's `let`: the value into its local.
    fn policy_let(
        &mut self,
        local: typed::LocalId,
        value: &'c typed::Expr,
    ) -> Result<(), CodegenError> {
        self.expr(value)?;
        let target = self.local(local);
        self.emit(I::LocalSet(target));
        Ok(())
    }

    /// Returns the rule's Decision when it holds.
    fn rule(&mut self, rule: &'c Rule) -> Result<(), CodegenError> {
        self.holds(rule)?;
        self.emit(I::If(BlockType::Empty));
        self.decision(rule.effect == Effect::Permit, &rule.label)?;
        self.emit(I::Return);
        self.emit(I::End);
        Ok(())
    }

    /// A policy built for explaining: the same decision, but once a `deny` decides, the
    /// rest of the deny pass runs only its `let`s, and every permit rule is still
    /// evaluated (its notes say what would have permitted). `decided` is 0 while
    /// undecided, 1 after a deny, 2 after a permit; `decision` holds the value returned.
    fn policy_explaining(&mut self, policy: &'c PolicyBody) -> Result<(), CodegenError> {
        let decided = self.temp();
        let decision = self.temp();
        let decide = |this: &mut Self, permitted: bool, label: &str| -> Result<(), CodegenError> {
            this.decision(permitted, label)?;
            this.emit(I::LocalSet(decision));
            this.emit(I::I64Const(if permitted { 2 } else { 1 }));
            this.emit(I::LocalSet(decided));
            Ok(())
        };
        for step in &policy.deny_pass {
            match step {
                PolicyStep::Let { local, value } => self.policy_let(*local, value)?,
                PolicyStep::Deny(rule) => {
                    self.emit(I::LocalGet(decided));
                    self.emit(I::I64Eqz);
                    self.emit(I::If(BlockType::Empty));
                    self.holds(rule)?;
                    self.emit(I::If(BlockType::Empty));
                    decide(self, false, &rule.label)?;
                    self.emit(I::End);
                    self.emit(I::End);
                }
            }
        }
        for rule in &policy.permits {
            self.emit(I::LocalGet(decided));
            self.emit(I::I64Const(2));
            self.emit(I::I64Ne);
            self.emit(I::If(BlockType::Empty));
            self.holds(rule)?;
            self.emit(I::LocalGet(decided));
            self.emit(I::I64Eqz);
            self.emit(I::I32And);
            self.emit(I::If(BlockType::Empty));
            decide(self, true, &rule.label)?;
            self.emit(I::End);
            self.emit(I::End);
        }
        self.emit(I::LocalGet(decided));
        self.emit(I::I64Eqz);
        self.emit(I::If(BlockType::Empty));
        decide(self, policy.default == Effect::Permit, "default")?;
        self.emit(I::End);
        self.emit(I::LocalGet(decision));
        Ok(())
    }

    /// Leaves 1 (`i32`) when the rule holds: its `when` holds (or it has none) and its
    /// `unless` does not (evaluated only when the `when` holds).
    fn holds(&mut self, rule: &'c Rule) -> Result<(), CodegenError> {
        match &rule.when {
            Some(when) => {
                self.expr(when)?;
                self.condition();
            }
            None => self.i32_const(1),
        }
        if let Some(unless) = &rule.unless {
            self.emit(I::If(BlockType::Result(ValType::I32)));
            self.expr(unless)?;
            self.condition();
            self.emit(I::I32Eqz);
            self.emit(I::Else);
            self.i32_const(0);
            self.emit(I::End);
        }
        Ok(())
    }

    fn finish(mut self) -> Emitted {
        self.emit(I::End);
        let mut groups: Vec<(u32, ValType)> = Vec::new();
        for local in &self.locals {
            match groups.last_mut() {
                Some((count, ty)) if ty == local => *count += 1,
                _ => groups.push((1, *local)),
            }
        }
        Emitted::with(groups, self.instructions)
    }
}
