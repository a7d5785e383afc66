//! Which host functions a module imports, and the function index space that follows.
//!
//! Bodies are generated before the module knows which host functions it calls, so they
//! address functions in a provisional index space where every host function of
//! [`HOST_FUNCTIONS`] is imported (a host function's index is its [`HostFn`]
//! discriminant). Once every body exists, [`Imports`] keeps only the host functions some
//! body calls, in table order, and renumbers every call. Each import costs the VM work on
//! every instantiation, so a policy that reads two maps should not pay for 45 of them.
//!
//! [`HostFn`]: assent_stdlib::abi::HostFn

use std::collections::BTreeSet;

use assent_stdlib::abi::{HOST_FUNCTIONS, HostFunction};
use wasm_encoder::{Function, Instruction as I, ValType};

/// A function body whose calls still use the provisional index space.
#[derive(Clone, Debug, Default)]
pub struct Emitted {
    locals: Vec<(u32, ValType)>,
    instructions: Vec<I<'static>>,
}

impl Emitted {
    /// A body with these groups of locals (after the parameters), as [`Function::new`].
    pub fn new(locals: Vec<(u32, ValType)>) -> Self {
        Self::with(locals, Vec::new())
    }

    /// A body of `instructions` (ending with `end`).
    pub fn with(locals: Vec<(u32, ValType)>, instructions: Vec<I<'static>>) -> Self {
        Emitted {
            locals,
            instructions,
        }
    }

    pub fn instruction(&mut self, instruction: &I<'static>) -> &mut Self {
        self.instructions.push(instruction.clone());
        self
    }

    /// Every function this body calls (provisional indices).
    fn callees(&self) -> impl Iterator<Item = u32> + '_ {
        self.instructions
            .iter()
            .filter_map(|instruction| match instruction {
                I::Call(index) => Some(*index),
                _ => None,
            })
    }

    /// The encoded body, every call renumbered by `imports`.
    pub fn encode(&self, imports: &Imports) -> Function {
        let mut function = Function::new(self.locals.iter().copied());
        for instruction in &self.instructions {
            match instruction {
                I::Call(index) => function.instruction(&I::Call(imports.function_index(*index))),
                other => function.instruction(other),
            };
        }
        function
    }
}

/// The host functions a module imports and the renumbering of its function indices.
#[derive(Clone, Debug)]
pub struct Imports {
    /// Provisional indices (= positions in [`HOST_FUNCTIONS`]) of the imported host
    /// functions, ascending; an import's final index is its position here.
    used: Vec<u32>,
}

/// How many function indices the provisional space gives to imports.
pub fn provisional_count() -> u32 {
    HOST_FUNCTIONS.len() as u32
}

impl Imports {
    /// The host functions `bodies` call.
    pub fn called_by<'a>(bodies: impl IntoIterator<Item = &'a Emitted>) -> Self {
        let host_count = provisional_count();
        let used: BTreeSet<u32> = bodies
            .into_iter()
            .flat_map(Emitted::callees)
            .filter(|index| *index < host_count)
            .collect();
        Imports {
            used: used.into_iter().collect(),
        }
    }

    /// The imported host functions, in import order.
    pub fn host_functions(&self) -> impl Iterator<Item = &'static HostFunction> + '_ {
        self.used
            .iter()
            .filter_map(|index| HOST_FUNCTIONS.get(*index as usize))
    }

    /// The final index of the function at `provisional`: imports keep their order among
    /// themselves; defined functions move down by the number of imports dropped.
    pub fn function_index(&self, provisional: u32) -> u32 {
        let host_count = provisional_count();
        if provisional < host_count {
            // Every called host function is in `used` by construction.
            self.used.partition_point(|index| *index < provisional) as u32
        } else {
            provisional - host_count + self.used.len() as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calling(indices: &[u32]) -> Emitted {
        let mut body = Emitted::new(Vec::new());
        for index in indices {
            body.instruction(&I::Call(*index));
        }
        body
    }

    #[test]
    fn only_called_host_functions_are_imported_and_indices_close_up() {
        let host = provisional_count();
        let bodies = [calling(&[7, host + 1]), calling(&[2, 7, host])];
        let imports = Imports::called_by(&bodies);
        let names: Vec<&str> = imports.host_functions().map(|f| f.name).collect();
        let expected: Vec<&str> = [2, 7]
            .iter()
            .map(|i| HOST_FUNCTIONS[*i as usize].name)
            .collect();
        assert_eq!(names, expected);
        assert_eq!(imports.function_index(2), 0);
        assert_eq!(imports.function_index(7), 1);
        assert_eq!(imports.function_index(host), 2);
        assert_eq!(imports.function_index(host + 1), 3);
    }
}
