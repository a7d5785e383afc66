//! The untyped syntax tree, exactly as written. Every node carries a byte [`Span`].
//!
//! The checker turns this into the typed tree of [`crate::typed`]; nothing after the
//! checker sees these types. Names are not resolved here: `PurposeOfUse.ETREAT`, `x.f`
//! and `std.consent` are all [`ExprKind::Field`] chains until the checker says what
//! they are.

use crate::span::Span;

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A `///` doc comment, its lines joined with `\n`, markers and one leading space removed.
pub type Doc = Option<String>;

/// One source file: `contract Name;` followed by items.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceUnit {
    /// `contract Name;` — `None` when the file does not start with one (an error the
    /// parser reports; standard-library modules have no contract declaration).
    pub contract: Option<ContractDecl>,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContractDecl {
    pub doc: Doc,
    pub name: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub doc: Doc,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Import(Import),
    Const(ConstDecl),
    Enum(EnumDecl),
    Record(RecordDecl),
    Event(EventDecl),
    State(StateDecl),
    /// `init`, `action`, `view`, `fn`, `property`.
    Function(FunctionDecl),
    Policy(PolicyDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    /// `import std.consent;` — the path segments after `import`.
    Std { path: Vec<Ident> },
    /// `import "other.assent";` — the string as written (escapes resolved) and its span.
    File { path: String, path_span: Span },
}

/// `const NAME: T = expr;`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub value: Expr,
}

/// `enum Name { A { B, C }, D }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
}

/// One variant, with the variants nested under it (its specialisations).
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub doc: Doc,
    pub name: Ident,
    pub children: Vec<Variant>,
    pub span: Span,
}

/// `record Name { field: T, … }`
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

/// `event Name { [indexed] field: T, … }`
#[derive(Clone, Debug, PartialEq)]
pub struct EventDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub doc: Doc,
    /// `Some(span of the keyword)` for an `indexed` field (the checker rejects it in records).
    pub indexed: Option<Span>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `state name: T [= expr];`
#[derive(Clone, Debug, PartialEq)]
pub struct StateDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub init: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    /// `init(params) { … }` — its name is `init`.
    Init,
    Action,
    View,
    Fn,
    /// `property name(params) { … }`: checked, proven by `assent verify`, never compiled.
    Property,
}

/// `init`, `action`, `view`, `fn` and `property` items.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDecl {
    pub kind: FunctionKind,
    /// Span of the keyword (`init`, `action`, `view`, `fn`).
    pub keyword: Span,
    /// For `init`, an identifier `init` spanning the keyword.
    pub name: Ident,
    pub params: Vec<Param>,
    /// `-> T`; `None` when absent (no result).
    pub ret: Option<TypeExpr>,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `policy name(params) { [default permit|deny;] let …; rules }`
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    /// The body in source order.
    pub body: Vec<PolicyStmt>,
    /// Span of the closing `}`, where a missing `default` is reported.
    pub close: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyStmt {
    /// `default permit;` / `default deny;`
    Default {
        effect: Effect,
        span: Span,
    },
    /// `let [mut] x [: T] = e;`
    Let(LetStmt),
    Rule(Rule),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Permit,
    Deny,
}

/// `permit "label" [when e] [unless e];`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub effect: Effect,
    pub label: String,
    pub label_span: Span,
    pub when: Option<Expr>,
    pub unless: Option<Expr>,
    pub span: Span,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `Int`, `Grant`, `List<T>`, `Map<K, V>`: a name with optional generic arguments.
    /// Built-in names (`Int`, `Money`, `List`, …) are resolved by the checker, not here.
    Named { name: Ident, args: Vec<TypeExpr> },
    /// `T?`
    Option(Box<TypeExpr>),
    /// `(A, B, …)` with at least two elements.
    Tuple(Vec<TypeExpr>),
}

