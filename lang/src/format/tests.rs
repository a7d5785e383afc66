//! Layout of hand-built trees (no source text, so no comments): the shape of each
//! construct, flat and broken. End-to-end tests over source files are in
//! `tests/format.rs`.

use super::format_unit;
use crate::span::Span;
use crate::syntax::ast::*;

fn id(name: &str) -> Ident {
    Ident {
        name: name.into(),
        span: Span::default(),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn name(text: &str) -> Expr {
    e(ExprKind::Name(id(text)))
}

fn int(value: i64) -> Expr {
    e(ExprKind::Literal(Literal::Int(value)))
}

fn string(value: &str) -> Expr {
    e(ExprKind::Literal(Literal::String(value.into())))
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    e(ExprKind::Binary {
        op,
        op_span: Span::default(),
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    })
}

fn call(callee: &str, args: Vec<Expr>) -> Expr {
    e(ExprKind::Call {
        callee: Box::new(name(callee)),
        args,
    })
}

fn ty(text: &str) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Named {
            name: id(text),
            args: Vec::new(),
        },
        span: Span::default(),
    }
}

fn stmt(kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        span: Span::default(),
    }
}

fn let_(binding: &str, value: Expr) -> Stmt {
    stmt(StmtKind::Let(LetStmt {
        mutable: false,
        name: id(binding),
        ty: None,
        value,
        span: Span::default(),
    }))
}

fn block(stmts: Vec<Stmt>, tail: Option<Expr>) -> Block {
    Block {
        stmts,
        tail: tail.map(Box::new),
        span: Span::default(),
    }
}

fn item(kind: ItemKind) -> Item {
    Item {
        doc: None,
        kind,
        span: Span::default(),
    }
}

fn function(kind: FunctionKind, fn_name: &str, params: &[(&str, &str)], body: Block) -> Item {
    item(ItemKind::Function(FunctionDecl {
        kind,
        keyword: Span::default(),
        name: id(fn_name),
        params: params
            .iter()
            .map(|(param, param_ty)| Param {
                name: id(param),
                ty: ty(param_ty),
                span: Span::default(),
            })
            .collect(),
        ret: None,
        body,
    }))
}

fn field(field_name: &str, value: Expr) -> FieldInit {
    FieldInit {
        name: id(field_name),
        value,
        shorthand: false,
        span: Span::default(),
    }
}

fn unit(items: Vec<Item>) -> SourceUnit {
    SourceUnit {
        contract: Some(ContractDecl {
            doc: None,
            name: id("C"),
            span: Span::default(),
        }),
        items,
        span: Span::default(),
    }
}

/// Formats a contract `C` whose only item is `action a() { statements }`.
fn format_statements(stmts: Vec<Stmt>) -> String {
    let body = block(stmts, None);
    format_unit(
        &unit(vec![function(FunctionKind::Action, "a", &[], body)]),
        "",
    )
}

#[test]
fn a_short_call_stays_on_one_line() {
    let out = format_statements(vec![let_("x", call("f", vec![int(1), string("a")]))]);
    assert_eq!(
        out,
        "contract C;\naction a() {\n    let x = f(1, \"a\");\n}\n"
    );
}

#[test]
fn a_long_argument_list_breaks_one_argument_per_line_with_a_trailing_comma() {
    let args = (0..8)
        .map(|i| name(&format!("argument_number_{i}")))
        .collect();
    let out = format_statements(vec![let_("x", call("f", args))]);
    let expected = "contract C;
action a() {
    let x = f(
        argument_number_0,
        argument_number_1,
        argument_number_2,
        argument_number_3,
        argument_number_4,
        argument_number_5,
        argument_number_6,
        argument_number_7,
    );
}
";
    assert_eq!(out, expected);
}

#[test]
fn a_long_operator_chain_breaks_before_each_operator() {
    let mut chain = name("first_operand_of_the_chain");
    for i in 0..4 {
        chain = binary(
            BinaryOp::And,
            chain,
            name(&format!("another_long_condition_{i}")),
        );
    }
    let out = format_statements(vec![let_("ok", chain)]);
    let expected = "contract C;
action a() {
    let ok = first_operand_of_the_chain
        && another_long_condition_0
        && another_long_condition_1
        && another_long_condition_2
        && another_long_condition_3;
}
";
    assert_eq!(out, expected);
}

#[test]
fn mixed_precedence_chains_nest() {
    let product = binary(BinaryOp::Mul, name("b"), name("c"));
    let sum = binary(BinaryOp::Add, name("a"), product);
    let sum = binary(BinaryOp::Sub, sum, int(1));
    let out = format_statements(vec![let_("x", sum)]);
    assert!(out.contains("let x = a + b * c - 1;"), "{out}");
}

#[test]
fn record_literals_have_spaces_inside_their_braces() {
    let record = e(ExprKind::Record {
        name: id("Grant"),
        fields: vec![
            FieldInit {
                shorthand: true,
                ..field("until", name("until"))
            },
            field("note", e(ExprKind::None)),
        ],
        base: Some(Box::new(name("g"))),
    });
    let out = format_statements(vec![let_("g2", record)]);
    assert!(
        out.contains("let g2 = Grant { ..g, until, note: none };"),
        "{out}"
    );
}

