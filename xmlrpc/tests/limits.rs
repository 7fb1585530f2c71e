//! Limits and hostile input: size and depth caps, DTDs and entities, and
//! parse errors that never repeat the request.

use xmlrpc::{Limits, Value, parse_call, parse_response, parse_value};

fn nested_arrays(depth: usize) -> String {
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("<value><array><data>");
    }
    s.push_str("<value><i4>1</i4></value>");
    for _ in 0..depth {
        s.push_str("</data></array></value>");
    }
    s
}

fn nested_structs(depth: usize) -> String {
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("<value><struct><member><name>m</name>");
    }
    s.push_str("<value>leaf</value>");
    for _ in 0..depth {
        s.push_str("</member></struct></value>");
    }
    s
}

#[test]
fn body_cap_is_checked_before_parsing() {
    let doc = b"<methodCall><methodName>a.b</methodName></methodCall>";
    let exact = Limits {
        max_body_bytes: doc.len(),
        max_depth: 4,
    };
    assert!(parse_call(doc, &exact).is_ok());
    let smaller = Limits {
        max_body_bytes: doc.len() - 1,
        ..exact
    };
    let err = parse_call(doc, &smaller).unwrap_err();
    assert!(err.reason.contains("larger than the limit"), "{err}");
    // Refused even when the body is not XML at all: nothing was read.
    let junk = vec![0xffu8; 100];
    let err = parse_response(
        &junk,
        &Limits {
            max_body_bytes: 99,
            max_depth: 4,
        },
    )
    .unwrap_err();
    assert!(err.reason.contains("larger than the limit"), "{err}");
}

#[test]
fn depth_cap_at_exactly_max_and_one_more() {
    for max in [0usize, 1, 2, 5, 64] {
        let limits = Limits {
            max_body_bytes: 1 << 20,
            max_depth: max,
        };
        for make in [nested_arrays, nested_structs] {
            assert!(
                parse_value(make(max).as_bytes(), &limits).is_ok(),
                "depth {max} at max {max}"
            );
            let err = parse_value(make(max + 1).as_bytes(), &limits).unwrap_err();
            assert!(err.reason.contains("deeper than the limit"), "{err}");
        }
    }
    // Empty containers count as a level too.
    let limits = Limits {
        max_body_bytes: 1 << 20,
        max_depth: 1,
    };
    assert!(
        parse_value(
            b"<value><array><data><value><struct/></value></data></array></value>",
            &limits
        )
        .is_err()
    );
    assert!(
        parse_value(
            b"<value><array><data><value><i4>1</i4></value></data></array></value>",
            &limits
        )
        .is_ok()
    );
    // Siblings do not add up.
    let wide = format!(
        "<value><array><data>{}</data></array></value>",
        "<value><array/></value>".repeat(1000)
    );
    assert!(
        parse_value(
            wide.as_bytes(),
            &Limits {
                max_body_bytes: 1 << 20,
                max_depth: 2
            }
        )
        .is_ok()
    );
}

