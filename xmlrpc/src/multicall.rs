//! `system.multicall`: many calls in one request.

use crate::{Fault, MethodCall, Value};

/// Splits the parameters of a `system.multicall` call into the calls it
/// carries. The outer error is for a malformed multicall as a whole; an
/// inner error is the fault answered for one malformed element.
pub fn split(params: &[Value]) -> Result<Vec<Result<MethodCall, Fault>>, Fault> {
    let _ = params;
    todo!()
}

/// Joins per-call results into the multicall answer: `[value]` for a
/// success, `{faultCode, faultString}` for a fault.
pub fn join(results: Vec<Result<Value, Fault>>) -> Value {
    let _ = results;
    todo!()
}
