//! `system.multicall`: many calls in one request.
//!
//! The de-facto specification (Eric Kidd's multicall RFC, as implemented by
//! Python's `SimpleXMLRPCServer` and xmlrpc-c): one parameter, an array of
//! structs `{methodName: string, params: array}`; the answer is an array
//! with, in order, `[result]` for each success and
//! `{faultCode, faultString}` for each failure.
//!
//! Fault codes follow the XML-RPC fault-code interoperability convention
//! that multicall servers such as xmlrpc-c use, rather than SUSE Manager's
//! catch-all `-1` (SUSE Manager itself has no `system.multicall`):
//! [`INVALID_PARAMS`] (-32602) when the request as a whole is not one array,
//! [`INVALID_CALL`] (-32600) for an element that is not a well-formed call,
//! including a nested `system.multicall`, which servers refuse. The fault
//! strings describe the problem and quote nothing from the request.

use crate::{Fault, MethodCall, Struct, Value};

/// The method name of a multicall.
pub const METHOD: &str = "system.multicall";

/// Fault code for a multicall whose parameters are not one array of calls.
pub const INVALID_PARAMS: i32 = -32602;

/// Fault code for one element of a multicall that is not a well-formed call.
pub const INVALID_CALL: i32 = -32600;

/// Splits the parameters of a `system.multicall` call into the calls it
/// carries. The outer error is for a malformed multicall as a whole; an
/// inner error is the fault answered for one malformed element.
///
/// An element is well-formed when it is a struct with a `String`
/// `methodName` and an `Array` `params` (further members are ignored; of
/// duplicates the first counts) and the method is not `system.multicall`.
pub fn split(params: &[Value]) -> Result<Vec<Result<MethodCall, Fault>>, Fault> {
    match params {
        [Value::Array(calls)] => Ok(calls.iter().map(call).collect()),
        _ => Err(Fault::new(
            INVALID_PARAMS,
            "system.multicall takes exactly one parameter: an array of call structs",
        )),
    }
}

/// One element of the multicall array.
fn call(element: &Value) -> Result<MethodCall, Fault> {
    let invalid = |why: &str| Fault::new(INVALID_CALL, format!("system.multicall: {why}"));
    let Value::Struct(s) = element else {
        return Err(invalid("a call must be a struct"));
    };
    let Some(Value::String(name)) = s.get("methodName") else {
        return Err(invalid("a call needs a string methodName"));
    };
    let Some(Value::Array(params)) = s.get("params") else {
        return Err(invalid("a call needs an array params"));
    };
    if name == METHOD {
        return Err(invalid("recursive system.multicall is not allowed"));
    }
    Ok(MethodCall {
        name: name.clone(),
        params: params.clone(),
    })
}

/// Joins per-call results into the multicall answer: `[value]` for a
/// success, `{faultCode, faultString}` for a fault.
pub fn join(results: Vec<Result<Value, Fault>>) -> Value {
    Value::Array(
        results
            .into_iter()
            .map(|result| match result {
                Ok(value) => Value::Array(vec![value]),
                Err(fault) => fault.to_value(),
            })
            .collect(),
    )
}

/// The struct a client puts in the multicall array for one call (the
/// inverse of [`split`]'s element reading).
pub fn call_struct(call: &MethodCall) -> Value {
    Value::Struct(
        Struct::with_capacity(2)
            .with("methodName", Value::String(call.name.clone()))
            .with("params", Value::Array(call.params.clone())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_good_and_bad_elements() {
        let good = MethodCall {
            name: "api.getVersion".into(),
            params: vec![],
        };
        let params = vec![Value::Array(vec![
            call_struct(&good),
            Value::Int(1),
            Value::Struct(Struct::new().with("methodName", Value::Int(1))),
            Value::Struct(Struct::new().with("methodName", Value::string("a.b"))),
            Value::Struct(
                Struct::new()
                    .with("params", Value::Array(vec![Value::Int(2)]))
                    .with("methodName", Value::string("x.y"))
                    .with("extra", Value::Nil),
            ),
            call_struct(&MethodCall {
                name: METHOD.into(),
                params: vec![],
            }),
        ])];
        let got = split(&params).unwrap();
        assert_eq!(got.len(), 6);
        assert_eq!(got[0], Ok(good));
        for bad in [&got[1], &got[2], &got[3], &got[5]] {
            assert_eq!(bad.as_ref().unwrap_err().code, INVALID_CALL);
        }
        assert_eq!(
            got[4],
            Ok(MethodCall {
                name: "x.y".into(),
                params: vec![Value::Int(2)]
            })
        );
    }

    #[test]
    fn refuses_a_malformed_whole() {
        for params in [
            vec![],
            vec![Value::Int(1)],
            vec![Value::Array(vec![]), Value::Nil],
        ] {
            assert_eq!(split(&params).unwrap_err().code, INVALID_PARAMS);
        }
        assert_eq!(split(&[Value::Array(vec![])]), Ok(vec![]));
    }

    #[test]
    fn joins_results_and_faults() {
        let joined = join(vec![Ok(Value::Int(1)), Err(Fault::new(-1, "no"))]);
        assert_eq!(
            joined,
            Value::Array(vec![
                Value::Array(vec![Value::Int(1)]),
                Fault::new(-1, "no").to_value(),
            ])
        );
    }
}
