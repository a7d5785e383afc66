//! Blocks and statements.

use assent_stdlib::abi::HostFn;
use wasm_encoder::{BlockType, Instruction as I};

use super::function::{FunctionCompiler, LoopLabels, has_value};
use super::{CodegenError, error};
use crate::typed::{
    BinaryOp, Block, Expr, ExprKind, ForBinding, ForIter, Loc, Place, PlaceRoot, Projection, Stmt,
    StmtKind, Ty,
};

type Result<T = ()> = std::result::Result<T, CodegenError>;

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    /// A block; leaves a value exactly when `wants_value`.
    pub(super) fn block(&mut self, block: &'c Block, wants_value: bool) -> Result {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        match &block.tail {
            Some(tail) => {
                self.expr(tail)?;
                if has_value(&tail.ty) && !wants_value {
                    self.emit(I::Drop);
                }
                if wants_value && !has_value(&tail.ty) {
                    self.emit(I::Unreachable);
                }
            }
            None => {
                if wants_value {
                    // The block ends in `return` or `abort` on every path.
                    self.emit(I::Unreachable);
                }
            }
        }
        Ok(())
    }

    pub(super) fn stmt(&mut self, stmt: &'c Stmt) -> Result {
        crate::stack::guarded(|| self.stmt_inner(stmt))
    }

    pub(super) fn stmt_inner(&mut self, stmt: &'c Stmt) -> Result {
        match &stmt.kind {
            StmtKind::Let { local, value } => {
                self.expr(value)?;
                if self.local_def(*local).is_some_and(|d| d.mutable) && !value.ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
                let target = self.local(*local);
                self.emit(I::LocalSet(target));
            }
            StmtKind::LetTuple { locals, value } => {
                let tuple = self.expr_to_local(value)?;
                for (position, part) in locals.iter().enumerate() {
                    if let Some(id) = part {
                        let local = self.local(*id);
                        self.emit(I::LocalGet(tuple));
                        self.i32_const(position as u32);
                        self.host(HostFn::RecordGet);
                        self.emit(I::LocalSet(local));
                    }
                }
            }
            StmtKind::Assign { place, op, value } => {
                let op = *op;
                let scalar = place.ty.is_scalar();
                let loc = stmt.loc;
                self.change_place(place, stmt.loc, op.is_some(), &mut |this, target| {
                    match op {
                        None => {
                            this.expr(value)?;
                            if !scalar {
                                this.host(HostFn::ValCopy);
                            }
                        }
                        Some(op) => {
                            this.emit(I::LocalGet(target));
                            this.expr(value)?;
                            this.apply_compound(op, loc)?;
                        }
                    }
                    this.emit(I::LocalSet(target));
                    Ok(())
                })?;
            }
            StmtKind::Expr(expr) => {
                self.expr(expr)?;
                if has_value(&expr.ty) {
                    self.emit(I::Drop);
                }
            }
            StmtKind::For {
                binding,
                iter,
                body,
            } => self.for_loop(binding, iter, body)?,
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    self.expr(value)?;
                }
                self.emit(I::Return);
            }
            StmtKind::Break | StmtKind::Continue => {
                let Some(labels) = self.loops.last().copied() else {
                    return Err(error("`break` or `continue` outside a loop"));
                };
                let label = if matches!(stmt.kind, StmtKind::Break) {
                    labels.break_label
                } else {
                    labels.continue_label
                };
                self.branch_to(label);
            }
            StmtKind::Assume(_) | StmtKind::Assert { .. } => {
                return Err(error("`assume` or `assert` outside a property"));
            }
            StmtKind::Require { cond, message } => {
                self.expr(cond)?;
                self.condition();
                self.emit(I::I32Eqz);
                self.emit(I::If(BlockType::Empty));
                self.expr(message)?;
                self.abort_with_message_on_stack(stmt.loc);
                self.emit(I::End);
            }
            StmtKind::Abort(message) => {
                self.expr(message)?;
                self.abort_with_message_on_stack(stmt.loc);
            }
            StmtKind::Authorize(call) => {
                let decision = self.expr_to_local(call)?;
                self.emit(I::LocalGet(decision));
                self.i32_const(0);
                self.host(HostFn::RecordGet);
                self.emit(I::I64Eqz);
                self.emit(I::If(BlockType::Empty));
                self.raw_constant(&Ty::String, b"denied by rule ");
                self.emit(I::LocalGet(decision));
                self.i32_const(1);
                self.host(HostFn::RecordGet);
                self.host(HostFn::StrConcat);
                self.abort_with_message_on_stack(stmt.loc);
                self.emit(I::End);
            }
            StmtKind::Emit {
                event,
                audit,
                fields,
            } => {
                let mut locals = Vec::new();
                for field in fields {
                    locals.push(self.expr_to_local(field)?);
                }
                self.store_slots(&locals)?;
                self.i32_const(event.0);
                self.i32_const(0);
                self.i32_const(u32::from(*audit));
                self.host(HostFn::Emit);
            }
        }
        Ok(())
    }

    /// `current op value` for `+=`, `-=`, `*=` (both operands on the stack).
    pub(super) fn apply_compound(&mut self, op: BinaryOp, loc: Loc) -> Result {
        if self.arithmetic(op, loc) {
            Ok(())
        } else {
            Err(error(format!("`{}=` is not an assignment", op.symbol())))
        }
    }

    pub(super) fn for_loop(
        &mut self,
        binding: &ForBinding,
        iter: &'c ForIter,
        body: &'c Block,
    ) -> Result {
        match iter {
            ForIter::Range { start, end } => {
                let counter = self.expr_to_local(start)?;
                let limit = self.expr_to_local(end)?;
                self.emit(I::Block(BlockType::Empty));
                let break_label = self.open_labels();
                self.emit(I::Loop(BlockType::Empty));
                self.emit(I::LocalGet(counter));
                self.emit(I::LocalGet(limit));
                self.emit(I::I64GeS);
                self.emit(I::BrIf(1));
                if let ForBinding::Name(Some(id)) = binding {
                    let local = self.local(*id);
                    self.emit(I::LocalGet(counter));
                    self.emit(I::LocalSet(local));
                }
                self.loop_body(body, break_label)?;
                // counter < limit <= i64::MAX, so the increment cannot overflow.
                self.emit(I::LocalGet(counter));
                self.emit(I::I64Const(1));
                self.emit(I::I64Add);
                self.emit(I::LocalSet(counter));
                self.emit(I::Br(0));
                self.emit(I::End);
                self.emit(I::End);
            }
            ForIter::List(collection) | ForIter::Set(collection) | ForIter::Map(collection) => {
                // Iterate over a snapshot: the body may change the collection's local.
                self.expr(collection)?;
                self.host(HostFn::ValCopy);
                let items = self.temp();
                self.emit(I::LocalTee(items));
                self.host(HostFn::CollLen);
                let count = self.temp();
                self.emit(I::LocalSet(count));
                let index = self.temp();
                self.emit(I::I64Const(0));
                self.emit(I::LocalSet(index));
                self.emit(I::Block(BlockType::Empty));
                let break_label = self.open_labels();
                self.emit(I::Loop(BlockType::Empty));
                self.emit(I::LocalGet(index));
                self.emit(I::LocalGet(count));
                self.emit(I::I64GeS);
                self.emit(I::BrIf(1));
                self.emit(I::LocalGet(items));
                self.emit(I::LocalGet(index));
                self.host(HostFn::CollAt);
                let element = self.temp();
                self.emit(I::LocalSet(element));
                match binding {
                    ForBinding::Name(Some(id)) => {
                        let local = self.local(*id);
                        self.emit(I::LocalGet(element));
                        self.emit(I::LocalSet(local));
                    }
                    ForBinding::Name(None) => {}
                    ForBinding::Tuple(parts) => {
                        for (position, part) in parts.iter().enumerate() {
                            if let Some(id) = part {
                                let local = self.local(*id);
                                self.emit(I::LocalGet(element));
                                self.i32_const(position as u32);
                                self.host(HostFn::RecordGet);
                                self.emit(I::LocalSet(local));
                            }
                        }
                    }
                }
                self.loop_body(body, break_label)?;
                self.emit(I::LocalGet(index));
                self.emit(I::I64Const(1));
                self.emit(I::I64Add);
                self.emit(I::LocalSet(index));
                self.emit(I::Br(0));
                self.emit(I::End);
                self.emit(I::End);
            }
            ForIter::Persistent { state, prefix, map } => {
                self.persistent_loop(binding, state.0, prefix, *map, body)?;
            }
        }
        Ok(())
    }

    /// A `for` over a persistent collection: each round asks the host for the key after
    /// the last one (`pmap_next`, in key order, within the prefix), stops at `none`, and
    /// for a map reads the entry's value (`pmap_get`). The last key is kept before the
    /// body runs, so `continue` goes straight to the next round.
    fn persistent_loop(
        &mut self,
        binding: &ForBinding,
        state: u32,
        prefix: &'c [Expr],
        map: bool,
        body: &'c Block,
    ) -> Result {
        let key_ty = match self.contract.states.get(state as usize).map(|s| &s.ty) {
            Some(Ty::Map(key, _) | Ty::Set(key)) => (**key).clone(),
            _ => return Err(error("a loop over a state that is not a Map or Set")),
        };
        let option_ty = self.types.id(&Ty::Option(Box::new(key_ty.clone())));
        // The prefix's components, as one tuple.
        let prefix_local = self.temp();
        if prefix.is_empty() {
            self.emit(I::I64Const(0));
        } else {
            self.args_tuple(prefix)?;
        }
        self.emit(I::LocalSet(prefix_local));
        let last = self.temp();
        self.i32_const(option_ty);
        self.host(HostFn::OptNone);
        self.emit(I::LocalSet(last));
        self.emit(I::Block(BlockType::Empty));
        let break_label = self.open_labels();
        self.emit(I::Loop(BlockType::Empty));
        self.i32_const(state);
        self.i32_const(prefix.len() as u32);
        self.emit(I::LocalGet(prefix_local));
        self.emit(I::LocalGet(last));
        self.host(HostFn::PmapNext);
        self.emit(I::LocalTee(last));
        self.host(HostFn::OptIsSome);
        self.emit(I::I32Eqz);
        self.emit(I::BrIf(1));
        let key = self.temp();
        self.emit(I::LocalGet(last));
        self.host(HostFn::OptUnwrap);
        self.emit(I::LocalSet(key));
        let value = if map {
            let value = self.temp();
            self.i32_const(state);
            self.emit(I::LocalGet(key));
            self.host(HostFn::PmapGet);
            self.unwrap_or_abort("no entry for this key", body.loc);
            self.emit(I::LocalSet(value));
            Some(value)
        } else {
            None
        };
        match (binding, value) {
            (ForBinding::Name(Some(id)), None) => {
                let local = self.local(*id);
                self.emit(I::LocalGet(key));
                self.emit(I::LocalSet(local));
            }
            (ForBinding::Name(Some(id)), Some(value)) => {
                let entry = Ty::Tuple(
                    match self.contract.states.get(state as usize).map(|s| &s.ty) {
                        Some(Ty::Map(k, v)) => vec![(**k).clone(), (**v).clone()],
                        _ => Vec::new(),
                    },
                );
                self.store_slots(&[key, value])?;
                let entry_ty = self.types.id(&entry);
                self.i32_const(entry_ty);
                self.i32_const(0);
                self.host(HostFn::RecordNew);
                let local = self.local(*id);
                self.emit(I::LocalSet(local));
            }
            (ForBinding::Name(None), _) => {}
            (ForBinding::Tuple(parts), _) => {
                let sources = [Some(key), value];
                for (part, source) in parts.iter().zip(sources) {
                    if let (Some(id), Some(source)) = (part, source) {
                        let local = self.local(*id);
                        self.emit(I::LocalGet(source));
                        self.emit(I::LocalSet(local));
                    }
                }
            }
        }
        self.loop_body(body, break_label)?;
        self.emit(I::Br(0));
        self.emit(I::End);
        self.emit(I::End);
        Ok(())
    }

    /// The body of a `for` loop whose whole-loop `block` is `break_label`. When the body
    /// has a `continue` of this loop, the body goes in a `block` of its own, so that
    /// `continue` branches to its end, where the loop steps to the next round; without
    /// one the module is what it was before `continue` existed.
    fn loop_body(&mut self, body: &'c Block, break_label: u32) -> Result {
        let continues = block_continues(body);
        if continues {
            self.emit(I::Block(BlockType::Empty));
        }
        let continue_label = self.open_labels();
        self.loops.push(LoopLabels {
            break_label,
            continue_label,
        });
        let result = self.block(body, false);
        self.loops.pop();
        result?;
        if continues {
            self.emit(I::End);
        }
        Ok(())
    }
}

