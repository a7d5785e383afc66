//! A readable dump of a typed contract: one node per line, every expression with its type.

use std::fmt::Write as _;

use assent_stdlib::value::Value;

use super::{
    Block, Body, Contract, Effect, Expr, ExprKind, ForBinding, ForIter, Function, Pattern, Place,
    PlaceRoot, PolicyStep, Projection, Rule, Stmt, StmtKind,
};

struct Dumper<'c> {
    contract: &'c Contract,
    function: Option<&'c Function>,
    out: String,
}

/// The declarations of the contract's own module, then every function.
pub(super) fn contract(contract: &Contract) -> String {
    let mut d = Dumper {
        contract,
        function: None,
        out: String::new(),
    };
    d.line(0, &format!("contract {}", contract.name));
    for e in contract
        .enums
        .iter()
        .filter(|e| e.module == contract.module)
    {
        let variants: Vec<String> = e
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{}={i}..{}", v.name, v.end))
            .collect();
        d.line(0, &format!("enum {} {{ {} }}", e.name, variants.join(", ")));
    }
    for r in contract
        .records
        .iter()
        .filter(|r| r.module == contract.module)
    {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, contract.type_name(&f.ty)))
            .collect();
        d.line(0, &format!("record {} {{ {} }}", r.name, fields.join(", ")));
    }
    for e in contract
        .events
        .iter()
        .filter(|e| e.module == contract.module)
    {
        let fields: Vec<String> = e
            .fields
            .iter()
            .map(|f| {
                let indexed = if f.indexed { "indexed " } else { "" };
                format!("{indexed}{}: {}", f.name, contract.type_name(&f.ty))
            })
            .collect();
        d.line(0, &format!("event {} {{ {} }}", e.name, fields.join(", ")));
    }
    for c in &contract.consts {
        d.line(
            0,
            &format!(
                "const {}: {} = {}",
                c.name,
                contract.type_name(&c.ty),
                value(&c.value)
            ),
        );
    }
    for (index, s) in contract.states.iter().enumerate() {
        let init = s
            .init
            .as_ref()
            .map_or_else(String::new, |v| format!(" = {}", value(v)));
        let persistent = if s.persistent { " (persistent)" } else { "" };
        d.line(
            0,
            &format!(
                "state {index} {}: {}{persistent}{init}",
                s.name,
                contract.type_name(&s.ty)
            ),
        );
    }
    for i in &contract.interfaces {
        for (index, entry) in i.entries.iter().enumerate() {
            let params: Vec<String> = entry
                .params
                .iter()
                .map(|p| format!("{}: {}", p.name, contract.type_name(&p.ty)))
                .collect();
            d.line(
                0,
                &format!(
                    "interface {}.{index} {} {}({}) -> {}",
                    i.contract,
                    entry.kind.keyword(),
                    entry.name,
                    params.join(", "),
                    contract.type_name(&entry.ret)
                ),
            );
        }
    }
    for (index, function) in contract.functions.iter().enumerate() {
        d.function(index, function);
    }
    for (index, property) in contract.properties.iter().enumerate() {
        d.function(index, property);
    }
    d.out
}

