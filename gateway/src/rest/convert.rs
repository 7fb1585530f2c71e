//! JSON and XML-RPC values, both ways.
//!
//! In, driven by the spec's parameter type, as the server's Gson reads a
//! JSON value into the handler's declared class (a value that does not read
//! rules the overload out):
//!
//! | type | accepted JSON | XML-RPC |
//! |---|---|---|
//! | `int` | an integral number in 32 bits, or a string of one | `<i4>` |
//! | `long` | an integral number in 64 bits, or a string of one | `<i4>` when it fits, else `<i8>` |
//! | `double` | a number, or a string of one | `<double>` |
//! | `boolean` | `true`/`false`, or the strings `"true"`/`"false"` | `<boolean>` |
//! | `string` | a string; a number or boolean as its text | `<string>` |
//! | `dateTime.iso8601` | an ISO-8601 string ([`super::datetime`]) | `<dateTime.iso8601>` |
//! | `base64` | a base64 string | `<base64>` |
//! | `struct` | an object (members by their JSON kind) | `<struct>` |
//! | `array<T>` | an array of `T`, or one `T` (wrapped, as the server does) | `<array>` |
//!
//! Values of unknown type (struct members, elements of an untyped array)
//! go by their JSON kind: integral numbers as `<i4>` (or `<i8>` beyond 32
//! bits), other numbers as `<double>`, `null` as `<nil/>` (left out of
//! structs, as the server leaves null members out).
//!
//! Out ([`JsonValue`]): every XML-RPC value by its kind, dates as ISO-8601,
//! base64 as a base64 string, `<nil/>` as `null` (left out of objects).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value as Json;
use spec::Type;
use xmlrpc::{Struct, Value};

use super::datetime;

/// Reads `json` as a parameter of type `ty`. `raw` is the query-string text
/// the value was read from, if it came from there (a string parameter takes
/// it verbatim). `None`: the value does not read as that type.
pub(crate) fn to_value(ty: &Type, json: &Json, raw: Option<&str>) -> Option<Value> {
    Some(match ty {
        Type::Int => Value::Int(i32::try_from(integer(json)?).ok()?),
        Type::Long => {
            let n = integer(json)?;
            i32::try_from(n).map_or(Value::I8(n), Value::Int)
        }
        Type::Double => Value::Double(match json {
            Json::Number(n) => n.as_f64()?,
            Json::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite())?,
            _ => return None,
        }),
        Type::Boolean => Value::Bool(match json {
            Json::Bool(b) => *b,
            Json::String(s) if s.eq_ignore_ascii_case("true") => true,
            Json::String(s) if s.eq_ignore_ascii_case("false") => false,
            _ => return None,
        }),
        Type::String => Value::String(match (json, raw) {
            (Json::String(s), _) => s.clone(),
            (Json::Number(_) | Json::Bool(_) | Json::Null, Some(raw)) => raw.to_owned(),
            (Json::Number(n), None) => n.to_string(),
            (Json::Bool(b), None) => b.to_string(),
            _ => return None,
        }),
        Type::DateTime => Value::DateTime(datetime::from_iso(json.as_str()?)?),
        Type::Base64 => Value::Base64(STANDARD.decode(json.as_str()?.trim()).ok()?),
        Type::Struct => match json {
            Json::Object(_) => untyped(json),
            _ => return None,
        },
        Type::Array(element) => {
            let one = |item: &Json, raw: Option<&str>| match element {
                Some(ty) => to_value(ty, item, raw),
                None => Some(untyped(item)),
            };
            match json {
                Json::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|item| one(item, None))
                        .collect::<Option<_>>()?,
                ),
                Json::Null => return None,
                single => Value::Array(vec![one(single, raw)?]),
            }
        }
    })
}

/// Reads the elements of a repeated query key as `array<T>`, each with its
/// own query text.
pub(crate) fn query_array(ty: &Type, items: &[(Json, String)]) -> Option<Value> {
    let Type::Array(element) = ty else {
        return None;
    };
    items
        .iter()
        .map(|(json, raw)| match element {
            Some(ty) => to_value(ty, json, Some(raw)),
            None => Some(untyped(json)),
        })
        .collect::<Option<Vec<_>>>()
        .map(Value::Array)
}