/// Whether `block` has a `continue` of the loop it is the body of (one inside a nested
/// loop's body belongs to that loop).
fn block_continues(block: &Block) -> bool {
    block.stmts.iter().any(stmt_continues) || block.tail.as_deref().is_some_and(expr_continues)
}

fn stmt_continues(stmt: &Stmt) -> bool {
    match &stmt.kind {
        StmtKind::Continue => true,
        StmtKind::Break => false,
        StmtKind::Let { value: e, .. }
        | StmtKind::LetTuple { value: e, .. }
        | StmtKind::Expr(e)
        | StmtKind::Abort(e)
        | StmtKind::Authorize(e) => expr_continues(e),
        StmtKind::Return(value) => value.as_ref().is_some_and(expr_continues),
        StmtKind::Require { cond, message } => expr_continues(cond) || expr_continues(message),
        StmtKind::Assume(cond) => expr_continues(cond),
        StmtKind::Assert { cond, message } => {
            expr_continues(cond) || message.as_ref().is_some_and(expr_continues)
        }
        StmtKind::Emit { fields, .. } => fields.iter().any(expr_continues),
        StmtKind::Assign { place, value, .. } => place_continues(place) || expr_continues(value),
        // The nested loop's body continues that loop; its head is evaluated in this one.
        StmtKind::For { iter, .. } => match iter {
            ForIter::Range { start, end } => expr_continues(start) || expr_continues(end),
            ForIter::List(e) | ForIter::Set(e) | ForIter::Map(e) => expr_continues(e),
            ForIter::Persistent { prefix, .. } => prefix.iter().any(expr_continues),
        },
    }
}

