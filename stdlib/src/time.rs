//! UTC civil time without floats: Unix seconds to and from `YYYY-MM-DDTHH:MM:SSZ`, and
//! durations to and from `30d`-style text. Used by the compiler for literals and by the
//! codec for the JSON form of `Time` and `Duration`.

const SECONDS_PER_DAY: i64 = 86_400;

/// The largest year (and the negated smallest) [`days_from_civil`] takes: beyond the
/// years of any `i64` of seconds (about ±292 billion), small enough that no step of the
/// calculation overflows.
const MAX_YEAR: i64 = 1_000_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
/// `None` when the date does not exist (month 13, February 30, …) or is out of range.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if !(-MAX_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC) to Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    parse_time_with(text, false)
}

/// [`parse_time`], and also the expanded years [`format_time`] writes outside
/// 0000–9999 (`+292277026596-12-04T15:30:07Z`, `-000001-01-01`): every `i64` of seconds
/// has a JSON form that reads back.
pub fn parse_time_json(text: &str) -> Option<i64> {
    parse_time_with(text, true)
}

fn parse_time_with(text: &str, expanded: bool) -> Option<i64> {
    let (date, clock) = match text.split_once('T') {
        Some((date, rest)) => (date, Some(rest.strip_suffix('Z')?)),
        None => (text, None),
    };
    let (year, date) = match date.strip_prefix(['+', '-']) {
        Some(rest) if expanded => {
            let (digits, rest) = rest.split_once('-')?;
            if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let magnitude: i64 = digits.parse().ok()?;
            let year = if date.starts_with('-') {
                // ISO 8601 writes year zero `+000000`, never `-000000`.
                if magnitude == 0 {
                    return None;
                }
                -magnitude
            } else {
                magnitude
            };
            (year, rest)
        }
        Some(_) => return None,
        None => {
            let (digits, rest) = date.split_once('-')?;
            (fixed_digits(digits, 4)?, rest)
        }
    };
    let mut parts = date.split('-');
    let month = fixed_digits(parts.next()?, 2)?;
    let day = fixed_digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    let days = days_from_civil(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    let seconds_of_day = match clock {
        None => 0,
        Some(clock) => {
            let mut parts = clock.split(':');
            let hour = fixed_digits(parts.next()?, 2)?;
            let minute = fixed_digits(parts.next()?, 2)?;
            let second = fixed_digits(parts.next()?, 2)?;
            if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            hour * 3600 + minute * 60 + second
        }
    };
    // In i128: the first day of the earliest representable time starts before i64::MIN.
    i64::try_from(i128::from(days) * i128::from(SECONDS_PER_DAY) + i128::from(seconds_of_day)).ok()
}

fn fixed_digits(text: &str, count: usize) -> Option<i64> {
    if text.len() != count || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`; a year outside 0000–9999 in ISO 8601's
/// expanded form, signed and at least six digits (`+012345-…`, `-000001-…`), as
/// JavaScript writes it.
pub fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let year = match year {
        0..=9999 => format!("{year:04}"),
        _ if year < 0 => format!("-{:06}", year.unsigned_abs()),
        _ => format!("+{year:06}"),
    };
    format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Duration units as written in literals and JSON, with their length in seconds.
pub const DURATION_UNITS: &[(char, i64)] = &[
    ('s', 1),
    ('m', 60),
    ('h', 3600),
    ('d', SECONDS_PER_DAY),
    ('w', 7 * SECONDS_PER_DAY),
    ('y', 365 * SECONDS_PER_DAY),
];

/// Parses `30d`, `-12h`, `1_000s` to seconds (`1y` = 365 days).
pub fn parse_duration(text: &str) -> Option<i64> {
    read_duration(text).ok()
}

/// Why a text is not a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// Not digits (with `_` between them) and one unit, optionally negative.
    Syntax,
    /// More seconds than an `i64` holds.
    Range,
}

impl DurationError {
    /// The message for `text`.
    pub fn message(self, text: &str) -> String {
        match self {
            DurationError::Syntax => format!(
                "`{text}` is not a duration: write a number and one of s, m, h, d, w, y, like \"30d\""
            ),
            DurationError::Range => format!(
                "`{text}` is not a duration: it is out of range (from {}s to {}s)",
                i64::MIN,
                i64::MAX
            ),
        }
    }
}

/// [`parse_duration`] with the reason for a refusal. The magnitude is read as an `i128`,
/// so the most negative duration (with no positive counterpart) reads back.
pub fn read_duration(text: &str) -> Result<i64, DurationError> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let unit = text.chars().last().ok_or(DurationError::Syntax)?;
    let (_, scale) = DURATION_UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .ok_or(DurationError::Syntax)?;
    let digits = text.get(..text.len() - 1).ok_or(DurationError::Syntax)?;
    if digits.is_empty()
        || digits.starts_with('_')
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return Err(DurationError::Syntax);
    }
    let mut count: i128 = 0;
    for digit in digits.bytes().filter(|b| *b != b'_') {
        count = count
            .checked_mul(10)
            .and_then(|count| count.checked_add(i128::from(digit - b'0')))
            .filter(|count| *count <= i128::from(u64::MAX))
            .ok_or(DurationError::Range)?;
    }
    let seconds = count * i128::from(*scale);
    i64::try_from(if negative { -seconds } else { seconds }).map_err(|_| DurationError::Range)
}

/// Formats seconds in the largest exact unit of d, h, m, s: `30d`, `36h`, `-90s`.
pub fn format_duration(seconds: i64) -> String {
    for (unit, scale) in [('d', SECONDS_PER_DAY), ('h', 3600), ('m', 60)] {
        if seconds != 0 && seconds % scale == 0 {
            return format!("{}{unit}", seconds / scale);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_across_leap_years() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
    }

    #[test]
    fn times_parse_and_format() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-01-31T08:30:00Z", 1_769_848_200),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("1969-12-31T23:59:59Z", -1),
        ];
        for (text, seconds) in cases {
            assert_eq!(parse_time(text), Some(seconds), "{text}");
            assert_eq!(format_time(seconds), text);
        }
        assert_eq!(parse_time("2026-01-31"), Some(1_769_817_600));
    }

    #[test]
    fn impossible_times_are_rejected() {
        for text in [
            "2026-02-29",
            "2100-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-01-01T24:00:00Z",
            "2026-01-01T10:00:00",
            "26-01-01",
            "2026-1-01",
            "",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }

    #[test]
    fn durations_parse_and_format_in_the_largest_exact_unit() {
        let cases = [
            ("30d", 2_592_000, "30d"),
            ("36h", 129_600, "36h"),
            ("90s", 90, "90s"),
            ("1y", 31_536_000, "365d"),
            ("2w", 1_209_600, "14d"),
            ("-15m", -900, "-15m"),
            ("0s", 0, "0s"),
        ];
        for (text, seconds, canonical) in cases {
            assert_eq!(parse_duration(text), Some(seconds), "{text}");
            assert_eq!(format_duration(seconds), canonical);
        }
        for bad in ["", "d", "5x", "1.5d", "99999999999999999999d", "_5d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
