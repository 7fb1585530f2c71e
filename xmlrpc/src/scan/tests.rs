//! The scanner agrees with the parser: same documents accepted and
//! refused, each item's range parses to the parser's item, each pick is
//! the parser's first member of that name.

use proptest::prelude::*;

use super::*;
use crate::{Struct, encode_response, parse_response, parse_value};

const PICKS: [&str; 3] = ["name", "id", "minion_id"];

/// Checks every claim of the module doc against the parser.
fn agrees(doc: &[u8]) {
    let parsed = parse_response(doc, &Limits::RESPONSE);
    let scanned = scan_response(doc, &Limits::RESPONSE, &PICKS);
    match (parsed, scanned) {
        (Err(a), Err(b)) => assert_eq!(a, b),
        (Ok(Err(a)), Ok(Scanned::Fault(b))) => assert_eq!(a, b),
        (Ok(Ok(Value::Array(items))), Ok(Scanned::Array(scan))) => {
            assert_eq!(items.len(), scan.len());
            for (i, (value, item)) in items.iter().zip(scan.items()).enumerate() {
                let alone = parse_value(&doc[item.span.clone()], &Limits::RESPONSE).unwrap();
                assert_eq!(&alone, value);
                assert_eq!(item.is_struct, matches!(value, Value::Struct(_)));
                for (p, name) in PICKS.iter().enumerate() {
                    let member = value.as_struct().and_then(|s| s.get(name));
                    pick_agrees(
                        doc,
                        member,
                        scan.picked(i, p),
                        &format!("item {i} member {name}"),
                    );
                }
            }
        }
        (Ok(Ok(Value::Struct(members))), Ok(Scanned::Struct(scan))) => {
            for (p, name) in PICKS.iter().enumerate() {
                pick_agrees(
                    doc,
                    members.get(name),
                    scan.picked(p),
                    &format!("member {name}"),
                );
            }
        }
        (Ok(Ok(v)), Ok(Scanned::Other)) => {
            assert!(!matches!(v, Value::Array(_) | Value::Struct(_)));
        }
        (a, b) => panic!("parser {a:?}, scanner {b:?}"),
    }
}

/// A picked member is the parser's member of that name (`what` names it).
fn pick_agrees(doc: &[u8], member: Option<&Value>, picked: Option<&Picked<'_>>, what: &str) {
    match (member, picked) {
        (None, None) => {}
        (Some(Value::String(s)), Some(Picked::Str(t))) => assert_eq!(s, t),
        (Some(v), Some(Picked::Int { value: n, span })) => {
            assert_eq!(v.as_i64(), Some(*n));
            let typed = format!("<value>{}</value>", as_str(&doc[span.clone()]));
            let again = parse_value(typed.as_bytes(), &Limits::RESPONSE).unwrap();
            assert_eq!(&again, v);
        }
        (Some(v), Some(Picked::Other)) => {
            assert!(v.as_i64().is_none() && v.as_str().is_none(), "{v:?}");
        }
        (a, b) => panic!("{what}: parser {a:?}, scanner {b:?}"),
    }
}

/// `bytes` with `edits` made in turn: a [`SNIPPETS`] entry put in, or
/// (past their count) the rest cut off or one byte taken out.
fn alter(bytes: &mut Vec<u8>, edits: Vec<(prop::sample::Index, usize)>) {
    for (at, what) in edits {
        let at = at.index(bytes.len() + 1);
        match what {
            w if w == SNIPPETS.len() => bytes.truncate(at),
            w if w == SNIPPETS.len() + 1 => {
                if at < bytes.len() {
                    bytes.remove(at);
                }
            }
            w => {
                bytes.splice(at..at, SNIPPETS[w].bytes());
            }
        }
    }
}

fn as_str(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap()
}

fn system(id: i32, name: &str) -> Value {
    Value::Struct(
        Struct::new()
            .with("id", Value::Int(id))
            .with("name", Value::string(name))
            .with("last_checkin", Value::DateTime("20240101T10:00:00".into())),
    )
}

