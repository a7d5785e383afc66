//! Whole-function and whole-module rules: state assigned on every path of `init`
//! (E0304), and no recursion (E0309). Both run on the typed tree.

use super::program::{ModuleId, Program};
use crate::diagnostics::effect_errors;
use crate::span::Span;
use crate::typed::{
    Block, Body, Expr, ExprKind, ForIter, FunctionId, Loc, PlaceRoot, Projection, Stmt, StmtKind,
    Ty,
};

pub(super) fn check_module(program: &mut Program, module: ModuleId) {
    check_init(program, module);
    check_recursion(program, module);
}

// ---- definite assignment of state in `init` -----------------------------------------------

/// Which states are assigned on the path so far; `None` when the path cannot continue
/// (it returned or aborted), which satisfies every requirement.
type Assigned = Option<Vec<bool>>;

struct InitFlow {
    /// Returns reached before every required state was assigned: the return and the
    /// states missing there.
    early_returns: Vec<(Loc, Vec<usize>)>,
    required: Vec<bool>,
}

fn meet(a: Assigned, b: Assigned) -> Assigned {
    match (a, b) {
        (None, other) | (other, None) => other,
        (Some(a), Some(b)) => Some(a.iter().zip(&b).map(|(x, y)| *x && *y).collect()),
    }
}

fn check_init(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let required: Vec<bool> = m
        .states
        .iter()
        .map(|s| !s.persistent && !s.has_init && !s.ty.has_error())
        .collect();
    if !required.contains(&true) {
        return;
    }
    let file = m.file;
    let states: Vec<(String, Span)> = m.states.iter().map(|s| (s.name.clone(), s.span)).collect();
    let Some(init_id) = m.init else {
        for (i, (name, span)) in states.iter().enumerate() {
            if required.get(i).copied().unwrap_or(false) {
                program.report(effect_errors::state_without_init(file, *span, name));
            }
        }
        return;
    };
    let Some(init) = program.function(init_id) else {
        return;
    };
    let init_span = init.name_span;
    let Some(Body::Block(body)) = &init.body else {
        return;
    };
    let mut flow = InitFlow {
        early_returns: Vec::new(),
        required: required.clone(),
    };
    let end = flow.block(body, Some(vec![false; required.len()]));
    let mut reported = vec![false; required.len()];
    let mut diagnostics = Vec::new();
    for (loc, missing) in &flow.early_returns {
        for &i in missing {
            if reported.get(i).copied().unwrap_or(true) {
                continue;
            }
            if let Some(slot) = reported.get_mut(i) {
                *slot = true;
            }
            let Some((name, span)) = states.get(i) else {
                continue;
            };
            diagnostics.push(effect_errors::state_unassigned_at_return(
                file, *span, name, loc.span,
            ));
        }
    }
    if let Some(assigned) = end {
        for (i, required) in required.iter().enumerate() {
            if !required
                || assigned.get(i).copied().unwrap_or(true)
                || reported.get(i).copied().unwrap_or(true)
            {
                continue;
            }
            let Some((name, span)) = states.get(i) else {
                continue;
            };
            diagnostics.push(effect_errors::state_unassigned_at_end(
                file, *span, name, init_span,
            ));
        }
    }
    for diagnostic in diagnostics {
        program.report(diagnostic);
    }
}

impl InitFlow {
    fn block(&mut self, block: &Block, mut state: Assigned) -> Assigned {
        for stmt in &block.stmts {
            state = self.stmt(stmt, state);
        }
        if let Some(tail) = &block.tail {
            state = self.expr(tail, state);
        }
        state
    }

