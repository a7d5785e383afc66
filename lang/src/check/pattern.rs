//! Patterns, `match`, and exhaustiveness and reachability of arms.
//!
//! Exhaustiveness follows Maranget's usefulness algorithm ("Warnings for pattern
//! matching", 2007) over constructors: `true`/`false`, `some`/`none`, every variant of
//! an enum (a variant with sub-variants is a value too, so a pattern `V` stands for the
//! variants of its subtree), tuples, and literals of the other types (never complete).

use assent_stdlib::value::Value;

use super::body::{Cx, Expect};
use super::expr::{join, literal};
use super::program::{Decl, ScopeEntry};
use crate::diagnostics::type_errors::PatternShape;
use crate::diagnostics::{name_errors, policy_errors, type_errors};
use crate::span::Span;
use crate::syntax::ast::{self, ArmBody, PatternKind};
use crate::typed::{Arm, Block, Expr, ExprKind, LocalId, Pattern, Ty};

/// Work limit of the exhaustiveness search (it is exponential in the worst case): about
/// one unit per pattern copied.
const BUDGET: u64 = 5_000_000;

/// Bindings made by a pattern: name, local, type, span.
type Bound = Vec<(String, LocalId, Ty, Span)>;

impl Cx<'_> {
    /// Checks `pattern` against values of type `ty`, declaring its bindings in the
    /// current scope.
    pub fn check_pattern(&mut self, pattern: &ast::Pattern, ty: &Ty) -> Pattern {
        let mut bound = Vec::new();
        self.pattern_at(pattern, ty, &mut bound, None)
    }

    /// `reuse`: in the second and later alternatives of `p | q`, the bindings of the
    /// first, which the others must bind alike.
    fn pattern_at(
        &mut self,
        pattern: &ast::Pattern,
        ty: &Ty,
        bound: &mut Bound,
        reuse: Option<&Bound>,
    ) -> Pattern {
        if !self.enter(pattern.span) {
            self.leave();
            return Pattern::Wildcard;
        }
        let checked = crate::stack::guarded(|| self.pattern_kind(pattern, ty, bound, reuse));
        self.leave();
        checked
    }

    fn pattern_kind(
        &mut self,
        pattern: &ast::Pattern,
        ty: &Ty,
        bound: &mut Bound,
        reuse: Option<&Bound>,
    ) -> Pattern {
        let span = pattern.span;
        match &pattern.kind {
            PatternKind::Wildcard => Pattern::Wildcard,
            PatternKind::Name(name) => {
                if let Ty::Enum(id) = ty
                    && let Some(Expr {
                        kind:
                            ExprKind::Variant {
                                enum_id,
                                ordinal,
                                end,
                            },
                        ..
                    }) = self.variant_expr(*id, &name.name, span)
                {
                    return Pattern::Variant {
                        enum_id,
                        ordinal,
                        end,
                    };
                }
                self.bind(name, ty, bound, reuse)
            }
            PatternKind::Variant(path) => self.variant_pattern(path, ty, span),
            PatternKind::Literal(lit) => {
                let (value, lit_ty) = literal(lit);
                if lit_ty == *ty || ty.has_error() {
                    return Pattern::Literal(value);
                }
                // A literal of `T` matches `some(literal)` of a `T?`.
                if let Ty::Option(inner) = ty
                    && **inner == lit_ty
                {
                    return Pattern::Some(Box::new(Pattern::Literal(value)));
                }
                let shown = self.show(&lit_ty);
                self.mismatch_pattern(span, ty, PatternShape::Literal(&shown));
                Pattern::Wildcard
            }
            PatternKind::Some(inner) => match ty {
                Ty::Option(inner_ty) => {
                    let inner_ty = (**inner_ty).clone();
                    Pattern::Some(Box::new(self.pattern_at(inner, &inner_ty, bound, reuse)))
                }
                Ty::Error => {
                    self.pattern_at(inner, &Ty::Error, bound, reuse);
                    Pattern::Wildcard
                }
                _ => {
                    self.mismatch_pattern(span, ty, PatternShape::Some);
                    self.pattern_at(inner, &Ty::Error, bound, reuse);
                    Pattern::Wildcard
                }
            },
            PatternKind::None => match ty {
                Ty::Option(_) => Pattern::None,
                Ty::Error => Pattern::Wildcard,
                _ => {
                    self.mismatch_pattern(span, ty, PatternShape::None);
                    Pattern::Wildcard
                }
            },
            PatternKind::Tuple(items) => {
                let types: Vec<Ty> = match ty {
                    Ty::Tuple(types) if types.len() == items.len() => types.clone(),
                    Ty::Error => vec![Ty::Error; items.len()],
                    _ => {
                        self.mismatch_pattern(span, ty, PatternShape::Tuple(items.len()));
                        vec![Ty::Error; items.len()]
                    }
                };
                Pattern::Tuple(
                    items
                        .iter()
                        .zip(&types)
                        .map(|(item, t)| self.pattern_at(item, t, bound, reuse))
                        .collect(),
                )
            }
            PatternKind::Or(alternatives) => {
                let Some((first, rest)) = alternatives.split_first() else {
                    return Pattern::Wildcard;
                };
                let before = bound.len();
                let mut checked = vec![self.pattern_at(first, ty, bound, reuse)];
                let first_bound: Bound = bound.get(before..).map(<[_]>::to_vec).unwrap_or_default();
                for alternative in rest {
                    let mut alt_bound = Vec::new();
                    checked.push(self.pattern_at(
                        alternative,
                        ty,
                        &mut alt_bound,
                        Some(&first_bound),
                    ));
                    for (name, id, _, _) in &first_bound {
                        if !alt_bound.iter().any(|(n, ..)| n == name) {
                            self.mark_read(super::body::Binding::Local(*id));
                            let diagnostic = type_errors::unbound_in_alternative(
                                self.file,
                                alternative.span,
                                name,
                            );
                            self.report(diagnostic);
                        }
                    }
                }
                Pattern::Or(checked)
            }
        }
    }

    fn bind(
        &mut self,
        name: &ast::Ident,
        ty: &Ty,
        bound: &mut Bound,
        reuse: Option<&Bound>,
    ) -> Pattern {
        if let Some(first_span) = bound
            .iter()
            .find(|(n, ..)| *n == name.name)
            .map(|(.., span)| *span)
        {
            let diagnostic =
                name_errors::bound_twice(self.file, name.span, &name.name, "pattern", first_span);
            self.report(diagnostic);
            return Pattern::Wildcard;
        }
        if let Some(reuse) = reuse {
            let Some((_, id, first_ty, _)) = reuse.iter().find(|(n, ..)| *n == name.name) else {
                let diagnostic = type_errors::bound_only_here(self.file, name.span, &name.name);
                self.report(diagnostic);
                return Pattern::Wildcard;
            };
            if first_ty != ty && !ty.has_error() && !first_ty.has_error() {
                let (a, b) = (self.show(first_ty), self.show(ty));
                let diagnostic =
                    type_errors::alternative_type_differs(self.file, name.span, &name.name, &a, &b);
                self.report(diagnostic);
            }
            bound.push((name.name.clone(), *id, ty.clone(), name.span));
            return Pattern::Bind(*id);
        }
        match self.declare_local(name, ty.clone(), false) {
            Some(id) => {
                bound.push((name.name.clone(), id, ty.clone(), name.span));
                Pattern::Bind(id)
            }
            None => Pattern::Wildcard,
        }
    }

    fn variant_pattern(&mut self, path: &[ast::Ident], ty: &Ty, span: Span) -> Pattern {
        let segments: Vec<&ast::Ident> = path.iter().collect();
        // A path whose head is not an enum (a typo, or a local) is an unknown variant.
        let Some(head) = segments.first() else {
            return Pattern::Wildcard;
        };
        let is_enum = matches!(
            self.program.lookup(self.module, &head.name),
            Some(ScopeEntry::One(Decl::Enum(_)) | ScopeEntry::Ambiguous(_))
        );
        if !is_enum {
            let diagnostic = name_errors::unknown_enum(self.file, head.span, &head.name);
            self.report(diagnostic);
            return Pattern::Wildcard;
        }
        let Some(variant) = self.check_variant_path(&segments, span) else {
            return Pattern::Wildcard;
        };
        match (variant.kind, ty) {
            (
                ExprKind::Variant {
                    enum_id,
                    ordinal,
                    end,
                },
                _,
            ) if *ty == Ty::Enum(enum_id) => Pattern::Variant {
                enum_id,
                ordinal,
                end,
            },
            (_, Ty::Error) => Pattern::Wildcard,
            (ExprKind::Variant { enum_id, .. }, _) => {
                let shown = self.show(&Ty::Enum(enum_id));
                self.mismatch_pattern(span, ty, PatternShape::Variant(&shown));
                Pattern::Wildcard
            }
            _ => Pattern::Wildcard,
        }
    }

    fn mismatch_pattern(&mut self, span: Span, ty: &Ty, shape: PatternShape<'_>) {
        if ty.has_error() {
            return;
        }
        let shown = self.show(ty);
        let diagnostic = type_errors::pattern_mismatch(self.file, span, shape, &shown);
        self.report(diagnostic);
    }

    // ---- match ---------------------------------------------------------------------------

    pub fn check_match(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        span: Span,
        expect: Expect<'_>,
    ) -> Expr {
        let value = self.check_value(scrutinee);
        let ty = value.ty.clone();
        let mut checked: Vec<Arm> = Vec::with_capacity(arms.len());
        let mut pattern_errors = false;
        let mut result: Option<Ty> = match expect {
            Expect::Type(t) => Some(t.clone()),
            _ => None,
        };
        for arm in arms {
            self.push_scope();
            let errors = self.program.error_count();
            let pattern = self.check_pattern(&arm.pattern, &ty);
            pattern_errors |= self.program.error_count() > errors;
            let arm_expect = match (&result, expect) {
                (Some(t), Expect::Value) => Expect::Type(t),
                (_, other) => other,
            };
            let body = match &arm.body {
                ArmBody::Block(block) => self.check_block_as(block, arm_expect),
                ArmBody::Expr(e) => {
                    let checked = match arm_expect {
                        Expect::Type(t) if *t != Ty::Unit => self.check_as(e, t),
                        other => self.check_expr(e, other),
                    };
                    let ty = checked.ty.clone();
                    Block {
                        stmts: Vec::new(),
                        loc: checked.loc,
                        tail: Some(Box::new(checked)),
                        ty,
                    }
                }
            };
            self.pop_scope();
            if result.is_none()
                && matches!(expect, Expect::Value)
                && !matches!(body.ty, Ty::Never | Ty::Error | Ty::Unit)
            {
                result = Some(body.ty.clone());
            }
            checked.push(Arm {
                pattern,
                body,
                loc: self.loc(arm.span),
            });
        }
        let ty_out = checked
            .iter()
            .fold(Ty::Never, |acc, arm| join(&acc, &arm.body.ty, expect));
        let ty_out = match (expect, result) {
            (Expect::Type(t), _) => {
                if ty_out == Ty::Never {
                    Ty::Never
                } else {
                    t.clone()
                }
            }
            _ => ty_out,
        };
        if !ty.has_error() && !pattern_errors {
            self.check_exhaustive(&ty, &checked, scrutinee.span, arms);
        }
        self.expr(
            ExprKind::Match {
                scrutinee: Box::new(value),
                arms: checked,
            },
            ty_out,
            span,
        )
    }

    fn check_exhaustive(
        &mut self,
        ty: &Ty,
        arms: &[Arm],
        scrutinee_span: Span,
        ast_arms: &[ast::MatchArm],
    ) {
        let mut space = Space {
            cx: self,
            budget: BUDGET,
        };
        let rows: Vec<Vec<Pat>> = arms.iter().map(|a| vec![Pat::from(&a.pattern)]).collect();
        // Reachability: an arm is useless when the arms before it cover everything it does.
        let mut unreachable = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let before = rows.get(..i).unwrap_or_default();
            if !space.useful(before, row, std::slice::from_ref(ty)) {
                unreachable.push(i);
            }
        }
        let missing = space.missing(&rows, ty);
        let exhausted = space.budget == 0;
        let cx = space.cx;
        if exhausted {
            let diagnostic = policy_errors::match_too_complex(cx.file, scrutinee_span);
            cx.report(diagnostic);
            return;
        }
        for i in unreachable {
            let Some(arm) = ast_arms.get(i) else {
                continue;
            };
            let catch_all = ast_arms
                .get(..i)
                .unwrap_or_default()
                .iter()
                .find(|a| matches!(a.pattern.kind, PatternKind::Wildcard | PatternKind::Name(_)))
                .map(|a| a.pattern.span);
            let diagnostic = policy_errors::unreachable_arm(cx.file, arm.pattern.span, catch_all);
            cx.report(diagnostic);
        }
        if !missing.is_empty() {
            let diagnostic = policy_errors::non_exhaustive_match(cx.file, scrutinee_span, &missing);
            cx.report(diagnostic);
        }
    }
}

