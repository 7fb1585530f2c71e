//! [`Type`]: the type of a parameter, a result or a result field.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use xmlrpc::WireType;

/// A parameter or field type, normalised from the catalog's type words.
///
/// The spec file writes a type as `int`, `long`, `boolean`, `string`,
/// `double`, `dateTime.iso8601`, `base64`, `struct`, `array` or
/// `array<T>`. The catalog's words map onto these as follows:
///
/// | catalog | `Type` | why |
/// |---|---|---|
/// | `int`, `long`, `boolean`, `string`, `double`, `struct`, `array`, `array<T>` | the same | |
/// | `dateTime.iso8601`, `date` | [`Type::DateTime`] | a `java.util.Date` goes out as `<dateTime.iso8601>` |
/// | `base64`, `array<byte>` (returns) | [`Type::Base64`] | a `byte[]` goes out as `<base64>` |
/// | `parameters` (`virtualhostmanager.create`) | [`Type::Struct`] | the Java parameter is a `Map` |
/// | `array<int (deprecated) or string>` | `Array(None)` | mixed elements: no single element type |
/// | `string or int` (a result field) | [`Type::String`] | the wider of the two |
/// | `result_code` (a result field) | [`Type::Int`] | a numeric status |
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Type {
    /// `int`: `java.lang.Integer`, `<i4>` on the wire.
    Int,
    /// `long`: `java.lang.Long`.
    Long,
    /// `boolean`.
    Boolean,
    /// `string`.
    String,
    /// `double`.
    Double,
    /// `dateTime.iso8601`: a `java.util.Date`.
    DateTime,
    /// `base64`: a `byte[]`.
    Base64,
    /// `struct`: a `java.util.Map`.
    Struct,
    /// `array` or `array<T>`: a `java.util.List`. Element type where known.
    Array(Option<Box<Type>>),
}

/// A type word the spec file does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown type `{0}`")]
pub struct UnknownType(pub String);

impl Type {
    /// An array of `element`.
    pub fn array_of(element: Type) -> Type {
        Type::Array(Some(Box::new(element)))
    }

    /// Normalises one of the catalog's type words (see the table on
    /// [`Type`]); `None` for a word the table does not cover.
    pub fn from_catalog(word: &str) -> Option<Type> {
        let word = word.trim();
        Some(match word {
            "date" => Type::DateTime,
            "array<byte>" => Type::Base64,
            "parameters" => Type::Struct,
            "string or int" => Type::String,
            "result_code" => Type::Int,
            "array<int (deprecated) or string>" => Type::Array(None),
            _ => match word
                .strip_prefix("array<")
                .and_then(|w| w.strip_suffix('>'))
            {
                Some(element) => Type::array_of(Type::from_catalog(element)?),
                None => Type::scalar(word)?,
            },
        })
    }

    fn scalar(word: &str) -> Option<Type> {
        Some(match word {
            "int" => Type::Int,
            "long" => Type::Long,
            "boolean" => Type::Boolean,
            "string" => Type::String,
            "double" => Type::Double,
            "dateTime.iso8601" => Type::DateTime,
            "base64" => Type::Base64,
            "struct" => Type::Struct,
            "array" => Type::Array(None),
            _ => return None,
        })
    }

    /// The element type of an array whose elements are known.
    pub fn element(&self) -> Option<&Type> {
        match self {
            Type::Array(Some(element)) => Some(element),
            _ => None,
        }
    }

    /// Whether a value of this wire type is exactly what this type is
    /// (`<i4>` for `int`, any `<array>` for an array type, ...).
    pub fn matches_wire(&self, wire: WireType) -> bool {
        matches!(
            (self, wire),
            (Type::Int, WireType::Int)
                | (Type::Long, WireType::I8)
                | (Type::Boolean, WireType::Bool)
                | (Type::String, WireType::String)
                | (Type::Double, WireType::Double)
                | (Type::DateTime, WireType::DateTime)
                | (Type::Base64, WireType::Base64)
                | (Type::Struct, WireType::Struct)
                | (Type::Array(_), WireType::Array)
        )
    }

    /// The wire type a value of this type travels as.
    pub fn wire_type(&self) -> WireType {
        match self {
            Type::Int => WireType::Int,
            Type::Long => WireType::I8,
            Type::Boolean => WireType::Bool,
            Type::String => WireType::String,
            Type::Double => WireType::Double,
            Type::DateTime => WireType::DateTime,
            Type::Base64 => WireType::Base64,
            Type::Struct => WireType::Struct,
            Type::Array(_) => WireType::Array,
        }
    }

    /// Whether values of this type carry integer ids (`int`, `long`).
    pub fn is_integer(&self) -> bool {
        matches!(self, Type::Int | Type::Long)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self {
            Type::Int => "int",
            Type::Long => "long",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Double => "double",
            Type::DateTime => "dateTime.iso8601",
            Type::Base64 => "base64",
            Type::Struct => "struct",
            Type::Array(None) => "array",
            Type::Array(Some(element)) => return write!(f, "array<{element}>"),
        };
        f.write_str(word)
    }
}

impl FromStr for Type {
    type Err = UnknownType;

    /// Parses the spec file's notation (not the catalog's: see
    /// [`Type::from_catalog`]).
    fn from_str(s: &str) -> Result<Type, UnknownType> {
        let unknown = || UnknownType(s.to_owned());
        match s.strip_prefix("array<").and_then(|w| w.strip_suffix('>')) {
            Some(element) => Ok(Type::array_of(element.parse().map_err(|_| unknown())?)),
            None => Type::scalar(s).ok_or_else(unknown),
        }
    }
}

impl TryFrom<String> for Type {
    type Error = UnknownType;

    fn try_from(s: String) -> Result<Type, UnknownType> {
        s.parse()
    }
}

impl From<Type> for String {
    fn from(t: Type) -> String {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_words_normalise() {
        assert_eq!(Type::from_catalog("int"), Some(Type::Int));
        assert_eq!(Type::from_catalog("date"), Some(Type::DateTime));
        assert_eq!(Type::from_catalog("array<byte>"), Some(Type::Base64));
        assert_eq!(Type::from_catalog("parameters"), Some(Type::Struct));
        assert_eq!(
            Type::from_catalog("array<long>"),
            Some(Type::array_of(Type::Long))
        );
        assert_eq!(
            Type::from_catalog("array<int (deprecated) or string>"),
            Some(Type::Array(None))
        );
        assert_eq!(Type::from_catalog("array<channel_labels>"), None);
    }

    #[test]
    fn spec_notation_round_trips() {
        for word in [
            "int",
            "long",
            "boolean",
            "string",
            "double",
            "dateTime.iso8601",
            "base64",
            "struct",
            "array",
            "array<int>",
            "array<array<string>>",
        ] {
            let t: Type = word.parse().unwrap();
            assert_eq!(t.to_string(), word);
        }
        assert!("date".parse::<Type>().is_err());
    }

    #[test]
    fn wire_matching_ignores_array_elements() {
        assert!(Type::array_of(Type::Int).matches_wire(WireType::Array));
        assert!(Type::Long.matches_wire(WireType::I8));
        assert!(!Type::Long.matches_wire(WireType::Int));
    }
}
