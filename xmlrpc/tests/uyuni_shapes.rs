//! The shapes SUSE Manager puts on the wire (shared/uyuni-api/README.md):
//! they read as expected and survive a write/read round trip.

use xmlrpc::{
    Fault, Limits, MethodCall, Struct, Value, encode_call, encode_fault, encode_response,
    parse_call, parse_response,
};

const KEY: &str = "1x4b6f3b1bd1f3b0ad0e7c3e3c1a5b1d0f4a2a6c9e8d7b6a5f4e3d2c1b0a9f8e7d";

fn round_trip_response(v: &Value) -> Value {
    parse_response(&encode_response(v), &Limits::RESPONSE)
        .unwrap()
        .unwrap()
}

fn system(id: i32) -> Value {
    Value::Struct(
        Struct::new()
            .with("id", Value::Int(id))
            .with("name", Value::string(format!("host{id}.example.com")))
            .with("last_checkin", Value::DateTime("20240301T12:00:00".into()))
            .with("created", Value::DateTime("20230101T00:00:00".into()))
            .with("last_boot", Value::DateTime("20240229T23:59:59".into())),
    )
}

#[test]
fn list_systems_response() {
    // As SUSE Manager writes it: no whitespace, <i4>, dates without zone.
    let wire = br#"<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data><value><struct><member><name>id</name><value><i4>1000010000</i4></value></member><member><name>name</name><value><string>host1000010000.example.com</string></value></member><member><name>last_checkin</name><value><dateTime.iso8601>20240301T12:00:00</dateTime.iso8601></value></member><member><name>created</name><value><dateTime.iso8601>20230101T00:00:00</dateTime.iso8601></value></member><member><name>last_boot</name><value><dateTime.iso8601>20240229T23:59:59</dateTime.iso8601></value></member></struct></value></data></array></value></param></params></methodResponse>"#;
    let got = parse_response(wire, &Limits::RESPONSE).unwrap().unwrap();
    assert_eq!(got, Value::Array(vec![system(1_000_010_000)]));
    // Our writer produces exactly this form.
    assert_eq!(encode_response(&got), wire.to_vec());

    let many = Value::Array((1_000_010_000..1_000_010_500).map(system).collect());
    assert_eq!(round_trip_response(&many), many);
}

#[test]
fn get_details_struct() {
    let details = Value::Struct(
        Struct::new()
            .with("id", Value::Int(1_000_010_000))
            .with("profile_name", Value::string("web01"))
            .with(
                "machine_id",
                Value::string("0123456789abcdef0123456789abcdef"),
            )
            .with("minion_id", Value::string("web01.example.com"))
            .with("hostname", Value::string("web01.example.com"))
            .with("base_entitlement", Value::string("salt_entitled"))
            .with(
                "addon_entitlements",
                Value::Array(vec![Value::string("monitoring_entitled")]),
            )
            .with("auto_update", Value::Bool(false))
            .with(
                "description",
                Value::string("Initial Registration Parameters:\nOS: sles\r\n"),
            )
            .with("address1", Value::string(""))
            .with("city", Value::string("Nürnberg"))
            .with("release", Value::string("15.5"))
            .with("last_boot", Value::DateTime("20240301T08:00:00".into()))
            .with("osa_status", Value::string("unknown"))
            .with("lock_status", Value::Bool(true))
            .with("contact_method", Value::string("default")),
    );
    let back = round_trip_response(&details);
    assert_eq!(back, details);
    let s = back.as_struct().unwrap();
    assert_eq!(s.len(), 16);
    assert_eq!(s.get("lock_status"), Some(&Value::Bool(true)));
    assert_eq!(
        s.iter().next().map(|(n, _)| n),
        Some("id"),
        "member order kept"
    );
}

