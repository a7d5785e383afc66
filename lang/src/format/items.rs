//! Layout of the file, its items, policies, parameters and types.

use super::doc::Doc;
use super::layout::{Layout, ListStyle, group_list, vertical};
use super::literals::string_text;
use crate::span::Span;
use crate::syntax::ast::{
    ContractDecl, Effect, EventDecl, FieldDecl, FunctionDecl, FunctionKind, Import, Item, ItemKind,
    Param, PolicyDecl, PolicyStmt, RecordDecl, Rule, SourceUnit, TypeExpr, TypeExprKind, Variant,
};

impl Layout<'_> {
    /// The whole file: the contract declaration and the items one after another, with a
    /// blank line kept where the source had any, and the comments after the last item.
    pub(super) fn source_unit(&mut self, unit: &SourceUnit) -> Doc {
        let mut entries = Vec::new();
        // `contract Name;` belongs first, but a module parsed without that rule may have
        // it later: it is printed where it was, so the comments stay in place.
        let contract_at = unit.contract.as_ref().map_or(0, |contract| {
            unit.items
                .iter()
                .take_while(|item| item.span.start < contract.span.start)
                .count()
        });
        for index in 0..=unit.items.len() {
            if index == contract_at
                && let Some(contract) = &unit.contract
            {
                self.element(contract.span, Doc::Nil, &mut entries, |this| {
                    this.contract(contract)
                });
            }
            if let Some(item) = unit.items.get(index) {
                self.element(item.span, Doc::Nil, &mut entries, |this| this.item(item));
            }
        }
        self.dangling(u32::MAX, &mut entries);
        vertical(entries)
    }

    fn contract(&mut self, contract: &ContractDecl) -> Doc {
        Doc::text(format!("contract {};", contract.name.name))
    }

    fn item(&mut self, item: &Item) -> Doc {
        match &item.kind {
            ItemKind::Import(Import::Std { path }) => {
                let path: Vec<&str> = path.iter().map(|segment| segment.name.as_str()).collect();
                Doc::text(format!("import {};", path.join(".")))
            }
            ItemKind::Import(Import::File { path, path_span }) => Doc::text(format!(
                "import {};",
                string_text(path, self.slice(*path_span))
            )),
            ItemKind::Const(decl) => Doc::concat(vec![
                Doc::text(format!("const {}: ", decl.name.name)),
                self.type_expr(&decl.ty),
                Doc::text(" = "),
                self.expr(&decl.value),
                Doc::text(";"),
            ]),
            ItemKind::Enum(decl) => Doc::concat(vec![
                Doc::text(format!("enum {} ", decl.name.name)),
                self.variants(decl.name.span.end, &decl.variants, item.span.end),
            ]),
            ItemKind::Record(RecordDecl { name, fields }) => Doc::concat(vec![
                Doc::text(format!("record {} ", name.name)),
                self.field_decls(name.span.end, fields, item.span.end),
            ]),
            ItemKind::Event(EventDecl { name, fields }) => Doc::concat(vec![
                Doc::text(format!("event {} ", name.name)),
                self.field_decls(name.span.end, fields, item.span.end),
            ]),
            ItemKind::State(decl) => {
                let mut parts = vec![
                    Doc::text(format!("state {}: ", decl.name.name)),
                    self.type_expr(&decl.ty),
                ];
                if let Some(init) = &decl.init {
                    parts.push(Doc::text(" = "));
                    parts.push(self.expr(init));
                }
                parts.push(Doc::text(";"));
                Doc::concat(parts)
            }
            ItemKind::Function(function) => self.function(function),
            ItemKind::Policy(policy) => self.policy(policy),
        }
    }

    /// Whether the author broke the braces of a declaration: a line break between its
    /// name and its first member. Such a declaration stays broken.
    fn written_broken(&self, name_end: u32, first_member: Option<Span>) -> bool {
        first_member.is_some_and(|span| self.newline_between(name_end, self.code_start(span.start)))
    }

    /// `{ A, B { C, D } }`: on one line when it fits and was written so; a list of
    /// variants without children is packed when broken, others one per line.
    fn variants(&mut self, name_end: u32, variants: &[Variant], close: u32) -> Doc {
        let force_break = self.written_broken(name_end, variants.first().map(|v| v.span));
        let fill = variants.iter().all(|variant| variant.children.is_empty())
            && !self.has_comment_before(close);
        let entries = self.comma_list(
            variants,
            |variant| variant.span,
            true,
            close,
            |this, variant| {
                if variant.children.is_empty() {
                    Doc::text(variant.name.name.clone())
                } else {
                    Doc::concat(vec![
                        Doc::text(format!("{} ", variant.name.name)),
                        this.variants(variant.name.span.end, &variant.children, variant.span.end),
                    ])
                }
            },
        );
        group_list(
            entries,
            ListStyle {
                keep_blank_lines: true,
                force_break,
                fill,
                ..ListStyle::braces()
            },
        )
    }

    /// `{ [indexed] name: T, … }` of a record or an event.
    fn field_decls(&mut self, name_end: u32, fields: &[FieldDecl], close: u32) -> Doc {
        let force_break = self.written_broken(name_end, fields.first().map(|f| f.span));
        let entries = self.comma_list(
            fields,
            |field| field.span,
            true,
            close,
            |this, field| {
                let indexed = if field.indexed.is_some() {
                    "indexed "
                } else {
                    ""
                };
                Doc::concat(vec![
                    Doc::text(format!("{indexed}{}: ", field.name.name)),
                    this.type_expr(&field.ty),
                ])
            },
        );
        group_list(
            entries,
            ListStyle {
                keep_blank_lines: true,
                force_break,
                ..ListStyle::braces()
            },
        )
    }

    fn function(&mut self, function: &FunctionDecl) -> Doc {
        let keyword = match function.kind {
            FunctionKind::Init => "init".to_string(),
            FunctionKind::Action => format!("action {}", function.name.name),
            FunctionKind::View => format!("view {}", function.name.name),
            FunctionKind::Fn => format!("fn {}", function.name.name),
            FunctionKind::Property => format!("property {}", function.name.name),
        };
        let params_end = function
            .params
            .last()
            .map_or(function.name.span.end, |p| p.span.end);
        let close = self
            .find_byte(params_end, b')')
            .unwrap_or(function.body.span.start);
        let mut parts = vec![Doc::text(keyword), self.params(&function.params, close)];
        if let Some(ret) = &function.ret {
            parts.push(Doc::text(" -> "));
            parts.push(self.type_expr(ret));
        }
        parts.push(Doc::text(" "));
        parts.push(self.block(&function.body));
        Doc::concat(parts)
    }

    /// `(name: T, …)`; `close` is the offset of the `)`.
    fn params(&mut self, params: &[Param], close: u32) -> Doc {
        let entries = self.comma_list(
            params,
            |param| param.span,
            true,
            close,
            |this, param| {
                Doc::concat(vec![
                    Doc::text(format!("{}: ", param.name.name)),
                    this.type_expr(&param.ty),
                ])
            },
        );
        group_list(entries, ListStyle::parens("(", ")"))
    }

    fn policy(&mut self, policy: &PolicyDecl) -> Doc {
        let params_end = policy
            .params
            .last()
            .map_or(policy.name.span.end, |p| p.span.end);
        let close = self
            .find_byte(params_end, b')')
            .unwrap_or(policy.close.start);
        let mut parts = vec![
            Doc::text(format!("policy {}", policy.name.name)),
            self.params(&policy.params, close),
            Doc::text(" "),
        ];
        let brace = self.find_byte(close, b'{');
        let open = self.after_open_brace(brace);
        let mut entries = Vec::new();
        for statement in &policy.body {
            let span = match statement {
                PolicyStmt::Default { span, .. } => *span,
                PolicyStmt::Let(binding) => binding.span,
                PolicyStmt::Rule(rule) => rule.span,
            };
            self.element(span, Doc::Nil, &mut entries, |this| match statement {
                PolicyStmt::Default { effect, .. } => {
                    Doc::text(format!("default {};", effect_keyword(*effect)))
                }
                PolicyStmt::Let(binding) => this.let_statement(binding),
                PolicyStmt::Rule(rule) => this.rule(rule),
            });
        }
        self.dangling(policy.close.start, &mut entries);
        parts.push(super::layout::block(open, entries));
        Doc::concat(parts)
    }

    /// `permit "label" when e unless e;`, with `when` and `unless` on lines of their own
    /// when it does not fit.
    fn rule(&mut self, rule: &Rule) -> Doc {
        let mut parts = vec![Doc::text(format!(
            "{} {}",
            effect_keyword(rule.effect),
            string_text(&rule.label, self.slice(rule.label_span))
        ))];
        for (keyword, condition) in [("when ", &rule.when), ("unless ", &rule.unless)] {
            if let Some(condition) = condition {
                parts.push(Doc::indent_if_broken(Doc::concat(vec![
                    Doc::Line,
                    Doc::text(keyword),
                    self.expr(condition),
                ])));
            }
        }
        parts.push(Doc::text(";"));
        Doc::group(Doc::concat(parts))
    }

    pub(super) fn type_expr(&mut self, ty: &TypeExpr) -> Doc {
        match &ty.kind {
            TypeExprKind::Named { name, args } => {
                if args.is_empty() {
                    return Doc::text(name.name.clone());
                }
                let args = args.iter().map(|arg| self.type_expr(arg)).collect();
                Doc::concat(vec![
                    Doc::text(format!("{}<", name.name)),
                    Doc::join(args, &Doc::text(", ")),
                    Doc::text(">"),
                ])
            }
            TypeExprKind::Option(inner) => Doc::concat(vec![self.type_expr(inner), Doc::text("?")]),
            TypeExprKind::Tuple(elements) => {
                let elements = elements
                    .iter()
                    .map(|element| self.type_expr(element))
                    .collect();
                Doc::concat(vec![
                    Doc::text("("),
                    Doc::join(elements, &Doc::text(", ")),
                    Doc::text(")"),
                ])
            }
        }
    }
}

fn effect_keyword(effect: Effect) -> &'static str {
    match effect {
        Effect::Permit => "permit",
        Effect::Deny => "deny",
    }
}