/// `{ stmt* [tail] }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// A final expression without `;` is the block's value.
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetStmt {
    pub mutable: bool,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

/// `let (a, b) [: T] = e;` — each name a name or `_`.
#[derive(Clone, Debug, PartialEq)]
pub struct LetTupleStmt {
    pub names: Vec<Ident>,
    /// The span of `(a, b)`.
    pub pattern_span: Span,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `+=` (extension)
    Add,
    /// `-=` (extension)
    Sub,
    /// `*=` (extension)
    Mul,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let(LetStmt),
    /// `let (a, b) = t;`
    LetTuple(LetTupleStmt),
    /// `place op value;` where place is a name, field or index chain.
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    /// `expr;`, or a block-like expression (`if`, `if let`, `match`) standing as a
    /// statement without `;`.
    Expr(Expr),
    /// `for pattern in iter { … }`
    For {
        pattern: ForPattern,
        iter: Expr,
        body: Block,
    },
    /// `return [e];`
    Return(Option<Expr>),
    /// `break;` — leaves the innermost `for` loop.
    Break,
    /// `continue;` — goes on with the next element of the innermost `for` loop.
    Continue,
    /// `require cond, msg;`
    Require {
        cond: Expr,
        message: Expr,
    },
    /// `abort msg;`
    Abort(Expr),
    /// `authorize policy(args);` — the expression is the call.
    Authorize(Expr),
    /// `emit Event { … };` — `audit` is the same with `audit: true`.
    Emit {
        audit: bool,
        event: Ident,
        fields: Vec<FieldInit>,
    },
    /// `assume cond;` — in a property only: the cases where `cond` is false are not
    /// considered.
    Assume(Expr),
    /// `assert cond[, msg];` — in a property only: what the property guarantees.
    Assert {
        cond: Expr,
        message: Option<Expr>,
    },
}

/// The binding of a `for` loop.
#[derive(Clone, Debug, PartialEq)]
pub enum ForPattern {
    /// `for x in …`
    Name(Ident),
    /// `for (k, v) in …` — each element a name or `_`.
    Tuple(Vec<Ident>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Where the parser met a syntax error (reported already): the value of a `let` it
    /// recovered from, so that the name stays bound and its uses report nothing more.
    Error,
    Literal(Literal),
    /// A plain name: a local, parameter, state, const, function, enum, contract, …
    Name(Ident),
    /// `caller`, `origin`, `now`, `block`, `self`.
    Context(ContextVar),
    /// `none`
    None,
    /// `some(e)`
    Some(Box<Expr>),
    /// `base.name` — field access, enum variant (`E.V`) or module path.
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    /// `base?.name` — the field of the record inside an option, as an option: `none`
    /// when `base` is `none`.
    OptionalField {
        base: Box<Expr>,
        name: Ident,
    },
    /// `callee(args)` — function, built-in, policy or contract-interface call.
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `receiver.method(args)` — built-in method (`.len()`, `.get(k)`, …) or
    /// cross-contract call (`Consent(addr).may_access(…)`).
    MethodCall {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Expr>,
    },
    /// `base[index]`
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `"text {expr} text"`: a string literal with at least one interpolation.
    Interpolated(Vec<StringPart>),
    /// `(a, b, …)` with at least two elements.
    Tuple(Vec<Expr>),
    /// `(e)` — kept so the formatter can preserve the author's grouping.
    Paren(Box<Expr>),
    /// `[a, b]` — a List, or a Set where one is expected.
    List(Vec<Expr>),
    /// `[k: v, …]` or `[:]`.
    MapLit(Vec<(Expr, Expr)>),
    /// `Name { field: e, short, ..base }`
    Record {
        name: Ident,
        fields: Vec<FieldInit>,
        base: Option<Box<Expr>>,
    },
    /// `if c { … } else { … }` (the else may be another `if`).
    If {
        cond: Box<Expr>,
        then: Block,
        otherwise: Option<Else>,
    },
    /// `if let some(x) = e { … } else { … }` — the pattern is always an option pattern.
    IfLet {
        pattern: Pattern,
        value: Box<Expr>,
        then: Block,
        otherwise: Option<Else>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
}

/// A part of an interpolated string.
#[derive(Clone, Debug, PartialEq)]
pub enum StringPart {
    /// Text with escapes and `{{` `}}` resolved.
    Text(String),
    /// `{expr}`
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Else {
    Block(Block),
    /// `else if …` / `else if let …` — an [`ExprKind::If`] or [`ExprKind::IfLet`].
    If(Box<Expr>),
}

/// `name: value`, or the shorthand `name` (then `value` is a [`ExprKind::Name`] with the same span).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub shorthand: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    /// The arm's body: an expression, or a block written as `=> { … }`
    /// (an expression whose kind is `Block` is not needed: see [`ArmBody`]).
    pub body: ArmBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArmBody {
    Expr(Expr),
    Block(Block),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A bare name: binds the value, or is a variant where the scrutinee is an enum
    /// with a variant of that name (the checker decides).
    Name(Ident),
    /// `E.V` (or a longer path): an enum variant.
    Variant(Vec<Ident>),
    /// A literal (`1`, `"x"`, `true`, `$5`, …); `-1` is a negative literal here.
    Literal(Literal),
    /// `some(p)`
    Some(Box<Pattern>),
    /// `none`
    None,
    /// `(p, q, …)`
    Tuple(Vec<Pattern>),
    /// `p | q | …`
    Or(Vec<Pattern>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextVar {
    Caller,
    Origin,
    Now,
    Block,
    SelfAddress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    /// `..` — a half-open range (only meaningful as a `for` iterable).
    Range,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    And,
    Or,
    /// `??`
    Default,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Range => "..",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::Default => "??",
        }
    }

    /// Binding strength, tightest first as in LANGUAGE.md §4: a larger number binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 7,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Range => 5,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In => 4,
            BinaryOp::And => 3,
            BinaryOp::Or => 2,
            BinaryOp::Default => 1,
        }
    }
}

/// A literal, already converted to its stored representation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    Bool(bool),
    /// `42`, `1_000` (unsigned as written; `-` is an operator, except in patterns).
    Int(i64),
    /// `$12.50` as cents.
    Money(i64),
    /// `12.5%` as basis points.
    Percent(i64),
    /// `30d` as seconds; `text` is the literal as written, so the formatter prints it back.
    Duration {
        seconds: i64,
        text: String,
    },
    /// `@2026-01-31T08:30:00Z` as Unix seconds; `text` as written (without `@`).
    Time {
        seconds: i64,
        text: String,
    },
    /// `0x` + 40 hex digits.
    Address([u8; 20]),
    /// `0x` + 64 hex digits.
    Hash([u8; 32]),
    /// `0x` + any other even number of hex digits.
    Bytes(Vec<u8>),
    /// A string with its escapes resolved.
    String(String),
}
