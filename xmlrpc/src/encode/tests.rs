//! Exact output of the writer.

use super::*;
use crate::Struct;

fn value(v: &Value) -> String {
    let mut out = Vec::new();
    write_value(v, &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn scalars() {
    assert_eq!(value(&Value::Int(-42)), "<value><i4>-42</i4></value>");
    assert_eq!(
        value(&Value::I8(i64::MIN)),
        "<value><i8>-9223372036854775808</i8></value>"
    );
    assert_eq!(
        value(&Value::Bool(false)),
        "<value><boolean>0</boolean></value>"
    );
    assert_eq!(
        value(&Value::string("a<&>\r\n")),
        "<value><string>a&lt;&amp;&gt;&#13;\n</string></value>"
    );
    assert_eq!(
        value(&Value::string("")),
        "<value><string></string></value>"
    );
    assert_eq!(
        value(&Value::Base64(b"hi".to_vec())),
        "<value><base64>aGk=</base64></value>"
    );
    assert_eq!(value(&Value::Nil), "<value><nil/></value>");
    assert_eq!(
        value(&Value::DateTime("20240101T00:00:00".into())),
        "<value><dateTime.iso8601>20240101T00:00:00</dateTime.iso8601></value>"
    );
}

#[test]
fn doubles() {
    let d = |x: f64| value(&Value::Double(x));
    assert_eq!(d(1.5), "<value><double>1.5</double></value>");
    assert_eq!(
        d(1e21),
        "<value><double>1000000000000000000000</double></value>"
    );
    assert_eq!(d(-0.0), "<value><double>-0</double></value>");
    assert_eq!(d(f64::NAN), "<value><double>NaN</double></value>");
    assert_eq!(d(f64::INFINITY), "<value><double>Infinity</double></value>");
    assert_eq!(
        d(f64::NEG_INFINITY),
        "<value><double>-Infinity</double></value>"
    );
}

#[test]
fn containers() {
    let v = Value::Array(vec![
        Value::Struct(
            Struct::new()
                .with("a", Value::Int(1))
                .with("b&", Value::Array(vec![])),
        ),
        Value::Struct(Struct::new()),
    ]);
    assert_eq!(
        value(&v),
        "<value><array><data><value><struct><member><name>a</name><value><i4>1</i4></value></member>\
         <member><name>b&amp;</name><value><array><data></data></array></value></member></struct></value>\
         <value><struct></struct></value></data></array></value>"
    );
}

#[test]
fn documents() {
    let call = MethodCall {
        name: "auth.login".into(),
        params: vec![Value::string("admin")],
    };
    assert_eq!(
        String::from_utf8(encode_call(&call)).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>auth.login</methodName>\
         <params><param><value><string>admin</string></value></param></params></methodCall>"
    );
    assert_eq!(
        String::from_utf8(encode_fault(&Fault::new(-1, "x"))).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><fault><value><struct>\
         <member><name>faultCode</name><value><i4>-1</i4></value></member>\
         <member><name>faultString</name><value><string>x</string></value></member>\
         </struct></value></fault></methodResponse>"
    );
}
