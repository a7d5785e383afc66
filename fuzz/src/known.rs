//! Findings that are known, open, and being fixed elsewhere: the targets step around
//! them so that a brief CI run stays green and the fuzzer looks for new ones. Each entry
//! names its finding and has a reproducer in `regressions/`; delete the entry once the
//! fix lands (the corpus test then checks the reproducer).

use assent_stdlib::time::days_from_civil;
use assent_stdlib::value::Value;

/// Whether `value` contains a part whose JSON round trip is a known open finding:
///
/// - the minimum Money and Percent (`i64::MIN`) are written as JSON but refused when
///   read (issue 11, finding 14); so is the minimum Duration
///   (`"-9223372036854775808s"`, `regressions/json/duration_minimum_from_seconds`);
/// - a Time read from a JSON number (Unix seconds) outside the years 0000–9999 is
///   written as a date of more or fewer than four year digits, which the reader refuses
///   (`regressions/json/time_year_*`).
pub fn json_round_trip_is_open(value: &Value) -> bool {
    match value {
        Value::Money(n) | Value::Percent(n) | Value::Duration(n) => *n == i64::MIN,
        Value::Time(seconds) => !time_has_four_digit_year(*seconds),
        Value::Option(Some(inner)) => json_round_trip_is_open(inner),
        Value::Record(items) | Value::List(items) | Value::Set(items) => {
            items.iter().any(json_round_trip_is_open)
        }
        Value::Map(entries) => entries
            .iter()
            .any(|(key, value)| json_round_trip_is_open(key) || json_round_trip_is_open(value)),
        _ => false,
    }
}

/// Whether Unix `seconds` fall in the years 0000–9999, the range `format_time` writes
/// and `parse_time` reads.
fn time_has_four_digit_year(seconds: i64) -> bool {
    let day = |year| days_from_civil(year, 1, 1).map(|days| days * 86_400);
    match (day(0), day(10_000)) {
        (Some(first), Some(end)) => (first..end).contains(&seconds),
        _ => false,
    }
}
