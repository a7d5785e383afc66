//! Expressions: names, literals, fields, constructors, `if`.

use assent_stdlib::value::Value;

use super::body::{Cx, Expect};
use super::program::{Decl, ScopeEntry, suggest};
use crate::diagnostics::Code;
use crate::span::Span;
use crate::syntax::ast::{self, ContextVar, Else, FieldInit, Ident};
use crate::typed::{BinaryOp, Block, EnumId, Expr, ExprKind, FieldDef, RecordId, Ty};

/// Names of the built-in functions.
pub(super) const BUILTIN_FUNCTIONS: &[&str] = &[
    "len",
    "min",
    "max",
    "abs",
    "sha3",
    "recover",
    "seconds",
    "to_string",
];

/// The innermost non-option type: the hint for `[]`, `none` and bare variants.
pub(super) fn strip_options(ty: &Ty) -> &Ty {
    match ty {
        Ty::Option(inner) => strip_options(inner),
        other => other,
    }
}

pub(super) fn literal(lit: &ast::Literal) -> (Value, Ty) {
    match lit {
        ast::Literal::Bool(b) => (Value::Bool(*b), Ty::Bool),
        ast::Literal::Int(n) => (Value::Int(*n), Ty::Int),
        ast::Literal::Money(c) => (Value::Money(*c), Ty::Money),
        ast::Literal::Percent(bp) => (Value::Percent(*bp), Ty::Percent),
        ast::Literal::Duration { seconds, .. } => (Value::Duration(*seconds), Ty::Duration),
        ast::Literal::Time { seconds, .. } => (Value::Time(*seconds), Ty::Time),
        ast::Literal::Address(a) => (Value::Address(*a), Ty::Address),
        ast::Literal::Hash(h) => (Value::Hash(*h), Ty::Hash),
        ast::Literal::Bytes(b) => (Value::Bytes(b.clone()), Ty::Bytes),
        ast::Literal::String(s) => (Value::String(s.clone()), Ty::String),
    }
}