    fn stmt(&mut self, stmt: &Stmt, state: Assigned) -> Assigned {
        match &stmt.kind {
            StmtKind::Let { value, .. }
            | StmtKind::LetTuple { value, .. }
            | StmtKind::Expr(value)
            | StmtKind::Authorize(value) => self.expr(value, state),
            StmtKind::Assign { place, value, op } => {
                let mut state = self.expr(value, state);
                if let PlaceRoot::StateEntry { key, .. } = &place.root {
                    state = self.expr(key, state);
                }
                for projection in &place.path {
                    if let Projection::ListIndex(e) | Projection::MapKey(e) = projection {
                        state = self.expr(e, state);
                    }
                }
                if let (PlaceRoot::State(id), true, None) = (&place.root, place.path.is_empty(), op)
                    && let Some(assigned) = state.as_mut()
                    && let Some(slot) = assigned.get_mut(id.index())
                {
                    *slot = true;
                }
                state
            }
            StmtKind::For { iter, body, .. } => {
                let state = match iter {
                    ForIter::Range { start, end } => {
                        let state = self.expr(start, state);
                        self.expr(end, state)
                    }
                    ForIter::List(e) | ForIter::Set(e) | ForIter::Map(e) => self.expr(e, state),
                    ForIter::Persistent { prefix, .. } => prefix
                        .iter()
                        .fold(state, |state, component| self.expr(component, state)),
                };
                // The body may run zero times: what it assigns does not count, but a
                // `return` inside it is still checked.
                self.block(body, state.clone());
                state
            }
            StmtKind::Return(value) => {
                let state = match value {
                    Some(v) => self.expr(v, state),
                    None => state,
                };
                if let Some(assigned) = &state {
                    let missing: Vec<usize> = self
                        .required
                        .iter()
                        .zip(assigned)
                        .enumerate()
                        .filter(|(_, (required, done))| **required && !**done)
                        .map(|(i, _)| i)
                        .collect();
                    if !missing.is_empty() {
                        self.early_returns.push((stmt.loc, missing));
                    }
                }
                None
            }
            // The path goes on after the loop (or in its next round), which the `for`
            // already accounts for: what the body assigns never counts.
            StmtKind::Break | StmtKind::Continue => None,
            StmtKind::Require { cond, message } => {
                let state = self.expr(cond, state);
                self.expr(message, state)
            }
            StmtKind::Assume(cond) => self.expr(cond, state),
            StmtKind::Assert { cond, message } => {
                let state = self.expr(cond, state);
                match message {
                    Some(message) => self.expr(message, state),
                    None => state,
                }
            }
            StmtKind::Abort(message) => {
                self.expr(message, state);
                None
            }
            StmtKind::Emit { fields, .. } => fields.iter().fold(state, |s, f| self.expr(f, s)),
        }
    }

    fn expr(&mut self, expr: &Expr, state: Assigned) -> Assigned {
        crate::stack::guarded(|| self.expr_guarded(expr, state))
    }

    fn expr_guarded(&mut self, expr: &Expr, state: Assigned) -> Assigned {
        match &expr.kind {
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let state = self.expr(cond, state);
                let then_state = self.block(then, state.clone());
                let else_state = match otherwise {
                    Some(block) => self.block(block, state),
                    None => state,
                };
                meet(then_state, else_state)
            }
            ExprKind::IfLet {
                value,
                then,
                otherwise,
                ..
            } => {
                let state = self.expr(value, state);
                let then_state = self.block(then, state.clone());
                let else_state = match otherwise {
                    Some(block) => self.block(block, state),
                    None => state,
                };
                meet(then_state, else_state)
            }
            ExprKind::Match { scrutinee, arms } => {
                let state = self.expr(scrutinee, state);
                let mut out: Assigned = None;
                let mut first = true;
                for arm in arms {
                    let arm_state = self.block(&arm.body, state.clone());
                    out = if first {
                        arm_state
                    } else {
                        meet(out, arm_state)
                    };
                    first = false;
                }
                if first { state } else { out }
            }
            ExprKind::Block(block) => self.block(block, state),
            _ => {
                let mut state = state;
                for child in children(expr) {
                    state = self.expr(child, state);
                }
                if expr.ty == Ty::Never { None } else { state }
            }
        }
    }
}

/// The direct sub-expressions of an expression without blocks.
fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Some(e)
        | ExprKind::Field { base: e, .. }
        | ExprKind::OptionalField { base: e, .. }
        | ExprKind::Unary { operand: e, .. } => {
            vec![e]
        }
        ExprKind::Tuple(items)
        | ExprKind::List(items)
        | ExprKind::Set(items)
        | ExprKind::Record { fields: items, .. }
        | ExprKind::Builtin { args: items, .. }
        | ExprKind::Persistent { args: items, .. }
        | ExprKind::Call { args: items, .. } => items.iter().collect(),
        ExprKind::RecordUpdate { base, fields } => {
            let mut out: Vec<&Expr> = vec![base];
            out.extend(fields.iter().map(|(_, e)| e));
            out
        }
        ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Mutate { arg, .. } => vec![arg],
        ExprKind::CrossCall { address, args, .. } => {
            let mut out: Vec<&Expr> = vec![address];
            out.extend(args.iter());
            out
        }
        _ => Vec::new(),
    }
}