fn place_continues(place: &Place) -> bool {
    let key = match &place.root {
        PlaceRoot::StateEntry { key, .. } => expr_continues(key),
        PlaceRoot::Local(_) | PlaceRoot::State(_) => false,
    };
    key || place.path.iter().any(|projection| match projection {
        Projection::Field(_) => false,
        Projection::ListIndex(e) | Projection::MapKey(e) => expr_continues(e),
    })
}

/// Whether a `continue` is inside `expr` (in a block of an `if` or `match` in it).
fn expr_continues(expr: &Expr) -> bool {
    crate::stack::guarded(|| match &expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Param(_)
        | ExprKind::Local(_)
        | ExprKind::Const(_)
        | ExprKind::State(_)
        | ExprKind::Context(_)
        | ExprKind::Variant { .. }
        | ExprKind::None => false,
        ExprKind::Some(e)
        | ExprKind::Field { base: e, .. }
        | ExprKind::OptionalField { base: e, .. }
        | ExprKind::Unary { operand: e, .. } => expr_continues(e),
        ExprKind::Tuple(items)
        | ExprKind::List(items)
        | ExprKind::Set(items)
        | ExprKind::Record { fields: items, .. }
        | ExprKind::Builtin { args: items, .. }
        | ExprKind::Persistent { args: items, .. }
        | ExprKind::Call { args: items, .. } => items.iter().any(expr_continues),
        ExprKind::RecordUpdate { base, fields } => {
            expr_continues(base) || fields.iter().any(|(_, e)| expr_continues(e))
        }
        ExprKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| expr_continues(k) || expr_continues(v)),
        ExprKind::Binary { lhs, rhs, .. } => expr_continues(lhs) || expr_continues(rhs),
        ExprKind::Mutate { place, arg, .. } => place_continues(place) || expr_continues(arg),
        ExprKind::CrossCall { address, args, .. } => {
            expr_continues(address) || args.iter().any(expr_continues)
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr_continues(cond)
                || block_continues(then)
                || otherwise.as_deref().is_some_and(block_continues)
        }
        ExprKind::IfLet {
            value,
            then,
            otherwise,
            ..
        } => {
            expr_continues(value)
                || block_continues(then)
                || otherwise.as_deref().is_some_and(block_continues)
        }
        ExprKind::Match { scrutinee, arms } => {
            expr_continues(scrutinee) || arms.iter().any(|arm| block_continues(&arm.body))
        }
        ExprKind::Block(block) => block_continues(block),
    })
}
