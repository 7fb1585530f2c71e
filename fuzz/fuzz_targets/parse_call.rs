//! Arbitrary bytes as a call, a response and a lone value: the parser must
//! never panic, and whatever it accepts must re-encode to a document that
//! parses back to the same thing (doubles bit for bit, NaN as NaN).

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmlrpc::{
    Limits, Value, encode_call, encode_fault, encode_response, multicall, parse_call,
    parse_response, parse_value, write_value,
};

const LIMITS: Limits = Limits {
    max_body_bytes: 1 << 20,
    max_depth: 32,
};

/// Re-parsing our own output: same depth, no size cap (escaping grows text).
const AGAIN: Limits = Limits {
    max_body_bytes: usize::MAX,
    max_depth: 32,
};

fn same(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.wire_eq(y))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(call) = parse_call(data, &LIMITS) {
        let again = parse_call(&encode_call(&call), &AGAIN).expect("our call encoding parses");
        assert_eq!(again.name, call.name);
        assert!(same(&again.params, &call.params), "call params changed");
        let mut trimmed = call.clone();
        trimmed.trim_string_params();
        let _ = multicall::split(&call.params);
    }
    match parse_response(data, &LIMITS) {
        Ok(Ok(value)) => {
            let again = parse_response(&encode_response(&value), &AGAIN)
                .expect("our response encoding parses")
                .expect("still a value");
            assert!(again.wire_eq(&value), "response value changed");
        }
        Ok(Err(fault)) => {
            let again = parse_response(&encode_fault(&fault), &AGAIN).expect("our fault parses");
            assert_eq!(again, Err(fault));
        }
        Err(e) => {
            let _ = e.to_fault();
        }
    }
    if let Ok(value) = parse_value(data, &LIMITS) {
        let mut out = Vec::new();
        write_value(&value, &mut out);
        let again = parse_value(&out, &AGAIN).expect("our value encoding parses");
        assert!(again.wire_eq(&value), "value changed");
    }
});
