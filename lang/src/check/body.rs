//! The body checker's state, [`Cx`]: the function being checked and what it may do.
//! Its methods are grouped by concern: [`super::report`] (reporting, locations,
//! nesting), [`super::scope`] (locals and scopes), [`super::coerce`] (expectations and
//! conversions), then the checking itself in [`super::expr`], [`super::operators`],
//! [`super::methods`], [`super::stmt`], [`super::pattern`] and [`super::policy`].

use super::program::{ModuleId, ParamSig, Program};
use crate::span::{FileId, Span};
use crate::syntax::ast;
use crate::typed::{self, Expr, FunctionId, FunctionKind, LocalDef, LocalId, Ty};

/// What the checked code may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Function(FunctionKind),
    /// A constant or state initialiser.
    Const,
}

/// What the context wants of an expression.
#[derive(Clone, Copy, Debug)]
pub(super) enum Expect<'t> {
    /// A statement: the value, if any, is dropped.
    Discard,
    /// A value of a type the context does not know (`let x = …`).
    Value,
    /// A value of this type (or one that converts to it).
    Type(&'t Ty),
}

impl<'t> Expect<'t> {
    pub fn ty(self) -> Option<&'t Ty> {
        match self {
            Expect::Type(ty) => Some(ty),
            _ => None,
        }
    }

    pub fn wants_value(self) -> bool {
        match self {
            Expect::Discard => false,
            Expect::Value => true,
            Expect::Type(ty) => *ty != Ty::Unit,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Binding {
    Param(u32),
    Local(LocalId),
}

pub(super) struct LocalInfo {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
    pub read: bool,
}

pub(super) struct Cx<'p> {
    /// The whole program: declarations, types, and the diagnostics reported so far.
    pub program: &'p mut Program,
    pub module: ModuleId,
    pub file: FileId,
    pub role: Role,
    pub fn_name: String,
    pub ret: Ty,
    pub ret_span: Option<Span>,
    pub params: Vec<ParamSig>,
    pub locals: Vec<LocalInfo>,
    pub scopes: Vec<Vec<(String, Binding)>>,
    pub depth: u32,
    pub too_deep: bool,
    pub calls: Vec<(FunctionId, Span)>,
    /// How many `for` loops enclose the code being checked (`break` needs one).
    pub loops: u32,
    /// The persistent states the enclosing `for` loops walk (none may be written).
    pub walking: Vec<String>,
}

/// Checks every function and policy body of `module`.
pub(super) fn check_module(program: &mut Program, module: ModuleId) {
    let Some(m) = program.module(module) else {
        return;
    };
    let ast = m.ast.clone();
    // Properties last: a cross-contract call made only by a property must not change the
    // interfaces the compiled code (and so the ABI) lists.
    let (properties, mut functions): (Vec<FunctionId>, Vec<FunctionId>) =
        m.functions.iter().partition(|id| {
            program
                .function(**id)
                .is_some_and(|f| f.kind == FunctionKind::Property)
        });
    let first_property = functions.len();
    let has_properties = !properties.is_empty();
    functions.extend(properties);
    for (position, id) in functions.into_iter().enumerate() {
        if position == first_property {
            snapshot_code_interfaces(program, module);
        }
        let Some(info) = program.function(id) else {
            continue;
        };
        let item = info.item;
        let Some(item) = ast.items.get(item) else {
            continue;
        };
        let (body, cx_parts) = match &item.kind {
            ast::ItemKind::Function(decl) => {
                let mut cx = Cx::for_function(program, id);
                let body = cx.check_function_body(&decl.body, decl);
                (typed::Body::Block(body), cx.finish())
            }
            ast::ItemKind::Policy(decl) => {
                let mut cx = Cx::for_function(program, id);
                let body = cx.check_policy(decl);
                (typed::Body::Policy(body), cx.finish())
            }
            _ => continue,
        };
        if let Some(info) = program.functions.get_mut(id.index()) {
            info.body = Some(body);
            info.locals = cx_parts.0;
            info.calls = cx_parts.1;
        }
    }
    if !has_properties {
        snapshot_code_interfaces(program, module);
    }
}

/// Remembers how many entries each interface has before the properties are checked.
fn snapshot_code_interfaces(program: &mut Program, module: ModuleId) {
    if let Some(m) = program.modules.get_mut(module) {
        m.code_interfaces = m.interfaces.iter().map(|i| i.entries.len()).collect();
    }
}

/// Checks a constant or state initialiser expression of type `ty`.
pub(super) fn check_const(
    program: &mut Program,
    module: ModuleId,
    expr: &ast::Expr,
    ty: &Ty,
) -> Expr {
    let file = program.file_of(module);
    let mut cx = Cx {
        program,
        module,
        file,
        role: Role::Const,
        fn_name: String::new(),
        ret: Ty::Unit,
        ret_span: None,
        params: Vec::new(),
        locals: Vec::new(),
        scopes: vec![Vec::new()],
        depth: 0,
        too_deep: false,
        calls: Vec::new(),
        loops: 0,
        walking: Vec::new(),
    };
    cx.check_as(expr, ty)
}

impl<'p> Cx<'p> {
    /// # Panics
    /// In debug builds, for a function id this program did not hand out (a checker bug);
    /// a release build checks an empty `fn` instead.
    fn for_function(program: &'p mut Program, id: FunctionId) -> Cx<'p> {
        debug_assert!(
            program.function(id).is_some(),
            "a function id from another program"
        );
        let (module, file, kind, name, ret, ret_span, params) = match program.function(id) {
            Some(f) => (
                f.module,
                f.file,
                f.kind,
                f.name.clone(),
                f.ret.clone(),
                f.ret_span,
                f.params.clone(),
            ),
            None => (
                0,
                FileId(0),
                FunctionKind::Fn,
                String::new(),
                Ty::Unit,
                None,
                Vec::new(),
            ),
        };
        let scope = params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    p.name.clone(),
                    Binding::Param(u32::try_from(i).unwrap_or(0)),
                )
            })
            .collect();
        Cx {
            program,
            module,
            file,
            role: Role::Function(kind),
            fn_name: name,
            ret,
            ret_span,
            params,
            locals: Vec::new(),
            scopes: vec![scope],
            depth: 0,
            too_deep: false,
            calls: Vec::new(),
            loops: 0,
            walking: Vec::new(),
        }
    }

    fn finish(self) -> (Vec<LocalDef>, Vec<(FunctionId, Span)>) {
        let locals = self
            .locals
            .into_iter()
            .map(|l| LocalDef {
                name: l.name,
                ty: l.ty,
                mutable: l.mutable,
            })
            .collect();
        (locals, self.calls)
    }

    /// `init` and actions may write state and emit events.
    pub fn may_write(&self) -> bool {
        matches!(self.role, Role::Function(kind) if kind.may_write())
    }

    /// "a view", "a policy", "a constant", for messages.
    pub fn role_phrase(&self) -> String {
        match self.role {
            Role::Function(FunctionKind::View) => format!("view `{}`", self.fn_name),
            Role::Function(FunctionKind::Policy) => format!("policy `{}`", self.fn_name),
            Role::Function(FunctionKind::Fn) => format!("fn `{}`", self.fn_name),
            Role::Function(FunctionKind::Action) => format!("action `{}`", self.fn_name),
            Role::Function(FunctionKind::Init) => "`init`".to_string(),
            Role::Function(FunctionKind::Property) => format!("property `{}`", self.fn_name),
            Role::Const => "a constant".to_string(),
        }
    }
}
