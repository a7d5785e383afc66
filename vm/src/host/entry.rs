//! Calling an entry point. wasmtime checks a dynamic call's arguments against the
//! function's signature on every call; a [`TypedFunc`] is checked once, when made. Entry
//! points take only `i64`s and return one `i64` or nothing, so the common shapes (up to
//! four parameters) are called typed and the rest dynamically. Both run the same code.

use wasmtime::{AsContextMut, Func, TypedFunc, Val};

/// An entry point's function, ready to call.
#[derive(Clone)]
pub(crate) enum EntryFunc {
    Returns0(TypedFunc<(), i64>),
    Returns1(TypedFunc<i64, i64>),
    Returns2(TypedFunc<(i64, i64), i64>),
    Returns3(TypedFunc<(i64, i64, i64), i64>),
    Returns4(TypedFunc<(i64, i64, i64, i64), i64>),
    Unit0(TypedFunc<(), ()>),
    Unit1(TypedFunc<i64, ()>),
    Unit2(TypedFunc<(i64, i64), ()>),
    Unit3(TypedFunc<(i64, i64, i64), ()>),
    Unit4(TypedFunc<(i64, i64, i64, i64), ()>),
    Dynamic(Func),
}

impl EntryFunc {
    /// `func`, typed when it has one of the common shapes (`params` `i64`s, and one
    /// `i64` result when `returns`).
    pub(crate) fn new(
        ctx: impl AsContextMut,
        func: Func,
        params: usize,
        returns: bool,
    ) -> EntryFunc {
        use EntryFunc as E;
        let ctx = ctx.as_context();
        let typed = match (params, returns) {
            (0, true) => func.typed(&ctx).map(E::Returns0),
            (1, true) => func.typed(&ctx).map(E::Returns1),
            (2, true) => func.typed(&ctx).map(E::Returns2),
            (3, true) => func.typed(&ctx).map(E::Returns3),
            (4, true) => func.typed(&ctx).map(E::Returns4),
            (0, false) => func.typed(&ctx).map(E::Unit0),
            (1, false) => func.typed(&ctx).map(E::Unit1),
            (2, false) => func.typed(&ctx).map(E::Unit2),
            (3, false) => func.typed(&ctx).map(E::Unit3),
            (4, false) => func.typed(&ctx).map(E::Unit4),
            _ => return E::Dynamic(func),
        };
        typed.unwrap_or(E::Dynamic(func))
    }

    /// Calls it with `params`; its result, if it returns one.
    pub(crate) fn call(
        &self,
        mut ctx: impl AsContextMut,
        params: &[i64],
        returns: bool,
    ) -> wasmtime::Result<Option<i64>> {
        use EntryFunc as E;
        match (self, params) {
            (E::Returns0(f), []) => f.call(&mut ctx, ()).map(Some),
            (E::Returns1(f), [a]) => f.call(&mut ctx, *a).map(Some),
            (E::Returns2(f), [a, b]) => f.call(&mut ctx, (*a, *b)).map(Some),
            (E::Returns3(f), [a, b, c]) => f.call(&mut ctx, (*a, *b, *c)).map(Some),
            (E::Returns4(f), [a, b, c, d]) => f.call(&mut ctx, (*a, *b, *c, *d)).map(Some),
            (E::Unit0(f), []) => f.call(&mut ctx, ()).map(|()| None),
            (E::Unit1(f), [a]) => f.call(&mut ctx, *a).map(|()| None),
            (E::Unit2(f), [a, b]) => f.call(&mut ctx, (*a, *b)).map(|()| None),
            (E::Unit3(f), [a, b, c]) => f.call(&mut ctx, (*a, *b, *c)).map(|()| None),
            (E::Unit4(f), [a, b, c, d]) => f.call(&mut ctx, (*a, *b, *c, *d)).map(|()| None),
            _ => {
                let params: Vec<Val> = params.iter().map(|p| Val::I64(*p)).collect();
                let mut results = vec![Val::I64(0); usize::from(returns)];
                self.func().call(&mut ctx, &params, &mut results)?;
                Ok(results.first().and_then(Val::i64))
            }
        }
    }

    fn func(&self) -> &Func {
        use EntryFunc as E;
        match self {
            E::Returns0(f) => f.func(),
            E::Returns1(f) => f.func(),
            E::Returns2(f) => f.func(),
            E::Returns3(f) => f.func(),
            E::Returns4(f) => f.func(),
            E::Unit0(f) => f.func(),
            E::Unit1(f) => f.func(),
            E::Unit2(f) => f.func(),
            E::Unit3(f) => f.func(),
            E::Unit4(f) => f.func(),
            E::Dynamic(f) => f,
        }
    }
}