// ---- the usefulness algorithm -----------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Bool(bool),
    Some,
    None,
    Variant(u32),
    Tuple(usize),
    Literal(Value),
}

#[derive(Clone, Debug)]
enum Pat {
    Wild,
    Ctor(Ctor, Vec<Pat>),
    Or(Vec<Pat>),
}

impl Pat {
    fn from(pattern: &Pattern) -> Pat {
        match pattern {
            Pattern::Wildcard | Pattern::Bind(_) => Pat::Wild,
            Pattern::Literal(Value::Bool(b)) => Pat::Ctor(Ctor::Bool(*b), Vec::new()),
            Pattern::Literal(v) => Pat::Ctor(Ctor::Literal(v.clone()), Vec::new()),
            Pattern::Variant { ordinal, end, .. } => {
                if *end <= ordinal + 1 {
                    Pat::Ctor(Ctor::Variant(*ordinal), Vec::new())
                } else {
                    Pat::Or(
                        (*ordinal..*end)
                            .map(|o| Pat::Ctor(Ctor::Variant(o), Vec::new()))
                            .collect(),
                    )
                }
            }
            Pattern::Some(inner) => Pat::Ctor(Ctor::Some, vec![Pat::from(inner)]),
            Pattern::None => Pat::Ctor(Ctor::None, Vec::new()),
            Pattern::Tuple(items) => Pat::Ctor(
                Ctor::Tuple(items.len()),
                items.iter().map(Pat::from).collect(),
            ),
            Pattern::Or(alts) => Pat::Or(alts.iter().map(Pat::from).collect()),
        }
    }
}

