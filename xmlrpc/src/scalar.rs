//! Scalar values: from the text inside a type element to a [`Value`].
//!
//! Numbers and booleans may carry surrounding XML whitespace (Python's
//! `int()`/`float()` and SUSE Manager's own parser, which trims all
//! character data, accept it); strings and dates are kept exactly as sent.

use std::borrow::Cow;

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::Value;
use crate::tokens::Elem;

/// Standard alphabet; padding optional; non-zero trailing bits tolerated
/// (Python's decoder tolerates them too).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Converts the text of a scalar type element. `Err` holds the reason.
pub(crate) fn scalar(elem: Elem, text: Cow<'_, str>) -> Result<Value, &'static str> {
    match elem {
        Elem::String => Ok(Value::String(text.into_owned())),
        Elem::DateTime => Ok(Value::DateTime(text.into_owned())),
        Elem::Int => trim(&text)
            .parse::<i32>()
            .map(Value::Int)
            .map_err(|e| int_error(&e, "integer out of range for i4")),
        Elem::I8 => trim(&text)
            .parse::<i64>()
            .map(Value::I8)
            .map_err(|e| int_error(&e, "integer out of range for i8")),
        Elem::Boolean => match trim(&text) {
            "1" => Ok(Value::Bool(true)),
            "0" => Ok(Value::Bool(false)),
            _ => Err("boolean must be 0 or 1"),
        },
        Elem::Double => double(trim(&text)).map(Value::Double),
        Elem::Base64 => base64(&text).map(Value::Base64),
        Elem::Nil if trim(&text).is_empty() => Ok(Value::Nil),
        Elem::Nil => Err("nil must be empty"),
        _ => Err("unknown value type element"),
    }
}

fn int_error(e: &std::num::ParseIntError, overflow: &'static str) -> &'static str {
    use std::num::IntErrorKind;
    match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => overflow,
        IntErrorKind::Empty => "empty integer",
        _ => "malformed integer",
    }
}

/// Parses a double as Python's `float()` would for what XML-RPC peers
/// send: decimal with or without exponent, and `nan`/`inf`/`infinity` in
/// any case with an optional sign (Python writes `nan`, `inf`, `-inf`;
/// Java writes `NaN`, `Infinity`, `-Infinity`).
fn double(text: &str) -> Result<f64, &'static str> {
    if text.is_empty() {
        return Err("empty double");
    }
    // Rust's parser accepts exactly these forms, case-insensitively for the
    // special values; it rejects hex floats and `_` separators.
    text.parse::<f64>().map_err(|_| "malformed double")
}

/// Decodes base64, skipping the whitespace and line breaks that encoders
/// (Python's among them) put in; anything else outside the alphabet is an
/// error.
fn base64(text: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = text.as_bytes();
    let decoded = if bytes.iter().any(u8::is_ascii_whitespace) {
        let compact: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(bytes)
    };
    decoded.map_err(|_| "invalid base64")
}

/// Trims XML whitespace.
fn trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(elem: Elem, text: &str) -> Result<Value, &'static str> {
        scalar(elem, Cow::Borrowed(text))
    }

    #[test]
    fn integers() {
        assert_eq!(s(Elem::Int, " 42\n"), Ok(Value::Int(42)));
        assert_eq!(s(Elem::Int, "-2147483648"), Ok(Value::Int(i32::MIN)));
        assert_eq!(
            s(Elem::Int, "2147483648"),
            Err("integer out of range for i4")
        );
        assert_eq!(
            s(Elem::Int, "-99999999999999999999"),
            Err("integer out of range for i4")
        );
        assert_eq!(
            s(Elem::I8, "9223372036854775808"),
            Err("integer out of range for i8")
        );
        assert_eq!(s(Elem::Int, "4x"), Err("malformed integer"));
        assert_eq!(s(Elem::Int, ""), Err("empty integer"));
        assert_eq!(s(Elem::I8, "-9223372036854775808"), Ok(Value::I8(i64::MIN)));
    }

    #[test]
    fn booleans() {
        assert_eq!(s(Elem::Boolean, "1"), Ok(Value::Bool(true)));
        assert_eq!(s(Elem::Boolean, "0"), Ok(Value::Bool(false)));
        for bad in ["true", "2", "", "01", "yes"] {
            assert!(s(Elem::Boolean, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn doubles() {
        assert_eq!(s(Elem::Double, "1e+300"), Ok(Value::Double(1e300)));
        assert_eq!(s(Elem::Double, "-0"), Ok(Value::Double(-0.0)));
        for inf in ["inf", "Infinity", "+inf"] {
            assert_eq!(s(Elem::Double, inf), Ok(Value::Double(f64::INFINITY)));
        }
        assert_eq!(
            s(Elem::Double, "-Infinity"),
            Ok(Value::Double(f64::NEG_INFINITY))
        );
        for nan in ["nan", "NaN"] {
            assert!(matches!(s(Elem::Double, nan), Ok(Value::Double(d)) if d.is_nan()));
        }
        assert!(s(Elem::Double, "1.5.2").is_err());
        assert!(s(Elem::Double, "").is_err());
    }

    #[test]
    fn base64_tolerates_line_breaks_only() {
        let wrapped = "aGVs\nbG8g\r\n d29y bGQ=\n";
        assert_eq!(
            s(Elem::Base64, wrapped),
            Ok(Value::Base64(b"hello world".to_vec()))
        );
        assert_eq!(s(Elem::Base64, "aGk"), Ok(Value::Base64(b"hi".to_vec())));
        assert_eq!(s(Elem::Base64, ""), Ok(Value::Base64(Vec::new())));
        assert!(s(Elem::Base64, "aGk*").is_err());
        assert!(s(Elem::Base64, "a").is_err());
    }

    #[test]
    fn strings_and_dates_are_kept_exactly() {
        assert_eq!(s(Elem::String, " a \n"), Ok(Value::string(" a \n")));
        assert_eq!(
            s(Elem::DateTime, " 2024-01-01 "),
            Ok(Value::DateTime(" 2024-01-01 ".into()))
        );
        assert_eq!(s(Elem::Nil, " "), Ok(Value::Nil));
        assert!(s(Elem::Nil, "x").is_err());
    }
}