#[test]
fn deep_input_cannot_overflow_the_stack() {
    // 200,000 levels refused at the cap, in a thread with a small stack.
    let deep = "<value><array><data>".repeat(200_000);
    let huge = Limits {
        max_body_bytes: usize::MAX,
        max_depth: 64,
    };
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let err = parse_value(deep.as_bytes(), &huge).unwrap_err();
            assert!(err.reason.contains("deeper than the limit"), "{err}");
            // With the cap lifted the parser walks all levels on its heap
            // stack and fails at the missing end, still without recursion.
            let lifted = Limits {
                max_depth: usize::MAX,
                ..huge
            };
            assert!(parse_value(deep.as_bytes(), &lifted).is_err());
        })
        .unwrap()
        .join()
        .unwrap();
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>&lol9;</methodName></methodCall>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE methodCall [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>auth.login</methodName><params><param><value>&xxe;</value></param></params></methodCall>"#;

const EXTERNAL_DTD: &str = r#"<?xml version="1.0"?>
<!DOCTYPE methodCall SYSTEM "http://example.invalid/evil.dtd">
<methodCall><methodName>a</methodName></methodCall>"#;

const BARE_ENTITY_DECL: &str =
    r#"<!ENTITY x "y"><methodCall><methodName>&x;</methodName></methodCall>"#;

#[test]
fn dtds_and_entity_declarations_are_refused() {
    for doc in [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD] {
        let err = parse_call(doc.as_bytes(), &Limits::REQUEST).unwrap_err();
        assert!(err.reason.contains("DOCTYPE"), "{err}");
    }
    assert!(parse_call(BARE_ENTITY_DECL.as_bytes(), &Limits::REQUEST).is_err());
    let response = EXTERNAL_ENTITY.replace("methodCall", "methodResponse");
    assert!(parse_response(response.as_bytes(), &Limits::RESPONSE).is_err());
}

#[test]
fn undefined_entities_are_refused() {
    for doc in [
        "<methodCall><methodName>&foo;</methodName></methodCall>",
        "<methodCall><methodName>a</methodName><params><param><value><string>&nbsp;</string></value></param></params></methodCall>",
        "<methodCall><methodName>a</methodName><params><param><value>&lol9;</value></param></params></methodCall>",
    ] {
        let err = parse_call(doc.as_bytes(), &Limits::REQUEST).unwrap_err();
        assert!(err.reason.contains("undefined entity"), "{err}");
    }
}

#[test]
fn errors_never_repeat_the_request() {
    const SECRET: &str = "Hunter2-S3cret-Pa55word";
    let docs = [
        // Malformed right after the password.
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><string>admin</string></value></param><param><value><string>{SECRET}</string></value></param></params>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><string>{SECRET}</string></value></param></params></methodCall>junk"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><boolean>{SECRET}</boolean></value></param></params></methodCall>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><i4>{SECRET}</i4></value></param></params></methodCall>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><base64>{SECRET}!</base64></value></param></params></methodCall>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><string>{SECRET}</wrong></value></param></params></methodCall>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value><{SECRET}>x</{SECRET}></value></param></params></methodCall>"
        ),
        format!(
            "<methodCall><methodName>auth.login</methodName><params><param><value>&{SECRET};</value></param></params></methodCall>"
        ),
        format!("<methodCall><methodName>{SECRET}</methodName><{SECRET}/></methodCall>"),
        format!("<!DOCTYPE {SECRET}><methodCall/>"),
        format!("<?xml version='1.0' encoding='{SECRET}'?><methodCall/>"),
        format!(
            "<methodCall><methodName>a</methodName><params><param><value><string attr=\"{SECRET}>x</string></value></param></params></methodCall>"
        ),
    ];
    for doc in &docs {
        let err = parse_call(doc.as_bytes(), &Limits::REQUEST).unwrap_err();
        let fault = err.to_fault();
        for text in [
            err.to_string(),
            format!("{err:?}"),
            fault.string.clone(),
            fault.to_string(),
        ] {
            assert!(!text.contains(SECRET), "leak in {text:?}");
            assert!(!text.contains("Hunter2"), "leak in {text:?}");
        }
        assert_eq!(fault.code, -1);
        assert!(fault.string.starts_with(
            "redstone.xmlrpc.XmlRpcFault: The request is not a well-formed XML-RPC call: "
        ));
        assert!(fault.string.ends_with(&format!("(at byte {})", err.offset)));
        let response = doc.replace("methodCall", "methodResponse");
        if let Err(err) = parse_response(response.as_bytes(), &Limits::RESPONSE) {
            assert!(!err.to_string().contains(SECRET), "leak in {err}");
        }
    }
}

#[test]
fn offsets_point_into_the_document() {
    let doc = b"<methodCall><methodName>a</methodName><params><param><value><boolean>7</boolean></value></param></params></methodCall>";
    let err = parse_call(doc, &Limits::REQUEST).unwrap_err();
    let at = doc.windows(9).position(|w| w == b"<boolean>").unwrap();
    assert_eq!(err.offset, at, "{err}");
    assert_eq!(
        parse_value(b"<value/>", &Limits::REQUEST),
        Ok(Value::string(""))
    );
}