struct Space<'a, 'p> {
    cx: &'a mut Cx<'p>,
    budget: u64,
}

impl Space<'_, '_> {
    fn arity(ctor: &Ctor) -> usize {
        match ctor {
            Ctor::Some => 1,
            Ctor::Tuple(n) => *n,
            _ => 0,
        }
    }

    /// The types of a constructor's fields.
    fn sub_types(ctor: &Ctor, ty: &Ty) -> Vec<Ty> {
        match (ctor, ty) {
            (Ctor::Some, Ty::Option(inner)) => vec![(**inner).clone()],
            (Ctor::Tuple(n), Ty::Tuple(items)) if items.len() == *n => items.clone(),
            (Ctor::Tuple(n), _) => vec![Ty::Error; *n],
            (Ctor::Some, _) => vec![Ty::Error],
            _ => Vec::new(),
        }
    }

    /// Every constructor of `ty`, when the type has finitely many.
    fn all_ctors(&self, ty: &Ty) -> Option<Vec<Ctor>> {
        match ty {
            Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
            Ty::Option(_) => Some(vec![Ctor::Some, Ctor::None]),
            Ty::Enum(id) => {
                let count = self.cx.program.enum_info(*id)?.def.variants.len();
                Some((0..u32::try_from(count).ok()?).map(Ctor::Variant).collect())
            }
            Ty::Tuple(items) => Some(vec![Ctor::Tuple(items.len())]),
            _ => None,
        }
    }