impl Cx<'_> {
    /// Checks an expression against what the context expects. The result may still need
    /// [`Cx::coerce`] to the expected type.
    pub fn check_expr(&mut self, e: &ast::Expr, expect: Expect<'_>) -> Expr {
        let checked = if self.enter(e.span) {
            crate::stack::guarded(|| self.check_expr_kind(e, expect))
        } else {
            self.error_expr(e.span)
        };
        self.leave();
        checked
    }

    fn check_expr_kind(&mut self, e: &ast::Expr, expect: Expect<'_>) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Literal(lit) => {
                let (value, ty) = literal(lit);
                self.expr(ExprKind::Literal(value), ty, span)
            }
            ast::ExprKind::Name(name) => self.check_name(name, expect),
            ast::ExprKind::Context(var) => {
                let ty = match var {
                    ContextVar::Caller | ContextVar::Origin | ContextVar::SelfAddress => {
                        Ty::Address
                    }
                    ContextVar::Now => Ty::Time,
                    ContextVar::Block => Ty::Int,
                };
                self.expr(ExprKind::Context(*var), ty, span)
            }
            ast::ExprKind::None => self.check_none(span, expect),
            ast::ExprKind::Some(inner) => match expect.ty() {
                Some(Ty::Option(inner_ty)) => {
                    let inner_ty = (**inner_ty).clone();
                    let value = self.check_as(inner, &inner_ty);
                    self.expr(
                        ExprKind::Some(Box::new(value)),
                        Ty::Option(Box::new(inner_ty)),
                        span,
                    )
                }
                _ => {
                    let value = self.check_value(inner);
                    let ty = Ty::Option(Box::new(value.ty.clone()));
                    self.expr(ExprKind::Some(Box::new(value)), ty, span)
                }
            },
            ast::ExprKind::Field { base, name } => self.check_field(e, base, name),
            ast::ExprKind::OptionalField { base, name } => self.check_optional_field(e, base, name),
            ast::ExprKind::Call { callee, args } => self.check_call(callee, args, span),
            ast::ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => self.check_method_call(receiver, method, args, span),
            ast::ExprKind::Index { base, index } => self.check_index(base, index, span),
            ast::ExprKind::Unary { op, operand } => self.check_unary(*op, operand, span),
            ast::ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.check_binary(*op, *op_span, lhs, rhs, span),
            ast::ExprKind::Tuple(items) => {
                let expected: Option<Vec<Ty>> = match expect.ty().map(strip_options) {
                    Some(Ty::Tuple(types)) if types.len() == items.len() => Some(types.clone()),
                    _ => None,
                };
                let checked: Vec<Expr> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| match expected.as_ref().and_then(|t| t.get(i)) {
                        Some(ty) => self.check_as(item, ty),
                        None => self.check_value(item),
                    })
                    .collect();
                let ty = Ty::Tuple(checked.iter().map(|c| c.ty.clone()).collect());
                self.expr(ExprKind::Tuple(checked), ty, span)
            }
            ast::ExprKind::Interpolated(parts) => self.check_interpolated(parts, span),
            ast::ExprKind::Paren(inner) => self.check_expr(inner, expect),
            ast::ExprKind::List(items) => self.check_list(items, span, expect),
            ast::ExprKind::MapLit(entries) => self.check_map_literal(entries, span, expect),
            ast::ExprKind::Record { name, fields, base } => {
                self.check_record(name, fields, base.as_deref(), span)
            }
            ast::ExprKind::If {
                cond,
                then,
                otherwise,
            } => self.check_if(cond, then, otherwise.as_ref(), span, expect),
            ast::ExprKind::IfLet {
                pattern,
                value,
                then,
                otherwise,
            } => self.check_if_let(pattern, value, then, otherwise.as_ref(), span, expect),
            ast::ExprKind::Match { scrutinee, arms } => {
                self.check_match(scrutinee, arms, span, expect)
            }
        }
    }

    /// `"a {x} b"`: the parts joined with `+`, each `{x}` as `to_string(x)`.
    fn check_interpolated(&mut self, parts: &[ast::StringPart], span: Span) -> Expr {
        let mut joined: Option<Expr> = None;
        let mut failed = false;
        for part in parts {
            let text = match part {
                ast::StringPart::Text(text) => self.expr(
                    ExprKind::Literal(Value::String(text.clone())),
                    Ty::String,
                    span,
                ),
                ast::StringPart::Expr(e) => {
                    let value = self.check_value(e);
                    failed |= value.ty.has_error();
                    let part_span = e.span;
                    self.to_string_of(value, part_span)
                }
            };
            joined = Some(match joined {
                None => text,
                Some(left) => self.expr(
                    ExprKind::Binary {
                        op: BinaryOp::StringConcat,
                        lhs: Box::new(left),
                        rhs: Box::new(text),
                    },
                    Ty::String,
                    span,
                ),
            });
        }
        match joined {
            Some(joined) if !failed => joined,
            _ => self.error_expr(span),
        }
    }

    // ---- names ----------------------------------------------------------------------------

    pub fn check_name(&mut self, name: &Ident, expect: Expect<'_>) -> Expr {
        let span = name.span;
        if let Some(binding) = self.lookup_local(&name.name) {
            return self.binding_expr(binding, span);
        }
        // A bare variant where an enum is expected (an extension the spec allows).
        if let Some(Ty::Enum(id)) = expect.ty().map(strip_options)
            && let Some(variant) = self.variant_expr(*id, &name.name, span)
        {
            return variant;
        }
        match self.p.lookup(self.module, &name.name).cloned() {
            Some(ScopeEntry::One(decl)) => self.decl_value(decl, name),
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.p.report_ambiguous(self.file, span, &name.name, &decls);
                self.error_expr(span)
            }
            None => {
                if BUILTIN_FUNCTIONS.contains(&name.name.as_str()) {
                    let diagnostic = self
                        .diag(
                            Code::TypeMismatch,
                            span,
                            format!("`{}` is a built-in function, not a value", name.name),
                        )
                        .with_label("expected a value")
                        .with_help(format!("call it: `{}(…)`", name.name));
                    self.report(diagnostic);
                } else {
                    self.report_unknown_name(name);
                }
                self.error_expr(span)
            }
        }
    }

    pub fn report_unknown_name(&mut self, name: &Ident) {
        let mut candidates = self.visible_names();
        candidates.extend(BUILTIN_FUNCTIONS.iter().map(|s| s.to_string()));
        let mut diagnostic = self
            .diag(
                Code::UnknownName,
                name.span,
                format!("unknown name `{}`", name.name),
            )
            .with_label("not found in this scope");
        if let Some(close) = suggest(&name.name, candidates.iter().map(String::as_str)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
            // The misspelt use was meant for that local: "never read" on top would be noise.
            if let Some(binding) = self.lookup_local(close) {
                self.mark_read(binding);
            }
        } else if let Some(hint) = self.variant_elsewhere(&name.name) {
            diagnostic = diagnostic.with_help(hint);
        }
        self.report(diagnostic);
    }

    /// "write `E.V`" when `name` is a variant of an enum in scope.
    fn variant_elsewhere(&self, name: &str) -> Option<String> {
        let module = self.p.module(self.module)?;
        module
            .scope
            .iter()
            .find_map(|(enum_name, entry)| match entry {
                ScopeEntry::One(Decl::Enum(id)) => self
                    .p
                    .enum_info(*id)?
                    .def
                    .variants
                    .iter()
                    .any(|v| v.name == name)
                    .then(|| {
                        format!(
                            "`{name}` is a variant of `{enum_name}`: write `{enum_name}.{name}`"
                        )
                    }),
                _ => None,
            })
    }

    /// A declaration used as a value.
    fn decl_value(&mut self, decl: Decl, name: &Ident) -> Expr {
        let span = name.span;
        match decl {
            Decl::Const(id) => {
                let ty = self
                    .p
                    .consts
                    .get(id.index())
                    .map_or(Ty::Error, |c| c.ty.clone());
                self.expr(ExprKind::Const(id), ty, span)
            }
            Decl::State(module, id) => {
                let Some(state) = self.p.state(module, id) else {
                    return self.error_expr(span);
                };
                if state.persistent {
                    let ty = self.show(&state.ty);
                    let diagnostic = self
                        .diag(
                            Code::PersistentAsValue,
                            span,
                            format!(
                                "persistent `{ty}` state `{}` cannot be used as a value",
                                name.name
                            ),
                        )
                        .with_label(
                            "one ledger entry per element: it cannot be copied, passed or returned",
                        )
                        .with_help(persistent_help(&state.ty));
                    self.report(diagnostic);
                    return self.error_expr(span);
                }
                let ty = state.ty.clone();
                self.expr(ExprKind::State(id), ty, span)
            }
            other => {
                let kind = self.p.decl_kind(other);
                let mut diagnostic = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        format!("expected a value, found {kind} `{}`", name.name),
                    )
                    .with_label(format!("`{}` is a {kind}", name.name));
                diagnostic = match other {
                    Decl::Function(_) => {
                        diagnostic.with_help(format!("call it: `{}(…)`", name.name))
                    }
                    Decl::Record(_) => diagnostic.with_help(format!(
                        "construct a value: `{} {{ field: value, … }}`",
                        name.name
                    )),
                    Decl::Enum(_) => {
                        diagnostic.with_help(format!("name a variant: `{}.Variant`", name.name))
                    }
                    Decl::Interface(_) => diagnostic.with_help(format!(
                        "call one of its entry points: `{}(address).entry(…)`",
                        name.name
                    )),
                    _ => diagnostic,
                };
                self.report(diagnostic);
                self.error_expr(span)
            }
        }
    }

    /// The variant `name` of enum `id`, if it has one.
    pub fn variant_expr(&self, id: EnumId, name: &str, span: Span) -> Option<Expr> {
        let info = self.p.enum_info(id)?;
        let ordinal = info.def.variants.iter().position(|v| v.name == name)?;
        let end = info.def.variants.get(ordinal)?.end;
        let ordinal = u32::try_from(ordinal).ok()?;
        Some(self.expr(
            ExprKind::Variant {
                enum_id: id,
                ordinal,
                end,
            },
            Ty::Enum(id),
            span,
        ))
    }

    /// `E.V` or `E.A.B` when the chain starts with an enum in scope (and not a local);
    /// `None` when the expression is not such a path.
    pub fn check_variant_path(&mut self, segments: &[&Ident], span: Span) -> Option<Expr> {
        let (first, rest) = segments.split_first()?;
        if rest.is_empty() || self.lookup_local(&first.name).is_some() {
            return None;
        }
        let id = match self.p.lookup(self.module, &first.name)? {
            ScopeEntry::One(Decl::Enum(id)) => *id,
            ScopeEntry::Ambiguous(decls) if decls.iter().all(|d| matches!(d, Decl::Enum(_))) => {
                let decls = decls.clone();
                self.p
                    .report_ambiguous(self.file, first.span, &first.name, &decls);
                return Some(self.error_expr(span));
            }
            _ => return None,
        };
        let mut parent: Option<(u32, u32, String)> = None;
        let mut result = None;
        for segment in rest {
            let Some(variant) = self.variant_expr(id, &segment.name, span) else {
                self.report_unknown_variant(id, segment, parent.as_ref().map(|p| p.2.as_str()));
                return Some(self.error_expr(span));
            };
            let ExprKind::Variant { ordinal, end, .. } = variant.kind else {
                return Some(self.error_expr(span));
            };
            if let Some((parent_ordinal, parent_end, parent_name)) = &parent
                && !(*parent_ordinal < ordinal && ordinal < *parent_end)
            {
                let enum_name = self.show(&Ty::Enum(id));
                let diagnostic = self
                    .diag(
                        Code::UnknownVariant,
                        segment.span,
                        format!(
                            "`{}` is not a variant under `{enum_name}.{parent_name}`",
                            segment.name
                        ),
                    )
                    .with_label("not nested here")
                    .with_help(format!("write `{enum_name}.{}`", segment.name));
                self.report(diagnostic);
                return Some(self.error_expr(span));
            }
            parent = Some((ordinal, end, segment.name.clone()));
            result = Some(variant);
        }
        result
    }

    pub fn report_unknown_variant(&mut self, id: EnumId, name: &Ident, under: Option<&str>) {
        let Some(info) = self.p.enum_info(id) else {
            return;
        };
        let enum_name = info.def.name.clone();
        let close = suggest(
            &name.name,
            info.def.variants.iter().map(|v| v.name.as_str()),
        )
        .map(str::to_string);
        let (file, decl_span) = (info.file, info.span);
        let place = under.map_or(enum_name.clone(), |u| format!("{enum_name}.{u}"));
        let mut diagnostic = self
            .diag(
                Code::UnknownVariant,
                name.span,
                format!("no variant `{}` in enum `{place}`", name.name),
            )
            .with_label(format!("`{enum_name}` has no such variant"))
            .with_secondary(file, decl_span, format!("`{enum_name}` is declared here"));
        if let Some(close) = close {
            diagnostic = diagnostic.with_help(format!("did you mean `{enum_name}.{close}`?"));
        }
        self.report(diagnostic);
    }

    fn check_none(&mut self, span: Span, expect: Expect<'_>) -> Expr {
        match expect.ty() {
            Some(ty @ Ty::Option(_)) => self.expr(ExprKind::None, ty.clone(), span),
            Some(Ty::Error) => self.error_expr(span),
            Some(other) => {
                let expected = self.show(other);
                let diagnostic = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        format!("mismatched types: expected `{expected}`, found `none`"),
                    )
                    .with_label(format!("`{expected}` is not an option"))
                    .with_note(format!(
                        "only an option type such as `{expected}?` has `none`"
                    ));
                self.report(diagnostic);
                self.error_expr(span)
            }
            None => {
                let diagnostic = self
                    .diag(
                        Code::CannotInferType,
                        span,
                        "the type of this `none` cannot be known here",
                    )
                    .with_label("`none` of which option type?")
                    .with_help("give the binding a type: `let x: Int? = none;`");
                self.report(diagnostic);
                self.error_expr(span)
            }
        }
    }

    // ---- fields --------------------------------------------------------------------------

    fn check_field(&mut self, e: &ast::Expr, base: &ast::Expr, name: &Ident) -> Expr {
        if let Some(segments) = path_segments(e)
            && let Some(variant) = self.check_variant_path(&segments, e.span)
        {
            return variant;
        }
        let base = self.check_value(base);
        let span = name.span;
        let ty = base.ty.clone();
        let field = match &ty {
            Ty::Error | Ty::Never => return self.error_expr(e.span),
            Ty::Record(id) => self.record_field(*id, &name.name),
            Ty::Decision => match name.name.as_str() {
                "permitted" => Some((0, Ty::Bool)),
                "rule" => Some((1, Ty::String)),
                _ => None,
            },
            Ty::Tuple(items) if name.name.starts_with(|c: char| c.is_ascii_digit()) => {
                let position = name.name.parse::<u32>().ok();
                match position.and_then(|p| Some((p, items.get(p as usize)?.clone()))) {
                    Some(found) => Some(found),
                    None => {
                        self.report_tuple_position(&ty, items.len(), name);
                        return self.error_expr(e.span);
                    }
                }
            }
            _ => None,
        };
        match field {
            Some((index, field_ty)) => self.expr(
                ExprKind::Field {
                    base: Box::new(base),
                    index,
                },
                field_ty,
                e.span,
            ),
            None => {
                match &ty {
                    Ty::Option(inner) if self.has_field(inner, &name.name) => {
                        self.report_field_of_option(base.loc.span, &ty, name);
                    }
                    _ => self.report_unknown_field(&ty, name, span),
                }
                self.error_expr(e.span)
            }
        }
    }

    /// The field `name` of a record or Decision: its index and type.
    fn field_of(&self, ty: &Ty, name: &str) -> Option<(u32, Ty)> {
        match ty {
            Ty::Record(id) => self.record_field(*id, name),
            Ty::Decision => match name {
                "permitted" => Some((0, Ty::Bool)),
                "rule" => Some((1, Ty::String)),
                _ => None,
            },
            _ => None,
        }
    }

    fn has_field(&self, ty: &Ty, name: &str) -> bool {
        self.field_of(ty, name).is_some()
    }

    /// `o.f` where `o` is an option of a record with a field `f`: the ways to read it.
    fn report_field_of_option(&mut self, base: Span, option: &Ty, name: &Ident) {
        let shown = self.show(option);
        let written = self
            .source_text(base)
            .filter(|text| text.len() <= 40 && !text.contains('\n'))
            .unwrap_or_else(|| "o".to_string());
        let field_ty = match option {
            Ty::Option(inner) => self.field_of(inner, &name.name).map(|(_, ty)| ty),
            _ => None,
        };
        let as_option = match field_ty {
            Some(ty @ Ty::Option(_)) => self.show(&ty),
            Some(ty) => format!("{}?", self.show(&ty)),
            None => "an option".to_string(),
        };
        let field = &name.name;
        let diagnostic = self
            .diag(
                Code::UnknownField,
                name.span,
                format!("`{written}` is an option (`{shown}`), so it has no field `{field}`"),
            )
            .with_label("it may be `none`")
            .with_help(format!(
                "write `{written}?.{field}` for the field as an option (`{as_option}`), \
                 `{written}?.{field} ?? default` for a value, or \
                 `match {written} {{ some(x) => … x.{field} …, none => … }}`"
            ));
        self.report(diagnostic);
    }

    /// The source text of `span` in the file being checked.
    pub fn source_text(&self, span: Span) -> Option<String> {
        self.p
            .sources
            .get(self.file)
            .and_then(|f| f.text.get(span.range()))
            .map(str::to_string)
    }

    /// `base?.name`: the field of the record inside an option, as an option (a field that
    /// is an option already is not wrapped again, so `o?.a?.b` is one option deep).
    fn check_optional_field(&mut self, e: &ast::Expr, base: &ast::Expr, name: &Ident) -> Expr {
        let base = self.check_value(base);
        let record = match &base.ty {
            Ty::Error | Ty::Never => return self.error_expr(e.span),
            Ty::Option(inner) => (**inner).clone(),
            other => {
                let shown = self.show(other);
                let written = self
                    .source_text(base.loc.span)
                    .filter(|text| text.len() <= 40 && !text.contains('\n'));
                let mut diagnostic = self
                    .diag(
                        Code::TypeMismatch,
                        base.loc.span,
                        format!("`?.` needs an option, found `{shown}`"),
                    )
                    .with_label(format!("a `{shown}`, never `none`"));
                if let Some(written) = written {
                    diagnostic = diagnostic.with_help(format!(
                        "read the field with `.`: `{written}.{}`",
                        name.name
                    ));
                }
                self.report(diagnostic);
                return self.error_expr(e.span);
            }
        };
        let Some((index, field)) = self.field_of(&record, &name.name) else {
            if !record.has_error() {
                self.report_unknown_field(&record, name, name.span);
            }
            return self.error_expr(e.span);
        };
        let ty = match field {
            Ty::Option(_) => field,
            other => Ty::Option(Box::new(other)),
        };
        self.expr(
            ExprKind::OptionalField {
                base: Box::new(base),
                index,
            },
            ty,
            e.span,
        )
    }

    pub fn record_field(&self, id: RecordId, name: &str) -> Option<(u32, Ty)> {
        let info = self.p.record_info(id)?;
        let index = info.def.fields.iter().position(|f| f.name == name)?;
        let ty = info.def.fields.get(index)?.ty.clone();
        Some((u32::try_from(index).ok()?, ty))
    }

    /// `t.5` on a pair.
    fn report_tuple_position(&mut self, ty: &Ty, len: usize, name: &Ident) {
        let shown = self.show(ty);
        let last = len.saturating_sub(1);
        let diagnostic = self
            .diag(
                Code::UnknownField,
                name.span,
                format!("`{shown}` has no element `{}`", name.name),
            )
            .with_label(format!("a tuple of {len} elements"))
            .with_note(format!("its elements are `.0` to `.{last}`"));
        self.report(diagnostic);
    }

    pub fn report_unknown_field(&mut self, ty: &Ty, name: &Ident, span: Span) {
        let shown = self.show(ty);
        let fields: Vec<String> = match ty {
            Ty::Record(id) => self.p.record_info(*id).map_or(Vec::new(), |r| {
                r.def.fields.iter().map(|f| f.name.clone()).collect()
            }),
            Ty::Decision => vec!["permitted".into(), "rule".into()],
            _ => Vec::new(),
        };
        let message = if fields.is_empty() {
            format!("`{shown}` has no fields")
        } else {
            format!("no field `{}` on type `{shown}`", name.name)
        };
        let mut diagnostic = self
            .diag(Code::UnknownField, span, message)
            .with_label("unknown field");
        if let Some(close) = suggest(&name.name, fields.iter().map(String::as_str)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        } else if !fields.is_empty() {
            let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            diagnostic = diagnostic.with_note(format!(
                "`{shown}` has the fields {}",
                super::program::join_words(&list)
            ));
        } else if name.name.starts_with(|c: char| c.is_ascii_digit()) {
            diagnostic = diagnostic.with_note(format!(
                "`.{}` reads an element of a tuple, and `{shown}` is not one",
                name.name
            ));
        } else if matches!(
            name.name.as_str(),
            "len" | "bytes" | "get" | "contains" | "seconds" | "day"
        ) {
            diagnostic =
                diagnostic.with_help(format!("`{}` is a method: call it with `()`", name.name));
        } else if let Ty::Enum(_) = ty {
            diagnostic = diagnostic.with_help(format!(
                "to test a variant, compare it (`x == {shown}.V`) or use `in`"
            ));
        }
        self.report(diagnostic);
    }

    // ---- collections and records ----------------------------------------------------------

    fn check_list(&mut self, items: &[ast::Expr], span: Span, expect: Expect<'_>) -> Expr {
        let hint = expect.ty().map(strip_options).cloned();
        match hint {
            Some(Ty::Set(element)) => {
                let checked: Vec<Expr> = items.iter().map(|i| self.check_as(i, &element)).collect();
                return self.expr(ExprKind::Set(checked), Ty::Set(element), span);
            }
            Some(Ty::List(element)) => {
                let checked: Vec<Expr> = items.iter().map(|i| self.check_as(i, &element)).collect();
                return self.expr(ExprKind::List(checked), Ty::List(element), span);
            }
            Some(Ty::Map(..)) if items.is_empty() => {
                let diagnostic = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        "`[]` is an empty list, but a map is expected",
                    )
                    .with_label("expected a map")
                    .with_help("write `[:]` for an empty map");
                self.report(diagnostic);
                return self.error_expr(span);
            }
            _ => {}
        }
        let Some((first, rest)) = items.split_first() else {
            let diagnostic = self
                .diag(
                    Code::CannotInferType,
                    span,
                    "the element type of this empty list cannot be known here",
                )
                .with_label("a list of what?")
                .with_help("give the binding a type: `let xs: List<Int> = [];`");
            self.report(diagnostic);
            return self.error_expr(span);
        };
        let first = self.check_value(first);
        let element = first.ty.clone();
        let mut checked = vec![first];
        checked.extend(rest.iter().map(|i| self.check_as(i, &element)));
        self.expr(ExprKind::List(checked), Ty::List(Box::new(element)), span)
    }

    fn check_map_literal(
        &mut self,
        entries: &[(ast::Expr, ast::Expr)],
        span: Span,
        expect: Expect<'_>,
    ) -> Expr {
        let hint = expect.ty().map(strip_options).cloned();
        let (key, value) = match hint {
            Some(Ty::Map(k, v)) => (*k, *v),
            _ => {
                let Some((k, v)) = entries.first() else {
                    let diagnostic = self
                        .diag(
                            Code::CannotInferType,
                            span,
                            "the types of this empty map cannot be known here",
                        )
                        .with_label("a map from what to what?")
                        .with_help("give the binding a type: `let m: Map<String, Int> = [:];`");
                    self.report(diagnostic);
                    return self.error_expr(span);
                };
                let k = self.check_value(k);
                let v = self.check_value(v);
                let (kt, vt) = (k.ty.clone(), v.ty.clone());
                let mut checked = vec![(k, v)];
                for (k, v) in entries.iter().skip(1) {
                    let k = self.check_as(k, &kt);
                    let v = self.check_as(v, &vt);
                    checked.push((k, v));
                }
                self.check_map_key_type(&kt, span);
                return self.expr(
                    ExprKind::Map(checked),
                    Ty::Map(Box::new(kt), Box::new(vt)),
                    span,
                );
            }
        };
        let checked: Vec<(Expr, Expr)> = entries
            .iter()
            .map(|(k, v)| (self.check_as(k, &key), self.check_as(v, &value)))
            .collect();
        self.expr(
            ExprKind::Map(checked),
            Ty::Map(Box::new(key), Box::new(value)),
            span,
        )
    }

    fn check_map_key_type(&mut self, key: &Ty, span: Span) {
        if matches!(key, Ty::Map(..)) {
            let diagnostic = self
                .diag(Code::MapAsKey, span, "a `Map` cannot be a map key")
                .with_label("the keys of this map are maps")
                .with_note("map keys and set elements may be any type except `Map`");
            self.report(diagnostic);
        }
    }

    fn check_record(
        &mut self,
        name: &Ident,
        fields: &[FieldInit],
        base: Option<&ast::Expr>,
        span: Span,
    ) -> Expr {
        let id = match self.p.lookup(self.module, &name.name).cloned() {
            Some(ScopeEntry::One(Decl::Record(id))) => Some(id),
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.p
                    .report_ambiguous(self.file, name.span, &name.name, &decls);
                None
            }
            Some(ScopeEntry::One(Decl::Event(_))) => {
                let diagnostic = self
                    .diag(
                        Code::UnknownType,
                        name.span,
                        format!("`{}` is an event, not a record", name.name),
                    )
                    .with_label("events are emitted, not constructed")
                    .with_help(format!("emit it: `emit {} {{ … }};`", name.name));
                self.report(diagnostic);
                None
            }
            other => {
                let records: Vec<String> = self.p.module(self.module).map_or(Vec::new(), |m| {
                    m.scope
                        .iter()
                        .filter(|(_, e)| matches!(e, ScopeEntry::One(Decl::Record(_))))
                        .map(|(n, _)| n.clone())
                        .collect()
                });
                let message = match other {
                    Some(ScopeEntry::One(decl)) => format!(
                        "`{}` is a {}, not a record",
                        name.name,
                        self.p.decl_kind(decl)
                    ),
                    _ => format!("unknown record `{}`", name.name),
                };
                let mut diagnostic = self
                    .diag(Code::UnknownType, name.span, message)
                    .with_label("not a record type");
                if let Some(close) = suggest(&name.name, records.iter().map(String::as_str)) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                }
                self.report(diagnostic);
                None
            }
        };
        let Some(id) = id else {
            for field in fields {
                self.check_value(&field.value);
            }
            if let Some(base) = base {
                self.check_value(base);
            }
            return self.error_expr(span);
        };
        let record_ty = Ty::Record(id);
        let base = base.map(|b| self.check_as(b, &record_ty));
        let defs: Vec<FieldDef> = self
            .p
            .record_info(id)
            .map_or(Vec::new(), |r| r.def.fields.clone());
        let given = self.match_fields(
            &name.name,
            name.span,
            &defs,
            fields,
            base.is_none(),
            "record",
        );
        match base {
            Some(base) => {
                let updates: Vec<(u32, Expr)> = given
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, e)| Some((u32::try_from(i).ok()?, e?)))
                    .collect();
                self.expr(
                    ExprKind::RecordUpdate {
                        base: Box::new(base),
                        fields: updates,
                    },
                    record_ty,
                    span,
                )
            }
            None => {
                let values: Vec<Expr> = given
                    .into_iter()
                    .map(|e| e.unwrap_or_else(|| self.error_expr(span)))
                    .collect();
                self.expr(
                    ExprKind::Record {
                        record: id,
                        fields: values,
                    },
                    record_ty,
                    span,
                )
            }
        }
    }

    /// Matches `name: value` initialisers to declared fields (records and events): each
    /// value is checked against its field's type. The result is in declaration order.
    pub fn match_fields(
        &mut self,
        owner: &str,
        owner_span: Span,
        defs: &[FieldDef],
        inits: &[FieldInit],
        all_required: bool,
        what: &str,
    ) -> Vec<Option<Expr>> {
        let mut out: Vec<Option<Expr>> = vec![None; defs.len()];
        let mut first_spans: Vec<Option<Span>> = vec![None; defs.len()];
        for init in inits {
            let Some(index) = defs.iter().position(|f| f.name == init.name.name) else {
                let mut diagnostic = self
                    .diag(
                        Code::UnknownField,
                        init.name.span,
                        format!("{what} `{owner}` has no field `{}`", init.name.name),
                    )
                    .with_label("unknown field");
                if let Some(close) = suggest(&init.name.name, defs.iter().map(|f| f.name.as_str()))
                {
                    diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                } else if !defs.is_empty() {
                    let list: Vec<String> = defs.iter().map(|f| format!("`{}`", f.name)).collect();
                    diagnostic = diagnostic.with_note(format!(
                        "`{owner}` has the fields {}",
                        super::program::join_words(&list)
                    ));
                }
                self.report(diagnostic);
                self.check_value(&init.value);
                continue;
            };
            let ty = defs.get(index).map_or(Ty::Error, |f| f.ty.clone());
            let value = self.check_as(&init.value, &ty);
            match first_spans.get(index).copied().flatten() {
                Some(first) => {
                    let diagnostic = self
                        .diag(
                            Code::DuplicateField,
                            init.name.span,
                            format!("field `{}` is given twice", init.name.name),
                        )
                        .with_label("given again here")
                        .with_secondary(self.file, first, "first given here");
                    self.report(diagnostic);
                }
                None => {
                    if let Some(slot) = first_spans.get_mut(index) {
                        *slot = Some(init.name.span);
                    }
                    if let Some(slot) = out.get_mut(index) {
                        *slot = Some(value);
                    }
                }
            }
        }
        if all_required {
            let missing: Vec<String> = defs
                .iter()
                .zip(&out)
                .filter(|(_, v)| v.is_none())
                .map(|(f, _)| format!("`{}`", f.name))
                .collect();
            if !missing.is_empty() {
                let plural = if missing.len() == 1 {
                    "field"
                } else {
                    "fields"
                };
                let list = super::program::join_words(&missing);
                let diagnostic = self
                    .diag(
                        Code::MissingField,
                        owner_span,
                        format!("missing {plural} {list} in {what} `{owner}`"),
                    )
                    .with_label(format!("missing {list}"))
                    .with_note(format!("every field of a {what} must be given"));
                let diagnostic = if what == "record" {
                    diagnostic.with_help(format!(
                        "give every field, or copy the rest from another value: `{owner} {{ ..other, … }}`"
                    ))
                } else {
                    diagnostic
                };
                self.report(diagnostic);
            }
        }
        out
    }

    // ---- if ------------------------------------------------------------------------------

    fn check_if(
        &mut self,
        cond: &ast::Expr,
        then: &ast::Block,
        otherwise: Option<&Else>,
        span: Span,
        expect: Expect<'_>,
    ) -> Expr {
        let cond = self.check_condition(cond);
        let (then, otherwise, ty) = self.check_branches(then, otherwise, span, expect, |_| {});
        self.expr(
            ExprKind::If {
                cond: Box::new(cond),
                then: Box::new(then),
                otherwise: otherwise.map(Box::new),
            },
            ty,
            span,
        )
    }

    /// A `Bool` condition.
    pub fn check_condition(&mut self, cond: &ast::Expr) -> Expr {
        self.check_as(cond, &Ty::Bool)
    }

    fn check_if_let(
        &mut self,
        pattern: &ast::Pattern,
        value: &ast::Expr,
        then: &ast::Block,
        otherwise: Option<&Else>,
        span: Span,
        expect: Expect<'_>,
    ) -> Expr {
        let value = self.check_value(value);
        let value_ty = value.ty.clone();
        self.push_scope();
        let pattern = self.check_pattern(pattern, &value_ty);
        let (then, otherwise, ty) = self.check_branches(then, otherwise, span, expect, |cx| {
            // The pattern's bindings are visible in `then` only.
            cx.pop_scope();
        });
        self.expr(
            ExprKind::IfLet {
                pattern: Box::new(pattern),
                value: Box::new(value),
                then: Box::new(then),
                otherwise: otherwise.map(Box::new),
            },
            ty,
            span,
        )
    }

    /// The two branches of an `if`: `after_then` runs between them.
    fn check_branches(
        &mut self,
        then: &ast::Block,
        otherwise: Option<&Else>,
        span: Span,
        expect: Expect<'_>,
        after_then: impl FnOnce(&mut Self),
    ) -> (Block, Option<Block>, Ty) {
        let Some(otherwise) = otherwise else {
            if expect.wants_value() {
                let diagnostic = self
                    .diag(
                        Code::IfWithoutElse,
                        span,
                        "an `if` without `else` has no value",
                    )
                    .with_label("this `if` is used as a value but has no `else`")
                    .with_help("add an `else` branch with a value of the same type");
                self.report(diagnostic);
            }
            let then = self.check_block(then, Expect::Discard);
            after_then(self);
            let ty = if expect.wants_value() {
                Ty::Error
            } else {
                Ty::Unit
            };
            return (then, None, ty);
        };
        let then = self.check_block_as(then, expect);
        after_then(self);
        let else_ty;
        let else_expect = match expect {
            Expect::Value if !matches!(then.ty, Ty::Never | Ty::Unit | Ty::Error) => {
                else_ty = then.ty.clone();
                Expect::Type(&else_ty)
            }
            other => other,
        };
        let otherwise = match otherwise {
            Else::Block(block) => self.check_block_as(block, else_expect),
            Else::If(chained) => {
                let e = self.check_expr(chained, else_expect);
                let e = match else_expect {
                    Expect::Type(ty) => self.coerce(e, ty),
                    _ => e,
                };
                let ty = e.ty.clone();
                Block {
                    stmts: Vec::new(),
                    loc: e.loc,
                    tail: Some(Box::new(e)),
                    ty,
                }
            }
        };
        let ty = join(&then.ty, &otherwise.ty, expect);
        (then, Some(otherwise), ty)
    }
}

