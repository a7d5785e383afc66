//! Checked integer arithmetic, as small functions every module carries.
//!
//! Each takes `(a, b, position)` where `position` packs the address and length of the
//! caller's `file:line:col` string (`address << 32 | length`), so an overflow aborts
//! with the position of the operator that overflowed. Nothing here can trap: every case
//! WebAssembly would trap on (`i64::MIN / -1`, division by zero) is tested first.

use assent_stdlib::abi::HostFn;
use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::data::{Piece, StaticData};
use super::function::Indices;
use super::imports::Emitted;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Helper {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Neg,
}

#[derive(Clone, Copy, Debug)]
pub struct HelperSpec {
    pub helper: Helper,
    pub params: u32,
}

/// Every helper, in the order their functions are laid out.
pub const HELPERS: &[HelperSpec] = &[
    HelperSpec {
        helper: Helper::Add,
        params: 3,
    },
    HelperSpec {
        helper: Helper::Sub,
        params: 3,
    },
    HelperSpec {
        helper: Helper::Mul,
        params: 3,
    },
    HelperSpec {
        helper: Helper::Div,
        params: 3,
    },
    HelperSpec {
        helper: Helper::Rem,
        params: 3,
    },
    HelperSpec {
        helper: Helper::Neg,
        params: 3,
    },
];

/// The function index of a helper.
pub fn index(helper: Helper, indices: Indices) -> u32 {
    let position = HELPERS.iter().position(|h| h.helper == helper).unwrap_or(0);
    indices.runtime_base + position as u32
}

const A: u32 = 0;
const B: u32 = 1;
const POSITION: u32 = 2;
const RESULT: u32 = 3;

pub fn body(spec: HelperSpec, data: &mut StaticData) -> Emitted {
    let overflow = data.string("integer overflow");
    let by_zero = data.string("division by zero");
    let mut f = Emitted::new(vec![(1, ValType::I64)]);
    match spec.helper {
        Helper::Add | Helper::Sub => {
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::LocalGet(B));
            f.instruction(if spec.helper == Helper::Add {
                &I::I64Add
            } else {
                &I::I64Sub
            });
            f.instruction(&I::LocalSet(RESULT));
            // Add: overflow iff both operands differ in sign from the result.
            // Sub: overflow iff the operands differ in sign and the result's sign is b's.
            if spec.helper == Helper::Add {
                f.instruction(&I::LocalGet(A));
                f.instruction(&I::LocalGet(RESULT));
                f.instruction(&I::I64Xor);
                f.instruction(&I::LocalGet(B));
                f.instruction(&I::LocalGet(RESULT));
                f.instruction(&I::I64Xor);
            } else {
                f.instruction(&I::LocalGet(A));
                f.instruction(&I::LocalGet(B));
                f.instruction(&I::I64Xor);
                f.instruction(&I::LocalGet(A));
                f.instruction(&I::LocalGet(RESULT));
                f.instruction(&I::I64Xor);
            }
            f.instruction(&I::I64And);
            f.instruction(&I::I64Const(0));
            f.instruction(&I::I64LtS);
            f.instruction(&I::If(BlockType::Empty));
            abort(&mut f, overflow);
            f.instruction(&I::End);
            f.instruction(&I::LocalGet(RESULT));
        }
        Helper::Mul => {
            // a == 0: 0.
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::I64Eqz);
            f.instruction(&I::If(BlockType::Empty));
            f.instruction(&I::I64Const(0));
            f.instruction(&I::Return);
            f.instruction(&I::End);
            // a == -1: -b, which overflows only for b == MIN.
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::I64Const(-1));
            f.instruction(&I::I64Eq);
            f.instruction(&I::If(BlockType::Empty));
            abort_if_equal(&mut f, B, i64::MIN, overflow);
            negate(&mut f, B);
            f.instruction(&I::Return);
            f.instruction(&I::End);
            // Otherwise the wrapped product divided by a gives b back exactly when it fits.
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::LocalGet(B));
            f.instruction(&I::I64Mul);
            f.instruction(&I::LocalTee(RESULT));
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::I64DivS);
            f.instruction(&I::LocalGet(B));
            f.instruction(&I::I64Ne);
            f.instruction(&I::If(BlockType::Empty));
            abort(&mut f, overflow);
            f.instruction(&I::End);
            f.instruction(&I::LocalGet(RESULT));
        }
        Helper::Div | Helper::Rem => {
            abort_if_equal(&mut f, B, 0, by_zero);
            f.instruction(&I::LocalGet(B));
            f.instruction(&I::I64Const(-1));
            f.instruction(&I::I64Eq);
            f.instruction(&I::If(BlockType::Empty));
            if spec.helper == Helper::Div {
                // a / -1 = -a, which overflows only for a == MIN.
                abort_if_equal(&mut f, A, i64::MIN, overflow);
                negate(&mut f, A);
            } else {
                f.instruction(&I::I64Const(0));
            }
            f.instruction(&I::Return);
            f.instruction(&I::End);
            f.instruction(&I::LocalGet(A));
            f.instruction(&I::LocalGet(B));
            f.instruction(if spec.helper == Helper::Div {
                &I::I64DivS
            } else {
                &I::I64RemS
            });
        }
        Helper::Neg => {
            abort_if_equal(&mut f, A, i64::MIN, overflow);
            negate(&mut f, A);
        }
    }
    f.instruction(&I::End);
    f
}

/// Aborts with `message` (at the caller's position) when `local` holds `value`.
fn abort_if_equal(f: &mut Emitted, local: u32, value: i64, message: Piece) {
    f.instruction(&I::LocalGet(local));
    if value == 0 {
        f.instruction(&I::I64Eqz);
    } else {
        f.instruction(&I::I64Const(value));
        f.instruction(&I::I64Eq);
    }
    f.instruction(&I::If(BlockType::Empty));
    abort(f, message);
    f.instruction(&I::End);
}

/// `abort_static(message, position)`; the position is unpacked from the third parameter.
fn abort(f: &mut Emitted, message: Piece) {
    f.instruction(&I::I32Const(message.address as i32));
    f.instruction(&I::I32Const(message.len as i32));
    f.instruction(&I::LocalGet(POSITION));
    f.instruction(&I::I64Const(32));
    f.instruction(&I::I64ShrU);
    f.instruction(&I::I32WrapI64);
    f.instruction(&I::LocalGet(POSITION));
    f.instruction(&I::I32WrapI64);
    f.instruction(&I::Call(HostFn::AbortStatic.index()));
    f.instruction(&I::Unreachable);
}

/// `0 - local`, for operands already known not to be `i64::MIN`.
fn negate(f: &mut Emitted, local: u32) {
    f.instruction(&I::I64Const(0));
    f.instruction(&I::LocalGet(local));
    f.instruction(&I::I64Sub);
}