    /// The constructors at the head of the rows (or-patterns flattened).
    fn head_ctors(rows: &[Vec<Pat>]) -> Vec<Ctor> {
        fn collect(pat: &Pat, out: &mut Vec<Ctor>) {
            match pat {
                Pat::Wild => {}
                Pat::Ctor(c, _) => {
                    if !out.contains(c) {
                        out.push(c.clone());
                    }
                }
                Pat::Or(alts) => alts.iter().for_each(|a| collect(a, out)),
            }
        }
        let mut out = Vec::new();
        for row in rows {
            if let Some(head) = row.first() {
                collect(head, &mut out);
            }
        }
        out
    }

    /// Rows whose head matches `ctor`, with the head replaced by its fields.
    fn specialize(rows: &[Vec<Pat>], ctor: &Ctor) -> Vec<Vec<Pat>> {
        fn row_into(head: &Pat, rest: &[Pat], ctor: &Ctor, out: &mut Vec<Vec<Pat>>) {
            match head {
                Pat::Ctor(c, fields) if c == ctor => {
                    let mut row = fields.clone();
                    row.extend_from_slice(rest);
                    out.push(row);
                }
                Pat::Ctor(..) => {}
                Pat::Wild => {
                    let mut row = vec![Pat::Wild; Space::arity(ctor)];
                    row.extend_from_slice(rest);
                    out.push(row);
                }
                Pat::Or(alts) => alts.iter().for_each(|a| row_into(a, rest, ctor, out)),
            }
        }
        let mut out = Vec::new();
        for row in rows {
            if let Some((head, rest)) = row.split_first() {
                row_into(head, rest, ctor, &mut out);
            }
        }
        out
    }

