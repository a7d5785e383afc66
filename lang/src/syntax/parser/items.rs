//! Items: `contract`, `import`, `const`, `enum`, `record`, `event`, `state`, `init`,
//! `action`, `view`, `fn` and `policy`.

use super::{Failed, PResult, Parser};
use crate::diagnostics::syntax_errors;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind;

impl Parser {
    pub(super) fn source_unit(&mut self, require_contract: bool) -> SourceUnit {
        let mut contract = None;
        let first_span = self.span();
        if self.at_word("contract") {
            let start = self.pos;
            match self.contract_decl() {
                Ok(decl) => contract = Some(decl),
                Err(Failed) => self.recover_item(start),
            }
        }
        let mut misplaced_contract: Option<Span> = None;
        let mut items = Vec::new();
        while !self.at_eof() {
            let start = self.pos;
            if self.at_word("contract") && self.token().line_start {
                match self.contract_decl() {
                    Ok(decl) => {
                        if contract.is_none() && misplaced_contract.is_none() {
                            misplaced_contract = Some(decl.span);
                            contract = Some(decl);
                        } else {
                            let diagnostic = syntax_errors::second_contract(self.file, decl.span);
                            self.report(diagnostic);
                        }
                    }
                    Err(Failed) => self.recover_item(start),
                }
                continue;
            }
            match self.item() {
                Ok(item) => items.push(item),
                Err(Failed) => self.recover_item(start),
            }
        }
        if require_contract {
            if let Some(span) = misplaced_contract {
                let diagnostic = syntax_errors::misplaced_contract(self.file, span);
                self.report(diagnostic);
            } else if contract.is_none() {
                let diagnostic = syntax_errors::missing_contract(self.file, first_span);
                self.report(diagnostic);
            }
        }
        SourceUnit {
            contract,
            items,
            span: Span::new(0, self.span().end),
        }
    }

    fn contract_decl(&mut self) -> PResult<ContractDecl> {
        let doc = self.token().doc.clone();
        let start = self.advance();
        let name = self.ident("a contract name")?;
        self.expect_semi()?;
        Ok(ContractDecl {
            doc,
            name,
            span: self.since(start),
        })
    }

    fn item(&mut self) -> PResult<Item> {
        let doc = self.token().doc.clone();
        let start = self.span();
        let TokenKind::Ident(word) = self.peek().clone() else {
            return Err(self.expected_item());
        };
        let kind = match word.as_str() {
            "import" => ItemKind::Import(self.import()?),
            "const" => ItemKind::Const(self.const_decl()?),
            "enum" => ItemKind::Enum(self.enum_decl()?),
            "record" => {
                self.advance();
                let name = self.ident("a record name")?;
                let fields = self.field_decls()?;
                ItemKind::Record(RecordDecl { name, fields })
            }
            "event" => {
                self.advance();
                let name = self.ident("an event name")?;
                let fields = self.field_decls()?;
                ItemKind::Event(EventDecl { name, fields })
            }
            "state" => ItemKind::State(self.state_decl()?),
            "init" => ItemKind::Function(self.function(FunctionKind::Init)?),
            "action" => ItemKind::Function(self.function(FunctionKind::Action)?),
            "view" => ItemKind::Function(self.function(FunctionKind::View)?),
            "fn" => ItemKind::Function(self.function(FunctionKind::Fn)?),
            "property" => ItemKind::Function(self.function(FunctionKind::Property)?),
            "policy" => ItemKind::Policy(self.policy()?),
            _ => return Err(self.expected_item()),
        };
        Ok(Item {
            doc,
            kind,
            span: self.since(start),
        })
    }

    fn expected_item(&mut self) -> Failed {
        let found = self.peek().describe();
        let diagnostic = syntax_errors::expected_item(self.file, self.span(), &found);
        self.report(diagnostic);
        Failed
    }

    fn import(&mut self) -> PResult<Import> {
        self.advance();
        if let TokenKind::Literal(Literal::String(path)) = self.peek().clone() {
            let path_span = self.advance();
            self.expect_semi()?;
            return Ok(Import::File { path, path_span });
        }
        let mut path = vec![self.ident("a module path such as `std.consent`")?];
        while self.eat(&TokenKind::Dot).is_some() {
            path.push(self.ident("a module name")?);
        }
        self.expect_semi()?;
        Ok(Import::Std { path })
    }

    fn const_decl(&mut self) -> PResult<ConstDecl> {
        self.advance();
        let name = self.ident("a constant name")?;
        self.expect(&TokenKind::Colon)?;
        let ty = self.type_expr()?;
        self.expect(&TokenKind::Eq)?;
        let value = self.expr()?;
        self.expect_semi()?;
        Ok(ConstDecl { name, ty, value })
    }

