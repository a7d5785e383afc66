//! Pattern tests: each leaves an `i32` (1 when the pattern matches) and binds its names.

use assent_stdlib::abi::HostFn;
use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::function::FunctionCompiler;
use super::{CodegenError, error};
use crate::typed::{Pattern, Ty};

impl<'a, 'c> FunctionCompiler<'a, 'c> {
    /// Tests the value in `value` (of type `ty`) against `pattern`.
    pub(super) fn test_pattern(
        &mut self,
        pattern: &'c Pattern,
        value: u32,
        ty: &Ty,
    ) -> Result<(), CodegenError> {
        crate::stack::guarded(|| self.test_pattern_inner(pattern, value, ty))
    }

    fn test_pattern_inner(
        &mut self,
        pattern: &'c Pattern,
        value: u32,
        ty: &Ty,
    ) -> Result<(), CodegenError> {
        match pattern {
            Pattern::Wildcard => self.i32_const(1),
            Pattern::Bind(id) => {
                let local = self.local(*id);
                self.emit(I::LocalGet(value));
                if self.local_def(*id).is_some_and(|d| d.mutable) && !ty.is_scalar() {
                    self.host(HostFn::ValCopy);
                }
                self.emit(I::LocalSet(local));
                self.i32_const(1);
            }
            Pattern::Literal(literal) => {
                self.emit(I::LocalGet(value));
                self.value(literal, ty)?;
                if literal.scalar_bits().is_some() {
                    self.emit(I::I64Eq);
                } else {
                    self.host(HostFn::ValEq);
                }
            }
            Pattern::Variant { ordinal, end, .. } => {
                self.emit(I::LocalGet(value));
                self.emit(I::I64Const(i64::from(*ordinal)));
                self.emit(I::I64GeS);
                self.emit(I::LocalGet(value));
                self.emit(I::I64Const(i64::from(*end)));
                self.emit(I::I64LtS);
                self.emit(I::I32And);
            }
            Pattern::None => {
                self.emit(I::LocalGet(value));
                self.host(HostFn::OptIsSome);
                self.emit(I::I32Eqz);
            }
            Pattern::Some(inner) => {
                let Ty::Option(inner_ty) = ty else {
                    return Err(error("`some` pattern on a non-option"));
                };
                self.emit(I::LocalGet(value));
                self.host(HostFn::OptIsSome);
                self.emit(I::If(BlockType::Result(ValType::I32)));
                self.emit(I::LocalGet(value));
                self.host(HostFn::OptUnwrap);
                let unwrapped = self.temp();
                self.emit(I::LocalSet(unwrapped));
                self.test_pattern(inner, unwrapped, inner_ty)?;
                self.emit(I::Else);
                self.i32_const(0);
                self.emit(I::End);
            }
            Pattern::Tuple(parts) => {
                let Ty::Tuple(types) = ty else {
                    return Err(error("tuple pattern on a non-tuple"));
                };
                // part0 && part1 && …, each tested only when the earlier ones matched.
                self.i32_const(1);
                for (index, (part, part_ty)) in parts.iter().zip(types.iter()).enumerate() {
                    self.emit(I::If(BlockType::Result(ValType::I32)));
                    self.emit(I::LocalGet(value));
                    self.i32_const(index as u32);
                    self.host(HostFn::RecordGet);
                    let element = self.temp();
                    self.emit(I::LocalSet(element));
                    self.test_pattern(part, element, part_ty)?;
                    self.emit(I::Else);
                    self.i32_const(0);
                    self.emit(I::End);
                }
            }
            Pattern::Or(alternatives) => {
                // alt0 || alt1 || …
                self.i32_const(0);
                for alternative in alternatives {
                    self.emit(I::If(BlockType::Result(ValType::I32)));
                    self.i32_const(1);
                    self.emit(I::Else);
                    self.test_pattern(alternative, value, ty)?;
                    self.emit(I::End);
                }
            }
        }
        Ok(())
    }
}
