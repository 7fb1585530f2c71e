//! dxr 0.9 as a reference implementation: what it writes we read to the
//! same values and vice versa, for what both support. Also pins down the
//! dxr shortcomings the crate docs give as reasons for this codec.

use std::collections::BTreeMap;

use proptest::prelude::*;
use xmlrpc::{
    Fault, Limits, MethodCall, Struct, Value, encode_call, encode_fault, encode_response,
    parse_call, parse_response, parse_value, write_value,
};

const SECRET: &str = "Hunter2-S3cret-Pa55word";

/// Our value as dxr's (the caller keeps to what dxr can hold).
fn to_dxr(v: &Value) -> dxr::Value {
    match v {
        Value::Int(i) => dxr::Value::Integer(*i),
        Value::I8(i) => dxr::Value::Long(*i),
        Value::Bool(b) => dxr::Value::Boolean(*b),
        Value::String(s) => dxr::Value::String(s.clone()),
        Value::Double(d) => dxr::Value::Double(*d),
        Value::DateTime(t) => dxr::Value::DateTime(t.parse().expect("dxr-compatible date")),
        Value::Base64(b) => dxr::Value::Base64(b.clone()),
        Value::Struct(s) => dxr::Value::Struct(
            s.iter()
                .map(|(n, v)| (n.to_owned(), to_dxr(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
        Value::Array(a) => dxr::Value::Array(a.iter().map(to_dxr).collect()),
        Value::Nil => dxr::Value::Nil,
    }
}

/// dxr's value as ours (struct members in dxr's sorted order).
fn from_dxr(v: &dxr::Value) -> Value {
    match v {
        dxr::Value::Integer(i) => Value::Int(*i),
        dxr::Value::Long(i) => Value::I8(*i),
        dxr::Value::Boolean(b) => Value::Bool(*b),
        dxr::Value::String(s) => Value::String(s.clone()),
        dxr::Value::Double(d) => Value::Double(*d),
        dxr::Value::DateTime(t) => Value::DateTime(t.to_string()),
        dxr::Value::Base64(b) => Value::Base64(b.clone()),
        dxr::Value::Struct(s) => Value::Struct(
            s.iter()
                .map(|(n, v)| (n.clone(), from_dxr(v)))
                .collect::<Struct>(),
        ),
        dxr::Value::Array(a) => Value::Array(a.iter().map(from_dxr).collect()),
        dxr::Value::Nil => Value::Nil,
        other => panic!("unexpected dxr value {other:?}"),
    }
}

#[test]
fn dxr_parse_errors_echo_the_request_body() {
    let body = format!(
        "<methodCall><methodName>auth.login</methodName><params><param><value><string>admin</string></value></param>\
         <param><value><string>{SECRET}</string></value></param></params>"
    );
    let err = dxr::MethodCall::from_xml(&body).unwrap_err();
    assert!(
        err.to_string().contains(SECRET),
        "dxr no longer echoes: {err}"
    );
    let ours = parse_call(body.as_bytes(), &Limits::REQUEST).unwrap_err();
    assert!(!ours.to_string().contains(SECRET));
}

#[test]
fn dxr_accepts_only_one_datetime_form() {
    let value = |t: &str| format!("<value><dateTime.iso8601>{t}</dateTime.iso8601></value>");
    assert!(dxr::Value::from_xml(&value("20240102T03:04:05")).is_ok());
    for other in [
        "2024-01-02T03:04:05",
        "20240102T03:04:05Z",
        "20240102T03:04:05+0100",
        "2024-01-02T03:04:05.123",
    ] {
        assert!(
            dxr::Value::from_xml(&value(other)).is_err(),
            "dxr accepted {other}"
        );
        assert_eq!(
            parse_value(value(other).as_bytes(), &Limits::REQUEST).unwrap(),
            Value::DateTime(other.to_owned())
        );
        // One such date fails dxr's whole message.
        let call = format!(
            "<methodCall><methodName>system.scheduleReboot</methodName><params><param><value><i4>1</i4></value></param>\
             <param>{}</param></params></methodCall>",
            value(other)
        );
        assert!(dxr::MethodCall::from_xml(&call).is_err());
        assert!(parse_call(call.as_bytes(), &Limits::REQUEST).is_ok());
    }
}

#[test]
fn dxr_fails_on_a_fault_with_an_extra_member() {
    let fault = "<methodResponse><fault><value><struct>\
        <member><name>faultCode</name><value><int>-1</int></value></member>\
        <member><name>faultString</name><value><string>boom</string></value></member>\
        <member><name>faultDetail</name><value><string>more</string></value></member>\
        </struct></value></fault></methodResponse>";
    assert!(dxr::FaultResponse::from_xml(fault).is_err());
    assert_eq!(
        parse_response(fault.as_bytes(), &Limits::RESPONSE).unwrap(),
        Err(Fault::new(-1, "boom"))
    );
}

#[test]
fn dxr_loses_struct_order() {
    let xml = "<value><struct><member><name>b</name><value><string>  key\n</string></value></member>\
               <member><name>a</name><value><i4>1</i4></value></member></struct></value>";
    let theirs = from_dxr(&dxr::Value::from_xml(xml).unwrap());
    let ours = parse_value(xml.as_bytes(), &Limits::REQUEST).unwrap();
    let expected = Value::Struct(
        Struct::new()
            .with("b", Value::string("  key\n"))
            .with("a", Value::Int(1)),
    );
    assert_eq!(ours, expected);
    assert_ne!(theirs, expected);
    assert_eq!(
        theirs,
        Value::Struct(
            Struct::new()
                .with("a", Value::Int(1))
                .with("b", Value::string("  key\n"))
        )
    );
    for name in ["", " "] {
        let xml = format!(
            "<value><struct><member><name>{name}</name><value><i4>1</i4></value></member></struct></value>"
        );
        assert!(
            dxr::Value::from_xml(&xml).is_err(),
            "dxr read name {name:?}"
        );
        assert!(parse_value(xml.as_bytes(), &Limits::REQUEST).is_ok());
    }
}

#[test]
fn dxr_documents_read_by_us() {
    let params = vec![
        dxr::Value::String("admin".into()),
        dxr::Value::Integer(-5),
        dxr::Value::Nil,
    ];
    let call = dxr::MethodCall {
        name: "auth.login".into(),
        params: params.clone(),
    };
    let ours = parse_call(call.to_xml().unwrap().as_bytes(), &Limits::REQUEST).unwrap();
    assert_eq!(ours.name, "auth.login");
    assert_eq!(ours.params, params.iter().map(from_dxr).collect::<Vec<_>>());

    let response = dxr::MethodResponse {
        value: dxr::Value::Boolean(true),
    };
    assert_eq!(
        parse_response(response.to_xml().unwrap().as_bytes(), &Limits::RESPONSE).unwrap(),
        Ok(Value::Bool(true))
    );
    let fault = dxr::FaultResponse {
        fault: dxr::Fault::new(2950, "bad <login>".into()),
    };
    assert_eq!(
        parse_response(fault.to_xml().unwrap().as_bytes(), &Limits::RESPONSE).unwrap(),
        Err(Fault::new(2950, "bad <login>"))
    );
}

#[test]
fn our_documents_read_by_dxr() {
    let call = MethodCall {
        name: "system.getDetails".into(),
        params: vec![Value::string("1x00"), Value::Int(1_000_010_000)],
    };
    let theirs =
        dxr::MethodCall::from_xml(std::str::from_utf8(&encode_call(&call)).unwrap()).unwrap();
    assert_eq!(theirs.name, "system.getDetails");
    assert_eq!(
        theirs.params,
        call.params.iter().map(to_dxr).collect::<Vec<_>>()
    );

    let v = Value::Array(vec![Value::Int(1), Value::string("x")]);
    let theirs =
        dxr::MethodResponse::from_xml(std::str::from_utf8(&encode_response(&v)).unwrap()).unwrap();
    assert_eq!(theirs.value, to_dxr(&v));

    let f = Fault::new(-208, "redstone.xmlrpc.XmlRpcFault: No such system");
    let theirs =
        dxr::FaultResponse::from_xml(std::str::from_utf8(&encode_fault(&f)).unwrap()).unwrap();
    assert_eq!(
        (theirs.fault.code(), theirs.fault.string()),
        (f.code, f.string.as_str())
    );
}

/// Strings both keep: dxr writes `\r` unescaped, which any XML reader turns
/// into `\n`, so it stays out of the shared ground.
fn dxr_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9<>&'\" \t\n_.,;:/\\-äöü日本]{0,16}"
}

/// Member names dxr reads: it fails on an empty or all-blank `<name>`.
fn dxr_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9<>&'\"_.,;:/\\-äöü日本]{1,16}"
}

fn dxr_date() -> impl Strategy<Value = String> {
    (
        1970u32..2100,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}"))
}

/// Values in the ground both codecs cover: unique struct names in sorted
/// order (dxr keeps a map), finite doubles, dxr's one date form.
fn shared_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        dxr_text().prop_map(Value::String),
        any::<f64>()
            .prop_filter("finite", |d| d.is_finite())
            .prop_map(Value::Double),
        dxr_date().prop_map(Value::DateTime),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Value::Base64),
        Just(Value::Nil),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(dxr_name(), inner, 0..6)
                .prop_map(|m| Value::Struct(m.into_iter().collect::<Struct>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_dxr_writes_we_read(v in shared_value()) {
        let xml = to_dxr(&v).to_xml().unwrap();
        let ours = parse_value(xml.as_bytes(), &Limits::REQUEST).unwrap();
        prop_assert!(ours.wire_eq(&v), "{} -> {:?}", xml, ours);
    }

    #[test]
    fn what_we_write_dxr_reads(v in shared_value()) {
        let mut xml = Vec::new();
        write_value(&v, &mut xml);
        let theirs = dxr::Value::from_xml(std::str::from_utf8(&xml).unwrap()).unwrap();
        prop_assert!(from_dxr(&theirs).wire_eq(&v), "{:?} -> {:?}", v, theirs);
    }
}