    /// Rows whose head is a wildcard, without it.
    fn default_rows(rows: &[Vec<Pat>]) -> Vec<Vec<Pat>> {
        fn row_into(head: &Pat, rest: &[Pat], out: &mut Vec<Vec<Pat>>) {
            match head {
                Pat::Wild => out.push(rest.to_vec()),
                Pat::Ctor(..) => {}
                Pat::Or(alts) => alts.iter().for_each(|a| row_into(a, rest, out)),
            }
        }
        let mut out = Vec::new();
        for row in rows {
            if let Some((head, rest)) = row.split_first() {
                row_into(head, rest, &mut out);
            }
        }
        out
    }

    /// Charges the work of one step over `rows` of `width` columns; false when spent.
    fn tick(&mut self, rows: usize, width: usize) -> bool {
        let cost = u64::try_from(rows.saturating_mul(width.max(1)))
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        if self.budget < cost {
            self.budget = 0;
            return false;
        }
        self.budget -= cost;
        true
    }

    /// Whether `row` matches some value that no row of `rows` matches.
    fn useful(&mut self, rows: &[Vec<Pat>], row: &[Pat], types: &[Ty]) -> bool {
        crate::stack::guarded(|| self.useful_guarded(rows, row, types))
    }

    fn useful_guarded(&mut self, rows: &[Vec<Pat>], row: &[Pat], types: &[Ty]) -> bool {
        if !self.tick(rows.len(), row.len()) {
            return true;
        }
        let Some((head, rest)) = row.split_first() else {
            return rows.is_empty();
        };
        let Some((ty, rest_types)) = types.split_first() else {
            return rows.is_empty();
        };
        match head {
            Pat::Or(alts) => alts.iter().any(|alt| {
                let mut row = vec![alt.clone()];
                row.extend_from_slice(rest);
                self.useful(rows, &row, types)
            }),
            Pat::Ctor(ctor, fields) => {
                let specialized = Self::specialize(rows, ctor);
                let mut next = fields.clone();
                next.extend_from_slice(rest);
                let mut next_types = Self::sub_types(ctor, ty);
                next_types.extend_from_slice(rest_types);
                self.useful(&specialized, &next, &next_types)
            }
            Pat::Wild => {
                let present = Self::head_ctors(rows);
                match self
                    .all_ctors(ty)
                    .filter(|all| all.iter().all(|c| present.contains(c)))
                {
                    Some(all) => all.iter().any(|ctor| {
                        let specialized = Self::specialize(rows, ctor);
                        let mut next = vec![Pat::Wild; Self::arity(ctor)];
                        next.extend_from_slice(rest);
                        let mut next_types = Self::sub_types(ctor, ty);
                        next_types.extend_from_slice(rest_types);
                        self.useful(&specialized, &next, &next_types)
                    }),
                    None => self.useful(&Self::default_rows(rows), rest, rest_types),
                }
            }
        }
    }

