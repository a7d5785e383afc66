//! Arithmetic that needs more than 64 bits: `Money * Percent` and `Money / Int`, both
//! rounded half away from zero (LANGUAGE.md §4).

use assent_stdlib::gas::HOST_CALL;
use wasmtime::Caller;

use super::{HostResult, HostState, abort, charge};

/// Basis points in 100%.
const WHOLE: i128 = 10_000;

/// `numerator / denominator` rounded half away from zero; `None` on division by zero or
/// when the result does not fit in 64 bits.
fn div_round_i128(numerator: i128, denominator: i128) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    // |remainder| * 2 >= |denominator| rounds away from zero; no overflow in i128 since
    // both operands came from i64s.
    let rounded = if remainder.abs() * 2 >= denominator.abs() {
        if (numerator < 0) == (denominator < 0) {
            quotient + 1
        } else {
            quotient - 1
        }
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

/// `amount * percent`, with `percent` in basis points; `None` on overflow.
pub(crate) fn mul_percent(amount: i64, percent: i64) -> Option<i64> {
    div_round_i128(i128::from(amount) * i128::from(percent), WHOLE)
}

/// `amount / divisor`; `None` on division by zero or overflow.
pub(crate) fn div_round(amount: i64, divisor: i64) -> Option<i64> {
    div_round_i128(i128::from(amount), i128::from(divisor))
}

/// `mul_percent(amount, percent) -> amount`
pub(super) fn host_mul_percent(
    mut caller: Caller<'_, HostState>,
    amount: i64,
    percent: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    match mul_percent(amount, percent) {
        Some(result) => Ok(result),
        None => abort("arithmetic overflow"),
    }
}

/// `div_round(amount, divisor) -> amount`
pub(super) fn host_div_round(
    mut caller: Caller<'_, HostState>,
    amount: i64,
    divisor: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    if divisor == 0 {
        return abort("division by zero");
    }
    match div_round(amount, divisor) {
        Some(result) => Ok(result),
        None => abort("arithmetic overflow"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rounding half away from zero another way: `sign * floor((2|n| + |d|) / 2|d|)`.
    fn reference(numerator: i128, denominator: i128) -> Option<i64> {
        if denominator == 0 {
            return None;
        }
        let magnitude = (2 * numerator.unsigned_abs() + denominator.unsigned_abs())
            / (2 * denominator.unsigned_abs());
        let negative = (numerator < 0) != (denominator < 0);
        let value = i128::try_from(magnitude).ok()?;
        i64::try_from(if negative { -value } else { value }).ok()
    }

    proptest! {
        #[test]
        fn mul_percent_matches_the_reference(amount in any::<i64>(), percent in -2_000_000i64..2_000_000) {
            prop_assert_eq!(mul_percent(amount, percent), reference(i128::from(amount) * i128::from(percent), 10_000));
        }

        #[test]
        fn div_round_matches_the_reference(amount in any::<i64>(), divisor in any::<i64>()) {
            prop_assert_eq!(div_round(amount, divisor), reference(i128::from(amount), i128::from(divisor)));
        }
    }

    #[test]
    fn percentages_round_half_away_from_zero() {
        // $0.05 * 10% = 0.5 cent -> 1 cent; -$0.05 * 10% -> -1 cent.
        assert_eq!(mul_percent(5, 1000), Some(1));
        assert_eq!(mul_percent(-5, 1000), Some(-1));
        assert_eq!(mul_percent(4, 1000), Some(0));
        assert_eq!(mul_percent(1250, 2000), Some(250));
        assert_eq!(mul_percent(i64::MAX, 10_000), Some(i64::MAX));
        assert_eq!(mul_percent(i64::MAX, 20_000), None);
        assert_eq!(mul_percent(333, 5000), Some(167));
        assert_eq!(mul_percent(-333, 5000), Some(-167));
    }

    #[test]
    fn division_rounds_half_away_from_zero_and_refuses_zero_and_overflow() {
        assert_eq!(div_round(1, 2), Some(1));
        assert_eq!(div_round(-1, 2), Some(-1));
        assert_eq!(div_round(1, -2), Some(-1));
        assert_eq!(div_round(10, 3), Some(3));
        assert_eq!(div_round(11, 3), Some(4));
        assert_eq!(div_round(-11, 3), Some(-4));
        assert_eq!(div_round(7, 0), None);
        assert_eq!(div_round(i64::MIN, -1), None);
        assert_eq!(div_round(i64::MIN, 1), Some(i64::MIN));
    }
}