// ---- recursion ----------------------------------------------------------------------------

/// A function, its calls (callee and call span), and the index of the next call to follow.
type Frame = (FunctionId, Vec<(FunctionId, Span)>, usize);

/// E0309 for every cycle of the module's call graph (depth first, with an explicit stack).
fn check_recursion(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let functions = m.functions.clone();
    let edges = |program: &Program, id: FunctionId| -> Vec<(FunctionId, Span)> {
        program.function(id).map_or(Vec::new(), |f| {
            f.calls
                .iter()
                .filter(|(callee, _)| {
                    program
                        .function(*callee)
                        .is_some_and(|c| c.module == module)
                })
                .copied()
                .collect()
        })
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let count = program.functions.len();
    let mut mark = vec![Mark::New; count];
    let mut in_reported_cycle = vec![false; count];
    let mut cycles: Vec<Vec<(FunctionId, Span)>> = Vec::new();
    for &root in &functions {
        if mark.get(root.index()) != Some(&Mark::New) {
            continue;
        }
        // Frames: function, its edges, the next edge, the span of the call that led here.
        let mut stack: Vec<Frame> = vec![(root, edges(program, root), 0)];
        if let Some(slot) = mark.get_mut(root.index()) {
            *slot = Mark::Active;
        }
        while let Some((id, out, next)) = stack.last_mut() {
            let id = *id;
            let Some(&(callee, call_span)) = out.get(*next) else {
                if let Some(slot) = mark.get_mut(id.index()) {
                    *slot = Mark::Done;
                }
                stack.pop();
                continue;
            };
            *next += 1;
            match mark.get(callee.index()).copied() {
                Some(Mark::New) => {
                    if let Some(slot) = mark.get_mut(callee.index()) {
                        *slot = Mark::Active;
                    }
                    let callee_edges = edges(program, callee);
                    stack.push((callee, callee_edges, 0));
                }
                Some(Mark::Active) => {
                    // The stack from `callee` to `id`, then this call, is a cycle; each
                    // frame's call to the next is the edge its `next - 1` points at.
                    let start = stack.iter().position(|(f, _, _)| *f == callee).unwrap_or(0);
                    let mut cycle: Vec<(FunctionId, Span)> = Vec::new();
                    for (f, out, next) in stack.get(start..).unwrap_or_default() {
                        let span = out
                            .get(next.saturating_sub(1))
                            .map_or(Span::default(), |(_, s)| *s);
                        cycle.push((*f, span));
                    }
                    if let Some(last) = cycle.last_mut() {
                        last.1 = call_span;
                    }
                    if !cycle
                        .iter()
                        .all(|(f, _)| in_reported_cycle.get(f.index()).copied().unwrap_or(false))
                    {
                        for (f, _) in &cycle {
                            if let Some(slot) = in_reported_cycle.get_mut(f.index()) {
                                *slot = true;
                            }
                        }
                        cycles.push(cycle);
                    }
                }
                _ => {}
            }
        }
    }
    for cycle in cycles {
        report_cycle(program, &cycle);
    }
}

/// `cycle`: each function with the span of its call of the next (the last calls the first).
fn report_cycle(program: &mut Program, cycle: &[(FunctionId, Span)]) {
    let name = |id: FunctionId| {
        program
            .function(id)
            .map_or(String::new(), |f| f.name.clone())
    };
    let Some(&(first, first_call)) = cycle.first() else {
        return;
    };
    // INVARIANT: the call graph holds only functions of this program.
    let function = program.function(first);
    debug_assert!(
        function.is_some(),
        "a call-graph function the program lacks"
    );
    let file = function.map_or(crate::span::FileId(0), |f| f.file);
    let names: Vec<String> = cycle.iter().map(|(f, _)| name(*f)).collect();
    let calls: Vec<Span> = cycle.iter().skip(1).map(|(_, span)| *span).collect();
    program.report(effect_errors::recursion(file, first_call, &names, &calls));
}
