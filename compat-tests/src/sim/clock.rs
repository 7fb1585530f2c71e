//! Time as SUSE Manager writes it: `dateTime.iso8601` in the form
//! `yyyyMMddTHH:mm:ss`, no zone.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Formats Unix seconds as `yyyyMMddTHH:mm:ss` (UTC).
pub(crate) fn format_datetime(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Formats Unix seconds as the server's human date string
/// (`yyyy-MM-dd HH:mm:ss`), used in fields typed `string` that hold dates.
pub(crate) fn format_plain(secs: i64) -> String {
    let s = format_datetime(secs);
    format!("{}-{}-{} {}", &s[0..4], &s[4..6], &s[6..8], &s[9..])
}

/// Parses the date forms clients send for `dateTime.iso8601` parameters:
/// `yyyyMMddTHH:mm:ss`, `yyyy-MM-ddTHH:mm:ss`, optionally with a trailing
/// `Z` or `+00:00`-style offset (applied). Returns Unix seconds.
pub(crate) fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits: String = t
        .chars()
        .take_while(|c| *c != 'T')
        .filter(|c| *c != '-')
        .collect();
    let rest = t.split_once('T')?.1;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i64 = digits[0..4].parse().ok()?;
    let m: u32 = digits[4..6].parse().ok()?;
    let d: u32 = digits[6..8].parse().ok()?;
    let (clock, offset) = split_offset(rest)?;
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some()
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
    {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s as i64 - offset)
}

fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, 0));
    }
    if let Some(pos) = rest.rfind(['+', '-']) {
        let (clock, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let off = off[1..].replace(':', "");
        if off.len() != 4 {
            return None;
        }
        let h: i64 = off[0..2].parse().ok()?;
        let m: i64 = off[2..4].parse().ok()?;
        return Some((clock, sign * (h * 3600 + m * 60)));
    }
    Some((rest, 0))
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        assert_eq!(format_datetime(0), "19700101T00:00:00");
        assert_eq!(format_datetime(1_700_000_000), "20231114T22:13:20");
        assert_eq!(parse_datetime("20231114T22:13:20"), Some(1_700_000_000));
        assert_eq!(parse_datetime("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(
            parse_datetime("2023-11-14T23:13:20+01:00"),
            Some(1_700_000_000)
        );
        assert_eq!(format_plain(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(parse_datetime("yesterday"), None);
        for secs in [-86_400 * 400, 951_782_400, 4_102_444_800] {
            assert_eq!(parse_datetime(&format_datetime(secs)), Some(secs));
        }
    }
}
