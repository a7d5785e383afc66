//! Calls: functions and policies, built-in functions and methods, operations on
//! persistent state, indexing, and calls of other contracts.

use super::body::{Binding, Cx};
use super::expr::BUILTIN_FUNCTIONS;
use super::program::{Decl, ModuleId, ModuleKind, ScopeEntry, suggest};

/// A built-in only the standard library may call: `sha3` of its arguments' bytes
/// concatenated without lengths ([`Builtin::Sha3Packed`]).
const STD_ONLY_SHA3_PACKED: &str = "sha3_packed";
use crate::diagnostics::name_errors::Receiver;
use crate::diagnostics::{effect_errors, name_errors, type_errors};
use crate::span::Span;
use crate::syntax::ast::{self, Ident};
use crate::typed::{
    self, Builtin, Expr, ExprKind, FunctionId, FunctionKind, InterfaceId, MutateOp, PersistentOp,
    StateId, Ty,
};

impl Cx<'_> {
    // ---- calls ---------------------------------------------------------------------------

    pub fn check_call(&mut self, callee: &ast::Expr, args: &[ast::Expr], span: Span) -> Expr {
        let ast::ExprKind::Name(name) = &callee.kind else {
            let checked = self.check_value(callee);
            if !checked.ty.has_error() {
                let shown = self.show(&checked.ty);
                let diagnostic = type_errors::value_not_callable(self.file, callee.span, &shown);
                self.report(diagnostic);
            }
            self.check_args_loosely(args);
            return self.error_expr(span);
        };
        if let Some(binding) = self.lookup_local(&name.name) {
            let ty = self.show(&self.binding_ty(binding));
            let what = match binding {
                Binding::Param(_) => "a parameter",
                Binding::Local(_) => "a local variable",
            };
            let diagnostic =
                type_errors::local_not_callable(self.file, name.span, &name.name, what, &ty);
            self.report(diagnostic);
            self.check_args_loosely(args);
            return self.error_expr(span);
        }
        match self.program.lookup(self.module, &name.name).cloned() {
            Some(ScopeEntry::One(Decl::Function(id))) => self.call_function(id, name, args, span),
            Some(ScopeEntry::One(Decl::Interface(_))) => {
                let diagnostic = type_errors::interface_not_callable(self.file, span, &name.name);
                self.report(diagnostic);
                self.check_args_loosely(args);
                self.error_expr(span)
            }
            Some(ScopeEntry::One(decl)) => {
                let kind = self.program.decl_kind(decl);
                let diagnostic = type_errors::declaration_not_callable(
                    self.file,
                    name.span,
                    kind,
                    &name.name,
                    matches!(decl, Decl::Record(_)),
                );
                self.report(diagnostic);
                self.check_args_loosely(args);
                self.error_expr(span)
            }
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.program
                    .report_ambiguous(self.file, name.span, &name.name, &decls);
                self.check_args_loosely(args);
                self.error_expr(span)
            }
            None if BUILTIN_FUNCTIONS.contains(&name.name.as_str()) => {
                self.call_builtin(name, args, span)
            }
            None if name.name == STD_ONLY_SHA3_PACKED && self.in_std() => {
                self.call_builtin(name, args, span)
            }
            None => {
                self.report_unknown_name(name);
                self.check_args_loosely(args);
                self.error_expr(span)
            }
        }
    }

    /// Arguments of a call that failed to resolve, checked for their own errors.
    pub(super) fn check_args_loosely(&mut self, args: &[ast::Expr]) {
        for arg in args {
            self.check_value(arg);
        }
    }

    /// Arguments against declared parameter types; E0203 on a count mismatch.
    fn check_args(
        &mut self,
        what: &str,
        params: &[(String, Ty)],
        args: &[ast::Expr],
        span: Span,
        declared: Option<(crate::span::FileId, Span)>,
    ) -> Vec<Expr> {
        if params.len() != args.len() {
            let list: Vec<String> = params
                .iter()
                .map(|(n, t)| format!("{n}: {}", self.show(t)))
                .collect();
            let diagnostic = type_errors::wrong_argument_count(
                self.file,
                span,
                what,
                params.len(),
                args.len(),
                declared.map(|(file, decl_span)| (file, decl_span, list.as_slice())),
            );
            self.report(diagnostic);
        }
        args.iter()
            .enumerate()
            .map(|(i, arg)| match params.get(i) {
                Some((_, ty)) => self.check_as(arg, ty),
                None => self.check_value(arg),
            })
            .collect()
    }

    fn call_function(
        &mut self,
        id: FunctionId,
        name: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let Some(info) = self.program.function(id) else {
            return self.error_expr(span);
        };
        let (kind, module, file, decl_span, ret) = (
            info.kind,
            info.module,
            info.file,
            info.name_span,
            info.ret.clone(),
        );
        let params: Vec<(String, Ty)> = info
            .params
            .iter()
            .map(|p| (p.name.clone(), p.ty.clone()))
            .collect();
        if kind == FunctionKind::Property {
            let diagnostic =
                effect_errors::property_called(self.file, name.span, &name.name, (file, decl_span));
            self.report(diagnostic);
        }
        if kind == FunctionKind::Action && module == self.module {
            let diagnostic = effect_errors::action_called_internally(
                self.file,
                name.span,
                &name.name,
                (file, decl_span),
            );
            self.report(diagnostic);
        }
        let what = format!("`{}`", name.name);
        let args = self.check_args(&what, &params, args, span, Some((file, decl_span)));
        self.calls.push((id, name.span));
        self.expr(ExprKind::Call { function: id, args }, ret, span)
    }

    /// Whether the body being checked belongs to a standard-library module.
    fn in_std(&self) -> bool {
        self.program
            .module(self.module)
            .is_some_and(|module| module.kind == ModuleKind::Std)
    }

    fn call_builtin(&mut self, name: &Ident, args: &[ast::Expr], span: Span) -> Expr {
        let builtin = match name.name.as_str() {
            "len" => Builtin::Len,
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "abs" => Builtin::Abs,
            "sha3" => Builtin::Sha3,
            STD_ONLY_SHA3_PACKED => Builtin::Sha3Packed,
            "seconds" => Builtin::Seconds,
            "to_string" => Builtin::ToString,
            _ => Builtin::Recover,
        };
        let expected = match builtin {
            Builtin::Len | Builtin::Abs | Builtin::Seconds | Builtin::ToString => 1,
            Builtin::Sha3 | Builtin::Sha3Packed => usize::MAX,
            _ => 2,
        };
        let count_ok = if expected == usize::MAX {
            !args.is_empty()
        } else {
            args.len() == expected
        };
        if !count_ok {
            let diagnostic = type_errors::builtin_argument_count(
                self.file,
                span,
                &name.name,
                (expected != usize::MAX).then_some(expected),
                args.len(),
            );
            self.report(diagnostic);
            self.check_args_loosely(args);
            return self.error_expr(span);
        }
        match builtin {
            Builtin::Len => {
                if let Some((state, _)) = args.first().and_then(|arg| self.persistent_state(arg)) {
                    return self.persistent_len(state, &[], span);
                }
                let arg = self.check_len_operand(args.first(), span);
                self.builtin(Builtin::Len, vec![arg], Ty::Int, span)
            }
            Builtin::Min | Builtin::Max => {
                let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
                    return self.error_expr(span);
                };
                let a = self.check_value(a);
                let ty = a.ty.clone();
                let b = self.check_as(b, &ty);
                if !self.program.is_ordered(&ty) {
                    let shown = self.show(&ty);
                    let diagnostic =
                        type_errors::unordered_argument(self.file, span, &name.name, &shown);
                    self.report(diagnostic);
                    return self.error_expr(span);
                }
                self.builtin(builtin, vec![a, b], ty, span)
            }
            Builtin::Abs => {
                let Some(arg) = args.first() else {
                    return self.error_expr(span);
                };
                let arg = self.check_value(arg);
                let ty = arg.ty.clone();
                if !matches!(
                    ty,
                    Ty::Int | Ty::Money | Ty::Percent | Ty::Duration | Ty::Error
                ) {
                    let shown = self.show(&ty);
                    let diagnostic = type_errors::abs_argument(self.file, arg.loc.span, &shown);
                    self.report(diagnostic);
                    return self.error_expr(span);
                }
                self.builtin(Builtin::Abs, vec![arg], ty, span)
            }
            Builtin::Sha3 | Builtin::Sha3Packed => {
                let checked: Vec<Expr> = args.iter().map(|a| self.check_value(a)).collect();
                self.builtin(builtin, checked, Ty::Hash, span)
            }
            Builtin::Seconds | Builtin::ToString => {
                let Some(arg) = args.first() else {
                    return self.error_expr(span);
                };
                if builtin == Builtin::Seconds {
                    let arg = self.check_as(arg, &Ty::Int);
                    self.builtin(builtin, vec![arg], Ty::Duration, span)
                } else {
                    let arg = self.check_value(arg);
                    self.to_string_of(arg, span)
                }
            }
            _ => {
                let (Some(digest), Some(signature)) = (args.first(), args.get(1)) else {
                    return self.error_expr(span);
                };
                let digest = self.check_as(digest, &Ty::Hash);
                let signature = self.check_as(signature, &Ty::Bytes);
                self.builtin(
                    Builtin::Recover,
                    vec![digest, signature],
                    Ty::Option(Box::new(Ty::Address)),
                    span,
                )
            }
        }
    }

    fn check_len_operand(&mut self, arg: Option<&ast::Expr>, span: Span) -> Expr {
        let Some(arg) = arg else {
            return self.error_expr(span);
        };
        let arg = self.check_value(arg);
        if !matches!(
            arg.ty,
            Ty::List(_) | Ty::Set(_) | Ty::Map(..) | Ty::String | Ty::Bytes | Ty::Error | Ty::Never
        ) {
            let shown = self.show(&arg.ty);
            let diagnostic = type_errors::len_argument(self.file, arg.loc.span, &shown);
            self.report(diagnostic);
            return Expr {
                ty: Ty::Error,
                ..arg
            };
        }
        arg
    }

    /// `len(m)` or `m.len()` of persistent collection `state`: the count the host keeps.
    fn persistent_len(&mut self, state: StateId, args: &[ast::Expr], span: Span) -> Expr {
        self.check_args("`.len()`", &[], args, span, None);
        self.expr(
            ExprKind::Persistent {
                state,
                op: PersistentOp::Len,
                args: Vec::new(),
            },
            Ty::Int,
            span,
        )
    }

    /// `to_string(value)`, also each `{value}` of an interpolated string: a String stays
    /// as it is.
    pub fn to_string_of(&self, value: Expr, span: Span) -> Expr {
        if value.ty == Ty::String {
            return value;
        }
        self.builtin(Builtin::ToString, vec![value], Ty::String, span)
    }

    fn builtin(&self, builtin: Builtin, args: Vec<Expr>, ty: Ty, span: Span) -> Expr {
        if args.iter().any(|a| a.ty.has_error()) {
            return self.error_expr(span);
        }
        self.expr(ExprKind::Builtin { builtin, args }, ty, span)
    }

    // ---- methods -------------------------------------------------------------------------

    pub fn check_method_call(
        &mut self,
        receiver: &ast::Expr,
        method: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        // `Name(address).entry(…)`: a call of another contract.
        if let ast::ExprKind::Call {
            callee,
            args: address,
        } = &receiver.kind
            && let ast::ExprKind::Name(name) = &callee.kind
            && self.lookup_local(&name.name).is_none()
            && let Some(ScopeEntry::One(Decl::Interface(target))) =
                self.program.lookup(self.module, &name.name).cloned()
        {
            return self.cross_call(target, name, address, method, args, span);
        }
        if let Some((state, ty)) = self.persistent_state(receiver) {
            return self.persistent_method(state, &ty, receiver, method, args, span);
        }
        if matches!(method.name.as_str(), "push" | "insert" | "remove") {
            return self.mutating_method(receiver, method, args, span);
        }
        let value = self.check_value(receiver);
        let ty = value.ty.clone();
        if matches!(ty, Ty::Error | Ty::Never) {
            self.check_args_loosely(args);
            return self.error_expr(span);
        }
        let (builtin, params, result): (Builtin, Vec<Ty>, Ty) = match (method.name.as_str(), &ty) {
            ("len", Ty::List(_) | Ty::Set(_) | Ty::Map(..) | Ty::String | Ty::Bytes) => {
                (Builtin::Len, vec![], Ty::Int)
            }
            ("contains", Ty::List(t) | Ty::Set(t) | Ty::Map(t, _)) => {
                (Builtin::Contains, vec![(**t).clone()], Ty::Bool)
            }
            ("get", Ty::Map(k, v)) => (Builtin::MapGet, vec![(**k).clone()], Ty::Option(v.clone())),
            ("starts_with", Ty::String) => (Builtin::StartsWith, vec![Ty::String], Ty::Bool),
            ("bytes", Ty::String) => (Builtin::StrBytes, vec![], Ty::Bytes),
            ("seconds", Ty::Duration) => (Builtin::DurationSeconds, vec![], Ty::Int),
            ("day", Ty::Time) => (Builtin::Day, vec![], Ty::Time),
            _ => {
                self.report_unknown_method(&ty, method);
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
        };
        let named: Vec<(String, Ty)> = params.into_iter().map(|t| (String::new(), t)).collect();
        let what = format!("`.{}()`", method.name);
        let mut checked = vec![value];
        checked.extend(self.check_args(&what, &named, args, span, None));
        self.builtin(builtin, checked, result, span)
    }

    fn report_unknown_method(&mut self, ty: &Ty, method: &Ident) {
        let shown = self.show(ty);
        let methods: &[&str] = match ty {
            Ty::String => &["len", "starts_with", "bytes"],
            Ty::Bytes => &["len"],
            Ty::List(_) => &["len", "contains", "push", "remove"],
            Ty::Set(_) => &["len", "contains", "insert", "remove"],
            Ty::Map(..) => &["len", "contains", "get", "remove"],
            Ty::Duration => &["seconds"],
            Ty::Time => &["day"],
            _ => &[],
        };
        let close = suggest(&method.name, methods.iter().copied());
        let receiver = match ty {
            Ty::Map(..) => Receiver::Map,
            Ty::Record(id) if self.record_field(*id, &method.name).is_some() => {
                Receiver::RecordWithField
            }
            _ => Receiver::Other,
        };
        let diagnostic = name_errors::unknown_method(
            self.file,
            method.span,
            &method.name,
            &shown,
            methods,
            close,
            receiver,
        );
        self.report(diagnostic);
    }

    /// `push`, `insert`, `remove` on a mutable local or on scalar state.
    fn mutating_method(
        &mut self,
        receiver: &ast::Expr,
        method: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let Some(place) = self.check_place(receiver, Some(&method.name)) else {
            self.check_args_loosely(args);
            return self.error_expr(span);
        };
        let (op, element) = match (method.name.as_str(), &place.ty) {
            ("push", Ty::List(t)) => (MutateOp::ListPush, (**t).clone()),
            ("remove", Ty::List(t)) => (MutateOp::ListRemove, (**t).clone()),
            ("insert", Ty::Set(t)) => (MutateOp::SetInsert, (**t).clone()),
            ("remove", Ty::Set(t)) => (MutateOp::SetRemove, (**t).clone()),
            ("remove", Ty::Map(k, _)) => (MutateOp::MapRemove, (**k).clone()),
            (_, Ty::Error) => {
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
            _ => {
                let ty = place.ty.clone();
                self.report_unknown_method(&ty, method);
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
        };
        let what = format!("`.{}()`", method.name);
        let mut checked = self.check_args(&what, &[(String::new(), element)], args, span, None);
        let Some(arg) = checked.pop().filter(|_| checked.is_empty()) else {
            return self.error_expr(span);
        };
        if arg.ty.has_error() {
            return self.error_expr(span);
        }
        self.expr(
            ExprKind::Mutate {
                place: Box::new(place),
                op,
                arg: Box::new(arg),
            },
            Ty::Unit,
            span,
        )
    }

    fn persistent_method(
        &mut self,
        state: StateId,
        ty: &Ty,
        receiver: &ast::Expr,
        method: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let (op, param, result) = match (method.name.as_str(), ty) {
            ("get", Ty::Map(k, v)) => (PersistentOp::MapGet, (**k).clone(), Ty::Option(v.clone())),
            ("contains", Ty::Map(k, _)) => (PersistentOp::Contains, (**k).clone(), Ty::Bool),
            ("remove", Ty::Map(k, _)) => (PersistentOp::Remove, (**k).clone(), Ty::Unit),
            ("contains", Ty::Set(t)) => (PersistentOp::Contains, (**t).clone(), Ty::Bool),
            ("insert", Ty::Set(t)) => (PersistentOp::SetInsert, (**t).clone(), Ty::Unit),
            ("remove", Ty::Set(t)) => (PersistentOp::Remove, (**t).clone(), Ty::Unit),
            ("len", _) => return self.persistent_len(state, args, span),
            ("prefix", _) => {
                let diagnostic = type_errors::prefix_outside_for(self.file, span);
                self.report(diagnostic);
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
            _ => {
                let shown = self.show(ty);
                let diagnostic = name_errors::unknown_persistent_method(
                    self.file,
                    method.span,
                    &method.name,
                    &shown,
                    matches!(ty, Ty::Set(_)),
                );
                self.report(diagnostic);
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
        };
        if op.is_write() {
            self.check_state_write(receiver.span, &name_of(receiver));
        }
        let what = format!("`.{}()`", method.name);
        let checked = self.check_args(&what, &[(String::new(), param)], args, span, None);
        if checked.len() != 1 || checked.iter().any(|a| a.ty.has_error()) {
            return self.error_expr(span);
        }
        self.expr(
            ExprKind::Persistent {
                state,
                op,
                args: checked,
            },
            result,
            span,
        )
    }

    /// E0301 when the code being checked may not write state.
    pub fn check_state_write(&mut self, span: Span, name: &str) {
        if self.walking.iter().any(|walked| walked == name) {
            let diagnostic = effect_errors::write_inside_its_loop(self.file, span, name);
            self.report(diagnostic);
        }
        if self.may_write() {
            return;
        }
        let role = self.role_phrase();
        let diagnostic = effect_errors::write_outside_action(self.file, span, name, &role);
        self.report(diagnostic);
    }

    // ---- indexing ------------------------------------------------------------------------

    pub fn check_index(&mut self, base: &ast::Expr, index: &ast::Expr, span: Span) -> Expr {
        if let Some((state, ty)) = self.persistent_state(base) {
            let Ty::Map(key, value) = ty else {
                let diagnostic = type_errors::persistent_set_read_by_index(self.file, span);
                self.report(diagnostic);
                self.check_value(index);
                return self.error_expr(span);
            };
            let key = self.check_as(index, &key);
            if key.ty.has_error() {
                return self.error_expr(span);
            }
            return self.expr(
                ExprKind::Persistent {
                    state,
                    op: PersistentOp::MapAt,
                    args: vec![key],
                },
                *value,
                span,
            );
        }
        let base = self.check_value(base);
        let (builtin, index_ty, result) = match &base.ty {
            Ty::List(t) => (Builtin::ListAt, Ty::Int, (**t).clone()),
            Ty::Map(k, v) => (Builtin::MapAt, (**k).clone(), (**v).clone()),
            Ty::Bytes => (Builtin::ByteAt, Ty::Int, Ty::Int),
            Ty::Error | Ty::Never => {
                self.check_value(index);
                return self.error_expr(span);
            }
            other => {
                let shown = self.show(other);
                let diagnostic =
                    type_errors::cannot_index(self.file, span, &shown, *other == Ty::String);
                self.report(diagnostic);
                self.check_value(index);
                return self.error_expr(span);
            }
        };
        let index = self.check_as(index, &index_ty);
        self.builtin(builtin, vec![base, index], result, span)
    }

    // ---- other contracts -----------------------------------------------------------------

    fn cross_call(
        &mut self,
        target: ModuleId,
        contract: &Ident,
        address: &[ast::Expr],
        method: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let address_expr = match address {
            [one] => self.check_as(one, &Ty::Address),
            _ => {
                let diagnostic = type_errors::interface_address_count(
                    self.file,
                    contract.span,
                    &contract.name,
                    address.len(),
                );
                self.report(diagnostic);
                self.check_args_loosely(address);
                self.error_expr(span)
            }
        };
        let entry = self
            .program
            .module(target)
            .and_then(|m| m.decls.get(&method.name).copied());
        let id = match entry {
            Some(Decl::Function(id))
                if self.program.function(id).is_some_and(|f| {
                    !matches!(f.kind, FunctionKind::Fn | FunctionKind::Property)
                }) =>
            {
                id
            }
            other => {
                let entries: Vec<String> = self.program.module(target).map_or(Vec::new(), |m| {
                    m.functions
                        .iter()
                        .filter_map(|id| self.program.function(*id))
                        .filter(|f| {
                            !matches!(
                                f.kind,
                                FunctionKind::Fn | FunctionKind::Init | FunctionKind::Property
                            )
                        })
                        .map(|f| f.name.clone())
                        .collect()
                });
                let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
                let close = suggest(&method.name, entries.iter().copied());
                let diagnostic = name_errors::unknown_entry_point(
                    self.file,
                    method.span,
                    &contract.name,
                    &method.name,
                    matches!(other, Some(Decl::Function(_))),
                    &entries,
                    close,
                );
                self.report(diagnostic);
                self.check_args_loosely(args);
                return self.error_expr(span);
            }
        };
        let Some(info) = self.program.function(id) else {
            return self.error_expr(span);
        };
        let (kind, ret, file, decl_span) = (info.kind, info.ret.clone(), info.file, info.name_span);
        let params: Vec<(String, Ty)> = info
            .params
            .iter()
            .map(|p| (p.name.clone(), p.ty.clone()))
            .collect();
        if kind == FunctionKind::Action && !self.may_write() {
            let role = self.role_phrase();
            let diagnostic = effect_errors::cross_action_from_read_only(
                self.file,
                method.span,
                &role,
                &method.name,
                &contract.name,
                (file, decl_span),
            );
            self.report(diagnostic);
        }
        let what = format!("`{}.{}`", contract.name, method.name);
        let args = self.check_args(&what, &params, args, span, Some((file, decl_span)));
        let (interface, entry) = self.intern_interface(target, id);
        if address_expr.ty.has_error() || args.iter().any(|a| a.ty.has_error()) {
            return self.error_expr(span);
        }
        self.expr(
            ExprKind::CrossCall {
                interface,
                entry,
                address: Box::new(address_expr),
                args,
            },
            ret,
            span,
        )
    }

    /// The interface of `target` in this module's table, and the index of entry `id` in it.
    fn intern_interface(&mut self, target: ModuleId, id: FunctionId) -> (InterfaceId, u32) {
        let contract = self
            .program
            .module(target)
            .and_then(|m| m.contract.as_ref().map(|c| c.name.clone()))
            .unwrap_or_default();
        let target_name = self
            .program
            .module(target)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let entry = self.program.function(id).map(|f| typed::InterfaceEntry {
            name: f.name.clone(),
            kind: f.kind,
            params: f
                .params
                .iter()
                .map(|p| typed::Param {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                })
                .collect(),
            ret: f.ret.clone(),
        });
        let module = self.module;
        let Some(m) = self.program.modules.get_mut(module) else {
            return (InterfaceId(0), 0);
        };
        let index = match m.interface_modules.iter().position(|t| *t == target) {
            Some(index) => index,
            None => {
                m.interface_modules.push(target);
                m.interfaces.push(typed::Interface {
                    contract,
                    module: target_name,
                    entries: Vec::new(),
                });
                m.interfaces.len() - 1
            }
        };
        let Some(interface) = m.interfaces.get_mut(index) else {
            return (InterfaceId(0), 0);
        };
        let entry_index = match entry {
            Some(entry) => match interface.entries.iter().position(|e| e.name == entry.name) {
                Some(i) => i,
                None => {
                    interface.entries.push(entry);
                    interface.entries.len() - 1
                }
            },
            None => 0,
        };
        (
            InterfaceId(u32::try_from(index).unwrap_or(0)),
            u32::try_from(entry_index).unwrap_or(0),
        )
    }
}

fn name_of(e: &ast::Expr) -> String {
    match &e.kind {
        ast::ExprKind::Name(name) => name.name.clone(),
        ast::ExprKind::Paren(inner) => name_of(inner),
        _ => String::new(),
    }
}