#[test]
fn an_if_expression_with_values_only_stays_on_one_line_when_it_fits() {
    let value = e(ExprKind::If {
        cond: Box::new(name("c")),
        then: block(vec![], Some(int(1))),
        otherwise: Some(Else::Block(block(vec![], Some(int(2))))),
    });
    let out = format_statements(vec![let_("x", value)]);
    assert!(out.contains("let x = if c { 1 } else { 2 };"), "{out}");
}

/// The last `match` keeps a `;`: without it, it would be the block's value.
#[test]
fn if_statements_and_match_are_always_broken() {
    let if_stmt = e(ExprKind::If {
        cond: Box::new(name("c")),
        then: block(vec![], Some(call("f", vec![]))),
        otherwise: Some(Else::If(Box::new(e(ExprKind::If {
            cond: Box::new(name("d")),
            then: block(vec![], None),
            otherwise: None,
        })))),
    });
    let arm = |pattern: PatternKind, body: ArmBody| MatchArm {
        pattern: Pattern {
            kind: pattern,
            span: Span::default(),
        },
        body,
        span: Span::default(),
    };
    let match_stmt = e(ExprKind::Match {
        scrutinee: Box::new(name("p")),
        arms: vec![
            arm(
                PatternKind::Variant(vec![id("E"), id("A")]),
                ArmBody::Expr(int(1)),
            ),
            arm(PatternKind::Wildcard, ArmBody::Block(block(vec![], None))),
        ],
    });
    let out = format_statements(vec![
        stmt(StmtKind::Expr(if_stmt)),
        stmt(StmtKind::Expr(match_stmt)),
    ]);
    let expected = "contract C;
action a() {
    if c {
        f()
    } else if d {}
    match p {
        E.A => 1,
        _ => {}
    };
}
";
    assert_eq!(out, expected);
}

#[test]
fn a_long_policy_rule_puts_when_and_unless_on_lines_of_their_own() {
    let condition = |text: &str| binary(BinaryOp::In, name(text), name("SomeLongEnum.VARIANT"));
    let rule = |label: &str, unless: Option<Expr>| {
        PolicyStmt::Rule(Rule {
            effect: Effect::Deny,
            label: label.into(),
            label_span: Span::default(),
            when: Some(condition("class_of_the_data")),
            unless,
            span: Span::default(),
        })
    };
    let policy = item(ItemKind::Policy(PolicyDecl {
        name: id("p"),
        params: vec![],
        body: vec![
            PolicyStmt::Default {
                effect: Effect::Deny,
                span: Span::default(),
            },
            rule("short", None),
            rule("long", Some(condition("purpose_of_the_access_request"))),
        ],
        close: Span::default(),
    }));
    let out = format_unit(&unit(vec![policy]), "");
    let expected = r#"contract C;
policy p() {
    default deny;
    deny "short" when class_of_the_data in SomeLongEnum.VARIANT;
    deny "long"
        when class_of_the_data in SomeLongEnum.VARIANT
        unless purpose_of_the_access_request in SomeLongEnum.VARIANT;
}
"#;
    assert_eq!(out, expected);
}

#[test]
fn a_long_enum_of_leaves_is_packed_and_nested_variants_go_one_per_line() {
    let leaf = |text: &str| Variant {
        doc: None,
        name: id(text),
        children: vec![],
        span: Span::default(),
    };
    let leaves: Vec<Variant> = (0..14).map(|i| leaf(&format!("VARIANT{i:02}"))).collect();
    let nested = Variant {
        children: leaves.clone(),
        ..leaf("PARENT")
    };
    let enums = vec![
        item(ItemKind::Enum(EnumDecl {
            name: id("Flat"),
            variants: leaves,
        })),
        item(ItemKind::Enum(EnumDecl {
            name: id("Tree"),
            variants: vec![nested, leaf("OTHER")],
        })),
    ];
    let out = format_unit(&unit(enums), "");
    let expected = "contract C;
enum Flat {
    VARIANT00, VARIANT01, VARIANT02, VARIANT03, VARIANT04, VARIANT05, VARIANT06, VARIANT07,
    VARIANT08, VARIANT09, VARIANT10, VARIANT11, VARIANT12, VARIANT13,
}
enum Tree {
    PARENT {
        VARIANT00, VARIANT01, VARIANT02, VARIANT03, VARIANT04, VARIANT05, VARIANT06, VARIANT07,
        VARIANT08, VARIANT09, VARIANT10, VARIANT11, VARIANT12, VARIANT13,
    },
    OTHER,
}
";
    assert_eq!(out, expected);
}

#[test]
fn empty_collections_have_their_own_spelling() {
    let out = format_statements(vec![
        let_("m", e(ExprKind::MapLit(vec![]))),
        let_("l", e(ExprKind::List(vec![]))),
        let_("n", e(ExprKind::MapLit(vec![(string("a"), int(1))]))),
    ]);
    assert!(
        out.contains("let m = [:];\n    let l = [];\n    let n = [\"a\": 1];"),
        "{out}"
    );
}

#[test]
fn a_deep_postfix_chain_does_not_recurse() {
    let mut chain = name("x");
    // Deep enough to overflow a test thread's stack if each level took a few frames
    // of the formatter, shallow enough for the tree's own recursive drop.
    for _ in 0..3_000 {
        chain = e(ExprKind::Field {
            base: Box::new(chain),
            name: id("f"),
        });
    }
    let out = format_statements(vec![let_("y", chain)]);
    assert!(out.contains(&format!("let y = x{};", ".f".repeat(3_000))));
}