/// The fault strings of the README's table, with their codes.
fn readme_faults() -> Vec<Fault> {
    vec![
        Fault::new(-1, "The specified handler cannot be found"),
        Fault::new(
            -1,
            "redstone.xmlrpc.XmlRpcFault: Could not find method: listSystem in class: \
             com.redhat.rhn.frontend.xmlrpc.system.SystemHandler with params: [java.lang.String]",
        ),
        Fault::new(
            -1,
            "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 1",
        ),
        Fault::new(
            -1,
            "com.redhat.rhn.common.translation.TranslationException: Could not find translator \
             for class java.lang.String to interface com.redhat.rhn.domain.user.User",
        ),
        Fault::new(
            -1,
            "com.redhat.rhn.common.translation.TranslationException: Could not find translator \
             for class java.lang.String to class java.lang.Integer",
        ),
        Fault::new(
            2950,
            "redstone.xmlrpc.XmlRpcFault: Either the password or username is incorrect.",
        ),
        Fault::new(-208, "redstone.xmlrpc.XmlRpcFault: No such system"),
        Fault::new(
            -1,
            "redstone.xmlrpc.XmlRpcFault: unhandled internal exception: <null> & \"quotes\"",
        ),
    ]
}

#[test]
fn fault_responses() {
    for fault in readme_faults() {
        let back = parse_response(&encode_fault(&fault), &Limits::RESPONSE).unwrap();
        assert_eq!(back, Err(fault));
    }
}

#[test]
fn fault_forms_other_servers_write() {
    // `<int>` code, untyped string, extra member, whitespace, other order.
    let wire = b"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n\
        <member><name>faultString</name><value>redstone.xmlrpc.XmlRpcFault: No such system</value></member>\n\
        <member><name>faultCode</name><value><int>-208</int></value></member>\n\
        <member><name>faultDetail</name><value><array><data/></array></value></member>\n\
        </struct></value>\n</fault>\n</methodResponse>\n";
    assert_eq!(
        parse_response(wire, &Limits::RESPONSE).unwrap(),
        Err(Fault::new(
            -208,
            "redstone.xmlrpc.XmlRpcFault: No such system"
        ))
    );
}

#[test]
fn session_key_with_trailing_newline_is_trimmed() {
    let wire = format!(
        "<?xml version='1.0'?>\n<methodCall>\n<methodName>system.listSystems</methodName>\n\
         <params>\n<param>\n<value><string>{KEY}\n</string></value>\n</param>\n</params>\n</methodCall>\n"
    );
    let mut call = parse_call(wire.as_bytes(), &Limits::REQUEST).unwrap();
    // The codec itself is lossless...
    assert_eq!(call.params, vec![Value::string(format!("{KEY}\n"))]);
    // ...and trimming is the server's step, applied on request.
    call.trim_string_params();
    assert_eq!(
        call,
        MethodCall {
            name: "system.listSystems".into(),
            params: vec![Value::string(KEY)],
        }
    );
    assert_eq!(
        parse_call(&encode_call(&call), &Limits::REQUEST).unwrap(),
        call
    );
}

#[test]
fn login_and_version_calls() {
    let login = MethodCall {
        name: "auth.login".into(),
        params: vec![
            Value::string("admin"),
            Value::string("s3cr&t<pw>"),
            Value::Int(3600),
        ],
    };
    assert_eq!(
        parse_call(&encode_call(&login), &Limits::REQUEST).unwrap(),
        login
    );
    // Zero-argument calls as clients write them.
    for wire in [
        &b"<methodCall><methodName>api.getVersion</methodName></methodCall>"[..],
        b"<methodCall><methodName>api.getVersion</methodName><params/></methodCall>",
        b"<?xml version='1.0'?>\n<methodCall>\n<methodName>api.getVersion</methodName>\n<params>\n</params>\n</methodCall>\n",
    ] {
        let call = parse_call(wire, &Limits::REQUEST).unwrap();
        assert_eq!(call.name, "api.getVersion");
        assert!(call.params.is_empty());
    }
    assert_eq!(
        round_trip_response(&Value::string("25")),
        Value::string("25")
    );
}