#[test]
fn picks_members_of_struct_items() {
    let doc = encode_response(&Value::Array(vec![
        system(1, "a&b <c>"),
        system(2, "ünïcödé \u{1F600}"),
        Value::Struct(Struct::new().with("name", Value::Int(3))),
        Value::string("not a struct"),
        Value::Struct(
            Struct::new()
                .with(
                    "nested",
                    Value::Struct(Struct::new().with("id", Value::Int(9))),
                )
                .with("id", Value::I8(1 << 40))
                .with("id", Value::Int(5)),
        ),
    ]));
    agrees(&doc);
    let Scanned::Array(scan) = scan_response(&doc, &Limits::RESPONSE, &PICKS).unwrap() else {
        panic!("an array");
    };
    assert_eq!(scan.picked(0, 0), Some(&Picked::Str("a&b <c>".into())));
    assert!(matches!(
        scan.picked(1, 1),
        Some(Picked::Int { value: 2, .. })
    ));
    assert!(matches!(
        scan.picked(2, 0),
        Some(Picked::Int { value: 3, .. })
    ));
    assert_eq!(scan.picked(3, 0), None);
    assert!(!scan.all_structs());
    // The first `id` wins; the nested one is not the item's.
    assert!(matches!(scan.picked(4, 1), Some(Picked::Int { value, .. }) if *value == 1 << 40));
    assert!(!scan.has_prefixed_names());
}

#[test]
fn wire_forms_the_encoder_never_writes() {
    let docs = [
        // Untyped strings, whitespace, comments, CDATA, references, <int>.
        "<?xml version='1.0'?>\n<methodResponse>\n <params><param><value><array><data>\n\
         <value><struct><member><name>name</name><value>  plain </value></member>\
         <member><name>id</name><value><int> 7 </int></value></member></struct></value>\n\
         <!-- c --><value><struct><member><name>name</name><value><string><![CDATA[<x>]]>&#65;&amp;</string></value></member>\
         <member><name>id</name><value><i8>8</i8></value></member></struct></value>\
         <value/><value><struct/></value><value><array/></value>\
         </data></array></value></param></params></methodResponse>\n",
        // An empty array, in both forms.
        "<methodResponse><params><param><value><array><data/></array></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><array/></value></param></params></methodResponse>",
        // Not arrays.
        "<methodResponse><params><param><value>x</value></param></params></methodResponse>",
        "<methodResponse><params><param><value><struct><member><name>id</name><value><i4>1</i4></value></member></struct></value></param></params></methodResponse>",
        // A fault.
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-1</int></value></member>\
         <member><name>faultString</name><value>no</value></member></struct></value></fault></methodResponse>",
    ];
    for doc in docs {
        agrees(doc.as_bytes());
    }
    let prefixed = "<methodResponse xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'><params><param><value><array><data>\
         <value><struct><member><name>id</name><value><ex:nil/></value></member></struct></value>\
         </data></array></value></param></params></methodResponse>";
    agrees(prefixed.as_bytes());
    let Scanned::Array(scan) =
        scan_response(prefixed.as_bytes(), &Limits::RESPONSE, &PICKS).unwrap()
    else {
        panic!("an array");
    };
    assert!(scan.has_prefixed_names());
}

