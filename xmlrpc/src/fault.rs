//! XML-RPC faults.

use std::fmt;

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
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.string)
    }
}

impl std::error::Error for Fault {}
