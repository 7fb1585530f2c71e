//! Human durations both ways: `30m`, `2h`, `90s`, `1h30m` on the command
//! line, and "how long ago" in tables.

use std::time::Duration;

use crate::model::Millis;

/// Parses a duration of one or more `<number><unit>` parts, unit `s`, `m`,
/// `h` or `d`: `90s`, `30m`, `2h`, `1d`, `1h30m`. A duration must be more
/// than zero; a bare number (what unit?) is refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration: use e.g. 90s, 30m, 2h or 1h30m".into());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("{text:?}: expected a number before {rest:?}"));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{text:?}: number too large"))?;
        rest = &rest[digits..];
        let unit = rest
            .chars()
            .next()
            .ok_or_else(|| format!("{text:?}: missing unit after {number} (s, m, h or d)"))?;
        let seconds_per_unit = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            other => return Err(format!("{text:?}: unknown unit {other:?} (s, m, h or d)")),
        };
        rest = &rest[unit.len_utf8()..];
        total = number
            .checked_mul(seconds_per_unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| format!("{text:?}: too long"))?;
    }
    if total == 0 {
        return Err(format!("{text:?}: must be more than zero"));
    }
    Ok(Duration::from_secs(total))
}

/// A short, rounded duration: `45s`, `12m`, `3h5m`, `2d4h`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, 0) => format!("{h}h"),
        (0, _, _) => format!("{h}h{m}m"),
        (_, 0, _) => format!("{d}d"),
        _ => format!("{d}d{h}h"),
    }
}

/// How long ago `then` was, seen at `now`: `12s ago`, `never` for `None`,
/// `just now` for a clock a little ahead of ours.
pub fn format_age(then: Option<Millis>, now: Millis) -> String {
    match then {
        None => "never".into(),
        Some(then) if then >= now => "just now".into(),
        Some(then) => {
            let ago = Duration::from_millis((now - then) as u64);
            format!("{} ago", format_duration(ago))
        }
    }
}

/// When a deadline falls, seen at `now`: `in 25m`, `passed 2m ago`, or
/// `none`.
pub fn format_deadline(deadline: Option<Millis>, now: Millis) -> String {
    match deadline {
        None => "none".into(),
        Some(at) if at > now => {
            let left = Duration::from_millis((at - now) as u64);
            format!("in {}", format_duration(left))
        }
        Some(at) => format!("passed {}", format_age(Some(at), now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_compound_durations() {
        let cases = [
            ("90s", 90),
            ("30m", 1800),
            ("2h", 7200),
            ("1d", 86_400),
            ("1h30m", 5400),
            ("1d2h3m4s", 93_784),
            (" 15m ", 900),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for text in [
            "",
            "30",
            "m",
            "5x",
            "1.5h",
            "-5m",
            "0s",
            "h30",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} was accepted");
        }
        assert!(parse_duration("30").unwrap_err().contains("missing unit"));
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit"));
        assert!(
            parse_duration("999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
    }

    #[test]
    fn formats_durations_and_ages_short() {
        let f = |s| format_duration(Duration::from_secs(s));
        assert_eq!(f(0), "0s");
        assert_eq!(f(59), "59s");
        assert_eq!(f(61), "1m");
        assert_eq!(f(3600), "1h");
        assert_eq!(f(3 * 3600 + 5 * 60 + 9), "3h5m");
        assert_eq!(f(2 * 86_400 + 60), "2d");
        assert_eq!(f(2 * 86_400 + 4 * 3600), "2d4h");

        assert_eq!(format_age(None, 10_000), "never");
        assert_eq!(format_age(Some(12_000), 10_000), "just now");
        assert_eq!(format_age(Some(0), 12_500), "12s ago");

        assert_eq!(format_deadline(None, 0), "none");
        assert_eq!(format_deadline(Some(90_000), 0), "in 1m");
        assert_eq!(format_deadline(Some(0), 120_000), "passed 2m ago");
    }
}