#[test]
fn refuses_what_the_parser_refuses() {
    let head = "<methodResponse><params><param><value><array><data>";
    let tail = "</data></array></value></param></params></methodResponse>";
    let bad_items = [
        "<value><i4>2147483648</i4></value>",
        "<value><boolean>2</boolean></value>",
        "<value><double>x</double></value>",
        "<value><base64>*</base64></value>",
        "<value><nil>x</nil></value>",
        "<value><struct><member><name>a</name></member></struct></value>",
        "<value><struct><member><value>1</value></member></struct></value>",
        "<value>text<i4>1</i4></value>",
        "<value><i4>1</i4><i4>2</i4></value>",
        "<value><foo/></value>",
        "<value><string>&undefined;</string></value>",
        "<value><struct><member><name>id</name><value><i4>1</i4></value></member></struct>",
        "text",
    ];
    for item in bad_items {
        let doc = format!("{head}{item}{tail}");
        agrees(doc.as_bytes());
        assert!(
            scan_response(doc.as_bytes(), &Limits::RESPONSE, &PICKS).is_err(),
            "{item}"
        );
    }
    let deep = format!(
        "{head}{}{}{tail}",
        "<value><array><data>".repeat(70),
        "</data></array></value>".repeat(70)
    );
    agrees(deep.as_bytes());
    agrees(format!("{head}{tail}<x/>").as_bytes());
    // Items the item scanner reads, in frames that are not a list's.
    let item =
        "<value><struct><member><name>id</name><value><i4>1</i4></value></member></struct></value>";
    for frame in [
        "<methodResponse><params><param><value><struct><data>",
        "<methodResponse><fault><value><array><data>",
        "<methodResponse><params><param><value><i4>1</i4></value></param><param><value><array><data>",
        "<methodResponse><params><param><value>x<array><data>",
        "<methodCall><params><param><value><array><data>",
    ] {
        let doc = format!("{frame}{item}{tail}");
        agrees(doc.as_bytes());
        assert!(flat::scan_list(doc.as_bytes(), &Limits::RESPONSE, &PICKS).is_none());
    }
    agrees(b"<!DOCTYPE x><methodResponse/>");
    agrees(b"");
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        any::<String>().prop_map(Value::String),
        "[ <>&\r\n a-z]{0,8}".prop_map(Value::String),
        "[0-9T:]{0,17}".prop_map(Value::DateTime),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Base64),
        Just(Value::Nil),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("id".to_owned()),
                        Just("minion_id".to_owned()),
                        "[a-z]{0,3}"
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|m| Value::Struct(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn agrees_with_the_parser_on_any_array(items in proptest::collection::vec(value(), 0..8)) {
        agrees(&encode_response(&Value::Array(items)));
    }

    #[test]
    fn agrees_with_the_parser_on_any_result(v in value()) {
        agrees(&encode_response(&v));
    }
}

/// The item scanner ([`scan_items`]) over `items` as the content of a
/// list: it gives up, or gives exactly what the walk over the codec's
/// grammar gives.
/// Returns whether it read the items.
fn items_agree(items: &[u8]) -> bool {
    const HEAD: &[u8] =
        b"<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>";
    const TAIL: &[u8] = b"</data></array></value></param></params></methodResponse>";
    let doc = [HEAD, items, TAIL].concat();
    let Some(flat) = scan_items(
        &doc,
        HEAD.len()..HEAD.len() + items.len(),
        &PICKS,
        &Limits::RESPONSE,
    ) else {
        return false;
    };
    let Ok(Scanned::Array(scan)) = walk_response(&doc, &Limits::RESPONSE, &PICKS) else {
        panic!(
            "the item scanner read what the codec refuses: {:?}",
            String::from_utf8_lossy(items)
        );
    };
    assert!(scan.all_structs() && !scan.has_prefixed_names());
    assert_eq!(flat.items(), scan.items());
    for i in 0..scan.len() {
        for p in 0..PICKS.len() {
            assert_eq!(flat.picked(i, p), scan.picked(i, p), "item {i} pick {p}");
        }
    }
    true
}

/// The content of the `<data>` element of an encoded array.
fn data_of(doc: &[u8]) -> &[u8] {
    let doc = as_str(doc);
    let start = doc.find("<data>").unwrap() + "<data>".len();
    let end = doc.rfind("</data>").unwrap();
    &doc.as_bytes()[start..end]
}

/// Scalars as a SUSE Manager listing holds them (no carriage returns:
/// the encoder writes those as a character reference).
fn flat_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        "[ <>&\"'\n a-zü\u{1F600}]{0,8}".prop_map(Value::String),
        "[0-9T:]{0,17}".prop_map(Value::DateTime),
        any::<f64>().prop_map(Value::Double),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Base64),
        Just(Value::Nil),
    ]
}