/// An integral number (or a string holding one, as Gson reads it).
fn integer(json: &Json) -> Option<i64> {
    match json {
        Json::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A JSON value of no declared type, by its kind.
fn untyped(json: &Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => i32::try_from(i).map_or(Value::I8(i), Value::Int),
            None => Value::Double(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(untyped).collect()),
        Json::Object(members) => {
            let mut out = Struct::with_capacity(members.len());
            for (name, member) in members {
                if !member.is_null() {
                    out.push(name.clone(), untyped(member));
                }
            }
            Value::Struct(out)
        }
    }
}

/// An XML-RPC value written as JSON (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonValue<'a>(pub &'a Value);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Int(i) => s.serialize_i32(*i),
            Value::I8(i) => s.serialize_i64(*i),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::String(text) => s.serialize_str(text),
            Value::Double(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Double(_) | Value::Nil => s.serialize_none(),
            Value::DateTime(text) => s.serialize_str(&datetime::to_iso(text)),
            Value::Base64(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
            Value::Struct(members) => {
                let present = members.iter().filter(|(_, v)| !matches!(v, Value::Nil));
                let mut map = s.serialize_map(None)?;
                for (name, value) in present {
                    map.serialize_entry(name, &JsonValue(value))?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsonValue(item))?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ty(s: &str) -> Type {
        s.parse().unwrap()
    }

    #[test]
    fn scalars_in() {
        assert_eq!(to_value(&Type::Int, &json!(42), None), Some(Value::Int(42)));
        assert_eq!(
            to_value(&Type::Int, &json!("42"), None),
            Some(Value::Int(42))
        );
        assert_eq!(to_value(&Type::Int, &json!(4.0), None), Some(Value::Int(4)));
        assert_eq!(to_value(&Type::Int, &json!(4.5), None), None);
        assert_eq!(to_value(&Type::Int, &json!(1_i64 << 40), None), None);
        assert_eq!(to_value(&Type::Int, &json!("x"), None), None);
        assert_eq!(to_value(&Type::Int, &json!(true), None), None);
        assert_eq!(
            to_value(&Type::Long, &json!(1_i64 << 40), None),
            Some(Value::I8(1 << 40))
        );
        assert_eq!(to_value(&Type::Long, &json!(7), None), Some(Value::Int(7)));
        assert_eq!(
            to_value(&Type::Boolean, &json!("TRUE"), None),
            Some(Value::Bool(true))
        );
        assert_eq!(to_value(&Type::Boolean, &json!(1), None), None);
        assert_eq!(
            to_value(&Type::Double, &json!("2.5"), None),
            Some(Value::Double(2.5))
        );
        assert_eq!(
            to_value(&Type::DateTime, &json!("2024-05-01T12:00:00Z"), None),
            Some(Value::DateTime("20240501T12:00:00".into()))
        );
        assert_eq!(to_value(&Type::DateTime, &json!(1), None), None);
        assert_eq!(
            to_value(&Type::Base64, &json!("aGk="), None),
            Some(Value::Base64(b"hi".to_vec()))
        );
        assert_eq!(to_value(&Type::Base64, &json!("%%"), None), None);
    }

    #[test]
    fn strings_take_query_text_verbatim() {
        assert_eq!(
            to_value(&Type::String, &json!(1e3), Some("1e3")),
            Some(Value::string("1e3"))
        );
        assert_eq!(
            to_value(&Type::String, &json!(12), None),
            Some(Value::string("12"))
        );
        assert_eq!(
            to_value(&Type::String, &json!(null), Some("null")),
            Some(Value::string("null"))
        );
        assert_eq!(to_value(&Type::String, &json!(null), None), None);
        assert_eq!(to_value(&Type::String, &json!({}), None), None);
    }

    #[test]
    fn arrays_and_structs_in() {
        assert_eq!(
            to_value(&ty("array<int>"), &json!([1, "2"]), None),
            Some(Value::Array(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(
            to_value(&ty("array<int>"), &json!(5), None),
            Some(Value::Array(vec![Value::Int(5)]))
        );
        assert_eq!(to_value(&ty("array<int>"), &json!(["a"]), None), None);
        let items = [(json!(1), "1".to_owned()), (json!("a"), "a".to_owned())];
        assert_eq!(
            query_array(&ty("array<string>"), &items),
            Some(Value::Array(vec![Value::string("1"), Value::string("a")]))
        );
        let s = to_value(
            &Type::Struct,
            &json!({"a": 1, "b": null, "c": [true, 1.5]}),
            None,
        );
        let expected = Struct::new().with("a", Value::Int(1)).with(
            "c",
            Value::Array(vec![Value::Bool(true), Value::Double(1.5)]),
        );
        assert_eq!(s, Some(Value::Struct(expected)));
        assert_eq!(to_value(&Type::Struct, &json!([]), None), None);
    }

    #[test]
    fn values_out() {
        let v = Value::Array(vec![Value::Struct(
            Struct::new()
                .with("id", Value::Int(1))
                .with("last_checkin", Value::DateTime("20240501T12:00:00".into()))
                .with("gone", Value::Nil)
                .with("big", Value::I8(1 << 40))
                .with("raw", Value::Base64(b"hi".to_vec()))
                .with("nan", Value::Double(f64::NAN))
                .with("ok", Value::Bool(true)),
        )]);
        let text = serde_json::to_string(&JsonValue(&v)).unwrap();
        assert_eq!(
            text,
            r#"[{"id":1,"last_checkin":"2024-05-01T12:00:00","big":1099511627776,"raw":"aGk=","nan":null,"ok":true}]"#
        );
    }
}
