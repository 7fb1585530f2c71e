//! Property: any value tree survives encode -> parse unchanged (doubles bit
//! for bit, NaN as NaN; struct order and duplicates kept).

use proptest::prelude::*;
use xmlrpc::{
    Fault, Limits, MethodCall, Struct, Value, encode_call, encode_fault, encode_response,
    parse_call, parse_response, parse_value, write_value,
};

fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<u64>().prop_map(f64::from_bits),
        Just(-0.0),
        Just(f64::MIN_POSITIVE / 4.0),
        Just(f64::MAX),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t\r\n<>&;#x0-9a-z\\]]{0,12}",
        Just("]]>".to_owned()),
        Just("\r\n\r".to_owned()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        double().prop_map(Value::Double),
        text().prop_map(Value::DateTime),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Base64),
        Just(Value::Nil),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..8)
                .prop_map(|members| Value::Struct(members.into_iter().collect::<Struct>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn response_round_trip(v in value()) {
        let back = parse_response(&encode_response(&v), &Limits::RESPONSE).unwrap().unwrap();
        prop_assert!(back.wire_eq(&v), "{:?} != {:?}", back, v);
    }

    #[test]
    fn call_round_trip(name in text(), params in proptest::collection::vec(value(), 0..4)) {
        let call = MethodCall { name, params };
        let back = parse_call(&encode_call(&call), &Limits::REQUEST).unwrap();
        prop_assert_eq!(&back.name, &call.name);
        prop_assert_eq!(back.params.len(), call.params.len());
        for (b, c) in back.params.iter().zip(&call.params) {
            prop_assert!(b.wire_eq(c), "{:?} != {:?}", b, c);
        }
    }

    #[test]
    fn value_round_trip(v in value()) {
        let mut out = Vec::new();
        write_value(&v, &mut out);
        let back = parse_value(&out, &Limits::REQUEST).unwrap();
        prop_assert!(back.wire_eq(&v));
    }

    #[test]
    fn fault_round_trip(code in any::<i32>(), string in text()) {
        let fault = Fault::new(code, string);
        let back = parse_response(&encode_fault(&fault), &Limits::RESPONSE).unwrap();
        prop_assert_eq!(back, Err(fault));
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_call(&body, &Limits::REQUEST);
        let _ = parse_response(&body, &Limits::RESPONSE);
        let _ = parse_value(&body, &Limits::REQUEST);
    }
}