/// A struct of scalars and lists of scalars, as a listing's item or a
/// routed call's answer holds it.
fn flat_struct() -> impl Strategy<Value = Value> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("name".to_owned()),
                Just("id".to_owned()),
                Just("minion_id".to_owned()),
                "[a-z&<]{0,3}"
            ],
            prop_oneof![
                4 => flat_leaf(),
                1 => proptest::collection::vec(flat_leaf(), 0..3).prop_map(Value::Array),
            ],
        ),
        0..6,
    )
    .prop_map(|m| Value::Struct(m.into_iter().collect()))
}

/// What may be put into a list's items to make it unusual or wrong.
const SNIPPETS: [&str; 22] = [
    " ",
    "\n",
    "\r",
    "\t",
    "x",
    "<",
    ">",
    "/",
    "&",
    "&amp;",
    "&#65;",
    "&bogus;",
    "<!--c-->",
    "<![CDATA[x]]>",
    "<value>",
    "</value>",
    "<i4>",
    "</i4>",
    "<struct>",
    "<member>",
    "<ex:nil/>",
    "<value a='1'>",
];

#[test]
fn the_item_scanner_reads_wire_forms_the_encoder_never_writes() {
    let items = "\n <value> <struct>\n\t<member> <name>name</name> <value>  plain &gt; </value> </member>\
         <member><name/><value/></member><member><name>id</name><value> <int> 7 </int>\n</value></member>\
         <member><name>minion_id</name><value><string/></value></member>\
         <member><name>x</name><value><nil></nil></value></member>\
         <member><name>l</name><value> <array> <data> <value>a</value><value/><value> <i4>1</i4> </value> </data> </array> </value></member>\
         <member><name>e</name><value><array><data></data></array></value></member></struct> </value>\n\
         <value><struct></struct></value>";
    assert!(items_agree(items.as_bytes()));
    assert!(items_agree(b""));
    assert!(items_agree(b" \n\t "));
    // Given up on, for the codec to judge.
    for unusual in [
        "<value><struct/></value>",
        "<value>text</value>",
        "<value/>",
        "<value><struct><member><name>a</name><value><array><data/></array></value></member></struct></value>",
        "<value><struct><member><name>a</name><value><array/></value></member></struct></value>",
        "<value><struct><member><name>a</name><value><array><data><value><array><data></data></array></value></data></array></value></member></struct></value>",
        "<value><struct><member><name>a</name><value><array><data><value><struct></struct></value></data></array></value></member></struct></value>",
        "<value><struct><member><name>a&#65;</name><value/></member></struct></value>",
        "<value><struct>\r\n</struct></value>",
        "<value><struct><member><name>a</name><value>x<i4>1</i4></value></member></struct></value>",
        "<value><struct><member><name>a</name><value><i4>1</i4>x</value></member></struct></value>",
        "<value><struct><member><name>a</name><value><i4>1</i8></value></member></struct></value>",
        "<!-- c --><value><struct></struct></value>",
        "<value><struct><member><name>a</name><value><i4>2147483648</i4></value></member></struct></value>",
        "<value><struct><member><name>a</name><value><i4>1</i4></value></member></struct>",
    ] {
        assert!(!items_agree(unusual.as_bytes()), "{unusual}");
    }
}

proptest! {
    #[test]
    fn the_item_scanner_reads_every_list_of_flat_structs(
        items in proptest::collection::vec(flat_struct(), 0..6)
    ) {
        let doc = encode_response(&Value::Array(items));
        prop_assert!(items_agree(data_of(&doc)));
        // The whole response takes the same road, and agrees with the parser.
        prop_assert!(flat::scan_list(&doc, &Limits::RESPONSE, &PICKS).is_some());
        agrees(&doc);
    }

    #[test]
    fn the_item_scanner_gives_up_or_agrees_on_any_array(
        items in proptest::collection::vec(value(), 0..6)
    ) {
        let doc = encode_response(&Value::Array(items));
        items_agree(data_of(&doc));
    }

    #[test]
    fn the_item_scanner_gives_up_or_agrees_on_altered_lists(
        items in proptest::collection::vec(flat_struct(), 1..4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..SNIPPETS.len() + 2), 1..4),
    ) {
        let doc = encode_response(&Value::Array(items));
        let mut data = data_of(&doc).to_vec();
        alter(&mut data, edits);
        items_agree(&data);
    }
}

