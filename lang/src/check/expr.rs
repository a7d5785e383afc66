//! Expressions: names, literals, fields, constructors, `if`.

use assent_stdlib::value::Value;

use super::body::{Cx, Expect};
use super::program::{Decl, ScopeEntry, suggest};
use crate::diagnostics::type_errors::NotValue;
use crate::diagnostics::{name_errors, type_errors};
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
            // A syntax error, reported by the parser: nothing more to say.
            ast::ExprKind::Error => self.error_expr(span),
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
        match self.program.lookup(self.module, &name.name).cloned() {
            Some(ScopeEntry::One(decl)) => self.decl_value(decl, name),
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.program
                    .report_ambiguous(self.file, span, &name.name, &decls);
                self.error_expr(span)
            }
            None => {
                if BUILTIN_FUNCTIONS.contains(&name.name.as_str()) {
                    let diagnostic = type_errors::builtin_not_value(self.file, span, &name.name);
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
        let close = suggest(&name.name, candidates.iter().map(String::as_str));
        let variant_of = match close {
            Some(close) => {
                // The misspelt use was meant for that local: "never read" on top would be noise.
                if let Some(binding) = self.lookup_local(close) {
                    self.mark_read(binding);
                }
                None
            }
            None => self.variant_elsewhere(&name.name),
        };
        let diagnostic = name_errors::unknown_name(
            self.file,
            name.span,
            &name.name,
            close,
            variant_of.as_deref(),
        );
        self.report(diagnostic);
    }

    /// The enum in scope that has a variant `name`, if any.
    fn variant_elsewhere(&self, name: &str) -> Option<String> {
        let module = self.program.module(self.module)?;
        module
            .scope
            .iter()
            .find_map(|(enum_name, entry)| match entry {
                ScopeEntry::One(Decl::Enum(id)) => self
                    .program
                    .enum_info(*id)?
                    .def
                    .variants
                    .iter()
                    .any(|v| v.name == name)
                    .then(|| enum_name.clone()),
                _ => None,
            })
    }

    /// A declaration used as a value.
    fn decl_value(&mut self, decl: Decl, name: &Ident) -> Expr {
        let span = name.span;
        match decl {
            Decl::Const(id) => {
                let ty = self
                    .program
                    .consts
                    .get(id.index())
                    .map_or(Ty::Error, |c| c.ty.clone());
                self.expr(ExprKind::Const(id), ty, span)
            }
            Decl::State(module, id) => {
                let Some(state) = self.program.state(module, id) else {
                    return self.error_expr(span);
                };
                if state.persistent {
                    let ty = self.show(&state.ty);
                    let diagnostic = type_errors::persistent_as_value(
                        self.file,
                        span,
                        &ty,
                        &name.name,
                        matches!(state.ty, Ty::Set(_)),
                    );
                    self.report(diagnostic);
                    return self.error_expr(span);
                }
                let ty = state.ty.clone();
                self.expr(ExprKind::State(id), ty, span)
            }
            other => {
                let kind = self.program.decl_kind(other);
                let what = match other {
                    Decl::Function(_) => NotValue::Function,
                    Decl::Record(_) => NotValue::Record,
                    Decl::Enum(_) => NotValue::Enum,
                    Decl::Interface(_) => NotValue::Interface,
                    _ => NotValue::Other,
                };
                let diagnostic =
                    type_errors::declaration_not_value(self.file, span, kind, &name.name, what);
                self.report(diagnostic);
                self.error_expr(span)
            }
        }
    }

    /// The variant `name` of enum `id`, if it has one.
    pub fn variant_expr(&self, id: EnumId, name: &str, span: Span) -> Option<Expr> {
        let info = self.program.enum_info(id)?;
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
        let id = match self.program.lookup(self.module, &first.name)? {
            ScopeEntry::One(Decl::Enum(id)) => *id,
            ScopeEntry::Ambiguous(decls) if decls.iter().all(|d| matches!(d, Decl::Enum(_))) => {
                let decls = decls.clone();
                self.program
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
                let diagnostic = name_errors::variant_not_nested(
                    self.file,
                    segment.span,
                    &segment.name,
                    &enum_name,
                    parent_name,
                );
                self.report(diagnostic);
                return Some(self.error_expr(span));
            }
            parent = Some((ordinal, end, segment.name.clone()));
            result = Some(variant);
        }
        result
    }

    pub fn report_unknown_variant(&mut self, id: EnumId, name: &Ident, under: Option<&str>) {
        let Some(info) = self.program.enum_info(id) else {
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
        let diagnostic = name_errors::unknown_variant(
            self.file,
            name.span,
            &name.name,
            &enum_name,
            &place,
            (file, decl_span),
            close.as_deref(),
        );
        self.report(diagnostic);
    }

    fn check_none(&mut self, span: Span, expect: Expect<'_>) -> Expr {
        match expect.ty() {
            Some(ty @ Ty::Option(_)) => self.expr(ExprKind::None, ty.clone(), span),
            Some(Ty::Error) => self.error_expr(span),
            Some(other) => {
                let expected = self.show(other);
                let diagnostic = type_errors::none_not_option(self.file, span, &expected);
                self.report(diagnostic);
                self.error_expr(span)
            }
            None => {
                let diagnostic = type_errors::untyped_none(self.file, span);
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
        let diagnostic =
            name_errors::field_of_option(self.file, name.span, &written, &shown, field, &as_option);
        self.report(diagnostic);
    }

    /// The source text of `span` in the file being checked.
    pub fn source_text(&self, span: Span) -> Option<String> {
        self.program
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
                let diagnostic = type_errors::optional_field_of_non_option(
                    self.file,
                    base.loc.span,
                    &shown,
                    written.as_deref(),
                    &name.name,
                );
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
        let info = self.program.record_info(id)?;
        let index = info.def.fields.iter().position(|f| f.name == name)?;
        let ty = info.def.fields.get(index)?.ty.clone();
        Some((u32::try_from(index).ok()?, ty))
    }

    /// `t.5` on a pair.
    fn report_tuple_position(&mut self, ty: &Ty, len: usize, name: &Ident) {
        let shown = self.show(ty);
        let diagnostic = name_errors::tuple_position(self.file, name.span, &shown, &name.name, len);
        self.report(diagnostic);
    }

    pub fn report_unknown_field(&mut self, ty: &Ty, name: &Ident, span: Span) {
        let shown = self.show(ty);
        let fields: Vec<String> = match ty {
            Ty::Record(id) => self.program.record_info(*id).map_or(Vec::new(), |r| {
                r.def.fields.iter().map(|f| f.name.clone()).collect()
            }),
            Ty::Decision => vec!["permitted".into(), "rule".into()],
            _ => Vec::new(),
        };
        let close = suggest(&name.name, fields.iter().map(String::as_str));
        let diagnostic = name_errors::unknown_field(
            self.file,
            span,
            &shown,
            &name.name,
            &fields,
            close,
            matches!(ty, Ty::Enum(_)),
        );
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
                let diagnostic = type_errors::empty_list_for_map(self.file, span);
                self.report(diagnostic);
                return self.error_expr(span);
            }
            _ => {}
        }
        let Some((first, rest)) = items.split_first() else {
            let diagnostic = type_errors::untyped_empty_list(self.file, span);
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
                    let diagnostic = type_errors::untyped_empty_map(self.file, span);
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
            let diagnostic = type_errors::map_as_key(self.file, span);
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
        let id = match self.program.lookup(self.module, &name.name).cloned() {
            Some(ScopeEntry::One(Decl::Record(id))) => Some(id),
            Some(ScopeEntry::Ambiguous(decls)) => {
                self.program
                    .report_ambiguous(self.file, name.span, &name.name, &decls);
                None
            }
            Some(ScopeEntry::One(Decl::Event(_))) => {
                let diagnostic = name_errors::event_constructed(self.file, name.span, &name.name);
                self.report(diagnostic);
                None
            }
            other => {
                let records: Vec<String> =
                    self.program.module(self.module).map_or(Vec::new(), |m| {
                        m.scope
                            .iter()
                            .filter(|(_, e)| matches!(e, ScopeEntry::One(Decl::Record(_))))
                            .map(|(n, _)| n.clone())
                            .collect()
                    });
                let kind = match other {
                    Some(ScopeEntry::One(decl)) => Some(self.program.decl_kind(decl)),
                    _ => None,
                };
                let close = suggest(&name.name, records.iter().map(String::as_str));
                let diagnostic =
                    name_errors::not_a_record(self.file, name.span, &name.name, kind, close);
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
            .program
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
                let fields: Vec<&str> = defs.iter().map(|f| f.name.as_str()).collect();
                let close = suggest(&init.name.name, fields.iter().copied());
                let diagnostic = name_errors::unknown_field_given(
                    self.file,
                    init.name.span,
                    what,
                    owner,
                    &init.name.name,
                    &fields,
                    close,
                );
                self.report(diagnostic);
                self.check_value(&init.value);
                continue;
            };
            let ty = defs.get(index).map_or(Ty::Error, |f| f.ty.clone());
            let value = self.check_as(&init.value, &ty);
            match first_spans.get(index).copied().flatten() {
                Some(first) => {
                    let diagnostic = type_errors::field_given_twice(
                        self.file,
                        init.name.span,
                        &init.name.name,
                        first,
                    );
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
            let missing: Vec<&str> = defs
                .iter()
                .zip(&out)
                .filter(|(_, v)| v.is_none())
                .map(|(f, _)| f.name.as_str())
                .collect();
            if !missing.is_empty() {
                let diagnostic =
                    type_errors::missing_fields(self.file, owner_span, what, owner, &missing);
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
                let diagnostic = type_errors::if_without_else(self.file, span);
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
