//! The writer.

use crate::{Fault, MethodCall, Value};

/// Writes a `<methodCall>` document.
pub fn encode_call(call: &MethodCall) -> Vec<u8> {
    let _ = call;
    todo!()
}

/// Writes a `<methodResponse>` document carrying one value.
pub fn encode_response(value: &Value) -> Vec<u8> {
    let _ = value;
    todo!()
}

/// Writes a `<methodResponse>` document carrying a fault.
pub fn encode_fault(fault: &Fault) -> Vec<u8> {
    let _ = fault;
    todo!()
}

/// Appends one `<value>` element to `out`.
pub fn write_value(value: &Value, out: &mut Vec<u8>) {
    let _ = (value, out);
    todo!()
}