/// A struct result: read by the item scanner ([`flat::scan_struct`]) in
/// its common form, and as the parser reads it either way.
#[test]
fn struct_results_are_scanned_as_the_parser_reads_them() {
    let details = Value::Struct(
        Struct::new()
            .with("id", Value::Int(1000010000))
            .with("name", Value::string("web-1 & <co>"))
            .with(
                "addon_entitlements",
                Value::Array(vec![Value::string("monitoring_entitled")]),
            )
            .with("last_boot", Value::DateTime("20240101T10:00:00".into())),
    );
    let doc = encode_response(&details);
    agrees(&doc);
    let scan =
        flat::scan_struct(&doc, &Limits::RESPONSE, &PICKS).expect("the item scanner reads it");
    assert!(matches!(
        scan.picked(1),
        Some(Picked::Int {
            value: 1000010000,
            ..
        })
    ));
    assert_eq!(scan.picked(0), Some(&Picked::Str("web-1 & <co>".into())));
    assert_eq!(scan.picked(2), None);
    // Blanks after the document are read past; anything else is not.
    let mut blank_after = doc.clone();
    blank_after.extend_from_slice(b"\n \t\n");
    agrees(&blank_after);
    assert!(flat::scan_struct(&blank_after, &Limits::RESPONSE, &PICKS).is_some());
    let mut then_more = doc.clone();
    then_more.extend_from_slice(b"\n</param></params></methodResponse>\n");
    agrees(&then_more);
    assert!(flat::scan_struct(&then_more, &Limits::RESPONSE, &PICKS).is_none());
    // A list in the struct is one level too deep for a limit of one.
    let shallow = Limits {
        max_depth: 1,
        ..Limits::RESPONSE
    };
    assert!(flat::scan_struct(&doc, &shallow, &PICKS).is_none());
    assert!(scan_response(&doc, &shallow, &PICKS).is_err());
    // Frames the struct scanner does not take: the codec's walk decides.
    let member = "<member><name>id</name><value><i4>1</i4></value></member>";
    for doc in [
        format!(
            "<methodResponse><params><param><value><struct>{member}</struct></value><value><struct></struct></value></param></params></methodResponse>"
        ),
        format!(
            "<methodResponse><params><param><value><struct>{member}</struct></value></param><param><value>x</value></param></params></methodResponse>"
        ),
        format!(
            "<methodResponse><fault><value><struct>{member}</struct></value></fault></methodResponse>"
        ),
        format!(
            "<methodResponse><params><param><value><struct>{member}</struct></value></param></params></methodResponse><x/>"
        ),
        "<methodResponse xmlns:ex='urn:x'><params><param><value><struct><member><name>id</name><value><ex:nil/></value></member></struct></value></param></params></methodResponse>".to_owned(),
    ] {
        assert!(
            flat::scan_struct(doc.as_bytes(), &Limits::RESPONSE, &PICKS).is_none(),
            "{doc}"
        );
        agrees(doc.as_bytes());
    }
}

proptest! {
    #[test]
    fn the_struct_scanner_reads_every_flat_struct(item in flat_struct()) {
        let doc = encode_response(&item);
        prop_assert!(flat::scan_struct(&doc, &Limits::RESPONSE, &PICKS).is_some());
        agrees(&doc);
    }

    #[test]
    fn the_struct_scanner_gives_up_or_agrees_on_altered_structs(
        item in flat_struct(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..SNIPPETS.len() + 2), 1..4),
    ) {
        let mut doc = encode_response(&item);
        alter(&mut doc, edits);
        // Whatever road it takes, the scan agrees with the parser.
        agrees(&doc);
    }
}