/// The type of two branches together.
pub(super) fn join(a: &Ty, b: &Ty, expect: Expect<'_>) -> Ty {
    match (a, b) {
        (Ty::Never, other) | (other, Ty::Never) => other.clone(),
        (Ty::Error, _) | (_, Ty::Error) => Ty::Error,
        (a, b) if a == b => a.clone(),
        _ => match expect {
            Expect::Type(ty) => ty.clone(),
            Expect::Discard => Ty::Unit,
            Expect::Value => Ty::Error,
        },
    }
}

/// `a.b.c` as its segments, when the expression is a chain of names.
pub(super) fn path_segments(e: &ast::Expr) -> Option<Vec<&Ident>> {
    let mut segments = Vec::new();
    let mut current = e;
    loop {
        match &current.kind {
            ast::ExprKind::Field { base, name } => {
                segments.push(name);
                current = base;
            }
            ast::ExprKind::Name(name) => {
                segments.push(name);
                segments.reverse();
                return Some(segments);
            }
            _ => return None,
        }
    }
}

fn persistent_help(ty: &Ty) -> String {
    match ty {
        Ty::Set(_) => "use its operations: `s.contains(x)`, `x in s`, `s.insert(x)`, `s.remove(x)`, `len(s)`".into(),
        _ => "use its operations: `m[k]`, `m.get(k)`, `m.contains(k)`, `k in m`, `m[k] = v`, `m.remove(k)`, `len(m)`".into(),
    }
}
