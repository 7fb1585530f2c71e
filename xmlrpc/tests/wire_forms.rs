//! What the parser accepts from real clients, and what it refuses.

use xmlrpc::{Limits, Struct, Value, parse_call, parse_response, parse_value};

fn value(xml: &str) -> Value {
    parse_value(xml.as_bytes(), &Limits::REQUEST).unwrap_or_else(|e| panic!("{xml}: {e}"))
}

fn value_err(xml: &str) -> String {
    match parse_value(xml.as_bytes(), &Limits::REQUEST) {
        Ok(v) => panic!("{xml}: accepted as {v:?}"),
        Err(e) => e.reason,
    }
}

fn call_param(xml_value: &str) -> Value {
    let doc = format!(
        "<methodCall><methodName>m</methodName><params><param>{xml_value}</param></params></methodCall>"
    );
    let mut call =
        parse_call(doc.as_bytes(), &Limits::REQUEST).unwrap_or_else(|e| panic!("{doc}: {e}"));
    call.params.pop().unwrap()
}

#[test]
fn declarations_and_whitespace() {
    for doc in [
        "<methodCall><methodName>a.b</methodName></methodCall>",
        "<?xml version=\"1.0\"?><methodCall><methodName>a.b</methodName></methodCall>",
        "<?xml version='1.0'?>\n<methodCall>\n  <methodName>a.b</methodName>\n</methodCall>\n",
        "<?xml version='1.0' encoding='UTF-8'?><methodCall><methodName>a.b</methodName></methodCall>",
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><methodCall><methodName>a.b</methodName></methodCall>",
        "<!-- hi --><methodCall><!-- c --><methodName>a.b</methodName><params/></methodCall><!-- bye -->\n",
        "<?xml version='1.0'?><?xml-stylesheet href='x'?><methodCall><methodName>a.b</methodName></methodCall>",
    ] {
        let call =
            parse_call(doc.as_bytes(), &Limits::REQUEST).unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert_eq!(call.name, "a.b", "{doc}");
    }
}

#[test]
fn every_value_type() {
    assert_eq!(value("<value><i4>1</i4></value>"), Value::Int(1));
    assert_eq!(value("<value><int>-7</int></value>"), Value::Int(-7));
    assert_eq!(
        value("<value><i8>8589934592</i8></value>"),
        Value::I8(1 << 33)
    );
    assert_eq!(
        value("<value><boolean>1</boolean></value>"),
        Value::Bool(true)
    );
    assert_eq!(
        value("<value><double>-2.5e-3</double></value>"),
        Value::Double(-2.5e-3)
    );
    assert_eq!(
        value("<value><string>s</string></value>"),
        Value::string("s")
    );
    assert_eq!(
        value("<value> untyped  </value>"),
        Value::string(" untyped  ")
    );
    assert_eq!(value("<value></value>"), Value::string(""));
    assert_eq!(value("<value/>"), Value::string(""));
    assert_eq!(value("<value><string/></value>"), Value::string(""));
    assert_eq!(value("<value><string></string></value>"), Value::string(""));
    assert_eq!(
        value("<value>\n  <string>x</string>\n</value>"),
        Value::string("x")
    );
    assert_eq!(
        value("<value><dateTime.iso8601>2024-01-02T03:04:05+01:00</dateTime.iso8601></value>"),
        Value::DateTime("2024-01-02T03:04:05+01:00".into())
    );
    assert_eq!(
        value("<value><dateTime.iso8601>not a date at all</dateTime.iso8601></value>"),
        Value::DateTime("not a date at all".into())
    );
    assert_eq!(
        value("<value><base64>\naGVs\nbG8=\n</base64></value>"),
        Value::Base64(b"hello".to_vec())
    );
    assert_eq!(value("<value><nil/></value>"), Value::Nil);
    assert_eq!(value("<value><ex:nil/></value>"), Value::Nil);
    assert_eq!(
        value(
            "<value xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"><ex:nil/></value>"
        ),
        Value::Nil
    );
    assert_eq!(
        call_param(
            "<value><ex:nil xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"/></value>"
        ),
        Value::Nil
    );
    assert_eq!(
        value("<value><array><data/></array></value>"),
        Value::Array(vec![])
    );
    assert_eq!(value("<value><array/></value>"), Value::Array(vec![]));
    assert_eq!(
        value("<value><struct/></value>"),
        Value::Struct(Struct::new())
    );
}

#[test]
fn structs_keep_order_and_duplicates() {
    let v = value(
        "<value><struct>\n<member><name>b</name><value><i4>1</i4></value></member>\
         <member>\n<name>a</name>\n<value>x</value>\n</member>\
         <member><name>b</name><value><i4>2</i4></value></member></struct></value>",
    );
    let s = v.as_struct().unwrap();
    let members: Vec<_> = s.iter().collect();
    assert_eq!(
        members,
        vec![
            ("b", &Value::Int(1)),
            ("a", &Value::string("x")),
            ("b", &Value::Int(2))
        ]
    );
}