    /// Values of `ty` no row matches, as patterns to print (empty when exhaustive).
    fn missing(&mut self, rows: &[Vec<Pat>], ty: &Ty) -> Vec<(String, bool)> {
        // For an enum, list every variant not covered; otherwise one witness.
        if let Ty::Enum(_) = ty
            && let Some(all) = self.all_ctors(ty)
        {
            let mut out = Vec::new();
            for ctor in all {
                let row = vec![Pat::Ctor(ctor.clone(), Vec::new())];
                if self.useful(rows, &row, std::slice::from_ref(ty)) {
                    out.push((self.show_ctor(&ctor, ty, &[]), self.has_children(&ctor, ty)));
                }
            }
            return out;
        }
        self.witness(rows, std::slice::from_ref(ty))
            .and_then(|w| w.into_iter().next())
            .map(|w| (w, false))
            .into_iter()
            .collect()
    }

    /// One value (printed per column) that no row matches.
    fn witness(&mut self, rows: &[Vec<Pat>], types: &[Ty]) -> Option<Vec<String>> {
        crate::stack::guarded(|| self.witness_guarded(rows, types))
    }

    fn witness_guarded(&mut self, rows: &[Vec<Pat>], types: &[Ty]) -> Option<Vec<String>> {
        if !self.tick(rows.len(), types.len()) {
            return None;
        }
        let Some((ty, rest_types)) = types.split_first() else {
            return rows.is_empty().then(Vec::new);
        };
        let present = Self::head_ctors(rows);
        match self
            .all_ctors(ty)
            .filter(|all| all.iter().all(|c| present.contains(c)))
        {
            Some(all) => {
                for ctor in all {
                    let specialized = Self::specialize(rows, &ctor);
                    let mut next_types = Self::sub_types(&ctor, ty);
                    let arity = next_types.len();
                    next_types.extend_from_slice(rest_types);
                    if let Some(w) = self.witness(&specialized, &next_types) {
                        let (fields, rest) = w.split_at(arity.min(w.len()));
                        let mut out = vec![self.show_ctor(&ctor, ty, fields)];
                        out.extend_from_slice(rest);
                        return Some(out);
                    }
                }
                None
            }
            None => {
                let w = self.witness(&Self::default_rows(rows), rest_types)?;
                let head = match self.all_ctors(ty) {
                    Some(all) if !present.is_empty() => {
                        let missing = all.into_iter().find(|c| !present.contains(c));
                        match missing {
                            Some(ctor) => {
                                let fields = vec!["_".to_string(); Self::arity(&ctor)];
                                self.show_ctor(&ctor, ty, &fields)
                            }
                            None => "_".to_string(),
                        }
                    }
                    _ => "_".to_string(),
                };
                let mut out = vec![head];
                out.extend(w);
                Some(out)
            }
        }
    }

    /// Whether `ctor` is a variant with nested variants.
    fn has_children(&self, ctor: &Ctor, ty: &Ty) -> bool {
        match (ctor, ty) {
            (Ctor::Variant(ordinal), Ty::Enum(id)) => self
                .cx
                .program
                .enum_info(*id)
                .and_then(|e| e.def.variants.get(*ordinal as usize))
                .is_some_and(|v| v.end > ordinal + 1),
            _ => false,
        }
    }

    fn show_ctor(&self, ctor: &Ctor, ty: &Ty, fields: &[String]) -> String {
        match ctor {
            Ctor::Bool(b) => b.to_string(),
            Ctor::Some => format!("some({})", fields.first().map_or("_", String::as_str)),
            Ctor::None => "none".to_string(),
            Ctor::Variant(ordinal) => {
                let Ty::Enum(id) = ty else {
                    return "_".to_string();
                };
                let Some(info) = self.cx.program.enum_info(*id) else {
                    return "_".to_string();
                };
                let name = info
                    .def
                    .variants
                    .get(*ordinal as usize)
                    .map_or("?", |v| v.name.as_str());
                format!("{}.{name}", info.def.name)
            }
            Ctor::Tuple(_) => format!("({})", fields.join(", ")),
            Ctor::Literal(_) => "_".to_string(),
        }
    }
}
