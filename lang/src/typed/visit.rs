//! Walks over every expression of a typed body.
//!
//! The typed tree is as deep as the checked source, which the checker bounds, so these
//! walks recurse.

use super::{
    Block, Body, Expr, ExprKind, ForIter, Place, PlaceRoot, PolicyStep, Projection, Stmt, StmtKind,
};

/// Calls `f` on every expression of `body`, outer expressions before inner ones.
pub fn exprs_mut(body: &mut Body, f: &mut dyn FnMut(&mut Expr)) {
    match body {
        Body::Block(block) => block_mut(block, f),
        Body::Policy(policy) => {
            for step in &mut policy.deny_pass {
                match step {
                    PolicyStep::Let { value, .. } => expr_mut(value, f),
                    PolicyStep::Deny(rule) => {
                        rule.when.iter_mut().for_each(|e| expr_mut(e, f));
                        rule.unless.iter_mut().for_each(|e| expr_mut(e, f));
                    }
                }
            }
            for rule in &mut policy.permits {
                rule.when.iter_mut().for_each(|e| expr_mut(e, f));
                rule.unless.iter_mut().for_each(|e| expr_mut(e, f));
            }
        }
    }
}

/// Calls `f` on every expression of `block`, outer expressions before inner ones.
pub fn block_mut(block: &mut Block, f: &mut dyn FnMut(&mut Expr)) {
    for stmt in &mut block.stmts {
        stmt_mut(stmt, f);
    }
    if let Some(tail) = &mut block.tail {
        expr_mut(tail, f);
    }
}

fn stmt_mut(stmt: &mut Stmt, f: &mut dyn FnMut(&mut Expr)) {
    match &mut stmt.kind {
        StmtKind::Let { value, .. } | StmtKind::LetTuple { value, .. } => expr_mut(value, f),
        StmtKind::Assign { place, value, .. } => {
            place_mut(place, f);
            expr_mut(value, f);
        }
        StmtKind::Expr(e) | StmtKind::Abort(e) | StmtKind::Authorize(e) => expr_mut(e, f),
        StmtKind::For { iter, body, .. } => {
            match iter {
                ForIter::Range { start, end } => {
                    expr_mut(start, f);
                    expr_mut(end, f);
                }
                ForIter::List(e) | ForIter::Set(e) | ForIter::Map(e) => expr_mut(e, f),
                ForIter::Persistent { prefix, .. } => {
                    prefix.iter_mut().for_each(|e| expr_mut(e, f))
                }
            }
            block_mut(body, f);
        }
        StmtKind::Return(value) => value.iter_mut().for_each(|e| expr_mut(e, f)),
        StmtKind::Break | StmtKind::Continue => {}
        StmtKind::Require { cond, message } => {
            expr_mut(cond, f);
            expr_mut(message, f);
        }
        StmtKind::Emit { fields, .. } => fields.iter_mut().for_each(|e| expr_mut(e, f)),
        StmtKind::Assume(cond) => expr_mut(cond, f),
        StmtKind::Assert { cond, message } => {
            expr_mut(cond, f);
            message.iter_mut().for_each(|e| expr_mut(e, f));
        }
    }
}

fn place_mut(place: &mut Place, f: &mut dyn FnMut(&mut Expr)) {
    if let PlaceRoot::StateEntry { key, .. } = &mut place.root {
        expr_mut(key, f);
    }
    for projection in &mut place.path {
        match projection {
            Projection::Field(_) => {}
            Projection::ListIndex(e) | Projection::MapKey(e) => expr_mut(e, f),
        }
    }
}

/// Calls `f` on `expr`, then on every expression inside it.
pub fn expr_mut(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    crate::stack::guarded(|| expr_mut_guarded(expr, f));
}

fn expr_mut_guarded(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    f(expr);
    match &mut expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Param(_)
        | ExprKind::Local(_)
        | ExprKind::Const(_)
        | ExprKind::State(_)
        | ExprKind::Context(_)
        | ExprKind::Variant { .. }
        | ExprKind::None => {}
        ExprKind::Some(e)
        | ExprKind::Field { base: e, .. }
        | ExprKind::OptionalField { base: e, .. }
        | ExprKind::Unary { operand: e, .. } => expr_mut(e, f),
        ExprKind::Tuple(items)
        | ExprKind::List(items)
        | ExprKind::Set(items)
        | ExprKind::Record { fields: items, .. }
        | ExprKind::Builtin { args: items, .. }
        | ExprKind::Persistent { args: items, .. }
        | ExprKind::Call { args: items, .. } => items.iter_mut().for_each(|e| expr_mut(e, f)),
        ExprKind::RecordUpdate { base, fields } => {
            expr_mut(base, f);
            fields.iter_mut().for_each(|(_, e)| expr_mut(e, f));
        }
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                expr_mut(k, f);
                expr_mut(v, f);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_mut(lhs, f);
            expr_mut(rhs, f);
        }
        ExprKind::Mutate { place, arg, .. } => {
            place_mut(place, f);
            expr_mut(arg, f);
        }
        ExprKind::CrossCall { address, args, .. } => {
            expr_mut(address, f);
            args.iter_mut().for_each(|e| expr_mut(e, f));
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr_mut(cond, f);
            block_mut(then, f);
            otherwise.iter_mut().for_each(|b| block_mut(b, f));
        }
        ExprKind::IfLet {
            value,
            then,
            otherwise,
            ..
        } => {
            expr_mut(value, f);
            block_mut(then, f);
            otherwise.iter_mut().for_each(|b| block_mut(b, f));
        }
        ExprKind::Match { scrutinee, arms } => {
            expr_mut(scrutinee, f);
            arms.iter_mut().for_each(|arm| block_mut(&mut arm.body, f));
        }
        ExprKind::Block(block) => block_mut(block, f),
    }
}