impl<'c> Dumper<'c> {
    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = depth * 2);
    }

    fn ty(&self, ty: &super::Ty) -> String {
        self.contract.type_name(ty)
    }

    fn local(&self, id: super::LocalId) -> String {
        let name = self
            .function
            .and_then(|f| f.locals.get(id.index()))
            .map_or("?", |l| l.name.as_str());
        format!("{name}#{}", id.0)
    }

    fn function(&mut self, index: usize, function: &'c Function) {
        self.function = Some(function);
        let params: Vec<String> = function
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, self.ty(&p.ty)))
            .collect();
        let exported = if function.exported { " export" } else { "" };
        self.line(
            0,
            &format!(
                "fn {index} {} {} ({}) -> {} [{}]{exported}",
                function.kind.keyword(),
                function.name,
                params.join(", "),
                self.ty(&function.ret),
                function.module
            ),
        );
        if function.module != self.contract.module {
            // Standard-library bodies are tested with the library, not in every dump.
            return;
        }
        for (id, local) in function.locals.iter().enumerate() {
            let mutable = if local.mutable { "mut " } else { "" };
            self.line(
                1,
                &format!("local {mutable}{}#{id}: {}", local.name, self.ty(&local.ty)),
            );
        }
        match &function.body {
            Body::Block(block) => self.block(1, block),
            Body::Policy(policy) => {
                for step in &policy.deny_pass {
                    match step {
                        PolicyStep::Let { local, value } => {
                            self.line(1, &format!("let {}", self.local(*local)));
                            self.expr(2, value);
                        }
                        PolicyStep::Deny(rule) => self.rule(1, rule),
                    }
                }
                for rule in &policy.permits {
                    self.rule(1, rule);
                }
                let default = match policy.default {
                    Effect::Permit => "permit",
                    Effect::Deny => "deny",
                };
                self.line(1, &format!("default {default}"));
            }
        }
    }

    fn rule(&mut self, depth: usize, rule: &Rule) {
        let effect = match rule.effect {
            Effect::Permit => "permit",
            Effect::Deny => "deny",
        };
        self.line(depth, &format!("{effect} {:?}", rule.label));
        if let Some(when) = &rule.when {
            self.line(depth + 1, "when");
            self.expr(depth + 2, when);
        }
        if let Some(unless) = &rule.unless {
            self.line(depth + 1, "unless");
            self.expr(depth + 2, unless);
        }
    }

    fn block(&mut self, depth: usize, block: &Block) {
        self.line(depth, &format!("block : {}", self.ty(&block.ty)));
        for stmt in &block.stmts {
            self.stmt(depth + 1, stmt);
        }
        if let Some(tail) = &block.tail {
            self.line(depth + 1, "tail");
            self.expr(depth + 2, tail);
        }
    }

    fn stmt(&mut self, depth: usize, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { local, value } => {
                self.line(depth, &format!("let {}", self.local(*local)));
                self.expr(depth + 1, value);
            }
            StmtKind::LetTuple { locals, value } => {
                let names: Vec<String> = locals.iter().map(|id| self.binding(*id)).collect();
                self.line(depth, &format!("let ({})", names.join(", ")));
                self.expr(depth + 1, value);
            }
            StmtKind::Assign { place, op, value } => {
                let op = op.map_or("=".to_string(), |op| format!("{op:?}="));
                self.line(depth, &format!("assign {op}"));
                self.place(depth + 1, place);
                self.expr(depth + 1, value);
            }
            StmtKind::Expr(e) => {
                self.line(depth, "expr");
                self.expr(depth + 1, e);
            }
            StmtKind::For {
                binding,
                iter,
                body,
            } => {
                let binding = match binding {
                    ForBinding::Name(id) => self.binding(*id),
                    ForBinding::Tuple(ids) => format!(
                        "({})",
                        ids.iter()
                            .map(|id| self.binding(*id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                match iter {
                    ForIter::Range { start, end } => {
                        self.line(depth, &format!("for {binding} in range"));
                        self.expr(depth + 1, start);
                        self.expr(depth + 1, end);
                    }
                    ForIter::List(e) | ForIter::Set(e) | ForIter::Map(e) => {
                        let kind = match iter {
                            ForIter::List(_) => "list",
                            ForIter::Set(_) => "set",
                            _ => "map",
                        };
                        self.line(depth, &format!("for {binding} in {kind}"));
                        self.expr(depth + 1, e);
                    }
                    ForIter::Persistent { state, prefix, .. } => {
                        self.line(depth, &format!("for {binding} in persistent {}", state.0));
                        for component in prefix {
                            self.expr(depth + 1, component);
                        }
                    }
                }
                self.block(depth + 1, body);
            }
            StmtKind::Return(value) => {
                self.line(depth, "return");
                if let Some(value) = value {
                    self.expr(depth + 1, value);
                }
            }
            StmtKind::Break => self.line(depth, "break"),
            StmtKind::Continue => self.line(depth, "continue"),
            StmtKind::Require { cond, message } => {
                self.line(depth, &format!("require at {}", self.position(stmt)));
                self.expr(depth + 1, cond);
                self.expr(depth + 1, message);
            }
            StmtKind::Assume(cond) => {
                self.line(depth, "assume");
                self.expr(depth + 1, cond);
            }
            StmtKind::Assert { cond, message } => {
                self.line(depth, &format!("assert at {}", self.position(stmt)));
                self.expr(depth + 1, cond);
                if let Some(message) = message {
                    self.expr(depth + 1, message);
                }
            }
            StmtKind::Abort(message) => {
                self.line(depth, &format!("abort at {}", self.position(stmt)));
                self.expr(depth + 1, message);
            }
            StmtKind::Authorize(call) => {
                self.line(depth, &format!("authorize at {}", self.position(stmt)));
                self.expr(depth + 1, call);
            }
            StmtKind::Emit {
                event,
                audit,
                fields,
            } => {
                let name = self
                    .contract
                    .events
                    .get(event.index())
                    .map_or("?", |e| e.name.as_str());
                let keyword = if *audit { "audit" } else { "emit" };
                self.line(depth, &format!("{keyword} {name} (event {})", event.0));
                for field in fields {
                    self.expr(depth + 1, field);
                }
            }
        }
    }

    fn position(&self, stmt: &Stmt) -> String {
        self.contract.position(stmt.loc)
    }

    fn binding(&self, id: Option<super::LocalId>) -> String {
        id.map_or_else(|| "_".to_string(), |id| self.local(id))
    }

    fn place(&mut self, depth: usize, place: &Place) {
        let root = match &place.root {
            PlaceRoot::Local(id) => format!("local {}", self.local(*id)),
            PlaceRoot::State(id) => format!("state {}", id.0),
            PlaceRoot::StateEntry { state, .. } => format!("state {} entry", state.0),
        };
        let path: Vec<String> = place
            .path
            .iter()
            .map(|p| match p {
                Projection::Field(i) => format!(".{i}"),
                Projection::ListIndex(_) => "[list index]".to_string(),
                Projection::MapKey(_) => "[map key]".to_string(),
            })
            .collect();
        self.line(
            depth,
            &format!("place {root}{} : {}", path.join(""), self.ty(&place.ty)),
        );
        if let PlaceRoot::StateEntry { key, .. } = &place.root {
            self.expr(depth + 1, key);
        }
        for p in &place.path {
            if let Projection::ListIndex(e) | Projection::MapKey(e) = p {
                self.expr(depth + 1, e);
            }
        }
    }

    fn expr(&mut self, depth: usize, expr: &Expr) {
        crate::stack::guarded(|| self.expr_guarded(depth, expr));
    }

    fn expr_guarded(&mut self, depth: usize, expr: &Expr) {
        let ty = self.ty(&expr.ty);
        let head = match &expr.kind {
            ExprKind::Literal(v) => format!("literal {}", value(v)),
            ExprKind::Param(i) => {
                let name = self
                    .function
                    .and_then(|f| f.params.get(*i as usize))
                    .map_or("?", |p| p.name.as_str());
                format!("param {name}")
            }
            ExprKind::Local(id) => format!("local {}", self.local(*id)),
            ExprKind::Const(id) => {
                let name = self
                    .contract
                    .consts
                    .get(id.index())
                    .map_or("?", |c| c.name.as_str());
                format!("const {name}")
            }
            ExprKind::State(id) => {
                let name = self
                    .contract
                    .states
                    .get(id.index())
                    .map_or("?", |s| s.name.as_str());
                format!("state {name}")
            }
            ExprKind::Context(var) => format!("context {var:?}"),
            ExprKind::Variant { ordinal, end, .. } => {
                format!(
                    "variant {ty}.{} ({ordinal}..{end})",
                    self.variant_name(expr, *ordinal)
                )
            }
            ExprKind::Some(_) => "some".to_string(),
            ExprKind::None => "none".to_string(),
            ExprKind::Tuple(_) => "tuple".to_string(),
            ExprKind::Record { .. } => "record".to_string(),
            ExprKind::RecordUpdate { fields, .. } => format!(
                "record update of fields {:?}",
                fields.iter().map(|(i, _)| *i).collect::<Vec<_>>()
            ),
            ExprKind::Field { index, .. } => format!("field {index}"),
            ExprKind::OptionalField { index, .. } => format!("optional field {index}"),
            ExprKind::List(_) => "list".to_string(),
            ExprKind::Set(_) => "set".to_string(),
            ExprKind::Map(_) => "map".to_string(),
            ExprKind::Unary { op, .. } => format!("{op:?}"),
            ExprKind::Binary { op, .. } => format!("{op:?}"),
            ExprKind::Builtin { builtin, .. } => format!("builtin {builtin:?}"),
            ExprKind::Persistent { state, op, .. } => {
                let name = self
                    .contract
                    .states
                    .get(state.index())
                    .map_or("?", |s| s.name.as_str());
                format!("persistent {op:?} {name}")
            }
            ExprKind::Mutate { op, .. } => format!("mutate {op:?}"),
            ExprKind::Call { function, .. } => {
                let name = self
                    .contract
                    .function(*function)
                    .map_or("?", |f| f.name.as_str());
                format!("call {name} (fn {})", function.0)
            }
            ExprKind::CrossCall {
                interface, entry, ..
            } => {
                let (contract, name) =
                    self.contract
                        .interfaces
                        .get(interface.index())
                        .map_or(("?", "?"), |i| {
                            (
                                i.contract.as_str(),
                                i.entries
                                    .get(*entry as usize)
                                    .map_or("?", |e| e.name.as_str()),
                            )
                        });
                format!("cross call {contract}.{name}")
            }
            ExprKind::If { .. } => "if".to_string(),
            ExprKind::IfLet { pattern, .. } => format!("if let {}", self.pattern(pattern)),
            ExprKind::Match { .. } => "match".to_string(),
            ExprKind::Block(_) => "block".to_string(),
        };
        self.line(depth, &format!("{head} : {ty}"));
        let inner = depth + 1;
        match &expr.kind {
            ExprKind::Some(e)
            | ExprKind::Field { base: e, .. }
            | ExprKind::OptionalField { base: e, .. }
            | ExprKind::Unary { operand: e, .. } => self.expr(inner, e),
            ExprKind::Tuple(items)
            | ExprKind::List(items)
            | ExprKind::Set(items)
            | ExprKind::Record { fields: items, .. }
            | ExprKind::Builtin { args: items, .. }
            | ExprKind::Persistent { args: items, .. }
            | ExprKind::Call { args: items, .. } => {
                for item in items {
                    self.expr(inner, item);
                }
            }
            ExprKind::RecordUpdate { base, fields } => {
                self.expr(inner, base);
                for (_, field) in fields {
                    self.expr(inner, field);
                }
            }
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    self.expr(inner, k);
                    self.expr(inner, v);
                }
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(inner, lhs);
                self.expr(inner, rhs);
            }
            ExprKind::Mutate { place, arg, .. } => {
                self.place(inner, place);
                self.expr(inner, arg);
            }
            ExprKind::CrossCall { address, args, .. } => {
                self.expr(inner, address);
                for arg in args {
                    self.expr(inner, arg);
                }
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(inner, cond);
                self.block(inner, then);
                if let Some(otherwise) = otherwise {
                    self.block(inner, otherwise);
                }
            }
            ExprKind::IfLet {
                value,
                then,
                otherwise,
                ..
            } => {
                self.expr(inner, value);
                self.block(inner, then);
                if let Some(otherwise) = otherwise {
                    self.block(inner, otherwise);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(inner, scrutinee);
                for arm in arms {
                    self.line(inner, &format!("arm {}", self.pattern(&arm.pattern)));
                    self.block(inner + 1, &arm.body);
                }
            }
            ExprKind::Block(block) => self.block(inner, block),
            _ => {}
        }
    }

    fn variant_name(&self, expr: &Expr, ordinal: u32) -> String {
        match &expr.ty {
            super::Ty::Enum(id) => self
                .contract
                .enum_def(*id)
                .and_then(|e| e.variants.get(ordinal as usize))
                .map_or_else(|| "?".to_string(), |v| v.name.clone()),
            _ => "?".to_string(),
        }
    }

    fn pattern(&self, pattern: &Pattern) -> String {
        match pattern {
            Pattern::Wildcard => "_".to_string(),
            Pattern::Bind(id) => self.local(*id),
            Pattern::Literal(v) => value(v),
            Pattern::Variant {
                enum_id,
                ordinal,
                end,
            } => {
                let (e, v) = self.contract.enum_def(*enum_id).map_or(("?", "?"), |e| {
                    (
                        e.name.as_str(),
                        e.variants
                            .get(*ordinal as usize)
                            .map_or("?", |v| v.name.as_str()),
                    )
                });
                format!("{e}.{v} ({ordinal}..{end})")
            }
            Pattern::Some(p) => format!("some({})", self.pattern(p)),
            Pattern::None => "none".to_string(),
            Pattern::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(|p| self.pattern(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Pattern::Or(alts) => alts
                .iter()
                .map(|p| self.pattern(p))
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

/// A value in a form close to its source.
fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Money(cents) => {
            let sign = if *cents < 0 { "-" } else { "" };
            let abs = cents.unsigned_abs();
            format!("{sign}${}.{:02}", abs / 100, abs % 100)
        }
        Value::Percent(bp) => format!("{bp}bp"),
        Value::Time(s) => format!("@{s}"),
        Value::Duration(s) => format!("{s}s"),
        Value::Address(bytes) => hex(bytes),
        Value::Hash(bytes) => hex(bytes),
        Value::Bytes(bytes) => hex(bytes),
        Value::String(s) => format!("{s:?}"),
        Value::Enum(ordinal) => format!("#{ordinal}"),
        Value::Record(fields) => format!(
            "{{{}}}",
            fields.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
        Value::Option(None) => "none".to_string(),
        Value::Option(Some(inner)) => format!("some({})", value(inner)),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
        Value::Set(items) => format!(
            "set[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "[{}]",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", value(k), value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