    fn state_decl(&mut self) -> PResult<StateDecl> {
        self.advance();
        let name = self.ident("a state name")?;
        self.expect(&TokenKind::Colon)?;
        let ty = self.type_expr()?;
        let init = if self.eat(&TokenKind::Eq).is_some() {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_semi()?;
        Ok(StateDecl { name, ty, init })
    }

    fn enum_decl(&mut self) -> PResult<EnumDecl> {
        self.advance();
        let name = self.ident("an enum name")?;
        let variants = self.variants()?;
        Ok(EnumDecl { name, variants })
    }

    /// `{ A, B { C, D }, }`
    fn variants(&mut self) -> PResult<Vec<Variant>> {
        self.nested(|p| {
            p.expect(&TokenKind::LBrace)?;
            let mut variants = Vec::new();
            while !p.at(&TokenKind::RBrace) {
                let doc = p.token().doc.clone();
                let start = p.span();
                let name = p.ident("a variant name")?;
                let children = if p.at(&TokenKind::LBrace) {
                    p.variants()?
                } else {
                    Vec::new()
                };
                variants.push(Variant {
                    doc,
                    name,
                    children,
                    span: p.since(start),
                });
                if p.eat(&TokenKind::Comma).is_none() {
                    break;
                }
            }
            p.expect(&TokenKind::RBrace)?;
            Ok(variants)
        })
    }

    /// `{ [indexed] name: T, … }` of a record or event.
    fn field_decls(&mut self) -> PResult<Vec<FieldDecl>> {
        self.expect(&TokenKind::LBrace)?;
        let mut fields = Vec::new();
        while !self.at(&TokenKind::RBrace) {
            let doc = self.token().doc.clone();
            let start = self.span();
            let indexed =
                if self.at_word("indexed") && matches!(self.peek_at(1), TokenKind::Ident(_)) {
                    Some(self.advance())
                } else {
                    None
                };
            let name = self.ident("a field name")?;
            self.expect(&TokenKind::Colon)?;
            let ty = self.type_expr()?;
            fields.push(FieldDecl {
                doc,
                indexed,
                name,
                ty,
                span: self.since(start),
            });
            if self.eat(&TokenKind::Comma).is_none() {
                break;
            }
        }
        self.expect(&TokenKind::RBrace)?;
        Ok(fields)
    }

    fn function(&mut self, kind: FunctionKind) -> PResult<FunctionDecl> {
        let keyword = self.advance();
        let name = if kind == FunctionKind::Init {
            Ident {
                name: "init".to_string(),
                span: keyword,
            }
        } else {
            self.ident("a function name")?
        };
        let params = self.params()?;
        let ret = if self.eat(&TokenKind::Arrow).is_some() {
            Some(self.type_expr()?)
        } else {
            None
        };
        self.in_property = kind == FunctionKind::Property;
        let body = self.block();
        self.in_property = false;
        let body = body?;
        Ok(FunctionDecl {
            kind,
            keyword,
            name,
            params,
            ret,
            body,
        })
    }

    /// `(name: T, …)`
    pub(super) fn params(&mut self) -> PResult<Vec<Param>> {
        self.expect(&TokenKind::LParen)?;
        let mut params = Vec::new();
        while !self.at(&TokenKind::RParen) {
            let start = self.span();
            let name = self.ident("a parameter name")?;
            self.expect(&TokenKind::Colon)?;
            let ty = self.type_expr()?;
            params.push(Param {
                name,
                ty,
                span: self.since(start),
            });
            if self.eat(&TokenKind::Comma).is_none() {
                break;
            }
        }
        self.expect(&TokenKind::RParen)?;
        Ok(params)
    }

    fn policy(&mut self) -> PResult<PolicyDecl> {
        self.advance();
        let name = self.ident("a policy name")?;
        let params = self.params()?;
        let open = self.expect(&TokenKind::LBrace)?;
        let mut body = Vec::new();
        loop {
            if let Some(close) = self.eat(&TokenKind::RBrace) {
                return Ok(PolicyDecl {
                    name,
                    params,
                    body,
                    close,
                });
            }
            if self.at_eof() || self.at_item_start() {
                let diagnostic =
                    syntax_errors::unclosed(self.file, self.span(), "the policy", open);
                self.report(diagnostic);
                return Err(Failed);
            }
            let start = self.pos;
            match self.policy_stmt() {
                Ok(stmt) => body.push(stmt),
                Err(Failed) => {
                    self.recover_stmt(start);
                    if let Some(partial) = self.failed_let.take() {
                        body.push(PolicyStmt::Let(partial));
                    }
                }
            }
        }
    }

    fn policy_stmt(&mut self) -> PResult<PolicyStmt> {
        let start = self.span();
        if self.at_word("let") {
            return Ok(PolicyStmt::Let(self.let_stmt()?));
        }
        if self.at_word("default") {
            self.advance();
            let effect = self.effect("`permit` or `deny`")?;
            self.expect_semi()?;
            return Ok(PolicyStmt::Default {
                effect,
                span: self.since(start),
            });
        }
        let effect = self.effect("a rule (`permit` or `deny`), `let` or `default`")?;
        let (label, label_span) = match self.peek().clone() {
            TokenKind::Literal(Literal::String(label)) => (label, self.advance()),
            _ => {
                let failed = self.expected("a rule label in quotes, such as `\"consent\"`");
                return Err(failed);
            }
        };
        let when = if self.eat_word("when").is_some() {
            Some(self.expr()?)
        } else {
            None
        };
        let unless = if self.eat_word("unless").is_some() {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_semi()?;
        Ok(PolicyStmt::Rule(Rule {
            effect,
            label,
            label_span,
            when,
            unless,
            span: self.since(start),
        }))
    }

    fn effect(&mut self, what: &str) -> PResult<Effect> {
        if self.eat_word("permit").is_some() {
            Ok(Effect::Permit)
        } else if self.eat_word("deny").is_some() {
            Ok(Effect::Deny)
        } else {
            Err(self.expected(what))
        }
    }
}
