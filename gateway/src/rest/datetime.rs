//! Dates between the two faces: ISO-8601 on the HTTP API, the XML-RPC
//! `dateTime.iso8601` text (`yyyyMMddTHH:mm:ss`, no zone) towards the nodes.
//!
//! In: `2024-05-01T12:30:00`, with optional fractional seconds, an optional
//! zone (`Z`, `+02:00`, `+0200`), `t`/`z` in lower case or a space for the
//! `T` (RFC 3339 allows them); `2024-05-01` (midnight); and the XML-RPC
//! form itself. A date with a zone is moved to UTC (the zone-less XML-RPC
//! text is read as UTC by the cluster's nodes); without one it passes as the
//! local time it is. Fractions are dropped (XML-RPC has whole seconds).
//!
//! Out: `yyyyMMddTHH:mm:ss` becomes `yyyy-MM-ddTHH:mm:ss`; any other text a
//! node sent passes unchanged.

use std::borrow::Cow;

/// An ISO-8601 date (and time) as XML-RPC `dateTime.iso8601` text, or
/// `None` when it is not one.
pub(crate) fn from_iso(text: &str) -> Option<String> {
    let s = text.trim().as_bytes();
    let (mut civil, rest) = match s {
        [y @ .., b'T' | b't', _, _, b':', _, _, b':', _, _] if y.len() == 8 => {
            let date = parse_compact_date(&s[..8])?;
            (Civil::at(date, &s[9..])?, &[][..])
        }
        _ => {
            let date = parse_dashed_date(s.get(..10)?)?;
            match s.get(10) {
                None => (Civil::at(date, b"00:00:00")?, &[][..]),
                Some(b'T' | b't' | b' ') => (Civil::at(date, s.get(11..19)?)?, &s[19..]),
                Some(_) => return None,
            }
        }
    };
    let rest = skip_fraction(rest)?;
    if let Some(offset) = zone_offset_minutes(rest)? {
        civil = civil.shifted_minutes(-offset)?;
    }
    Some(civil.to_xmlrpc())
}

/// XML-RPC `dateTime.iso8601` text as ISO-8601; other text unchanged.
pub(crate) fn to_iso(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if b.len() == 17 && b[8] == b'T' && b[..8].iter().all(u8::is_ascii_digit) {
        Cow::Owned(format!(
            "{}-{}-{}T{}",
            &text[..4],
            &text[4..6],
            &text[6..8],
            &text[9..]
        ))
    } else {
        Cow::Borrowed(text)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

fn parse_compact_date(b: &[u8]) -> Option<(i64, u32, u32)> {
    Some((
        i64::from(digits(&b[..4])?),
        digits(&b[4..6])?,
        digits(&b[6..8])?,
    ))
}

fn parse_dashed_date(b: &[u8]) -> Option<(i64, u32, u32)> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Some((
        i64::from(digits(&b[..4])?),
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    ))
}

/// `.123…` at the start of `rest` skipped.
fn skip_fraction(rest: &[u8]) -> Option<&[u8]> {
    match rest.strip_prefix(b".") {
        None => Some(rest),
        Some(frac) => {
            let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
            (n > 0).then(|| &frac[n..])
        }
    }
}

/// The zone at the end: `None` for none, `Some(minutes east of UTC)`.
/// The outer `None`: not a zone.
fn zone_offset_minutes(rest: &[u8]) -> Option<Option<i64>> {
    let (sign, hm) = match rest {
        [] => return Some(None),
        [b'Z' | b'z'] => return Some(Some(0)),
        [b'+', hm @ ..] => (1, hm),
        [b'-', hm @ ..] => (-1, hm),
        _ => return None,
    };
    let (h, m) = match hm {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?),
        [h1, h2] => (digits(&[*h1, *h2])?, 0),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(Some(sign * i64::from(h * 60 + m)))
}

/// A checked civil date and time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Civil {
    days: i64,
    seconds: i64,
}

impl Civil {
    /// `date` at `HH:mm:ss` (a leap second `:60` is read as `:59`).
    fn at((y, m, d): (i64, u32, u32), time: &[u8]) -> Option<Civil> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let [h1, h2, b':', m1, m2, b':', s1, s2] = *time else {
            return None;
        };
        let (hh, mm, ss) = (digits(&[h1, h2])?, digits(&[m1, m2])?, digits(&[s1, s2])?);
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        Some(Civil {
            days: days_from_civil(y, m, d),
            seconds: i64::from(hh * 3600 + mm * 60 + ss.min(59)),
        })
    }

    fn shifted_minutes(self, minutes: i64) -> Option<Civil> {
        let total = self.days * 86_400 + self.seconds + minutes * 60;
        let shifted = Civil {
            days: total.div_euclid(86_400),
            seconds: total.rem_euclid(86_400),
        };
        let (y, _, _) = civil_from_days(shifted.days);
        (0..=9999).contains(&y).then_some(shifted)
    }

    fn to_xmlrpc(self) -> String {
        let (y, m, d) = civil_from_days(self.days);
        let s = self.seconds;
        format!(
            "{y:04}{m:02}{d:02}T{:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_in() {
        let want = Some("20240501T12:30:05".to_owned());
        for text in [
            "2024-05-01T12:30:05",
            "2024-05-01t12:30:05",
            "2024-05-01 12:30:05",
            "2024-05-01T12:30:05.123456",
            "2024-05-01T12:30:05Z",
            "2024-05-01T12:30:05.5z",
            "2024-05-01T14:30:05+02:00",
            "2024-05-01T14:30:05+0200",
            "2024-05-01T10:00:05-02:30",
            "20240501T12:30:05",
            " 2024-05-01T12:30:05 ",
        ] {
            assert_eq!(from_iso(text), want, "{text}");
        }
        assert_eq!(from_iso("2024-05-01").as_deref(), Some("20240501T00:00:00"));
        assert_eq!(
            from_iso("2024-03-01T00:30:00+01:00").as_deref(),
            Some("20240229T23:30:00")
        );
        assert_eq!(
            from_iso("2023-12-31T23:59:60Z").as_deref(),
            Some("20231231T23:59:59")
        );
    }

    #[test]
    fn not_dates() {
        for text in [
            "",
            "yesterday",
            "2024-13-01T00:00:00",
            "2023-02-29T00:00:00",
            "2024-05-01T24:00:00",
            "2024-05-01T12:30",
            "2024-05-01T12:30:05+",
            "2024-05-01T12:30:05.",
            "2024-05-01X12:30:05",
            "0000-01-01T00:00:00+01:00",
            "२०२४-05-01T12:30:05",
        ] {
            assert_eq!(from_iso(text), None, "{text}");
        }
    }

    #[test]
    fn xmlrpc_text_out() {
        assert_eq!(to_iso("20240501T12:30:05"), "2024-05-01T12:30:05");
        assert_eq!(to_iso("2024-05-01T12:30:05Z"), "2024-05-01T12:30:05Z");
        assert_eq!(to_iso("garbage"), "garbage");
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-719_468, -1, 0, 1, 19_844, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
