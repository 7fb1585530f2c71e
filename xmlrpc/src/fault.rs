//! XML-RPC faults.

use std::fmt;

use crate::{Struct, Value};

/// An XML-RPC fault: `faultCode` and `faultString`, preserved exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `faultCode`.
    pub code: i32,
    /// `faultString`.
    pub string: String,
}

impl Fault {
    /// A fault with this code and string.
    pub fn new(code: i32, string: impl Into<String>) -> Fault {
        Fault {
            code,
            string: string.into(),
        }
    }

    /// The fault as the struct that travels on the wire:
    /// `{faultCode: <i4>, faultString: <string>}`, in that order.
    pub fn to_value(&self) -> Value {
        Value::Struct(
            Struct::with_capacity(2)
                .with("faultCode", Value::Int(self.code))
                .with("faultString", Value::String(self.string.clone())),
        )
    }

    /// Reads a fault struct: `faultCode` an `Int` (or an `I8` that fits in
    /// 32 bits), `faultString` a `String`; other members are ignored, and of
    /// duplicates the first counts. `None` if the value is no such struct.
    pub fn from_value(value: &Value) -> Option<Fault> {
        let s = value.as_struct()?;
        let code = match s.get("faultCode")? {
            Value::Int(i) => *i,
            Value::I8(i) => i32::try_from(*i).ok()?,
            _ => return None,
        };
        let string = s.get("faultString")?.as_str()?;
        Some(Fault::new(code, string))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.string)
    }
}

impl std::error::Error for Fault {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_struct() {
        let f = Fault::new(-208, "redstone.xmlrpc.XmlRpcFault: No such system");
        assert_eq!(Fault::from_value(&f.to_value()), Some(f));
    }

    #[test]
    fn tolerates_extra_members_and_i8_codes() {
        let v = Value::Struct(
            Struct::new()
                .with("faultString", Value::string("boom"))
                .with("detail", Value::Nil)
                .with("faultCode", Value::I8(-1)),
        );
        assert_eq!(Fault::from_value(&v), Some(Fault::new(-1, "boom")));
    }

    #[test]
    fn refuses_malformed_faults() {
        let no_string = Value::Struct(Struct::new().with("faultCode", Value::Int(1)));
        let text_code = Value::Struct(
            Struct::new()
                .with("faultCode", Value::string("1"))
                .with("faultString", Value::string("x")),
        );
        let big_code = Value::Struct(
            Struct::new()
                .with("faultCode", Value::I8(1 << 40))
                .with("faultString", Value::string("x")),
        );
        for v in [no_string, text_code, big_code, Value::Nil] {
            assert_eq!(Fault::from_value(&v), None);
        }
    }
}