#[test]
fn text_forms() {
    assert_eq!(
        value("<value><string><![CDATA[<&>]]> and &lt;&amp;&gt;&apos;&quot;</string></value>"),
        Value::string("<&> and <&>'\"")
    );
    assert_eq!(
        value("<value><string>&#10;&#x41;&#233;&#x1F389;</string></value>"),
        Value::string("\nA\u{e9}\u{1f389}")
    );
    assert_eq!(
        value("<value>a&#13;\r\nb\rc</value>"),
        Value::string("a\r\nb\nc")
    );
    assert_eq!(
        value("<value>ab<!-- x -->cd</value>"),
        Value::string("abcd")
    );
    assert_eq!(
        value("<value><string>Grüße 日本</string></value>"),
        Value::string("Grüße 日本")
    );
}

#[test]
fn refused_values() {
    for (xml, why) in [
        ("<value><i4>2147483648</i4></value>", "out of range"),
        ("<value><int>-2147483649</int></value>", "out of range"),
        ("<value><i4>1.0</i4></value>", "malformed integer"),
        ("<value><boolean>true</boolean></value>", "boolean"),
        ("<value><boolean>2</boolean></value>", "boolean"),
        ("<value><boolean></boolean></value>", "boolean"),
        ("<value><base64>!!!!</base64></value>", "base64"),
        ("<value><double>one</double></value>", "double"),
        ("<value><float>1</float></value>", "unknown value type"),
        (
            "<value><foo:string>x</foo:string></value>",
            "unknown value type",
        ),
        ("<value><String>x</String></value>", "unknown value type"),
        ("<value><i4>1</i4><i4>2</i4></value>", "more than one type"),
        ("<value>text<i4>1</i4></value>", "text mixed"),
        ("<value><i4>1</i4>text</value>", "text after"),
        (
            "<value><string><b>x</b></string></value>",
            "unexpected element",
        ),
        ("<value><array><value>x</value></array></value>", "array"),
        (
            "<value><struct><member><value>x</value></member></struct></value>",
            "struct",
        ),
        (
            "<value><struct><member><name>a</name></member></struct></value>",
            "struct",
        ),
        ("<value><nil>x</nil></value>", "nil"),
        ("<value>&nbsp;</value>", "undefined entity"),
        ("<value>&#0;</value>", "character reference"),
        ("<value>&#xD800;</value>", "character reference"),
        ("<value>a & b</value>", "'&'"),
        ("<value>x</value>trailing", "after the root"),
        ("<value>x</value><value>y</value>", "after the root"),
        ("<value>x", "unclosed"),
        ("<value><string>x</value>", "closing tag"),
        ("", "empty document"),
        ("   ", "empty document"),
    ] {
        let reason = value_err(xml);
        assert!(reason.contains(why), "{xml}: {reason:?} lacks {why:?}");
    }
}

#[test]
fn refused_documents() {
    for doc in [
        "<methodResponse><params><param><value>x</value></param></params></methodResponse>",
        "<methodCall><params/></methodCall>",
        "<methodCall><methodName>a</methodName><params><value>x</value></params></methodCall>",
        "<methodCall><methodName>a</methodName><params><param></param></params></methodCall>",
        "<methodCall><methodName>a</methodName>junk</methodCall>",
        "<methodCall><methodName>a</methodName></methodCall><methodCall/>",
        "<methodCall><methodName>a</methodName></methodCall>junk",
        "<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>a</methodName></methodCall>",
        "<methodCall><?xml version='1.0'?><methodName>a</methodName></methodCall>",
        "<methodCall><methodName>a</methodName>",
    ] {
        assert!(
            parse_call(doc.as_bytes(), &Limits::REQUEST).is_err(),
            "{doc}"
        );
    }
    assert!(
        parse_call(
            b"<methodCall><methodName>\xff</methodName></methodCall>",
            &Limits::REQUEST
        )
        .is_err()
    );
    for doc in [
        "<methodResponse><params></params></methodResponse>",
        "<methodResponse><params/></methodResponse>",
        "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>1</i4></value></member></struct></value></fault></methodResponse>",
        "<methodResponse><fault><value>oops</value></fault></methodResponse>",
        "<methodResponse></methodResponse>",
        "<methodCall><methodName>a</methodName></methodCall>",
    ] {
        assert!(
            parse_response(doc.as_bytes(), &Limits::RESPONSE).is_err(),
            "{doc}"
        );
    }
}

#[test]
fn any_method_name_is_kept_exactly() {
    for name in [
        "system.listSystems",
        "system.list_systems",
        "x",
        "a.b.c.d",
        " spaced\n",
        "",
        "<&>",
    ] {
        let call = xmlrpc::MethodCall {
            name: name.into(),
            params: vec![],
        };
        let back = parse_call(&xmlrpc::encode_call(&call), &Limits::REQUEST).unwrap();
        assert_eq!(back.name, name);
    }
}
