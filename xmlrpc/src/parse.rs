//! The parser.

use crate::{Fault, Limits, MethodCall, ParseError, Value};

/// Parses a `<methodCall>` document.
pub fn parse_call(body: &[u8], limits: &Limits) -> Result<MethodCall, ParseError> {
    let _ = (body, limits);
    todo!()
}

/// Parses a `<methodResponse>` document: `Ok(Ok(value))` for a result,
/// `Ok(Err(fault))` for a fault.
pub fn parse_response(body: &[u8], limits: &Limits) -> Result<Result<Value, Fault>, ParseError> {
    let _ = (body, limits);
    todo!()
}

/// Parses a lone `<value>` element (for tests and tools).
pub fn parse_value(body: &[u8], limits: &Limits) -> Result<Value, ParseError> {
    let _ = (body, limits);
    todo!()
}
